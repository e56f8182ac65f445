# shellcheck shell=bash
# tests/lib/tap.sh — test output (TAP-like, counted by tests/run.sh) and the
# integration tests' common steps, on top of tests/lib/netns.sh.
#
#   t_ok NAME | t_fail NAME [WHY] | t_skip NAME WHY | t_check NAME CMD...
#   t_is NAME GOT WANT       equality, both shown on failure
#   t_require NAME [TOOL...] skip (and exit 0) without root or without the
#                            binaries; "not ok" (exit 1) naming each missing tool
#   t_setup NAME [ARGS]      nl_dr_topology + nl_drlbd ARGS, or "not ok" and exit
#   t_done                   when T_NAME is set: drlbd must exit 0 on SIGTERM
#                            with no sanitizer report; then the exit status:
#                            1 if any t_fail (drlbd's log to stderr)

. "$(dirname "${BASH_SOURCE[0]}")/netns.sh"

# t_setup NAME [drlbd args...]: recipe topology + drlbd, or "not ok" and exit
t_setup() {
	local name=$1
	shift
	T_NAME=$name
	if ! nl_dr_topology; then
		t_fail "$name: setup (namespaces, real servers, nginx)"
		t_done
	fi
	if ! nl_drlbd "$@"; then
		t_fail "$name: drlbd starts" "see stderr"
		t_done
	fi
}

# t_drlbd_log: show drlbd's log on stderr (for run.sh to print on failure)
t_drlbd_log() {
	[ -n "$NL_DRLBD_LOG" ] && [ -s "$NL_DRLBD_LOG" ] || return 0
	echo "--- drlbd log (last 40 lines):" >&2
	tail -n 40 "$NL_DRLBD_LOG" >&2
}

# ---------------------------------------------------------------- TAP-ish

T_FAILED=0
t_ok() { echo "ok - $1"; }
t_fail() {
	echo "not ok - $1${2:+ # $2}"
	echo "FAILED: $1${2:+ ($2)}" >&2
	T_FAILED=1
}
# t_is NAME GOT WANT: equality check that prints both on failure
t_is() {
	if [ "$2" = "$3" ]; then t_ok "$1"
	else t_fail "$1" "got '$2', want '$3'"; fi
}
t_skip() { echo "ok - $1 # SKIP ${2:-}"; }
t_check() { # NAME CMD...
	local name=$1
	shift
	if "$@"; then t_ok "$name"; else t_fail "$name"; fi
}
# t_stop_drlbd NAME: SIGTERM drlbd; it must exit 0 within 5 s and its log must
# hold no sanitizer report (SANITIZE=address,undefined builds)
t_stop_drlbd() {
	local name=$1 rc i
	nl_drlbd_alive || return 0
	kill -TERM "$NL_DRLBD_PID"
	for ((i = 0; i < 50; i++)); do nl_drlbd_alive || break; sleep 0.1; done
	if nl_drlbd_alive; then
		t_fail "$name: drlbd exits on SIGTERM" "still running after 5 s"
		return
	fi
	wait "$NL_DRLBD_PID" 2>/dev/null
	rc=$?
	t_is "$name: drlbd exits 0 on SIGTERM" "$rc" 0
	if grep -q -E 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' "$NL_DRLBD_LOG" 2>/dev/null; then
		t_fail "$name: no sanitizer report in drlbd's log" "see stderr"
		grep -A 30 -E 'Sanitizer|runtime error:' "$NL_DRLBD_LOG" | head -60 >&2
	fi
	NL_DRLBD_PID=
}

t_done() {
	[ -n "${T_NAME:-}" ] && t_stop_drlbd "$T_NAME"
	[ "$T_FAILED" = 0 ] || t_drlbd_log
	exit "$T_FAILED"
}

# Common preamble for integration tests: root, daemon present, tools.
# Without root or the binaries the test cannot run here: a skip line and exit 0.
# A missing tool is a failure naming the tool and its package: the README's
# set-up command installs every one, so a skip would hide a broken install.
# ip, nginx and curl are always needed (t_setup's topology, nl_curl_count).
t_require() { # NAME [TOOL...]
	local name=$1 why= miss
	shift
	[ "$(id -u)" = 0 ] || why="needs root"
	[ -z "$why" ] && ! nl_have_drlb && why="build/drlbd or build/drlbadm missing"
	if [ -n "$why" ]; then
		t_skip "$name" "$why"
		exit 0
	fi
	if ! miss=$(nl_need ip sysctl ps pgrep nginx curl "$@"); then
		t_fail "$name" "missing tools: $miss; bash tools/install-deps.sh --all installs them"
		exit 1
	fi
	if ! ip netns list >/dev/null 2>&1; then
		t_skip "$name" "no network namespaces"
		exit 0
	fi
}
