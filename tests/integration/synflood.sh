#!/bin/bash
# synflood: drlbd with a small connection table (--max-conns 65536) and the
# recipe's rules under a SYN flood (build/synflood: random sources in
# 198.18.0.128/25, random ports, to VIP:80, as fast as the machine allows)
# while a legitimate client makes 30 requests.
#
# drlbd's defence (SECURITY.md, src/drlbd/conn.c): the table never grows; when
# it is full a new flow takes the place of the oldest half-open connection,
# and while it is over 3/4 full half-open connections time out after 10 s.
# Asserted:
#   - at least half of the client's requests are answered (see below);
#   - conns_now, sampled during the flood, never exceeds 65536;
#   - conns_reclaimed > 0 (the defence was used);
#   - VmRSS of drlbd grows by less than 1 MiB (memory is preallocated);
#   - drlbd still runs, and answers afterwards.
# Reported, never asserted: the flood's rate, the requests' latency
# (curl %{time_total}: median and max), drlbd's own counters.
#
# The real servers answer the spoofed SYNs with SYN-ACKs to addresses nobody
# holds (they ARP for them on the bridge, in 198.18.0.0/24, and give up).
# Every loop here is bounded; the flood stops when the requests are done, at
# the latest after FLOOD_MAX seconds.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=synflood
t_require "$T: setup"
MAXC=65536
REQS=30
FLOOD_MAX=30	# s: upper bound of the flood (it is stopped when the requests end)
SYNFLOOD=${NL_SYNFLOOD:-$(dirname "$NL_DRLBD")/synflood}
if [ ! -x "$SYNFLOOD" ]; then
	# make check builds it; a lone run builds it here
	make -s -C "$NL_ROOT" B="$(dirname "$NL_DRLBD")" "$(dirname "$NL_DRLBD")/synflood" >&2 ||
		SYNFLOOD=$NL_ROOT/build/synflood
fi
if [ ! -x "$SYNFLOOD" ]; then
	t_skip "$T: setup" "no synflood binary (make build/synflood)"
	exit 0
fi
nl_init "$T"
t_setup "$T" --config conf/recipe.conf --max-conns "$MAXC"

out=$(nl_curl_count 4)
t_is "$T: curl works before the flood" "$(nl_count_of "$out" FAIL)" 0

DM=$(nl_mac dir)
PID=$NL_DRLBD_PID
t_is "$T: drlbd's pid is drlbd" "$(cat "/proc/$PID/comm" 2>/dev/null)" drlbd
rss() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$PID/status" 2>/dev/null; }
rss_detail() { grep -E '^(VmRSS|RssAnon|RssFile|RssShmem):' "/proc/$PID/status" | tr -s ' \t' ' ' | tr '\n' ' '; }
RSS0=$(rss)
echo "VmRSS before: $(rss_detail)" >&2

# ---------------------------------------------------------------- the flood
# the attacker: its own host on the bridge (its address does not matter, the
# flood's sources are spoofed from 198.18.0.128/25)
nl_host attacker 198.18.0.50/24 || { t_fail "$T: attacker host"; t_done; }
nl_bg attacker "$NL_TMP/flood.log" "$SYNFLOOD" -i eth0 -m "$DM" -s 198.18.0.128/25 \
	-d "$NL_VIP" -p 80 -t "$FLOOD_MAX"
FLOOD=$NL_LASTPID

# conns_now sampled every 0.1 s while the flood runs (at most 600 samples)
STOPF=$NL_TMP/stop-sampling
(
	for ((i = 0; i < 600; i++)); do
		[ -e "$STOPF" ] && break
		nl_adm --counters 2>/dev/null | awk '$1 == "conns_now" { print $2 }'
		sleep 0.1
	done
) >"$NL_TMP/conns_now" &
SAMPLER=$!
NL_PIDS+=("$SAMPLER")

# let the flood fill the table before the client comes
# shellcheck disable=SC2317  # called through nl_wait
table_filled() { [ "$(nl_adm --counters | awk '$1 == "conns_now" { print $2 }')" = "$MAXC" ]; }
nl_wait 5 table_filled ||
	echo "the table did not fill within 5 s" >&2
nl_counters
R0=$(nl_counter conns_reclaimed)

# the legitimate client: REQS requests started 0.15 s apart (over ~4.5 s),
# each bounded by --max-time 5 (a SYN that the director's full ring drops is
# sent again by the client's kernel after 1 s and 3 s)
mkdir -p "$NL_TMP/curls.d"
CURLS=()
for ((i = 0; i < REQS; i++)); do
	nl_exec client curl -s -o /dev/null --max-time 5 \
		-w '%{http_code} %{time_total} %{time_connect}\n' \
		"http://$NL_VIP/" >"$NL_TMP/curls.d/$i" 2>/dev/null &
	CURLS+=("$!")
	sleep 0.15
done
wait "${CURLS[@]}"
cat "$NL_TMP"/curls.d/* >"$NL_TMP/curls"
kill -INT "$FLOOD" 2>/dev/null
nl_wait 5 eval "! kill -0 $FLOOD" || nl_stop_pid "$FLOOD" >/dev/null
touch "$STOPF"
wait "$SAMPLER" 2>/dev/null
nl_counters
cp "$NL_TMP/counters" "$NL_TMP/counters-after"

# ---------------------------------------------------------------- figures
flood=$(grep '^sent ' "$NL_TMP/flood.log")
echo "flood: ${flood:-(no report) $(cat "$NL_TMP/flood.log")}" >&2
ok=$(awk '$1 == 200' "$NL_TMP/curls" | wc -l)
ratio=$(awk -v o="$ok" -v n="$REQS" 'BEGIN { printf "%.2f", o / n }')
lat=$(awk '$1 == 200 { print $2 }' "$NL_TMP/curls" | sort -n | awk '
	{ v[NR] = $1 }
	END { if (NR == 0) { print "none"; exit }
	      m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
	      printf "median %.3f s, max %.3f s (of %d answered)", m, v[NR], NR }')
echo "client: $ok of $REQS requests answered (success ratio $ratio); latency $lat" >&2
echo "client: answers $(awk '{ print $1 }' "$NL_TMP/curls" | sort | uniq -c | awk '{ printf "%s x%s ", $2, $1 }')" >&2
# a failed request that had connected lost its half-open entry to the flood
# between its SYN and its ACK (its ACK then counts as no_conn); one that never
# connected lost its SYNs (the ring was full: rx_kernel_drops)
echo "client: failed after connecting $(awk '$1 != 200 && $3 > 0' "$NL_TMP/curls" | wc -l)," \
	"failed to connect $(awk '$1 != 200 && $3 == 0' "$NL_TMP/curls" | wc -l)," \
	"answered after a SYN was sent again (>= 1 s) $(awk '$1 == 200 && $3 >= 1' "$NL_TMP/curls" | wc -l)" >&2
samples=$(grep -c '^[0-9]' "$NL_TMP/conns_now")
maxc=$(sort -n "$NL_TMP/conns_now" | tail -n 1)
echo "conns_now: $samples samples during the flood, max ${maxc:-none} (bound $MAXC)" >&2
for c in rx forwarded conns_new conns_now conns_reclaimed table_full no_conn rx_kernel_drops \
	tx_frames tx_errors; do
	echo "counter $c = $(nl_counter "$c")" >&2
done
echo "conns_reclaimed while the client ran: $(($(nl_counter conns_reclaimed) - R0))" >&2
fs=$(echo "$flood" | awk '{ print $5 }')
echo "drlbd took $(awk -v n="$(nl_counter conns_new)" -v s="${fs:-0}" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "?" }') new flows/s during the flood" >&2
RSS1=$(rss)
echo "VmRSS after: $(rss_detail); growth $((RSS1 - RSS0)) kB" >&2

# ---------------------------------------------------------------- asserts
fr=$(echo "$flood" | awk '{ print $2 }')
t_check "$T: the flood ran (${fr:-0} frames sent)" [ "${fr:-0}" -gt 0 ]
# The defence: a full table gives the place of its *oldest* half-open entry
# to a new flow (src/drlbd/conn.c conn_reclaim), so a client's entry lives
# as long as max_conns flood SYNs take to arrive, far longer than its round
# trip; the flows it loses are the ones whose SYN or ACK the kernel dropped
# before drlbd saw them, when the flood overflows the capture ring on this
# 2-CPU machine (rx_kernel_drops, reported above): capacity, not policy.
# Without the defence the table stays full of half-open entries for their
# 10 s and nearly every request fails; with it at least half get through
# (asserted); 0.8 or more is typical when the machine is otherwise idle
# (DRLB_SYNFLOOD_STRICT=1 asserts that instead).
want=$((REQS * 5))
# a sanitizer build of drlbd forwards at about half the speed, so more of the
# flood overflows its ring: a third there (still far from the 0 of 30 the
# table gives without its defence)
ldd "$NL_DRLBD" 2>/dev/null | grep -q libasan && want=$((REQS * 10 / 3))
[ -n "${DRLB_SYNFLOOD_STRICT:-}" ] && want=$((REQS * 8))
t_check "$T: at least $((want * 10 / REQS))% of the client's requests answered during the flood ($ok of $REQS; no_conn $(nl_counter no_conn), rx_kernel_drops $(nl_counter rx_kernel_drops))" \
	[ $((ok * 10)) -ge "$want" ]
t_check "$T: conns_now sampled during the flood ($samples samples)" [ "$samples" -gt 0 ]
t_check "$T: conns_now never exceeded --max-conns $MAXC (max ${maxc:-none})" \
	[ "${maxc:-99999999}" -le "$MAXC" ]
t_check "$T: conns_reclaimed > 0 ($(nl_counter conns_reclaimed))" [ "$(nl_counter conns_reclaimed)" -gt 0 ]
if ldd "$NL_DRLBD" 2>/dev/null | grep -q libasan; then
	# AddressSanitizer keeps freed memory in quarantine: RSS says nothing
	# about drlbd there; the plain build's run checks it
	t_skip "$T: VmRSS grew by less than 1 MiB ($RSS0 -> $RSS1 kB)" "a sanitizer build"
else
	t_check "$T: VmRSS grew by less than 1 MiB ($RSS0 -> $RSS1 kB)" \
		[ $((${RSS1:-999999} - ${RSS0:-0})) -lt 1024 ]
fi
t_check "$T: drlbd still running" nl_drlbd_alive
out=$(nl_curl_count 3)
t_is "$T: curl works after the flood" "$(nl_count_of "$out" FAIL)" 0
t_done
