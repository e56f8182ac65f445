#!/bin/bash
# live_compare.sh — the same wrk load through drlbd, once per scheduler, on
# real TCP in network namespaces: latency percentiles and how many requests
# each real server answered.  A benchmark, not a test: it asserts nothing.
#
#   sudo bash bench/live_compare.sh [SCHED...]     (default: rr wrr lc wlc sed nq sh mh)
#
# SCHED may carry -b flags after a '+': mh+mh-port, sh+sh-port (with one
# client address, sh and mh without -port send everything to one server).
#
# Environment:
#   LC_DURATION  wrk seconds per scheduler (10)   LC_CONNS  wrk connections (20)
#   LC_RATES     egress rate of rs1 rs2 rs3, mbit/s ("40 20 10": fast,
#                medium, slow)
#   LC_WEIGHTS   their weights ("4 2 1", the rates' ratio)
#   LC_BODY      size of the page wrk fetches, bytes (8192)
#   LC_OUT       where results.csv / results.md go (build/live_compare)
#
# Topology (tests/lib/netns.sh, the recipe's plus a third real server):
#   client 198.18.0.100 -- bridge -- director 198.18.0.2 (drlbd owns VIP .1)
#                                 -- rs1 .7, rs2 .8, rs3 .9 (VIP on lo, nginx)
# Each real server's eth0 -- its own end of its own veth, inside its own
# namespace -- gets a token-bucket rate limit (tc tbf), so a real server's
# capacity in pages per second is its rate / page size, 4:2:1 by default,
# and a server sent more than it can carry queues its replies: it holds
# each connection longer.  (netem's delay would be the other choice; this
# kernel has no sch_netem, tbf is there.)
# wrk sends "Connection: close", so every request is a new TCP connection
# and a new scheduling decision.  drlbd is restarted for every scheduler
# (a fresh connection table: no port reused from the previous run lands on
# its old real server).  Only 198.18.0.0/24, only namespaces this script
# creates, all removed by name on exit (also on Ctrl-C); every wait bounded.
set -u
cd "$(dirname "$0")/.." || exit 1
. tests/lib/netns.sh

SCHEDS=${*:-rr wrr lc wlc sed nq sh mh}
DUR=${LC_DURATION:-10}
CONNS=${LC_CONNS:-20}
read -r -a RATES <<<"${LC_RATES:-40 20 10}"
read -r -a WEIGHTS <<<"${LC_WEIGHTS:-4 2 1}"
BODY=${LC_BODY:-8192}
OUT=${LC_OUT:-build/live_compare}
RIP3=198.18.0.9
RIPS=("$NL_RIP1" "$NL_RIP2" "$RIP3")

if [ "$(id -u)" != 0 ]; then
	echo "live_compare: needs root (network namespaces): sudo bash $0" >&2
	exit 1
fi
for c in wrk nginx tc curl; do
	command -v "$c" >/dev/null || { echo "live_compare: $c is missing (tools/install-deps.sh --all)" >&2; exit 1; }
done
nl_have_drlb || { echo "live_compare: build/drlbd and build/drlbadm are missing: make" >&2; exit 1; }
if [ ${#RATES[@]} != 3 ] || [ ${#WEIGHTS[@]} != 3 ]; then
	echo "live_compare: LC_RATES / LC_WEIGHTS need 3 values" >&2
	exit 2
fi
mkdir -p "$OUT" || exit 1

nl_init livecmp
die() { echo "live_compare: $*" >&2; t_drlbd_log; exit 1; }
T0=$SECONDS

# ---- topology: the recipe's, plus rs3
nl_switch || die "switch"
nl_host client "$NL_CIP/24" || die "client"
nl_host dir "$NL_DIP/24" || die "director"
for i in 1 2 3; do
	nl_host "rs$i" "${RIPS[i - 1]}/24" || die "rs$i"
	nl_realserver "rs$i" "$NL_VIP" || die "drlb-realserver on rs$i"
	nl_nginx "rs$i" "rs$i" || die "nginx on rs$i"
	# the page: nl_nginx serves $NL_TMP/nginx-NAME/big at /big
	head -c "$BODY" /dev/zero | tr '\0' "$i" >"$NL_TMP/nginx-rs$i/big"
	# a queue of up to 1 MB, so an overloaded server delays rather than drops
	nl_exec "rs$i" tc qdisc add dev eth0 root tbf rate "${RATES[i - 1]}mbit" \
		burst 32kb limit 1mb || die "tc tbf on rs$i"
done
# 64k client ports (this namespace only), so that a run of tens of
# thousands of connections does not reuse a port still in drlbd's table
nl_exec client sysctl -qw net.ipv4.ip_local_port_range="1024 65535"

# per-server requests served, from the nginx access logs
served() { wc -l <"$NL_TMP/nginx-rs$1/access.log"; }

# wait_resolved: all three real servers' MACs learnt (drlbd schedules none before)
n_resolved() { nl_adm -L -n --json 2>/dev/null | grep -o '"arp": *"resolved"' | wc -l; }
wait_resolved() {
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(n_resolved)" -ge 3 ] && return 0
		nl_exec client curl -s -o /dev/null --max-time 1 "http://$NL_VIP/" || true
		sleep 0.1
	done
	return 1
}

# conns_of RIP: Conns of that real server in `-L -n --stats`
conns_of() { nl_adm -L -n --stats | awk -v r="$1:80" '$1 == "->" && $2 == r { print $3; exit }'; }

# wrk's "50% 1.23ms" lines -> ms
to_ms() {
	awk '{ v = $1; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
	       if (u == "us") v /= 1000; else if (u == "s") v *= 1000; else if (u == "m") v *= 60000;
	       printf "%.2f", v }'
}

CSV=$OUT/results.csv
MD=$OUT/results.md
echo "sched,requests,req_per_s,p50_ms,p75_ms,p90_ms,p99_ms,errors,rs1_req,rs2_req,rs3_req,rs1_conns,rs2_conns,rs3_conns" >"$CSV"
{
	echo "wrk -t2 -c$CONNS -d${DUR}s --latency -H 'Connection: close' through drlbd;"
	echo "GET /big ($BODY bytes); rs1/rs2/rs3: egress ${RATES[*]} mbit/s (tc tbf), weights ${WEIGHTS[*]};"
	echo "$(uname -sr), $(nproc) CPUs, $(date -u +%Y-%m-%d)"
	echo
	echo "| sched | req/s | p50 ms | p75 ms | p90 ms | p99 ms | errors | rs1 req | rs2 req | rs3 req | share rs1:rs2:rs3 |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
} >"$MD"
printf '%-6s %9s %8s %8s %8s %8s %6s %8s %8s %8s  %s\n' sched req/s p50ms p75ms p90ms p99ms errors rs1 rs2 rs3 "share %"

for s in $SCHEDS; do
	nl_drlbd || die "drlbd did not start"
	case $s in
	*+*) nl_adm -A -t "$NL_VIP:80" -s "${s%%+*}" -b "${s#*+}" || die "-A -s $s" ;;
	*) nl_adm -A -t "$NL_VIP:80" -s "$s" || die "-A -s $s" ;;
	esac
	for i in 1 2 3; do
		nl_adm -a -t "$NL_VIP:80" -r "${RIPS[i - 1]}" -g -w "${WEIGHTS[i - 1]}" || die "-a rs$i"
	done
	wait_resolved || die "$s: real servers' MACs not learnt within 5 s"
	nl_adm -Z || die "-Z"
	b1=$(served 1) b2=$(served 2) b3=$(served 3)
	out=$(timeout $((DUR + 30)) ip netns exec "$(nl_ns client)" \
		wrk -t2 -c"$CONNS" -d"${DUR}s" --latency -H 'Connection: close' "http://$NL_VIP/big" 2>&1)
	sleep 0.3	# the last access-log lines
	r1=$(($(served 1) - b1)) r2=$(($(served 2) - b2)) r3=$(($(served 3) - b3))
	c1=$(conns_of "$NL_RIP1") c2=$(conns_of "$NL_RIP2") c3=$(conns_of "$RIP3")
	nl_stop_pid "$NL_DRLBD_PID" >/dev/null 2>&1
	NL_DRLBD_PID=

	p50=$(echo "$out" | awk '$1 == "50%" { print $2 }' | to_ms)
	p75=$(echo "$out" | awk '$1 == "75%" { print $2 }' | to_ms)
	p90=$(echo "$out" | awk '$1 == "90%" { print $2 }' | to_ms)
	p99=$(echo "$out" | awk '$1 == "99%" { print $2 }' | to_ms)
	rps=$(echo "$out" | awk '$1 == "Requests/sec:" { printf "%.0f", $2 }')
	req=$(echo "$out" | awk '/requests in/ { print $1 }')
	# socket errors (connect, read, write, timeout) + non-2xx answers
	err=$(echo "$out" | awk '/Socket errors/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 }
	                          /Non-2xx/ { n += $NF } END { print n + 0 }')
	tot=$((r1 + r2 + r3))
	share=$(awk -v a="$r1" -v b="$r2" -v c="$r3" -v t="$tot" \
		'BEGIN { if (t) printf "%.0f:%.0f:%.0f", 100*a/t, 100*b/t, 100*c/t; else print "-" }')
	printf '%-6s %9s %8s %8s %8s %8s %6s %8s %8s %8s  %s\n' "$s" "${rps:--}" "${p50:--}" "${p75:--}" \
		"${p90:--}" "${p99:--}" "$err" "$r1" "$r2" "$r3" "$share"
	echo "$s,${req:-},${rps:-},$p50,$p75,$p90,$p99,$err,$r1,$r2,$r3,${c1:-},${c2:-},${c3:-}" >>"$CSV"
	echo "| $s | ${rps:--} | $p50 | $p75 | $p90 | $p99 | $err | $r1 | $r2 | $r3 | $share |" >>"$MD"
	[ -n "$rps" ] || { echo "wrk said:"; echo "$out"; } >&2
done
echo "# $((SECONDS - T0)) s; table in $MD, CSV in $CSV"
