#!/bin/bash
# offloads: the veths keep their default offloads (tx checksumming, TSO/GSO on),
# so drlbd receives frames with unfinished checksums (CHECKSUM_PARTIAL) and
# GSO super-frames larger than the MTU.  ~1 MB uploads through drlbd must
# arrive intact, and a 1 MiB download (the client's ACKs go through drlbd)
# must complete.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=offloads
t_require "$T: setup" ethtool socat
nl_init "$T"
t_setup "$T"
PORT=8080

# default offloads must be on everywhere (this test never changes them)
for h in client dir rs1 rs2; do
	k=$(nl_exec "$h" ethtool -k eth0)
	for f in tx-checksumming tcp-segmentation-offload generic-segmentation-offload; do
		v=$(echo "$k" | awk -v f="$f:" '$1 == f { print $2 }')
		t_is "$T: $h eth0 $f is on" "$v" on
	done
done

nl_sink rs1 $PORT || t_fail "$T: HTTP sink on rs1"
nl_sink rs2 $PORT || t_fail "$T: HTTP sink on rs2"
nl_rules wrr 1 1 $PORT || { t_fail "$T: drlbadm -A/-a"; t_done; }
nl_rules wrr 1 1 80 || { t_fail "$T: drlbadm -A/-a port 80"; t_done; }

head -c 1048576 /dev/urandom >"$NL_TMP/up"
want=$(sha256sum <"$NL_TMP/up")
want=${want%% *}
declare -A seen=()
good=0
for i in 1 2 3 4; do
	# --data-binary is `-d @file` without curl stripping CR/LF from the file
	r=$(nl_exec client curl -s --max-time 20 -H 'Expect:' --data-binary @"$NL_TMP/up" "http://$NL_VIP:$PORT/")
	echo "upload $i: '$r'" >&2
	case $r in
	"rs1 1048576 $want"|"rs2 1048576 $want") good=$((good + 1)); seen[${r%% *}]=1 ;;
	esac
done
t_is "$T: 4 uploads of 1 MiB arrived intact" "$good" 4
t_is "$T: uploads went to both real servers" "${#seen[@]}" 2

# with Expect: 100-continue, as curl sends by default
r=$(nl_exec client curl -s --max-time 20 --data-binary @"$NL_TMP/up" "http://$NL_VIP:$PORT/")
t_check "$T: upload with Expect: 100-continue intact" [ "${r#* }" = "1048576 $want" ]

# downloads: data comes straight from the real server; ACKs through drlbd
for i in 1 2; do
	s=$(nl_exec client curl -s --max-time 20 -o "$NL_TMP/down" -w '%{size_download}' "http://$NL_VIP/big")
	t_is "$T: 1 MiB download $i complete" "$s" 1048576
done

st=$(nl_svc_stats TCP "$NL_VIP:$PORT")
echo "stats TCP $NL_VIP:$PORT: $st" >&2
read -r conns inpkts outpkts inbytes outbytes <<<"${st:-x x x x x}"
t_is "$T: --stats Conns 5 uploads" "$conns" 5
t_check "$T: --stats InBytes counts the uploads ($inbytes >= 5 MiB)" \
	awk -v b="$inbytes" 'BEGIN { n = b + 0; if (b ~ /K$/) n *= 1000; if (b ~ /M$/) n *= 1000000; exit !(n >= 5 * 1048576) }'
# what drlbd saw: drlbadm --counters prints "name value" lines
nl_counters || t_fail "$T: drlbadm --counters exits 0"
cnt() { nl_counter "$1"; }
for c in rx forwarded csum_finished gso oversize truncated tx_errors rx_kernel_drops; do
	echo "counter $c = $(cnt $c)" >&2
done
t_check "$T: unfinished checksums were completed ($(cnt csum_finished))" [ "$(cnt csum_finished)" -gt 0 ]
t_check "$T: coalesced (GSO) frames were forwarded ($(cnt gso))" [ "$(cnt gso)" -gt 0 ]
t_is "$T: no frame dropped as oversize" "$(cnt oversize)" 0
t_is "$T: no frame truncated by the capture" "$(cnt truncated)" 0
t_is "$T: no transmit errors" "$(cnt tx_errors)" 0
t_check "$T: drlbd still running" nl_drlbd_alive
t_done
