#!/bin/bash
# daemon: what drlbd promises about itself, beside forwarding.
#  - after start it holds no capability at all (libcap-ng dropped them once
#    its sockets were open), shown by /proc/PID/status;
#  - its control socket is mode 0660;
#  - a bad --config line stops start-up with file:line and the reason;
#  - a real server that does not answer ARP is not scheduled, and the log
#    says why (DR: it must be on the director's segment);
#  - drlbadm --counters shows the daemon's counters.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=daemon
t_require "$T: setup"
nl_init "$T"
t_setup "$T" --config conf/recipe.conf

# ---- least privilege
st=$(cat "/proc/$NL_DRLBD_PID/status" 2>/dev/null)
for c in CapInh CapPrm CapEff CapBnd CapAmb; do
	v=$(awk -v k="$c:" '$1 == k { print $2 }' <<<"$st")
	t_is "$T: $c after start is empty" "$v" 0000000000000000
done
t_is "$T: control socket mode" "$(stat -c %a "$NL_SOCK")" 660

# ---- the recipe loaded from --config forwards
out=$(nl_curl_count 4)
t_is "$T: --config recipe: 4 requests answered, 2 each (wlc)" \
	"$(nl_count_of "$out" rs1) $(nl_count_of "$out" rs2)" "2 2"

# ---- a real server that is not on the segment
nl_adm -a -t "$NL_VIP:80" -r 198.18.0.9 -g -w 100 ||
	t_fail "$T: add an unreachable real server"
# three ARP probes a second apart, then it is declared unreachable
nl_wait 8 grep -q "198.18.0.9 does not answer ARP" "$NL_DRLBD_LOG"
t_check "$T: log says why 198.18.0.9 is not scheduled" \
	grep -q "198.18.0.9 does not answer ARP.*segment" "$NL_DRLBD_LOG"
out=$(nl_curl_count 4)
t_is "$T: weight 100 but no ARP answer: nothing sent to it, all answered" \
	"$(nl_count_of "$out" FAIL) $(( $(nl_count_of "$out" rs1) + $(nl_count_of "$out" rs2) ))" "0 4"
c=$(nl_adm --counters)
t_check "$T: drlbadm --counters shows forwarded frames" \
	awk '$1 == "forwarded" && $2 > 0 { f = 1 } END { exit !f }' <<<"$c"
t_check "$T: drlbadm --counters shows ARP probes" \
	awk '$1 == "arp_probes_sent" && $2 >= 3 { f = 1 } END { exit !f }' <<<"$c"

# ---- bad configuration: file:line: reason, non-zero exit, no socket left
# (on another host: one drlbd per interface, and the director has its own)
printf -- '-A -t %s:80 -s wlc\n# a comment\n-a -t %s:80 -r %s -g -w 70000\n' \
	"$NL_VIP" "$NL_VIP" "$NL_RIP1" >"$NL_TMP/bad.conf"
msg=$(nl_exec client timeout 5 "$NL_DRLBD" --interface eth0 --config "$NL_TMP/bad.conf" \
	--socket "$NL_TMP/bad.sock" --foreground 2>&1 </dev/null)
rc=$?
t_check "$T: bad config line: exits non-zero (exit $rc)" [ "$rc" -ne 0 -a "$rc" -ne 124 ]
t_check "$T: bad config line: message is file:line: reason ($msg)" \
	grep -q "bad.conf:3: .*weight" <<<"$msg"
t_check "$T: bad config: no control socket left" [ ! -e "$NL_TMP/bad.sock" ]
printf -- '-A -t %s:80 -s nosuchsched\n' "$NL_VIP" >"$NL_TMP/bad2.conf"
msg=$(nl_exec client timeout 5 "$NL_DRLBD" --interface eth0 --config "$NL_TMP/bad2.conf" \
	--socket "$NL_TMP/bad.sock" --foreground 2>&1 </dev/null)
t_check "$T: unknown scheduler in config: file:line and the valid names ($msg)" \
	grep -q "bad2.conf:1: unknown scheduler 'nosuchsched' (drlbd has: .*wlc.*)" <<<"$msg"

t_check "$T: drlbd still running" nl_drlbd_alive
t_done
