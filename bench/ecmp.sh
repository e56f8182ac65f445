#!/bin/bash
# bench/ecmp.sh — the figures of README "Several directors", over several
# runs: tests/integration/ecmp_kill.sh and ecmp_drain.sh (three directors
# behind a BIRD router with ECMP, drlbd --no-arp --sloppy-tcp with mh) run
# RUNS times each (default 5); each run prints its figures on stderr, which
# this collects.  Root, bird and birdc (bash tools/install-deps.sh --all).
#
#   sudo bash bench/ecmp.sh [RUNS]
set -u
cd "$(dirname "$0")/.."
runs=${1:-5}
echo "# $(uname -srm), $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ), $runs runs each"
for t in ecmp_kill ecmp_drain; do
	for ((i = 1; i <= runs; i++)); do
		err=$(mktemp)
		out=$(bash "tests/integration/$t.sh" 2>"$err")
		rc=$?
		echo "## $t run $i: exit $rc, $(grep -c '^ok' <<<"$out") ok, $(grep -c '^not ok' <<<"$out") not ok"
		grep -E '^(ipv[46]|split|SIGKILL|link)' "$err" | grep -v '^ipv[46]: per real server' | sed 's/^/  /'
		grep -E '^ipv[46]: per real server' "$err" | sed 's/^/  /'
		rm -f "$err"
	done
done
