#!/bin/bash
# pcap: the recipe through the libpcap backend (drlbd --capture pcap).
#  - curl through the VIP spreads over both real servers, replies bypass the
#    director, drlbd holds no capability after opening its pcap handle;
#  - 1 MiB uploads arrive intact: the client's veth leaves every TCP checksum
#    to "hardware" and libpcap cannot say so, so drlbd recomputes each
#    forwarded checksum (csum_finished counts them);
#  - libpcap gives no segmentation data, so the client's TSO/GSO is turned
#    off for the uploads (a real NIC: GRO/LRO off on the director); with TSO
#    back on, the super-frames are dropped as oversize, as documented.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=pcap
t_require "$T: setup" ethtool tcpdump socat
nl_init "$T"
t_setup "$T" --capture pcap
PORT=8080

t_check "$T: drlbd says it captures with libpcap" \
	nl_wait 3 grep -q "directing on eth0" "$NL_DRLBD_LOG"
st=$(cat "/proc/$NL_DRLBD_PID/status" 2>/dev/null)
t_is "$T: CapEff after start is empty" \
	"$(awk '$1 == "CapEff:" { print $2 }' <<<"$st")" 0000000000000000

nl_rules wlc 1 1 || { t_fail "$T: drlbadm -A/-a (recipe rules)"; t_done; }
DIRMAC=$(nl_mac dir)
nl_capture dir "$NL_TMP/dir.pcap" 'ip and tcp port 80' || t_fail "$T: tcpdump starts"
CAP=$NL_LASTPID

out=$(nl_curl_count 20)
echo "answers: ${out//$'\n'/ }" >&2
t_is "$T: 20 of 20 requests answered" "$(nl_count_of "$out" FAIL)" 0
c1=$(nl_count_of "$out" rs1) c2=$(nl_count_of "$out" rs2)
t_check "$T: wlc spreads them over both real servers (rs1=$c1 rs2=$c2)" \
	[ "$c1" -ge 8 -a "$c2" -ge 8 -a $((c1 + c2)) -eq 20 ]

nl_capture_stop "$CAP"
fwd=$(nl_pcap_count "$NL_TMP/dir.pcap" "ether src $DIRMAC and src host $NL_CIP and dst host $NL_VIP")
replies=$(nl_pcap_count "$NL_TMP/dir.pcap" "src host $NL_VIP")
t_check "$T: director re-sent client frames with its own MAC ($fwd)" [ "$fwd" -gt 0 ]
t_is "$T: replies bypass the director (VIP->client frames seen there)" "$replies" 0
# every frame went out once: PCAP_D_IN keeps our own transmissions out
nl_counters
t_is "$T: transmitted = forwarded (no echo of our own frames)" \
	"$(nl_counter tx_frames)" "$(nl_counter forwarded)"

# ---- uploads, with the sender's checksum offload on and TSO/GSO off
nl_exec client ethtool -K eth0 tso off gso off >/dev/null 2>&1 ||
	t_fail "$T: ethtool -K eth0 tso off gso off on the client"
t_is "$T: client eth0 tx-checksumming stays on" \
	"$(nl_exec client ethtool -k eth0 | awk '$1 == "tx-checksumming:" { print $2 }')" on
nl_sink rs1 $PORT || t_fail "$T: HTTP sink on rs1"
nl_sink rs2 $PORT || t_fail "$T: HTTP sink on rs2"
nl_rules wrr 1 1 $PORT || t_fail "$T: drlbadm -A/-a port $PORT"
head -c 1048576 /dev/urandom >"$NL_TMP/up"
want=$(sha256sum <"$NL_TMP/up")
want=${want%% *}
declare -A seen=()
good=0
for i in 1 2 3 4; do
	r=$(nl_exec client curl -s --max-time 20 -H 'Expect:' --data-binary @"$NL_TMP/up" "http://$NL_VIP:$PORT/")
	echo "upload $i: '$r'" >&2
	case $r in
	"rs1 1048576 $want"|"rs2 1048576 $want") good=$((good + 1)); seen[${r%% *}]=1 ;;
	esac
done
t_is "$T: 4 uploads of 1 MiB arrived intact" "$good" 4
t_is "$T: uploads went to both real servers" "${#seen[@]}" 2
s=$(nl_exec client curl -s --max-time 20 -o /dev/null -w '%{size_download}' "http://$NL_VIP/big")
t_is "$T: 1 MiB download complete (ACKs through drlbd)" "$s" 1048576
nl_counters
for c in rx forwarded csum_finished oversize truncated tx_errors rx_kernel_drops; do
	echo "counter $c = $(nl_counter $c)" >&2
done
t_check "$T: checksums recomputed ($(nl_counter csum_finished))" \
	[ "$(nl_counter csum_finished)" -gt 700 ]
t_is "$T: no frame dropped as oversize with TSO/GSO off" "$(nl_counter oversize)" 0
t_is "$T: no frame truncated" "$(nl_counter truncated)" 0
t_is "$T: no transmit errors" "$(nl_counter tx_errors)" 0

# ---- TSO back on: super-frames cannot be forwarded without offload data
nl_exec client ethtool -K eth0 tso on gso on >/dev/null 2>&1
nl_exec client curl -s --max-time 3 -H 'Expect:' --data-binary @"$NL_TMP/up" \
	"http://$NL_VIP:$PORT/" >/dev/null 2>&1
nl_counters
t_check "$T: with the client's TSO on, super-frames are counted oversize ($(nl_counter oversize))" \
	[ "$(nl_counter oversize)" -gt 0 ]
t_check "$T: drlbd still running" nl_drlbd_alive
t_done
