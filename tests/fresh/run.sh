#!/bin/bash
# tests/fresh/run.sh — the README's set-up on a fresh Debian 12 root, as a new
# user would meet it: debootstrap --variant=minbase plus make, gcc,
# libc6-dev, git and ca-certificates only, a clean clone, then the README's
# two commands exactly as written there (taken from README.md, so they
# cannot drift), as root, in a chroot with /proc, /sys, /dev and a /run of
# its own.  Network namespaces made inside are the host kernel's, so the
# demo and the tests run for real.
#
#   tests/fresh/run.sh [--demo | --check | --both] [--deb FILE]
#                      [--source DIR] [--rev REV] [--keep] [--rebuild]
#
#   --demo      the README's first command (default; a few minutes)
#   --check     the second one (make check: 10-15 minutes on 2 CPUs)
#   --both      the first, then the second, in the same root
#   --deb FILE  instead: install FILE with `apt-get install ./FILE`, run
#               `drlbd --version`, check what it installed and
#               `systemd-analyze verify` its unit, then purge it
#   --source DIR, --rev REV   the repository and commit to clone (default:
#               this repository, HEAD; uncommitted changes are not seen)
#   --keep      leave the root in place (its path is printed)
#   --rebuild   debootstrap the cached base again
#
# The base is cached in $DRLB_FRESH_CACHE (/var/tmp/drlb-fresh); each run
# unpacks it into a new root there and removes it at the end.  Everything
# runs in a mount and PID namespace of its own: the mounts vanish with it,
# and so does any process left inside (a daemon a package started).
# Needs root, debootstrap (installed with apt if missing) and the network
# to Debian's mirror.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${DRLB_FRESH_CACHE:-/var/tmp/drlb-fresh}
SUITE=bookworm
MIRROR=${DRLB_FRESH_MIRROR:-http://deb.debian.org/debian}
BASE=$CACHE/$SUITE-minbase.tar.gz
INCLUDE=make,gcc,libc6-dev,git,ca-certificates
PATH_ROOT=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

usage() { sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2; exit 2; }
die() { echo "fresh: $*" >&2; exit 2; }

# ---------------------------------------------------------------- inside
# --inside ROOT SCRIPT: in the new mount+PID namespace, mount what a booted
# machine has and run SCRIPT (a file inside ROOT) with root's login shell.
# The mounts are private to this namespace and go with it.
if [ "${1:-}" = --inside ]; then
	R=$2 S=$3
	mount --make-rprivate / || exit 2
	# the root a mount point of its own, as on a real machine
	mount --bind "$R" "$R" && mount -t proc proc "$R/proc" &&
	mount --rbind /sys "$R/sys" && mount --rbind /dev "$R/dev" &&
	mount -t tmpfs -o mode=755 tmpfs "$R/run" || exit 2
	mkdir -p "$R/run/lock"
	exec chroot "$R" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
		PATH="$PATH_ROOT" /bin/bash -l "$S" </dev/null
fi

# ---------------------------------------------------------------- options
mode=demo deb= src= rev=HEAD keep=0 rebuild=0
while [ $# -gt 0 ]; do
	case $1 in
	--demo) mode=demo ;;
	--check) mode=check ;;
	--both) mode=both ;;
	--deb) [ $# -ge 2 ] || usage; deb=$(realpath "$2") || die "no file $2"; mode=deb; shift ;;
	--source) [ $# -ge 2 ] || usage; src=$2; shift ;;
	--rev) [ $# -ge 2 ] || usage; rev=$2; shift ;;
	--keep) keep=1 ;;
	--rebuild) rebuild=1 ;;
	-h|--help) usage ;;
	*) usage ;;
	esac
	shift
done
[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mounts)"
[ -n "$src" ] || src=$(git -C "$HERE" rev-parse --show-toplevel) || die "not in a git repository"
commit=$(git -C "$src" rev-parse --verify "$rev^{commit}") || die "no commit $rev in $src"
[ "$mode" != deb ] || [ -f "$deb" ] || die "no file $deb"

# readme_cmd N: the README's Nth set-up command, as written: the first sh
# block after "## Two commands", comments stripped
readme_cmd() {
	git -C "$src" show "$commit:README.md" | awk -v n="$1" '
		/^## Two commands/ { s = 1; next }
		s == 1 && /^```sh/ { s = 2; next }
		s == 2 && /^```/ { exit }
		s == 2 && NF { if (++i == n) { sub(/[ \t]+#.*$/, ""); print; exit } }'
}

# ---------------------------------------------------------------- the base
# build_base: debootstrap minbase + the few packages a person needs to clone
# and build, packed once into BASE
build_base() {
	local tmp=$CACHE/base.tmp
	command -v debootstrap >/dev/null ||
		apt-get install -y -q debootstrap >/dev/null || die "cannot install debootstrap"
	mkdir -p "$CACHE"
	rm -rf --one-file-system "$tmp"
	echo "fresh: debootstrap $SUITE (minbase + $INCLUDE), log in $CACHE/debootstrap.log"
	if ! timeout 1800 debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$tmp" "$MIRROR" \
		>"$CACHE/debootstrap.log" 2>&1; then
		tail -n 5 "$CACHE/debootstrap.log" >&2
		die "debootstrap failed"
	fi
	tar -C "$tmp" -czf "$BASE.tmp" . && mv "$BASE.tmp" "$BASE" || die "cannot pack $BASE"
	rm -rf --one-file-system "$tmp"
}
if [ "$rebuild" = 1 ] || [ ! -s "$BASE" ]; then
	build_base
fi

# ---------------------------------------------------------------- the root
ROOT=$(mktemp -d "$CACHE/root.XXXXXX") || die "cannot make a root in $CACHE"
NSPID=
# cleanup: end the namespace (its init takes every process in it along, and
# the mounts go with it), then remove the root unless --keep
cleanup() {
	if [ -n "$NSPID" ] && kill -0 "$NSPID" 2>/dev/null; then
		kill -TERM "$NSPID" 2>/dev/null
		sleep 1
		kill -KILL "$NSPID" 2>/dev/null
	fi
	if [ "$keep" = 1 ]; then
		echo "fresh: root kept in $ROOT"
	elif grep -q " $ROOT[/ ]" /proc/self/mounts; then
		echo "fresh: $ROOT still has mounts; not removed" >&2
	else
		rm -rf --one-file-system "$ROOT"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tar -C "$ROOT" -xzf "$BASE" || die "cannot unpack $BASE"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
# A package's daemon must not start here: the root shares the host's
# network, so nginx would take the host's port 80 (or fail to install if it
# is taken).  The usual policy-rc.d of a chroot; the README's commands do
# not depend on a running nginx service.
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
chmod 755 "$ROOT/usr/sbin/policy-rc.d"

# the script run inside, as root's login shell in /root/drlb
S=$ROOT/root/fresh.sh
{
	echo 'set -u'
	echo 'echo "fresh: $(. /etc/os-release; echo "$PRETTY_NAME"), user $(id -un)"'
	echo 'command -v sudo >/dev/null && echo "fresh: sudo is installed" || echo "fresh: no sudo here"'
} >"$S"
if [ "$mode" = deb ]; then
	cp "$deb" "$ROOT/root/"
	f=${deb##*/}
	cat >>"$S" <<EOF
export DEBIAN_FRONTEND=noninteractive
cd /root
bad=0
# chk WHAT CMD...: run CMD, say ok/FAILED; a failure is counted, the rest still runs
chk() { local w=\$1; shift; if "\$@"; then echo "ok - \$w"; else echo "FAILED - \$w (exit \$?)"; bad=1; fi; }
echo "=== apt-get install ./$f"
apt-get update -q >/dev/null
apt-get install -y -q ./$f || { echo "=== FAILED: apt-get install ./$f"; exit 1; }
chk "drlbd --version" drlbd --version
chk "drlbadm -v" drlbadm -v
chk "group drlb" getent group drlb
for p in /usr/sbin/drlbd /usr/sbin/drlbadm /usr/sbin/drlb-realserver /usr/sbin/drlb-vrrp-notify; do
	chk "\$p" test -x "\$p"
done
unit=\$(dpkg -L drlb | grep '/systemd/system/drlbd.service\$')
chk "unit \$unit runs /usr/sbin/drlbd" grep -q '^ExecStart=/usr/sbin/drlbd ' "\$unit"
chk "examples: \$(ls /usr/share/doc/drlb/examples/ | tr '\n' ' ')" test -f /usr/share/doc/drlb/examples/recipe.conf
chk "keepalived-vrrp.conf calls /usr/sbin/drlb-vrrp-notify" \\
	grep -q /usr/sbin/drlb-vrrp-notify /usr/share/doc/drlb/examples/keepalived-vrrp.conf
echo "=== systemd-analyze verify \$unit (systemd and man-db installed for it)"
apt-get install -y -q --no-install-recommends systemd man-db >/dev/null
chk "systemd-analyze verify: clean" systemd-analyze verify "\$unit"
echo "=== apt-get purge drlb"
apt-get purge -y -q drlb >/dev/null
chk "purged: group drlb removed" eval '! getent group drlb'
chk "purged: no /usr/sbin/drlbd" test ! -e /usr/sbin/drlbd
[ \$bad = 0 ] || { echo "=== FAILED"; exit 1; }
EOF
else
	git clone -q "$src" "$ROOT/root/drlb" || die "cannot clone $src"
	git -C "$ROOT/root/drlb" checkout -q --detach "$commit" || die "cannot check out $commit"
	echo 'cd /root/drlb || exit 2' >>"$S"
	echo 'echo "fresh: clone at $(git log -1 --format="%h %s" | cut -c1-70)"' >>"$S"
	case $mode in
	demo) cmds=("$(readme_cmd 1)") ;;
	check) cmds=("$(readme_cmd 2)") ;;
	both) cmds=("$(readme_cmd 1)" "$(readme_cmd 2)") ;;
	esac
	for c in "${cmds[@]}"; do
		[ -n "$c" ] || die "no set-up command found in README.md's \"## Two commands\""
		printf 'echo %q\n' "=== $c" >>"$S"
		printf '( %s ) || { rc=$?; echo "=== FAILED (exit $rc): %s"; exit $rc; }\n' "$c" "${c//\"/\\\"}" >>"$S"
	done
fi
echo 'echo "=== PASSED"' >>"$S"

# the whole run in a PID and mount namespace of its own, bounded
case $mode in check|both) secs=3600 ;; *) secs=1800 ;; esac
timeout -k 10 "$secs" unshare --mount --pid --fork --kill-child \
	"$0" --inside "$ROOT" /root/fresh.sh &
NSPID=$!
wait "$NSPID"
rc=$?
NSPID=
[ $rc = 124 ] && echo "=== TIMED OUT after ${secs}s"
exit $rc
