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
