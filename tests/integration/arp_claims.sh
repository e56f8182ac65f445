#!/bin/bash
# arp_claims: the ARP problem, caught live.  Real hosts on the recipe's
# segment, real kernels' ARP, each misconfigured in turn:
#  - rs1 with arp_announce=0 answers a client from the VIP and first asks
#    "who-has CLIENT tell VIP" from its own MAC: the client's neighbour
#    entry for the VIP moves to rs1 (the frame is on the client's wire);
#  - rs2 with arp_ignore=0 answers ARP for the VIP (drlbd's own check
#    "who-has VIP tell DIP" hears it; a client's arping gets two answers);
#  - a host sends gratuitous ARPs for the VIP (arping -U);
#  - a host probes the VIP before taking it (arping -0: sender 0.0.0.0).
# Each: its counter, one log line per MAC naming the fix, the trace line,
# and the client's entry for the VIP back at the director's MAC after the
# re-announcement.  A well-configured segment makes no claim.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=arp_claims
t_require "$T: setup"
nl_init "$T"
t_setup "$T" --config conf/recipe.conf
nl_host evil 198.18.0.66/24 || t_fail "$T: setup (host evil)"
nl_host prober 198.18.0.67/24 || t_fail "$T: setup (host prober)"
DIRMAC=$(nl_mac dir)
RS1MAC=$(nl_mac rs1)
RS2MAC=$(nl_mac rs2)
EVILMAC=$(nl_mac evil)
PROBERMAC=$(nl_mac prober)

# the client's neighbour entry for the VIP: its MAC
vip_at() {
	nl_exec client ip neigh show "$NL_VIP" dev eth0 |
		awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }'
}
# wait_counter NAME MIN SECS: until drlbd's counter NAME is at least MIN
wait_counter() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		nl_counters
		[ "$(nl_counter "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
# lines of drlbd's log holding the fixed string $1
log_has() { grep -c -F -- "$1" "$NL_DRLBD_LOG"; }
FIX="set arp_ignore=1 and arp_announce=2 on that host (run tools/drlb-realserver check $NL_VIP there)"

# what the client's kernel believes, as it changes
nl_bg client "$NL_TMP/neigh" ip monitor neigh dev eth0
# moved_to MAC: the client's entry for the VIP was at MAC at some point
moved_to() { grep -q "^$NL_VIP .*lladdr $1" "$NL_TMP/neigh"; }
# a listener for the whole run
nl_bg dir "$NL_TMP/trace" "$NL_DRLBADM" --socket "$NL_SOCK" --trace
TRACE=$NL_LASTPID
nl_wait 5 grep -q "trace listener added" "$NL_DRLBD_LOG"

out=$(nl_curl_count 4)
t_is "$T: through the director: 4 of 4 answered" "$(nl_count_of "$out" FAIL)" 0
t_is "$T: the client's entry for the VIP is the director" "$(vip_at)" "$DIRMAC"
# a well-configured segment: drlbd's first check of the VIP (2 s after
# announcing it) goes unanswered
t_check "$T: drlbd asks for its own VIP" wait_counter arp_vip_checks_sent 1 5
sleep 0.5
nl_counters
t_is "$T: well-configured real servers: no claim" "$(nl_counter arp_vip_conflicts)" 0

# ---- 1. arp_announce=0: who-has CLIENT tell VIP from rs1's MAC
nl_adm -e -t "$NL_VIP:80" -r "$NL_RIP2:80" -g -w 0 || t_fail "$T: rs2 weight 0"
nl_exec rs1 sysctl -qw net.ipv4.conf.all.arp_announce=0 net.ipv4.conf.eth0.arp_announce=0
nl_exec rs1 ip neigh flush dev eth0
nl_capture client "$NL_TMP/client.pcap" arp || t_fail "$T: tcpdump on the client"
CAP=$NL_LASTPID
r=$(nl_exec client curl -s --max-time 3 "http://$NL_VIP/")
t_is "$T: arp_announce=0: the request answered by rs1" "$r" rs1
t_check "$T: arp_announce=0: drlbd counts rs1's request from the VIP" \
	wait_counter arp_vip_claim_requests 1 5
sleep 2			# the re-announcement, and its repeat 1.5 s later
nl_capture_stop "$CAP"
VIPHEX=0xc6120001 CIPHEX=0xc6120064
t_check "$T: the client heard 'who-has $NL_CIP tell $NL_VIP' from rs1's MAC" \
	[ "$(nl_pcap_count "$NL_TMP/client.pcap" "ether src $RS1MAC and arp[6:2] = 1 and arp[14:4] = $VIPHEX and arp[24:4] = $CIPHEX")" -ge 1 ]
t_check "$T: then the director's gratuitous ARP for the VIP" \
	[ "$(nl_pcap_count "$NL_TMP/client.pcap" "ether src $DIRMAC and arp[14:4] = $VIPHEX and arp[24:4] = $VIPHEX")" -ge 1 ]
t_check "$T: arp_announce=0: the client's entry for the VIP moved to rs1 (the ARP problem)" \
	moved_to "$RS1MAC"
t_is "$T: arp_announce=0: the client's entry for the VIP is back at the director" \
	"$(vip_at)" "$DIRMAC"
t_is "$T: arp_announce=0: logged, naming rs1 and the fix" \
	"$(log_has "$RS1MAC (real server $NL_RIP1) claims VIP $NL_VIP by an ARP request (who-has $NL_CIP tell $NL_VIP): clients that believe it bypass the director; $FIX")" 1
# again: counted again, not logged again
nl_exec rs1 ip neigh flush dev eth0
nl_exec client curl -s --max-time 3 "http://$NL_VIP/" >/dev/null
t_check "$T: arp_announce=0 again: counted again" wait_counter arp_vip_claim_requests 2 5
t_is "$T: arp_announce=0 again: not logged again" "$(log_has "$RS1MAC (real server")" 1
nl_counters
t_check "$T: the VIP re-announced (arp_vip_reclaims $(nl_counter arp_vip_reclaims))" \
	[ "$(nl_counter arp_vip_reclaims)" -ge 1 ]
json=$(nl_adm --counters --json)
t_check "$T: --counters --json has arp_vip_claim_requests" \
	grep -Eq '"arp_vip_claim_requests": [1-9]' <<<"$json"
t_check "$T: the metrics have drlb_arp_vip_claim_requests_total" \
	grep -Eq '^drlb_arp_vip_claim_requests_total [1-9]' <<<"$(nl_adm --metrics)"
# per offending MAC, where people look
t_check "$T: --counters: rs1's claims by its MAC" \
	grep -Eq "^vip_claims\{mac=$RS1MAC,vip=$NL_VIP\} [2-9]" <<<"$(nl_adm --counters)"
t_check "$T: --counters --json: rs1's claims by its MAC" \
	grep -Eq "\"vip_claims\{mac=$RS1MAC,vip=$NL_VIP\}\": [2-9]" <<<"$json"
t_check "$T: metrics: rs1's claims by its MAC" \
	grep -Eq "^drlb_vip_claims_total\{mac=\"$RS1MAC\",vip=\"$NL_VIP\"\} [2-9]" <<<"$(nl_adm --metrics)"
nl_exec rs1 sysctl -qw net.ipv4.conf.all.arp_announce=2 net.ipv4.conf.eth0.arp_announce=2
nl_adm -e -t "$NL_VIP:80" -r "$NL_RIP2:80" -g -w 2 || t_fail "$T: rs2 weight 2"

# ---- 2. arp_ignore=0: rs2 answers ARP for the VIP
nl_exec rs2 sysctl -qw net.ipv4.conf.all.arp_ignore=0 net.ipv4.conf.eth0.arp_ignore=0
m=$(nl_arping client 2 "$NL_VIP" | sort -u | tr '\n' ' ')
t_check "$T: arp_ignore=0: the client's arping hears rs2 too ($m)" grep -q "$RS2MAC" <<<"$m"
t_check "$T: arp_ignore=0: drlbd's check hears rs2's reply" \
	wait_counter arp_vip_claim_replies 1 12
sleep 2
t_is "$T: arp_ignore=0: logged, naming rs2" \
	"$(log_has "$RS2MAC (real server $NL_RIP2) claims VIP $NL_VIP by an ARP reply ($NL_VIP is-at its MAC, to $NL_DIP): clients that believe it bypass the director; $FIX")" 1
t_is "$T: arp_ignore=0: the client's entry for the VIP is back at the director" \
	"$(vip_at)" "$DIRMAC"
nl_exec rs2 sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.eth0.arp_ignore=1

# ---- 3. gratuitous ARPs for the VIP from another host
nl_exec evil timeout 10 arping -q -U -S "$NL_VIP" -i eth0 -c 3 -W 0.2 -w 5 "$NL_VIP" >/dev/null 2>&1
t_check "$T: gratuitous ARP: counted, each" wait_counter arp_vip_claim_gratuitous 3 5
sleep 2
t_is "$T: gratuitous ARP: logged once" \
	"$(log_has "$EVILMAC claims VIP $NL_VIP by a gratuitous ARP: clients that believe it bypass the director; $FIX")" 1
t_check "$T: gratuitous ARP: the client's entry for the VIP moved to it" \
	moved_to "$EVILMAC"
t_is "$T: gratuitous ARP: the client's entry for the VIP is back at the director" \
	"$(vip_at)" "$DIRMAC"

# ---- 4. a host probes the VIP before taking it (RFC 5227)
m=$(nl_exec prober timeout 10 arping -0 -i eth0 -c 1 -w 2 "$NL_VIP" 2>/dev/null |
	awk '/bytes from/ { print tolower($4) }')
t_is "$T: ARP probe for the VIP: answered by the director (the VIP is taken)" "$m" "$DIRMAC"
t_check "$T: ARP probe: counted" wait_counter arp_vip_claim_probes 1 5
t_is "$T: ARP probe: logged" \
	"$(log_has "$PROBERMAC claims VIP $NL_VIP by an ARP probe (duplicate address detection): a host about to take it (told it is taken)")" 1

nl_counters
t_is "$T: arp_vip_claimers: rs1, rs2, evil, prober" "$(nl_counter arp_vip_claimers)" 4
t_is "$T: arp_vip_conflicts is the sum of the four kinds" "$(nl_counter arp_vip_conflicts)" \
	$(( $(nl_counter arp_vip_claim_requests) + $(nl_counter arp_vip_claim_replies) +
	$(nl_counter arp_vip_claim_gratuitous) + $(nl_counter arp_vip_claim_probes) ))

kill "$TRACE" 2>/dev/null
tr=$(cat "$NL_TMP/trace")
grep claims <<<"$tr" | head -8 >&2
t_check "$T: the trace shows rs1's request" \
	grep -qF "arp from $RS1MAC: claims VIP $NL_VIP by an ARP request (who-has $NL_CIP tell $NL_VIP) (claim 1 of this MAC): VIP re-announced" <<<"$tr"
t_check "$T: the trace shows rs2's reply" \
	grep -qF "arp from $RS2MAC: claims VIP $NL_VIP by an ARP reply" <<<"$tr"
t_check "$T: the trace shows the gratuitous ARPs" \
	grep -qF "arp from $EVILMAC: claims VIP $NL_VIP by a gratuitous ARP (claim 3 of this MAC)" <<<"$tr"
t_check "$T: the trace shows the probe" \
	grep -qF "arp from $PROBERMAC: claims VIP $NL_VIP by an ARP probe" <<<"$tr"

out=$(nl_curl_count 4)
t_is "$T: after all that: 4 of 4 answered" "$(nl_count_of "$out" FAIL)" 0
t_check "$T: drlbd still running" nl_drlbd_alive
t_done
