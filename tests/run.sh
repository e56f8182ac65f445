#!/bin/bash
# tests/run.sh — run drlb's tests and count them.
#
#   bash tests/run.sh [--unit-only] UNIT_BINARIES...
#
# Each unit binary and each tests/integration/*.sh is one or more tests: lines
# "ok - NAME", "not ok - NAME" and "ok - NAME # SKIP why" are counted; a
# program that prints none of them counts as one test, passed if it exits 0.
# A program that exits non-zero without printing "not ok" adds one failure.
# The last line is "N passed, N failed" (", N skipped" when any were skipped);
# the exit status is 1 when anything failed.
#
# Environment: DRLB_TESTS="arp weights" runs only those integration scripts;
# DRLB_TEST_TIMEOUT (s, default 150) bounds each integration script,
# DRLB_UNIT_TIMEOUT (s, default 60) each unit binary; VERBOSE=1 shows every
# test's output; NL_DRLBD / NL_DRLBADM test other binaries (tests/lib/netns.sh).
set -u

cd "$(dirname "$0")/.." || exit 2

unit_only=0
if [ "${1:-}" = --unit-only ]; then
	unit_only=1
	shift
fi

PASSED=0 FAILED=0 SKIPPED=0
FAILED_NAMES=()
LOGDIR=$(mktemp -d /tmp/drlb-tests.XXXXXX) || exit 2
trap 'rm -rf "$LOGDIR"' EXIT
# Ctrl-C: the running test gets the signal too and cleans up after itself
trap 'echo "interrupted" >&2; exit 130' INT TERM

# run_one LABEL TIMEOUT CMD...
run_one() {
	local label=$1 secs=$2 out err rc ok=0 nok=0 skip=0 line start
	shift 2
	out=$LOGDIR/out err=$LOGDIR/err
	start=$SECONDS
	# --foreground: Ctrl-C reaches the test itself; on timeout it gets TERM and
	# its trap removes what it made
	timeout --foreground -k 10 "$secs" "$@" >"$out" 2>"$err" </dev/null
	rc=$?
	while IFS= read -r line; do
		case $line in
		"not ok"*)
			nok=$((nok + 1)); FAILED_NAMES+=("$label: ${line#not ok - }")
			echo "$line" ;;
		"ok "*"# SKIP"*|"ok "*"# skip"*)
			skip=$((skip + 1)); echo "$line" ;;
		"ok "*)
			ok=$((ok + 1)); echo "$line" ;;
		*)
			[ -n "${VERBOSE:-}" ] && echo "# $line" ;;
		esac
	done <"$out"
	if [ $rc -ne 0 ] && [ $nok -eq 0 ]; then
		nok=1
		if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
			line="not ok - $label # timed out after ${secs}s"
		else
			line="not ok - $label # exited $rc"
		fi
		FAILED_NAMES+=("$label")
		echo "$line"
	elif [ $rc -eq 0 ] && [ $((ok + nok + skip)) -eq 0 ]; then
		ok=1
		echo "ok - $label"
	fi
	if [ $nok -gt 0 ] || [ -n "${VERBOSE:-}" ]; then
		echo "# --- $label: exit $rc after $((SECONDS - start))s; its stderr (last 40 lines):"
		tail -n 40 "$err" | sed 's/^/#   /'
	fi
	PASSED=$((PASSED + ok)) FAILED=$((FAILED + nok)) SKIPPED=$((SKIPPED + skip))
}

echo "# unit tests"
for bin in "$@"; do
	if [ ! -x "$bin" ]; then
		echo "not ok - $bin # missing"
		FAILED=$((FAILED + 1)); FAILED_NAMES+=("$bin (missing)")
		continue
	fi
	run_one "${bin##*/}" "${DRLB_UNIT_TIMEOUT:-60}" "$bin"
done

if [ $unit_only -eq 0 ]; then
	echo "# integration tests"
	for t in tests/integration/*.sh; do
		[ -e "$t" ] || continue
		name=${t##*/}
		name=${name%.sh}
		if [ -n "${DRLB_TESTS:-}" ] && [[ " $DRLB_TESTS " != *" $name "* ]]; then
			continue
		fi
		echo "# $name"
		run_one "$name" "${DRLB_TEST_TIMEOUT:-150}" bash "$t"
	done
fi

if [ ${#FAILED_NAMES[@]} -gt 0 ]; then
	echo "# failed:"
	printf '#   %s\n' "${FAILED_NAMES[@]}"
fi
summary="$PASSED passed, $FAILED failed"
[ $SKIPPED -gt 0 ] && summary="$summary, $SKIPPED skipped"
echo "$summary"
[ $FAILED -eq 0 ]
