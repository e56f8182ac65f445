#!/bin/bash
# slow_clients: nothing a client of the control socket or of the metrics
# port does can stop forwarding or lock others out.
#  - a client dribbling a request (a byte every 0.8 s): requests through the
#    VIP go on, drlbadm answers at once, the dribbler is cut off after 5 s
#  - a client that never reads a large reply (-L -c of 4,000+ connections):
#    the same, and it is cut off after 10 s
#  - 20 idle clients: drlbadm still answers (the longest idle gives way)
#  - 10 idle connections and a slowloris on --metrics-listen: a scrape is
#    still answered
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=slow_clients
t_require "$T: setup" python3 hping3
nl_init "$T"
MPORT=9478
t_setup "$T" --config conf/recipe.conf --metrics-listen "127.0.0.1:$MPORT"

# py NAME SECS SCRIPT ARGS...: a python client in the director, bounded
py() {
	local n=$1 secs=$2
	shift 2
	nl_bg dir "$NL_TMP/$n.log" timeout "$secs" python3 -c "$@"
}

# answered N: requests through the VIP, all answered
answered() { local out; out=$(nl_curl_count "$1"); [ "$(nl_count_of "$out" FAIL)" = 0 ]; }
# adm_fast: drlbadm answers within 1 s
adm_fast() { nl_exec dir timeout 1 "$NL_DRLBADM" --socket "$NL_SOCK" -L -n >/dev/null; }

# ---- a dribbler: the 136-byte request one byte every 0.8 s
py dribble 30 '
import socket, struct, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(sys.argv[1])
req = struct.pack("<IHHiI", 0x44524c42, 1, 11, 0, 120) + bytes(120)
for b in req:
    try:
        s.send(bytes([b]))
    except OSError:
        print("cut off"); sys.exit(0)
    time.sleep(0.8)
print("never cut off")' "$NL_SOCK"
DRIB=$NL_LASTPID
sleep 2
t_check "$T: dribbler: drlbadm answers within 1 s" adm_fast
t_check "$T: dribbler: 10 requests through the VIP answered" answered 10
nl_wait 10 grep -q "cut off" "$NL_TMP/dribble.log"
t_check "$T: dribbler: cut off" grep -q "^cut off" "$NL_TMP/dribble.log"
t_check "$T: dribbler: logged" grep -q "control client too slow (its request not whole)" "$NL_DRLBD_LOG"

# ---- a reply nobody reads: 6,000 connections (SYNs from hping3, which the
# client's kernel resets: they linger 10 s) make -L -c large
nl_exec client timeout 20 hping3 -q -S -p 80 -c 6000 -i u500 "$NL_VIP" >/dev/null 2>&1
n=$(nl_adm -L -n -c | grep -c "^TCP")
t_check "$T: $n connections listed (>= 4000)" [ "$n" -ge 4000 ]
py noread 30 '
import socket, struct, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(sys.argv[1])
s.send(struct.pack("<IHHiI", 0x44524c42, 1, 13, 0, 120) + bytes(120))
time.sleep(20)
try:
    n = len(s.recv(1 << 20)); left = 0
    while True:
        b = s.recv(1 << 20)
        if not b: break
        left += len(b)
    print("read", n + left)
except OSError as e:
    print("gone", e)' "$NL_SOCK"
sleep 2
t_check "$T: reader that never reads: drlbadm answers within 1 s" adm_fast
t_check "$T: reader that never reads: 10 requests through the VIP answered" answered 10
nl_wait 15 grep -q "its reply not taken" "$NL_DRLBD_LOG"
t_check "$T: reader that never reads: cut off after 10 s" grep -q "control client too slow (its reply not taken)" "$NL_DRLBD_LOG"

# ---- 20 idle clients
py idle 20 '
import socket, sys, time
ss = []
for i in range(20):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(sys.argv[1]); ss.append(s)
    time.sleep(0.05)
print("connected", len(ss)); sys.stdout.flush()
time.sleep(15)' "$NL_SOCK"
nl_wait 5 grep -q connected "$NL_TMP/idle.log"
t_check "$T: 20 idle clients: drlbadm answers within 1 s" adm_fast
t_check "$T: 20 idle clients: and again" adm_fast

# ---- the metrics port: 10 idle connections and a slowloris
py mslow 20 '
import socket, sys, time
port = int(sys.argv[1]); ss = []
for i in range(10):
    s = socket.create_connection(("127.0.0.1", port)); ss.append(s)
lor = socket.create_connection(("127.0.0.1", port))
print("connected"); sys.stdout.flush()
for c in b"GET /metrics HTTP/1.0\r\n":
    try:
        lor.send(bytes([c]))
    except OSError:
        break
    time.sleep(0.5)
time.sleep(5)' "$MPORT"
nl_wait 5 grep -q connected "$NL_TMP/mslow.log"
sleep 1
out=$(nl_exec dir curl -s --max-time 3 "http://127.0.0.1:$MPORT/metrics")
t_check "$T: metrics port held by idle peers: a scrape is answered" grep -q "^drlb_frames_forwarded_total " <<<"$out"
out=$(nl_exec dir curl -s --max-time 3 "http://127.0.0.1:$MPORT/metrics")
t_check "$T: metrics port held by idle peers: and again" grep -q "^drlb_frames_forwarded_total " <<<"$out"
t_check "$T: forwarding goes on meanwhile" answered 5
t_done
