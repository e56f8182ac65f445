#!/bin/bash
# live_edit: a long upload (client -> real server data through the director the
# whole time) keeps working while the scheduler changes and the weight of its
# own real server is edited to 0 and back; new connections follow the new
# weights at each step.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=live_edit
t_require "$T: setup" socat ss
nl_init "$T"
t_setup "$T"
PORT=8080
URL=http://$NL_VIP:$PORT/

nl_sink rs1 $PORT || t_fail "$T: HTTP sink on rs1"
nl_sink rs2 $PORT || t_fail "$T: HTTP sink on rs2"
nl_rules wrr 1 1 $PORT || { t_fail "$T: drlbadm -A/-a"; t_done; }

head -c 1000000 /dev/urandom >"$NL_TMP/up"
want=$(sha256sum <"$NL_TMP/up")
want=${want%% *}

# ~10 s upload at 100 kB/s
nl_bg client "$NL_TMP/long.out" curl -s --max-time 60 -H 'Expect:' --limit-rate 100k \
	--data-binary @"$NL_TMP/up" "$URL"
LONG=$NL_LASTPID

# which real server holds it?
who=
for ((i = 0; i < 30; i++)); do
	for r in rs1 rs2; do
		if nl_exec "$r" ss -Htn state established "( sport = :$PORT )" | grep -q "$NL_CIP"; then
			who=$r
		fi
	done
	[ -n "$who" ] && break
	sleep 0.1
done
[ -n "$who" ] || { t_fail "$T: long upload established on a real server"; t_done; }
t_ok "$T: long upload established on $who"
if [ "$who" = rs1 ]; then mine=$NL_RIP1 other=$NL_RIP2 oname=rs2
else mine=$NL_RIP2 other=$NL_RIP1 oname=rs1; fi

# new connections answer "<name> 0 <sha of nothing>"
count() { # N
	local i r
	for ((i = 0; i < $1; i++)); do
		r=$(nl_exec client curl -s --max-time 3 -H 'Expect:' -d '' "$URL") &&
			echo "${r%% *}" || echo FAIL
	done | sort | uniq -c | awk '{ print $2, $1 }'
}

sleep 1
# 1: its real server quiesced (weight 0), scheduler wlc
nl_adm -E -t "$NL_VIP:$PORT" -s wlc || t_fail "$T: -E -s wlc"
nl_adm -e -t "$NL_VIP:$PORT" -r "$mine" -g -w 0 || t_fail "$T: -e $mine -w 0"
out=$(count 6)
echo "step 1 (wlc, $who w0): $(echo $out)" >&2
t_is "$T: $who at weight 0: new connections all go to $oname" "$(nl_count_of "$out" $oname)" 6
kill -0 "$LONG" 2>/dev/null && t_ok "$T: long upload alive after edits 1" ||
	t_fail "$T: long upload alive after edits 1"

sleep 1
# 2: scheduler wrr, its real server weight 3, the other 1
nl_adm -E -t "$NL_VIP:$PORT" -s wrr || t_fail "$T: -E -s wrr"
nl_adm -e -t "$NL_VIP:$PORT" -r "$mine" -g -w 3 || t_fail "$T: -e $mine -w 3"
nl_adm -e -t "$NL_VIP:$PORT" -r "$other" -g -w 1 || t_fail "$T: -e $other -w 1"
out=$(count 8)
echo "step 2 (wrr, $who w3): $(echo $out)" >&2
t_is "$T: wrr 3:1 for new connections: $who 6 of 8" "$(nl_count_of "$out" $who)" 6
kill -0 "$LONG" 2>/dev/null && t_ok "$T: long upload alive after edits 2" ||
	t_fail "$T: long upload alive after edits 2"

# 3: the long upload still completes intact
for ((i = 0; i < 300; i++)); do kill -0 "$LONG" 2>/dev/null || break; sleep 0.2; done
wait "$LONG"
rc=$?
got=$(cat "$NL_TMP/long.out")
echo "long upload: rc=$rc answer='$got'" >&2
t_is "$T: long upload finished without error" "$rc" 0
t_is "$T: long upload arrived intact on $who" "$got" "$who 1000000 $want"
t_check "$T: drlbd still running" nl_drlbd_alive
t_done
