#!/bin/bash
# nd_claims: another host claiming an IPv6 VIP, with real kernels' neighbor
# discovery.  The real servers hold the VIP on lo (tools/drlb-realserver);
# then, in turn:
#  - rs1 also puts the VIP on eth0 with duplicate address detection: its
#    DAD probe (NS from ::) is a claim, which drlbd answers, so rs1's kernel
#    marks the address dadfailed;
#  - rs2 puts it on eth0 without DAD and announces it, as a kernel with
#    ndisc_notify=1 does after DAD (crafted with scapy: without DAD Linux
#    sends none): the unsolicited advertisement with the override flag
#    moves the client's entry for the VIP, until drlbd re-announces it;
#  - rs2 (the VIP still on eth0) answers a client from the VIP and first
#    solicits the client from the VIP.
# Each: its counter, one log line per MAC with the fix, the trace, and the
# client's entry for the VIP back at the director's MAC.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=nd_claims
t_require "$T: setup"
command -v ndisc6 >/dev/null || { t_skip "$T: setup" "ndisc6 not installed (Debian package ndisc6)"; exit 0; }
PY=
for p in /usr/bin/python3 python3; do
	"$p" -c 'import scapy.all' 2>/dev/null && { PY=$p; break; }
done
[ -n "$PY" ] || { t_skip "$T: setup" "python3-scapy not installed"; exit 0; }
nl_init "$T"
t_setup "$T"

VIP6=2001:db8::1
RIP6_1=2001:db8::7
RIP6_2=2001:db8::8
CIP6=2001:db8::100
DIRMAC=$(nl_mac dir)
RS1MAC=$(nl_mac rs1)
RS2MAC=$(nl_mac rs2)
FIX="on that host keep the VIP on lo only, never on its interface, and proxy_ndp off (run tools/drlb-realserver check $VIP6 there)"

nl_ipv6_on client "$CIP6/64" || t_fail "$T: IPv6 on the client"
for r in rs1:$RIP6_1 rs2:$RIP6_2; do
	nl_ipv6_on "${r%%:*}" "${r#*:}/64" || t_fail "$T: IPv6 on ${r%%:*}"
	nl_exec "${r%%:*}" "$NL_REALSERVER" apply "$VIP6" --dev eth0 \
		--state-dir "$NL_TMP/rs-state" >/dev/null || t_fail "$T: drlb-realserver apply $VIP6 on ${r%%:*}"
	nl_http6 "${r%%:*}" "${r%%:*}" || t_fail "$T: HTTP over IPv6 on ${r%%:*}"
done
nl_adm -A -t "[$VIP6]:80" -s rr &&
	nl_adm -a -t "[$VIP6]:80" -r "[$RIP6_1]:80" -g -w 1 &&
	nl_adm -a -t "[$VIP6]:80" -r "[$RIP6_2]:80" -g -w 1 ||
	t_fail "$T: the IPv6 service"

vip_at() {
	nl_exec client ip -6 neigh show "$VIP6" dev eth0 |
		awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }'
}
wait_counter() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		nl_counters
		[ "$(nl_counter "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
log_has() { grep -c -F -- "$1" "$NL_DRLBD_LOG"; }
nl_bg client "$NL_TMP/neigh" ip -6 monitor neigh dev eth0
moved_to() { grep -q "^$VIP6 .*lladdr $1" "$NL_TMP/neigh"; }
nl_bg dir "$NL_TMP/trace" "$NL_DRLBADM" --socket "$NL_SOCK" --trace
TRACE=$NL_LASTPID
nl_wait 5 grep -q "trace listener added" "$NL_DRLBD_LOG"

t_check "$T: both real servers' MACs learnt" wait_counter ndp_adverts_learnt 2 5
out=$(for _ in 1 2 3 4; do nl_exec client curl -6 -s --max-time 3 "http://[$VIP6]/" || echo FAIL; done)
t_is "$T: through the director: 4 of 4 answered" "$(grep -c FAIL <<<"$out")" 0
t_is "$T: the client's entry for the VIP is the director" "$(vip_at)" "$DIRMAC"
t_check "$T: drlbd solicits its own VIP" wait_counter ndp_vip_checks_sent 1 5
sleep 0.5
nl_counters
t_is "$T: well-configured real servers: no claim" "$(nl_counter ndp_vip_conflicts)" 0

# ---- 1. rs1 puts the VIP on eth0, with DAD: a probe, defended
nl_exec rs1 sysctl -qw net.ipv6.conf.eth0.accept_dad=1
nl_exec rs1 ip -6 addr add "$VIP6/128" dev eth0
t_check "$T: DAD for the VIP: counted" wait_counter ndp_vip_claim_probes 1 5
t_check "$T: DAD for the VIP: rs1's kernel told the VIP is taken (dadfailed)" \
	nl_wait 5 eval "nl_exec rs1 ip -6 addr show dev eth0 | grep -q dadfailed"
t_is "$T: DAD for the VIP: logged, naming rs1" \
	"$(log_has "$RS1MAC (real server $RIP6_1) claims VIP $VIP6 by a duplicate address detection probe: a host about to take it (told it is taken); $FIX")" 1
nl_exec rs1 ip -6 addr del "$VIP6/128" dev eth0

# ---- 2. rs2 puts the VIP on eth0 without DAD, and announces it
nl_exec rs2 ip -6 addr add "$VIP6/128" dev eth0 nodad
nl_exec rs2 "$PY" -c '
import sys
from scapy.all import Ether, IPv6, ICMPv6ND_NA, ICMPv6NDOptDstLLAddr, sendp, get_if_hwaddr
m, vip = get_if_hwaddr("eth0"), sys.argv[1]
sendp(Ether(src=m, dst="33:33:00:00:00:01") /
      IPv6(src=vip, dst="ff02::1", hlim=255) /
      ICMPv6ND_NA(tgt=vip, R=0, S=0, O=1) / ICMPv6NDOptDstLLAddr(lladdr=m),
      iface="eth0", verbose=0)' "$VIP6" || t_fail "$T: scapy sends rs2's advertisement"
t_check "$T: rs2's advertisement for the VIP: counted" wait_counter ndp_vip_claim_adverts 1 5
sleep 2
t_is "$T: rs2's advertisement: logged, naming rs2" \
	"$(log_has "$RS2MAC (real server $RIP6_2) claims VIP $VIP6 by a neighbor advertisement with the override flag: clients that believe it bypass the director; $FIX")" 1
t_check "$T: rs2's advertisement moved the client's entry for the VIP" moved_to "$RS2MAC"
t_is "$T: ... and it is back at the director" "$(vip_at)" "$DIRMAC"

# ---- 3. rs2 solicits the client from the VIP
nl_adm -e -t "[$VIP6]:80" -r "[$RIP6_1]:80" -g -w 0 || t_fail "$T: rs1 weight 0"
nl_exec rs2 ip -6 neigh flush dev eth0
r=$(nl_exec client curl -6 -s --max-time 3 "http://[$VIP6]/")
t_is "$T: a request to rs2" "$r" rs2
t_check "$T: rs2's solicitation from the VIP: counted" wait_counter ndp_vip_claim_solicits 1 5
sleep 2
t_is "$T: ... the client's entry for the VIP at the director" "$(vip_at)" "$DIRMAC"
t_is "$T: rs2 logged once in all" "$(log_has "$RS2MAC (real server")" 1
nl_counters
t_check "$T: the VIP re-announced (ndp_vip_reclaims $(nl_counter ndp_vip_reclaims))" \
	[ "$(nl_counter ndp_vip_reclaims)" -ge 2 ]
t_is "$T: ndp_vip_claimers: rs1, rs2" "$(nl_counter ndp_vip_claimers)" 2
t_check "$T: the metrics have drlb_ndp_vip_claim_adverts_total" \
	grep -Eq '^drlb_ndp_vip_claim_adverts_total [1-9]' <<<"$(nl_adm --metrics)"
nl_exec rs2 ip -6 addr del "$VIP6/128" dev eth0

kill "$TRACE" 2>/dev/null
tr=$(cat "$NL_TMP/trace")
grep claims <<<"$tr" | head -8 >&2
t_check "$T: the trace shows the DAD probe" \
	grep -qF "nd from $RS1MAC: claims VIP $VIP6 by a duplicate address detection probe (claim 1 of this MAC)" <<<"$tr"
t_check "$T: the trace shows rs2's advertisement" \
	grep -qF "nd from $RS2MAC: claims VIP $VIP6 by a neighbor advertisement with the override flag (claim 1 of this MAC): VIP re-announced" <<<"$tr"
t_check "$T: the trace shows rs2's solicitation" \
	grep -qF "nd from $RS2MAC: claims VIP $VIP6 by a neighbor solicitation (who-has $CIP6 from $VIP6)" <<<"$tr"
t_check "$T: drlbd still running" nl_drlbd_alive
t_done
