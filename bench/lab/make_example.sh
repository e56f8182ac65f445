#!/bin/bash
# bench/lab/make_example.sh — (re)make bench/lab/example.csv, the small
# example "recorded" workload the lab ships: synthetic (the lab's own bursty
# generator, fixed seed), not a real trace.  Needs build/bench/lab.
#   bash bench/lab/make_example.sh      B=build-dir
set -eu
cd "$(dirname "$0")/../.."
lab=${B:-build}/bench/lab
[ -x "$lab" ] || { echo "make_example.sh: $lab is missing: make $lab" >&2; exit 2; }
# 180 s of on/off bursts at a mean 10 connections/s from 400 clients,
# Pareto work of mean 8 s
"$lab" --workload bursty --life pareto --rate 10 --mean-work 8 --on 5 --off 10 \
	--clients 400 --duration 180 --seed 7 --dump bench/lab/example.csv
