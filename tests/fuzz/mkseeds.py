#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets (tests/fuzz/corpus/NAME/).
Run from the repository root; the output is committed."""
import os, struct

def w(target, name, data):
    d = os.path.join("tests/fuzz/corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

def ip4(s):
    return bytes(int(x) for x in s.split("."))

DIR = bytes([2, 0, 0, 0, 0, 2])
CLI = bytes([2, 0, 0, 0, 0, 0x64])

def frame(proto, src, sport, dst, dport, flags=0x02, payload=b"", frag=0x4000):
    if proto == 6:
        l4 = struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, flags, 64240, 0, 0)
    elif proto == 17:
        l4 = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    else:
        l4 = b"\x08\x00\x00\x00\x00\x01\x00\x01"
    tot = 20 + len(l4) + len(payload)
    iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot, 1, frag, 64, proto, 0,
                      ip4(src), ip4(dst))
    return DIR + CLI + b"\x08\x00" + iph + l4 + payload

def vnet(flags=0, gso=0, hdr=0, gsosz=0, start=0, off=0):
    return struct.pack("<BBHHHH", flags, gso, hdr, gsosz, start, off)

# fuzz_frame: frames, each byte 0 flags (0x20 and up: seconds passing
# before it), 10 bytes virtio_net_hdr, 2 bytes its length, the frame
def ff(flags, v, f):
    return bytes([flags]) + v + struct.pack("!H", len(f)) + f

syn = frame(6, "198.18.0.100", 40000, "198.18.0.1", 80)
ack = frame(6, "198.18.0.100", 40000, "198.18.0.1", 80, 0x10, b"GET / HTTP/1.0\r\n\r\n")
udp = frame(17, "198.18.0.100", 5353, "198.18.0.1", 53, payload=b"query")
w("fuzz_frame", "syn", ff(0x00, vnet(), syn))
w("fuzz_frame", "syn-partial", ff(0x05, vnet(1, 0, 0, 0, 34, 16), syn))
w("fuzz_frame", "ack-data", ff(0x24, vnet(1, 0, 0, 0, 34, 16), ack))
w("fuzz_frame", "gso", ff(0x04, vnet(1, 1, 54, 1448, 34, 16), ack + b"x" * 3000))
w("fuzz_frame", "udp", ff(0x05, vnet(1, 0, 0, 0, 34, 6), udp))
w("fuzz_frame", "udp-nocsum", ff(0x01, vnet(), udp))
w("fuzz_frame", "portzero", ff(0x00, vnet(), frame(6, "198.18.0.100", 40001, "198.18.0.3", 443)))
w("fuzz_frame", "frag", ff(0x00, vnet(), frame(6, "198.18.0.100", 40000, "198.18.0.1", 80, frag=0x2000)))
w("fuzz_frame", "icmp", ff(0x00, vnet(), frame(1, "198.18.0.100", 0, "198.18.0.1", 0)))
w("fuzz_frame", "sloppy-ack", ff(0x08, vnet(), ack))
w("fuzz_frame", "arp", ff(0x00, vnet(), b"\xff" * 6 + CLI + b"\x08\x06" +
  struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, CLI, ip4("198.18.0.100"),
              b"\0" * 6, ip4("198.18.0.1"))))
w("fuzz_frame", "truncated", ff(0x10, vnet(), syn[:30]))

# IPv6: TCP SYN to [2001:db8::1]:80, a hop-by-hop header, UDP to :53, a fragment
def ip6(s):
    import ipaddress
    return ipaddress.IPv6Address(s).packed

def frame6(nh, payload, src="2001:db8::100", dst="2001:db8::1"):
    hdr = struct.pack("!IHBB16s16s", 6 << 28, len(payload), nh, 64, ip6(src), ip6(dst))
    return DIR + CLI + b"\x86\xdd" + hdr + payload

tcp6 = struct.pack("!HHIIBBHHH", 40000, 80, 1, 0, 5 << 4, 0x02, 64240, 0, 0)
w("fuzz_frame", "syn6", ff(0x00, vnet(), frame6(6, tcp6)))
w("fuzz_frame", "syn6-partial", ff(0x05, vnet(1, 0, 0, 0, 54, 16), frame6(6, tcp6)))
w("fuzz_frame", "hbh6", ff(0x00, vnet(), frame6(0, bytes([6, 0, 1, 4, 0, 0, 0, 0]) + tcp6)))
w("fuzz_frame", "udp6", ff(0x00, vnet(), frame6(17, struct.pack("!HHHH", 5353, 53, 13, 0) + b"query")))
w("fuzz_frame", "frag6", ff(0x00, vnet(), frame6(44, bytes([6, 0, 0, 1, 0, 0, 0, 1]) + tcp6)))

# sequences: what one input reaches from an empty table (0xe0: 7 s pass)
fin = frame(6, "198.18.0.100", 40000, "198.18.0.1", 80, 0x11)
tick = ff(0xe0, vnet(), b"")
w("fuzz_frame", "handshake", ff(0x00, vnet(), syn) + ff(0x20, vnet(), ack) +
  ff(0x20, vnet(), fin) + tick)
# more new flows than the table holds (16): half-open ones give way
w("fuzz_frame", "flood", b"".join(
  ff(0x00, vnet(), frame(6, "198.18.0.%d" % (100 + i), 40000 + i, "198.18.0.1", 80))
  for i in range(20)))
# a client's template at the port-0 service and its connections, expiring
w("fuzz_frame", "persist-expire", b"".join(
  ff(0x00, vnet(), frame(6, "198.18.0.100", 40000 + i, "198.18.0.3", 22 + i))
  for i in range(3)) + tick * 20)
# a UDP flow outlives its 300 s, then comes again
w("fuzz_frame", "udp-expire", ff(0x01, vnet(), udp) + tick * 45 + ff(0x01, vnet(), udp))

# fuzz_rules: lines of ipvsadm -S -n / -R text
w("fuzz_rules", "recipe", open("conf/recipe.conf", "rb").read())
w("fuzz_rules", "adjust",
  b"-A -t 198.18.0.1:80 -s wlc\n-a -t 198.18.0.1:80 -r 198.18.0.7 -g -w 2\n"
  b"-E -t 198.18.0.1:80 -s wrr\n-e -t 198.18.0.1:80 -r 198.18.0.7 -g -w 3\n"
  b"-d -t 198.18.0.1:80 -r 198.18.0.7\n-D -t 198.18.0.1:80\n-C\n")
w("fuzz_rules", "persistent",
  b"-A -u 198.18.0.1:0 -s sh -b sh-port,sh-fallback -p 600 -M 255.255.255.0\n"
  b"-a -u 198.18.0.1:0 -r 198.18.0.8 -g -w 5 -x 100 -y 50\n"
  b"--set 900 120 300\n-Z\n")
w("fuzz_rules", "ipvsadm-names", b"ipvsadm -A -t 198.18.0.1:http -s mh -b mh-port\n"
  b"ipvsadm -a -t 198.18.0.1:http -r 198.18.0.9:http -g -w 1\n")

# fuzz_ctl: messages, each byte 0 the op, 2 bytes the body's length, the
# body (a struct drlb_ctl_req as request; as reply, whatever it is)
def creq(vip="198.18.0.1", port=80, proto=6, sched=b"wlc", flags=0, timeout=0,
         netmask=None, rip=None, weight=1, uthr=0, lthr=0, tmo=(0, 0, 0)):
    v6 = ":" in vip
    b = bytearray(120)
    struct.pack_into("<HH16sH", b, 0, 10 if v6 else 2, proto,
                     ip6(vip) if v6 else ip4(vip), port)
    b[28:28 + len(sched)] = sched
    struct.pack_into("<II", b, 44, flags, timeout)
    if netmask is None:
        netmask = 128 if v6 else 0xffffffff
    struct.pack_into("<I", b, 52, netmask)
    if rip is not None:
        struct.pack_into("<HH16sIiII", b, 72, 10 if v6 else 2, port,
                         ip6(rip) if v6 else ip4(rip), 3, weight, uthr, lthr)
    struct.pack_into("<III", b, 108, *tmo)
    return bytes(b)

def cmsg(op, body):
    return bytes([op]) + struct.pack("!H", len(body)) + body

FLUSH, ADD_SVC, EDIT_SVC, DEL_SVC, ADD_DEST, EDIT_DEST, DEL_DEST, ZERO, SET_TIMEOUT = range(1, 10)
req = creq()
for op in (1, 2, 5, 8):
    w("fuzz_ctl", "op%d" % op, cmsg(op, req))
# sequences: what one input reaches from an empty table
w("fuzz_ctl", "lifecycle", b"".join([
    cmsg(ADD_SVC, creq()),
    cmsg(ADD_DEST, creq(rip="198.18.0.7")),
    cmsg(ADD_DEST, creq(rip="198.18.0.8", weight=2, uthr=100, lthr=50)),
    cmsg(EDIT_SVC, creq(sched=b"rr")),
    cmsg(EDIT_DEST, creq(rip="198.18.0.7", weight=0)),
    cmsg(ZERO, creq()),
    cmsg(DEL_DEST, creq(rip="198.18.0.8")),
    cmsg(DEL_SVC, creq()),
    cmsg(FLUSH, b"")]))
w("fuzz_ctl", "persistent", b"".join([
    cmsg(ADD_SVC, creq(port=0, sched=b"sh", flags=0x1 | 0x10, timeout=300,
                       netmask=0x00ffffff)),
    cmsg(ADD_DEST, creq(port=0, sched=b"sh", rip="198.18.0.7")),
    cmsg(ADD_DEST, creq(port=0, sched=b"sh", rip="198.18.0.8")),
    cmsg(EDIT_SVC, creq(port=0, sched=b"mh", flags=0x1 | 0x8, timeout=60))]))
w("fuzz_ctl", "ipv6-udp", b"".join([
    cmsg(ADD_SVC, creq(vip="2001:db8::1", port=53, proto=17, sched=b"lblc")),
    cmsg(ADD_DEST, creq(vip="2001:db8::1", port=53, proto=17, rip="2001:db8::7")),
    cmsg(EDIT_SVC, creq(vip="2001:db8::1", port=53, proto=17, sched=b"twos")),
    cmsg(SET_TIMEOUT, creq(tmo=(600, 60, 120)))]))

# fuzz_args: argv words separated by NUL
for i, cmd in enumerate([
        "-A -t 198.18.0.1:80 -s wlc", "-a -t 198.18.0.1:80 -r 198.18.0.7 -g -w 2",
        "-L -n --stats", "-L -n -c --exact", "-S -n", "-E -t 198.18.0.1:80 -s wrr -p",
        "--add-service --udp-service 198.18.0.1:53 --scheduler sh --sched-flags sh-port",
        "-e -t [2001:db8::1]:80 -r 2001:db8::7 -w 3", "--set 10 20 30", "-Z -t 198.18.0.1:80"]):
    w("fuzz_args", "cmd%02d" % i, cmd.replace(" ", "\0").encode())

# fuzz_sync: IPVS sync messages, version 1 (ip_vs_sync.c layout)
def sync_v4(proto, flags, state, cport, vport, dport, timeout, c, v, d):
    return struct.pack("!BBHIHHHHII4s4s4s", 0, proto, (0 << 12) | 36, flags, state,
                       cport, vport, dport, 0, timeout, ip4(c), ip4(v), ip4(d))

def sync_mesg(syncid, entries):
    body = b"".join(entries)
    return struct.pack("!BBHBBH", 0, syncid, 8 + len(body), len(entries), 1, 0) + body

est = sync_v4(6, 0x0083, 1, 40000, 80, 80, 900, "198.18.0.100", "198.18.0.1", "198.18.0.7")
tpl = sync_v4(6, 0x1083, 0, 0, 443, 443, 300, "198.18.0.100", "198.18.0.1", "198.18.0.8")
con = sync_v4(6, 0x0183, 3, 40001, 443, 443, 60, "198.18.0.100", "198.18.0.1", "198.18.0.8")
w("fuzz_sync", "established", sync_mesg(1, [est]))
w("fuzz_sync", "template-and-conn", sync_mesg(1, [tpl, con]))
w("fuzz_sync", "three", sync_mesg(7, [est, tpl, con]))

# fuzz_kaconf: keepalived.conf
w("fuzz_kaconf", "example", open("conf/keepalived-dr.conf", "rb").read())
w("fuzz_kaconf", "small", b"""virtual_server 198.18.0.1 80 {
    delay_loop 6
    lb_algo wlc
    lb_kind DR
    persistence_timeout 50
    protocol TCP
    sorry_server 198.18.0.9 80
    real_server 198.18.0.7 80 {
        weight 2
        inhibit_on_failure
        HTTP_GET {
            url { path / status_code 200 }
            connect_timeout 3
            retry 3
            delay_before_retry 1
        }
    }
    real_server 198.18.0.8 80 {
        weight 1
        TCP_CHECK { connect_port 80 connect_timeout 2 }
    }
}
""")

# fuzz_neigh: one Ethernet frame each, ARP or ND; the destination MAC
# steers the harness (0x02 of byte 0: we own the VIPs; 0x04: --mac-flap
# hold; byte 1: 100 ms steps; low 4 bits of byte 2: repeats)
BCAST = b"\xff" * 6
RS1 = bytes([2, 0, 0, 0, 0, 7])
RS2 = bytes([2, 0, 0, 0, 0, 8])
EVIL = bytes([2, 0, 0, 0, 0, 0x66])

def arp(op, sha, spa, tha, tpa, dst=BCAST):
    return dst + sha + b"\x08\x06" + struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op,
                                                  sha, ip4(spa), tha, ip4(tpa))

w("fuzz_neigh", "arp-who-has-vip", arp(1, CLI, "198.18.0.100", b"\0" * 6, "198.18.0.1"))
w("fuzz_neigh", "arp-reply-rs", arp(2, RS1, "198.18.0.7", DIR, "198.18.0.2", dst=DIR))
w("fuzz_neigh", "arp-request-rs", arp(1, RS2, "198.18.0.8", b"\0" * 6, "198.18.0.2"))
w("fuzz_neigh", "arp-garp-rs", arp(1, RS2, "198.18.0.8", b"\0" * 6, "198.18.0.8"))
w("fuzz_neigh", "arp-garp-vip", arp(1, EVIL, "198.18.0.1", b"\0" * 6, "198.18.0.1"))
w("fuzz_neigh", "arp-reply-vip", arp(2, EVIL, "198.18.0.1", CLI, "198.18.0.100", dst=CLI))
w("fuzz_neigh", "arp-probe", arp(1, CLI, "0.0.0.0", b"\0" * 6, "198.18.0.9"))
w("fuzz_neigh", "arp-trashed-rs", arp(2, RS1, "198.18.0.9", DIR, "198.18.0.2", dst=DIR))
w("fuzz_neigh", "arp-ours", arp(1, DIR, "198.18.0.1", b"\0" * 6, "198.18.0.1"))
w("fuzz_neigh", "arp-padded", arp(2, RS1, "198.18.0.7", DIR, "198.18.0.2", dst=DIR) + b"\0" * 18)
w("fuzz_neigh", "arp-truncated", arp(1, CLI, "198.18.0.100", b"\0" * 6, "198.18.0.1")[:30])
# another MAC claiming a VIP: each sign; flaps, holds and a pin
HOLD = bytes([6, 0, 0, 0, 0, 2])    # owned, --mac-flap hold, no time
w("fuzz_neigh", "arp-claim-request", arp(1, RS1, "198.18.0.1", b"\0" * 6, "198.18.0.100",
                                         dst=DIR))
w("fuzz_neigh", "arp-claim-check-reply", arp(2, RS2, "198.18.0.1", DIR, "198.18.0.2", dst=DIR))
w("fuzz_neigh", "arp-claim-garp-reply", arp(2, EVIL, "198.18.0.1", BCAST, "198.18.0.1", dst=DIR))
w("fuzz_neigh", "arp-claim-probe", arp(1, EVIL, "0.0.0.0", b"\0" * 6, "198.18.0.1", dst=DIR))
w("fuzz_neigh", "arp-rarp-vip", arp(3, EVIL, "198.18.0.1", b"\0" * 6, "198.18.0.100", dst=DIR))
w("fuzz_neigh", "arp-flap-rs", arp(2, EVIL, "198.18.0.7", DIR, "198.18.0.2", dst=DIR))
w("fuzz_neigh", "arp-flap-rs-hold", arp(2, EVIL, "198.18.0.7", DIR, "198.18.0.2", dst=HOLD))
w("fuzz_neigh", "arp-flap-back-hold", arp(2, RS1, "198.18.0.7", DIR, "198.18.0.2", dst=HOLD))
w("fuzz_neigh", "arp-pinned", arp(2, EVIL, "198.18.0.10", DIR, "198.18.0.2", dst=DIR))
# in this order (the replay's): resolved, moved, back, moved: held
w("fuzz_neigh", "arp-hold-1", arp(2, RS1, "198.18.0.7", DIR, "198.18.0.2", dst=HOLD))
w("fuzz_neigh", "arp-hold-2", arp(2, EVIL, "198.18.0.7", DIR, "198.18.0.2", dst=HOLD))
w("fuzz_neigh", "arp-hold-3", arp(2, RS1, "198.18.0.7", DIR, "198.18.0.2", dst=HOLD))
w("fuzz_neigh", "arp-hold-4", arp(2, EVIL, "198.18.0.7", DIR, "198.18.0.2", dst=HOLD))
BURST = bytes([2, 0, 0x0f, 0, 0, 2])    # owned, no time, 16 times
w("fuzz_neigh", "arp-pinned-burst", arp(2, EVIL, "198.18.0.10", DIR, "198.18.0.2", dst=BURST))

def csum6(src, dst, msg):
    data = src + dst + struct.pack("!IxxxB", len(msg), 58) + msg
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def nd(eth_dst, eth_src, src, dst, typ, target, opts=b"", flags=0, hop=255, plen=None):
    s, d = ip6(src), ip6(dst)
    msg = struct.pack("!BBHI16s", typ, 0, 0, flags, ip6(target)) + opts
    msg = msg[:2] + struct.pack("!H", csum6(s, d, msg)) + msg[4:]
    hdr = struct.pack("!IHBB16s16s", 6 << 28, len(msg) if plen is None else plen, 58, hop, s, d)
    return eth_dst + eth_src + b"\x86\xdd" + hdr + msg

def lla(typ, mac):
    return bytes([typ, 1]) + mac

SN1 = bytes([0x33, 0x33, 0xff, 0, 0, 1])
ALL = bytes([0x33, 0x33, 0, 0, 0, 1])
LL = "fe80::ff:fe00:2"
S, O = 0x40000000, 0x20000000
w("fuzz_neigh", "ns-vip", nd(SN1, CLI, "2001:db8::100", "ff02::1:ff00:1", 135, "2001:db8::1", lla(1, CLI)))
w("fuzz_neigh", "ns-vip-nud", nd(DIR, CLI, "2001:db8::100", "2001:db8::1", 135, "2001:db8::1"))
w("fuzz_neigh", "ns-dad", nd(SN1, CLI, "::", "ff02::1:ff00:1", 135, "2001:db8::1"))
w("fuzz_neigh", "ns-lladdr", nd(bytes([0x33, 0x33, 0xff, 0, 0, 2]), RS1, "2001:db8::7",
                                "ff02::1:ff00:2", 135, LL, lla(1, RS1)))
w("fuzz_neigh", "ns-rs", nd(bytes([0x33, 0x33, 0xff, 0, 0, 7]), RS2, "2001:db8::8",
                            "ff02::1:ff00:7", 135, "2001:db8::7", lla(1, RS2)))
w("fuzz_neigh", "na-rs", nd(DIR, RS1, "2001:db8::7", LL, 136, "2001:db8::7", lla(2, RS1), S | O))
w("fuzz_neigh", "na-rs-noopt", nd(DIR, RS1, "2001:db8::7", LL, 136, "2001:db8::7", flags=S))
w("fuzz_neigh", "na-trashed-rs", nd(DIR, RS1, "2001:db8::9", LL, 136, "2001:db8::9", lla(2, RS1), S))
w("fuzz_neigh", "na-nonce-tlla", nd(DIR, RS2, "2001:db8::8", LL, 136, "2001:db8::8",
                                    bytes([14, 1]) + b"\xaa" * 6 + lla(2, RS2), S))
w("fuzz_neigh", "na-vip", nd(ALL, EVIL, "2001:db8::1", "ff02::1", 136, "2001:db8::1", lla(2, EVIL), O))
w("fuzz_neigh", "na-opt-long", nd(DIR, RS1, "2001:db8::7", LL, 136, "2001:db8::7",
                                  bytes([2, 2]) + RS1, S))
w("fuzz_neigh", "na-opt-zero", nd(DIR, RS1, "2001:db8::7", LL, 136, "2001:db8::7",
                                  bytes([2, 0]) + RS1 + lla(2, RS1), S))
w("fuzz_neigh", "ns-hop64", nd(SN1, CLI, "2001:db8::100", "ff02::1:ff00:1", 135, "2001:db8::1",
                               lla(1, CLI), hop=64))
w("fuzz_neigh", "ns-plen-long", nd(SN1, CLI, "2001:db8::100", "ff02::1:ff00:1", 135,
                                   "2001:db8::1", lla(1, CLI), plen=64))
w("fuzz_neigh", "na-truncated", nd(DIR, RS1, "2001:db8::7", LL, 136, "2001:db8::7", lla(2, RS1), S)[:70])
w("fuzz_neigh", "ns-claim-from-vip", nd(bytes([0x33, 0x33, 0xff, 0, 1, 0]), RS2, "2001:db8::1",
                                        "ff02::1:ff00:100", 135, "2001:db8::100", lla(1, RS2)))
w("fuzz_neigh", "na-claim-check", nd(DIR, RS2, "2001:db8::1", LL, 136, "2001:db8::1",
                                     lla(2, RS2), S | O))
w("fuzz_neigh", "na-vip-our-mac", nd(ALL, EVIL, "2001:db8::1", "ff02::1", 136, "2001:db8::1",
                                     lla(2, DIR), O))
w("fuzz_neigh", "na-unsolicited-rs", nd(ALL, EVIL, "2001:db8::7", "ff02::1", 136, "2001:db8::7",
                                        lla(2, EVIL), O))
w("fuzz_neigh", "na-solicited-other", nd(CLI, EVIL, "2001:db8::7", "2001:db8::100", 136,
                                         "2001:db8::7", lla(2, EVIL), S | O))
w("fuzz_neigh", "na-flap-hold", nd(HOLD, EVIL, "2001:db8::7", LL, 136, "2001:db8::7",
                                   lla(2, EVIL), S))
w("fuzz_neigh", "na-pinned", nd(DIR, EVIL, "2001:db8::a", LL, 136, "2001:db8::a", lla(2, EVIL), S))
w("fuzz_neigh", "na-pinned-burst", nd(BURST, EVIL, "2001:db8::a", LL, 136, "2001:db8::a",
                                      lla(2, EVIL), S))

# fuzz_statefile: files statefile_save writes from populated tables (the
# target's source built as their writer, so seeds and target share the
# rules), and the crafted files of issue 15 as regression inputs
import subprocess
subprocess.run(["make", "-s", "build/tests/seed_statefile"], check=True)
for d in ("tests/fuzz/corpus/fuzz_statefile", "tests/fuzz/regress/fuzz_statefile"):
    os.makedirs(d, exist_ok=True)
subprocess.run(["build/tests/seed_statefile", "tests/fuzz/corpus/fuzz_statefile",
                "tests/fuzz/regress/fuzz_statefile"], check=True)

# fuzz_metrics: byte 0 bit 0 the render fails; then records: high nibble
# the client, low nibble 0 connect, 1 a second passes, 2 shutdown its
# writing side, 3 close, else write (a length byte, the bytes)
def mwrite(cl, data, chunk=255):
    out = b""
    for i in range(0, len(data), chunk):
        part = data[i:i + chunk]
        out += bytes([cl << 4 | 4, len(part)]) + part
    return out

def mop(cl, op):
    return bytes([cl << 4 | op])

PROM_REQ = (b"GET /metrics HTTP/1.1\r\nHost: 198.18.0.2:9478\r\n"
            b"User-Agent: Prometheus/2.45.0\r\nAccept: application/openmetrics-text;"
            b"version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
            b"text/plain;version=0.0.4;q=0.5,*/*;q=0.1\r\n"
            b"Accept-Encoding: gzip\r\nX-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n")
CURL_REQ = (b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9478\r\n"
            b"User-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n")
w("fuzz_metrics", "prometheus", b"\0" + mwrite(0, PROM_REQ))
w("fuzz_metrics", "curl", b"\0" + mwrite(0, CURL_REQ))
w("fuzz_metrics", "curl-head", b"\0" + mwrite(0, CURL_REQ.replace(b"GET", b"HEAD", 1)))
w("fuzz_metrics", "http10-lf", b"\0" + mwrite(0, b"GET /metrics HTTP/1.0\n\n"))
w("fuzz_metrics", "query", b"\0" + mwrite(0, b"GET /metrics?name[]=drlb_up HTTP/1.1\r\n\r\n"))
w("fuzz_metrics", "notfound", b"\0" + mwrite(0, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
w("fuzz_metrics", "post", b"\0" + mwrite(0, b"POST /metrics HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi"))
w("fuzz_metrics", "garbage", b"\0" + mwrite(0, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n"))
w("fuzz_metrics", "render-fails", b"\1" + mwrite(0, CURL_REQ))
# a byte at a time, and the head's end split
w("fuzz_metrics", "dribble", b"\0" + mwrite(0, CURL_REQ, chunk=1))
w("fuzz_metrics", "split-end", b"\0" + mwrite(0, CURL_REQ[:-3]) + mop(0, 1) + mwrite(0, CURL_REQ[-3:]))
# too big, with and without a NUL hiding the end
w("fuzz_metrics", "too-large", b"\0" + mwrite(0, b"GET /metrics HTTP/1.1\r\nX: " + b"a" * 4200))
w("fuzz_metrics", "nul", b"\0" + mwrite(0, b"GET /metrics\0 HTTP/1.1\r\n\r\n") + mop(0, 2))
# slowloris: 8 idle clients, time passing, then a scrape still answered
w("fuzz_metrics", "idle-then-scrape", b"\0" + b"".join(mop(i, 0) for i in range(8)) +
  b"".join(mop(i, 4) + b"\x05GET /" for i in range(8)) + mop(0, 1) * 3 +
  mop(8, 0) + mop(9, 0) + mwrite(9, CURL_REQ))
w("fuzz_metrics", "timeout", b"\0" + mwrite(0, b"GET /met") + mop(0, 1) * 6 + mwrite(0, b"rics HTTP/1.1\r\n\r\n"))
w("fuzz_metrics", "hangup", b"\0" + mwrite(0, b"GET /metrics HTTP/1.1\r\n") + mop(0, 2) +
  mwrite(1, CURL_REQ) + mop(1, 3) + mwrite(2, CURL_REQ))

# fuzz_http_reply: 5 bytes of the check (byte 0: bits 0-1 digest none,
# right, wrong; 4 regex, 8 no match, 0x10 caseless, 0x20-0x60 status_code;
# byte 1 which regex; 2, 3 its offsets; 4 the chunks' seed), the reply
def hrep(name, reply, cfg=0, rx=0, mn=0, mx=0, seed=7):
    w("fuzz_http_reply", name, bytes([cfg, rx, mn, mx, seed]) + reply)

NGINX_BODY = b"<html><head><title>ok</title></head><body>ok</body></html>\n"
NGINX = (b"HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Mon, 02 Sep 2024 "
         b"10:00:00 GMT\r\nContent-Type: text/html\r\nContent-Length: %d\r\n"
         b"Last-Modified: Mon, 02 Sep 2024 09:00:00 GMT\r\nConnection: close\r\n"
         b"ETag: \"66d57e50-3d\"\r\nAccept-Ranges: bytes\r\n\r\n" % len(NGINX_BODY)) + NGINX_BODY
hrep("nginx-200", NGINX)
hrep("nginx-200-digest", NGINX, cfg=1)
hrep("nginx-200-wrong-digest", NGINX, cfg=2)
hrep("nginx-200-regex", NGINX, cfg=4, rx=0, mn=10, mx=200)
hrep("nginx-200-regex-nomatch", NGINX, cfg=4 | 8 | 0x10, rx=3)
hrep("nginx-200-bytewise", NGINX, cfg=1, seed=0)
hrep("close-delimited", b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nstatus: up\n", cfg=1 | 4, rx=3)
hrep("chunked", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
     b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", cfg=1)
hrep("redirect", b"HTTP/1.1 301 Moved Permanently\r\nLocation: https://example.org/\r\n"
     b"Content-Length: 0\r\n\r\n", cfg=0x40)
hrep("not-found", b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found", cfg=0x60)
hrep("server-error", b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Length: 4\r\n\r\nbusy")
hrep("short-body", b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this")
hrep("long-body", b"HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nabcdef", cfg=1)
hrep("bad-status", b"HTTP/1.1 2x0 OK\r\n\r\n")
hrep("not-http", b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
hrep("no-head-end", b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n")
hrep("big-head", b"HTTP/1.1 200 OK\r\n" + b"X-Pad: " + b"a" * 8300 + b"\r\n\r\nok", seed=3)
hrep("big-body", b"HTTP/1.0 200 OK\r\n\r\n" + bytes(range(256)) * 40, cfg=1 | 4, rx=2, mx=255)

# fuzz_control: records, high 5 bits the client, low 3 bits 0 connect,
# 1 a second passes, 2 shutdown, 3 close, 4 read all, 5 read (a count
# byte), 6 a whole request (op, 2-byte length, body zero-padded), else raw
# 7 raw bytes (a count byte, the bytes)
(GET_INFO, GET_SERVICES, GET_TIMEOUT, GET_CONNS, GET_COUNTERS, GET_METRICS,
 TRACE, START_DAEMON, STOP_DAEMON, GET_DAEMON, SET_ARP, GET_COUNTERS_JSON,
 GET_ANNOUNCE, SET_DRAIN) = range(10, 24)

def kop(c, op):
    return bytes([c << 3 | op])

def kreq(c, op, body=b""):
    return bytes([c << 3 | 6, op]) + struct.pack("!H", len(body)) + body

def kframe(op, body=b""):
    return struct.pack("<IHHiI", 0x44524c42, 1, op, 0, 120) + body.ljust(120, b"\0")

def kraw(c, data, chunk=255):
    return b"".join(bytes([c << 3 | 7, len(data[i:i + chunk])]) + data[i:i + chunk]
                    for i in range(0, len(data), chunk))

RECIPE = [(ADD_SVC, creq()), (ADD_DEST, creq(rip="198.18.0.7")),
          (ADD_DEST, creq(rip="198.18.0.8", weight=2))]
def kseq(c, reqs):
    return b"".join(kreq(c, op, body) for op, body in reqs)

# drlbadm -L -n, after the recipe's -A and -a's
w("fuzz_control", "recipe-list", kop(0, 0) + kseq(0, RECIPE) + kop(0, 4) + b"\0" +
  kop(1, 0) + kseq(1, [(GET_INFO, b""), (GET_SERVICES, b"")]) + kop(1, 4) + b"\0")
w("fuzz_control", "lifecycle", kop(0, 0) + kseq(0, RECIPE + [
    (EDIT_SVC, creq(sched=b"rr")), (EDIT_DEST, creq(rip="198.18.0.7", weight=0)),
    (ZERO, creq()), (DEL_DEST, creq(rip="198.18.0.8")), (GET_SERVICES, b""),
    (DEL_SVC, creq()), (FLUSH, b"")]) + kop(0, 4) + b"\0")
w("fuzz_control", "persistent-ipv6", kop(0, 0) + kseq(0, [
    (ADD_SVC, creq(port=0, sched=b"sh", flags=0x1 | 0x10, timeout=300, netmask=0x00ffffff)),
    (ADD_DEST, creq(port=0, sched=b"sh", rip="198.18.0.7")),
    (ADD_SVC, creq(vip="2001:db8::1", port=53, proto=17, sched=b"lblc")),
    (ADD_DEST, creq(vip="2001:db8::1", port=53, proto=17, rip="2001:db8::7")),
    (SET_TIMEOUT, creq(tmo=(600, 60, 120))), (GET_TIMEOUT, b""),
    (GET_SERVICES, b"")]) + kop(0, 4) + b"\0")
# what reads: every listing and counter
w("fuzz_control", "reads", kop(0, 0) + kseq(0, RECIPE) + kseq(0, [(op, b"") for op in
  (GET_INFO, GET_SERVICES, GET_TIMEOUT, GET_CONNS, GET_COUNTERS, GET_METRICS,
   GET_DAEMON, GET_COUNTERS_JSON, GET_ANNOUNCE)]) + kop(0, 4) + b"\0")
w("fuzz_control", "arp-drain-stop", kop(0, 0) + kseq(0, [
    (SET_ARP, b"\0\0\0\0"), (SET_ARP, b"\1\0\0\0"), (SET_DRAIN, b"\1\0\0\0"),
    (STOP_DAEMON, b"\1\0\0\0"), (99, b"")]) + kop(0, 4) + b"\0")
# drlbadm --trace, a filtered one for a service there is not, the end
w("fuzz_control", "trace", kop(0, 0) + kseq(0, RECIPE) + kop(1, 0) +
  kreq(1, TRACE) + kop(1, 4) + b"\0" + kop(2, 0) + kreq(2, TRACE, creq(port=81)) +
  kop(2, 4) + b"\0" + kop(1, 3))
# framing: dribbled, pipelined, cut, refused
w("fuzz_control", "dribble", kop(0, 0) + kraw(0, kframe(GET_INFO), chunk=1) + kop(0, 4) + b"\0")
w("fuzz_control", "pipelined", kop(0, 0) + kraw(0, kframe(ADD_SVC, creq()) +
  kframe(GET_SERVICES) + kframe(GET_INFO)) + kop(0, 4) + b"\0")
w("fuzz_control", "bad-magic", kop(0, 0) + kraw(0, b"GET / HTTP/1.0\r\n\r\n") + kop(0, 4) + b"\0")
w("fuzz_control", "bad-length", kop(0, 0) + kraw(0, struct.pack("<IHHiI", 0x44524c42, 1, GET_INFO, 0, 4096)) + kop(0, 4) + b"\0")
w("fuzz_control", "half-then-shutdown", kop(0, 0) + kraw(0, kframe(GET_INFO)[:50]) + kop(0, 2) + kop(0, 4) + b"\0")
# slow peers: a request not whole in 5 s, a reply not taken, 17 idle
# clients then drlbadm still answered
w("fuzz_control", "slow-request", kop(0, 0) + kraw(0, kframe(GET_INFO)[:20]) + kop(0, 1) * 6 + kop(0, 4) + b"\0")
w("fuzz_control", "slow-reader", kop(0, 0) + kseq(0, RECIPE) + kreq(0, GET_METRICS) +
  kop(0, 4) + b"\x11" + kop(0, 1) * 11 + kop(0, 4) + b"\0")
w("fuzz_control", "idle-clients", b"".join(kop(i, 0) for i in range(17)) +
  kreq(0, GET_INFO) + kop(0, 4) + b"\0")
# traffic: flows to the recipe's service and a persistent one, listed,
# a real server removed and the service deleted under them, time passing
def kflow(c, n, svc):
    return kop(c, 5) + bytes([n << 3 | svc])
w("fuzz_control", "conns", kop(0, 0) + kseq(0, RECIPE + [
    (ADD_SVC, creq(port=0, sched=b"sh", flags=0x1, timeout=300)),
    (ADD_DEST, creq(port=0, sched=b"sh", rip="198.18.0.9"))]) + kop(0, 4) + b"\0" +
  b"".join(kflow(0, i, i % 2) for i in range(6)) + kop(0, 1) +
  kseq(0, [(GET_CONNS, b""), (GET_SERVICES, b""), (GET_INFO, b""),
           (DEL_DEST, creq(rip="198.18.0.7")), (GET_CONNS, b""),
           (DEL_SVC, creq()), (GET_COUNTERS, b"")]) + kop(0, 4) + b"\0" +
  kop(0, 1) * 3 + kflow(0, 7, 0) + kop(0, 1) * 3)
w("fuzz_control", "conns-udp6", kop(0, 0) + kseq(0, [
    (ADD_SVC, creq(vip="2001:db8::1", port=53, proto=17, sched=b"rr")),
    (ADD_DEST, creq(vip="2001:db8::1", port=53, proto=17, rip="2001:db8::7")),
    (ADD_DEST, creq(vip="2001:db8::1", port=53, proto=17, rip="2001:db8::8"))]) +
  b"".join(kflow(0, i, 0) for i in range(4)) +
  kseq(0, [(GET_CONNS, b""), (EDIT_DEST, creq(vip="2001:db8::1", port=53, proto=17,
                                              rip="2001:db8::8", weight=0)),
           (FLUSH, b""), (GET_CONNS, b"")]) + kop(0, 4) + b"\0")
