#!/bin/bash
# realserver: tools/drlb-realserver apply/check/revert in a fresh namespace
# (no daemon needed): ARP sysctls and the VIP on lo, check's verdicts, revert
# restoring the values from before apply, and the IPv6 variant.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=realserver
if [ "$(id -u)" != 0 ]; then t_skip "$T: setup" "needs root"; exit 0; fi
nl_init "$T"
nl_switch && nl_host rs "$NL_RIP1/24" && nl_host client "$NL_CIP/24" ||
	{ t_fail "$T: setup (namespaces)"; t_done; }
RS=(nl_exec rs "$NL_REALSERVER")
ST=(--state-dir "$NL_TMP/state")
get() { nl_exec rs cat "/proc/sys/net/ipv4/conf/$1/$2"; }

"${RS[@]}" check "$NL_VIP" "${ST[@]}" >"$NL_TMP/c0"
t_is "$T: check before apply exits 1" "$?" 1
t_check "$T: check before apply reports WRONG items" grep -q '^WRONG' "$NL_TMP/c0"

# previous values that revert must restore
nl_exec rs sh -c 'echo 1 >/proc/sys/net/ipv4/conf/eth0/arp_announce'
"${RS[@]}" apply "$NL_VIP" "${ST[@]}" >&2
t_is "$T: apply exits 0" "$?" 0
t_is "$T: sysctls after apply (all/eth0 ignore, all/eth0 announce)" \
	"$(get all arp_ignore)$(get eth0 arp_ignore)$(get all arp_announce)$(get eth0 arp_announce)" 1122
t_is "$T: VIP/32 on lo with label lo:0" \
	"$(nl_exec rs ip -o -4 addr show dev lo label lo:0 | awk '{ print $4 }')" "$NL_VIP/32"
t_check "$T: route to the VIP is local" eval "nl_exec rs ip route get $NL_VIP | grep -q '^local'"
"${RS[@]}" check "$NL_VIP" "${ST[@]}" >"$NL_TMP/c1"
t_is "$T: check after apply exits 0" "$?" 0
t_is "$T: check after apply: no WRONG" "$(grep -c '^WRONG' "$NL_TMP/c1")" 0
"${RS[@]}" apply "$NL_VIP" "${ST[@]}" >/dev/null
t_is "$T: apply twice is harmless" "$?" 0

# the point of it all: the real server stays silent about the VIP
m=$(nl_arping client 2 "$NL_VIP" | grep -c .)
t_is "$T: no ARP answer for the VIP from the real server" "$m" 0
m=$(nl_arping client 1 "$NL_RIP1" | grep -c .)
t_is "$T: ARP for the RIP still answered" "$m" 1

# a sysctl changed behind its back is reported
nl_exec rs sh -c 'echo 0 >/proc/sys/net/ipv4/conf/all/arp_announce'
"${RS[@]}" check "$NL_VIP" "${ST[@]}" >"$NL_TMP/c2"
t_is "$T: check notices arp_announce=0" "$?:$(grep '^WRONG' "$NL_TMP/c2" | grep -c all.arp_announce)" 1:1
nl_exec rs sh -c 'echo 2 >/proc/sys/net/ipv4/conf/all/arp_announce'

"${RS[@]}" revert "$NL_VIP" "${ST[@]}" >&2
t_is "$T: revert exits 0" "$?" 0
t_is "$T: revert removes the VIP" "$(nl_exec rs ip -o addr show dev lo | grep -c " $NL_VIP/")" 0
t_is "$T: revert restores the previous sysctls" \
	"$(get all arp_ignore)$(get eth0 arp_ignore)$(get all arp_announce)$(get eth0 arp_announce)" 0001
"${RS[@]}" check "$NL_VIP" "${ST[@]}" >/dev/null
t_is "$T: check after revert exits 1" "$?" 1

# IPv6: VIP/128 on lo, no sysctls (our namespaces start with IPv6 off; lo
# sends nothing outside, so turn it on there only)
nl_exec rs sh -c 'echo 0 >/proc/sys/net/ipv6/conf/lo/disable_ipv6'
"${RS[@]}" apply 2001:db8::1 "${ST[@]}" >&2
t_is "$T: IPv6 apply exits 0" "$?" 0
"${RS[@]}" check 2001:db8::1 "${ST[@]}" >&2
t_is "$T: IPv6 check after apply exits 0" "$?" 0
"${RS[@]}" revert 2001:db8::1 "${ST[@]}" >&2
t_is "$T: IPv6 revert removes the VIP" "$(nl_exec rs ip -o addr show dev lo | grep -c ' 2001:db8::1/')" 0

"${RS[@]}" apply 198.18.0.300 "${ST[@]}" 2>/dev/null
t_is "$T: a bad address is refused (exit 2)" "$?" 2
"${RS[@]}" apply "$NL_VIP" --dev nosuch0 "${ST[@]}" 2>/dev/null
t_is "$T: a missing device is refused (exit 2)" "$?" 2
nl_exec rs ip addr add "$NL_VIP/32" dev eth0
"${RS[@]}" apply "$NL_VIP" "${ST[@]}" 2>"$NL_TMP/err"
t_is "$T: VIP on eth0 is refused (exit 2)" "$?" 2
t_check "$T: ... and the message says why" grep -q "answer ARP" "$NL_TMP/err"
nl_exec rs ip addr del "$NL_VIP/32" dev eth0
t_check "$T: --help explains arp_ignore and arp_announce" \
	eval "'$NL_REALSERVER' --help | grep -q arp_ignore=1 && '$NL_REALSERVER' --help | grep -q arp_announce=2"
t_done
