# shellcheck shell=bash
# tests/lib/netns.sh — network-namespace helpers for the drlb demo, tests and benches.
# Source it; it defines functions only (and a few variables on nl_init).
#
#   nl_init [TAG]            per-run prefix NL_P, temp dir NL_TMP, cleanup trap
#   nl_init_named P DIR      the same with a fixed prefix and directory
#   nl_switch                namespace "<P>-sw" holding bridge "<P>br"; nothing
#                            is created in the root namespace
#   nl_host NAME CIDR        namespace "<P>-NAME", its eth0 plugged into the
#                            bridge (both veth ends are created directly inside
#                            their namespaces)
#   nl_ns NAME               the namespace's full name
#   nl_exec NAME CMD...      run CMD in NAME's namespace
#   nl_bg NAME LOG CMD...    start CMD in NAME's namespace in the background,
#                            stdout+stderr to LOG; remembers its pid (NL_LASTPID);
#                            in a session of its own when NL_DETACH=1
#   nl_wait SECS CMD...      retry CMD every 0.1 s, at most SECS seconds
#   nl_wait_tcp NAME ADDR PORT [SECS]   until a TCP listener answers
#   nl_mac NAME [DEV]        MAC of DEV (eth0) in NAME
#   nl_cleanup               kill what we started, delete our namespaces
#   nl_need TOOL...          which of these commands are missing, with the
#                            package that has each; returns 1 if any is missing
#
# drlb-specific:
#   nl_realserver NAME VIP   tools/drlb-realserver apply in NAME
#   nl_nginx NAME TEXT [PORT]   nginx in NAME answering every GET with TEXT
#   nl_sink NAME PORT        socat HTTP server: replies "<name> <bytes> <sha256>"
#                            of the request body (uploads)
#   nl_udp_echo NAME PORT [VIP] socat UDP server answering "<name> <payload>"
#   nl_dr_topology           the recipe: switch, client .100, director .2,
#                            rs1 .7, rs2 .8 (VIP .1 on their lo), nginx on both
#   nl_drlbd [ARGS...]       start build/drlbd --foreground in the director,
#                            wait for its control socket
#   nl_adm ARGS...           build/drlbadm --socket NL_SOCK ARGS in the director
#   nl_curl_count N [URL]    N curls from the client; prints "name count" lines
#   nl_count_of OUT WHO      WHO's count in nl_curl_count's output (0 if none)
#   nl_rules SCHED W1 W2 [PORT] [-t|-u]   a service on the VIP, both RIPs
#   nl_svc_stats PROTO VIP:PORT   "conns inpkts outpkts inbytes outbytes"
#   nl_capture NAME FILE [FILTER] / nl_capture_stop PID / nl_pcap_count FILE FILTER
#   nl_arping NAME COUNT TARGET   MACs that answered
#   nl_counters / nl_counter NAME   drlbd's counters (drlbadm --counters)
#
# Test output and the tests' common steps (t_*) are in tests/lib/tap.sh.
#
# Environment: NL_DRLBD / NL_DRLBADM run other binaries (e.g. a sanitizer
# build: make B=/tmp/asan SANITIZE=address,undefined all; NL_DRLBD=/tmp/asan/drlbd
# NL_DRLBADM=/tmp/asan/drlbadm bash tests/run.sh); NL_KEEP_TMP=1 keeps NL_TMP.
#
# Hard rules kept here: addresses only from 198.18.0.0/24 (2001:db8::/32;
# tests/lib/routed.sh: 198.18.1-3.0/24) inside namespaces created by this run, on a bridge without uplink; IPv6 is
# disabled in our namespaces so they send no autoconfiguration traffic, and
# the bridge joins no multicast group (no IGMP); every wait is bounded;
# offloads are left at their defaults.

NL_ROOT=${NL_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
NL_DRLBD=${NL_DRLBD:-$NL_ROOT/build/drlbd}
NL_DRLBADM=${NL_DRLBADM:-$NL_ROOT/build/drlbadm}
NL_REALSERVER=${NL_REALSERVER:-$NL_ROOT/tools/drlb-realserver}

NL_VIP=198.18.0.1
NL_DIP=198.18.0.2
NL_RIP1=198.18.0.7
NL_RIP2=198.18.0.8
NL_CIP=198.18.0.100

NL_P=
NL_TMP=
NL_NSES=()
NL_PIDS=()
NL_HOSTS=0
NL_LASTPID=
NL_SOCK=
NL_DRLBD_PID=
NL_DRLBD_LOG=

nl_log() { printf '%s\n' "$*" >&2; }

# nl_pkg TOOL: the Debian/Ubuntu package that has TOOL (as tools/install-deps.sh
# names it), so a missing tool is reported with what to install
nl_pkg() {
	case $1 in
	ip|ss|bridge|tc) echo iproute2 ;;
	setpriv|runuser|setsid) echo util-linux ;;
	sysctl|ps|pgrep|pkill) echo procps ;;
	scapy) echo python3-scapy ;;
	bird|birdc) echo bird2 ;;
	vtysh) echo frr ;;
	*) echo "$1" ;;
	esac
}

# nl_python3: Debian's python3 (where python3-scapy is), not one earlier in PATH
nl_python3() { if [ -x /usr/bin/python3 ]; then /usr/bin/python3 "$@"; else python3 "$@"; fi; }

# nl_need TOOL...: print the missing ones as "tool (package tool)", comma
# separated, and return 1 if any is missing ("scapy" is python3's module).
# A missing tool must be named as such, not surface later as a failed step
# (no arping looks like nobody answering ARP).
nl_need() {
	local t miss=()
	for t in "$@"; do
		case $t in
		scapy) nl_python3 -c 'import scapy.all' >/dev/null 2>&1 && continue ;;
		*) command -v "$t" >/dev/null 2>&1 && continue ;;
		esac
		miss+=("$t (package $(nl_pkg "$t"))")
	done
	[ ${#miss[@]} -eq 0 ] && return 0
	local IFS=,
	echo "${miss[*]}" | sed 's/,/, /g'
	return 1
}

# nl_have CALLER TOOL...: nl_need, saying on stderr which helper lacks what
nl_have() {
	local who=$1 miss
	shift
	miss=$(nl_need "$@") && return 0
	nl_log "$who: missing tool: $miss (bash tools/install-deps.sh --all installs it)"
	return 1
}

# Per-run prefix: "drlb" + pid in hex (<= 10 chars) so that interface names
# "<P>NN" and "<P>br" stay within IFNAMSIZ-1 = 15.
nl_init() {
	local tag=${1:-}
	NL_P=drlb$(printf '%x' $$)
	if ip netns list 2>/dev/null | grep -q "^$NL_P-"; then
		# a left-over run with a recycled pid: take another prefix
		NL_P=drlb$(printf '%x' $(( ($$ + RANDOM) % 0xffffff )))
	fi
	NL_TMP=$(mktemp -d "/tmp/$NL_P${tag:+-$tag}.XXXXXX") || return 1
	chmod 755 "$NL_TMP"
	NL_SOCK=$NL_TMP/drlbd.sock
	nl_traps
}

# nl_init_named PREFIX DIR: as nl_init with a fixed prefix (<= 10 chars) and
# directory, so that a later run finds what this one leaves by name
# (tools/demo.sh --keep and --stop).  DIR must not exist: creating it is
# what keeps two such runs apart, and the cleanup removes it.
nl_init_named() {
	mkdir -m 755 "$2" 2>/dev/null || return 1
	NL_P=$1
	NL_TMP=$2
	NL_SOCK=$NL_TMP/drlbd.sock
	nl_traps
}

# the cleanup on exit, on failure and on Ctrl-C
nl_traps() {
	trap 'nl_cleanup' EXIT
	trap 'nl_cleanup; trap - INT; kill -INT $$' INT
	trap 'nl_cleanup; trap - TERM; kill -TERM $$' TERM
}

nl_ns() { printf '%s-%s' "$NL_P" "$1"; }
nl_exec() { local n=$1; shift; ip netns exec "$(nl_ns "$n")" "$@"; }

nl_cleanup() {
	local p ns i
	[ -n "$NL_P" ] || return 0
	# our own background processes first (by pid), politely then firmly
	for p in "${NL_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for i in 1 2 3 4 5 6 7 8 9 10; do
		local alive=0
		for p in "${NL_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ $alive = 0 ] && break
		sleep 0.1
	done
	for p in "${NL_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	# anything else still running inside our namespaces was started by us too
	for ns in "${NL_NSES[@]}"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	done
	for ns in "${NL_NSES[@]}"; do ip netns del "$ns" 2>/dev/null; done
	NL_NSES=()
	NL_PIDS=()
	if [ -n "$NL_TMP" ] && [ -d "$NL_TMP" ] && [ -z "${NL_KEEP_TMP:-}" ]; then
		rm -rf "$NL_TMP"
	fi
	NL_P=
}

nl_newns() { # full-name
	ip netns add "$1" || return 1
	NL_NSES+=("$1")
	ip -n "$1" link set lo up
	# no IPv6 autoconfiguration chatter (router/neighbour solicitations, MLD)
	ip netns exec "$1" sh -c 'for f in /proc/sys/net/ipv6/conf/all/disable_ipv6 \
		/proc/sys/net/ipv6/conf/default/disable_ipv6; do [ -w $f ] && echo 1 >$f; done; :'
}

nl_switch() {
	local sw
	sw=$(nl_ns sw)
	nl_newns "$sw" || return 1
	# STP off (default): ports forward at once.  mcast_snooping 0: a snooping
	# bridge parses IPv4 headers and drops malformed ones (truncated total
	# length ...) before they reach the director; a plain switch forwards them.
	# multicast off: the bridge itself joins no groups and sends no IGMP.
	ip -n "$sw" link add "${NL_P}br" type bridge mcast_snooping 0 || return 1
	ip -n "$sw" link set "${NL_P}br" multicast off
	# br_netfilter (when loaded) would run bridged frames through iptables in
	# this namespace and drop malformed IPv4 on the way; a switch does not
	ip netns exec "$sw" sh -c 'for f in /proc/sys/net/bridge/bridge-nf-call-*; do
		[ -w "$f" ] && echo 0 >"$f"; done; :'
	ip -n "$sw" link set "${NL_P}br" up
}

nl_host() { # NAME CIDR
	local name=$1 cidr=$2 ns sw port
	ns=$(nl_ns "$name")
	sw=$(nl_ns sw)
	NL_HOSTS=$((NL_HOSTS + 1))
	port=$NL_P$(printf '%02d' "$NL_HOSTS")
	nl_newns "$ns" || return 1
	ip -n "$sw" link add "$port" type veth peer name eth0 netns "$ns" || return 1
	ip -n "$sw" link set "$port" master "${NL_P}br" || return 1
	ip -n "$sw" link set "$port" up
	ip -n "$ns" addr add "$cidr" dev eth0 || return 1
	ip -n "$ns" link set eth0 up
}

nl_mac() { nl_exec "$1" cat "/sys/class/net/${2:-eth0}/address"; }

# NL_DETACH=1: CMD gets a session of its own (setsid, same pid: a background
# job of a script leads no process group), so that it outlives the
# terminal and sudo's pty when the script leaves it running
nl_bg() { # NAME LOG CMD...
	local n=$1 log=$2
	shift 2
	[ -n "${NL_DETACH:-}" ] && set -- setsid "$@"
	ip netns exec "$(nl_ns "$n")" "$@" >"$log" 2>&1 </dev/null &
	NL_LASTPID=$!
	NL_PIDS+=("$NL_LASTPID")
}

nl_wait() { # SECS CMD...
	local secs=$1 i n
	shift
	n=$((secs * 10))
	for ((i = 0; i < n; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

nl_wait_tcp() { # NAME ADDR PORT [SECS]
	nl_wait "${4:-5}" nl_exec "$1" timeout 1 bash -c "exec 3<>/dev/tcp/$2/$3"
}

# ---------------------------------------------------------------- services

nl_realserver() { # NAME VIP
	nl_exec "$1" "$NL_REALSERVER" apply "$2" --dev eth0 --state-dir "$NL_TMP/rs-state" >/dev/null
}

nl_nginx() { # NAME TEXT [PORT]
	local n=$1 text=$2 port=${3:-80} d
	nl_have nl_nginx nginx || return 1
	d=$NL_TMP/nginx-$n
	mkdir -p "$d/tmp"
	cat >"$d/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 256; }
http {
	access_log $d/access.log;
	client_body_temp_path $d/tmp/body;
	proxy_temp_path $d/tmp/proxy;
	fastcgi_temp_path $d/tmp/fastcgi;
	uwsgi_temp_path $d/tmp/uwsgi;
	scgi_temp_path $d/tmp/scgi;
	client_max_body_size 16m;
	keepalive_timeout 65;
	server {
		listen $port;
		default_type text/plain;
		location / { return 200 "$text\n"; }
		location = /big { alias $d/big; }
	}
}
EOF
	# /big: 1 MiB of TEXT's last character, for long downloads (curl --limit-rate)
	head -c 1048576 /dev/zero | tr '\0' "${text: -1}" >"$d/big"
	nl_bg "$n" "$d/stdout.log" nginx -c "$d/nginx.conf" -p "$d" -e "$d/error.log"
	nl_wait_tcp "$n" 127.0.0.1 "$port" 5 || { nl_log "nginx in $n did not start:"; cat "$d/error.log" >&2; return 1; }
}

# HTTP sink: reads the request body and answers "<name> <bytes> <sha256>".
nl_sink() { # NAME PORT
	local n=$1 port=$2 h=$NL_TMP/sink.sh
	nl_have nl_sink socat || return 1
	cat >"$h" <<'EOF'
#!/bin/bash
# one HTTP request on stdin/stdout (socat EXEC): hash the body
len=0
IFS= read -r line || exit 0
while IFS= read -r line; do
	line=${line%$'\r'}
	[ -z "$line" ] && break
	case ${line,,} in content-length:*) len=${line#*:}; len=${len// /} ;; esac
done
case $len in ''|*[!0-9]*) len=0 ;; esac
sum=$(head -c "$len" | tee >(wc -c >"$SINK_TMP.$$") | sha256sum)
sleep 0.05
got=$(cat "$SINK_TMP.$$" 2>/dev/null); rm -f "$SINK_TMP.$$"
body="$SINK_NAME ${got:-0} ${sum%% *}"
printf 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s\n' \
	$(( ${#body} + 1 )) "$body"
EOF
	chmod +x "$h"
	nl_bg "$n" "$NL_TMP/sink-$n.log" env SINK_NAME="$n" SINK_TMP="$NL_TMP/sink-$n" \
		socat TCP-LISTEN:"$port",reuseaddr,fork,backlog=64 EXEC:"$h"
	nl_wait_tcp "$n" 127.0.0.1 "$port" 5
}

# UDP "echo": every datagram is answered with "<name> <payload>", from the
# address it was sent to (the VIP), as a DR real server must.
nl_udp_echo() { # NAME PORT [VIP]
	local n=$1 port=$2 vip=${3:-$NL_VIP}
	nl_have nl_udp_echo socat || return 1
	# bound to the VIP: an unbound socket would answer from the RIP, which a
	# connected client ignores
	nl_bg "$n" "$NL_TMP/udp-$n.log" \
		socat -T 5 UDP4-RECVFROM:"$port",bind="$vip",reuseaddr,fork SYSTEM:"read -r l; echo $n \$l"
	sleep 0.3
}

# ---------------------------------------------------------------- the recipe

nl_dr_topology() {
	nl_switch || return 1
	nl_host client "$NL_CIP/24" || return 1
	nl_host dir "$NL_DIP/24" || return 1
	nl_host rs1 "$NL_RIP1/24" || return 1
	nl_host rs2 "$NL_RIP2/24" || return 1
	nl_realserver rs1 "$NL_VIP" || return 1
	nl_realserver rs2 "$NL_VIP" || return 1
	nl_nginx rs1 rs1 || return 1
	nl_nginx rs2 rs2 || return 1
}

nl_have_drlb() { [ -x "$NL_DRLBD" ] && [ -x "$NL_DRLBADM" ]; }

nl_drlbd() { # [extra drlbd args]
	NL_DRLBD_LOG=$NL_TMP/drlbd.log
	rm -f "$NL_SOCK"
	nl_bg dir "$NL_DRLBD_LOG" "$NL_DRLBD" --interface eth0 --socket "$NL_SOCK" --foreground "$@"
	NL_DRLBD_PID=$NL_LASTPID
	if ! nl_wait 10 test -S "$NL_SOCK"; then
		nl_log "drlbd did not create $NL_SOCK within 10 s; its log:"
		sed 's/^/  drlbd: /' "$NL_DRLBD_LOG" >&2
		return 1
	fi
	kill -0 "$NL_DRLBD_PID" 2>/dev/null
}

nl_drlbd_alive() { [ -n "$NL_DRLBD_PID" ] && kill -0 "$NL_DRLBD_PID" 2>/dev/null; }

nl_adm() { timeout 10 ip netns exec "$(nl_ns dir)" "$NL_DRLBADM" --socket "$NL_SOCK" "$@"; }

# N requests from the client; prints "<answer> <count>" per distinct answer
# ("FAIL" counts requests that got no answer).
nl_curl_count() { # N [URL]
	local n=$1 url=${2:-http://$NL_VIP/} i
	for ((i = 0; i < n; i++)); do
		nl_exec client curl -s --max-time 3 "$url" || echo FAIL
	done | sort | uniq -c | awk '{ print $2, $1 }'
}

# nl_arping NAME COUNT TARGET: ARP-ping TARGET from NAME's eth0; prints the
# MAC of every reply (Habets' arping "42 bytes from MAC (IP)" and iputils'
# "Unicast reply from IP [MAC]" alike)
nl_arping() {
	nl_have nl_arping arping || return 1
	nl_exec "$1" timeout $(($2 + 5)) arping -c "$2" -w "$2" -I eth0 "$3" 2>/dev/null |
		awk '/bytes from/ { print tolower($4) }
		     /[Rr]eply from/ { m = $5; gsub(/[][]/, "", m); print tolower(m) }'
}

# nl_counters: snapshot drlbd's frame/drop counters ("name value" lines from
# `drlbadm --counters`) into NL_TMP/counters; nl_counter NAME: one of them
nl_counters() { nl_adm --counters >"$NL_TMP/counters"; }
nl_counter() {
	awk -v n="$1" 'NF >= 2 && $(NF - 1) == n && $NF ~ /^[0-9]+$/ { v = $NF } END { print v + 0 }' \
		"$NL_TMP/counters" 2>/dev/null
}

# nl_capture NAME FILE [tcpdump filter...]: tcpdump on NAME's eth0 into FILE
# (pid in NL_LASTPID); nl_capture_stop PID flushes and ends it.
nl_capture() {
	local n=$1 f=$2
	shift 2
	nl_have nl_capture tcpdump || return 1
	nl_bg "$n" "$f.log" tcpdump -i eth0 -nn -U --immediate-mode -w "$f" "$@"
	nl_wait 5 grep -q listening "$f.log"
}
nl_capture_stop() {
	sleep 0.3
	kill -INT "$1" 2>/dev/null
	nl_wait 5 eval "! kill -0 $1" || true
}
# nl_pcap_count FILE FILTER...: frames in FILE matching FILTER
nl_pcap_count() {
	local f=$1
	shift
	tcpdump -nn -r "$f" "$@" 2>/dev/null | wc -l
}

# nl_svc_stats PROTO VIP:PORT: "conns inpkts outpkts inbytes outbytes" of a
# service from `-L -n --stats`
nl_svc_stats() {
	nl_adm -L -n --stats | awk -v p="$1" -v a="$2" '$1 == p && $2 == a { print $3, $4, $5, $6, $7; exit }'
}

# nl_rules SCHED W1 W2 [PORT] [-t|-u]: a service on the VIP with both RIPs
nl_rules() {
	local s=$1 w1=$2 w2=$3 port=${4:-80} t=${5:--t}
	nl_adm -A "$t" "$NL_VIP:$port" -s "$s" &&
	nl_adm -a "$t" "$NL_VIP:$port" -r "$NL_RIP1" -g -w "$w1" &&
	nl_adm -a "$t" "$NL_VIP:$port" -r "$NL_RIP2" -g -w "$w2"
}

# nl_count_of "OUTPUT-of-nl_curl_count" WHO: the count for WHO (0 if none)
nl_count_of() { echo "$1" | awk -v w="$2" '$1 == w { c = $2 } END { print c + 0 }'; }

# ---------------------------------------------------------------- more directors
# nl_drlbd_in NAME SOCK LOG [ARGS...]: one more drlbd (e.g. a second director
# behind the same "ECMP router") in NAME's namespace on its eth0, with its own
# control socket SOCK (keep it in NL_TMP) and log LOG; waits for the socket.
# Its pid is in NL_LASTPID; nl_cleanup stops it like anything nl_bg started,
# and SOCK goes with NL_TMP.
nl_drlbd_in() {
	local n=$1 sock=$2 log=$3 pid
	shift 3
	rm -f "$sock"
	nl_bg "$n" "$log" "$NL_DRLBD" --interface eth0 --socket "$sock" --foreground "$@"
	pid=$NL_LASTPID
	if ! nl_wait 10 test -S "$sock"; then
		nl_log "drlbd in $n did not create $sock within 10 s; its log:"
		sed "s/^/  drlbd($n): /" "$log" >&2
		return 1
	fi
	NL_LASTPID=$pid
	kill -0 "$pid" 2>/dev/null
}

# nl_adm_in NAME SOCK ARGS...: drlbadm for the drlbd in NAME with socket SOCK
nl_adm_in() {
	local n=$1 sock=$2
	shift 2
	timeout 10 ip netns exec "$(nl_ns "$n")" "$NL_DRLBADM" --socket "$sock" "$@"
}

# nl_stop_pid PID [SECS]: SIGTERM a process nl_bg started (in this shell, not
# a subshell) and wait at most SECS (5) for it; returns its exit status, or
# 124 (after SIGKILL) when it did not end in time
nl_stop_pid() {
	local pid=$1 secs=${2:-5} i
	kill -TERM "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return $?; }
	for ((i = 0; i < secs * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		return 124
	fi
	wait "$pid" 2>/dev/null
}

# ---------------------------------------------------------------- IPv6
# nl_newns disables IPv6 in every namespace (no autoconfiguration chatter).
# nl_ipv6_on NAME [CIDR6]: turn it back on in NAME for a test that wants it,
# with duplicate address detection off (addresses usable at once), no router
# solicitations and no router advertisements accepted; then CIDR6 (from
# 2001:db8::/32) on eth0, nodad.
nl_ipv6_on() {
	local n=$1 cidr=${2:-}
	nl_exec "$n" sh -c 'for i in all default lo eth0; do
		d=/proc/sys/net/ipv6/conf/$i
		[ -d "$d" ] || continue
		echo 0 >"$d/accept_dad"; echo 0 >"$d/accept_ra"
		echo 0 >"$d/router_solicitations"
	done
	for i in all default lo eth0; do
		d=/proc/sys/net/ipv6/conf/$i
		[ -d "$d" ] && echo 0 >"$d/disable_ipv6"
	done; :' || return 1
	[ -z "$cidr" ] || ip -n "$(nl_ns "$n")" addr add "$cidr" dev eth0 nodad
}

# nl_http6 NAME TEXT [PORT]: a tiny HTTP server on [::]:PORT (IPv6 only, so
# it sits beside nginx's IPv4 listener) answering every request with TEXT
nl_http6() {
	local n=$1 text=$2 port=${3:-80} h=$NL_TMP/http6.sh
	nl_have nl_http6 socat || return 1
	cat >"$h" <<'EOS'
#!/bin/bash
# one HTTP request on stdin/stdout (socat EXEC): read the header, answer
while IFS= read -r line; do line=${line%$'\r'}; [ -z "$line" ] && break; done
printf 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s\n' \
	$(( ${#HTTP6_TEXT} + 1 )) "$HTTP6_TEXT"
EOS
	chmod +x "$h"
	nl_bg "$n" "$NL_TMP/http6-$n.log" env HTTP6_TEXT="$text" \
		socat TCP6-LISTEN:"$port",ipv6only=1,reuseaddr,fork,backlog=64 EXEC:"$h"
	nl_wait 5 nl_exec "$n" timeout 1 bash -c "exec 3<>/dev/tcp/::1/$port"
}

# nl_udp6_echo NAME PORT VIP6: as nl_udp_echo, over IPv6, bound to the VIP
nl_udp6_echo() {
	local n=$1 port=$2 vip=$3
	nl_have nl_udp6_echo socat || return 1
	nl_bg "$n" "$NL_TMP/udp6-$n.log" \
		socat -T 5 UDP6-RECVFROM:"$port",bind="[$vip]",reuseaddr,fork SYSTEM:"read -r l; echo $n \$l"
	sleep 0.3
}
