#!/bin/bash
# startup: drlbd says what is wrong, in its own words, and exits non-zero;
# as a daemon it detaches only once it runs, so a refusal reaches whoever
# started it (stderr and exit status), also where syslog goes nowhere.
#  - the command line: --help (stdout, 0), --version, a bare drlbd, bad values
#  - without CAP_NET_RAW: says which privilege, not libnet's words
#  - a missing interface, a bad config line, as a daemon: stderr, exit 1
#  - a daemon that starts: its starter exits 0 when it answers
#  - one drlbd per interface: a second one names the first (pid, socket)
#  - a config line that is not a rule; --trace of a missing service;
#    --start-daemon without --mcast-interface
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=startup
t_require "$T: setup"
nl_init "$T"
nl_switch && nl_host dir "$NL_DIP/24" && nl_host client "$NL_CIP/24" ||
	{ t_fail "$T: setup (namespaces)"; t_done; }

# ---- the command line (no namespace needed)
out=$("$NL_DRLBD" --help 2>/dev/null)
rc=$?
t_is "$T: --help exits 0" "$rc" 0
t_check "$T: --help on stdout" grep -q "^usage: drlbd --interface IF" <<<"$out"
out=$("$NL_DRLBD" --version 2>&1)
t_check "$T: --version ($out)" grep -Eq "^drlbd [0-9A-Za-z.~+-]+$" <<<"$out"
msg=$("$NL_DRLBD" 2>&1)
rc=$?
t_is "$T: bare drlbd exits 1" "$rc" 1
t_check "$T: bare drlbd: --interface is required ($msg)" grep -q -- "--interface is required" <<<"$msg"
msg=$("$NL_DRLBD" --interface eth0 --workers 99 2>&1)
t_check "$T: --workers 99 says the range ($msg)" grep -q -- "--workers 99: want a number from 1 to" <<<"$msg"
msg=$("$NL_DRLBD" --interface eth0 --sync master 2>&1)
t_check "$T: --sync without --mcast-interface says so ($msg)" grep -q -- "--sync master needs --mcast-interface" <<<"$msg"
msg=$("$NL_DRLBD" --interface eth0 --capture ring --nosuch 2>&1)
t_check "$T: an unknown option is named ($msg)" grep -q -- "unknown option --nosuch" <<<"$msg"

# ---- without privilege (a copy nobody may run)
cp "$NL_DRLBD" "$NL_TMP/drlbd-copy" && chmod 755 "$NL_TMP/drlbd-copy"
msg=$(nl_exec dir setpriv --reuid 65534 --regid 65534 --clear-groups \
	"$NL_TMP/drlbd-copy" --interface eth0 --socket "$NL_TMP/np.sock" --foreground 2>&1 </dev/null)
rc=$?
t_is "$T: without root: exits 1" "$rc" 1
t_check "$T: without root: names CAP_NET_RAW ($msg)" grep -q "needs the capability CAP_NET_RAW" <<<"$msg"
t_check "$T: without root: not libnet's words" bash -c "! grep -qi libnet <<<\"\$1\"" _ "$msg"

# ---- as a daemon (no --foreground): refusals on stderr, exit 1
msg=$(nl_exec dir timeout 10 "$NL_DRLBD" --interface eth9 --socket "$NL_TMP/d.sock" 2>&1 </dev/null)
rc=$?
t_is "$T: daemon, no such interface: exits 1" "$rc" 1
t_check "$T: daemon, no such interface: said on stderr ($msg)" grep -q "no interface eth9" <<<"$msg"
printf -- '-A -t %s:80 -s wlc\n-a -t %s:80 -r %s -g -w 70000\n' "$NL_VIP" "$NL_VIP" "$NL_RIP1" >"$NL_TMP/bad.conf"
msg=$(nl_exec dir timeout 10 "$NL_DRLBD" --interface eth0 --config "$NL_TMP/bad.conf" \
	--socket "$NL_TMP/d.sock" 2>&1 </dev/null)
rc=$?
t_is "$T: daemon, bad config line: exits 1" "$rc" 1
t_check "$T: daemon, bad config line: file:line on stderr ($msg)" grep -q "bad.conf:2: " <<<"$msg"
t_check "$T: daemon, bad config line: no socket left" [ ! -e "$NL_TMP/d.sock" ]
printf 'garbage here\n' >"$NL_TMP/garbage.conf"
msg=$(nl_exec dir timeout 10 "$NL_DRLBD" --interface eth0 --config "$NL_TMP/garbage.conf" \
	--socket "$NL_TMP/d.sock" --foreground 2>&1 </dev/null)
t_check "$T: a line that is not a rule: says so, with file:line ($msg)" \
	grep -q "garbage.conf:1: 'garbage' is not a rule" <<<"$msg"
t_check "$T: a line that is not a rule: no --help advice" bash -c "! grep -q -- '--help' <<<\"\$1\"" _ "$msg"

# ---- as a daemon that starts: the starter returns 0 once it answers
nl_exec dir timeout 20 "$NL_DRLBD" --interface eth0 --config conf/recipe.conf \
	--socket "$NL_TMP/d.sock" >"$NL_TMP/d.out" 2>&1 </dev/null
rc=$?
t_is "$T: daemon starts: its starter exits 0" "$rc" 0
t_check "$T: daemon starts: the socket answers at once" \
	nl_exec dir "$NL_DRLBADM" --socket "$NL_TMP/d.sock" -L -n
# drlbd itself, not its privileged helper (comm drlbd-priv)
dpid=
for p in $(pgrep -f -- "--socket $NL_TMP/d.sock"); do
	[ "$(cat "/proc/$p/comm" 2>/dev/null)" = drlbd ] && dpid=$p
done
t_check "$T: daemon starts: it runs detached (pid $dpid)" [ -n "$dpid" ]
t_is "$T: daemon starts: nothing printed" "$(cat "$NL_TMP/d.out")" ""

# ---- one drlbd per interface
msg=$(nl_exec dir timeout 10 "$NL_DRLBD" --interface eth0 --socket "$NL_TMP/e.sock" \
	--foreground 2>&1 </dev/null)
rc=$?
t_is "$T: a second drlbd on eth0: exits 1" "$rc" 1
t_check "$T: a second drlbd on eth0: names the first ($msg)" \
	grep -q "another drlbd (pid $dpid, control socket $NL_TMP/d.sock) already directs on eth0" <<<"$msg"
t_check "$T: a second drlbd on eth0: the first still answers" \
	nl_exec dir "$NL_DRLBADM" --socket "$NL_TMP/d.sock" -L -n
# another namespace is another segment: a drlbd there starts
if nl_drlbd_in client "$NL_TMP/c.sock" "$NL_TMP/c.log"; then
	t_ok "$T: a drlbd on eth0 of another namespace starts"
else
	t_fail "$T: a drlbd on eth0 of another namespace starts"
fi

# ---- control requests that cannot do what they ask say why
msg=$(nl_exec dir timeout 5 "$NL_DRLBADM" --socket "$NL_TMP/d.sock" --trace -t 198.18.0.99:80 2>&1)
rc=$?
t_check "$T: --trace of a missing service fails (exit $rc)" [ "$rc" -ne 0 -a "$rc" -ne 124 ]
t_check "$T: --trace of a missing service says so ($msg)" grep -q "No such service: TCP 198.18.0.99:80" <<<"$msg"
msg=$(nl_exec dir "$NL_DRLBADM" --socket "$NL_TMP/d.sock" --start-daemon master 2>&1)
t_check "$T: --start-daemon without --mcast-interface says so ($msg)" grep -q -- "--mcast-interface IF is required" <<<"$msg"

# ---- the daemon stops on SIGTERM and gives the interface back
kill -TERM "$dpid" 2>/dev/null
nl_wait 5 eval "! kill -0 $dpid 2>/dev/null"
t_check "$T: the daemon stops on SIGTERM" bash -c "! kill -0 $dpid 2>/dev/null"
if nl_drlbd --config conf/recipe.conf; then
	t_ok "$T: after it, a new drlbd takes eth0"
else
	t_fail "$T: after it, a new drlbd takes eth0"
fi
T_NAME=$T
t_done
