#!/bin/bash
# realserver: tools/drlb-realserver apply/check/revert in a fresh namespace
# (no daemon needed): ARP sysctls and the VIP on lo, check's verdicts, revert
# restoring the values from before apply, and the IPv6 variant.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=realserver
if [ "$(id -u)" != 0 ]; then t_skip "$T: setup" "needs root"; exit 0; fi
if ! miss=$(nl_need ip arping); then
	t_fail "$T: setup" "missing tools: $miss; bash tools/install-deps.sh --all installs them"
	exit 1
fi
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

# snap: everything apply may change (sysctls, lo's state and addresses, the records)
snap() {
	echo "$(get all arp_ignore)$(get eth0 arp_ignore)$(get all arp_announce)$(get eth0 arp_announce)"
	nl_exec rs ip -o link show dev lo | grep -o 'state [A-Z]*'
	nl_exec rs ip -o addr show dev lo | awk '{ print $4 }'
	ls "$NL_TMP/state" 2>/dev/null
}
before=$(snap)
"${RS[@]}" apply 198.18.0.300 "${ST[@]}" 2>"$NL_TMP/err"
t_is "$T: a bad address is refused (exit 2)" "$?" 2
t_check "$T: ... saying so" grep -q "not an IPv4 address: 198.18.0.300" "$NL_TMP/err"
t_is "$T: ... and nothing changed (sysctls, lo, records)" "$(snap)" "$before"
for a in 127.0.0.5 224.0.0.9 2001:db8:::1 fe80::1; do
	"${RS[@]}" apply "$a" "${ST[@]}" 2>/dev/null
	t_is "$T: $a is refused (exit 2)" "$?" 2
done
t_is "$T: ... and nothing changed" "$(snap)" "$before"
"${RS[@]}" apply "$NL_VIP" --dev nosuch0 "${ST[@]}" 2>/dev/null
t_is "$T: a missing device is refused (exit 2)" "$?" 2
nl_exec rs ip addr add "$NL_VIP/32" dev eth0
"${RS[@]}" apply "$NL_VIP" "${ST[@]}" 2>"$NL_TMP/err"
t_is "$T: VIP on eth0 is refused (exit 2)" "$?" 2
t_check "$T: ... and the message says why" grep -q "answer ARP" "$NL_TMP/err"
nl_exec rs ip addr del "$NL_VIP/32" dev eth0

# a late step fails (the VIP cannot be added to lo): every change before it is
# undone, in reverse order, lo back down as it was
mkdir -p "$NL_TMP/fakebin"
cat >"$NL_TMP/fakebin/ip" <<EOF
#!/bin/sh
case " \$* " in *" addr add "*) echo "RTNETLINK answers: File exists (test)" >&2; exit 2 ;; esac
exec $(command -v ip) "\$@"
EOF
chmod +x "$NL_TMP/fakebin/ip"
nl_exec rs ip link set lo down
before=$(snap)
nl_exec rs env PATH="$NL_TMP/fakebin:$PATH" "$NL_REALSERVER" apply "$NL_VIP" "${ST[@]}" 2>"$NL_TMP/err"
t_is "$T: a failing last step: apply exits 1" "$?" 1
t_check "$T: ... names the step" grep -q "cannot add $NL_VIP/32 to lo" "$NL_TMP/err"
t_check "$T: ... and rolls back" grep -q "rolled back: sysctl_set all arp_ignore 0" "$NL_TMP/err"
t_is "$T: ... sysctls, lo (down) and records as before" "$(snap)" "$before"
sed 's/^/  /' "$NL_TMP/err" >&2
nl_exec rs ip link set lo up

# revert of what was never applied
before=$(snap)
"${RS[@]}" revert 198.18.0.50 "${ST[@]}" 2>"$NL_TMP/err"
t_is "$T: revert of a VIP never applied exits 1" "$?" 1
t_check "$T: ... saying so" grep -q "nothing to revert" "$NL_TMP/err"
"${RS[@]}" revert 2001:db8::50 "${ST[@]}" 2>/dev/null
t_is "$T: ... an IPv6 one too" "$?" 1
t_is "$T: ... and nothing changed" "$(snap)" "$before"

# two VIPs share the sysctls: reverting one keeps them, the last restores
# the values from before the first apply
"${RS[@]}" apply "$NL_VIP" "${ST[@]}" >/dev/null && "${RS[@]}" apply 198.18.0.50 "${ST[@]}" >/dev/null
t_is "$T: two VIPs applied" "$?" 0
"${RS[@]}" revert "$NL_VIP" "${ST[@]}" >/dev/null
t_is "$T: reverting one keeps the sysctls the other needs" \
	"$(get all arp_ignore)$(get eth0 arp_ignore)$(get all arp_announce)$(get eth0 arp_announce)" 1122
"${RS[@]}" revert 198.18.0.50 "${ST[@]}" >/dev/null
t_is "$T: reverting the last restores the first values" "$(snap)" "$before"

# IPv6 off on lo: refused before anything changes
nl_exec rs sh -c 'echo 1 >/proc/sys/net/ipv6/conf/lo/disable_ipv6'
before=$(snap)
"${RS[@]}" apply 2001:db8::1 "${ST[@]}" 2>"$NL_TMP/err"
t_is "$T: IPv6 VIP with IPv6 off on lo: refused (exit 2)" "$?:$(grep -c 'IPv6 is off on lo' "$NL_TMP/err")" 2:1
t_is "$T: ... nothing changed" "$(snap)" "$before"

t_check "$T: --help explains arp_ignore and arp_announce" \
	eval "'$NL_REALSERVER' --help | grep -q arp_ignore=1 && '$NL_REALSERVER' --help | grep -q arp_announce=2"
t_done
