#!/bin/bash
# bench/fwd_bench.sh — forwarding cost of drlbd against a minimal reference
# forwarder, measured in the same run (needs root; `make bench` builds the
# binaries and runs it).
#
#   bash bench/fwd_bench.sh        FB_SECS=5 FB_FLOWS=4096 FB_CONN_BENCH=1 FB_RT=no
#
# FB_RT=yes: gen and every thread of the forwarder SCHED_FIFO (chrt), as
# bench/cost.sh does: when other work shares the machine (fuzzers under
# nice), a forwarder that is not real-time waits behind it for its CPU and
# the kernel drops most frames at its full ring -- what is measured then is
# the neighbour.
# Namespaces (tests/lib/netns.sh, 198.18.0.0/24 only, removed by name on
# exit): gen 198.18.0.100, director 198.18.0.2, sink 198.18.0.7 (the real
# server) on one bridge.  bench/gen sends 64-byte TCP frames to the
# director's MAC, VIP 198.18.0.1:9, for FB_SECS seconds at full speed,
# pinned to CPU 0; the forwarder runs pinned to CPU 1 and sends them on to
# the sink's MAC.  In turn, each for the same time:
#   ref        bench/fwd_ref (TPACKET_V2 ring -> MAC rewrite -> sendmmsg)
#   ring       drlbd (its AF_PACKET ring), FB_FLOWS established flows
#   ring-new   drlbd, every frame a new flow (a SYN from a new port/address)
#   pcap       drlbd --capture pcap, FB_FLOWS established flows
#   ref-bypass, ring-bypass   ref and ring transmitting with
#              PACKET_QDISC_BYPASS (drlbd --qdisc-bypass)
#   (those four forward with one thread: --workers 1, pinned to CPU 1)
#   w1, w2     drlbd --workers 1, then --workers 2 (PACKET_FANOUT over two
#              threads), FB_FLOWS established flows from 256 client
#              addresses, the threads not pinned: the scaling from 1 to 2
#              workers.  This machine has 2 CPUs and the generator keeps
#              one of them busy, so the second worker shares a CPU with
#              it: the figure is a floor for what a third CPU would give.
#   ring-8, ring-128   drlbd --workers 1 --ring-size 8 / 128 (MiB; default
#              32): how the ring's depth changes the frames the kernel drops
#              while the forwarder waits for its CPU
#   w2-1cpu    drlbd --workers 2 with both threads pinned to CPU 1: what
#              two workers cost over one on the same CPU (fanout, two
#              rings, smaller batches) -- the overhead of the design itself
# For each: frames that reached the sink (its eth0 rx_packets) per CPU-second
# of the forwarder process alone (utime+stime from /proc/PID/stat, before
# and after), the frames per second, the forwarder's CPU share and the
# user-time part of its CPU time (the rest is the kernel's) also as user
# ns per forwarded frame (10 ms tick resolution: rough).  The
# kernel work of transmitting (veth, bridge, the sink's receive) runs in the
# forwarder's sendmmsg and is part of its CPU time, for every forwarder
# alike.  Then the ratios, and the connection table's memory per entry and
# lookup time at 1M and 10M entries (build/bench/conn_bench).
# No assertion: a benchmark.
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/netns.sh
B=${B:-build}
GEN=$B/bench/gen
REF=$B/bench/fwd_ref
SECS=${FB_SECS:-5}
FLOWS=${FB_FLOWS:-4096}
PORT=9
RT=${FB_RT:-no}
RTGEN=()
[ "$RT" = no ] || RTGEN=(chrt -f 50)

for x in "$GEN" "$REF" "$NL_DRLBD" "$NL_DRLBADM"; do
	[ -x "$x" ] || { echo "# fwd_bench skipped ($x missing: make bench)"; exit 0; }
done
[ "$(id -u)" = 0 ] || { echo "# fwd_bench skipped (needs root)"; exit 0; }
CPUS=$(nproc)
GCPU=0 FCPU=$((CPUS > 1 ? 1 : 0))

nl_init fwdb
nl_switch || exit 1
nl_host gen 198.18.0.100/24 || exit 1
nl_host dir "$NL_DIP/24" || exit 1
nl_host sink "$NL_RIP1/24" || exit 1
DIRMAC=$(nl_mac dir)
SINKMAC=$(nl_mac sink)
HZ=$(getconf CLK_TCK)

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
utime() { awk '{ print $14 }' "/proc/$1/stat"; }
sink_rx() { nl_exec sink cat /sys/class/net/eth0/statistics/rx_packets; }

# run_gen NAME PID MODE...: one measured run against the forwarder PID
run_gen() {
	local name=$1 pid=$2 c0 c1 u0 u1 r0 r1 t0 t1 out
	shift 2
	# the forwarder on its own CPU (all its threads), unless RG_PIN=no
	[ "${RG_PIN:-yes}" = no ] || taskset -a -pc "$FCPU" "$pid" >/dev/null
	# above gen: unpinned (w1, w2), a thread on gen's CPU still runs when woken
	[ "$RT" = no ] || chrt -a -f -p 51 "$pid" >/dev/null
	c0=$(cpu_ticks "$pid") u0=$(utime "$pid") r0=$(sink_rx) t0=$(date +%s.%N)
	out=$(nl_exec gen timeout $((SECS + 30)) taskset -c "$GCPU" "${RTGEN[@]}" "$GEN" eth0 \
		"$DIRMAC" "$NL_VIP" "$PORT" tcp "$@" "$SECS")
	sleep 0.3
	c1=$(cpu_ticks "$pid") u1=$(utime "$pid") r1=$(sink_rx) t1=$(date +%s.%N)
	awk -v n="$name" -v g="$out" -v c=$((c1 - c0)) -v r=$((r1 - r0)) -v u=$((u1 - u0)) \
	    -v w="$(echo "$t1 - $t0" | bc)" -v hz="$HZ" 'BEGIN {
		cs = c / hz; if (cs <= 0) cs = 1 / hz
		split(g, a, " ")
		printf "%-9s %12d %12d %10.0f %7.0f%% %6.0f%% %14.0f %8.0f\n", n, a[2], r, r / w, 100 * cs / w, 100 * u / (c > 0 ? c : 1), r / cs, (r > 0 ? 1e9 * u / hz / r : 0)
	}'
}

printf '# fwd_bench: %s s per run, 64-byte TCP frames, gen on CPU %s, forwarder on CPU %s%s\n' \
	"$SECS" "$GCPU" "$FCPU" "$([ "$RT" = no ] || echo ', SCHED_FIFO')"
printf '%-9s %12s %12s %10s %8s %7s %14s %8s\n' run gen_sent sink_rx frames/s fwd_cpu user 'frames/CPU-s' 'user ns'
res=$NL_TMP/results

# ---- the reference forwarder
nl_bg dir "$NL_TMP/ref.log" "$REF" eth0 "$SINKMAC"
REFPID=$NL_LASTPID
nl_wait 5 grep -q forwarding "$NL_TMP/ref.log" || { cat "$NL_TMP/ref.log" >&2; exit 1; }
run_gen ref "$REFPID" est "$FLOWS" | tee -a "$res"
nl_stop_pid "$REFPID"
nl_bg dir "$NL_TMP/refb.log" "$REF" eth0 "$SINKMAC" bypass
REFPID=$NL_LASTPID
nl_wait 5 grep -q forwarding "$NL_TMP/refb.log" || { cat "$NL_TMP/refb.log" >&2; exit 1; }
run_gen ref-bypass "$REFPID" est "$FLOWS" | tee -a "$res"
nl_stop_pid "$REFPID"

# ---- drlbd: rules for the sink, wait until its MAC is learnt
drlbd_up() { # ARGS...
	nl_drlbd --max-conns 8388608 "$@" || { cat "$NL_DRLBD_LOG" >&2; exit 1; }
	nl_adm -A -t "$NL_VIP:$PORT" -s rr &&
		nl_adm -a -t "$NL_VIP:$PORT" -r "$NL_RIP1" -g -w 1 || exit 1
	# shellcheck disable=SC2016 # expanded by eval, on each try
	nl_wait 5 eval 'nl_counters; [ "$(nl_counter arp_replies_learnt)" -ge 1 ]'
}
drlbd_down() {
	nl_counters
	echo "#   drlbd counters: forwarded $(nl_counter forwarded) conns_new $(nl_counter conns_new)" \
		"rx_kernel_drops $(nl_counter rx_kernel_drops) table_full $(nl_counter table_full)" \
		"no_conn $(nl_counter no_conn) tx_errors $(nl_counter tx_errors)"
	nl_stop_pid "$NL_DRLBD_PID"
	NL_DRLBD_PID=
}

drlbd_up --workers 1
run_gen ring "$NL_DRLBD_PID" est "$FLOWS" | tee -a "$res"
drlbd_down
drlbd_up --workers 1
run_gen ring-new "$NL_DRLBD_PID" new | tee -a "$res"
drlbd_down
drlbd_up --workers 1 --qdisc-bypass
run_gen ring-bypass "$NL_DRLBD_PID" est "$FLOWS" | tee -a "$res"
drlbd_down
drlbd_up --capture pcap
run_gen pcap "$NL_DRLBD_PID" est "$FLOWS" | tee -a "$res"
drlbd_down

# ---- the ring's depth
for mb in 8 128; do
	drlbd_up --workers 1 --ring-size "$mb"
	run_gen "ring-$mb" "$NL_DRLBD_PID" est "$FLOWS" | tee -a "$res"
	drlbd_down
done

# ---- scaling: 1 and 2 workers, threads free to move
drlbd_up --workers 1
RG_PIN=no run_gen w1 "$NL_DRLBD_PID" est "$FLOWS" | tee -a "$res"
drlbd_down
drlbd_up --workers 2
RG_PIN=no run_gen w2 "$NL_DRLBD_PID" est "$FLOWS" | tee -a "$res"
nl_counters
echo "#   worker0_forwarded $(nl_counter worker0_forwarded) worker1_forwarded $(nl_counter worker1_forwarded)"
drlbd_down
drlbd_up --workers 2
run_gen w2-1cpu "$NL_DRLBD_PID" est "$FLOWS" | tee -a "$res"
drlbd_down

echo
awk '{ f[$1] = $7; r[$1] = $4; u[$1] = $8 }	# run gen_sent sink_rx frames/s cpu user frames/CPU-s user-ns/frame
	function q(a, b) { return b > 0 ? a / b : 0 }
	END {
		printf "%-46s %6.2f   (frames/s %.2f)\n", "drlbd ring / reference, per CPU-second", q(f["ring"], f["ref"]), q(r["ring"], r["ref"])
		printf "%-46s %6.2f   (frames/s %.2f)\n", "drlbd pcap / ring, per CPU-second", q(f["pcap"], f["ring"]), q(r["pcap"], r["ring"])
		printf "%-46s %6.2f   (frames/s %.2f)\n", "drlbd new flows / established, per CPU-second", q(f["ring-new"], f["ring"]), q(r["ring-new"], r["ring"])
		printf "%-46s %6.0f ns (reference %.0f ns)\n", "drlbd ring user time per frame", u["ring"], u["ref"]
		printf "%-46s %6.2f   (frames/s %.2f)\n", "qdisc bypass / not: reference, per CPU-second", q(f["ref-bypass"], f["ref"]), q(r["ref-bypass"], r["ref"])
		printf "%-46s %6.2f   (frames/s %.2f)\n", "qdisc bypass / not: drlbd, per CPU-second", q(f["ring-bypass"], f["ring"]), q(r["ring-bypass"], r["ring"])
		printf "%-46s %6.2f / %.2f (frames/s %.2f / %.2f)\n", "ring 8 MiB, 128 MiB / 32 MiB, per CPU-second", q(f["ring-8"], f["ring"]), q(f["ring-128"], f["ring"]), q(r["ring-8"], r["ring"]), q(r["ring-128"], r["ring"])
		printf "%-46s %6.2f   (per CPU-second %.2f)\n", "2 workers / 1 worker, frames/s", q(r["w2"], r["w1"]), q(f["w2"], f["w1"])
		printf "%-46s %6.2f   (per CPU-second %.2f)\n", "2 workers on 1 CPU / 1 worker (ring), frames/s", q(r["w2-1cpu"], r["ring"]), q(f["w2-1cpu"], f["ring"])
	}' "$res"

# ---- the connection table: memory per entry, lookup time
if [ "${FB_CONN_BENCH:-1}" = 1 ] && [ -x "$B/bench/conn_bench" ]; then
	echo
	printf '%-12s %16s %16s %16s\n' entries 'bytes/entry' 'lookup hit ns' 'lookup miss ns'
	for n in 1048576 10485760; do
		"$B/bench/conn_bench" "$n" 1 | awk -v n="$n" '
			/^lookup hit/ { h = 1000 / $(NF - 4) }
			/^lookup miss/ { m = 1000 / $(NF - 4) }
			/^bytes per entry/ { b = $(NF - 4) }
			END { printf "%-12d %16.1f %16.1f %16.1f\n", n, b, h, m }'
	done
fi
