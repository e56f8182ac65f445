#!/bin/bash
# unit: conf/drlbd.service as systemd would run it, without systemd (it is
# not PID 1 in a test run).  The unit's own lines are read: ExecStart's
# options, Group=, the directories' modes, CapabilityBoundingSet= and
# NoNewPrivileges=; drlbd then runs in the director's namespace with exactly
# those options and credentials (uid 0, gid = Group=, that bounding set, no
# new privileges) and the runtime and state directories made as systemd
# makes them (root:Group, the unit's mode).  Checked: a member of the
# socket's group lists through /run/drlb and is refused a change, others
# cannot reach the socket, drlbd ends with no capability as nobody, and the
# state file is written at stop.  Paths under /run, /var/lib and /etc are
# moved into NL_TMP; the group is nogroup (drlb need not exist here).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=unit
t_require "$T: setup" setpriv
UNIT=conf/drlbd.service
G=nogroup
getent group "$G" >/dev/null || G=nobody
GID=$(getent group "$G" | cut -d: -f3)

# key NAME: the value of the unit's last NAME= line
key() { sed -n "s/^$1=//p" "$UNIT" | tail -n 1; }

exec_start=$(key ExecStart)
group=$(key Group)
t_check "$T: Documentation= names drlbd(8)" grep -q '^Documentation=.*man:drlbd(8)' "$UNIT"
t_is "$T: Group= is the --socket-group" "$group" \
	"$(sed -n 's/.*--socket-group \([^ ]*\).*/\1/p' <<<"$exec_start")"
t_is "$T: the control socket is in RuntimeDirectory=" \
	"$(sed -n 's|.*--socket /run/\([^/]*\)/.*|\1|p' <<<"$exec_start")" "$(key RuntimeDirectory)"
t_is "$T: the state file is in StateDirectory=" \
	"$(sed -n 's|.*--state-file /var/lib/\([^/]*\)/.*|\1|p' <<<"$exec_start")" "$(key StateDirectory)"
t_is "$T: RuntimeDirectoryMode=" "$(key RuntimeDirectoryMode)" 0750
t_is "$T: NoNewPrivileges=" "$(key NoNewPrivileges)" yes

# setpriv's --bounding-set from CapabilityBoundingSet=CAP_A CAP_B ...
bset=-all
for c in $(key CapabilityBoundingSet); do
	c=${c#CAP_}
	bset="$bset,+${c,,}"
done
echo "bounding set: $bset" >&2

nl_init "$T"
T_NAME=$T
nl_dr_topology || { t_fail "$T: setup (namespaces, real servers, nginx)"; t_done; }

# the directories as systemd makes them for Group= (uid 0: no User=)
RUN=$NL_TMP/run/drlb STATE=$NL_TMP/lib/drlb
mkdir -p "$RUN" "$STATE"
chown "root:$G" "$RUN" "$STATE"
chmod "$(key RuntimeDirectoryMode)" "$RUN"
chmod "$(key StateDirectoryMode)" "$STATE"

# ExecStart with the test's paths and group; $DRLB_OPTS empty
cmd=${exec_start//'${DRLB_INTERFACE}'/eth0}
cmd=${cmd//'$DRLB_OPTS'/}
cmd=${cmd//\/usr\/local\/sbin\/drlbd/$NL_DRLBD}
cmd=${cmd//\/etc\/drlb\/drlbd.conf/$PWD/conf/recipe.conf}
cmd=${cmd//\/run\/drlb/$RUN}
cmd=${cmd//\/var\/lib\/drlb/$STATE}
cmd=${cmd//--socket-group $group/--socket-group $G}
echo "ExecStart: $cmd" >&2
read -ra argv <<<"$cmd"
NL_SOCK=$RUN/drlbd.sock
NL_DRLBD_LOG=$NL_TMP/drlbd.log
nl_bg dir "$NL_DRLBD_LOG" setpriv --regid "$GID" --clear-groups \
	--bounding-set "$bset" --no-new-privs -- "${argv[@]}"
NL_DRLBD_PID=$NL_LASTPID
if ! nl_wait 10 test -S "$NL_SOCK"; then
	t_fail "$T: drlbd starts with the unit's options and privileges" "see its log"
	t_done
fi
t_ok "$T: drlbd starts with the unit's options and privileges"

t_is "$T: runtime directory root:$G $(key RuntimeDirectoryMode)" "$(stat -c '%U:%G %a' "$RUN")" "root:$G 750"
t_is "$T: control socket root:$G 660" "$(stat -c '%U:%G %a' "$NL_SOCK")" "root:$G 660"
st=$(cat "/proc/$NL_DRLBD_PID/status")
t_is "$T: drlbd runs as nobody" "$(awk '$1 == "Uid:" { print $2 }' <<<"$st")" "$(id -u nobody)"
t_is "$T: no effective capability" "$(awk '$1 == "CapEff:" { print $2 }' <<<"$st")" 0000000000000000
t_is "$T: bounding set cleared" "$(awk '$1 == "CapBnd:" { print $2 }' <<<"$st")" 0000000000000000

# as UID GID [GROUPS] CMD...: in the director's namespace with these ids
as() {
	local u=$1 g=$2 groups=$3
	shift 3
	if [ -n "$groups" ]; then
		set -- --groups "$groups" "$@"
	else
		set -- --clear-groups "$@"
	fi
	timeout 10 ip netns exec "$(nl_ns dir)" setpriv --reuid="$u" --regid="$g" "$@"
}
# a member by a supplementary group, as `adduser USER drlb` makes one
out=$(as 40001 40001 "$GID" "$NL_DRLBADM" --socket "$NL_SOCK" -L -n 2>&1)
t_is "$T: a member of $G lists (exit)" "$?" 0
t_check "$T: ... and sees the rules" grep -q "$NL_RIP1:80" <<<"$out"
out=$(as 40001 40001 "$GID" "$NL_DRLBADM" --socket "$NL_SOCK" -a -t "$NL_VIP:80" -r 198.18.0.9 -w 1 2>&1)
rc=$?
t_check "$T: a member may not change rules (exit $rc)" [ "$rc" -ne 0 ]
t_check "$T: ... and is told why ($out)" grep -q "Permission denied" <<<"$out"
out=$(as 40002 40002 "" "$NL_DRLBADM" --socket "$NL_SOCK" -L -n 2>&1)
rc=$?
t_check "$T: a non-member cannot reach the socket (exit $rc)" [ "$rc" -ne 0 ]
t_check "$T: ... $out" grep -qi "permission denied" <<<"$out"
nl_adm -a -t "$NL_VIP:80" -r 198.18.0.9 -w 1 >/dev/null 2>&1
t_is "$T: root may change rules" "$?" 0
m=$(nl_curl_count 4)
t_is "$T: requests through the VIP" "$(nl_count_of "$m" FAIL)" 0

# stop as systemd does (SIGTERM): exit 0, the state file written through the
# descriptor opened before the drop
t_stop_drlbd "$T"
t_check "$T: state file written at stop" test -s "$STATE/conns.state"
t_done
