#!/bin/bash
# sched_hash: the source-hashing schedulers through the daemon.
#   sh: 12 client addresses, each asked 3 times: always the same real server
#       per address, and both real servers get some addresses.
#   mh: three real servers; removing one moves only its own addresses (Maglev:
#       at most 1 of the others moves here), and adding it back with the same
#       weight restores exactly the original mapping (the table depends only
#       on the rule set and its order).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=sched_hash
t_require "$T: setup"
nl_init "$T"
t_setup "$T"
NL_RIP3=198.18.0.9
URL=http://$NL_VIP/

CLIENTS=()
for ((i = 101; i <= 112; i++)); do CLIENTS+=("198.18.0.$i"); done
for a in "${CLIENTS[@]}"; do
	nl_exec client ip addr add "$a/24" dev eth0 || t_fail "$T: client address $a"
done

# ask SRC: one request from SRC; the answer or FAIL
ask() { nl_exec client curl -s --max-time 3 --interface "$1" "$URL" || echo FAIL; }
# map N: "addr=server " for every client address, each asked N times; an
# address answered by different servers (or not at all) shows them joined by
# '+' (e.g. "rs1+rs2"), which no expected mapping contains
map() {
	local n=$1 a k s
	for a in "${CLIENTS[@]}"; do
		s=$(for ((k = 0; k < n; k++)); do ask "$a"; done | sort -u | paste -sd+)
		printf '%s=%s ' "$a" "$s"
	done
}
# count_in MAP WHO: how many addresses map to WHO
count_in() { tr ' ' '\n' <<<"$1" | grep -c "=$2\$"; }
# ---------------------------------------------------------------- sh
nl_rules sh 1 1 || { t_fail "$T: drlbadm -A -s sh / -a / -a"; t_done; }
m=$(map 3)
echo "sh: $m" >&2
c1=$(count_in "$m" rs1) c2=$(count_in "$m" rs2)
t_is "$T: sh: each of 12 addresses always answered by the same real server (3 requests each)" \
	$((c1 + c2)) 12
t_check "$T: sh: both real servers used (rs1=$c1 rs2=$c2)" [ "$c1" -gt 0 -a "$c2" -gt 0 ]
m2=$(map 1)
t_is "$T: sh: the same mapping asked again" "$m2" "$m"

# ---------------------------------------------------------------- mh
nl_adm -C || t_fail "$T: -C"
if ! nl_adm -A -t "$NL_VIP:80" -s mh; then
	t_skip "$T: mh" "drlbd has no mh scheduler (-A -s mh refused)"
	nl_adm -C
	t_check "$T: drlbd still running" nl_drlbd_alive
	t_done
fi
{ nl_host rs3 "$NL_RIP3/24" && nl_realserver rs3 "$NL_VIP" && nl_nginx rs3 rs3; } ||
	{ t_fail "$T: setup rs3 ($NL_RIP3)"; t_done; }
for r in "$NL_RIP1" "$NL_RIP2" "$NL_RIP3"; do
	nl_adm -a -t "$NL_VIP:80" -r "$r" -g -w 1 || t_fail "$T: mh: -a -r $r -w 1"
done
nl_adm -L -n >&2
orig=$(map 2)
echo "mh, rs1 rs2 rs3: $orig" >&2
n1=$(count_in "$orig" rs1) n2=$(count_in "$orig" rs2) n3=$(count_in "$orig" rs3)
t_is "$T: mh: each address always answered by the same real server (2 requests each)" \
	$((n1 + n2 + n3)) 12
t_check "$T: mh: all three real servers used (rs1=$n1 rs2=$n2 rs3=$n3)" \
	[ "$n1" -gt 0 -a "$n2" -gt 0 -a "$n3" -gt 0 ]

nl_adm -d -t "$NL_VIP:80" -r "$NL_RIP3" || t_fail "$T: mh: -d -r $NL_RIP3"
less=$(map 2)
echo "mh, rs3 removed: $less" >&2
read -r moved3 stayed3 moved_other bad < <(
	join <(tr ' ' '\n' <<<"$orig" | sed '/^$/d; s/=/ /' | sort) \
	     <(tr ' ' '\n' <<<"$less" | sed '/^$/d; s/=/ /' | sort) |
	awk '$2 == "rs3" { if ($3 == "rs1" || $3 == "rs2") m3++; else s3++ }
	     $2 != "rs3" { if ($3 != $2) mo++ }
	     $3 != "rs1" && $3 != "rs2" { bad++ }
	     END { print m3 + 0, s3 + 0, mo + 0, bad + 0 }')
echo "mh: rs3's $n3 addresses: $moved3 moved to rs1/rs2; of the other $((12 - n3)): $moved_other moved" >&2
t_is "$T: mh: every address answered by rs1 or rs2 after -d rs3" "$bad" 0
t_is "$T: mh: all $n3 of rs3's addresses moved to rs1/rs2" "$moved3/$stayed3" "$n3/0"
t_check "$T: mh: at most 1 of the other $((12 - n3)) addresses moved (moved: $moved_other)" \
	[ "$moved_other" -le 1 ]

nl_adm -a -t "$NL_VIP:80" -r "$NL_RIP3" -g -w 1 || t_fail "$T: mh: -a -r $NL_RIP3 -w 1 again"
back=$(map 2)
echo "mh, rs3 back: $back" >&2
t_is "$T: mh: rs3 added back: exactly the original mapping" "$back" "$orig"

t_check "$T: drlbd still running" nl_drlbd_alive
t_done
