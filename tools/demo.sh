#!/bin/bash
# demo.sh — the LVS-DR recipe, played on one machine in network namespaces,
# with drlbd as the director instead of the kernel's IPVS.  `sudo make demo`.
#
#            switch (bridge, no uplink)
#     +-----------+-----------+-----------+
#  client       director     rs1          rs2
#  .100         DIP .2       RIP .7       RIP .8      (198.18.0.0/24)
#               VIP .1 held  VIP .1 on lo VIP .1 on lo
#               by drlbd     (ARP silenced by drlb-realserver)
#
#   demo.sh [--ipv6]         the recipe (then the same over IPv6)
#   demo.sh --arp-problem    the recipe without the real servers' ARP
#                            sysctls (requests bypass the director, drlbd
#                            warns), then with them
#   demo.sh ... --keep       leave the hosts running afterwards, to explore
#                            (a shell hint per host); one such lab at a time
#   demo.sh --stop           remove what --keep left
#
# Without --keep everything lives in namespaces named drlb<pid>-*, removed on
# exit, on failure and on Ctrl-C.  With --keep the names are fixed
# (drlb-demo-client, -dir, -rs1, -rs2, -sw; files in /run/drlb-demo) so that
# --stop finds them; a failure before the end removes them too.  Nothing is
# sent outside the private bridge.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
N1=${DEMO_REQUESTS:-20}
N2=${DEMO_REQUESTS2:-40}
# the kept lab's fixed names: --stop looks for exactly these
LAB_P=drlb-demo
LAB_DIR=/run/drlb-demo
LAB_HOSTS="client dir rs1 rs2 sw"

usage() {
	echo "usage: demo.sh [--ipv6] [--arp-problem] [--keep]" >&2
	echo "       demo.sh --stop" >&2
	exit 1
}
IPV6=0 ARP=0 KEEP=0 STOP=0
for a in "$@"; do
	case $a in
	--ipv6) IPV6=1 ;;
	--arp-problem) ARP=1 ;;
	--keep) KEEP=1 ;;
	--stop) STOP=1 ;;
	*) usage ;;
	esac
done
[ "$STOP" = 1 ] && [ $# -ne 1 ] && usage

if [ "$(id -u)" != 0 ]; then
	echo "demo: needs root (network namespaces): run it as root (sudo make demo)" >&2
	exit 1
fi
# how the hints write a root command: as the user typed this one
SUDO=
[ -n "${SUDO_USER:-}" ] && SUDO="sudo "

# lab_nses: the kept lab's namespaces that exist now
lab_nses() {
	local h
	for h in $LAB_HOSTS; do
		ip netns list 2>/dev/null | awk '{ print $1 }' | grep -qx "$LAB_P-$h" && echo "$LAB_P-$h"
	done
}

# stop_lab: remove what --keep left, found by name and nothing else: every
# process in the lab's namespaces (drlbd, nginx, and whatever a learner
# started there, shells included), drlbd's lock file for the lab's
# director, the namespaces, the lab's directory.
stop_lab() {
	local ns nses p pids=() i ino=
	nses=$(lab_nses)
	if [ -z "$nses" ] && [ ! -d "$LAB_DIR" ]; then
		echo "demo: no kept lab here (no namespace $LAB_P-*, no $LAB_DIR)"
		return 0
	fi
	# drlbd's lock is named after its namespace's inode: known only while
	# the namespace is
	[ -e "/run/netns/$LAB_P-dir" ] && ino=$(stat -L -c %i "/run/netns/$LAB_P-dir" 2>/dev/null)
	for ns in $nses; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			printf 'stopping %s (pid %d) in %s\n' "$(cat "/proc/$p/comm" 2>/dev/null)" "$p" "$ns"
			pids+=("$p")
		done
	done
	# TERM first, to those whose parent is not among them (drlbd ends its
	# own helper, drlbd-priv, after using it to remove its nftables
	# table); an interactive shell ignores TERM and is killed after 5 s
	for p in "${pids[@]}"; do
		# the parent: /proc/PID/stat's 2nd field after the ")" of comm
		[[ " ${pids[*]} " == *" $(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f2) "* ]] ||
			kill -TERM "$p" 2>/dev/null
	done
	for ((i = 0; i < 50; i++)); do
		local alive=0
		for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ $alive = 0 ] && break
		sleep 0.1
	done
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	[ -n "$ino" ] && rm -f "/run/drlb/lock.$ino.eth0"
	for ns in $nses; do
		ip netns del "$ns" && echo "removed namespace $ns"
	done
	if [ -d "$LAB_DIR" ]; then
		rm -rf "$LAB_DIR" && echo "removed $LAB_DIR"
	fi
	if [ -n "$(lab_nses)" ]; then
		echo "demo: could not remove every namespace: $(lab_nses | tr '\n' ' ')" >&2
		return 1
	fi
}

if [ "$STOP" = 1 ]; then
	stop_lab
	exit $?
fi

. tests/lib/netns.sh
# every tool the demo calls, checked before anything is made: a missing one
# is named here, not mistaken later for a network problem
need="ip curl nginx tcpdump arping"
[ "$ARP" = 1 ] && need="$need socat sysctl"
[ "$IPV6" = 1 ] && need="$need socat ndisc6"
[ "$KEEP" = 1 ] && need="$need setsid"
if ! miss=$(nl_need $need); then
	echo "demo: missing tools: $miss" >&2
	echo "demo: bash tools/install-deps.sh installs them" >&2
	exit 1
fi
if ! nl_have_drlb; then
	echo "demo: $NL_DRLBD and $NL_DRLBADM are missing: run make first" >&2
	exit 1
fi

if [ "$KEEP" = 1 ]; then
	# one kept lab at a time: its names are fixed
	if [ -n "$(lab_nses)" ] || ! nl_init_named "$LAB_P" "$LAB_DIR"; then
		echo "demo: a kept lab is already running (namespaces $LAB_P-*, $LAB_DIR)." >&2
		echo "demo: explore it (${SUDO}ip netns exec $LAB_P-client bash), or remove it first:" >&2
		echo "demo:   ${SUDO}tools/demo.sh --stop      (or: ${SUDO}make demo-stop)" >&2
		exit 1
	fi
	# drlbd and nginx outlive this script (and the terminal)
	export NL_DETACH=1
else
	nl_init demo
fi
VIP=$NL_VIP
RS_STATE=$NL_TMP/rs-state

if [ -t 1 ]; then B=$'\e[1m' R=$'\e[0m'; else B= R=; fi
section() { printf '\n%s==== %s ====%s\n' "$B" "$*" "$R"; }
note() { printf '# %s\n' "$*"; }
die() {
	printf '\n%sDEMO FAILED:%s %s\n' "$B" "$R" "$*" >&2
	if [ -n "${NL_DRLBD_LOG:-}" ] && [ -s "$NL_DRLBD_LOG" ]; then
		echo "--- drlbd log (last 30 lines):" >&2
		tail -n 30 "$NL_DRLBD_LOG" >&2
	fi
	exit 1
}
# adm ARGS...: show and run a drlbadm command in the director
adm() {
	printf 'director# drlbadm %s\n' "$*"
	nl_adm "$@" || die "drlbadm $* failed (exit $?)"
}
# on HOST CMD...: show and run a command on a host
on() {
	local h=$1
	shift
	printf '%s# %s\n' "$h" "$*"
	nl_exec "$h" "$@"
}
# requests N: N curls from the client to the VIP, then how many each answered
requests() {
	local n=$1 out
	printf 'client# for i in $(seq %d); do curl -s http://%s/; done\n' "$n" "$VIP"
	out=$(nl_curl_count "$n")
	echo "$out" | while read -r who cnt; do
		case $who in
		FAIL) printf '  %-6s %3d requests FAILED\n' "" "$cnt" ;;
		*) printf '  %-6s answered %3d\n' "$who" "$cnt" ;;
		esac
	done
	LAST=$out
}
count_of() { echo "$LAST" | awk -v w="$1" '$1 == w { print $2 }'; }

# topology: the switch and the four hosts, their names, MACs and addresses
topology() {
	section "1. Topology: a bridge and four hosts, each in its own network namespace"
	nl_switch || die "cannot create the switch"
	nl_host client "$NL_CIP/24" || die "cannot create the client"
	nl_host dir "$NL_DIP/24" || die "cannot create the director"
	nl_host rs1 "$NL_RIP1/24" || die "cannot create rs1"
	nl_host rs2 "$NL_RIP2/24" || die "cannot create rs2"
	for h in client dir rs1 rs2; do
		printf '  %-7s %-20s eth0 %s %s\n' "$h" "$(nl_ns "$h")" "$(nl_mac "$h")" \
			"$(nl_exec "$h" ip -o -4 addr show dev eth0 | awk '{ print $4 }')"
	done
	CMAC=$(nl_mac client) DIRMAC=$(nl_mac dir) RS1MAC=$(nl_mac rs1) RS2MAC=$(nl_mac rs2)
}

# nginx on both real servers, each answering with its name, reached on its RIP
web_servers() {
	note "each real server runs nginx on port 80, answering with its own name"
	nl_nginx rs1 rs1 || die "nginx on rs1"
	nl_nginx rs2 rs2 || die "nginx on rs2"
	on client curl -s --max-time 3 "http://$NL_RIP1/" || die "rs1 does not answer on its RIP"
	on client curl -s --max-time 3 "http://$NL_RIP2/" || die "rs2 does not answer on its RIP"
}

# director: drlbd on the director's eth0, the VIP in no kernel there
director() {
	section "3. Director: drlbd owns the VIP; the director's kernel does not"
	on dir ip -4 -o addr show
	on dir cat /proc/sys/net/ipv4/ip_forward
	note "no $VIP above, forwarding off: drlbd answers ARP for $VIP with $DIRMAC"
	note "and rewrites the destination MAC of every client frame it forwards."
	printf 'director# drlbd --interface eth0 --socket %s --foreground &\n' "$NL_SOCK"
	nl_drlbd || die "drlbd did not start"
	sleep 0.5
	nl_drlbd_alive || die "drlbd exited right after starting"
	sed 's/^/  drlbd: /' "$NL_DRLBD_LOG"
}

# recipe_rules: the recipe's wlc service, both real servers weight 2
recipe_rules() {
	section "4. The recipe: a wlc service on $VIP:80, both real servers with weight 2"
	adm -C
	adm -A -t "$VIP:80" -s wlc
	adm -a -t "$VIP:80" -r "$NL_RIP1" -g -w 2
	adm -a -t "$VIP:80" -r "$NL_RIP2" -g -w 2
	adm -L -n
}

# ---------------------------------------------------------------- the recipe

play_recipe() {
	section "2. Real servers: silence ARP for the VIP, then put the VIP on lo"
	note "the director forwards frames unchanged but for the destination MAC, so each"
	note "real server must accept packets for $VIP: it holds the VIP on lo. It must"
	note "never answer ARP for it, or clients would bypass the director."
	for h in rs1 rs2; do
		on "$h" tools/drlb-realserver apply "$VIP" --dev eth0 --state-dir "$RS_STATE" ||
			die "drlb-realserver apply on $h"
		on "$h" tools/drlb-realserver check "$VIP" --dev eth0 --state-dir "$RS_STATE" ||
			die "drlb-realserver check on $h"
	done
	web_servers
	director
	# watch what the director's interface sees from now on
	nl_capture dir "$NL_TMP/dir.pcap" 'ip and tcp port 80' || die "tcpdump did not start"
	TCPDUMP_PID=$NL_LASTPID
	recipe_rules
	adm -L -n --stats

	section "5. $N1 requests from the client to http://$VIP/"
	printf 'client# arping -c 1 -I eth0 %s\n' "$VIP"
	m=$(nl_arping client 1 "$VIP")
	if [ "$m" = "$DIRMAC" ]; then
		printf '  reply: %s is at %s\n' "$VIP" "$m"
		note "the VIP resolves to the director's MAC (drlbd answered, not a kernel)"
	else
		die "ARP for the VIP answered by '${m:-nobody}', expected the director $DIRMAC"
	fi
	requests "$N1"
	[ -z "$(count_of FAIL)" ] || die "some requests failed"
	adm -L -n --stats

	section "6. Adjust: wrr, rs1 weight 3, rs2 weight 1"
	note "the recipe's \"adjust\" lines name 192.168.10.8/.9, a typo: the real"
	note "servers are .7 and .8 of the service's own network."
	adm -E -t "$VIP:80" -s wrr
	adm -e -t "$VIP:80" -r "$NL_RIP1" -g -w 3
	adm -e -t "$VIP:80" -r "$NL_RIP2" -g -w 1
	adm -L -n
	requests "$N2"
	c1=$(count_of rs1) c2=$(count_of rs2)
	c1=${c1:-0} c2=${c2:-0}
	if [ $((c1 * 1)) -eq $((c2 * 3)) ] && [ $((c1 + c2)) -eq "$N2" ]; then
		note "split rs1:rs2 = $c1:$c2 = 3:1, as the weights say"
	else
		die "split rs1:rs2 = $c1:$c2, expected 3:1"
	fi
	adm -L -n --stats

	section "7. Save, flush, restore"
	printf 'director# drlbadm -S -n > %s\n' "$NL_TMP/rules"
	nl_adm -S -n >"$NL_TMP/rules" || die "drlbadm -S -n failed"
	on dir cat "$NL_TMP/rules"
	adm -C
	adm -L -n
	printf 'director# drlbadm -R < %s\n' "$NL_TMP/rules"
	nl_adm -R <"$NL_TMP/rules" || die "drlbadm -R failed"
	adm -L -n
	nl_adm -S -n >"$NL_TMP/rules2" || die "drlbadm -S -n failed"
	if cmp -s "$NL_TMP/rules" "$NL_TMP/rules2"; then
		note "restored rules are identical to the saved ones"
	else
		diff -u "$NL_TMP/rules" "$NL_TMP/rules2"
		die "restored rules differ from the saved ones"
	fi
	requests 4

	section "8. Replies bypass the director"
	nl_capture_stop "$TCPDUMP_PID"
	cnt() { nl_pcap_count "$NL_TMP/dir.pcap" "$@"; }
	in_dir=$(cnt "ether dst $DIRMAC and src host $NL_CIP and dst host $VIP")
	out_rs1=$(cnt "ether src $DIRMAC and ether dst $RS1MAC and src host $NL_CIP and dst host $VIP")
	out_rs2=$(cnt "ether src $DIRMAC and ether dst $RS2MAC and src host $NL_CIP and dst host $VIP")
	replies=$(cnt "src host $VIP and dst host $NL_CIP")
	note "tcpdump on the director's eth0 (tcp port 80) saw:"
	printf '  %6d frames client -> VIP to the director (dst MAC %s)\n' "$in_dir" "$DIRMAC"
	printf '  %6d frames client -> VIP sent on to rs1 (dst MAC %s, IP untouched)\n' "$out_rs1" "$RS1MAC"
	printf '  %6d frames client -> VIP sent on to rs2 (dst MAC %s, IP untouched)\n' "$out_rs2" "$RS2MAC"
	printf '  %6d frames VIP -> client\n' "$replies"
	note "one forwarded frame as the director sent it:"
	tcpdump -nn -e -c 1 -r "$NL_TMP/dir.pcap" "ether src $DIRMAC and ether dst $RS1MAC" 2>/dev/null | sed 's/^/  /'
	adm -L -n --stats
	if [ "$replies" -eq 0 ] && [ "$in_dir" -gt 0 ]; then
		note "the real servers answered the client directly from the VIP: the director"
		note "saw only the client's half of every connection (OutPkts stays 0)."
	else
		die "the director saw $replies reply frames (expected 0) / $in_dir request frames"
	fi
}

play_ipv6() {
	section "$1. The same over IPv6 (2001:db8::/32)"
	VIP6=2001:db8::1
	note "IPv6 on: client ::100, rs1 ::7, rs2 ::8; the director's kernel keeps IPv6 off"
	nl_ipv6_on client 2001:db8::100/64 || die "IPv6 on the client"
	for h in rs1:7 rs2:8; do
		nl_ipv6_on "${h%%:*}" "2001:db8::${h#*:}/64" || die "IPv6 on ${h%%:*}"
		# IPv6 needs no sysctls: a VIP on lo is neither answered for nor
		# used as a source on eth0 by neighbor discovery
		on "${h%%:*}" tools/drlb-realserver apply "$VIP6" --dev eth0 --state-dir "$RS_STATE" ||
			die "drlb-realserver apply $VIP6 on ${h%%:*}"
		nl_http6 "${h%%:*}" "${h%%:*}" || die "HTTP over IPv6 on ${h%%:*}"
	done
	adm -A -t "[$VIP6]:80" -s wlc
	adm -a -t "[$VIP6]:80" -r "[2001:db8::7]:80" -g -w 2
	adm -a -t "[$VIP6]:80" -r "[2001:db8::8]:80" -g -w 2
	sleep 1
	printf 'client# ndisc6 %s eth0\n' "$VIP6"
	nl_exec client ndisc6 -m -n -r 2 "$VIP6" eth0 2>&1 | sed 's/^/  /'
	note "only the director ($DIRMAC) answers the neighbor solicitation"
	printf 'client# for i in $(seq %d); do curl -6 -s http://[%s]/; done\n' "$N1" "$VIP6"
	for _ in $(seq "$N1"); do
		nl_exec client curl -6 -s --max-time 3 "http://[$VIP6]/" || echo FAIL
	done | sort | uniq -c | awk '{ printf "  %-6s answered %3d\n", $2, $1 }'
	adm -L -n --stats
	note "InBytes counts each IPv6 packet with its 40-byte header, as IPVS does"
}

# ---------------------------------------------------------------- the ARP problem
# Real kernels' ARP, as a real server left at Linux's defaults behaves.
# Deterministic by its waits: drlbd asks for its VIP 2 s after announcing
# it and every 10 s after (a misconfigured real server answers, drlbd
# re-announces the VIP at once and 1.5 s later, which moves the client
# back); each step that needs the client's own choice runs between two of
# those rounds, from a flushed neighbour cache.

# named TEXT...: MACs replaced by host names, for reading
named() {
	sed -e "s/$CMAC/client/g" -e "s/$DIRMAC/director/g" -e "s/$RS1MAC/rs1/g" -e "s/$RS2MAC/rs2/g"
}
# tagged: lines that hold a host's MAC end with its name, as drlbd prints MACs
tagged() {
	sed -e "/$CMAC/s/\$/  [client]/" -e "/$DIRMAC/s/\$/  [director]/" \
		-e "/$RS1MAC/s/\$/  [rs1]/" -e "/$RS2MAC/s/\$/  [rs2]/"
}
# who MAC: the host with that MAC
who() { echo "$1" | named; }
# vip_at: the MAC the client's kernel holds for the VIP (empty: none)
vip_at() {
	nl_exec client ip neigh show "$VIP" dev eth0 |
		awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }'
}
# show_vip_at: show the client's neighbour entry for the VIP, and whose MAC it is
show_vip_at() {
	on client ip neigh show "$VIP"
	note "the client sends frames for $VIP to the MAC of: $(who "$(vip_at)")"
}
# counter NAME: one of drlbd's counters now
counter() { nl_counters; nl_counter "$1"; }
# wait_counter NAME MIN SECS: until drlbd's counter NAME is at least MIN
wait_counter() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		[ "$(counter "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
# svc_inpkts: the service's InPkts (frames the director took in for it)
svc_inpkts() { nl_svc_stats TCP "$VIP:80" | awk '{ print $2 }'; }
# arp_who: show who answers the client's ARP request for the VIP, in the
# order the answers came (ARP_FIRST: the first one's MAC)
arp_who() {
	local out m
	printf 'client# arping -c 1 -I eth0 %s\n' "$VIP"
	out=$(nl_arping client 1 "$VIP")
	for m in $out; do printf '  reply: %s is at %s  (%s)\n' "$VIP" "$m" "$(who "$m")"; done
	ARP_FIRST=$(echo "$out" | head -n 1)
}
# bypass N: flush the client's cache, N requests; true when one real server
# answered them all and the director took in no frame for them
bypass() {
	local n=$1 before after
	before=$(svc_inpkts)
	on client ip neigh flush dev eth0
	requests "$n"
	after=$(svc_inpkts)
	BYPASS_RS=
	[ "$(echo "$LAST" | wc -l)" = 1 ] && [ "$(echo "$LAST" | awk '{ print $2 }')" = "$n" ] &&
		[ "$before" = "$after" ] && BYPASS_RS=$(echo "$LAST" | awk '{ print $1 }')
	case $BYPASS_RS in rs1|rs2) return 0 ;; esac
	return 1
}

play_arp_problem() {
	local i before conflicts C0 mon tdump trace c1 c2

	section "2. Real servers: the VIP on lo, but the ARP sysctls forgotten"
	note "the recipe's step that is easy to miss. Linux's defaults: arp_ignore=0 (answer"
	note "ARP for any local address, the VIP on lo included) and arp_announce=0 (any"
	note "local address may be the sender of our own ARP requests). A new namespace"
	note "copies the host's values, so they are set to the defaults here."
	for h in rs1 rs2; do
		on "$h" sysctl -qw net.ipv4.conf.all.arp_ignore=0 net.ipv4.conf.eth0.arp_ignore=0 \
			net.ipv4.conf.all.arp_announce=0 net.ipv4.conf.eth0.arp_announce=0 ||
			die "sysctls on $h"
		on "$h" ip addr add "$VIP/32" dev lo || die "the VIP on $h's lo"
	done
	web_servers
	director
	recipe_rules
	# drlbd's first look at its VIP (2 s after announcing it) and the
	# re-announcements it causes are over before the client asks
	wait_counter arp_vip_checks_sent 1 10 || die "drlbd did not check its VIP"
	wait_counter arp_vip_claim_replies 1 5 || die "no real server answered drlbd's check"
	sleep 2

	section "5. The client asks who has $VIP: three hosts answer"
	arp_who
	note "both real servers' kernels answer (the VIP is on their lo), and so does"
	note "drlbd. A client keeps the first answer: here $(who "$ARP_FIRST")'s. A kernel answers"
	note "in the same pass that delivers the request; drlbd, in userspace, later."

	section "6. Requests bypass the director"
	for i in 1 2 3; do
		bypass 10 && break
		# past a re-announcement and its repeat, should one have come
		note "(this time another answer came first: again)"
		sleep 2
	done
	[ -n "$BYPASS_RS" ] || die "the requests did not bypass the director in 3 tries"
	show_vip_at
	adm -L -n --stats
	note "every request bypassed the director: $BYPASS_RS answered 10 of 10 and"
	note "drlbd's counters did not move. No balancing, one real server takes it all."

	section "7. drlbd notices: its warning and its counters"
	note "the real servers' answers to the client went to the client alone, but drlbd"
	note "asks who has $VIP itself (2 s after announcing it, then every 10 s), and"
	note "they answer drlbd the same way. Its log names each MAC once, with the fix:"
	printf 'director# grep "claims VIP" %s\n' "$NL_DRLBD_LOG"
	grep -F "claims VIP" "$NL_DRLBD_LOG" | tagged
	grep -qF "set arp_ignore=1 and arp_announce=2 on that host (run tools/drlb-realserver check $VIP there)" \
		"$NL_DRLBD_LOG" || die "drlbd logged no warning"
	printf 'director# drlbadm --counters | grep -E "vip_(claim|conflict|check|reclaim)"\n'
	nl_adm --counters | grep -E '^(arp_)?vip_(claim|conflict|check|reclaim)' | tagged
	note "vip_claims{mac=...}: claims per offending MAC. Each claim re-announces the"
	note "VIP (a gratuitous ARP, twice) so that clients come back to the director;"
	note "waiting for drlbd's next look at its VIP..."
	before=$(counter arp_vip_reclaims)
	wait_counter arp_vip_reclaims $((before + 1)) 15 || die "drlbd did not re-announce the VIP"
	sleep 2
	show_vip_at
	[ "$(vip_at)" = "$DIRMAC" ] || die "the client's entry did not come back to the director"
	note "back at the director -- until the client asks again:"
	bypass 4 || die "the requests did not bypass the director again"
	note "bypassed again ($BYPASS_RS). drlbd can only undo it; the fix is on the real servers."
	sleep 2

	section "8. Half the fix: arp_ignore=1; the other door, arp_announce=0"
	for h in rs1 rs2; do
		on "$h" sysctl -w net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.eth0.arp_ignore=1
	done
	on client ip neigh flush dev eth0
	arp_who
	nl_bg client "$NL_TMP/neigh" ip monitor neigh dev eth0
	mon=$NL_LASTPID
	note "now only the director answers. Any packet for the VIP makes the client's"
	note "kernel ask as well (here a datagram to port 9, which drlbd drops: no service):"
	printf 'client# echo hello | socat -u - UDP:%s:9\n' "$VIP"
	echo hello | nl_exec client timeout 5 socat -u - "UDP:$VIP:9" || die "socat on the client"
	show_vip_at
	[ "$(vip_at)" = "$DIRMAC" ] || die "the client's entry for the VIP is not the director's MAC"
	note "but a real server still uses the VIP as the sender of its own ARP requests:"
	note "before it sends from the VIP to a host whose MAC it does not know -- its"
	note "first answer to each new client -- it asks \"who-has CLIENT tell VIP\" from its"
	note "own MAC, and the client's kernel takes the VIP's MAC from that request. rs1,"
	note "having forgotten the client, sends it a datagram from the VIP, as its answer"
	note "would be:"
	nl_capture client "$NL_TMP/client-arp.pcap" arp || die "tcpdump on the client"
	tdump=$NL_LASTPID
	nl_bg dir "$NL_TMP/trace" "$NL_DRLBADM" --socket "$NL_SOCK" --trace
	trace=$NL_LASTPID
	nl_wait 5 grep -q "trace listener added" "$NL_DRLBD_LOG"
	before=$(counter arp_vip_claim_requests)
	on rs1 ip neigh flush dev eth0
	printf 'rs1# echo hello | socat -u - UDP:%s:9,bind=%s\n' "$NL_CIP" "$VIP"
	echo hello | nl_exec rs1 timeout 5 socat -u - "UDP:$NL_CIP:9,bind=$VIP" ||
		die "socat on rs1"
	wait_counter arp_vip_claim_requests $((before + 1)) 5 || die "drlbd saw no ARP request from the VIP"
	sleep 2
	nl_stop_pid "$trace" >/dev/null
	nl_stop_pid "$mon" >/dev/null
	nl_capture_stop "$tdump"
	note "tcpdump -e arp on the client (MACs named):"
	tcpdump -t -nn -e -r "$NL_TMP/client-arp.pcap" 2>/dev/null | named |
		sed -e 's/, ethertype ARP (0x0806), length [0-9]*//' -e 's/, length 28$//' -e 's/^/  /'
	note "the client's neighbour table as it changed (ip monitor neigh):"
	grep "^$VIP .*lladdr" "$NL_TMP/neigh" | named | sed 's/^/  /'
	note "drlbadm --trace on the director meanwhile, its claim line:"
	grep -F "claims VIP" "$NL_TMP/trace" | tagged
	grep -q "^$VIP .*lladdr $RS1MAC" "$NL_TMP/neigh" ||
		die "the client's entry for the VIP did not move to rs1"
	note "the client's entry moved to rs1, and drlbd's gratuitous ARP moved it back"
	note "(the log names each MAC once, the trace every claim). A request through the"
	note "director does the same, and the client's later frames of that connection go"
	note "to the real server straight: the director, having seen its first frames"
	note "only, counts it as active until it times out."

	section "9. The fix: tools/drlb-realserver on each real server"
	for h in rs1 rs2; do
		on "$h" tools/drlb-realserver apply "$VIP" --dev eth0 --state-dir "$RS_STATE" ||
			die "drlb-realserver apply on $h"
		on "$h" tools/drlb-realserver check "$VIP" --dev eth0 --state-dir "$RS_STATE" ||
			die "drlb-realserver check on $h"
	done
	C0=$(counter arp_vip_conflicts)
	nl_capture client "$NL_TMP/client-arp2.pcap" arp || die "tcpdump on the client"
	tdump=$NL_LASTPID
	on rs1 ip neigh flush dev eth0
	on rs2 ip neigh flush dev eth0
	on client ip neigh flush dev eth0
	arp_who
	before=$(svc_inpkts)
	requests 10
	nl_capture_stop "$tdump"
	c1=$(count_of rs1) c2=$(count_of rs2)
	show_vip_at
	adm -L -n --stats
	note "the real servers' own ARP requests now name their RIPs (arp_announce=2):"
	tcpdump -t -nn -e -r "$NL_TMP/client-arp2.pcap" "ether src $RS1MAC or ether src $RS2MAC" 2>/dev/null |
		grep "Request" | named |
		sed -e 's/, ethertype ARP (0x0806), length [0-9]*//' -e 's/, length 28$//' -e 's/^/  /'
	conflicts=$(counter arp_vip_conflicts)
	if [ "$(vip_at)" = "$DIRMAC" ] && [ "${c1:-0}" -gt 0 ] && [ "${c2:-0}" -gt 0 ] &&
		[ "$(svc_inpkts)" -gt "$before" ] && [ "$conflicts" = "$C0" ]; then
		note "through the director again: rs1 ${c1}, rs2 ${c2}; the client's entry is the"
		note "director's MAC; no new claim (arp_vip_conflicts stays $conflicts)."
	else
		die "not through the director after the fix (rs1 ${c1:-0}, rs2 ${c2:-0}, entry $(vip_at), conflicts $C0 -> $conflicts)"
	fi
}

# ---------------------------------------------------------------- the kept lab

# write_rc: the lab's bash rc file: a prompt naming the host, drlb's programs
# on PATH, drlbadm's socket and drlb-realserver's state directory
write_rc() {
	cat >"$NL_TMP/bashrc" <<EOF
# the drlb demo lab's shell (tools/demo.sh --keep)
[ -f ~/.bashrc ] && . ~/.bashrc
h=\$(ip netns identify 2>/dev/null)
PS1="\${h#$LAB_P-}@lab# "
export PATH=$(printf %q "$(dirname "$NL_DRLBADM")"):$(printf %q "$ROOT/tools"):\$PATH
export DRLB_SOCKET=$NL_SOCK DRLB_REALSERVER_STATE=$RS_STATE
cd $(printf %q "$ROOT")
echo "drlb demo lab: host \${h#$LAB_P-}; ${SUDO}tools/demo.sh --stop removes the lab"
EOF
}

# hint HOST WHAT: how to get a shell there
hint() {
	printf '\n  %s%-7s%s %s\n    %sip netns exec %s bash --rcfile %s\n' "$B" "$1" "$R" "$2" \
		"$SUDO" "$(nl_ns "$1")" "$NL_TMP/bashrc"
}
# try CMD WHY: a command to try there, and what it shows
try() { printf '      %-52s %s\n' "$1" "$2"; }

keep_lab() {
	write_rc
	section "The lab stays up"
	note "drlbd runs on the director, nginx on rs1 and rs2. Open a shell on a host,"
	note "one terminal each (the rc file sets a prompt naming the host, PATH and"
	note "drlbadm's socket; files and drlbd's log are in $NL_TMP):"
	hint client "$NL_CIP"
	try "curl http://$VIP/" "a request through the director"
	[ "$IPV6" = 1 ] && try "curl -6 http://[$VIP6]/" "the same over IPv6"
	try "ip neigh show $VIP" "the MAC the client holds for the VIP"
	try "arping -c 3 -I eth0 $VIP" "who answers ARP for the VIP"
	hint dir "$NL_DIP, the VIP $VIP held by drlbd"
	try "drlbadm -L -n --stats" "rules and counters (ipvsadm's output)"
	try "drlbadm --trace" "each decision as it happens (curl meanwhile)"
	try "drlbadm --counters" "every frame's fate, ARP claims per MAC"
	try "drlbadm -e -t $VIP:80 -r $NL_RIP2 -g -w 0" "drain rs2"
	try "tail -f $NL_DRLBD_LOG" "drlbd's log"
	hint rs1 "$NL_RIP1 (the VIP on lo)"
	try "tcpdump -eni eth0 tcp port 80" "frames arrive from the director's MAC"
	try "drlb-realserver check $VIP" "the ARP sysctls and the VIP on lo"
	try "sysctl -w net.ipv4.conf.{all,eth0}.arp_ignore=0" "break it: drlbd's log names rs1 within 10 s"
	hint rs2 "$NL_RIP2 (the VIP on lo)"
	try "tcpdump -eni eth0 tcp port 80" "the same for rs2"
	hint sw "the switch (a bridge with no uplink)"
	try "tcpdump -eni any arp" "every ARP frame, in and out of each port"
	try "" "(ports ${NL_P}01..04: client, dir, rs1, rs2)"
	printf '\n'
	note "remove it all (processes in these namespaces, shells included):"
	printf '  %stools/demo.sh --stop      (or: %smake demo-stop)\n' "$SUDO" "$SUDO"
}

# ---------------------------------------------------------------- main

topology
if [ "$ARP" = 1 ]; then
	play_arp_problem
else
	play_recipe
fi
if [ "$IPV6" = 1 ]; then
	if [ "$ARP" = 1 ]; then play_ipv6 10; else play_ipv6 9; fi
fi

if [ "$KEEP" = 1 ]; then
	keep_lab
	# what stays is what --stop removes: no cleanup on this exit
	trap - EXIT INT TERM
	exit 0
fi
section "Done"
note "cleaning up namespaces $NL_P-*"
exit 0
