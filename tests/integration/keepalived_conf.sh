#!/bin/bash
# keepalived_conf: conf/keepalived-dr.conf loads, and `drlbadm -L -n` shows
# what keepalived would set up in IPVS (services, schedulers, persistence,
# DR real servers and weights); requests go through it.  A file with an
# lb_kind NAT, a real server by NAT, PING_CHECK, a missing or looping
# include stop start-up with file:line; notify_down now loads.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=keepalived_conf
t_require "$T: setup"
nl_init "$T"
EXAMPLE=conf/keepalived-dr.conf
cp "$EXAMPLE" "$NL_TMP/ka.conf"
chmod 644 "$NL_TMP/ka.conf"
t_setup "$T" --keepalived-config "$NL_TMP/ka.conf"

# what `ipvsadm -L -n` shows after keepalived loaded the same file
want="TCP 198.18.0.1:80 wlc persistent 300 mask 255.255.255.0
-> 198.18.0.7:80 Route 2 0 0
-> 198.18.0.8:80 Route 2 0 0
UDP 198.18.0.1:53 rr
-> 198.18.0.7:53 Route 1 0 0"
got=$(nl_adm -L -n | awk 'NR > 3 { $1 = $1; print }')
nl_adm -L -n >&2
t_is "$T: -L -n shows the example's services and real servers" "$got" "$want"
line=$(grep -n "^vrrp_instance" "$EXAMPLE" | cut -d: -f1)
t_check "$T: vrrp_instance skipped with a log line" \
	grep -q "ka.conf:$line: vrrp_instance skipped" "$NL_DRLBD_LOG"
out=$(nl_curl_count 6)
echo "persistent /24: $(echo $out)" >&2
t_is "$T: persistence: one client, one real server for 6 requests" \
	"$(echo "$out" | awk '$1 ~ /^rs[12]$/ && $2 == 6 { print "yes" }')" yes
t_stop_drlbd "$T"

# start-up refused: drlbd exits non-zero, says file:line, opens no socket
refused() { # NAME FILE WANT
	local name=$1 f=$2 want=$3 rc log=$NL_TMP/refused.log
	rm -f "$NL_TMP/bad.sock"
	nl_exec dir timeout 10 "$NL_DRLBD" --interface eth0 --socket "$NL_TMP/bad.sock" \
		--foreground --keepalived-config "$f" >"$log" 2>&1
	rc=$?
	sed 's/^/  drlbd: /' "$log" >&2
	t_check "$T: $name: drlbd refuses to start" [ "$rc" != 0 ] && [ "$rc" != 124 ]
	t_check "$T: $name: says $want" grep -qF "$want" "$log"
	t_check "$T: $name: no control socket" [ ! -e "$NL_TMP/bad.sock" ]
}
# the example with one real server forwarded by NAT (lvs_method NAT in its
# block): drlbd would do something else than the file says
line=$(grep -n "real_server 198.18.0.7 80 {" "$EXAMPLE" | head -1 | cut -d: -f1)
sed "${line}a\\        lvs_method NAT" "$EXAMPLE" >"$NL_TMP/bad1.conf"
refused "real server by NAT" "$NL_TMP/bad1.conf" \
	"$NL_TMP/bad1.conf:$((line + 1)): lvs_method NAT: drlbd forwards by direct routing only"
line=$(grep -n "lb_kind DR" "$EXAMPLE" | head -1 | cut -d: -f1)
sed "${line}s/lb_kind DR/lb_kind NAT/" "$EXAMPLE" >"$NL_TMP/bad2.conf"
refused "lb_kind NAT" "$NL_TMP/bad2.conf" \
	"$NL_TMP/bad2.conf:$line: lb_kind NAT: drlbd forwards by direct routing only"
printf 'virtual_server 198.18.0.1 80 {\n    lb_algo wlc\n    real_server 198.18.0.7 80 {\n        PING_CHECK {\n' \
	>"$NL_TMP/bad3.conf"
refused "PING_CHECK" "$NL_TMP/bad3.conf" "$NL_TMP/bad3.conf:4: PING_CHECK is not run by drlbd"
# an include that names no file, and one that includes itself: the chain
echo "include $NL_TMP/none-such.conf" >"$NL_TMP/bad4.conf"
refused "include of a missing file" "$NL_TMP/bad4.conf" \
	"$NL_TMP/bad4.conf:1: include $NL_TMP/none-such.conf: $NL_TMP/none-such.conf: no such file"
echo "include bad6.conf" >"$NL_TMP/bad5.conf"
printf '\n\ninclude bad5.conf\n' >"$NL_TMP/bad6.conf"
refused "include loop" "$NL_TMP/bad5.conf" \
	"$NL_TMP/bad5.conf:1: include bad6.conf -> $NL_TMP/bad6.conf:3: include bad5.conf: $NL_TMP/bad5.conf: an include loop"
# notify_down (refused before) now runs: the example with it loads
line=$(grep -n "real_server 198.18.0.7 80 {" "$EXAMPLE" | head -1 | cut -d: -f1)
sed "${line}a\\        notify_down \"/bin/echo down\"" "$EXAMPLE" >"$NL_TMP/good1.conf"
rm -f "$NL_TMP/good.sock"
nl_exec dir timeout 3 "$NL_DRLBD" --interface eth0 --socket "$NL_TMP/good.sock" \
	--foreground --keepalived-config "$NL_TMP/good1.conf" >"$NL_TMP/good1.log" 2>&1
t_is "$T: notify_down in a real server: accepted (runs until stopped)" "$?" 124
refused "missing file" "$NL_TMP/none.conf" "$NL_TMP/none.conf: No such file"

rc=0
nl_exec dir timeout 10 "$NL_DRLBD" --interface eth0 --socket "$NL_TMP/bad.sock" \
	--config conf/recipe.conf --keepalived-config "$EXAMPLE" >/dev/null 2>&1 || rc=$?
t_check "$T: --config with --keepalived-config refused" [ "$rc" = 1 ]
t_done
