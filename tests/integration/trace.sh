#!/bin/bash
# trace: drlbadm --trace streams drlbd's decisions: the frame in, the
# connection-table miss, the scheduler's numbers and pick, the state change,
# the rewrite, ARP answers; a --client filter shows only that client.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=trace
t_require "$T: setup"
nl_init "$T"
t_setup "$T" --config conf/recipe.conf

# a listener for everything, and one for another client only
nl_bg dir "$NL_TMP/trace-all" "$NL_DRLBADM" --socket "$NL_SOCK" --trace
ALL=$NL_LASTPID
nl_bg dir "$NL_TMP/trace-other" "$NL_DRLBADM" --socket "$NL_SOCK" --trace \
	-t "$NL_VIP:80" --client 198.18.0.99
nl_wait 5 grep -q "trace listener added" "$NL_DRLBD_LOG"
sleep 0.3
out=$(nl_curl_count 2)
t_is "$T: 2 requests answered" "$(( $(nl_count_of "$out" rs1) + $(nl_count_of "$out" rs2) ))" 2
nl_exec client ip neigh flush dev eth0 >/dev/null 2>&1
nl_exec client curl -s --max-time 3 "http://$NL_VIP/" >/dev/null
sleep 0.5
kill "$ALL" 2>/dev/null
tr=$(cat "$NL_TMP/trace-all")
echo "$tr" | head -40 >&2

t_check "$T: frame in: client -> VIP, TCP SYN" \
	grep -Eq "in  TCP $NL_CIP:[0-9]+ -> $NL_VIP:80 \[S\]" <<<"$tr"
t_check "$T: connection-table miss for a new connection" grep -q "conn miss: a new connection" <<<"$tr"
t_check "$T: the scheduler's numbers and its pick" \
	grep -Eq "sched wlc: .*$NL_RIP1:80 w=2 act=[0-9]+ inact=[0-9]+.* -> 198\.18\.0\.[78]:80" <<<"$tr"
t_check "$T: state change SYN_RECV -> ESTABLISHED" grep -q "SYN_RECV -> ESTABLISHED" <<<"$tr"
t_check "$T: rewrite of the destination MAC" grep -q "rewrite dst MAC .* -> .*, src MAC -> ours; IP untouched" <<<"$tr"
t_check "$T: ARP answer for the VIP" grep -q "arp who-has $NL_VIP tell $NL_CIP: answered" <<<"$tr"
t_is "$T: a listener filtered to another client sees nothing" "$(wc -c <"$NL_TMP/trace-other")" 0
nl_wait 5 grep -q "trace listener gone" "$NL_DRLBD_LOG"
t_check "$T: drlbd notices a listener going away" grep -q "trace listener gone" "$NL_DRLBD_LOG"
t_check "$T: drlbd still running" nl_drlbd_alive
t_done
