#!/bin/bash
# ecmp_kill: a director dies under load.  Three directors behind a BIRD
# router with ECMP (tests/lib/routed.sh), drlbd --no-arp --sloppy-tcp with
# mh (mh-port); 240 long-lived TCP streams checked end to end, and a new
# short connection every 20 ms (0.5 s each to be answered):
#  - SIGKILL of one drlbd: its tun device goes, BIRD withdraws at once
#  - then another director's links cut (its port on the switch down: the
#    host "dies", its cable pulled): the router's BFD withdraws it
# Both with IPv4, then IPv6.  Asserted: the routes follow (3 -> 2 -> 1 next
# hops), and at least 99 % of the streams survive intact (the goal; here
# all of them do); the share that survived and the time until new
# connections all succeed again are printed (bench/RESULTS.md).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/routed.sh
T=ecmp_kill
t_require "$T: setup" bird birdc
nl_init "$T"
N=240
rt_topology 3 || { t_fail "$T: setup (routed topology)"; t_done; }
rt_rules 1 1 1

round() { # VIP LABEL
	local vip=$1 l=$2 out=$NL_TMP/streams-$2.json pr=$NL_TMP/probe-$2.log pid ppid t1 t2 i r
	for i in 1 2 3; do
		[ -n "${RT_PID[$i]:-}" ] || rt_drlbd "$i" || t_fail "$T: $l: drlbd starts in dir$i"
	done
	t_check "$T: $l: three directors announced" rt_wait_paths "$vip" 3 20
	t_check "$T: $l: the router's 6 BFD sessions up" nl_wait 15 rt_bfd_up 6
	rt_streams "$out" "$vip" "$N" 60
	pid=$NL_LASTPID
	rt_probe "$pr" "$vip" 60
	ppid=$NL_LASTPID
	sleep 3
	t1=$(rt_now)
	rt_kill 2
	t_check "$T: $l: dir2's drlbd SIGKILLed: 2 next hops" rt_wait_paths "$vip" 2 5
	sleep 4
	t2=$(rt_now)
	rt_cut dir3 down
	t_check "$T: $l: dir3's links cut: 1 next hop (BFD)" rt_wait_paths "$vip" 1 5
	sleep 4
	touch "$NL_TMP/stop"
	kill "$ppid" 2>/dev/null
	for ((i = 0; i < 300; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	wait "$pid"
	wait "$ppid" 2>/dev/null
	cat "$out" >&2
	r=$(rt_result "$out" ok)
	echo "$l: $r of $N streams survived intact ($(rt_result "$out" reset) reset, $(rt_result "$out" stalled) stalled, $(rt_result "$out" bad) different; $(rt_result "$out" errors))" >&2
	echo "$l: SIGKILL of drlbd: new connections: failed, ms until all succeed: $(rt_recovery "$pr" "$t1" "$t2")" >&2
	echo "$l: links cut: new connections: failed, ms until all succeed: $(rt_recovery "$pr" "$t2")" >&2
	t_check "$T: $l: at least 99 % of $N streams survive intact ($r)" [ "$r" -ge $((N * 99 / 100)) ]
	t_is "$T: $l: none different" "$(rt_result "$out" bad)" 0
	rt_cut dir3 up
}

round "$RT_VIP4" ipv4
# dir3's sessions come back (BFD, BGP); dir2 restarted by round
round "$RT_VIP6" ipv6

for i in 1 3; do
	rt_stop "$i"
	t_is "$T: dir$i drlbd exits 0 on SIGTERM" "$?" 0
done
t_check "$T: no sanitizer report in drlbd's logs" rt_no_sanitizer "$NL_TMP"/drlbd-*.log
[ "$T_FAILED" = 0 ] || tail -n 20 "$NL_TMP"/drlbd-dir*.log >&2
t_done
