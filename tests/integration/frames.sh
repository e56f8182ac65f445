#!/bin/bash
# frames: malformed and unusual frames, one case at a time, each with the
# outcome README's "What happens to which frame" (and datapath.c) give it.
#
# scapy (python3-scapy) builds every case into its own pcap; tcpreplay sends
# it from the client (or from a "router" host) to the director's MAC.  Each
# pcap ends with a good SYN ("barrier", from 198.18.0.202, a new port per
# case): it is forwarded after the case's frames, so when conns_new has moved
# the case has been counted.  Per case:
#   - the drlbadm --counters deltas: the case's counter moved by exactly the
#     expected amount, no other drop counter moved, forwarded moved only by
#     the barrier (and the case's frame where the policy forwards it);
#   - tcpdump on both real servers (frames with the director's source MAC):
#     the case's frames (IP id 0x41NN) arrived only where forwarded, forwarded
#     frames arrived byte for byte (IP header and options untouched), the
#     barrier (IP id 0x50NN) arrived;
#   - a curl through the director still works.
#
# Addresses: 198.18.0.0/24 only, inside this run's namespaces, on a bridge
# without uplink.  Crafted TCP comes from 198.18.0.201/.202, which nobody
# holds: the real servers' SYN-ACKs to them go unanswered (no RST comes back
# through the director to disturb the counts).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=frames
t_require "$T: setup" tcpdump tcpreplay scapy
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3	# Debian's, where python3-scapy is
nl_init "$T"
t_setup "$T"
nl_rules wlc 2 2 || { t_fail "$T: drlbadm -A/-a (recipe rules)"; t_done; }
ROUTER=198.18.0.254
nl_host router "$ROUTER/24" || { t_fail "$T: router host"; t_done; }

out=$(nl_curl_count 2)
t_is "$T: curl works before" "$(nl_count_of "$out" FAIL)" 0

DM=$(nl_mac dir) CM=$(nl_mac client) RM=$(nl_mac router)
LIVE_PORT=40123	# the client port of the live flow the ICMP cases quote

# ---------------------------------------------------------------- the cases
# One pcap per case in $NL_TMP/frames/NN.pcap, and a manifest line
#   NN <tab> name <tab> sender <tab> counter <tab> delta <tab> forwarded <tab> what
# counter "-": no counter moves (the capture filter drops it in the kernel);
# forwarded: how many of the case's frames the policy forwards.
mkdir -p "$NL_TMP/frames"
if ! "$PY" - "$NL_TMP/frames" "$DM" "$CM" "$RM" "$NL_VIP" "$NL_CIP" "$ROUTER" \
	"$LIVE_PORT" >"$NL_TMP/frames/manifest" 2>"$NL_TMP/frames/scapy.err" <<'EOF'
import sys
from scapy.all import (Ether, Dot1Q, IP, TCP, ICMP, Raw, IPOption_NOP,
                       IPOption_EOL, IPOption_RR, wrpcap, raw, conf)
conf.verb = 0
out, DM, CM, RM, VIP, CIP, ROUTER, LIVE = sys.argv[1:9]
LIVE = int(LIVE)
S = "198.18.0.201"      # crafted client: nobody holds it
B = "198.18.0.202"      # the barrier's client

cases = []
def case(name, frames, counter, delta, fwd, what, sender="client"):
    cases.append((name, frames, counter, delta, fwd, what, sender))

n = [0]
def ip(**kw):
    # IP id 0x41NN marks case NN's frames in the real servers' captures
    return IP(src=kw.pop("src", S), dst=kw.pop("dst", VIP), id=0x4100 + len(cases), **kw)
def syn(**kw):
    return TCP(sport=41000 + len(cases), dport=80, flags="S", seq=1000, window=8192, **kw)
E = Ether(dst=DM, src=CM)
good = lambda: raw(E / ip() / syn())

# truncated: the Ethernet header alone; the IPv4 header cut before its
# destination address; IHL 6 whose options are cut off; the TCP header cut
case("eth_only", [raw(Ether(dst=DM, src=CM, type=0x0800))], "-", 0, 0,
     "Ethernet header only (ethertype IPv4, no bytes after it): never reaches drlbd, nothing counted")
case("ip_cut_before_dst", [good()[:14 + 16]], "-", 0, 0,
     "IPv4 header cut before the destination address: never reaches drlbd, nothing counted")
case("ip_cut_in_options", [raw(E / ip(options=[IPOption_NOP()] * 3 + [IPOption_EOL()]) / syn())[:14 + 20]],
     "malformed", 1, 0, "IPv4 header with IHL 6 cut after 20 bytes: malformed")
p = E / ip(len=30) / syn()
case("tcp_cut", [raw(p)[:14 + 30]], "malformed", 1, 0,
     "TCP header cut (total length 30, 10 bytes of TCP): malformed")
case("ihl_4", [raw(E / ip(ihl=4) / syn())], "malformed", 1, 0, "IHL 4 (< 5): malformed")
case("ihl_0", [raw(E / ip(ihl=0) / syn())], "malformed", 1, 0, "IHL 0: malformed")
case("totlen_beyond_frame", [raw(E / ip(len=1000) / syn())], "malformed", 1, 0,
     "total length 1000 in a 54-byte frame: malformed")
case("totlen_below_ihl", [raw(E / ip(len=16) / syn())], "malformed", 1, 0,
     "total length 16 (< IHL*4): malformed")
case("version_6_in_ipv4", [raw(E / ip(version=6) / syn())], "malformed", 1, 0,
     "version 6 under ethertype IPv4: malformed")
# IP options with a valid IHL: the data path skips them to TCP and forwards
# the packet untouched
case("ip_options_ihl6", [raw(E / ip(options=[IPOption_NOP()] * 3 + [IPOption_EOL()]) / syn())],
     "-", 0, 1, "IP options, IHL 6 (NOP NOP NOP EOL): forwarded untouched")
case("ip_options_ihl15", [raw(E / ip(options=[IPOption_RR(length=39, pointer=4,
     routers=["0.0.0.0"] * 9), IPOption_EOL()]) / syn())],
     "-", 0, 1, "IP options, IHL 15 (record route, 40 bytes): forwarded untouched")
# fragments: no reassembly in the director
case("frag_first", [raw(E / ip(flags="MF", frag=0) / syn() / Raw(b"x" * 16))], "fragment", 1, 0,
     "first fragment (MF, offset 0, with the TCP header): fragment")
case("frag_nonfirst", [raw(E / ip(flags=0, frag=5, proto=6) / Raw(b"y" * 24))], "fragment", 1, 0,
     "last fragment (offset 40, no ports): fragment")
case("frag_middle", [raw(E / ip(flags="MF", frag=5, proto=6) / Raw(b"z" * 24))], "fragment", 1, 0,
     "middle fragment (MF, offset 40): fragment")
# TCP data offset out of range
case("tcp_doff_4", [raw(E / ip() / syn(dataofs=4))], "malformed", 1, 0,
     "TCP data offset 4 (< 5): malformed")
case("tcp_doff_15", [raw(E / ip() / syn(dataofs=15))], "malformed", 1, 0,
     "TCP data offset 15 past a 20-byte segment: malformed")
# 802.1Q
case("vlan", [raw(Ether(dst=DM, src=CM) / Dot1Q(vlan=100) / ip() / syn())], "vlan", 1, 0,
     "802.1Q-tagged SYN to the director's MAC: vlan")
# not our MAC
case("broadcast", [raw(Ether(dst="ff:ff:ff:ff:ff:ff", src=CM) / ip() / syn())],
     "not_for_us", 1, 0, "SYN to the VIP with a broadcast destination MAC: not_for_us")
case("multicast", [raw(Ether(dst="01:00:5e:00:00:01", src=CM) / ip() / syn())],
     "not_for_us", 1, 0, "SYN to the VIP with a multicast destination MAC (01:00:5e:00:00:01): not_for_us")
case("multicast_33", [raw(Ether(dst="33:33:00:00:00:01", src=CM) / ip() / syn())],
     "not_for_us", 1, 0, "SYN to the VIP with an IPv6 multicast MAC (33:33:00:00:00:01): not_for_us")

# ICMP from a router (198.18.0.254) to the VIP, quoting a reply of the live
# flow (VIP:80 -> client:LIVE, curl running in the client)
ER = Ether(dst=DM, src=RM)
def quote(dport, src=VIP):
    inner = IP(src=src, dst=CIP, id=0x1234, flags="DF", len=1500) / \
        TCP(sport=80, dport=dport, flags="PA", seq=123456, ack=1)
    return raw(inner)[:28]
case("icmp_needfrag_live", [raw(ER / ip(src=ROUTER) / ICMP(type=3, code=4, nexthopmtu=1400) / Raw(quote(LIVE)))],
     "icmp_forwarded", 1, 1,
     "ICMP fragmentation needed quoting the live flow VIP:80 -> client: icmp_forwarded, to that flow's real server",
     "router")
case("icmp_needfrag_noflow", [raw(ER / ip(src=ROUTER) / ICMP(type=3, code=4, nexthopmtu=1400) / Raw(quote(LIVE + 1)))],
     "other_proto", 1, 0, "ICMP fragmentation needed quoting no known flow: other_proto", "router")
case("icmp_port_unreach_live", [raw(ER / ip(src=ROUTER) / ICMP(type=3, code=3) / Raw(quote(LIVE)))],
     "other_proto", 1, 0, "ICMP port unreachable quoting the live flow (not fragmentation needed): other_proto",
     "router")
case("icmp_needfrag_wrong_vip", [raw(ER / ip(src=ROUTER) / ICMP(type=3, code=4, nexthopmtu=1400) /
     Raw(quote(LIVE, src="198.18.0.9")))],
     "other_proto", 1, 0, "ICMP fragmentation needed whose quoted source is not the VIP it is sent to: other_proto",
     "router")
case("icmp_echo", [raw(ER / ip(src=ROUTER) / ICMP(type=8) / Raw(b"ping"))],
     "other_proto", 1, 0, "ICMP echo request to the VIP: other_proto", "router")

for i, (name, frames, counter, delta, fwd, what, sender) in enumerate(cases):
    src = RM if sender == "router" else CM
    barrier = raw(Ether(dst=DM, src=src) / IP(src=B, dst=VIP, id=0x5000 + i) /
                  TCP(sport=50000 + i, dport=80, flags="S", seq=1, window=8192))
    wrpcap("%s/%02d.pcap" % (out, i), [Ether(f) for f in frames] + [Ether(barrier)])
    # the IP packet as sent, for the untouched check of forwarded frames
    with open("%s/%02d.iphex" % (out, i), "w") as fh:
        for f in frames:
            fh.write(f[14:].hex() + "\n")
    print("%02d\t%s\t%s\t%s\t%d\t%d\t%s" % (i, name, sender, counter, delta, fwd, what))
EOF
then
	cat "$NL_TMP/frames/scapy.err" >&2
	t_fail "$T: scapy builds the frames"
	t_done
fi
echo "$(wc -l <"$NL_TMP/frames/manifest") cases built" >&2

# real servers: every frame the director sends them
for rs in rs1 rs2; do
	nl_capture "$rs" "$NL_TMP/$rs.pcap" ether src "$DM" and ip || t_fail "$T: tcpdump on $rs starts"
	eval "CAP_$rs=\$NL_LASTPID"
done

# ---------------------------------------------------------------- helpers
WATCH="forwarded conns_new icmp_forwarded malformed truncated fragment other_proto vlan not_for_us
	non_ip not_vip no_service no_conn no_dest table_full dest_no_mac oversize ext_hdr_dropped"
snap() { nl_adm --counters >"$1" 2>/dev/null; }
val() { awk -v n="$2" '$1 == n { v = $2 } END { print v + 0 }' "$1"; }
# deltas B-A of the watched counters, the non-zero ones, "name=N ..."
deltas() { # A B [EXCLUDE]
	local c s='' d
	for c in $WATCH; do
		[ "$c" = "${3:-}" ] && continue
		d=$(($(val "$2" "$c") - $(val "$1" "$c")))
		[ "$d" = 0 ] || s="$s$c=$d "
	done
	echo "${s% }"
}
# the same string for what a case expects: the case's counter, forwarded by
# the barrier and the case's forwarded frames, conns_new by the barrier and
# the case's forwarded SYNs (a forwarded ICMP error makes no connection)
want_of() { # COUNTER DELTA FWD [EXCLUDE]
	local c s='' d newc=$3
	[ "$1" = icmp_forwarded ] && newc=0
	for c in $WATCH; do
		[ "$c" = "${4:-}" ] && continue
		case $c in
		"$1") d=$2 ;;
		forwarded) d=$((1 + $3)) ;;
		conns_new) d=$((1 + newc)) ;;
		*) d=0 ;;
		esac
		[ "$d" = 0 ] || s="$s$c=$d "
	done
	echo "${s% }"
}
# until counter C has reached at least V (bounded: 3 s)
wait_counter() { # C V
	local i
	for ((i = 0; i < 30; i++)); do
		snap "$NL_TMP/w"
		[ "$(val "$NL_TMP/w" "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
# until forwarded stops moving (the last curl's closing segments; bounded: 3 s)
settle() {
	local a b i
	snap "$NL_TMP/w"; a=$(val "$NL_TMP/w" forwarded)
	for ((i = 0; i < 10; i++)); do
		sleep 0.3
		snap "$NL_TMP/w"; b=$(val "$NL_TMP/w" forwarded)
		[ "$a" = "$b" ] && return 0
		a=$b
	done
	return 1
}

LIVE=
start_live_flow() {
	# a slow download from rs1 or rs2 that stays open while the ICMP cases run
	nl_bg client "$NL_TMP/live.log" curl -s --max-time 20 --limit-rate 50k \
		--local-port "$LIVE_PORT" -o /dev/null "http://$NL_VIP/big"
	LIVE=$NL_LASTPID
	nl_wait 5 eval "nl_adm -L -c -n | grep -q 'ESTABLISHED .*$NL_CIP:$LIVE_PORT'"
	LIVE_RS=$(nl_adm -L -c -n | awk -v c="$NL_CIP:$LIVE_PORT" '$4 == c { print $6 }')
	LIVE_RS=${LIVE_RS%:*}
	echo "live flow $NL_CIP:$LIVE_PORT -> $NL_VIP:80 is served by ${LIVE_RS:-?}" >&2
	[ -n "$LIVE_RS" ]
}

# ---------------------------------------------------------------- run them
declare -a NAMES FWD
while IFS=$'\t' read -r idx name sender counter delta fwd what; do
	NAMES[10#$idx]=$name FWD[10#$idx]=$fwd
	excl=
	if [ "$sender" = router ] && [ -z "$LIVE" ]; then
		start_live_flow || t_fail "$T: a live flow for the ICMP cases"
	fi
	# the live download's ACKs move forwarded all along: not counted there
	[ -n "$LIVE" ] && excl=forwarded
	settle
	snap "$NL_TMP/a"
	nl_exec "$sender" tcpreplay -q -t -i eth0 "$NL_TMP/frames/$idx.pcap" >/dev/null 2>&1 ||
		t_fail "$T: $name: tcpreplay sends it"
	# the barrier is a new connection after the case's frames
	newc=$fwd
	[ "$counter" = icmp_forwarded ] && newc=0
	wait_counter conns_new $(($(val "$NL_TMP/a" conns_new) + 1 + newc))
	[ "$counter" = - ] || wait_counter "$counter" $(($(val "$NL_TMP/a" "$counter") + delta))
	sleep 0.2
	snap "$NL_TMP/b"
	t_is "$T: $what" "$(deltas "$NL_TMP/a" "$NL_TMP/b" "$excl")" "$(want_of "$counter" "$delta" "$fwd" "$excl")"
	out=$(nl_curl_count 1)
	t_is "$T: $name: a curl through the director still works" "$(nl_count_of "$out" FAIL)" 0
	if ! nl_drlbd_alive; then
		t_fail "$T: drlbd survives $name"
		t_done
	fi
done <"$NL_TMP/frames/manifest"
[ -n "$LIVE" ] && nl_stop_pid "$LIVE" >/dev/null

# ---------------------------------------------------------------- what the real servers got
for rs in rs1 rs2; do eval "nl_capture_stop \$CAP_$rs"; done
# IP packet hex of the frames matching FILTER in a pcap, one per line
iphex() { # FILE FILTER...
	local f=$1
	shift
	tcpdump -nn -x -r "$f" "$@" 2>/dev/null | awk '
		/^[^ \t]/ { if (h != "") print h; h = ""; next }
		{ for (i = 2; i <= NF; i++) h = h $i }
		END { if (h != "") print h }'
}
for ((i = 0; i < ${#NAMES[@]}; i++)); do
	name=${NAMES[i]} fwd=${FWD[i]}
	id=$(printf '0x%04x' $((0x4100 + i)))
	bid=$(printf '0x%04x' $((0x5000 + i)))
	n1=$(nl_pcap_count "$NL_TMP/rs1.pcap" "ip[4:2] = $id")
	n2=$(nl_pcap_count "$NL_TMP/rs2.pcap" "ip[4:2] = $id")
	t_is "$T: $name: frames the real servers got from the director (tcpdump)" $((n1 + n2)) "$fwd"
	b1=$(nl_pcap_count "$NL_TMP/rs1.pcap" "ip[4:2] = $bid")
	b2=$(nl_pcap_count "$NL_TMP/rs2.pcap" "ip[4:2] = $bid")
	t_is "$T: $name: the good SYN after it reached a real server (tcpdump)" $((b1 + b2)) 1
	[ "$fwd" -gt 0 ] || continue
	# forwarded: the IP packet untouched, byte for byte
	got=$( (iphex "$NL_TMP/rs1.pcap" "ip[4:2] = $id"; iphex "$NL_TMP/rs2.pcap" "ip[4:2] = $id") | sort)
	t_is "$T: $name: forwarded with its IP packet untouched" "$got" "$(sort "$NL_TMP/frames/$(printf %02d "$i").iphex")"
	if [ "$name" = icmp_needfrag_live ]; then
		case $LIVE_RS in
		"$NL_RIP1") t_is "$T: $name: went to the flow's real server rs1 (rs1/rs2 got $n1/$n2)" "$n1/$n2" 1/0 ;;
		"$NL_RIP2") t_is "$T: $name: went to the flow's real server rs2 (rs1/rs2 got $n1/$n2)" "$n1/$n2" 0/1 ;;
		*) t_fail "$T: $name: the live flow's real server is known" ;;
		esac
	fi
done
# nothing short or cut went out: every frame the director sent carries a
# whole IPv4 header (the capture filter keeps only "ip")
t_is "$T: no frame shorter than 34 bytes left the director" \
	$(($(nl_pcap_count "$NL_TMP/rs1.pcap" less 33) + $(nl_pcap_count "$NL_TMP/rs2.pcap" less 33))) 0

nl_counters
for c in $WATCH truncated rx_kernel_drops; do echo "counter $c = $(nl_counter "$c")" >&2; done
t_is "$T: truncated (captured shorter than on the wire) never moved" "$(nl_counter truncated)" 0
t_check "$T: drlbd still running" nl_drlbd_alive
t_done
