#!/bin/bash
# announce_frr: drlbd --announce-table with FRR instead of BIRD on the
# director (conf/frr-director.conf: zebra imports table 100, bgpd
# redistributes it), behind the BIRD router of tests/lib/routed.sh:
#  - the IPv4 VIP announced to the router once a real server is usable
#  - drlbadm --drain on withdraws it, --drain off announces it again
#  - SIGKILL of drlbd withdraws it (its helper removes the routes one by
#    one before the tun device goes: zebra misses routes that go with a
#    device)
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/routed.sh
T=announce_frr
t_require "$T: setup" bird birdc vtysh
nl_init "$T"
rt_topology 0 || { t_fail "$T: setup (routed topology)"; t_done; }
rt_rules 1 1 1
nl_host dir1 "$(rt_dir4 1)/24" && nl_ipv6_on dir1 "$(rt_dir6 1)/64" || { t_fail "$T: setup dir1"; t_done; }
F=$NL_TMP/frr
mkdir -p "$F" && chmod 777 "$F"
sed "s/198\.18\.3\.11/$(rt_dir4 1)/g" conf/frr-director.conf >"$F/frr.conf"
chmod 644 "$F/frr.conf"
frr() { # DAEMON [ARGS]
	local d=$1
	shift
	nl_bg dir1 "$F/$d.log" "/usr/lib/frr/$d" -f "$F/frr.conf" -i "$F/$d.pid" -z "$F/zserv.api" \
		--vty_socket "$F" -A 127.0.0.1 -P 0 -u frr -g frr "$@"
}
frr zebra
nl_wait 5 test -S "$F/zserv.api" || t_fail "$T: zebra starts"
frr bgpd -l "$(rt_dir4 1)"
rt_drlbd 1 || { t_fail "$T: drlbd starts"; t_done; }
t_check "$T: announced to the router through FRR" rt_wait_paths "$RT_VIP4" 1 20
t_is "$T: zebra imported table $RT_TABLE" \
	"$(nl_exec dir1 vtysh --vty_socket "$F" -c "show ip route table $RT_TABLE" 2>/dev/null | grep -c "$RT_VIP4/32")" 1
rt_adm 1 --drain on
t_check "$T: --drain on: withdrawn" rt_wait_paths "$RT_VIP4" 0 5
rt_adm 1 --drain off
t_check "$T: --drain off: announced again" rt_wait_paths "$RT_VIP4" 1 5
t0=$(date +%s%N)
rt_kill 1
t_check "$T: SIGKILL of drlbd: withdrawn" rt_wait_paths "$RT_VIP4" 0 5
echo "FRR: SIGKILL of drlbd: the router's route gone after $((($(date +%s%N) - t0) / 1000000)) ms" >&2
t_check "$T: no sanitizer report in drlbd's log" rt_no_sanitizer "$NL_TMP"/drlbd-*.log
[ "$T_FAILED" = 0 ] || tail -n 20 "$F"/*.log "$NL_TMP"/drlbd-dir1.log >&2
t_done
