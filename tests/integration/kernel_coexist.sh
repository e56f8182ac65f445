#!/bin/bash
# kernel_coexist: drlbd on a host whose kernel would act on the VIP frames
# itself -- one that routes (ip_forward=1: a Docker host, a router) or that
# holds the VIP (the recipe's eth0:0).  drlbd keeps those frames from the
# kernel's IP layer (an nftables netdev ingress table its privileged helper
# keeps in step with the VIPs) and still captures each one: every VIP frame
# is forwarded once, the kernel neither routes it again nor answers it.
#  - VIP on eth0 (/32) and on lo: drlbd starts; requests answered; the
#    client never sees an RST; the table holds exactly the VIPs
#  - ip_forward=1: the wrr 3:2:1 split exact over 3 real servers and each
#    SYN delivered once (tcpdump on each real server)
#  - a Docker-like director (a bridge with masquerading, FORWARD accept)
#  - the VIP = the director's own address (a /24): still refused
#  - a table left behind is replaced; SIGKILL of drlbd: its helper removes it
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=kernel_coexist
t_require "$T: setup" nft tcpdump
nl_init "$T"
RIP3=198.18.0.9
t_setup_ok() {
	nl_dr_topology && nl_host rs3 "$RIP3/24" && nl_realserver rs3 "$NL_VIP" &&
		nl_nginx rs3 rs3
}
t_setup_ok || { t_fail "$T: setup (namespaces, real servers, nginx)"; t_done; }
TABLE=drlbd_eth0

# nft_vips: the VIPs drlbd's table drops in the director, sorted
nft_vips() {
	nl_exec dir nft -j list set netdev "$TABLE" vip4 2>/dev/null |
		python3 -c 'import json,sys
d = json.load(sys.stdin)["nftables"]
print(" ".join(sorted(e for x in d if "set" in x for e in x["set"].get("elem", []))))'
}
table_there() { nl_exec dir nft list table netdev "$TABLE" >/dev/null 2>&1; }

# rst_watch / rst_count: RSTs the client receives from the VIP
rst_watch() { nl_capture client "$NL_TMP/rst.pcap" "tcp[tcpflags] & tcp-rst != 0 and src host $NL_VIP"; RSTCAP=$NL_LASTPID; }
rst_count() { nl_capture_stop "$RSTCAP"; nl_pcap_count "$NL_TMP/rst.pcap"; }

# ---- 1: the VIP on the director's eth0, as the recipe's eth0:0
nl_exec dir ip addr add "$NL_VIP/32" dev eth0
rst_watch
if nl_drlbd --config conf/recipe.conf; then
	t_ok "$T: VIP on eth0: drlbd starts"
else
	t_fail "$T: VIP on eth0: drlbd starts"
fi
t_check "$T: VIP on eth0: the log says the kernel does not see the VIP's frames" \
	grep -q "VIP $NL_VIP is an address of this host's kernel: its frames are kept from the kernel's IP layer (nftables table netdev $TABLE)" "$NL_DRLBD_LOG"
t_is "$T: VIP on eth0: the table drops exactly the VIP" "$(nft_vips)" "$NL_VIP"
out=$(nl_curl_count 10)
t_is "$T: VIP on eth0: 10 requests, 5 each (wlc)" "$(nl_count_of "$out" rs1) $(nl_count_of "$out" rs2) $(nl_count_of "$out" FAIL)" "5 5 0"
t_is "$T: VIP on eth0: the client never sees an RST" "$(rst_count)" 0
# VIPs come and go: the table follows
nl_adm -A -t 198.18.0.5:80 -s rr && nl_adm -a -t 198.18.0.5:80 -r "$NL_RIP1" -g
t_is "$T: a VIP added: the table follows" "$(nft_vips)" "$NL_VIP 198.18.0.5"
nl_adm -D -t 198.18.0.5:80
t_is "$T: a VIP deleted: the table follows" "$(nft_vips)" "$NL_VIP"
t_stop_drlbd "$T: VIP on eth0"
nl_wait 3 eval "! table_there"
t_check "$T: VIP on eth0: drlbd stopped, the table is gone" bash -c "! ip netns exec $(nl_ns dir) nft list table netdev $TABLE >/dev/null 2>&1"
nl_exec dir ip addr del "$NL_VIP/32" dev eth0

# ---- 2: the VIP on lo
nl_exec dir ip addr add "$NL_VIP/32" dev lo
if nl_drlbd --config conf/recipe.conf; then
	out=$(nl_curl_count 4)
	t_is "$T: VIP on lo: 4 requests answered" "$(nl_count_of "$out" FAIL)" 0
else
	t_fail "$T: VIP on lo: drlbd starts"
fi
t_stop_drlbd "$T: VIP on lo"
nl_exec dir ip addr del "$NL_VIP/32" dev lo

# ---- 3: a routing director: wrr 3:2:1, each SYN delivered once
nl_exec dir sysctl -qw net.ipv4.ip_forward=1
printf -- '-A -t %s:80 -s wrr\n-a -t %s:80 -r %s:80 -g -w 3\n-a -t %s:80 -r %s:80 -g -w 2\n-a -t %s:80 -r %s:80 -g -w 1\n' \
	"$NL_VIP" "$NL_VIP" "$NL_RIP1" "$NL_VIP" "$NL_RIP2" "$NL_VIP" "$RIP3" >"$NL_TMP/wrr.conf"
# a stale table, as a drlbd killed before us would leave it
nl_exec dir nft add table netdev "$TABLE"
nl_exec dir nft add chain netdev "$TABLE" stale
if nl_drlbd --config "$NL_TMP/wrr.conf"; then
	t_ok "$T: ip_forward=1: drlbd starts"
else
	t_fail "$T: ip_forward=1: drlbd starts"
fi
t_check "$T: ip_forward=1: the log says so" grep -q "IP forwarding is on for eth0: VIP frames are kept from the kernel's IP layer" "$NL_DRLBD_LOG"
t_check "$T: a table left behind was replaced" bash -c "! ip netns exec $(nl_ns dir) nft list chain netdev $TABLE stale >/dev/null 2>&1"
for r in rs1 rs2 rs3; do
	nl_capture "$r" "$NL_TMP/syn-$r.pcap" "tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn and dst port 80"
	eval "CAP_$r=\$NL_LASTPID"
done
out=$(nl_curl_count 12)
for r in rs1 rs2 rs3; do eval "nl_capture_stop \$CAP_$r"; done
t_is "$T: ip_forward=1: wrr 3:2:1 over 12 requests" \
	"$(nl_count_of "$out" rs1) $(nl_count_of "$out" rs2) $(nl_count_of "$out" rs3) $(nl_count_of "$out" FAIL)" "6 4 2 0"
t_is "$T: ip_forward=1: each SYN reached its real server once" \
	"$(nl_pcap_count "$NL_TMP/syn-rs1.pcap") $(nl_pcap_count "$NL_TMP/syn-rs2.pcap") $(nl_pcap_count "$NL_TMP/syn-rs3.pcap")" "6 4 2"
s=$(nl_adm -L -n --stats | awk -v v="$NL_VIP:80" '$2 == v { print $3 }')
t_is "$T: ip_forward=1: drlbd scheduled 12 connections" "$s" 12

# ---- 4: SIGKILL of drlbd (not of its helper, drlbd-priv): the helper
# removes the table
kill -KILL "$NL_DRLBD_PID" 2>/dev/null
nl_wait 5 eval "! table_there"
t_check "$T: drlbd killed: its helper removed the table" bash -c "! ip netns exec $(nl_ns dir) nft list table netdev $TABLE >/dev/null 2>&1"
NL_DRLBD_PID=

# ---- 5: a Docker-like director: a bridge with a container, masquerading,
# FORWARD accept, ip_forward=1
nl_exec dir sh -c 'ip link add docker0 type bridge && ip addr add 198.18.1.1/24 dev docker0 && ip link set docker0 up'
nl_exec dir nft -f - <<'NFT'
table ip dockerish {
	chain forward { type filter hook forward priority 0; policy accept; }
	chain postrouting { type nat hook postrouting priority 100; ip saddr 198.18.1.0/24 oifname != "docker0" masquerade; }
}
NFT
if nl_drlbd --config conf/recipe.conf; then
	out=$(nl_curl_count 6)
	t_is "$T: Docker-like director: 6 requests, 3 each" "$(nl_count_of "$out" rs1) $(nl_count_of "$out" rs2) $(nl_count_of "$out" FAIL)" "3 3 0"
else
	t_fail "$T: Docker-like director: drlbd starts"
fi
t_stop_drlbd "$T: Docker-like director"
nl_exec dir sysctl -qw net.ipv4.ip_forward=0

# ---- 6: the VIP = the director's own address: refused, with the right advice
sed "s/$NL_VIP/$NL_DIP/g" conf/recipe.conf >"$NL_TMP/dip.conf"
rm -f "$NL_SOCK"
MSG=$(nl_exec dir timeout 5 "$NL_DRLBD" --interface eth0 --config "$NL_TMP/dip.conf" \
	--socket "$NL_SOCK" --foreground 2>&1 </dev/null)
RC=$?
t_check "$T: VIP = the director's own address: refuses (exit $RC)" [ "$RC" -ne 0 -a "$RC" -ne 124 ]
t_check "$T: VIP = the director's own address: says so ($MSG)" \
	grep -q -F "is this host's own address ($NL_DIP/24 on eth0)" <<<"$MSG"
if grep -q 'addr del' <<<"$MSG"; then
	t_fail "$T: VIP = the director's own address: never advises deleting it"
else
	t_ok "$T: VIP = the director's own address: never advises deleting it"
fi
T_NAME=
t_done
