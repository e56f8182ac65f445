#!/bin/bash
# restart: drlbd --state-file saves the connection table when it stops and
# restores it when it starts, so a transfer in the middle of a restart goes
# on to the same real server and completes intact.  Without the state file
# (and without --sloppy-tcp) the new drlbd drops the flow's segments.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=restart
t_require "$T: setup" socat
nl_init "$T"
nl_dr_topology || { t_fail "$T: setup"; t_done; }
PORT=8080
nl_sink rs1 $PORT || t_fail "$T: HTTP sink on rs1"
nl_sink rs2 $PORT || t_fail "$T: HTTP sink on rs2"
printf -- '-A -t %s:%s -s wrr\n-a -t %s:%s -r %s -g -w 1\n-a -t %s:%s -r %s -g -w 1\n' \
	"$NL_VIP" $PORT "$NL_VIP" $PORT "$NL_RIP1" "$NL_VIP" $PORT "$NL_RIP2" >"$NL_TMP/rules"
head -c 1000000 /dev/urandom >"$NL_TMP/up"
want=$(sha256sum <"$NL_TMP/up")
want=${want%% *}
STATE=$NL_TMP/drlbd.state

# upload RESULT-FILE MAXTIME: a ~5 s upload in the background
upload() {
	nl_bg client "$1" curl -s --max-time "$2" -H 'Expect:' --limit-rate 200k \
		--data-binary @"$NL_TMP/up" "http://$NL_VIP:$PORT/"
	UP=$NL_LASTPID
}

# ---- with the state file
nl_drlbd_in dir "$NL_SOCK" "$NL_TMP/d1.log" --config "$NL_TMP/rules" --state-file "$STATE" ||
	{ t_fail "$T: drlbd starts"; t_done; }
D1=$NL_LASTPID
upload "$NL_TMP/up1.out" 30
sleep 1.5
nl_stop_pid "$D1"
t_is "$T: drlbd stops cleanly" "$?" 0
t_check "$T: the state was saved" grep -q "state file .*: [1-9][0-9]* connections saved" "$NL_TMP/d1.log"
nl_drlbd_in dir "$NL_SOCK" "$NL_TMP/d2.log" --config "$NL_TMP/rules" --state-file "$STATE" ||
	t_fail "$T: drlbd starts again"
D2=$NL_LASTPID
t_check "$T: the state was restored" grep -q "connections restored" "$NL_TMP/d2.log"
for ((i = 0; i < 300; i++)); do kill -0 "$UP" 2>/dev/null || break; sleep 0.1; done
wait "$UP"
rc=$?
got=$(cat "$NL_TMP/up1.out")
echo "with state: rc=$rc answer='$got'" >&2
t_is "$T: upload across the restart finished" "$rc" 0
t_check "$T: ... and arrived intact ($got)" grep -q " 1000000 $want\$" <<<"$got"
c=$(nl_adm --counters)
t_check "$T: the new drlbd forwarded the flow's segments" \
	awk '$1 == "forwarded" && $2 > 10 { f = 1 } END { exit !f }' <<<"$c"
nl_stop_pid "$D2"

# ---- without it: the restarted drlbd does not know the flow
nl_drlbd_in dir "$NL_SOCK" "$NL_TMP/d3.log" --config "$NL_TMP/rules" ||
	{ t_fail "$T: drlbd starts (no state)"; t_done; }
D3=$NL_LASTPID
upload "$NL_TMP/up2.out" 10
sleep 1.5
nl_stop_pid "$D3"
nl_drlbd_in dir "$NL_SOCK" "$NL_TMP/d4.log" --config "$NL_TMP/rules" ||
	t_fail "$T: drlbd starts again (no state)"
D4=$NL_LASTPID
for ((i = 0; i < 150; i++)); do kill -0 "$UP" 2>/dev/null || break; sleep 0.1; done
wait "$UP"
rc=$?
echo "without state: rc=$rc" >&2
t_check "$T: control: without the state file the transfer breaks (rc $rc)" [ "$rc" -ne 0 ]
c=$(nl_adm --counters)
t_check "$T: control: ... its segments dropped as no_conn" \
	awk '$1 == "no_conn" && $2 > 0 { f = 1 } END { exit !f }' <<<"$c"
nl_stop_pid "$D4"

# ---- the state file cut inside its last record (as by a full disk)
truncate -s -10 "$STATE"
nl_drlbd_in dir "$NL_SOCK" "$NL_TMP/d5.log" --config "$NL_TMP/rules" --state-file "$STATE" ||
	t_fail "$T: drlbd starts with a truncated state file"
D5=$NL_LASTPID
t_check "$T: a truncated state file: what it holds whole restored, and said" \
	grep -q "connections restored, [0-9]* skipped (.*the file is truncated: " "$NL_TMP/d5.log"
nl_stop_pid "$D5"
t_is "$T: ... and drlbd stops cleanly" "$?" 0
t_done
