#!/bin/bash
# kernel_vip: drlbd refuses to start when the director's kernel holds the VIP
# (it would answer ARP and take the packets itself) or when IP forwarding is on
# (the kernel would route the client's frames a second time), saying why and
# exiting non-zero.  With both fixed it starts.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=kernel_vip
t_require "$T: setup"
nl_init "$T"
T_NAME=$T
nl_switch && nl_host dir "$NL_DIP/24" && nl_host client "$NL_CIP/24" ||
	{ t_fail "$T: setup (namespaces)"; t_done; }
cp conf/recipe.conf "$NL_TMP/recipe.conf"

# try_start LABEL: runs drlbd for at most 5 s; sets RC and MSG
try_start() {
	local log=$NL_TMP/try-$1.log
	rm -f "$NL_SOCK"
	nl_exec dir timeout 5 "$NL_DRLBD" --interface eth0 --config "$NL_TMP/recipe.conf" \
		--socket "$NL_SOCK" --foreground >"$log" 2>&1 </dev/null
	RC=$?
	MSG=$(cat "$log")
	echo "[$1] exit $RC: $MSG" >&2
}

# 1: VIP on the director's eth0 (the recipe's eth0:0)
nl_exec dir ip addr add "$NL_VIP/32" dev eth0
try_start vip-eth0
t_check "$T: VIP on eth0: refuses to start (exit $RC)" [ "$RC" -ne 0 -a "$RC" -ne 124 ]
t_check "$T: VIP on eth0: message names the VIP" grep -q -F "$NL_VIP" <<<"$MSG"
t_check "$T: VIP on eth0: the advice removes that /32" \
	grep -q -F "ip addr del $NL_VIP/32 dev eth0" <<<"$MSG"
nl_exec dir ip addr del "$NL_VIP/32" dev eth0

# 1b: the VIP is the director's own address (its DIP, a /24): removing it
# would cut the director off; the advice is to choose another VIP
sed "s/$NL_VIP/$NL_DIP/g" conf/recipe.conf >"$NL_TMP/dip.conf"
rm -f "$NL_SOCK"
MSG=$(nl_exec dir timeout 5 "$NL_DRLBD" --interface eth0 --config "$NL_TMP/dip.conf" \
	--socket "$NL_SOCK" --foreground 2>&1 </dev/null)
RC=$?
t_check "$T: VIP = the director's own address: refuses (exit $RC)" [ "$RC" -ne 0 -a "$RC" -ne 124 ]
t_check "$T: VIP = the director's own address: says so ($MSG)" \
	grep -q -F "is this host's own address ($NL_DIP/24 on eth0)" <<<"$MSG"
if grep -q 'addr del' <<<"$MSG"; then
	t_fail "$T: VIP = the director's own address: never advises deleting it"
else
	t_ok "$T: VIP = the director's own address: never advises deleting it"
fi

# 2: VIP on lo (any local interface counts)
nl_exec dir ip addr add "$NL_VIP/32" dev lo
try_start vip-lo
t_check "$T: VIP on lo: refuses to start (exit $RC)" [ "$RC" -ne 0 -a "$RC" -ne 124 ]
t_check "$T: VIP on lo: message names the VIP" grep -q -F "$NL_VIP" <<<"$MSG"
nl_exec dir ip addr del "$NL_VIP/32" dev lo

# 3: IP forwarding on
nl_exec dir sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'
try_start forwarding
t_check "$T: forwarding on: refuses to start (exit $RC)" [ "$RC" -ne 0 -a "$RC" -ne 124 ]
t_check "$T: forwarding on: message says forwarding" grep -q -i forward <<<"$MSG"
# only on the interface
nl_exec dir sh -c 'echo 0 >/proc/sys/net/ipv4/ip_forward; echo 1 >/proc/sys/net/ipv4/conf/eth0/forwarding'
try_start forwarding-eth0
t_check "$T: forwarding on eth0 only: refuses to start (exit $RC)" [ "$RC" -ne 0 -a "$RC" -ne 124 ]
t_check "$T: forwarding on eth0 only: message says forwarding" grep -q -i forward <<<"$MSG"
nl_exec dir sh -c 'echo 0 >/proc/sys/net/ipv4/conf/eth0/forwarding'

# 4: all well: it starts and keeps running
if nl_drlbd --config "$NL_TMP/recipe.conf" && sleep 1 && nl_drlbd_alive; then
	t_ok "$T: without VIP and forwarding drlbd starts"
else
	t_fail "$T: without VIP and forwarding drlbd starts"
fi
t_done
