#!/usr/bin/python3
"""Long-lived TCP streams with their bytes checked end to end, for the
routed (ECMP) tests and bench/ecmp.sh.

  streams.py sink NAME PORT
      listen on [::]:PORT (IPv4 too); every connection: read to EOF, then
      answer "NAME BYTES SHA256\\n" (as tests' nl_sink does) and close; one
      line per answered connection on stdout
  streams.py client ADDR PORT N SECS [RATE]
      N connections to ADDR:PORT, each sending random bytes at RATE bytes/s
      (default 8000) for SECS seconds, or until the file named by $STREAMS_STOP
      exists; then each half-closes and checks the answer against what it
      sent.  Prints one JSON object: counts of ok, reset, stalled (no answer
      within 20 s of the end), bad (answer differs), and per real server
  streams.py probe ADDR PORT SECS [TIMEOUT]
      a new short connection every 20 ms for SECS seconds (each in its own
      thread), each given TIMEOUT (0.5) seconds to connect, send and be
      answered; one line per attempt: "START_MONOTONIC ok|fail SERVER"
Every wait is bounded.
"""
import errno
import hashlib
import json
import os
import selectors
import socket
import sys
import threading
import time


def sink(name, port):
    ls = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    ls.bind(("::", port))
    ls.listen(1024)
    ls.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(ls, selectors.EVENT_READ, None)
    st = {}
    while True:
        for key, _ in sel.select(1):
            if key.data is None:
                try:
                    c, _ = ls.accept()
                except OSError:
                    continue
                c.setblocking(False)
                st[c] = [0, hashlib.sha256()]
                sel.register(c, selectors.EVENT_READ, st[c])
                continue
            c = key.fileobj
            try:
                b = c.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                b = None
            if b:
                key.data[0] += len(b)
                key.data[1].update(b)
                continue
            sel.unregister(c)
            del st[c]
            if b is not None:
                ans = "%s %d %s\n" % (name, key.data[0], key.data[1].hexdigest())
                try:
                    c.setblocking(True)
                    c.settimeout(2)
                    c.sendall(ans.encode())
                    print(ans, end="", flush=True)
                except OSError:
                    pass
            c.close()


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


class Stream:
    def __init__(self, addr, port):
        self.s = socket.socket(family(addr), socket.SOCK_STREAM)
        self.s.setblocking(False)
        self.s.connect_ex((addr, port))
        self.h = hashlib.sha256()
        self.sent = 0
        self.err = None
        self.answer = b""
        self.done = False


def client(addr, port, n, secs, rate):
    stop = os.environ.get("STREAMS_STOP")
    chunk = max(1, rate // 10)
    streams = []
    # at most 50 handshakes at a time
    for i in range(n):
        streams.append(Stream(addr, port))
        if i % 50 == 49:
            time.sleep(0.05)
    t_end = time.monotonic() + secs
    tick = time.monotonic()
    while time.monotonic() < t_end and not (stop and os.path.exists(stop)):
        tick += 0.1
        for st in streams:
            if st.err:
                continue
            b = os.urandom(chunk)
            try:
                k = st.s.send(b)
                st.h.update(b[:k])
                st.sent += k
            except BlockingIOError:
                pass          # the send buffer is full: a stall shows at the end
            except OSError as e:
                if e.errno not in (errno.EINPROGRESS, errno.ENOTCONN, errno.EAGAIN):
                    st.err = errno.errorcode.get(e.errno, str(e.errno))
        time.sleep(max(0, tick - time.monotonic()))
    for st in streams:
        if not st.err:
            try:
                st.s.shutdown(socket.SHUT_WR)
            except OSError as e:
                st.err = errno.errorcode.get(e.errno, str(e.errno))
    sel = selectors.DefaultSelector()
    for st in streams:
        if not st.err:
            sel.register(st.s, selectors.EVENT_READ, st)
    deadline = time.monotonic() + 20
    left = len(sel.get_map())
    while left and time.monotonic() < deadline:
        for key, _ in sel.select(0.5):
            st = key.data
            try:
                b = st.s.recv(4096)
            except BlockingIOError:
                continue
            except OSError as e:
                st.err = errno.errorcode.get(e.errno, str(e.errno))
                b = b""
            if b:
                st.answer += b
                continue
            st.done = True
            sel.unregister(st.s)
            left -= 1
    out = {"conns": n, "ok": 0, "reset": 0, "stalled": 0, "bad": 0,
           "errors": {}, "servers": {}, "bytes": 0}
    for st in streams:
        a = st.answer.decode(errors="replace").split()
        if st.err:
            out["reset"] += 1
            out["errors"][st.err] = out["errors"].get(st.err, 0) + 1
        elif not st.done:
            out["stalled"] += 1
        elif len(a) == 3 and a[1] == str(st.sent) and a[2] == st.h.hexdigest():
            out["ok"] += 1
            out["bytes"] += st.sent
            out["servers"][a[0]] = out["servers"].get(a[0], 0) + 1
        else:
            out["bad"] += 1
        st.s.close()
    print(json.dumps(out, sort_keys=True), flush=True)


def probe(addr, port, secs, timeout):
    lock = threading.Lock()

    def one(t0):
        who = "-"
        try:
            s = socket.create_connection((addr, port), timeout=timeout)
            s.settimeout(max(0.01, timeout - (time.monotonic() - t0)))
            s.sendall(b"probe")
            s.shutdown(socket.SHUT_WR)
            a = s.recv(256).decode(errors="replace").split()
            s.close()
            ok = len(a) == 3 and a[1] == "5"
            who = a[0] if a else "-"
        except OSError:
            ok = False
        with lock:
            print("%.3f %s %s" % (t0, "ok" if ok else "fail", who), flush=True)

    # each attempt in a thread of its own: one that waits does not delay
    # the next
    t_end = time.monotonic() + secs
    nxt = time.monotonic()
    while time.monotonic() < t_end:
        threading.Thread(target=one, args=(time.monotonic(),), daemon=True).start()
        nxt += 0.02
        time.sleep(max(0, nxt - time.monotonic()))
    time.sleep(timeout + 0.1)


def main():
    a = sys.argv[1:]
    if a[:1] == ["sink"] and len(a) == 3:
        sink(a[1], int(a[2]))
    elif a[:1] == ["client"] and len(a) in (5, 6):
        client(a[1], int(a[2]), int(a[3]), float(a[4]), int(a[5]) if len(a) == 6 else 8000)
    elif a[:1] == ["probe"] and len(a) in (4, 5):
        probe(a[1], int(a[2]), float(a[3]), float(a[4]) if len(a) == 5 else 0.5)
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
