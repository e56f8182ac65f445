#!/bin/bash
# failover: two directors on one segment, elected by real keepalived (VRRP
# only, no virtual_ipaddress), each drlbd started with --no-arp; the notify
# script (tools/drlb-vrrp-notify) makes the MASTER take the VIP by ARP and
# be the sync master, the other the sync backup (IPVS's sync protocol over
# 224.0.0.81 on the test bridge).  A long rate-limited upload and a
# persistent client go through dir1; dir1's keepalived and drlbd are killed;
# dir2 becomes MASTER, announces the VIP by gratuitous ARP and, thanks to
# the synced connection, the upload completes intact on the same real
# server, and the persistent client stays on its real server.  The time
# until new requests are answered again is reported on stderr (no timing
# assertion beyond a generous bound).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=failover
t_require "$T: setup" keepalived arping socat ss
nl_init "$T"
DIP2=198.18.0.3
PORT=8080
SYNCID=7
NOTIFY=$NL_ROOT/tools/drlb-vrrp-notify
nl_dr_topology || { t_fail "$T: setup"; exit 1; }
nl_host dir2 "$DIP2/24" || { t_fail "$T: setup dir2"; exit 1; }
for r in rs1 rs2; do nl_sink "$r" $PORT || t_fail "$T: HTTP sink on $r"; done
{
	echo "-A -t $NL_VIP:$PORT -s wrr"
	echo "-a -t $NL_VIP:$PORT -r $NL_RIP1 -g -w 1"
	echo "-a -t $NL_VIP:$PORT -r $NL_RIP2 -g -w 1"
	echo "-A -t $NL_VIP:80 -s rr -p 120"
	echo "-a -t $NL_VIP:80 -r $NL_RIP1 -g -w 1"
	echo "-a -t $NL_VIP:80 -r $NL_RIP2 -g -w 1"
} >"$NL_TMP/rules"
SOCK1=$NL_SOCK SOCK2=$NL_TMP/drlbd2.sock
adm1() { nl_adm_in dir "$SOCK1" "$@"; }
adm2() { nl_adm_in dir2 "$SOCK2" "$@"; }

nl_drlbd_in dir "$SOCK1" "$NL_TMP/d1.log" --no-arp --config "$NL_TMP/rules" ||
	{ t_fail "$T: drlbd starts in dir1"; exit 1; }
D1=$NL_LASTPID
nl_drlbd_in dir2 "$SOCK2" "$NL_TMP/d2.log" --no-arp --config "$NL_TMP/rules" ||
	{ t_fail "$T: drlbd starts in dir2"; exit 1; }
D2=$NL_LASTPID
# t_done's checks are for the recipe's director; here both are ours
finish() {
	local d
	[ "$T_FAILED" = 0 ] || for d in d1 d2; do
		echo "--- $d log (last 30 lines):" >&2; tail -n 30 "$NL_TMP/$d.log" >&2
		echo "--- keepalived ${d#d} (last 15 lines):" >&2; tail -n 15 "$NL_TMP/ka${d#d}.log" >&2
	done
	exit "$T_FAILED"
}

# keepalived for VRRP only, its own config and pid files in NL_TMP
keepalived_in() { # NAME N PRIORITY SOCK
	local n=$1 i=$2 prio=$3 sock=$4 c=$NL_TMP/ka$2.conf s
	s="$NOTIFY --socket $sock --drlbadm $NL_DRLBADM --mcast-interface eth0 --syncid $SYNCID"
	cat >"$c" <<EOF
global_defs {
	router_id drlb-test-$i
	script_user root
}
vrrp_instance DRLB {
	state BACKUP
	interface eth0
	virtual_router_id 81
	priority $prio
	advert_int 1
	notify_master "$s master"
	notify_backup "$s backup"
	notify_fault "$s fault"
}
EOF
	nl_bg "$n" "$NL_TMP/ka$i.log" keepalived --vrrp --dont-fork --log-console --log-detail \
		--use-file "$c" --pid "$NL_TMP/ka$i.pid" --vrrp_pid "$NL_TMP/ka$i-vrrp.pid"
	KA_PID=$NL_LASTPID
}
keepalived_in dir 1 150 "$SOCK1"
KA1=$KA_PID
keepalived_in dir2 2 100 "$SOCK2"

# ---- election: dir1 MASTER (owns the VIP, sync master), dir2 sync backup
nl_wait 20 eval 'adm1 -L --daemon | grep -q "^master"' || t_fail "$T: dir1 became sync master"
nl_wait 10 eval 'adm2 -L --daemon | grep -q "^backup"' || t_fail "$T: dir2 became sync backup"
t_is "$T: dir1 -L --daemon (ipvsadm's format)" "$(adm1 -L --daemon)" "master sync daemon (mcast=eth0, syncid=$SYNCID)"
t_is "$T: dir2 -L --daemon" "$(adm2 -L --daemon)" "backup sync daemon (mcast=eth0, syncid=$SYNCID)"
MAC1=$(nl_mac dir) MAC2=$(nl_mac dir2)
t_is "$T: the VIP answers ARP with dir1's MAC only" "$(nl_arping client 2 "$NL_VIP" | sort -u)" "$MAC1"

# ---- traffic through dir1: a persistent client, a long upload
before=$(nl_exec client curl -s --max-time 3 "http://$NL_VIP/")
t_check "$T: persistent service answers through dir1 ($before)" [ -n "$before" ]
head -c 1500000 /dev/urandom >"$NL_TMP/up"
want=$(sha256sum <"$NL_TMP/up")
want=${want%% *}
nl_bg client "$NL_TMP/up.out" curl -s --max-time 90 -H 'Expect:' --limit-rate 150k \
	--data-binary @"$NL_TMP/up" "http://$NL_VIP:$PORT/"
UP=$NL_LASTPID
who=
for ((i = 0; i < 50; i++)); do
	[ -n "$who" ] && break
	for r in rs1 rs2; do
		nl_exec "$r" ss -Htn state established "( sport = :$PORT )" | grep -q "$NL_CIP" && who=$r
	done
	sleep 0.1
done
t_check "$T: upload established on a real server ($who)" [ -n "$who" ]
sleep 2
# the backup has it: the same client port, the same real server, ESTABLISHED
conn_re="^TCP .* ESTABLISHED +$NL_CIP:[0-9]+ +$NL_VIP:$PORT +"
nl_wait 5 eval 'adm2 -L -n -c | grep -Eq "$conn_re"' || true
adm1 -L -n -c >"$NL_TMP/c1"
adm2 -L -n -c >"$NL_TMP/c2"
echo "dir1 connections:" >&2; cat "$NL_TMP/c1" >&2
echo "dir2 connections (synced):" >&2; cat "$NL_TMP/c2" >&2
t_is "$T: dir2 holds the upload's connection as dir1 does" \
	"$(grep -E "$conn_re" "$NL_TMP/c2" | awk '{ print $4, $5, $6 }')" \
	"$(grep -E "$conn_re" "$NL_TMP/c1" | awk '{ print $4, $5, $6 }')"
t_check "$T: dir2 holds the persistence template" grep -Eq "^TCP .* NONE +$NL_CIP:0 +$NL_VIP:80 +" "$NL_TMP/c2"
t_check "$T: upload still running before the failover" kill -0 "$UP"

# ---- dir1 dies: keepalived (both processes) and drlbd, at once
t0=$(date +%s.%N)
kill -KILL "$(cat "$NL_TMP/ka1-vrrp.pid" 2>/dev/null)" "$KA1" "$D1" 2>/dev/null
wait "$D1" 2>/dev/null
nl_wait 15 eval 'adm2 -L --daemon | grep -q "^master"' || t_fail "$T: dir2 became sync master"
# new requests resume (bounded: 30 s)
ok=
for ((i = 0; i < 60; i++)); do
	after=$(nl_exec client curl -s --max-time 0.5 "http://$NL_VIP/") && [ -n "$after" ] && { ok=1; break; }
done
t1=$(date +%s.%N)
resume=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
echo "failover: new requests answered again $resume s after dir1 was killed (VRRP advert_int 1 s)" >&2
t_check "$T: new requests answered through dir2 (after ${resume} s)" [ -n "$ok" ]
t_is "$T: the persistent client keeps its real server (synced template)" "${after:-}" "$before"
t_is "$T: the VIP now answers ARP with dir2's MAC" "$(nl_arping client 2 "$NL_VIP" | sort -u)" "$MAC2"

for ((i = 0; i < 600; i++)); do kill -0 "$UP" 2>/dev/null || break; sleep 0.1; done
wait "$UP"
rc=$?
got=$(cat "$NL_TMP/up.out")
echo "upload: rc=$rc answer='$got'" >&2
t_is "$T: the upload survived the failover" "$rc" 0
t_is "$T: ... and arrived intact on $who" "$got" "$who 1500000 $want"
adm2 --counters >"$NL_TMP/cnt2"
grep -E '^(forwarded|no_conn|sync_)' "$NL_TMP/cnt2" >&2
t_check "$T: dir2 created connections from sync messages" \
	awk '$1 == "sync_conns_created" && $2 > 0 { f = 1 } END { exit !f }' "$NL_TMP/cnt2"
t_check "$T: dir2 forwarded the rest of the upload" \
	awk '$1 == "forwarded" && $2 > 20 { f = 1 } END { exit !f }' "$NL_TMP/cnt2"
nl_stop_pid "$D2" 5
t_is "$T: dir2 drlbd exits 0 on SIGTERM" "$?" 0
if grep -q -E 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' "$NL_TMP/d1.log" "$NL_TMP/d2.log"; then
	t_fail "$T: no sanitizer report in the drlbd logs"
fi
finish
