#!/bin/bash
# announce: drlbd --announce-table tells BIRD which VIPs to announce (README
# "Several directors"): one director behind a BIRD router (tests/lib/routed.sh)
#  - a VIP is announced (route in table 100 through drlb-eth0, one next hop
#    on the router) once one of its services has a usable real server; not
#    while every weight is 0, nor for a real server whose MAC is unknown
#  - drlbadm --announce (text, JSON); --drain on withdraws every VIP,
#    --drain off announces again; refused without --announce-table
#  - withdrawn on SIGTERM, on SIGKILL of drlbd alone (its helper goes too),
#    on SIGKILL of its whole process group (systemctl kill -s KILL), and when
#    the director's link is cut (the router's BFD)
#  - drlbd holds no capability; its helper CAP_NET_ADMIN alone
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/routed.sh
T=announce
t_require "$T: setup" bird birdc
nl_init "$T"
rt_topology 1 || { t_fail "$T: setup (routed topology)"; t_done; }
rt_rules 1 1 1
rt_sessions_up() { [ "$(rt_sessions)" -ge 2 ]; }
t_check "$T: the director's BGP sessions (IPv4, IPv6) with the router are up" nl_wait 15 rt_sessions_up

table() { nl_exec dir1 ip "$1" route show table "$RT_TABLE" 2>/dev/null | awk '{ print $1, $2, $3 }' | sort | paste -sd,; }
paths() { echo "$(rt_paths "$RT_VIP4") $(rt_paths "$RT_VIP6")"; }
wait_paths() { local i; for ((i = 0; i < ${2:-10} * 20; i++)); do [ "$(paths)" = "$1" ] && return 0; sleep 0.05; done; return 1; }

rt_drlbd 1 || { t_fail "$T: drlbd starts with --announce-table"; t_done; }
t_check "$T: announced to the router (IPv4, IPv6: one next hop each)" wait_paths "1 1" 10
t_is "$T: the routes in table $RT_TABLE" "$(table -4) $(table -6)" "$RT_VIP4 dev drlb-eth0 $RT_VIP6 dev drlb-eth0"
t_is "$T: the router's next hop is the director" "$(ip -n "$(nl_ns router)" route show "$RT_VIP4" | awk '{ print $3 }')" "$(rt_dir4 1)"
out=$(rt_adm 1 --announce)
echo "$out" >&2
t_check "$T: --announce names the table and the device" grep -q "routing table $RT_TABLE, device drlb-eth0" <<<"$out"
t_is "$T: --announce: both VIPs announced, 3 of 3 usable" "$(awk 'NR > 2 { print $1, $2, $3, $4 }' <<<"$out" | paste -sd,)" \
	"$RT_VIP4 announced 3 3,$RT_VIP6 announced 3 3"
t_is "$T: --announce --json" "$(rt_adm 1 --announce --json | nl_python3 -c 'import json,sys
d = json.load(sys.stdin)
print(d["kind"], d["table"], d["device"], d["draining"], " ".join("%s=%s" % (v["address"], v["announced"]) for v in d["vips"]))')" \
	"announce $RT_TABLE drlb-eth0 False $RT_VIP4=True $RT_VIP6=True"

# ---- usable real servers: weights, MACs
for i in 1 2 3; do rt_adm 1 -e -t "$RT_VIP4:$RT_PORT" -r "$(rt_rs4 $i):$RT_PORT" -g -w 0; done
t_check "$T: every weight 0: the IPv4 VIP withdrawn, the IPv6 one stays" wait_paths "0 1" 5
rt_adm 1 -e -t "$RT_VIP4:$RT_PORT" -r "$(rt_rs4 2):$RT_PORT" -g -w 1
t_check "$T: one weight back: announced again" wait_paths "1 1" 5
rt_adm 1 -A -t 198.18.1.2:80 -s rr && rt_adm 1 -a -t 198.18.1.2:80 -r 198.18.3.99 -g -w 1
sleep 1.5
t_is "$T: a VIP whose only real server answers no ARP is not announced" "$(rt_paths 198.18.1.2) $(table -4 | grep -c 198.18.1.2)" "0 0"
t_is "$T: --announce: that VIP withdrawn, 0 of 1 usable" "$(rt_adm 1 --announce | awk '$1 == "198.18.1.2" { print $2, $3, $4 }')" "withdrawn 0 1"
rt_adm 1 -D -t 198.18.1.2:80

# ---- drain
rt_adm 1 --drain on
t_is "$T: --drain on exits 0" "$?" 0
t_is "$T: drained: every VIP withdrawn at once (table empty when drlbadm returns)" "$(table -4)$(table -6)" ""
t_check "$T: drained: the router has no route to either VIP" wait_paths "0 0" 5
t_check "$T: --announce says drained" grep -q "drained" <<<"$(rt_adm 1 --announce)"
rt_adm 1 --drain off
t_check "$T: --drain off: announced again" wait_paths "1 1" 5
msg=$(rt_adm 1 --drain maybe 2>&1)
t_is "$T: --drain maybe: usage, exit 2" "$? $msg" "2 usage: $NL_DRLBADM --drain on|off"

# ---- privileges
pid=${RT_PID[1]}
helper=$(pgrep -P "$pid" -x drlbd-priv)
t_is "$T: drlbd holds no capability" "$(awk '/^CapEff/ { print $2 }' "/proc/$pid/status")" 0000000000000000
t_is "$T: its helper CAP_NET_ADMIN alone" "$(awk '/^CapEff/ { print $2 }' "/proc/$helper/status" 2>/dev/null)" 0000000000001000

# ---- ends: SIGTERM, SIGKILL, SIGKILL of the process group
rt_stop 1
t_is "$T: SIGTERM: drlbd exits 0" "$?" 0
t_check "$T: SIGTERM: withdrawn" wait_paths "0 0" 5
t_is "$T: SIGTERM: the tun device is gone" "$(nl_exec dir1 ip -o link show drlb-eth0 2>/dev/null | wc -l)" 0
rt_drlbd 1 && wait_paths "1 1" 10 || t_fail "$T: restarted: announced again"
helper=$(pgrep -P "${RT_PID[1]}" -x drlbd-priv)
t0=$(date +%s%N)
rt_kill 1
t_check "$T: SIGKILL of drlbd: withdrawn from the router" wait_paths "0 0" 5
echo "SIGKILL of drlbd: the router's routes gone after $((($(date +%s%N) - t0) / 1000000)) ms" >&2
t_check "$T: SIGKILL of drlbd: its helper is gone too" nl_wait 3 eval "! kill -0 $helper"
t_is "$T: SIGKILL of drlbd: the tun device is gone" "$(nl_exec dir1 ip -o link show drlb-eth0 2>/dev/null | wc -l)" 0
# a unit's cgroup killed: drlbd in a process group of its own, every member
# SIGKILLed at once
nl_bg dir1 "$NL_TMP/drlbd-pgrp.log" setsid "$NL_DRLBD" --interface eth0 --socket "$NL_TMP/dir1.sock" \
	--foreground --no-arp --sloppy-tcp --announce-table "$RT_TABLE" --config "$NL_TMP/rules.conf"
pg=$NL_LASTPID
if wait_paths "1 1" 10; then
	t_is "$T: drlbd leads its process group" "$(ps -o pgid= -p "$pg" | tr -d ' ')" "$pg"
	kill -KILL -- "-$pg"
	t_check "$T: SIGKILL of the process group: withdrawn" wait_paths "0 0" 5
else
	t_fail "$T: drlbd in its own process group announces"
	kill -KILL -- "-$pg"
fi
wait "$pg" 2>/dev/null

# ---- the host dies: its link cut, the router's BFD notices
rt_drlbd 1 && wait_paths "1 1" 10 || t_fail "$T: restarted (2): announced again"
nl_wait 15 rt_bfd_up 2 || t_fail "$T: the router's BFD sessions up" "$(rt_birdc router show bfd sessions)"
t0=$(date +%s%N)
rt_cut dir1 down
t_check "$T: the director's link cut: the router withdraws (BFD)" wait_paths "0 0" 5
echo "link cut: the router's routes gone after $((($(date +%s%N) - t0) / 1000000)) ms" >&2
rt_cut dir1 up
rt_stop 1

# ---- without --announce-table
rt_drlbd_plain() { nl_drlbd_in dir1 "$NL_TMP/dir1.sock" "$NL_TMP/drlbd-plain.log" --no-arp --config "$NL_TMP/rules.conf"; }
if rt_drlbd_plain; then
	RT_PID[1]=$NL_LASTPID
	msg=$(rt_adm 1 --drain on 2>&1)
	t_is "$T: --drain without --announce-table: refused" "$? $msg" "255 drlbd announces no VIP (start it with --announce-table)"
	t_is "$T: --announce without --announce-table" "$(rt_adm 1 --announce)" "drlbd announces no VIP (it runs without --announce-table)"
	rt_stop 1
else
	t_fail "$T: drlbd starts without --announce-table"
fi
t_check "$T: no sanitizer report in drlbd's logs" rt_no_sanitizer "$NL_TMP"/drlbd-*.log
[ "$T_FAILED" = 0 ] || tail -n 30 "$NL_TMP"/drlbd-dir1.log "$NL_TMP/bird-router.log" >&2
t_done
