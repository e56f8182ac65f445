#!/bin/bash
# two_directors: two drlbd directors behind an "ECMP router" — both run
# --no-arp --sloppy-tcp with the same --config; the client reaches the VIP
# through a static neighbour entry that we switch between the directors (as a
# router spreading flows would). With mh, and then sh:
#   - every one of 12 client addresses reaches the same real server through
#     either director, also after the second director restarts;
#   - a long upload started through dir1 and switched to dir2 midway
#     completes intact: dir2 picks up the mid-stream segments (--sloppy-tcp)
#     and sends them to the same real server.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=two_directors
t_require "$T: setup" arping socat ss
nl_init "$T"
NL_RIP3=198.18.0.9
DIP2=198.18.0.3
SOCK2=$NL_TMP/drlbd2.sock
LOG2=
N2=0
PORT=8080
ARGS=(--no-arp --sloppy-tcp)

# conf SCHED: the rule set both directors load (ipvsadm -S -n format)
conf() {
	local s=$1 p r
	for p in 80 $PORT; do
		echo "-A -t $NL_VIP:$p -s $s"
		for r in "$NL_RIP1" "$NL_RIP2" "$NL_RIP3"; do
			echo "-a -t $NL_VIP:$p -r $r:$p -g -w 1"
		done
	done
}
conf mh >"$NL_TMP/mh.conf"
conf sh >"$NL_TMP/sh.conf"

# dir (dir1) is the recipe's director, started by t_setup
t_setup "$T" "${ARGS[@]}" --config "$NL_TMP/mh.conf"
{ nl_host rs3 "$NL_RIP3/24" && nl_realserver rs3 "$NL_VIP" && nl_nginx rs3 rs3; } ||
	{ t_fail "$T: setup rs3 ($NL_RIP3)"; t_done; }
for r in rs1 rs2 rs3; do nl_sink "$r" $PORT || t_fail "$T: HTTP sink on $r"; done
nl_host dir2 "$DIP2/24" || { t_fail "$T: setup dir2 ($DIP2)"; t_done; }
D2=
start_dir2() { # CONF
	N2=$((N2 + 1))
	LOG2=$NL_TMP/drlbd2.$N2.log
	nl_drlbd_in dir2 "$SOCK2" "$LOG2" "${ARGS[@]}" --config "$1" || return 1
	D2=$NL_LASTPID
}
stop_dir2() { # -> exit status
	local rc
	[ -n "$D2" ] || return 0
	nl_stop_pid "$D2" 5
	rc=$?
	D2=
	return $rc
}
adm1() { nl_adm "$@"; }
adm2() { nl_adm_in dir2 "$SOCK2" "$@"; }
start_dir2 "$NL_TMP/mh.conf" || { t_fail "$T: drlbd starts in dir2"; t_done; }

MAC1=$(nl_mac dir) MAC2=$(nl_mac dir2)
via() { # 1|2: the client's neighbour entry for the VIP -> that director
	local m=$MAC1
	[ "$1" = 2 ] && m=$MAC2
	nl_exec client ip neigh replace "$NL_VIP" lladdr "$m" dev eth0 nud permanent
}

CLIENTS=()
for ((i = 101; i <= 112; i++)); do CLIENTS+=("198.18.0.$i"); done
for a in "${CLIENTS[@]}"; do
	nl_exec client ip addr add "$a/24" dev eth0 || t_fail "$T: client address $a"
done

# map N: "addr=server " per client address through the current director,
# each asked N times (several different answers are joined by '+')
map() {
	local n=$1 a k s
	for a in "${CLIENTS[@]}"; do
		s=$(for ((k = 0; k < n; k++)); do
			nl_exec client curl -s --max-time 3 --interface "$a" "http://$NL_VIP/" || echo FAIL
		done | sort -u | paste -sd+)
		printf '%s=%s ' "$a" "$s"
	done
}
count_in() { tr ' ' '\n' <<<"$1" | grep -c "=$2\$"; }
# well_formed MAP: every address answered by exactly one of rs1..rs3
well_formed() { [ $(($(count_in "$1" rs1) + $(count_in "$1" rs2) + $(count_in "$1" rs3))) = 12 ]; }

# in_pkts ADM PORT: InPkts of TCP VIP:PORT in that director's --stats
in_pkts() {
	"$1" -L -n --stats --exact | awk -v a="$NL_VIP:$2" '$1 == "TCP" && $2 == a { print $4 + 0; f = 1 } END { if (!f) print -1 }'
}

# the VIP has no ARP owner: only the static entry leads to a director
t_is "$T: no ARP answer for the VIP (both --no-arp)" "$(nl_arping client 1 "$NL_VIP" | sort -u)" ""

# compare SCHED WHAT: map through dir1, then through dir2; they must agree
compare() {
	local s=$1 what=$2 m1 m2
	via 1 || t_fail "$T: $s: neighbour entry -> dir1"
	m1=$(map 2)
	via 2 || t_fail "$T: $s: neighbour entry -> dir2"
	m2=$(map 2)
	echo "$s via dir1: $m1" >&2
	echo "$s via dir2$what: $m2" >&2
	t_check "$T: $s: 12 addresses each answered by one real server via dir1" well_formed "$m1"
	t_check "$T: $s: more than one real server used ($(for r in rs1 rs2 rs3; do printf '%s=%s ' $r "$(count_in "$m1" $r)"; done))" \
		[ "$(count_in "$m1" rs1)" -lt 12 -a "$(count_in "$m1" rs2)" -lt 12 -a "$(count_in "$m1" rs3)" -lt 12 ]
	t_is "$T: $s: every address reaches the same real server via dir2$what" "$m2" "$m1"
}

# upload SCHED: ~1 MB at 200 kB/s through dir1, switched to dir2 midway
upload() {
	local s=$1 want who='' r i rc got p1 p2 b2 long
	head -c 1000000 /dev/urandom >"$NL_TMP/up"
	want=$(sha256sum <"$NL_TMP/up")
	want=${want%% *}
	via 1 || t_fail "$T: $s: neighbour entry -> dir1"
	b2=$(in_pkts adm2 $PORT)
	nl_bg client "$NL_TMP/long-$s.out" curl -s --max-time 25 -H 'Expect:' --limit-rate 200k \
		--data-binary @"$NL_TMP/up" "http://$NL_VIP:$PORT/"
	long=$NL_LASTPID
	for ((i = 0; i < 50; i++)); do
		for r in rs1 rs2 rs3; do
			nl_exec "$r" ss -Htn state established "( sport = :$PORT )" | grep -q "$NL_CIP" && who=$r
		done
		[ -n "$who" ] && break
		sleep 0.1
	done
	if [ -z "$who" ]; then
		t_fail "$T: $s: upload established on a real server"
		nl_stop_pid "$long" 1
		return
	fi
	t_ok "$T: $s: upload established on $who through dir1"
	sleep 1.5
	p1=$(in_pkts adm1 $PORT)
	t_check "$T: $s: upload still running when switched to dir2" kill -0 "$long"
	t_is "$T: $s: dir2 carried none of it before the switch" "$(in_pkts adm2 $PORT)" "$b2"
	via 2 || t_fail "$T: $s: neighbour entry -> dir2"
	for ((i = 0; i < 250; i++)); do kill -0 "$long" 2>/dev/null || break; sleep 0.1; done
	wait "$long"
	rc=$?
	got=$(cat "$NL_TMP/long-$s.out")
	p2=$(in_pkts adm2 $PORT)
	echo "$s upload: rc=$rc answer='$got' dir1 InPkts before the switch $p1, dir2 InPkts $b2 -> $p2" >&2
	t_check "$T: $s: dir2 forwarded the rest of the upload (InPkts $b2 -> $p2)" [ "$p2" -gt "$b2" ]
	t_is "$T: $s: upload finished without error" "$rc" 0
	t_is "$T: $s: upload arrived intact on $who" "$got" "$who 1000000 $want"
	adm2 -L -n -c | grep -E "^TCP .* $NL_CIP:[0-9]+ +$NL_VIP:$PORT " >&2
}

# ---------------------------------------------------------------- mh
compare mh ""
stop_dir2
t_is "$T: dir2 drlbd exits 0 on SIGTERM" "$?" 0
start_dir2 "$NL_TMP/mh.conf" || { t_fail "$T: drlbd restarts in dir2"; t_done; }
compare mh " (restarted)"
upload mh

# ---------------------------------------------------------------- sh
# dir1: -E to sh on the running rules; dir2: restarted with the sh config
for p in 80 $PORT; do adm1 -E -t "$NL_VIP:$p" -s sh || t_fail "$T: dir1: -E -t $NL_VIP:$p -s sh"; done
stop_dir2
t_is "$T: dir2 drlbd exits 0 on SIGTERM (2)" "$?" 0
start_dir2 "$NL_TMP/sh.conf" || { t_fail "$T: drlbd restarts in dir2 with sh"; t_done; }
t_is "$T: both directors list the same rules" "$(adm1 -S -n)" "$(adm2 -S -n)"
compare sh " (sh config)"
upload sh

t_check "$T: dir2 drlbd still running" kill -0 "$D2"
stop_dir2
t_is "$T: dir2 drlbd exits 0 on SIGTERM (3)" "$?" 0
if cat "$NL_TMP"/drlbd2.*.log | grep -q -E 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:'; then
	t_fail "$T: no sanitizer report in dir2's logs" "see stderr"
	cat "$NL_TMP"/drlbd2.*.log | grep -A 30 -E 'Sanitizer|runtime error:' | head -60 >&2
fi
[ "$T_FAILED" = 0 ] || { echo "--- dir2 drlbd log (last 30 lines):" >&2; tail -n 30 "$LOG2" >&2; }
t_check "$T: dir1 drlbd still running" nl_drlbd_alive
t_done
