#!/bin/bash
# arp_flood: what a host on the segment may not do with spoofed ARP, with
# drlbd --mac-flap hold --static-mac RIP2=rs2's MAC (frames crafted with
# scapy from a third host):
#  - 3000 replies claiming the VIP, each from another MAC: every one
#    counted, at most 50 log lines, then one line summing up the rest;
#  - replies moving rs1 to the attacker's MAC and back: the third change
#    within a minute holds rs1 at its own MAC, and 3000 more are ignored
#    (a handful of log lines) while requests to rs1 go on;
#  - replies for the pinned rs2: ignored, rs2 never moves.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=arp_flood
t_require "$T: setup"
PY=
for p in /usr/bin/python3 python3; do
	"$p" -c 'import scapy.all' 2>/dev/null && { PY=$p; break; }
done
[ -n "$PY" ] || { t_skip "$T: setup" "python3-scapy not installed"; exit 0; }
nl_init "$T"
T_NAME=$T
nl_dr_topology || { t_fail "$T: setup (namespaces, real servers)"; t_done; }
nl_host evil 198.18.0.66/24 || { t_fail "$T: setup (host evil)"; t_done; }
DIRMAC=$(nl_mac dir)
RS1MAC=$(nl_mac rs1)
RS2MAC=$(nl_mac rs2)
EVILMAC=$(nl_mac evil)
nl_drlbd --config conf/recipe.conf --mac-flap hold --static-mac "$NL_RIP2=$RS2MAC" ||
	{ t_fail "$T: drlbd --mac-flap hold --static-mac starts"; t_done; }
t_check "$T: the pin logged" \
	grep -qF "real server $NL_RIP2 pinned at $RS2MAC (--static-mac)" "$NL_DRLBD_LOG"

wait_counter() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		nl_counters
		[ "$(nl_counter "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
# settle NAME: wait until counter NAME stops growing (0.5 s the same, 10 s
# at most); print it.  A burst may lose frames on the way (a veth's backlog
# holds 1000) when the CPUs are busy: the flood's checks allow for some.
settle() {
	local v=-1 i
	for ((i = 0; i < 20; i++)); do
		nl_counters
		[ "$(nl_counter "$1")" = "$v" ] && break
		v=$(nl_counter "$1")
		sleep 0.5
	done
	echo "$v"
}
log_has() { grep -c -F -- "$1" "$NL_DRLBD_LOG"; }
# spoof N KIND IP MAC...: N ARP replies to the director "IP is-at MAC",
# each MAC in turn ("rand": a new random MAC each), from host evil
spoof() {
	nl_exec evil "$PY" -c '
import random, sys
from scapy.all import Ether, ARP, sendp
n, ip, dst, macs = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
def mac(i):
    m = macs[i % len(macs)]
    if m != "rand":
        return m
    return "02:%02x:%02x:%02x:%02x:%02x" % tuple(random.randrange(256) for _ in range(5))
fs = []
for i in range(n):
    m = mac(i)
    fs.append(Ether(src=m, dst=dst) / ARP(op=2, hwsrc=m, psrc=ip, hwdst=dst, pdst="198.18.0.2"))
sendp(fs, iface="eth0", verbose=0)' "$1" "$2" "$DIRMAC" "${@:3}"
}
# the MAC drlbd has for real server $1 (drlbadm -L --json)
rs_mac() {
	nl_adm -L -n --json | "$PY" -c '
import json, sys
for s in json.load(sys.stdin)["services"]:
    for d in s["servers"]:
        if d["address"] == sys.argv[1]:
            print(d["mac"])' "$1"
}

t_is "$T: rs1 at its MAC" "$(rs_mac "$NL_RIP1")" "$RS1MAC"
t_is "$T: rs2 at its pinned MAC" "$(rs_mac "$NL_RIP2")" "$RS2MAC"

# ---- 3000 spoofed replies for the VIP from 3000 MACs
spoof 3000 "$NL_VIP" rand || t_fail "$T: scapy sends 3000 replies"
n=$(settle arp_vip_claim_replies)
t_check "$T: 3000 spoofed replies for the VIP: counted ($n)" [ "$n" -ge 2500 -a "$n" -le 3000 ]
n=$(log_has "claims VIP $NL_VIP by an ARP reply")
t_check "$T: ... at most 50 lines logged ($n)" [ "$n" -ge 1 -a "$n" -le 50 ]
t_check "$T: ... then one line sums up the rest" \
	nl_wait 15 grep -qE "ARP: [0-9]+ more log lines about frames from the segment suppressed in 10 s" "$NL_DRLBD_LOG"
grep -F "more log lines" "$NL_DRLBD_LOG" >&2
t_is "$T: ... one summary" "$(log_has "more log lines about frames")" 1
nl_counters
# each MAC's first claim is logged or suppressed; a MAC seen again (a
# random MAC drawn twice, or one that left the table of 32 and came back)
# is only counted: the rest within 1 %
sup=$(nl_counter arp_log_suppressed)
rest=$(( $(nl_counter arp_vip_claim_replies) - $(log_has "claims VIP $NL_VIP by an ARP reply") ))
t_check "$T: arp_log_suppressed counts the rest ($sup of $rest)" \
	[ "$sup" -le "$rest" -a $(( sup * 100 )) -ge $(( rest * 99 )) ]
out=$(nl_curl_count 4)
t_is "$T: requests through the VIP go on: 4 of 4" "$(nl_count_of "$out" FAIL)" 0

# ---- rs1 moved to the attacker's MAC and back: held at its own
spoof 1 "$NL_RIP1" "$EVILMAC"
sleep 0.3
t_is "$T: one spoofed reply moves rs1 (last one wins)" "$(rs_mac "$NL_RIP1")" "$EVILMAC"
spoof 1 "$NL_RIP1" "$RS1MAC"
spoof 1 "$NL_RIP1" "$EVILMAC"
sleep 0.3
t_check "$T: the third change in a minute: held" \
	grep -qF "real server $NL_RIP1 flaps (3 MAC changes in 60 s, the last to $EVILMAC): held at $RS1MAC for 300 s (--mac-flap hold)" "$NL_DRLBD_LOG"
t_is "$T: ... at rs1's own MAC" "$(rs_mac "$NL_RIP1")" "$RS1MAC"
spoof 3000 "$NL_RIP1" "$EVILMAC"
n=$(settle arp_mac_refused)
t_check "$T: 3000 more: ignored (arp_mac_refused $n)" [ "$n" -ge 2500 -a "$n" -le 3000 ]
n=$(log_has "says it is real server $NL_RIP1, which is held at $RS1MAC: ignored")
t_check "$T: ... a handful of lines ($n)" [ "$n" -ge 1 -a "$n" -le 5 ]
t_is "$T: ... rs1 stays at its MAC" "$(rs_mac "$NL_RIP1")" "$RS1MAC"
nl_counters
t_is "$T: arp_mac_flaps" "$(nl_counter arp_mac_flaps)" 3
t_is "$T: arp_mac_holds" "$(nl_counter arp_mac_holds)" 1
t_check "$T: ... the rest summed up in one line naming the attacker" \
	nl_wait 15 grep -qE "ARP: [0-9]+ more log lines about frames from the segment suppressed in 10 s \\([0-9]+ about $EVILMAC" "$NL_DRLBD_LOG"

# ---- the pinned rs2
spoof 100 "$NL_RIP2" "$EVILMAC"
t_check "$T: replies for the pinned rs2: ignored" wait_counter arp_mac_refused $((n + 90)) 10
t_is "$T: ... rs2 stays at its MAC" "$(rs_mac "$NL_RIP2")" "$RS2MAC"
t_check "$T: ... said" grep -qF "$EVILMAC says it is real server $NL_RIP2, which is pinned (--static-mac) at $RS2MAC: ignored" "$NL_DRLBD_LOG"

out=$(nl_curl_count 8)
echo "answers: $(echo $out)" >&2
t_is "$T: after all that: 8 of 8 answered" "$(nl_count_of "$out" FAIL)" 0
t_check "$T: ... by both real servers" [ "$(nl_count_of "$out" rs1)" -ge 1 -a "$(nl_count_of "$out" rs2)" -ge 1 ]
t_check "$T: drlbd still running" nl_drlbd_alive
t_done
