#!/bin/bash
# metrics: drlbd's Prometheus metrics and IPVS rates after real traffic.
#  - --metrics-file: the textfile (rewritten every 10 s) counts the
#    connections per service and real server;
#  - --metrics-listen: GET /metrics from inside the director's namespace
#    answers the same, with the 0.0.4 content type; other paths get 404;
#  - drlbadm --metrics (GET_METRICS on the control socket) too;
#  - `-L -n --rate` shows InPPS/InBPS after the 2 s estimator ran, and -Z
#    zeroes counters and rates.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=metrics
t_require "$T: setup"
nl_init "$T"
MPORT=9478
# drlbd runs as nobody once its sockets are open: the textfile's directory
# must be writable by that user (as node_exporter's textfile directory is)
mkdir -p "$NL_TMP/textfile"
chown nobody "$NL_TMP/textfile"
PROM=$NL_TMP/textfile/drlb.prom
t_setup "$T" --metrics-file "$PROM" --metrics-listen "127.0.0.1:$MPORT"
nl_rules wlc 1 1 || { t_fail "$T: drlbadm -A/-a"; t_done; }

N=20
out=$(nl_curl_count $N)
t_is "$T: $N requests answered" \
	"$(( $(nl_count_of "$out" rs1) + $(nl_count_of "$out" rs2) ))" $N

SVC='protocol="TCP",vip="198.18.0.1",port="80"'
want_svc="drlb_service_connections_total{$SVC} $N"
# sum of one family over the real servers of the service
rs_sum() { # FILE FAMILY
	awk -v f="$2{$SVC," 'index($0, f) == 1 { s += $NF } END { print s + 0 }' "$1"
}

# ---- the textfile, rewritten within 10 s
nl_wait 12 grep -qF "$want_svc" "$PROM"
t_check "$T: --metrics-file counts $N connections for the service" grep -qF "$want_svc" "$PROM"
t_is "$T: --metrics-file: real servers' connections add up" "$(rs_sum "$PROM" drlb_realserver_connections_total)" $N
t_check "$T: --metrics-file: no .tmp left" [ ! -e "$PROM.tmp" ]
t_check "$T: --metrics-file: both real servers up" \
	[ "$(grep -c "^drlb_realserver_up{$SVC.*} 1$" "$PROM")" = 2 ]

# ---- HTTP, from inside the director's namespace
http=$NL_TMP/http.out
nl_exec dir curl -s -D "$NL_TMP/http.hdr" --max-time 5 "http://127.0.0.1:$MPORT/metrics" >"$http"
t_check "$T: GET /metrics: $N connections" grep -qF "$want_svc" "$http"
t_is "$T: GET /metrics: real servers' connections add up" "$(rs_sum "$http" drlb_realserver_connections_total)" $N
t_check "$T: GET /metrics: content type text/plain; version=0.0.4" \
	grep -qi '^content-type: text/plain; version=0.0.4' "$NL_TMP/http.hdr"
t_check "$T: GET /metrics: drop counters by reason" grep -q '^drlb_frames_dropped_total{reason="no_conn"} ' "$http"
# the counters as text and as JSON: the same names, the same values (no
# traffic in between; counters that move by themselves only grow)
nl_adm --counters >"$NL_TMP/counters.txt"
nl_adm --counters --json >"$NL_TMP/counters.json"
t_check "$T: --counters --json: the text's counters, same values" python3 - "$NL_TMP/counters.txt" "$NL_TMP/counters.json" <<'PY'
import json, sys
text = dict(l.split() for l in open(sys.argv[1]) if l.strip())
doc = json.load(open(sys.argv[2]))
assert doc.pop("schema") == 1 and doc.pop("kind") == "counters", doc
assert list(doc) == list(text), (list(doc), list(text))
assert all(doc[k] >= int(v) for k, v in text.items())
assert doc["forwarded"] == int(text["forwarded"]) > 0
assert doc["conns_new"] == int(text["conns_new"]) > 0
PY
code=$(nl_exec dir curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$MPORT/")
t_is "$T: GET / is 404" "$code" 404
# a request that never ends is cut off, and the daemon keeps forwarding
nl_exec dir timeout 8 bash -c "exec 3<>/dev/tcp/127.0.0.1/$MPORT; head -c 5000 /dev/zero | tr '\\0' a >&3; cat <&3" >"$NL_TMP/big.out" 2>/dev/null
t_check "$T: oversized request: 431" grep -q '^HTTP/1.0 431' "$NL_TMP/big.out"
out=$(nl_curl_count 2)
t_is "$T: forwarding goes on meanwhile" "$(nl_count_of "$out" FAIL)" 0
N=$((N + 2))
want_svc="drlb_service_connections_total{$SVC} $N"

# ---- GET_METRICS on the control socket
if nl_adm --metrics >"$NL_TMP/ctl.out" 2>"$NL_TMP/ctl.err"; then
	t_check "$T: drlbadm --metrics: $N connections" grep -qF "$want_svc" "$NL_TMP/ctl.out"
else
	t_skip "$T: drlbadm --metrics" "$(head -1 "$NL_TMP/ctl.err")"
fi

# ---- rates: the estimator runs every 2 s
rate_row() { nl_adm -L -n --rate | awk '$1 == "TCP" && $2 == "198.18.0.1:80" { print $3, $4, $6; exit }'; }
out=$(nl_curl_count 10)
sleep 2.2
row=$(rate_row)
echo "rate row after traffic (CPS InPPS InBPS): $row" >&2
t_check "$T: -L -n --rate: InPPS and InBPS > 0 after traffic ($row)" \
	awk -v r="$row" 'BEGIN { split(r, a, " "); exit !(a[2] > 0 && a[3] > 0) }'
nl_exec dir curl -s --max-time 5 "http://127.0.0.1:$MPORT/metrics" >"$http"
t_check "$T: GET /metrics: bytes_in_per_second > 0" \
	awk -v f="drlb_service_bytes_in_per_second{$SVC}" 'index($0, f) == 1 && $NF > 0 { ok = 1 } END { exit !ok }' "$http"

nl_adm -Z || t_fail "$T: -Z"
t_is "$T: -Z: rates 0 at once" "$(rate_row)" "0 0 0"
t_is "$T: -Z: counters 0" "$(nl_svc_stats TCP 198.18.0.1:80)" "0 0 0 0 0"
sleep 2.2
t_is "$T: -Z: rates still 0 after the next estimate (no spike)" "$(rate_row)" "0 0 0"
nl_exec dir curl -s --max-time 5 "http://127.0.0.1:$MPORT/metrics" >"$http"
t_check "$T: GET /metrics after -Z: 0 connections" grep -qF "drlb_service_connections_total{$SVC} 0" "$http"

t_check "$T: drlbd still running" nl_drlbd_alive
t_done
