#!/bin/bash
# privilege: the control socket checks its peer (SO_PEERCRED): members of the
# socket's group may list and trace, only root or the owner may change
# rules; others cannot connect at all.  drlbd itself holds no capability.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=privilege
t_require "$T: setup" setpriv
nl_init "$T"
NOGROUP=$(getent group nogroup >/dev/null && echo nogroup || echo nobody)
t_setup "$T" --config conf/recipe.conf --socket-group "$NOGROUP"

gid=$(getent group "$NOGROUP" | cut -d: -f3)
t_is "$T: socket group" "$(stat -c %g "$NL_SOCK")" "$gid"
t_is "$T: socket mode" "$(stat -c %a "$NL_SOCK")" 660

as() { # UID GID CMD...: run in the director namespace with those ids, no groups
	local u=$1 g=$2
	shift 2
	timeout 10 ip netns exec "$(nl_ns dir)" setpriv --reuid="$u" --regid="$g" \
		--clear-groups "$@"
}

out=$(as 65534 "$gid" "$NL_DRLBADM" --socket "$NL_SOCK" -L -n 2>&1)
rc=$?
t_is "$T: group member lists (exit)" "$rc" 0
t_check "$T: group member sees the rules" grep -q "$NL_RIP1:80" <<<"$out"
out=$(as 65534 "$gid" "$NL_DRLBADM" --socket "$NL_SOCK" -a -t "$NL_VIP:80" -r 198.18.0.9 -w 1 2>&1)
rc=$?
t_check "$T: group member may not change rules (exit $rc)" [ "$rc" -ne 0 ]
t_check "$T: ... and is told why ($out)" grep -q "Permission denied" <<<"$out"
t_check "$T: the rule was not added" bash -c "! nl_adm -L -n | grep -q 198.18.0.9" 2>/dev/null ||
	true
rules=$(nl_adm -L -n)
t_check "$T: rules unchanged" bash -c "! grep -q 198.18.0.9 <<<'$rules'"
out=$(as 65534 "$gid" "$NL_DRLBADM" --socket "$NL_SOCK" -C 2>&1)
t_check "$T: group member may not flush" grep -q "Permission denied" <<<"$out"
out=$(as 65534 12345 "$NL_DRLBADM" --socket "$NL_SOCK" -L -n 2>&1)
rc=$?
t_check "$T: outsider cannot connect (exit $rc)" [ "$rc" -ne 0 ]
t_check "$T: ... cannot connect: $out" grep -qi "permission denied" <<<"$out"
out=$(nl_adm -a -t "$NL_VIP:80" -r 198.18.0.9 -w 1 2>&1)
t_is "$T: root may change rules" "$?" 0
st=$(cat "/proc/$NL_DRLBD_PID/status")
t_is "$T: drlbd's effective capabilities" "$(awk '$1 == "CapEff:" { print $2 }' <<<"$st")" 0000000000000000
t_is "$T: drlbd's data path runs as nobody (uids)" "$(awk '$1 == "Uid:" { print $2, $3, $4, $5 }' <<<"$st")" \
	"$(id -u nobody) $(id -u nobody) $(id -u nobody) $(id -u nobody)"
# told to stay root: uid 0, still no capability (on the client host: one
# drlbd per interface, and the director has its own)
nl_bg client "$NL_TMP/root.log" "$NL_DRLBD" --interface eth0 --socket "$NL_TMP/root.sock" \
	--foreground --no-arp --user root
R=$NL_LASTPID
nl_wait 10 test -S "$NL_TMP/root.sock"
st=$(cat "/proc/$R/status" 2>/dev/null)
t_is "$T: --user root: uid 0" "$(awk '$1 == "Uid:" { print $3 }' <<<"$st")" 0
t_is "$T: --user root: still no capability" "$(awk '$1 == "CapEff:" { print $2 }' <<<"$st")" 0000000000000000
t_check "$T: --user root: says so" grep -q "staying uid 0 as told" "$NL_TMP/root.log"
kill "$R" 2>/dev/null
t_check "$T: drlbd still running" nl_drlbd_alive
t_done
