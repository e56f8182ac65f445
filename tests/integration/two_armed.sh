#!/bin/bash
# two_armed: a director with two interfaces, the DR case of the Linux
# kernel's own IPVS selftest (tools/testing/selftests/net/netfilter/ipvs.sh)
# with drlbd and drlbadm in place of IPVS and ipvsadm, its addresses moved
# into 198.18.0.0/15:
#
#   ns0 (client) br0 198.18.4.2 --veth01==veth10-- ns1 (director) 198.18.4.1
#                    |                                routes, VIP on lo
#                    +--veth02==veth20-- ns2 (rs)     veth12 198.18.5.1
#                                 198.18.4.3 | 198.18.5.2 veth21==veth12
#
# The client routes the VIP via the director (its gateway, ip_forward=1,
# the VIP on lo); drlbd captures the VIP's frames on veth10 and sends each
# out of veth12, where it learnt the real server's MAC; the real server
# answers the client straight on its third link.  drlbd --interface veth10
# --interface veth12; the kernel neither routes nor answers a VIP frame.
#  - the selftest's check: 32 random bytes sent by socat arrive whole
#  - 6 connections, all through drlbd (its counters), none via the kernel
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=two_armed
t_require "$T: setup" socat nft
nl_init "$T"
VIP=198.18.6.110 CIP=198.18.4.2 GIP=198.18.4.1 DIP=198.18.5.1 RIP=198.18.5.2 SIP=198.18.4.3
PORT=8080
N0=$(nl_ns c) N1=$(nl_ns d) N2=$(nl_ns r)
setup() {
	nl_newns "$N0" && nl_newns "$N1" && nl_newns "$N2" || return 1
	ip link add veth01 netns "$N0" type veth peer name veth10 netns "$N1" &&
	ip link add veth02 netns "$N0" type veth peer name veth20 netns "$N2" &&
	ip link add veth12 netns "$N1" type veth peer name veth21 netns "$N2" || return 1
	ip -n "$N0" link add br0 type bridge &&
	ip -n "$N0" link set veth01 master br0 && ip -n "$N0" link set veth02 master br0 &&
	for l in veth01 veth02 br0; do ip -n "$N0" link set "$l" up; done &&
	ip -n "$N0" addr add "$CIP/24" dev br0 &&
	ip -n "$N1" link set veth10 up && ip -n "$N1" addr add "$GIP/24" dev veth10 &&
	ip -n "$N1" link set veth12 up && ip -n "$N1" addr add "$DIP/24" dev veth12 &&
	ip -n "$N2" link set veth21 up && ip -n "$N2" addr add "$RIP/24" dev veth21 &&
	ip -n "$N2" link set veth20 up && ip -n "$N2" addr add "$SIP/24" dev veth20 || return 1
	# test_dr()
	ip -n "$N0" route add "$VIP" via "$GIP" dev br0 &&
	ip netns exec "$N1" sysctl -qw net.ipv4.ip_forward=1 &&
	ip -n "$N1" addr add "$VIP/32" dev lo label lo:1 &&
	ip netns exec "$N2" sysctl -qw net.ipv4.conf.all.arp_ignore=1 &&
	ip netns exec "$N2" sysctl -qw net.ipv4.conf.all.arp_announce=2 &&
	ip netns exec "$N2" sysctl -qw net.ipv4.conf.all.rp_filter=0 &&
	ip netns exec "$N2" sysctl -qw net.ipv4.conf.veth21.rp_filter=0 &&
	ip -n "$N2" addr add "$VIP/32" dev lo label lo:1
}
setup || { t_fail "$T: setup (the selftest's three namespaces)"; t_done; }

SOCK=$NL_TMP/d.sock LOG=$NL_TMP/d.log
adm() { timeout 10 ip netns exec "$N1" "$NL_DRLBADM" --socket "$SOCK" "$@"; }

# run_drlbd LABEL [ARGS]: drlbd on both interfaces, with the rules
run_drlbd() {
	local label=$1
	shift
	rm -f "$SOCK"
	nl_bg d "$LOG" "$NL_DRLBD" --interface veth10 --interface veth12 \
		--socket "$SOCK" --foreground "$@"
	NL_DRLBD_PID=$NL_LASTPID NL_DRLBD_LOG=$LOG
	if nl_wait 10 test -S "$SOCK"; then
		t_ok "$T: $label: drlbd --interface veth10 --interface veth12 starts"
	else
		t_fail "$T: $label: drlbd --interface veth10 --interface veth12 starts"
		T_NAME=$T; t_done
	fi
}

# service N: N times the selftest's test_service(); how many arrived whole
service() {
	local i ok=0
	for ((i = 0; i < $1; i++)); do
		nl_bg r "$NL_TMP/out.log" sh -c "timeout 5 socat -u -4 TCP-LISTEN:$PORT,reuseaddr STDOUT >'$NL_TMP/out'"
		SRV=$NL_LASTPID
		sleep 0.3
		ip netns exec "$N0" timeout 2 socat -u -4 STDIN TCP:"$VIP":"$PORT" <"$NL_TMP/in"
		wait "$SRV" 2>/dev/null
		cmp -s "$NL_TMP/in" "$NL_TMP/out" && ok=$((ok + 1))
	done
	echo "$ok"
}

# with --workers 1 first (the main thread forwards), then the default
dd if=/dev/urandom of="$NL_TMP/in" bs=32 count=1 status=none
printf -- '-A -t %s:%s -s rr
-a -t %s:%s -r %s:%s -g
' "$VIP" "$PORT" "$VIP" "$PORT" "$RIP" "$PORT" >"$NL_TMP/rules"
run_drlbd "--workers 1" --workers 1 --config "$NL_TMP/rules"
nl_wait 5 grep -q "real server $RIP is at" "$LOG"
t_is "$T: --workers 1: the data arrives whole (2 of 2)" "$(service 2)" 2
t_stop_drlbd "$T: --workers 1"

run_drlbd "default workers"
# the selftest's ipvsadm lines, with drlbadm
adm -A -t "$VIP:$PORT" -s rr && adm -a -t "$VIP:$PORT" -r "$RIP:$PORT" ||
	t_fail "$T: drlbadm -A / -a"
nl_wait 5 grep -q "real server $RIP is at" "$LOG"
t_check "$T: the real server learnt on veth12" grep -q "real server $RIP is at" "$LOG"

# test_service(): 32 random bytes from the client arrive whole
t_is "$T: the selftest's DR case: the data arrives whole (3 of 3)" "$(service 3)" 3

# the frames went through drlbd, and out of the other interface
c=$(adm --counters)
fwd=$(awk '$1 == "forwarded" { print $2 }' <<<"$c")
t_check "$T: drlbd forwarded the client's frames ($fwd)" [ "${fwd:-0}" -ge 9 ]
s=$(adm -L -n --stats | awk -v v="$VIP:$PORT" '$2 == v { print $3 }')
t_is "$T: 3 connections scheduled" "$s" 3
rx=$(ip netns exec "$N1" nft list table netdev drlbd_veth10 2>/dev/null | grep -c "ingress_veth1[02]")
t_is "$T: the kernel kept from the VIP's frames on both interfaces" "$rx" 2
T_NAME=$T
t_done
