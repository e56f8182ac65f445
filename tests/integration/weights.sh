#!/bin/bash
# weights: wrr 3:1 over 40 requests gives exactly 30/10; rr 1:1 alternates;
# a real server with weight 0 gets no new connections.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=weights
t_require "$T: setup"
nl_init "$T"
t_setup "$T"

nl_rules wrr 3 1 || { t_fail "$T: drlbadm -A -s wrr / -a -w 3 / -a -w 1"; t_done; }
nl_adm -L -n >&2
out=$(nl_curl_count 40)
echo "wrr 3:1: $(echo $out)" >&2
t_is "$T: wrr 3:1 over 40 requests: rs1 30" "$(nl_count_of "$out" rs1)" 30
t_is "$T: wrr 3:1 over 40 requests: rs2 10" "$(nl_count_of "$out" rs2)" 10

# the weights as -L -n shows them
w=$(nl_adm -L -n | awk '$1 == "->" && $2 ~ /^198\.18\.0\.[78]:80$/ { printf "%s=%s ", $2, $4 }')
t_is "$T: -L -n shows the weights" "$w" "198.18.0.7:80=3 198.18.0.8:80=1 "

nl_adm -E -t "$NL_VIP:80" -s rr || t_fail "$T: -E -s rr"
nl_adm -e -t "$NL_VIP:80" -r "$NL_RIP1" -g -w 1 || t_fail "$T: -e -w 1"
out=$(nl_curl_count 20)
echo "rr 1:1: $(echo $out)" >&2
t_is "$T: weights 1:1 over 20 requests: 10/10" \
	"$(nl_count_of "$out" rs1)/$(nl_count_of "$out" rs2)" 10/10

nl_adm -E -t "$NL_VIP:80" -s wrr || t_fail "$T: -E -s wrr"
nl_adm -e -t "$NL_VIP:80" -r "$NL_RIP2" -g -w 0 || t_fail "$T: -e -w 0"
out=$(nl_curl_count 20)
echo "wrr 1:0: $(echo $out)" >&2
t_is "$T: weight 0 gets nothing new (wrr): rs1 20, rs2 0" \
	"$(nl_count_of "$out" rs1)/$(nl_count_of "$out" rs2)" 20/0

nl_adm -E -t "$NL_VIP:80" -s wlc || t_fail "$T: -E -s wlc"
out=$(nl_curl_count 10)
echo "wlc 1:0: $(echo $out)" >&2
t_is "$T: weight 0 gets nothing new (wlc): rs1 10, rs2 0" \
	"$(nl_count_of "$out" rs1)/$(nl_count_of "$out" rs2)" 10/0

# all weights 0: no real server available; the client gets no answer
nl_adm -e -t "$NL_VIP:80" -r "$NL_RIP1" -g -w 0 || t_fail "$T: -e -w 0 (both)"
out=$(nl_curl_count 2)
t_is "$T: all weights 0: no answers" "$(nl_count_of "$out" FAIL)" 2
# and back
nl_adm -e -t "$NL_VIP:80" -r "$NL_RIP2" -g -w 5 || t_fail "$T: -e -w 5"
out=$(nl_curl_count 5)
t_is "$T: weight back to 5: rs2 answers all" "$(nl_count_of "$out" rs2)" 5
t_check "$T: drlbd still running" nl_drlbd_alive
t_done
