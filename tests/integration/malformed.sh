#!/bin/bash
# malformed: hping3 (fragments, odd protocols and flags, bad checksums, a SYN
# burst) and hand-crafted raw frames (truncated and inconsistent IPv4/TCP/UDP
# headers, VLAN, IPv6, broken ARP) sent from the client to the director's MAC.
# drlbd must survive, count what it drops (drlbadm --counters), and curl
# through it must still work.
#
# Every crafted frame carries only our addresses (198.18.0.100 -> .1,
# 2001:db8::100 -> ::1) and is unicast to the director on our bridge.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=malformed
t_require "$T: setup" hping3 socat
nl_init "$T"
t_setup "$T"
nl_rules wlc 1 1 || { t_fail "$T: drlbadm -A/-a"; t_done; }
nl_rules wrr 1 1 53 -u || t_fail "$T: drlbadm -A -u"

out=$(nl_curl_count 2)
t_is "$T: curl works before" "$(nl_count_of "$out" FAIL)" 0

DM=$(nl_mac dir | tr -d :)
CM=$(nl_mac client | tr -d :)
C=c6120064	# 198.18.0.100
V=c6120001	# 198.18.0.1

# IPv4 header checksum of a hex header
csum() {
	local h=$1 s=0 i
	for ((i = 0; i < ${#h}; i += 4)); do s=$((s + 16#${h:i:4})); done
	while ((s >> 16)); do s=$(((s & 0xffff) + (s >> 16))); done
	printf '%04x' $((~s & 0xffff))
}
# ip4 VIHL TOTLEN FRAG PROTO [OPTIONS]: IPv4 header C -> V with a good checksum
ip4() {
	local h="$1"00"$2"1234"$3"40"$4"0000$C$V${5:-}
	echo "${h:0:20}$(csum "$h")${h:24}"
}
tcp_syn() { echo 04d20050000000010000000050022000e0000000; } # 1234 -> 80, SYN, doff 5
eth() { echo "$DM$CM$1"; }

frames=()
add() { frames+=("$1:$2"); }
add trunc_tcp "$(eth 0800)$(ip4 45 0028 0000 06)04d2005000000001"
add ihl_15 "$(eth 0800)$(ip4 4f 003c 0000 06)04d20050"
add ihl_3 "$(eth 0800)$(ip4 43 0028 0000 06)$(tcp_syn)"
add totlen_big "$(eth 0800)$(ip4 45 03e8 0000 06)$(tcp_syn)"
add totlen_small "$(eth 0800)$(ip4 45 000a 0000 06)$(tcp_syn)"
add version_6 "$(eth 0800)$(ip4 65 0028 0000 06)$(tcp_syn)"
add eth_only "$(eth 0800)"
add ip_half "$(eth 0800)45000028"
add ip_bad_csum "$(eth 0800)450000281234000040060bad${C}${V}$(tcp_syn)"
add tcp_doff_15 "$(eth 0800)$(ip4 45 0028 0000 06)04d200500000000100000000f0022000e0000000"
add frag_middle "$(eth 0800)$(ip4 45 0028 0064 06)$(tcp_syn)"
add frag_first "$(eth 0800)$(ip4 45 001c 2000 06)04d2005000000001"
add vlan "$DM${CM}81000064$(echo 0800)$(ip4 45 0028 0000 06)$(tcp_syn)"
add ipv6 "$(eth 86dd)6000000003e806402001""0db8000000000000000000000100""2001""0db8000000000000000000000001""04d2005000000001"
add arp_trunc "$(eth 0806)00010800"
add arp_hlen_7 "${DM}${CM}08060001080007040001${CM}00${C}000000000000${V}"
add udp_len_big "$(eth 0800)$(ip4 45 0024 0000 11)04d20035ffff000068656c6c6f0a0000"
add udp_len_small "$(eth 0800)$(ip4 45 0024 0000 11)04d200350004000068656c6c6f0a0000"
add ip_options "$(eth 0800)$(ip4 46 002c 0000 06 01010100)$(tcp_syn)"
add tcp_no_flags "$(eth 0800)$(ip4 45 0028 0000 06)04d20050000000010000000050002000e0000000"
add proto_253 "$(eth 0800)$(ip4 45 0020 0000 fd)0123456789abcdef0123456789abcdef"

send_hex() { # HEX
	local f=$NL_TMP/frame
	printf "$(echo "$1" | sed 's/../\\x&/g')" >"$f"
	nl_exec client timeout 3 socat -u OPEN:"$f" INTERFACE:eth0 2>/dev/null
}

sent=0
for fr in "${frames[@]}"; do
	name=${fr%%:*}
	for i in 1 2 3; do send_hex "${fr#*:}" && sent=$((sent + 1)); done
	if ! nl_drlbd_alive; then
		t_fail "$T: drlbd survives crafted frame $name"
		t_done
	fi
done
# random bytes after well-formed addresses: random protocol, flags, lengths
for ((i = 0; i < 40; i++)); do
	r=$(od -An -N40 -tx1 /dev/urandom | tr -d ' \n')
	send_hex "$(eth 0800)45${r:0:2}${r:2:4}${r:6:8}40${r:14:2}${r:16:4}$C$V${r:20:60}" && sent=$((sent + 1))
done
echo "sent $sent crafted frames" >&2
t_check "$T: crafted frames sent ($sent)" [ "$sent" -ge 60 ]
t_check "$T: drlbd survives crafted frames" nl_drlbd_alive

h() { # hping3 ARGS... (bounded; output to stderr)
	echo "hping3 $*" >&2
	nl_exec client timeout 10 hping3 -q -c 5 -i u20000 "$@" "$NL_VIP" >&2 2>&1
}
h -S -p 80 -f -d 300                  # SYN in 16-byte fragments
h -S -p 80 -m 24 -d 200               # fragments with a bigger mtu
h -S -p 80 -g 64 -x                   # a middle fragment alone
h -0 -H 253 -d 40                     # raw IP, protocol 253
h -0 -H 47 -d 40                      # raw IP, GRE
h -1                                  # ICMP echo to the VIP
h -1 -C 3 -K 3 --icmp-ipsrc "$NL_VIP" --icmp-ipdst "$NL_CIP" --icmp-srcport 80  # ICMP unreachable quoting VIP:80 -> client
h -S -p 80 -b                         # bad TCP checksum
h -p 80 -F -S -R -P -A -U -X -Y       # every TCP flag
h -A -p 80                            # ACK for no connection
h -R -p 80                            # RST for no connection
h -2 -p 9                             # UDP to a port without a service
h -2 -p 53 -d 1400                    # UDP to the service, large
h -S -p 81                            # TCP to a port without a service
# a SYN burst: 300 new connections (the real servers answer, the client resets)
echo "hping3 SYN burst" >&2
nl_exec client timeout 15 hping3 -q -c 300 -i u2000 -S -p 80 -s 20000 "$NL_VIP" >&2 2>&1
t_check "$T: drlbd survives hping3" nl_drlbd_alive

out=$(nl_curl_count 6)
echo "after: $(echo $out)" >&2
t_is "$T: curl works after (6 of 6 answered)" "$(nl_count_of "$out" FAIL)" 0
t_check "$T: drlbadm -L -n still answers" eval 'nl_adm -L -n >&2'

# counters: drlbadm --counters prints "name value" lines
nl_counters || t_fail "$T: drlbadm --counters exits 0"
grep -q -E '^malformed +[0-9]+' "$NL_TMP/counters" ||
	t_fail "$T: drlbadm --counters lists malformed"
cnt() { nl_counter "$1"; }
for c in malformed truncated fragment vlan non_ip other_proto no_conn no_service arp_malformed; do
	echo "counter $c = $(cnt $c)" >&2
done
m=$(($(cnt malformed) + $(cnt truncated)))
t_check "$T: malformed/truncated frames counted ($m)" [ "$m" -gt 0 ]
t_check "$T: fragments counted ($(cnt fragment))" [ "$(cnt fragment)" -gt 0 ]
t_check "$T: VLAN frames counted ($(cnt vlan))" [ "$(cnt vlan)" -gt 0 ]
# IPv6 and IPv4 not addressed to a VIP never reach drlbd: its capture filter
# ("arp or (ip and dst host VIP...)") drops them in the kernel, uncounted
t_check "$T: other protocols counted ($(cnt other_proto))" [ "$(cnt other_proto)" -gt 0 ]
t_check "$T: TCP without connection counted ($(cnt no_conn))" [ "$(cnt no_conn)" -gt 0 ]
t_check "$T: no-service ports counted ($(cnt no_service))" [ "$(cnt no_service)" -gt 0 ]
t_check "$T: broken ARP counted ($(cnt arp_malformed))" [ "$(cnt arp_malformed)" -gt 0 ]
t_check "$T: drlbd still running" nl_drlbd_alive
t_done
