#!/bin/bash
# ecmp_drain: directors added and drained under load lose nothing.  Three
# directors behind a BIRD router with ECMP (tests/lib/routed.sh), each
# drlbd --no-arp --sloppy-tcp with mh (mh-port) and the same rules, weights
# 3:2:1.  240 long-lived TCP streams, their bytes checked end to end
# (sha256 at the real server):
#  - IPv4: a director added (drlbd started: 2 -> 3 next hops), then one
#    drained (drlbadm --drain on: 3 -> 2): 240 of 240 intact, none reset or
#    stalled; streams moved onto the added director mid-flow, the drained
#    one gets no more frames
#  - IPv6: the drained one back (--drain off), another drained: the same
#  - 600 new connections over the three directors: each real server's share
#    is the weights' (3:2:1) within 20 %
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
. tests/lib/routed.sh
T=ecmp_drain
t_require "$T: setup" bird birdc
nl_init "$T"
N=240
rt_topology 3 || { t_fail "$T: setup (routed topology)"; t_done; }
rt_rules 3 2 1
rt_drlbd 1 && rt_drlbd 2 || { t_fail "$T: drlbd starts in dir1, dir2"; t_done; }
t_check "$T: two directors announced (2 next hops, IPv4 and IPv6)" \
	eval 'rt_wait_paths $RT_VIP4 2 20 && rt_wait_paths $RT_VIP6 2 5'

# phase VIP ADD-CMD DRAIN-I LABEL: streams; a director added by ADD-CMD, then
# dirDRAIN-I drained; the streams' summary checked
phase() {
	local vip=$1 add=$2 dr=$3 l=$4 out=$NL_TMP/streams-$4.json c0 c1 p1 p2 pid i
	rt_streams "$out" "$vip" "$N" 60
	pid=$NL_LASTPID
	sleep 3
	eval "$add" || t_fail "$T: $l: a director added"
	t_check "$T: $l: added: 3 next hops" rt_wait_paths "$vip" 3 10
	sleep 3
	rt_adm "$dr" --drain on || t_fail "$T: $l: --drain on dir$dr"
	t_check "$T: $l: dir$dr drained: 2 next hops" rt_wait_paths "$vip" 2 5
	sleep 1
	p1=$(rt_in "$dr" "$vip")
	sleep 2
	p2=$(rt_in "$dr" "$vip")
	t_is "$T: $l: the drained dir$dr gets no more frames (InConns InPkts)" "$p2" "$p1"
	touch "$NL_TMP/stop"
	for ((i = 0; i < 300; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	wait "$pid"
	cat "$out" >&2
	t_is "$T: $l: $N streams intact, none reset, stalled or different" \
		"$(rt_result "$out" ok) $(rt_result "$out" reset) $(rt_result "$out" stalled) $(rt_result "$out" bad)" "$N 0 0 0"
	echo "$l: per real server: $(rt_result "$out" servers); $(rt_result "$out" bytes) bytes" >&2
}

phase "$RT_VIP4" "rt_drlbd 3" 1 ipv4
c=$(rt_in 3 "$RT_VIP4")
t_check "$T: ipv4: streams moved onto the added dir3 mid-flow (${c% *} connections made there by --sloppy-tcp)" [ "${c% *}" -gt 0 ]
phase "$RT_VIP6" "rt_adm 1 --drain off" 3 ipv6

# ---- the weights' split, across directors
rt_adm 3 --drain off
rt_wait_paths "$RT_VIP4" 3 5 || t_fail "$T: split: 3 next hops"
b1=$(rt_in 1 "$RT_VIP4") b2=$(rt_in 2 "$RT_VIP4") b3=$(rt_in 3 "$RT_VIP4")
rt_streams "$NL_TMP/split.json" "$RT_VIP4" 600 0.5 1000
wait "$NL_LASTPID"
s=$(rt_result "$NL_TMP/split.json" servers)
echo "split over 600 connections: $s (want 300 200 100)" >&2
read -r s1 s2 s3 <<<"$(sed 's/rs[0-9]=//g' <<<"$s")"
t_is "$T: split: 600 of 600 answered" "$(rt_result "$NL_TMP/split.json" ok)" 600
t_check "$T: split: rs1:rs2:rs3 within 20 % of 3:2:1 ($s)" \
	[ "$s1" -ge 240 -a "$s1" -le 360 -a "$s2" -ge 160 -a "$s2" -le 240 -a "$s3" -ge 80 -a "$s3" -le 120 ]
for i in 1 2 3; do
	a=$(rt_in "$i" "$RT_VIP4")
	eval "b=\$b$i"
	echo "split: dir$i made $((${a% *} - ${b% *})) of the connections" >&2
	t_check "$T: split: dir$i took some of the new connections" [ "$((${a% *} - ${b% *}))" -gt 0 ]
done

for i in 1 2 3; do
	rt_stop "$i"
	t_is "$T: dir$i drlbd exits 0 on SIGTERM" "$?" 0
done
t_check "$T: no sanitizer report in drlbd's logs" rt_no_sanitizer "$NL_TMP"/drlbd-*.log
[ "$T_FAILED" = 0 ] || tail -n 20 "$NL_TMP"/drlbd-dir*.log >&2
t_done
