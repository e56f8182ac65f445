#!/bin/bash
# health: drlbd with a keepalived.conf (HTTP_GET checks, delay_loop 1) and
# two real servers under steady curl load.  rs1's nginx killed -> after the
# detection window no request goes to it and -L -n no longer lists it;
# revived -> it gets traffic again; both down -> the sorry server (a third
# namespace) answers, and leaves when a real server is back; SIGHUP with
# inhibit_on_failure -> a down real server is listed with weight 0.
# Detection times go to stderr; the only time bounds are generous ones.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=health
t_require "$T: setup"
nl_init "$T"
SORRY=198.18.0.9
KA=$NL_TMP/keepalived.conf
BOUND=20		# seconds: any detection slower than this fails

write_conf() { # [inhibit]
	cat >"$KA" <<EOF
! written by tests/integration/health.sh
global_defs {
    router_id health_test
}
virtual_server $NL_VIP 80 {
    delay_loop 1
    lb_algo rr
    lb_kind DR
    protocol TCP
    sorry_server $SORRY 80
    ${1:+inhibit_on_failure}
    real_server $NL_RIP1 80 {
        weight 1
        HTTP_GET {
            url {
                path /
                status_code 200
            }
            connect_timeout 1
            retry 1
            delay_before_retry 1
        }
    }
    real_server $NL_RIP2 80 {
        weight 1
        HTTP_GET {
            url {
                path /
                status_code 200
            }
            connect_timeout 1
            retry 1
            delay_before_retry 1
        }
    }
}
EOF
}

# "RIP:port=weight" of every real server -L -n lists, sorted
listed() { nl_adm -L -n | awk '$1 == "->" && $2 ~ /^198\./ { print $2 "=" $4 }' | sort | tr '\n' ' '; }
now_ms() { date +%s%3N; }
# wait_listed WANT: until listed() is WANT (at most BOUND s); prints the ms
# it took, or "timeout"
wait_listed() {
	local want=$1 t0 i
	t0=$(now_ms)
	for ((i = 0; i < BOUND * 10; i++)); do
		if [ "$(listed)" = "$want" ]; then echo $(($(now_ms) - t0)); return 0; fi
		sleep 0.1
	done
	echo timeout
	return 1
}
nginx_kill() { # NAME
	local p
	p=$(cat "$NL_TMP/nginx-$1/nginx.pid" 2>/dev/null) && [ -n "$p" ] && kill "$p"
	nl_wait 5 eval "! nl_exec $1 timeout 1 bash -c 'exec 3<>/dev/tcp/127.0.0.1/80'"
}
# answers in the load log between two times (ms): "name count" lines
answers_between() { awk -v a="$1" -v b="$2" '$1 >= a && $1 < b { print $2 }' "$NL_TMP/load.log" | sort | uniq -c | awk '{ print $2, $1 }'; }

T_NAME=$T
if ! nl_dr_topology || ! nl_host sorry "$SORRY/24" || ! nl_realserver sorry "$NL_VIP" ||
	! nl_nginx sorry sorry; then
	t_fail "$T: setup (namespaces, real servers, nginx)"
	t_done
fi
write_conf
if ! nl_drlbd --keepalived-config "$KA"; then
	t_fail "$T: drlbd starts with --keepalived-config"
	t_done
fi
t_ok "$T: drlbd starts with --keepalived-config"
t_is "$T: both real servers listed at start" "$(listed)" "$NL_RIP1:80=1 $NL_RIP2:80=1 "
t_check "$T: global_defs skipped with a log line" grep -q "global_defs skipped" "$NL_DRLBD_LOG"

out=$(nl_curl_count 10)
t_is "$T: rr over both at start: rs1 5, rs2 5" "$(nl_count_of "$out" rs1)/$(nl_count_of "$out" rs2)" 5/5

# steady load from the client: one request every ~50 ms, bounded count
nl_bg client "$NL_TMP/load.log" bash -c 'for ((i = 0; i < 2000; i++)); do
	t=$(date +%s%3N); a=$(curl -s --max-time 2 http://'"$NL_VIP"'/) || a=FAIL
	echo "$t ${a:-FAIL}"; sleep 0.05; done'
LOAD=$NL_LASTPID
sleep 1

# ---- rs1 down
t_kill=$(now_ms)
nginx_kill rs1
d=$(wait_listed "$NL_RIP2:80=1 ")
echo "detection: rs1 down -> removed after $d ms" >&2
t_is "$T: rs1 DOWN: -L -n lists rs2 only (within ${BOUND}s)" "$(listed)" "$NL_RIP2:80=1 "
t_check "$T: the DOWN is logged with its reason" \
	grep -q "real server $NL_RIP1:80 DOWN (HTTP GET /: connect: Connection refused, 2 failures)" "$NL_DRLBD_LOG"
t_det=$(now_ms)
sleep 3
t_end=$(now_ms)
# after the detection window (+0.5 s for requests in flight) only rs2
out=$(answers_between $((t_det + 500)) "$t_end")
echo "answers while rs1 down: $(echo $out)" >&2
t_is "$T: rs1 down: every answer after detection is rs2" \
	"$(echo "$out" | awk '$1 != "rs2" { n += $2 } END { print n + 0 }')" 0
t_check "$T: rs1 down: rs2 answered under load" [ "$(nl_count_of "$out" rs2)" -gt 10 ]
before=$(answers_between "$t_kill" "$t_det")
echo "answers between kill and removal: $(echo $before)" >&2

# ---- rs1 back
nl_nginx rs1 rs1 || t_fail "$T: nginx in rs1 restarts"
d=$(wait_listed "$NL_RIP1:80=1 $NL_RIP2:80=1 ")
echo "detection: rs1 up -> re-added after $d ms" >&2
t_is "$T: rs1 UP: listed again" "$(listed)" "$NL_RIP1:80=1 $NL_RIP2:80=1 "
t_check "$T: the UP is logged" grep -q "real server $NL_RIP1:80 UP (HTTP GET /: status 200" "$NL_DRLBD_LOG"
t_up=$(now_ms)
sleep 3
out=$(answers_between $((t_up + 1500)) "$(now_ms)")
echo "answers after rs1 is back: $(echo $out)" >&2
t_check "$T: rs1 back: it gets traffic again" [ "$(nl_count_of "$out" rs1)" -gt 5 ]
t_is "$T: rs1 back: no failed request" "$(nl_count_of "$out" FAIL)" 0
nl_stop_pid "$LOAD" >/dev/null

# ---- both down: the sorry server
nginx_kill rs1
nginx_kill rs2
d=$(wait_listed "$SORRY:80=1 ")
echo "detection: both down -> sorry server after $d ms" >&2
t_is "$T: both DOWN: only the sorry server listed" "$(listed)" "$SORRY:80=1 "
out=$(nl_curl_count 5)
t_is "$T: both down: the sorry server answers" "$(nl_count_of "$out" sorry)" 5

nl_nginx rs2 rs2 || t_fail "$T: nginx in rs2 restarts"
d=$(wait_listed "$NL_RIP2:80=1 ")
echo "detection: rs2 up -> sorry server out after $d ms" >&2
t_is "$T: rs2 back: the sorry server leaves" "$(listed)" "$NL_RIP2:80=1 "
out=$(nl_curl_count 4)
t_is "$T: rs2 back: rs2 answers" "$(nl_count_of "$out" rs2)" 4

# ---- SIGHUP: inhibit_on_failure, rs1 still down -> weight 0, listed
write_conf inhibit
kill -HUP "$NL_DRLBD_PID"
d=$(wait_listed "$NL_RIP1:80=0 $NL_RIP2:80=1 ")
t_is "$T: SIGHUP inhibit_on_failure: down rs1 listed with weight 0" "$(listed)" "$NL_RIP1:80=0 $NL_RIP2:80=1 "
out=$(nl_curl_count 4)
t_is "$T: weight 0: rs2 answers all" "$(nl_count_of "$out" rs2)" 4
nl_nginx rs1 rs1 || t_fail "$T: nginx in rs1 restarts (2)"
d=$(wait_listed "$NL_RIP1:80=1 $NL_RIP2:80=1 ")
echo "detection: rs1 up (inhibited) -> weight back after $d ms" >&2
t_is "$T: rs1 UP: weight back to 1" "$(listed)" "$NL_RIP1:80=1 $NL_RIP2:80=1 "

# a file with an error on SIGHUP: nothing changes
echo "virtual_server $NL_VIP 80 { lb_kind NAT }" >"$KA"
kill -HUP "$NL_DRLBD_PID"
nl_wait 5 grep -q "keepalived.conf:1: lb_kind NAT" "$NL_DRLBD_LOG"
t_check "$T: a bad file on SIGHUP is logged with file:line" grep -q "keepalived.conf:1: lb_kind NAT.*unchanged" "$NL_DRLBD_LOG"
t_is "$T: ... and changes nothing" "$(listed)" "$NL_RIP1:80=1 $NL_RIP2:80=1 "
grep -E "DOWN|UP|sorry|weight" "$NL_DRLBD_LOG" | sed 's/^/  drlbd: /' >&2
t_check "$T: drlbd still running" nl_drlbd_alive
t_done
