#!/bin/bash
# install-deps.sh — install what drlb needs on Debian/Ubuntu, only if missing.
#   tools/install-deps.sh          build + demo (make all, make demo, demo.sh --ipv6 ...)
#   tools/install-deps.sh --all    build + demo + tests + benches (make check, make bench, CI)
#   tools/install-deps.sh --list [--all]   print the package names, install nothing
# Needs root to install; without apt/dpkg it only lists what is missing.
#
# These lists are the one place that says what drlb's scripts call: .ci/run
# installs through this script, and tests/lib/netns.sh (nl_need) names the
# package of a missing tool.  Every name exists in Debian 12/13 and Ubuntu
# 22.04/24.04 (Ubuntu: main or universe); "a|b" installs the first one apt
# knows, for a name that one of them lacks.
set -euo pipefail

# libnftnl/libmnl: drlbd's helper keeps VIP frames from a routing kernel;
# libssl: the SSL_GET health check
BUILD="build-essential pkg-config libpcap-dev libnet1-dev libcap-ng-dev libnftnl-dev libmnl-dev libssl-dev"
# the demo: ip/bridge (iproute2), curl, nginx on the real servers, tcpdump for
# the "replies bypass the director" step, arping for the VIP's ARP answer;
# socat and ndisc6 for `demo.sh --ipv6` (socat also for --arp-problem);
# procps: sysctl (--arp-problem breaks and mends the real servers) and ps
# (--stop finds the lab's processes), absent from a minimal root.
# nginx-light is the small build where it is a real package (Ubuntu 22.04);
# elsewhere it is only a metapackage pulling nginx, or gone.
DEMO="iproute2 procps curl nginx-light|nginx tcpdump arping socat ndisc6"
# make check: hping3 (malformed), ethtool (offloads, pcap), valgrind,
# python3-scapy + tcpreplay (frames), keepalived (failover's VRRP),
# util-linux's setpriv (privilege), nftables' nft (kernel_coexist), openssl
# and dnsmasq-base (ka_checkers: an HTTPS real server, a DNS server), BIRD 2
# and FRR (announce, ecmp_*: the routers and directors of "Several
# directors"); make bench: wrk
TESTS="hping3 ethtool valgrind python3-scapy tcpreplay keepalived util-linux nftables openssl dnsmasq-base bird2 frr wrk"

all=0 list=0
for a in "$@"; do
	case $a in
	--all) all=1 ;;
	--list) list=1 ;;
	*) echo "usage: $0 [--all] [--list]" >&2; exit 2 ;;
	esac
done
want="$BUILD $DEMO"
[ $all = 1 ] && want="$want $TESTS"

if [ $list = 1 ]; then
	echo "$want" | tr ' ' '\n'
	exit 0
fi

if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
	echo "install-deps: not a Debian/Ubuntu system; please install: $want" >&2
	exit 0
fi

# installed PKG: dpkg knows it as installed
installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = installed ]
}
# candidate PKG: apt can install it (after apt-get update)
candidate() {
	local c
	c=$(apt-cache policy "$1" 2>/dev/null | awk '$1 == "Candidate:" { print $2 }')
	[ -n "$c" ] && [ "$c" != "(none)" ]
}

# each word: a package, or "a|b" alternatives (any one installed is enough)
missing=()
for w in $want; do
	ok=0
	for p in ${w//|/ }; do
		installed "$p" && { ok=1; break; }
	done
	[ $ok = 1 ] || missing+=("$w")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages: ${missing[*]//|/ or } (run as root to install)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
pkgs=()
for w in "${missing[@]}"; do
	pick=
	for p in ${w//|/ }; do
		candidate "$p" && { pick=$p; break; }
	done
	if [ -z "$pick" ]; then
		echo "install-deps: no package ${w//|/ or } in this system's apt sources" \
		     "(Ubuntu: is 'universe' enabled?)" >&2
		exit 1
	fi
	pkgs+=("$pick")
done
echo "install-deps: installing ${pkgs[*]}"
apt-get install -y --no-install-recommends "${pkgs[@]}"
