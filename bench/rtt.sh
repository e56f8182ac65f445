#!/bin/bash
# bench/rtt.sh — a lone request's round trip through the director: what
# drlbd's --batch-wait must not cost when the director is idle, and what it
# costs under load (needs root; run by `make bench` after cost.sh).
#
#   bash bench/rtt.sh     RTT_COUNT=300 RTT_ROUNDS=3 RTT_PPS=250000 RTT_FLOWS=1024
#                         RTT_VARIANTS="default=|nowait=--batch-wait 0"
#
# Namespaces (198.18.0.0/24): client 198.18.0.50, gen 198.18.0.100, director
# 198.18.0.2, real server 198.18.0.7 holding the VIP 198.18.0.1 (bench/gen's
# frames to port 9 end in its kernel; a UDP echo on port 7, Python, answers
# the client straight, as DR does).  The client sends one 16-byte datagram to
# VIP:7, waits for the answer, 2 ms apart, RTT_COUNT times (Python timing
# with time.perf_counter_ns: its own ~20-40 us are in every figure alike;
# client and echo SCHED_FIFO, above gen and the forwarders),
# and prints the median, p90 and p99 in microseconds:
#   idle   nothing else on the link
#   load   while bench/gen sends RTT_PPS frames/s of RTT_FLOWS UDP flows to
#          VIP:9 through the same director (a request lands among them)
# For ref (bench/fwd_ref: no ARP, so the client gets a static neighbour
# entry for the VIP at the director's MAC) and each drlbd variant, in turn,
# RTT_ROUNDS rounds (this VM's wake-up latency alone moves a median by tens
# of microseconds from one run to the next: read the ranges).
# All forwarders pinned to CPU 1 and SCHED_FIFO, gen on CPU 0, as cost.sh.
# No assertion: a benchmark.
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/netns.sh
B=${B:-build}
GEN=$B/bench/gen
REF=$B/bench/fwd_ref
COUNT=${RTT_COUNT:-300}
ROUNDS=${RTT_ROUNDS:-3}
PPS=${RTT_PPS:-250000}
FLOWS=${RTT_FLOWS:-1024}
VARIANTS=${RTT_VARIANTS:-default=|nowait=--batch-wait 0}

for x in "$GEN" "$REF" "$NL_DRLBD" "$NL_DRLBADM"; do
	[ -x "$x" ] || { echo "# rtt skipped ($x missing: make bench)"; exit 0; }
done
[ "$(id -u)" = 0 ] || { echo "# rtt skipped (needs root)"; exit 0; }
command -v python3 >/dev/null || { echo "# rtt skipped (needs python3)"; exit 0; }
CPUS=$(nproc)
GCPU=0 FCPU=$((CPUS > 1 ? 1 : 0))

nl_init rtt
nl_switch || exit 1
nl_host client 198.18.0.50/24 || exit 1
nl_host gen 198.18.0.100/24 || exit 1
nl_host dir "$NL_DIP/24" || exit 1
nl_host rs "$NL_RIP1/24" || exit 1
nl_realserver rs "$NL_VIP" || exit 1
DIRMAC=$(nl_mac dir)
RSMAC=$(nl_mac rs)

# client and echo SCHED_FIFO above the forwarders and gen: else, at load,
# what they wait for their CPU (behind gen, behind other work on this shared
# machine) is most of the round trip, not the director
nl_bg rs "$NL_TMP/echo.log" chrt -f 60 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 7))
while True:
    d, a = s.recvfrom(2048)
    s.sendto(d, a)' "$NL_VIP"

# the client: COUNT lone requests, 2 ms apart; prints "median p90 p99 lost"
cat >"$NL_TMP/client.py" <<'EOF'
import socket, sys, time
vip, n = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.2)
s.connect((vip, 7))
rtt, lost = [], 0
for i in range(n):
    t0 = time.perf_counter_ns()
    s.send(b"%016d" % i)
    try:
        while s.recv(64) != b"%016d" % i:
            pass
        rtt.append((time.perf_counter_ns() - t0) / 1000)
    except socket.timeout:
        lost += 1
    time.sleep(0.002)
rtt.sort()
q = lambda p: rtt[min(len(rtt) - 1, int(p * len(rtt)))] if rtt else 0
print("%.0f %.0f %.0f %d" % (q(0.5), q(0.9), q(0.99), lost))
EOF

# rtt NAME PID: idle, then under load
rtt() {
	local name=$1 pid=$2 idle load secs gpid
	taskset -a -pc "$FCPU" "$pid" >/dev/null
	chrt -a -f -p 50 "$pid" >/dev/null
	nl_exec client chrt -f 60 python3 "$NL_TMP/client.py" "$NL_VIP" 20 >/dev/null	# warm up
	idle=$(nl_exec client chrt -f 60 python3 "$NL_TMP/client.py" "$NL_VIP" "$COUNT")
	# long enough for the flows' announcement and the requests
	secs=$((COUNT * 3 / 1000 + 3))
	nl_exec gen taskset -c "$GCPU" chrt -f 50 "$GEN" eth0 "$DIRMAC" "$NL_VIP" 9 udp est \
		"$FLOWS" "$secs" "$PPS" 16 >/dev/null &
	gpid=$!
	sleep 1.5
	load=$(nl_exec client chrt -f 60 python3 "$NL_TMP/client.py" "$NL_VIP" "$COUNT")
	wait "$gpid"
	# shellcheck disable=SC2086 # the figures, split
	printf '%-3s %-10s %7s %7s %7s %5s   %7s %7s %7s %5s\n' "$k" "$name" $idle $load |
		tee -a "$NL_TMP/results"
}

printf '# rtt: lone UDP requests through the director, %s each, 2 ms apart; load %s kpps of %s flows\n' \
	"$COUNT" "$((PPS / 1000))" "$FLOWS"
printf '%-3s %-10s %7s %7s %7s %5s   %7s %7s %7s %5s\n' rnd '' idle_p50 p90 p99 lost load_p50 p90 p99 lost

for ((k = 1; k <= ROUNDS; k++)); do
	nl_exec client ip neigh replace "$NL_VIP" lladdr "$DIRMAC" dev eth0 nud permanent
	nl_bg dir "$NL_TMP/ref.log" "$REF" eth0 "$RSMAC"
	pid=$NL_LASTPID
	nl_wait 5 grep -q forwarding "$NL_TMP/ref.log" || { cat "$NL_TMP/ref.log" >&2; exit 1; }
	rtt ref "$pid"
	nl_stop_pid "$pid"
	nl_exec client ip neigh del "$NL_VIP" dev eth0

	IFS='|' read -r -a VAR <<<"$VARIANTS"
	for v in "${VAR[@]}"; do
		name=${v%%=*} args=${v#*=} bin=$NL_DRLBD
		if [ "${args#@}" != "$args" ]; then
			bin=${args%% *} bin=${bin#@}
			case $args in *" "*) args=${args#* } ;; *) args= ;; esac
		fi
		# shellcheck disable=SC2086 # the variant's options, split
		NL_DRLBD=$bin nl_drlbd $args || { cat "$NL_DRLBD_LOG" >&2; exit 1; }
		for port in 7 9; do
			nl_adm -A -u "$NL_VIP:$port" -s rr &&
				nl_adm -a -u "$NL_VIP:$port" -r "$NL_RIP1" -g -w 1 || exit 1
		done
		# shellcheck disable=SC2016 # expanded by eval, on each try
		nl_wait 5 eval 'nl_counters; [ "$(nl_counter arp_replies_learnt)" -ge 1 ]'
		rtt "$name" "$NL_DRLBD_PID"
		nl_stop_pid "$NL_DRLBD_PID"
		NL_DRLBD_PID=
	done
done

echo
echo "median round trip in us, min-max over the rounds: idle; under load"
awk '{ i = $2; if (!(i in n)) order[++nv] = i; n[i]++
	if (!(i in a) || $3 < a[i]) a[i] = $3; if ($3 > b[i]) b[i] = $3
	if (!(i in c) || $7 < c[i]) c[i] = $7; if ($7 > d[i]) d[i] = $7 }
	END { for (v = 1; v <= nv; v++) { i = order[v]
		printf "%-10s idle %4d-%-4d  load %4d-%-4d\n", i, a[i], b[i], c[i], d[i] } }' "$NL_TMP/results"
