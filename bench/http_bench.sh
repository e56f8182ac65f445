#!/bin/bash
# bench/http_bench.sh — end-to-end HTTP through drlbd against the same load
# straight to one real server, measured in the same run (needs root, wrk and
# nginx; `make bench` runs it).
#
#   bash bench/http_bench.sh   HB_SECS=5 HB_CONNS="1 50" HB_CAPTURE=ring HB_DRLBD_ARGS=
#
# The recipe's topology (tests/lib/netns.sh: client .100, director .2, rs1
# .7, rs2 .8 with nginx, 198.18.0.0/24 only, removed by name on exit), drlbd
# with wlc over both real servers.  For each connection count C in HB_CONNS:
# wrk --latency -c C for HB_SECS seconds from the client to the VIP (through
# drlbd), then to rs1's RIP (no director), and the ratios: request rate
# through / direct, and the latency percentiles side by side (their
# difference at 1 connection is what the director adds to a request).
# Through the VIP the load goes to two real servers, straight to the RIP to
# one: at 50 connections the ratio may exceed 1.  No assertion: a benchmark.
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/netns.sh
SECS=${HB_SECS:-5}
CONNS=${HB_CONNS:-1 50}

[ "$(id -u)" = 0 ] || { echo "# http_bench skipped (needs root)"; exit 0; }
for x in wrk nginx; do
	command -v "$x" >/dev/null || { echo "# http_bench skipped ($x not installed)"; exit 0; }
done
nl_have_drlb || { echo "# http_bench skipped (build/drlbd missing)"; exit 0; }

nl_init httpb
nl_dr_topology || exit 1
# shellcheck disable=SC2086 # HB_DRLBD_ARGS: words on purpose
nl_drlbd ${HB_CAPTURE:+--capture "$HB_CAPTURE"} ${HB_DRLBD_ARGS:-} || exit 1
nl_rules wlc 1 1 || exit 1
# shellcheck disable=SC2016 # expanded by eval, on each try
nl_wait 5 eval 'nl_counters; [ "$(nl_counter arp_replies_learnt)" -ge 2 ]'
nl_exec client curl -s --max-time 3 "http://$NL_VIP/" >/dev/null

# wrk_run C URL: "req/s p50 p75 p90 p99" (latencies in ms)
wrk_run() {
	local c=$1 url=$2 t
	t=$((c < 2 ? 1 : 2))
	nl_exec client timeout $((SECS + 30)) wrk -t "$t" -c "$c" -d "${SECS}s" --latency "$url" |
		awk 'function ms(v) {
			if (v ~ /us$/) return v / 1000
			if (v ~ /ms$/) return v + 0
			if (v ~ /s$/) return v * 1000
			return v + 0
		}
		/^ +50%/ { p50 = ms($2) } /^ +75%/ { p75 = ms($2) }
		/^ +90%/ { p90 = ms($2) } /^ +99%/ { p99 = ms($2) }
		/^Requests\/sec:/ { r = $2 }
		END { printf "%.0f %.3f %.3f %.3f %.3f\n", r, p50, p75, p90, p99 }'
}

echo "# http_bench: wrk --latency, ${SECS} s per run, nginx on rs1/rs2, drlbd ${HB_CAPTURE:-ring}"
printf '%-6s %-14s %10s %9s %9s %9s %9s\n' conns path 'req/s' 'p50 ms' 'p75 ms' 'p90 ms' 'p99 ms'
for c in $CONNS; do
	# shellcheck disable=SC2046
	set -- $(wrk_run "$c" "http://$NL_VIP/")
	v="$*"
	# shellcheck disable=SC2046
	set -- $(wrk_run "$c" "http://$NL_RIP1/")
	d="$*"
	# shellcheck disable=SC2086
	printf '%-6s %-14s %10s %9s %9s %9s %9s\n' "$c" "via drlbd" $v
	# shellcheck disable=SC2086
	printf '%-6s %-14s %10s %9s %9s %9s %9s\n' "$c" "direct to rs1" $d
	awk -v v="$v" -v d="$d" -v c="$c" 'BEGIN {
		split(v, a, " "); split(d, b, " ")
		printf "%-6s %-14s %10.2f %+9.3f %+9.3f %+9.3f %+9.3f   (req/s ratio; added ms)\n",
		    c, "drlbd/direct", (b[1] > 0 ? a[1] / b[1] : 0), a[2] - b[2], a[3] - b[3], a[4] - b[4], a[5] - b[5]
	}'
done
nl_counters
echo "# drlbd: forwarded $(nl_counter forwarded), conns_new $(nl_counter conns_new), rx_kernel_drops $(nl_counter rx_kernel_drops)"
