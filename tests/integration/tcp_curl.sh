#!/bin/bash
# tcp_curl: curl through drlbd spreads over both real servers, and the replies
# come straight from the real servers (the director sees only the client's half).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=tcp_curl
t_require "$T: setup" tcpdump
nl_init "$T"
t_setup "$T"

nl_rules wlc 2 2 || { t_fail "$T: drlbadm -A/-a (recipe rules)"; t_done; }
DIRMAC=$(nl_mac dir)
nl_capture dir "$NL_TMP/dir.pcap" 'ip and tcp port 80' || t_fail "$T: tcpdump starts"
CAP=$NL_LASTPID

out=$(nl_curl_count 20)
echo "answers: $(echo $out)" >&2
t_is "$T: 20 of 20 requests answered" "$(nl_count_of "$out" FAIL)" 0
c1=$(nl_count_of "$out" rs1) c2=$(nl_count_of "$out" rs2)
t_check "$T: both real servers answered (rs1=$c1 rs2=$c2)" [ "$c1" -gt 0 -a "$c2" -gt 0 -a $((c1 + c2)) -eq 20 ]
# wlc with equal weights and one client at a time: an even spread
t_check "$T: wlc with equal weights spreads evenly (rs1=$c1 rs2=$c2)" [ "$c1" -ge 8 -a "$c2" -ge 8 ]

nl_capture_stop "$CAP"
st=$(nl_svc_stats TCP "$NL_VIP:80")
echo "stats TCP $NL_VIP:80: $st" >&2
read -r conns inpkts outpkts inbytes outbytes <<<"${st:-x x x x x}"
t_is "$T: --stats Conns counts 20 connections" "$conns" 20
t_check "$T: --stats InPkts > 0 (got $inpkts)" [ "${inpkts//[!0-9]/}" -gt 0 ] 2>/dev/null
t_is "$T: --stats OutPkts stays 0 in DR" "$outpkts" 0

in_dir=$(nl_pcap_count "$NL_TMP/dir.pcap" "ether dst $DIRMAC and src host $NL_CIP and dst host $NL_VIP")
fwd=$(nl_pcap_count "$NL_TMP/dir.pcap" "ether src $DIRMAC and src host $NL_CIP and dst host $NL_VIP")
replies=$(nl_pcap_count "$NL_TMP/dir.pcap" "src host $NL_VIP")
echo "director saw: $in_dir client->VIP in, $fwd forwarded, $replies VIP->* frames" >&2
t_check "$T: director received client->VIP frames ($in_dir)" [ "$in_dir" -gt 0 ]
# re-sent with the director's source MAC, as the kernel's IPVS does: keeping
# the client's would teach the switch that the client sits on the director's
# port, and the real servers' replies would go there
t_check "$T: director re-sent them with its own source MAC ($fwd)" [ "$fwd" -gt 0 ]
cm=$(nl_mac client)
t_is "$T: no frame leaves the director with the client's source MAC" \
	"$(nl_pcap_count "$NL_TMP/dir.pcap" "ether src $cm and ether dst not $DIRMAC")" 0
t_is "$T: director saw no VIP->client frames" "$replies" 0
# the forwarded frames carry the real servers' MACs and the untouched VIP
rs1mac=$(nl_mac rs1) rs2mac=$(nl_mac rs2)
f1=$(nl_pcap_count "$NL_TMP/dir.pcap" "ether dst $rs1mac and dst host $NL_VIP")
f2=$(nl_pcap_count "$NL_TMP/dir.pcap" "ether dst $rs2mac and dst host $NL_VIP")
t_check "$T: forwarded frames go to both real servers' MACs, IP dst still the VIP ($f1/$f2)" [ "$f1" -gt 0 -a "$f2" -gt 0 ]

# the real servers saw the client's own address (DR does not NAT)
a=$(cat "$NL_TMP"/nginx-rs?/access.log 2>/dev/null | awk '{ print $1 }' | sort -u | tr '\n' ' ')
t_is "$T: real servers saw the client's address" "$a" "$NL_CIP "
# and the director's kernel never held the VIP
t_is "$T: director kernel does not hold the VIP" \
	"$(nl_exec dir ip -o addr show | grep -c " $NL_VIP/")" 0
t_check "$T: drlbd still running" nl_drlbd_alive
t_done
