#!/bin/bash
# bench/lab/run.sh — the scheduler lab's standard experiments (`make lab`
# builds build/bench/lab and runs this).  Each experiment writes to
# $LAB_OUT/NAME/: summary.txt (the table below), summary.csv,
# timeseries.csv, plot.gp and, when gnuplot is installed, imbalance.png,
# cv.png, summary.png, decisions.png.  bench/lab/README.md explains them.
#
#   bash bench/lab/run.sh        B=build-dir  LAB_OUT=dir (default $B/lab)
#                                LAB_SCHEDS=rr,wlc,...  (default all 14)
#                                LAB_SEED=N (default 1)
set -eu
cd "$(dirname "$0")/../.."
B=${B:-build}
lab=$B/bench/lab
out=${LAB_OUT:-$B/lab}
scheds=${LAB_SCHEDS:-rr,wrr,lc,wlc,sed,nq,fo,ovf,twos,dh,sh,mh,lblc,lblcr}
seed=${LAB_SEED:-1}
if [ ! -x "$lab" ]; then
	echo "bench/lab/run.sh: $lab is missing: run 'make lab' (or make $lab)" >&2
	exit 2
fi

run() { # NAME LAB-ARGS...
	local name=$1
	shift
	mkdir -p "$out/$name"
	echo
	"$lab" -o "$out/$name" -s "$scheds" --seed "$seed" "$@" | tee "$out/$name/summary.txt"
}

echo "# $(uname -srm), $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)"
# 1. steady Poisson arrivals, lognormal work; rs2 taken out (-d) and put back (-a)
run poisson --workload poisson --life lognormal --rate 40 --mean-work 2 \
	--fail 2@200-400 --fail-mode remove \
	--title "Poisson 40/s, lognormal work, rs2 removed at 200 s, re-added at 400 s"
# 2. on/off bursts, Pareto work; rs2 drained with weight 0 and restored
run bursty --workload bursty --life pareto --rate 40 --mean-work 2 --on 5 --off 10 \
	--fail 2@200-400 --fail-mode weight0 \
	--title "On/off bursts (mean 40/s), Pareto work, rs2 weight 0 at 200 s, back at 400 s"
# 3. a recorded workload: the shipped example trace (bench/lab/make_example.sh)
run trace --workload bench/lab/example.csv --fail 3@60-120 --fail-mode remove \
	--title "bench/lab/example.csv replayed, rs3 removed at 60 s, re-added at 120 s"

echo
if command -v gnuplot >/dev/null 2>&1; then
	for d in poisson bursty trace; do
		(cd "$out/$d" && gnuplot plot.gp)
	done
	echo "# plots: $out/{poisson,bursty,trace}/{imbalance,cv,summary,decisions}.png"
else
	echo "# gnuplot not found (Debian: apt-get install gnuplot-nox): CSVs only, in $out/*/;"
	echo "# run 'gnuplot plot.gp' in each directory later to draw the PNGs"
fi
