#!/bin/bash
# workers: --workers 2 spreads clients over two forwarding threads with
# PACKET_FANOUT, and everything still adds up.
#   - 32 client addresses, one request each: all answered, rr splits 16/16
#     (one scheduler for both workers);
#   - each worker's table holds exactly the clients the daemon's own
#     fanout function assigns it (so the kernel's program and the daemon
#     agree: synced and restored connections land where their frames go);
#   - both workers forwarded frames; -L -n --stats Conns is 32 and the
#     service's InPkts equals the frames forwarded; -c lists 32 connections;
#     ActiveConn + InActConn over the real servers is 32;
#   - 4 x 25 requests in parallel from both workers' clients: rr 50/50, and
#     after they expire the counts are back where they were;
#   - persistence with -M 255.255.255.0: clients on both workers share one
#     template and so one real server; PersistConn 1;
#   - --workers 4: each table holds the clients the daemon predicts;
#   - --workers 1 forwards in the main thread.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=workers
t_require "$T: setup"
nl_init "$T"
t_setup "$T" --workers 2
N=32
FIRST=150		# clients 198.18.0.150 .. .181

# the daemon's fanout_worker() for an IPv4 client, in shell arithmetic:
# ((address * 0x9e3779b1) mod 2^32) >> 16, modulo the worker count
worker_of() {
	local IFS=. a b c d
	read -r a b c d <<<"$1"
	echo $(( ((((a << 24) | (b << 16) | (c << 8) | d) * 0x9e3779b1 & 0xffffffff) >> 16) % $2 ))
}

for ((i = 0; i < N; i++)); do
	nl_exec client ip addr add "198.18.0.$((FIRST + i))/24" dev eth0 ||
		t_fail "$T: client address $i"
done
nl_rules rr 1 1 || { t_fail "$T: -A -s rr / -a / -a"; t_done; }

want0=0 want1=0
out=$(for ((i = 0; i < N; i++)); do
	a=198.18.0.$((FIRST + i))
	nl_exec client curl -s --max-time 3 --interface "$a" "http://$NL_VIP/" || echo FAIL
done | sort | uniq -c | awk '{ print $2, $1 }')
for ((i = 0; i < N; i++)); do
	if [ "$(worker_of "198.18.0.$((FIRST + i))" 2)" = 0 ]; then
		want0=$((want0 + 1))
	else
		want1=$((want1 + 1))
	fi
done
echo "answers: $(echo $out); expected per worker: $want0 / $want1" >&2
t_is "$T: $N clients, $N answers, rr 16/16 across both workers" \
	"$(nl_count_of "$out" rs1)/$(nl_count_of "$out" rs2)/$(nl_count_of "$out" FAIL)" 16/16/0

nl_counters
sed 's/^/  /' "$NL_TMP/counters" | grep -E 'worker|forwarded|conns' >&2
t_is "$T: counters say 2 workers" "$(nl_counter workers)" 2
t_check "$T: both workers forwarded frames" \
	[ "$(nl_counter worker0_forwarded)" -gt 0 -a "$(nl_counter worker1_forwarded)" -gt 0 ]
t_is "$T: worker 0's table holds exactly its clients (kernel and daemon agree)" \
	"$(nl_counter worker0_conns)" "$want0"
t_is "$T: worker 1's table holds exactly its clients" \
	"$(nl_counter worker1_conns)" "$want1"
t_is "$T: forwarded adds up over the workers" \
	"$(nl_counter forwarded)" \
	"$(( $(nl_counter worker0_forwarded) + $(nl_counter worker1_forwarded) ))"

read -r conns inpkts _ <<<"$(nl_svc_stats TCP "$NL_VIP:80")"
t_is "$T: --stats: Conns $N" "$conns" "$N"
t_is "$T: --stats: InPkts = frames forwarded" "$inpkts" "$(nl_counter forwarded)"
t_is "$T: -c lists $N connections" \
	"$(nl_adm -L -n -c | grep -cE "^TCP .* $NL_VIP:80 ")" "$N"
t_is "$T: ActiveConn + InActConn over the real servers = $N" \
	"$(nl_adm -L -n | awk '$1 == "->" && $2 ~ /:80$/ { s += $5 + $6 } END { print s + 0 }')" "$N"

# concurrency: 4 loops at once, 25 requests each, from clients of both
# workers: rr stays exact (one scheduler under the lock), and once their
# FIN_WAIT times out (--set: 1 s) every one of them is uncounted again
nl_adm --set 900 1 300 || t_fail "$T: --set 900 1 300"
pids=()
for ((j = 0; j < 4; j++)); do
	(for ((i = 0; i < 25; i++)); do
		a=198.18.0.$((FIRST + (j * 8 + i) % N))
		nl_exec client curl -s --max-time 3 --interface "$a" "http://$NL_VIP/" || echo FAIL
	done >"$NL_TMP/par$j") &
	pids+=($!)
done
wait "${pids[@]}"	# (not a bare wait: drlbd and nginx are our children too)
out=$(cat "$NL_TMP"/par[0-3] | sort | uniq -c | awk '{ print $2, $1 }')
echo "4 x 25 in parallel: $(echo $out)" >&2
t_is "$T: 4 x 25 requests in parallel: rr exactly 50/50, none lost" \
	"$(nl_count_of "$out" rs1)/$(nl_count_of "$out" rs2)/$(nl_count_of "$out" FAIL)" 50/50/0
nl_wait 8 eval '[ "$(nl_adm -L -n | awk '"'"'$1 == "->" { s += $5 + $6 } END { print s + 0 }'"'"')" = "$N" ]'
t_is "$T: after their FIN_WAIT expired, ActiveConn + InActConn is $N again" \
	"$(nl_adm -L -n | awk '$1 == "->" { s += $5 + $6 } END { print s + 0 }')" "$N"
nl_counters
t_is "$T: ... and the tables hold $N" "$(nl_counter conns_now)" "$N"
t_is "$T: ... spread as before" \
	"$(nl_counter worker0_conns)/$(nl_counter worker1_conns)" "$want0/$want1"

# persistence for the /24: clients of both workers, one real server
nl_adm -E -t "$NL_VIP:80" -s rr -p 60 -M 255.255.255.0 || t_fail "$T: -E -p 60 -M /24"
out=$(for ((i = 0; i < 8; i++)); do
	a=198.18.0.$((FIRST + i))
	nl_exec client curl -s --max-time 3 --interface "$a" "http://$NL_VIP/" || echo FAIL
done | sort -u)
echo "-M /24 answers: $(echo $out)" >&2
t_check "$T: -M 255.255.255.0: 8 clients on both workers, one real server" \
	[ "$(echo "$out" | wc -l)" = 1 -a "$out" != FAIL ]
t_is "$T: one template (PersistConn 1)" \
	"$(nl_adm -L -n --persistent-conn | awk '$1 == "->" { s += $4 } END { print s + 0 }')" 1

t_check "$T: drlbd still running" nl_drlbd_alive
t_stop_drlbd "$T"

# --workers 4 (more than this machine's CPUs, and rings of 16 MiB): each
# worker's table holds exactly the clients fanout_worker() gives it
if nl_drlbd --workers 4; then
	nl_rules rr 1 1 || t_fail "$T: rules (--workers 4)"
	want=(0 0 0 0)
	for ((i = 0; i < N; i++)); do
		a=198.18.0.$((FIRST + i))
		w=$(worker_of "$a" 4)
		want[w]=$((want[w] + 1))
		nl_exec client curl -s --max-time 3 --interface "$a" "http://$NL_VIP/" || echo FAIL
	done >"$NL_TMP/w4"
	t_is "$T: --workers 4: $N requests answered" "$(grep -c '^rs[12]$' "$NL_TMP/w4")" "$N"
	nl_counters
	t_is "$T: --workers 4: each table holds its clients (${want[*]})" \
		"$(nl_counter worker0_conns) $(nl_counter worker1_conns) $(nl_counter worker2_conns) $(nl_counter worker3_conns)" \
		"${want[*]}"
	t_stop_drlbd "$T"
else
	t_fail "$T: drlbd --workers 4 starts"
fi

# --workers 1: no threads, the main thread forwards
if nl_drlbd --workers 1; then
	nl_rules rr 1 1 || t_fail "$T: rules (--workers 1)"
	out=$(nl_curl_count 4)
	t_is "$T: --workers 1 forwards (rr 2/2)" \
		"$(nl_count_of "$out" rs1)/$(nl_count_of "$out" rs2)" 2/2
	nl_counters
	t_is "$T: --workers 1: counters say 1 worker" "$(nl_counter workers)" 1
else
	t_fail "$T: drlbd --workers 1 starts"
fi
t_done
