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
# Everything lives in namespaces named drlb<pid>-*, removed on exit, on
# failure and on Ctrl-C.  Nothing is sent outside the private bridge.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
N1=${DEMO_REQUESTS:-20}
N2=${DEMO_REQUESTS2:-40}
# --ipv6: afterwards, the same recipe over IPv6 (2001:db8::1 ...)
IPV6=0
case ${1:-} in --ipv6) IPV6=1 ;; '') ;; *) echo "usage: demo.sh [--ipv6]" >&2; exit 1 ;; esac

if [ "$(id -u)" != 0 ]; then
	echo "demo: needs root (network namespaces): run it as root (sudo make demo)" >&2
	exit 1
fi
. tests/lib/netns.sh
# every tool the demo calls, checked before anything is made: a missing one
# is named here, not mistaken later for a network problem
need="ip curl nginx tcpdump arping"
[ "$IPV6" = 1 ] && need="$need socat ndisc6"
if ! miss=$(nl_need $need); then
	echo "demo: missing tools: $miss" >&2
	echo "demo: bash tools/install-deps.sh installs them" >&2
	exit 1
fi
if [ ! -x build/drlbd ] || [ ! -x build/drlbadm ]; then
	echo "demo: build/drlbd and build/drlbadm are missing: run make first" >&2
	exit 1
fi

nl_init demo
VIP=$NL_VIP

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
DIRMAC=$(nl_mac dir) RS1MAC=$(nl_mac rs1) RS2MAC=$(nl_mac rs2)

section "2. Real servers: silence ARP for the VIP, then put the VIP on lo"
note "the director forwards frames unchanged but for the destination MAC, so each"
note "real server must accept packets for $VIP: it holds the VIP on lo. It must"
note "never answer ARP for it, or clients would bypass the director."
for h in rs1 rs2; do
	on "$h" tools/drlb-realserver apply "$VIP" --dev eth0 --state-dir "$NL_TMP/rs-state" ||
		die "drlb-realserver apply on $h"
	on "$h" tools/drlb-realserver check "$VIP" --dev eth0 --state-dir "$NL_TMP/rs-state" ||
		die "drlb-realserver check on $h"
done
note "each real server runs nginx on port 80, answering with its own name"
nl_nginx rs1 rs1 || die "nginx on rs1"
nl_nginx rs2 rs2 || die "nginx on rs2"
on client curl -s --max-time 3 "http://$NL_RIP1/" || die "rs1 does not answer on its RIP"
on client curl -s --max-time 3 "http://$NL_RIP2/" || die "rs2 does not answer on its RIP"

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
# watch what the director's interface sees from now on
nl_capture dir "$NL_TMP/dir.pcap" 'ip and tcp port 80' || die "tcpdump did not start"
TCPDUMP_PID=$NL_LASTPID

section "4. The recipe: a wlc service on $VIP:80, both real servers with weight 2"
adm -C
adm -A -t "$VIP:80" -s wlc
adm -a -t "$VIP:80" -r "$NL_RIP1" -g -w 2
adm -a -t "$VIP:80" -r "$NL_RIP2" -g -w 2
adm -L -n
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

if [ "$IPV6" = 1 ]; then
	section "9. The same over IPv6 (2001:db8::/32)"
	VIP6=2001:db8::1
	note "IPv6 on: client ::100, rs1 ::7, rs2 ::8; the director's kernel keeps IPv6 off"
	nl_ipv6_on client 2001:db8::100/64 || die "IPv6 on the client"
	for h in rs1:7 rs2:8; do
		nl_ipv6_on "${h%%:*}" "2001:db8::${h#*:}/64" || die "IPv6 on ${h%%:*}"
		# IPv6 needs no sysctls: a VIP on lo is neither answered for nor
		# used as a source on eth0 by neighbor discovery
		on "${h%%:*}" tools/drlb-realserver apply "$VIP6" --dev eth0 --state-dir "$NL_TMP/rs-state" ||
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
fi

section "Done"
note "cleaning up namespaces $NL_P-*"
exit 0
