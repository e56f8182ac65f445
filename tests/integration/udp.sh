#!/bin/bash
# udp: a UDP service; each real server runs a socat UDP server bound to the VIP
# answering "<name> <payload>".  Answers come back (from the VIP: the client's
# socket is connected and drops anything else) and every flow sticks to one
# real server.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=udp
t_require "$T: setup" socat
nl_init "$T"
t_setup "$T"
PORT=5353

nl_udp_echo rs1 $PORT || t_fail "$T: UDP server on rs1"
nl_udp_echo rs2 $PORT || t_fail "$T: UDP server on rs2"
nl_rules wrr 1 1 $PORT -u || { t_fail "$T: drlbadm -A -u / -a -u"; t_done; }
nl_adm -L -n >&2

# one datagram from a given source port; prints the answer (or nothing)
ask() { # SPORT PAYLOAD
	echo "$2" | nl_exec client timeout 4 socat -T 1 - "UDP4:$NL_VIP:$PORT,sourceport=$1,reuseaddr" 2>/dev/null
}

answered=0 sticky=0 total=0
declare -A flow_rs=()
for sport in 40001 40002 40003 40004 40005 40006; do
	first=
	ok=1
	for i in 1 2 3; do
		total=$((total + 1))
		a=$(ask $sport "p$sport-$i")
		echo "flow $sport datagram $i -> '$a'" >&2
		case $a in
		"rs1 p$sport-$i"|"rs2 p$sport-$i") answered=$((answered + 1)) ;;
		*) ok=0; continue ;;
		esac
		who=${a%% *}
		[ -z "$first" ] && first=$who
		[ "$who" = "$first" ] || ok=0
	done
	[ $ok = 1 ] && sticky=$((sticky + 1))
	flow_rs[$sport]=$first
done
t_is "$T: every datagram answered with its own payload" "$answered" "$total"
t_is "$T: every flow stuck to one real server" "$sticky" 6
n1=0 n2=0
for s in "${!flow_rs[@]}"; do
	case ${flow_rs[$s]} in rs1) n1=$((n1 + 1)) ;; rs2) n2=$((n2 + 1)) ;; esac
done
t_check "$T: flows spread over both real servers (rs1=$n1 rs2=$n2)" [ $n1 -eq 3 -a $n2 -eq 3 ]

st=$(nl_svc_stats UDP "$NL_VIP:$PORT")
echo "stats UDP $NL_VIP:$PORT: $st" >&2
read -r conns inpkts outpkts _ <<<"${st:-x x x x}"
t_is "$T: --stats counts one connection per flow" "$conns" 6
t_is "$T: --stats InPkts counts every datagram" "$inpkts" 18
t_is "$T: --stats OutPkts stays 0" "$outpkts" 0

c=$(nl_adm -L -n -c | tee /dev/stderr | grep -c "^UDP .*$NL_CIP:4000[1-6] ")
t_is "$T: -L -n -c lists the 6 UDP flows" "$c" 6
t_check "$T: drlbd still running" nl_drlbd_alive
t_done
