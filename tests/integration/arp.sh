#!/bin/bash
# arp: the VIP resolves to exactly the director's MAC (drlbd answers; the
# director's kernel does not hold the VIP); real servers never answer ARP for
# the VIP; drlbd sends a gratuitous ARP for the VIP when it starts.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=arp
t_require "$T: setup" arping tcpdump
nl_init "$T"
T_NAME=$T
nl_dr_topology || { t_fail "$T: setup (namespaces, real servers)"; t_done; }
DIRMAC=$(nl_mac dir)
VIPHEX=0xc6120001	# 198.18.0.1

# arping from the client: prints the MAC of every reply
arp_macs() { nl_arping client "$1" "$NL_VIP"; }

# before drlbd: nobody may answer (real servers hold the VIP on lo only)
m=$(arp_macs 2)
t_is "$T: before drlbd nobody answers ARP for the VIP" "$m" ""
# the real servers do still answer for their own addresses
m=$(nl_arping client 1 "$NL_RIP1")
t_is "$T: rs1 answers ARP for its RIP" "$m" "$(nl_mac rs1)"

nl_capture client "$NL_TMP/arp.pcap" arp || t_fail "$T: tcpdump starts"
CAP=$NL_LASTPID
cp conf/recipe.conf "$NL_TMP/recipe.conf"
nl_drlbd --config "$NL_TMP/recipe.conf" || { t_fail "$T: drlbd --config recipe.conf starts"; t_done; }
sleep 1.5

m=$(arp_macs 3)
echo "arping VIP replies from: $(echo $m)" >&2
t_is "$T: arping VIP: 3 replies" "$(echo "$m" | grep -c .)" 3
t_is "$T: arping VIP: only the director's MAC" "$(echo "$m" | sort -u)" "$DIRMAC"

r=$(nl_exec client curl -s --max-time 3 "http://$NL_VIP/")
t_check "$T: curl through the VIP works (got '$r')" [ "$r" = rs1 -o "$r" = rs2 ]
n=$(nl_exec client ip neigh show "$NL_VIP" dev eth0 | awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }')
t_is "$T: client's neighbour entry for the VIP is the director" "$n" "$DIRMAC"

nl_capture_stop "$CAP"
tcpdump -nn -e -r "$NL_TMP/arp.pcap" 2>/dev/null >&2
garp=$(nl_pcap_count "$NL_TMP/arp.pcap" "ether src $DIRMAC and arp[14:4] = $VIPHEX and arp[24:4] = $VIPHEX")
t_check "$T: gratuitous ARP for the VIP from the director at start ($garp)" [ "$garp" -ge 1 ]
# every ARP reply about the VIP (sender IP = VIP) came from the director
bad=$(nl_pcap_count "$NL_TMP/arp.pcap" "arp[14:4] = $VIPHEX and not ether src $DIRMAC")
t_is "$T: no ARP with sender VIP from anyone but the director" "$bad" 0
# the sender hardware address inside the ARP payload is the director's too
rsmac=$(nl_mac rs1) rs2mac=$(nl_mac rs2)
bad=$(tcpdump -nn -r "$NL_TMP/arp.pcap" "arp[14:4] = $VIPHEX" 2>/dev/null | grep -ci -e "$rsmac" -e "$rs2mac")
t_is "$T: no ARP announces VIP at a real server's MAC" "$bad" 0
t_check "$T: drlbd still running" nl_drlbd_alive

# --no-arp: another program owns the VIP's ARP; drlbd stays silent
kill "$NL_DRLBD_PID" 2>/dev/null
nl_wait 5 eval "! kill -0 $NL_DRLBD_PID" || t_fail "$T: drlbd stops on SIGTERM"
nl_drlbd --config "$NL_TMP/recipe.conf" --no-arp || t_fail "$T: drlbd --no-arp starts"
sleep 0.5
m=$(arp_macs 2)
t_is "$T: with --no-arp nobody answers ARP for the VIP" "$m" ""
t_done
