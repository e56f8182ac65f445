#!/bin/bash
# install-deps.sh — install what drlb needs on Debian/Ubuntu, only if missing.
#   tools/install-deps.sh          build + demo (make all, make demo)
#   tools/install-deps.sh --all    build + demo + tests (make check, CI)
# Needs root to install; without apt/dpkg it only lists what is missing.
set -euo pipefail

BUILD="build-essential pkg-config libpcap-dev libnet1-dev libcap-ng-dev libssl-dev"
DEMO="iproute2 curl nginx-light tcpdump"
TESTS="socat hping3 arping tshark ethtool wrk ndisc6 valgrind python3-scapy tcpreplay keepalived openssl dnsmasq-base"

want="$BUILD $DEMO"
case ${1:-} in
--all) want="$want $TESTS" ;;
'') ;;
*) echo "usage: $0 [--all]" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
	echo "install-deps: not a Debian/Ubuntu system; please install: $want" >&2
	exit 0
fi

missing=()
for p in $want; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages: ${missing[*]} (run as root to install)" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no, without a prompt
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
