# shellcheck shell=bash
# tests/lib/routed.sh — the routed topology of README "Several directors",
# on top of tests/lib/netns.sh (source tap.sh first):
#
#   client 198.18.2.100 ── router ──┬── dir1..dirN  198.18.3.11.. (drlbd + BIRD)
#   2001:db8:2::100         .2.1    │                2001:db8:3::11..
#                           .3.1    └── rs1..rs3    198.18.3.21.. (VIPs on lo)
#
# The router runs BIRD with conf/bird-router.conf (ECMP, L4 hash), each
# director BIRD with conf/bird-director.conf (its defines replaced by sed)
# and drlbd --no-arp --sloppy-tcp --announce-table 100; the real servers
# answer the client through the router.  VIPs 198.18.1.1, 2001:db8:1::1.
# Only 198.18.1-3.0/24 and 2001:db8:1-3::/64, inside the namespaces made
# here, on a bridge without uplink.
#
#   rt_topology N            switch, router (BIRD), client, N directors
#                            (BIRD, no drlbd yet), rs1..rs3 with streams.py
#                            sinks on port RT_PORT
#   rt_rules W1 W2 W3        the rules every director loads (mh, mh-port)
#   rt_drlbd I [ARGS]        drlbd in dirI (pid RT_PID[I]); waits for its socket
#   rt_adm I ARGS...         drlbadm for dirI
#   rt_birdc NAME CMD...     birdc of NAME's BIRD
#   rt_paths VIP             next hops of the router's route to VIP (0: none)
#   rt_wait_paths VIP N SECS until the router has N next hops for VIP
#   rt_stop I / rt_kill I    SIGTERM / SIGKILL dirI's drlbd

RT_VIP4=198.18.1.1
RT_VIP6=2001:db8:1::1
RT_PORT=9000
RT_TABLE=100
RT_STREAMS=${RT_STREAMS:-$NL_ROOT/tests/tools/streams.py}
RT_PID=()
RT_PY=python3
[ -x /usr/bin/python3 ] && RT_PY=/usr/bin/python3
RT_N=0

rt_dir4() { echo "198.18.3.$((10 + $1))"; }
rt_dir6() { echo "2001:db8:3::$((10 + $1))"; }
rt_rs4() { echo "198.18.3.$((20 + $1))"; }
rt_rs6() { echo "2001:db8:3::$((20 + $1))"; }

# rt_conf FILE NAME=VALUE...: a shipped BIRD config with its define lines set
rt_conf() {
	local f=$1 kv e=(-e '')
	shift
	for kv in "$@"; do
		e+=(-e "s|^define ${kv%%=*} = [^;]*;|define ${kv%%=*} = ${kv#*=};|")
	done
	sed "${e[@]}" "$f"
}

rt_bird() { # NAME CONF
	local n=$1
	nl_bg "$n" "$NL_TMP/bird-$n.log" bird -f -c "$2" -s "$NL_TMP/bird-$n.ctl" \
		-P "$NL_TMP/bird-$n.pid"
	nl_wait 5 test -S "$NL_TMP/bird-$n.ctl"
}
rt_birdc() { local n=$1; shift; timeout 5 birdc -s "$NL_TMP/bird-$n.ctl" "$@"; }

rt_topology() { # NDIRECTORS
	local n=$1 i r ns
	RT_N=$n
	nl_switch || return 1
	nl_host router 198.18.3.1/24 || return 1
	nl_ipv6_on router 2001:db8:3::1/64 || return 1
	nl_newns "$(nl_ns client)" || return 1
	ip -n "$(nl_ns router)" link add eth1 type veth peer name eth0 netns "$(nl_ns client)" || return 1
	nl_ipv6_on client || return 1
	ns=$(nl_ns router)
	ip netns exec "$ns" sh -c 'd=/proc/sys/net/ipv6/conf/eth1; echo 0 >$d/accept_dad
		echo 0 >$d/disable_ipv6
		sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
			net.ipv4.fib_multipath_hash_policy=1 net.ipv6.fib_multipath_hash_policy=1 \
			net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0' || return 1
	ip -n "$ns" addr add 198.18.2.1/24 dev eth1 &&
		ip -n "$ns" addr add 2001:db8:2::1/64 dev eth1 nodad &&
		ip -n "$ns" link set eth1 up || return 1
	ns=$(nl_ns client)
	ip -n "$ns" addr add 198.18.2.100/24 dev eth0 &&
		ip -n "$ns" addr add 2001:db8:2::100/64 dev eth0 nodad &&
		ip -n "$ns" link set eth0 up &&
		ip -n "$ns" route add default via 198.18.2.1 &&
		ip -n "$ns" -6 route add default via 2001:db8:2::1 || return 1
	rt_conf conf/bird-router.conf >"$NL_TMP/bird-router.conf" || return 1
	rt_bird router "$NL_TMP/bird-router.conf" || { nl_log "BIRD did not start in router"; return 1; }
	for ((i = 1; i <= 3; i++)); do
		r=rs$i
		nl_host "$r" "$(rt_rs4 $i)/24" || return 1
		nl_ipv6_on "$r" "$(rt_rs6 $i)/64" || return 1
		nl_realserver "$r" "$RT_VIP4" || return 1
		nl_realserver "$r" "$RT_VIP6" || return 1
		nl_exec "$r" ip route add default via 198.18.3.1 &&
			nl_exec "$r" ip -6 route add default via 2001:db8:3::1 || return 1
		nl_bg "$r" "$NL_TMP/sink-$r.log" "$RT_PY" "$RT_STREAMS" sink "$r" "$RT_PORT"
		nl_wait_tcp "$r" 127.0.0.1 "$RT_PORT" 5 || { nl_log "sink in $r did not start"; return 1; }
	done
	for ((i = 1; i <= n; i++)); do
		rt_director "$i" || return 1
	done
}

# rt_director I: namespace dirI on the segment, BIRD peering with the router
rt_director() {
	local i=$1
	nl_host "dir$i" "$(rt_dir4 "$i")/24" || return 1
	nl_ipv6_on "dir$i" "$(rt_dir6 "$i")/64" || return 1
	rt_conf conf/bird-director.conf DIRECTOR_ID="$(rt_dir4 "$i")" \
		DIRECTOR6="$(rt_dir6 "$i")" DRLB_TABLE=$RT_TABLE >"$NL_TMP/bird-dir$i.conf" || return 1
	rt_bird "dir$i" "$NL_TMP/bird-dir$i.conf" || { nl_log "BIRD did not start in dir$i"; return 1; }
}

rt_rules() { # W1 W2 W3
	local v p
	for v in "$RT_VIP4" "[$RT_VIP6]"; do
		echo "-A -t $v:$RT_PORT -s mh -b mh-port"
		for p in 1 2 3; do
			local r
			if [ "$v" = "$RT_VIP4" ]; then r=$(rt_rs4 $p); else r="[$(rt_rs6 $p)]"; fi
			echo "-a -t $v:$RT_PORT -r $r:$RT_PORT -g -w ${!p}"
		done
	done >"$NL_TMP/rules.conf"
}

rt_drlbd() { # I [ARGS]
	local i=$1
	shift
	nl_drlbd_in "dir$i" "$NL_TMP/dir$i.sock" "$NL_TMP/drlbd-dir$i.log" --no-arp --sloppy-tcp \
		--announce-table "$RT_TABLE" --config "$NL_TMP/rules.conf" "$@" || return 1
	RT_PID[$i]=$NL_LASTPID
}
rt_adm() { local i=$1; shift; nl_adm_in "dir$i" "$NL_TMP/dir$i.sock" "$@"; }
rt_stop() { [ -n "${RT_PID[$1]:-}" ] || return 0; nl_stop_pid "${RT_PID[$1]}" 5; local rc=$?; RT_PID[$1]=; return $rc; }
rt_kill() { [ -n "${RT_PID[$1]:-}" ] || return 0; kill -KILL "${RT_PID[$1]}"; wait "${RT_PID[$1]}" 2>/dev/null; RT_PID[$1]=; }

rt_paths() { # VIP
	local fam=-4
	case $1 in *:*) fam=-6 ;; esac
	ip -n "$(nl_ns router)" "$fam" route show "$1" 2>/dev/null | awk '
		/nexthop/ { n++ } NR == 1 && / via / { one = 1 } END { print n ? n : one + 0 }'
}
rt_wait_paths() { # VIP N SECS
	local i
	for ((i = 0; i < $3 * 20; i++)); do
		[ "$(rt_paths "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

# rt_sessions: BGP sessions established on the router
rt_sessions() { rt_birdc router show protocols | awk '$2 == "BGP" && $NF == "Established"' | wc -l; }

# rt_no_sanitizer LOG...: no sanitizer report in these logs
rt_no_sanitizer() { ! grep -q -E 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' "$@" 2>/dev/null; }

# rt_streams FILE VIP N SECS [RATE]: streams.py client in the client's
# namespace, in the background (pid NL_LASTPID), stopped early by
# touching $NL_TMP/stop; its JSON summary goes to FILE
rt_streams() {
	local f=$1 vip=$2 n=$3 secs=$4 rate=${5:-8000}
	rm -f "$NL_TMP/stop"
	nl_bg client "$f" env STREAMS_STOP="$NL_TMP/stop" "$RT_PY" "$RT_STREAMS" client "$vip" "$RT_PORT" "$n" "$secs" "$rate"
}
# rt_result FILE KEY: a number of streams.py's summary (servers: "rs1=N ...")
rt_result() {
	"$RT_PY" -c 'import json, sys
d = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
k = sys.argv[2]
if k == "servers":
    print(" ".join("%s=%d" % (s, d["servers"].get(s, 0)) for s in ("rs1", "rs2", "rs3")))
elif k == "errors":
    print(" ".join("%s=%d" % kv for kv in sorted(d["errors"].items())))
else:
    print(d[k])' "$1" "$2" 2>/dev/null || echo "?"
}
rt_now() { "$RT_PY" -c 'import time; print("%.3f" % time.monotonic())'; }
# rt_in DIR VIP: connections (InConns) and packets (InPkts) of VIP:RT_PORT on dirI
rt_in() {
	local v=$2
	case $v in *:*) v="[$v]" ;; esac
	rt_adm "$1" -L -n --stats --exact 2>/dev/null | awk -v a="$v:$RT_PORT" '$1 == "TCP" && $2 == a { print $3 + 0, $4 + 0; f = 1 } END { if (!f) print -1, -1 }'
}

# rt_probe FILE VIP SECS: streams.py probe from the client, in the
# background (pid NL_LASTPID)
rt_probe() { nl_bg client "$1" "$RT_PY" "$RT_STREAMS" probe "$2" "$RT_PORT" "$3" 0.5; }
# rt_recovery FILE T0 [T1]: from the probes started in [T0, T1): "FAILED
# RECOVERY_MS", failed probes and the time from T0 to the first probe after
# which every one succeeded (0: none failed)
rt_recovery() {
	sort -n "$1" | awk -v t0="$2" -v t1="${3:-1e18}" '$1 >= t0 && $1 < t1 {
		if ($2 == "fail") { f++; last = 1 } else if (last || !seen) { first = $1; last = 0 }
		seen = 1
	} END { printf "%d %d\n", f, f ? (first - t0) * 1000 : 0 }'
}

# rt_cut NAME down|up: NAME's link cut (or mended) at the switch, as a cable
# pulled: its eth0 stays up without carrier and keeps its addresses
rt_cut() {
	local idx port
	idx=$(nl_exec "$1" cat /sys/class/net/eth0/iflink) || return 1
	port=$(ip -n "$(nl_ns sw)" -o link show | awk -F': ' -v i="$idx" '$1 == i { sub(/@.*/, "", $2); print $2 }')
	[ -n "$port" ] && ip -n "$(nl_ns sw)" link set "$port" "$2"
}

# rt_bfd_up N: the router's BFD sessions up are at least N
rt_bfd_up() { [ "$(rt_birdc router show bfd sessions | awk '$3 == "Up"' | wc -l)" -ge "$1" ]; }
