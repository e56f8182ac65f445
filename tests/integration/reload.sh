#!/bin/bash
# reload: SIGHUP makes drlbd bring its live rules to --config without
# touching the connection table.  A long rate-limited upload runs through
# the director while the file is edited (scheduler wlc -> wrr, weights
# changed, a third real server added) and SIGHUP sent: the upload completes
# intact, `-L -n` shows the new rules and new connections follow them.  A
# file with an error then changes nothing and the log names file:line.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=reload
t_require "$T: setup" socat ss
nl_init "$T"
PORT=8080
URL=http://$NL_VIP:$PORT/
RIP3=198.18.0.9
CONF=$NL_TMP/drlbd.conf

cat >"$CONF" <<EOF2
# drlbd.conf, first version
-A -t $NL_VIP:$PORT -s wlc
-a -t $NL_VIP:$PORT -r $NL_RIP1:$PORT -g -w 1
-a -t $NL_VIP:$PORT -r $NL_RIP2:$PORT -g -w 1
EOF2
t_setup "$T" --config "$CONF"
nl_host rs3 "$RIP3/24" && nl_realserver rs3 "$NL_VIP" || t_fail "$T: third real server host"
for r in rs1 rs2 rs3; do nl_sink $r $PORT || t_fail "$T: HTTP sink on $r"; done

head -c 1000000 /dev/urandom >"$NL_TMP/up"
want=$(sha256sum <"$NL_TMP/up")
want=${want%% *}

# ~10 s upload at 100 kB/s
nl_bg client "$NL_TMP/long.out" curl -s --max-time 60 -H 'Expect:' --limit-rate 100k \
	--data-binary @"$NL_TMP/up" "$URL"
LONG=$NL_LASTPID
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

count() { # N: new connections, "<name> <count>" per real server
	local i r
	for ((i = 0; i < $1; i++)); do
		r=$(nl_exec client curl -s --max-time 3 -H 'Expect:' -d '' "$URL") &&
			echo "${r%% *}" || echo FAIL
	done | sort | uniq -c | awk '{ print $2, $1 }'
}

sleep 1
# ---- the new file: wrr; the upload's real server 1, the other 0, rs3 3
cat >"$CONF.new" <<EOF2
# drlbd.conf, second version
-A -t $NL_VIP:$PORT -s wrr
-a -t $NL_VIP:$PORT -r $mine:$PORT -g -w 1
-a -t $NL_VIP:$PORT -r $other:$PORT -g -w 0
-a -t $NL_VIP:$PORT -r $RIP3:$PORT -g -w 3
EOF2
mv "$CONF.new" "$CONF"
before=$(grep -c reloaded "$NL_DRLBD_LOG")
nl_counters
learnt=$(nl_counter arp_replies_learnt)
kill -HUP "$NL_DRLBD_PID"
nl_wait 5 test "$(grep -c reloaded "$NL_DRLBD_LOG")" -gt "$before"
t_check "$T: SIGHUP: log says reloaded" grep -q "reloaded $CONF: services +0 -0 ~1, real servers +1 -0 ~1" "$NL_DRLBD_LOG"
list=$(nl_adm -L -n)
echo "$list" >&2
t_check "$T: -L -n: scheduler now wrr" grep -q "^TCP  $NL_VIP:$PORT wrr" <<<"$list"
t_check "$T: -L -n: $RIP3 added with weight 3" grep -Eq -- "-> $RIP3:$PORT +Route +3 " <<<"$list"
t_check "$T: -L -n: $other now weight 0" grep -Eq -- "-> $other:$PORT +Route +0 " <<<"$list"
t_check "$T: -L -n: $mine weight 1, the upload still counted on it" \
	grep -Eq -- "-> $mine:$PORT +Route +1 +[0-9]+ +[0-9]+" <<<"$list"
t_check "$T: long upload alive after the reload" kill -0 "$LONG"
# rs3 must answer ARP before it is scheduled
for ((i = 0; i < 50; i++)); do
	nl_counters
	[ "$(nl_counter arp_replies_learnt)" -gt "$learnt" ] && break
	sleep 0.1
done
out=$(count 8)
echo "after reload (wrr $who 1, $oname 0, rs3 3): $(echo $out)" >&2
t_is "$T: new connections follow the new rules: rs3 6, $who 2, $oname 0" \
	"$(nl_count_of "$out" rs3) $(nl_count_of "$out" $who) $(nl_count_of "$out" $oname)" "6 2 0"

# ---- a file with an error: nothing changes, the log names file:line
cp "$CONF" "$NL_TMP/good.conf"
cat >"$CONF.new" <<EOF2
-A -t $NL_VIP:$PORT -s rr
-a -t $NL_VIP:$PORT -r $mine:$PORT -g -w 5
-a -t $NL_VIP:9999 -r $other:9999 -g -w 1
EOF2
mv "$CONF.new" "$CONF"
kill -HUP "$NL_DRLBD_PID"
nl_wait 5 grep -q "rules unchanged" "$NL_DRLBD_LOG"
t_check "$T: bad file: log names file:line and the reason" \
	grep -q "reload: $CONF:3: Service not defined; rules unchanged" "$NL_DRLBD_LOG"
list2=$(nl_adm -L -n)
t_is "$T: bad file: rules unchanged" "$(awk '{ print $1, $2, $3, $4 }' <<<"$list2")" \
	"$(awk '{ print $1, $2, $3, $4 }' <<<"$list")"
t_check "$T: long upload alive after the bad reload" kill -0 "$LONG"

# ---- rs3 gone from the file: deleted from the live rules
grep -v "$RIP3" "$NL_TMP/good.conf" >"$CONF.new"
mv "$CONF.new" "$CONF"
before=$(grep -c reloaded "$NL_DRLBD_LOG")
kill -HUP "$NL_DRLBD_PID"
nl_wait 5 test "$(grep -c reloaded "$NL_DRLBD_LOG")" -gt "$before"
list3=$(nl_adm -L -n)
t_check "$T: real server not in the file is deleted" bash -c "! grep -q -- '-> $RIP3:' <<<'$list3'"
t_check "$T: the others stay" grep -Eq -- "-> $mine:$PORT +Route +1 " <<<"$list3"

# ---- the upload completes intact
for ((i = 0; i < 300; i++)); do kill -0 "$LONG" 2>/dev/null || break; sleep 0.2; done
wait "$LONG"
rc=$?
got=$(cat "$NL_TMP/long.out")
echo "long upload: rc=$rc answer='$got'" >&2
t_is "$T: long upload finished without error" "$rc" 0
t_is "$T: long upload arrived intact on $who" "$got" "$who 1000000 $want"
t_check "$T: drlbd still running" nl_drlbd_alive
t_done
