#!/bin/bash
# rs_silent: a real server that never answers ARP (there is no such host on
# the segment) is visible where people look: drlbd's log, drlbadm -L's
# stderr (its stdout stays ipvsadm's listing, for scripts), --json
# ("arp": "failed") and the metrics (drlb_realserver_arp_failed 1, up 0);
# requests still go to the real servers that answer.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=rs_silent
t_require "$T: setup"
nl_init "$T"
t_setup "$T" --config conf/recipe.conf
SILENT=198.18.0.9

nl_adm -a -t "$NL_VIP:80" -r "$SILENT:80" -g -w 2 || t_fail "$T: -a $SILENT"
failed() { nl_adm -L -n --json | grep -q '"arp": "failed"'; }
t_check "$T: after 3 unanswered ARP requests: failed" nl_wait 8 failed
t_check "$T: drlbd says why" grep -qF "real server $SILENT does not answer ARP: not scheduled (in DR a real server must be on the director's own Ethernet segment)" "$NL_DRLBD_LOG"

nl_adm -L -n >"$NL_TMP/out" 2>"$NL_TMP/err"
rc=$?
cat "$NL_TMP/out" "$NL_TMP/err" >&2
t_is "$T: drlbadm -L -n exits 0" "$rc" 0
t_is "$T: -L's stderr names it" "$(cat "$NL_TMP/err")" \
	"$NL_DRLBADM: warning: real server $SILENT does not answer ARP: not scheduled (in DR a real server must be on the director's own Ethernet segment)"
t_is "$T: -L's stdout: ipvsadm's listing, its line as any other's" \
	"$(grep -c -E "^  -> $SILENT:80 +Route +2 +0 +0 *$" "$NL_TMP/out")" 1
t_is "$T: -L's stdout holds no warning" "$(grep -c -i -e warning -e answer "$NL_TMP/out")" 0
nl_adm -L -n -t "$NL_VIP:80" 2>&1 >/dev/null | grep -q "real server $SILENT does not answer ARP"
t_is "$T: -L -t VIP:80 names it too" "$?" 0
t_is "$T: -L --json: nothing on stderr" "$(nl_adm -L -n --json 2>&1 >/dev/null)" ""
m=$(nl_adm --metrics)
t_check "$T: metrics: drlb_realserver_arp_failed 1" \
	grep -qE "^drlb_realserver_arp_failed\{.*rip=\"$SILENT\".*\} 1$" <<<"$m"
t_check "$T: metrics: drlb_realserver_up 0" \
	grep -qE "^drlb_realserver_up\{.*rip=\"$SILENT\".*\} 0$" <<<"$m"
t_check "$T: metrics: the others arp_failed 0" \
	grep -qE "^drlb_realserver_arp_failed\{.*rip=\"$NL_RIP1\".*\} 0$" <<<"$m"
out=$(nl_curl_count 6)
t_is "$T: requests go to the real servers that answer: 6 of 6" "$(nl_count_of "$out" FAIL)" 0
t_check "$T: drlbd still running" nl_drlbd_alive
t_done
