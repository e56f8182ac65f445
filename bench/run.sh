#!/bin/bash
# bench/run.sh — run drlb's benchmarks (built by `make bench`; this script
# builds nothing).  Results are ratios against baselines measured in the same
# run; see bench/RESULTS.md.
#
#   bash bench/run.sh [ENTRIES [ROUNDS]]      B=build-dir (default build)
set -eu
cd "$(dirname "$0")/.."
bin=${B:-build}/bench/conn_bench
if [ ! -x "$bin" ]; then
	echo "bench/run.sh: $bin is missing: run 'make bench' (or make $bin)" >&2
	exit 2
fi
echo "# $(uname -srm), $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)"
"$bin" "$@"

# dp_bench: the data path per frame, with trace points (nobody listening)
# against the same code with tracing compiled out
dp=${B:-build}/bench/dp_bench
if [ -x "$dp" ]; then
	echo
	"$dp" 2000000 5
fi

# ring_latency: how long a lone frame waits in a TPACKET_V2 vs V3 RX ring
# (why io/ring.c uses V2).  Needs root: a veth pair in a namespace of its own.
rl=${B:-build}/bench/ring_latency
if [ -x "$rl" ] && [ "$(id -u)" = 0 ]; then
	ns=drlbrl$$
	trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
	ip netns add "$ns"
	ip -n "$ns" link add rla type veth peer name rlb
	ip -n "$ns" link set rla up
	ip -n "$ns" link set rlb up
	echo
	timeout 120 ip netns exec "$ns" "$rl" rla rlb 200
else
	echo "# ring_latency skipped (needs root and $rl)"
fi

# sched_bench: ns per scheduling decision for every registered scheduler at
# 2..10000 dests, and lc/wlc/sed/nq's index against IPVS's O(n) scan.
# SCHED_ROUNDS (default 3) rounds, best of each.
sb=${B:-build}/bench/sched_bench
if [ -x "$sb" ]; then
	echo
	"$sb" "${SCHED_ROUNDS:-3}"
else
	echo "# sched_bench skipped ($sb is missing)"
fi

# fwd_bench: frames forwarded per CPU-second of the forwarder alone, drlbd
# (ring, new flows, --capture pcap) against bench/fwd_ref in the same run;
# the connection table's bytes per entry and lookup ns at 1M and 10M entries.
# Needs root (namespaces); FB_SECS per run (default 5).
echo
bash bench/fwd_bench.sh

# cost: CPU per frame at a fixed 250 kpps, 1024 flows: drlbd (default, --workers
# 1, --batch-wait 0) against bench/fwd_ref, interleaved rounds, ratios with
# ranges; rtt: a lone request's round trip through the director, idle and
# under that load.  Need root (namespaces).
echo
bash bench/cost.sh
echo
bash bench/rtt.sh

# http_bench: wrk --latency through drlbd against straight to one real
# server, 1 and 50 connections.  Needs root, wrk and nginx.
echo
bash bench/http_bench.sh
