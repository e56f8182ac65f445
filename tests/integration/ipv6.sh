#!/bin/bash
# ipv6: direct routing over IPv6, beside IPv4 on the same director (dual
# stack).  curl -6 to [VIP]:80 spreads over two real servers set up with
# tools/drlb-realserver (VIP/128 on lo); only the director answers Neighbor
# Solicitations for the VIP; an unsolicited Neighbor Advertisement announces
# it; replies bypass the director; UDP over IPv6 too.  The director's kernel
# keeps IPv6 disabled: drlbd owns the VIP at L2 alone.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=ipv6
t_require "$T: setup" ndisc6 socat tcpdump
nl_init "$T"
t_setup "$T"

VIP6=2001:db8::1
RIP6_1=2001:db8::7
RIP6_2=2001:db8::8
CIP6=2001:db8::100
DIRMAC=$(nl_mac dir)
rs1mac=$(nl_mac rs1) rs2mac=$(nl_mac rs2)

nl_ipv6_on client "$CIP6/64" || t_fail "$T: IPv6 on the client"
for r in rs1:$RIP6_1 rs2:$RIP6_2; do
	nl_ipv6_on "${r%%:*}" "${r#*:}/64" || t_fail "$T: IPv6 on ${r%%:*}"
	nl_exec "${r%%:*}" "$NL_REALSERVER" apply "$VIP6" --dev eth0 \
		--state-dir "$NL_TMP/rs-state" >/dev/null || t_fail "$T: drlb-realserver apply $VIP6 on ${r%%:*}"
	nl_http6 "${r%%:*}" "${r%%:*}" || t_fail "$T: HTTP over IPv6 on ${r%%:*}"
	nl_udp6_echo "${r%%:*}" 53 "$VIP6"
done
t_is "$T: real server holds the VIP on lo as /128" \
	"$(nl_exec rs1 ip -o -6 addr show dev lo | grep -c " $VIP6/128 ")" 1

# the announcement: watch the segment from the client before the VIP exists
nl_capture client "$NL_TMP/client.pcap" icmp6 || t_fail "$T: tcpdump on the client"
CCAP=$NL_LASTPID
nl_capture dir "$NL_TMP/dir.pcap" ip6 || t_fail "$T: tcpdump on the director"
DCAP=$NL_LASTPID

nl_adm -A -t "[$VIP6]:80" -s rr &&
	nl_adm -a -t "[$VIP6]:80" -r "[$RIP6_1]:80" -g -w 1 &&
	nl_adm -a -t "[$VIP6]:80" -r "[$RIP6_2]:80" -g -w 1 &&
	nl_adm -A -u "[$VIP6]:53" -s rr &&
	nl_adm -a -u "[$VIP6]:53" -r "[$RIP6_1]:53" -g -w 1 &&
	nl_adm -a -u "[$VIP6]:53" -r "[$RIP6_2]:53" -g -w 1 ||
	t_fail "$T: drlbadm -A/-a with IPv6 addresses"
nl_rules wlc 1 1 || t_fail "$T: IPv4 rules beside (dual stack)"
nl_adm -L -n >&2

# real-server MACs learnt by neighbor discovery
ok=0
for _ in $(seq 30); do
	nl_counters
	[ "$(nl_counter ndp_adverts_learnt)" -ge 2 ] && { ok=1; break; }
	sleep 0.1
done
t_is "$T: both real servers' MACs learnt by neighbor discovery" "$ok" 1

# NS for the VIP: answered by the director only
ans=$(nl_exec client timeout 5 ndisc6 -m -n -r 3 -w 1000 "$VIP6" eth0 2>&1)
echo "ndisc6: $(echo "$ans" | tr '\n' ' ')" >&2
got=$(echo "$ans" | awk '/[Tt]arget link-layer address/ { print tolower($NF) }' | sort -u | tr '\n' ' ')
t_is "$T: ndisc6: the VIP is at the director's MAC, nobody else's" "$got" "$DIRMAC "

out=$(for _ in $(seq 20); do
	nl_exec client curl -6 -s --max-time 3 "http://[$VIP6]/" || echo FAIL
done | sort | uniq -c | awk '{ print $2, $1 }')
echo "answers over IPv6: $(echo $out)" >&2
t_is "$T: 20 of 20 curl -6 requests answered" "$(nl_count_of "$out" FAIL)" 0
t_is "$T: rr spreads them 10/10 (rs1)" "$(nl_count_of "$out" rs1)" 10
t_is "$T: rr spreads them 10/10 (rs2)" "$(nl_count_of "$out" rs2)" 10

u=$(for p in 1 2 3 4; do
	echo "ping$p" | nl_exec client timeout 3 socat -T 2 - "UDP6:[$VIP6]:53" 2>/dev/null | awk '{ print $1 }'
done | sort | uniq -c | awk '{ print $2, $1 }')
echo "UDP over IPv6: $(echo $u)" >&2
# four datagrams from four sockets: four flows, unless the kernel happens
# to give two of them the same ephemeral port (then they are one flow and
# stick to one server) -- so: all answered, both servers used
t_check "$T: UDP over IPv6: 4 of 4 answered, by both real servers ($(echo $u))" \
	[ $(( $(nl_count_of "$u" rs1) + $(nl_count_of "$u" rs2) )) -eq 4 -a \
	"$(nl_count_of "$u" rs1)" -ge 1 -a "$(nl_count_of "$u" rs2)" -ge 1 ]

# dual stack: IPv4 through the same director at the same time
o4=$(nl_curl_count 4)
t_is "$T: IPv4 beside IPv6: 4 of 4 answered" "$(nl_count_of "$o4" FAIL)" 0

nl_capture_stop "$CCAP"
nl_capture_stop "$DCAP"
una=$(nl_pcap_count "$NL_TMP/client.pcap" "ether src $DIRMAC and ether dst 33:33:00:00:00:01 and icmp6 and ip6[40] == 136 and src host $VIP6")
t_check "$T: unsolicited neighbor advertisement for the VIP seen ($una)" [ "$una" -ge 1 ]
t_is "$T: no real server advertised the VIP" \
	"$(nl_pcap_count "$NL_TMP/client.pcap" "icmp6 and ip6[40] == 136 and src host $VIP6 and not ether src $DIRMAC")" 0
fwd=$(nl_pcap_count "$NL_TMP/dir.pcap" "ether src $DIRMAC and src host $CIP6 and dst host $VIP6 and (ether dst $rs1mac or ether dst $rs2mac)")
t_check "$T: director forwarded client->VIP frames to the real servers' MACs ($fwd)" [ "$fwd" -gt 0 ]
t_is "$T: director saw no VIP->client TCP/UDP (replies bypass it)" \
	"$(nl_pcap_count "$NL_TMP/dir.pcap" "src host $VIP6 and (tcp or udp)")" 0

st=$(nl_svc_stats TCP "[$VIP6]:80")
echo "stats TCP [$VIP6]:80: $st" >&2
read -r conns inpkts outpkts inbytes _ <<<"${st:-x x x x x}"
t_is "$T: --stats Conns counts 20 IPv6 connections" "$conns" 20
t_is "$T: --stats OutPkts stays 0" "$outpkts" 0
t_check "$T: InBytes counts the 40-byte IPv6 headers (InBytes $inbytes >= 60 * InPkts $inpkts)" \
	[ "${inbytes//[!0-9]/}" -ge $(( ${inpkts//[!0-9]/} * 60 )) ] 2>/dev/null

nl_counters
t_check "$T: NS for the VIP answered ($(nl_counter ndp_vip_solicits_answered))" \
	[ "$(nl_counter ndp_vip_solicits_answered)" -gt 0 ]
t_is "$T: no solicited-node join failed (after dropping privileges too)" \
	"$(nl_counter ndp_mcast_join_errors)" 0
t_check "$T: director joined the VIP's solicited-node group" \
	nl_exec dir grep -q 3333ff000001 /proc/net/dev_mcast
t_is "$T: director kernel holds no IPv6 address" \
	"$(nl_exec dir ip -o -6 addr show | grep -c inet6)" 0
# drlbadm --arp off|on releases and takes over the IPv6 VIPs too (failover)
nl_adm --arp off >/dev/null || t_fail "$T: drlbadm --arp off"
ans=$(nl_exec client timeout 5 ndisc6 -m -n -r 2 -w 500 "$VIP6" eth0 2>&1)
got=$(echo "$ans" | awk '/[Tt]arget link-layer address/ { print tolower($NF) }' | sort -u | tr '\n' ' ')
t_is "$T: --arp off: nobody answers for the IPv6 VIP" "$got" ""
nl_adm --arp on >/dev/null || t_fail "$T: drlbadm --arp on"
ans=$(nl_exec client timeout 5 ndisc6 -m -n -r 3 -w 1000 "$VIP6" eth0 2>&1)
got=$(echo "$ans" | awk '/[Tt]arget link-layer address/ { print tolower($NF) }' | sort -u | tr '\n' ' ')
t_is "$T: --arp on: the director answers for the IPv6 VIP again" "$got" "$DIRMAC "
t_check "$T: drlbd still running" nl_drlbd_alive
t_done
