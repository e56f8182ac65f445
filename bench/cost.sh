#!/bin/bash
# bench/cost.sh — CPU per frame at a fixed offered load: drlbd against the
# bare forwarder bench/fwd_ref, measured in the same run (needs root; `make
# bench` builds the binaries and runs it).  Issue 18 item 5.
#
#   bash bench/cost.sh     COST_SECS=5 COST_ROUNDS=3 COST_PPS=250000
#                          COST_FLOWS=1024 COST_BURST=16 COST_PIN=yes
#                          COST_RT=yes
#                          COST_VARIANTS="default=|w1=--workers 1|nowait=--batch-wait 0"
#
# Namespaces as fwd_bench.sh (tests/lib/netns.sh, 198.18.0.0/24, removed by
# name on exit): gen 198.18.0.100, director 198.18.0.2, sink 198.18.0.7 on
# one bridge.  bench/gen (pinned to CPU 0) sends 64-byte UDP frames of
# COST_FLOWS flows (each announced by its first datagram, paced) to the
# director's MAC, VIP 198.18.0.1:9, at COST_PPS frames/s in bursts of
# COST_BURST at absolute deadlines, for COST_SECS s.  A fixed load, unlike
# fwd_bench's full speed: the forwarders see the same arrivals and what
# differs is how much CPU each spends on them.
#
# The forwarders, in turn, round after round (ref, then each variant, then
# ref again ... and a last ref after the last round, so that each variant
# run is bracketed by two ref runs: the machine drifts over minutes):
#   ref         bench/fwd_ref: TPACKET_V2 ring, MAC rewrite, sendmmsg
#   NAME=ARGS   drlbd ARGS (COST_VARIANTS, "|"-separated; "default=" is
#               drlbd with no option: its default workers; ARGS starting
#               with @PATH run the drlbd binary PATH, e.g. a build of the
#               previous commit, in the same rounds)
# All threads of the forwarder pinned to CPU 1 (COST_PIN=no: free).
# The generator and every thread of the forwarder run SCHED_FIFO (chrt;
# COST_RT=no: not): this machine's CPUs are shared with other work (fuzzers
# under nice), and a forwarder that waits behind it for its CPU finds bigger
# bursts (cheaper frames) and overflows its ring (lost frames), which
# measures the neighbour, not the forwarder.  Real-time priority gives each
# forwarder what a director's own CPU would: it runs as soon as it is woken.
#
# Per run: the generator's achieved rate (kpps), "late" bursts (sent after the next one's deadline: the generator's CPU saturated), the forwarder's CPU time (all its threads: the sum of
# /proc/PID/task/*/schedstat's run time in ns; utime+stime ticks beside it
# as a check), the frames that reached the sink (its eth0 rx_packets), the
# frames lost (sent - received) and the CPU ns per forwarded frame.  At a
# fixed load that is the cost the issue asks about.  The kernel's transmit
# (veth, bridge, the sink's receive) runs in the forwarder's sendmmsg and is
# charged to it, for every forwarder alike.  Then each variant's ratio to
# the mean of the two ref runs around its round: per round, and min /
# median / max.
# No assertion: a benchmark.
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/netns.sh
B=${B:-build}
GEN=$B/bench/gen
REF=$B/bench/fwd_ref
SECS=${COST_SECS:-5}
ROUNDS=${COST_ROUNDS:-3}
PPS=${COST_PPS:-250000}
FLOWS=${COST_FLOWS:-1024}
BURST=${COST_BURST:-16}
VARIANTS=${COST_VARIANTS:-default=|w1=--workers 1|nowait=--batch-wait 0}
PORT=9
RT=${COST_RT:-yes}
RTGEN=()
[ "$RT" = no ] || RTGEN=(chrt -f 50)

for x in "$GEN" "$REF" "$NL_DRLBD" "$NL_DRLBADM"; do
	[ -x "$x" ] || { echo "# cost skipped ($x missing: make bench)"; exit 0; }
done
[ "$(id -u)" = 0 ] || { echo "# cost skipped (needs root)"; exit 0; }
CPUS=$(nproc)
GCPU=0 FCPU=$((CPUS > 1 ? 1 : 0))

nl_init cost
nl_switch || exit 1
nl_host gen 198.18.0.100/24 || exit 1
nl_host dir "$NL_DIP/24" || exit 1
nl_host sink "$NL_RIP1/24" || exit 1
DIRMAC=$(nl_mac dir)
SINKMAC=$(nl_mac sink)
HZ=$(getconf CLK_TCK)

# run time of every thread of PID, ns; and utime+stime ticks
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
sink_rx() { nl_exec sink cat /sys/class/net/eth0/statistics/rx_packets; }

# measure NAME ROUND PID: one run of gen against the forwarder PID
measure() {
	local name=$1 round=$2 pid=$3 n0 n1 c0 c1 r0 r1 t0 t1 out
	[ "${COST_PIN:-yes}" = no ] || taskset -a -pc "$FCPU" "$pid" >/dev/null
	[ "$RT" = no ] || chrt -a -f -p 50 "$pid" >/dev/null
	n0=$(cpu_ns "$pid") c0=$(cpu_ticks "$pid") r0=$(sink_rx) t0=$(date +%s%N)
	out=$(nl_exec gen timeout $((SECS + 30)) taskset -c "$GCPU" "${RTGEN[@]}" "$GEN" eth0 \
		"$DIRMAC" "$NL_VIP" "$PORT" udp est "$FLOWS" "$SECS" "$PPS" "$BURST")
	sleep 0.3
	n1=$(cpu_ns "$pid") c1=$(cpu_ticks "$pid") r1=$(sink_rx) t1=$(date +%s%N)
	# the flows' first datagrams come before the timed part: in both counts
	awk -v n="$name" -v k="$round" -v g="$out" -v f="$FLOWS" -v ns=$((n1 - n0)) \
	    -v c=$((c1 - c0)) -v r=$((r1 - r0)) -v hz="$HZ" -v w=$((t1 - t0)) 'BEGIN {
		split(g, a, " "); sent = a[2] + f; sub(/^\(/, "", a[7])
		printf "%-3d %-12s %10d %6.1f %10d %7d %6.1f%% %9.0f %9.0f %6d\n", k, n, sent,
		    a[7] / 1000, r, sent - r, 100 * ns / w, (r > 0 ? ns / r : 0),
		    (r > 0 ? 1e9 * c / hz / r : 0), a[11]
	}'
}

drlbd_up() { # ARGS...
	nl_drlbd "$@" || { cat "$NL_DRLBD_LOG" >&2; exit 1; }
	nl_adm -A -u "$NL_VIP:$PORT" -s rr &&
		nl_adm -a -u "$NL_VIP:$PORT" -r "$NL_RIP1" -g -w 1 || exit 1
	# shellcheck disable=SC2016 # expanded by eval, on each try
	nl_wait 5 eval 'nl_counters; [ "$(nl_counter arp_replies_learnt)" -ge 1 ]'
}
drlbd_down() {
	nl_counters
	echo "#   $1: rx_kernel_drops $(nl_counter rx_kernel_drops)" \
		"no_conn $(nl_counter no_conn) tx_errors $(nl_counter tx_errors)" \
		"frames/sendmmsg $(awk -v f="$(nl_counter tx_frames)" -v b="$(nl_counter tx_batches)" 'BEGIN { printf "%.1f", (b > 0 ? f / b : 0) }')" >&2
	nl_stop_pid "$NL_DRLBD_PID"
	NL_DRLBD_PID=
}

printf '# cost: %s kpps of 64-byte UDP, %s flows, bursts of %s, %s s per run, %s rounds; gen on CPU %s, forwarder on CPU %s%s\n' \
	"$((PPS / 1000))" "$FLOWS" "$BURST" "$SECS" "$ROUNDS" "$GCPU" "$FCPU" \
	"$([ "${COST_PIN:-yes}" = no ] && echo ' (not pinned)')$([ "$RT" = no ] || echo ', SCHED_FIFO')"
printf '# %s, %s CPUs, %s\n' "$(uname -srm)" "$CPUS" "$(date -u +%Y-%m-%dT%H:%MZ)"
printf '%-3s %-12s %10s %6s %10s %7s %7s %9s %9s %6s\n' rnd run sent kpps sink_rx lost fwd_cpu 'ns/frame' 'tick-ns' late
res=$NL_TMP/results
IFS='|' read -r -a VAR <<<"$VARIANTS"
run_ref() { # ROUND
	local pid
	nl_bg dir "$NL_TMP/ref.log" "$REF" eth0 "$SINKMAC"
	pid=$NL_LASTPID
	nl_wait 5 grep -q forwarding "$NL_TMP/ref.log" || { cat "$NL_TMP/ref.log" >&2; exit 1; }
	measure ref "$1" "$pid" | tee -a "$res"
	nl_stop_pid "$pid"
	# its closing line: rx N tx N tx_errors N batches N
	awk '/^fwd_ref: rx/ { printf "#   ref: frames/sendmmsg %.1f\n", ($9 > 0 ? $3 / $9 : 0) }' \
		"$NL_TMP/ref.log" >&2
}
for ((k = 1; k <= ROUNDS; k++)); do
	run_ref "$k"
	for v in "${VAR[@]}"; do
		name=${v%%=*} args=${v#*=} bin=$NL_DRLBD
		if [ "${args#@}" != "$args" ]; then
			bin=${args%% *} bin=${bin#@}
			case $args in *" "*) args=${args#* } ;; *) args= ;; esac
		fi
		# shellcheck disable=SC2086 # the variant's options, split
		NL_DRLBD=$bin drlbd_up $args
		measure "$name" "$k" "$NL_DRLBD_PID" | tee -a "$res"
		drlbd_down "$name"
	done
done
# the last round's closing bracket
run_ref $((ROUNDS + 1))

echo
echo "CPU ns per forwarded frame / the ref runs before and after it (their mean; schedstat; ticks in brackets)"
awk '{ ns[$1, $2] = $8; t[$1, $2] = $9; if (!($2 in seen)) { seen[$2] = 1; order[++nv] = $2 }; if ($2 != "ref" && $1 > R) R = $1 }
	function br(a, k) { return a["" (k + 1), "ref"] > 0 ? (a["" k, "ref"] + a["" (k + 1), "ref"]) / 2 : a["" k, "ref"] }
	function sort(a, n,   i, j, x) { for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x } }
	END {
		for (v = 1; v <= nv; v++) {
			name = order[v]
			if (name == "ref") continue
			line = sprintf("%-12s", name); m = 0
			for (k = 1; k <= R; k++) {
				if (br(ns, k) <= 0 || ns["" k, name] <= 0) continue
				q[++m] = ns["" k, name] / br(ns, k)
				line = line sprintf(" %5.3f (%4.2f)", q[m], br(t, k) > 0 ? t["" k, name] / br(t, k) : 0)
			}
			sort(q, m)
			printf "%s   min %.3f median %.3f max %.3f\n", line, q[1], (m % 2 ? q[(m + 1) / 2] : (q[m / 2] + q[m / 2 + 1]) / 2), q[m]
		}
	}' "$res"
