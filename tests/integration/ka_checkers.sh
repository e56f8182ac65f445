#!/bin/bash
# ka_checkers: the keepalived checkers against real servers in namespaces,
# drlbd reading a split keepalived.conf (include conf.d/*.conf) and running
# its checks after dropping privileges.  rs1 runs an HTTPS server with a
# self-signed certificate (openssl s_server), a UDP echo (socat), an SMTP
# responder (socat + sh) and a DNS server (dnsmasq); rs2 runs none of them.
# Each virtual server must list rs1 only; with rs1's servers killed, none;
# with them back, rs1 again.  Also: TCP_CHECK on a UDP virtual server,
# MISC_CHECK's output and notify_down in drlbd's log, `lb_kind dr` read as
# DR with a warning, SIGHUP reading a file newly matched by the include.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=ka_checkers
t_require "$T: setup"
for tool in openssl socat dnsmasq; do
	if ! command -v $tool >/dev/null 2>&1; then
		t_skip "$T: setup" "$tool not installed (tools/install-deps.sh --all)"
		exit 0
	fi
done
nl_init "$T"
BOUND=20		# seconds: any detection slower than this fails
KA=$NL_TMP/ka/keepalived.conf
mkdir -p "$NL_TMP/ka/conf.d"

T_NAME=$T
if ! nl_dr_topology; then
	t_fail "$T: setup (namespaces, real servers, nginx)"
	t_done
fi

# ---- rs1's servers
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=rs1.test -days 2 \
	-keyout "$NL_TMP/key.pem" -out "$NL_TMP/cert.pem" >/dev/null 2>&1
cat >"$NL_TMP/smtp.sh" <<'EOS'
#!/bin/sh
# a tiny SMTP responder: banner, HELO, QUIT
printf '220 rs1.test ESMTP\r\n'
read -r l; printf '250 rs1.test\r\n'
read -r l; printf '221 bye\r\n'
EOS
chmod +x "$NL_TMP/smtp.sh"
servers_up() {
	nl_bg rs1 "$NL_TMP/https.log" openssl s_server -accept 443 -www -quiet \
		-cert "$NL_TMP/cert.pem" -key "$NL_TMP/key.pem"
	HTTPS_PID=$NL_LASTPID
	nl_bg rs1 "$NL_TMP/udp.log" socat UDP4-RECVFROM:5000,bind=$NL_RIP1,reuseaddr,fork EXEC:cat
	UDP_PID=$NL_LASTPID
	nl_bg rs1 "$NL_TMP/smtp.log" socat TCP-LISTEN:25,bind=$NL_RIP1,reuseaddr,fork EXEC:"$NL_TMP/smtp.sh"
	SMTP_PID=$NL_LASTPID
	nl_bg rs1 "$NL_TMP/dns.log" dnsmasq --keep-in-foreground --conf-file=/dev/null \
		--no-resolv --no-hosts --bind-interfaces --listen-address=$NL_RIP1 \
		--address=/svc.test/$NL_RIP1 --user=root --pid-file="$NL_TMP/dnsmasq.pid"
	DNS_PID=$NL_LASTPID
	nl_wait_tcp rs1 "$NL_RIP1" 443 5 && nl_wait_tcp rs1 "$NL_RIP1" 25 5
}
servers_down() {
	local p
	for p in $HTTPS_PID $UDP_PID $SMTP_PID $DNS_PID; do kill "$p" 2>/dev/null; done
	nl_wait 5 eval "! nl_exec rs1 timeout 1 bash -c 'exec 3<>/dev/tcp/$NL_RIP1/443'"
}
if ! servers_up; then
	t_fail "$T: setup (rs1's HTTPS, UDP, SMTP and DNS servers)"
	t_done
fi

# ---- the configuration: one service per file, read through an include
cat >"$KA" <<EOF
! written by tests/integration/ka_checkers.sh
global_defs {
    router_id ka_checkers
}
include conf.d/*.conf
EOF
vs() { # FILE PORT PROTO CHECK-BODY (RS is replaced by each real server)
	local body rs
	{
		echo "virtual_server $NL_VIP $2 {"
		echo "    delay_loop 1"
		echo "    lb_algo rr"
		echo "    lb_kind ${LB_KIND:-DR}"
		echo "    protocol $3"
		for rs in "$NL_RIP1" "$NL_RIP2"; do
			body=${4//RS/$rs}
			echo "    real_server $rs $2 {"
			echo "        weight 1"
			echo "$body"
			echo "    }"
		done
		echo "}"
	} >"$NL_TMP/ka/conf.d/$1"
}
vs 10-ssl.conf 443 TCP "        SSL_GET {
            url {
                path /
                status_code 200
            }
            connect_timeout 1
            retry 0
        }"
vs 20-udp.conf 5000 UDP "        UDP_CHECK {
            payload 64 72 6c 62
            require_reply 64726c62
            connect_timeout 1
            retry 0
        }"
vs 30-smtp.conf 25 TCP "        SMTP_CHECK {
            helo_name drlb.test
            connect_timeout 1
            retry 0
        }"
vs 40-dns.conf 53 UDP "        DNS_CHECK {
            type A
            name svc.test
            connect_timeout 1
            retry 0
        }"
# TCP_CHECK on a UDP service: a TCP connect to nginx, on both (rs2 too)
LB_KIND=dr vs 50-tcp-on-udp.conf 5353 UDP "        TCP_CHECK {
            connect_port 80
            connect_timeout 1
            retry 0
        }"
vs 60-misc.conf 80 TCP "        notify_down \"/bin/echo went-down RS\"
        MISC_CHECK {
            misc_path \"echo misc-output-from RS; test RS = $NL_RIP1\"
            misc_timeout 2
        }"

# "PORT:RIP=W ..." of every service, sorted
listed() { nl_adm -L -n | awk '$1 == "TCP" || $1 == "UDP" { split($2, a, ":"); p = a[2] } $1 == "->" && $2 ~ /^198\./ { split($2, b, ":"); print p ":" b[1] "=" $4 }' | sort | tr '\n' ' '; }
wait_listed() { # WANT
	local i
	for ((i = 0; i < BOUND * 10; i++)); do
		[ "$(listed)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
R1=$NL_RIP1 R2=$NL_RIP2
ALL_UP="25:$R1=1 443:$R1=1 5000:$R1=1 5353:$R1=1 5353:$R2=1 53:$R1=1 80:$R1=1 "
RS1_DOWN="5353:$R1=1 5353:$R2=1 80:$R1=1 "

if ! nl_drlbd --keepalived-config "$KA"; then
	t_fail "$T: drlbd starts with the split keepalived.conf"
	t_done
fi
t_ok "$T: drlbd starts with the split keepalived.conf"
wait_listed "$ALL_UP"
t_is "$T: SSL_GET, UDP_CHECK, SMTP_CHECK, DNS_CHECK, TCP_CHECK on UDP, MISC_CHECK: rs1 up, rs2 down" \
	"$(listed)" "$ALL_UP"
t_check "$T: the include's files are read" grep -q "7 files read (includes)" "$NL_DRLBD_LOG"
t_check "$T: lb_kind dr: DR, with a warning naming the line" \
	grep -q "conf.d/50-tcp-on-udp.conf:4: lb_kind dr: read as DR" "$NL_DRLBD_LOG"
t_check "$T: MISC_CHECK's output in the log, the checker named" \
	grep -q "MISC_CHECK of $R1:80 (echo misc-output-from $R1.*): misc-output-from $R1" "$NL_DRLBD_LOG"
t_check "$T: notify_down runs, its output in the log" \
	nl_wait 5 grep -q "notify_down of real server $R2:80: went-down $R2" "$NL_DRLBD_LOG"
t_check "$T: DNS_CHECK says why rs2 is down" \
	grep -q "real server $R2:53 DOWN (DNS_CHECK A svc.test: ICMP port unreachable" "$NL_DRLBD_LOG"
t_is "$T: checks run unprivileged (drlbd is nobody)" "$(ps -o user= -p "$NL_DRLBD_PID" 2>/dev/null | tr -d ' ')$(pgrep -u nobody -f "drlbd.*$NL_SOCK" >/dev/null && echo)" nobody

# ---- rs1's servers die, and come back
servers_down
wait_listed "$RS1_DOWN"
t_is "$T: rs1's servers killed: each checker takes rs1 out" "$(listed)" "$RS1_DOWN"
servers_up || t_fail "$T: rs1's servers restart"
wait_listed "$ALL_UP"
t_is "$T: rs1's servers back: each checker puts rs1 back" "$(listed)" "$ALL_UP"

# ---- SIGHUP re-reads the include: a new file in conf.d
vs 70-http.conf 8080 TCP "        TCP_CHECK {
            connect_port 80
            connect_timeout 1
        }"
kill -HUP "$NL_DRLBD_PID"
want="25:$R1=1 443:$R1=1 5000:$R1=1 5353:$R1=1 5353:$R2=1 53:$R1=1 8080:$R1=1 8080:$R2=1 80:$R1=1 "
wait_listed "$want"
t_is "$T: SIGHUP: a file newly matched by the include is read" "$(listed)" "$want"
# an included file with an error: nothing changes, the file named
echo "virtual_server $NL_VIP 9090 { lb_kind NAT }" >"$NL_TMP/ka/conf.d/80-bad.conf"
kill -HUP "$NL_DRLBD_PID"
nl_wait 5 grep -q "80-bad.conf:1: lb_kind NAT" "$NL_DRLBD_LOG"
t_check "$T: an error in an included file names that file and line" \
	grep -q "conf.d/80-bad.conf:1: lb_kind NAT: drlbd forwards by direct routing only.*unchanged" "$NL_DRLBD_LOG"
t_is "$T: ... and changes nothing" "$(listed)" "$want"
grep -E "DOWN|UP|notify|MISC|read as|files read" "$NL_DRLBD_LOG" | head -40 | sed 's/^/  drlbd: /' >&2
t_done
