#!/bin/bash
# layers: docs/architecture.md's table of floors holds against the code.
# Every source file of src/ and include/ has a row; a file includes only
# files of its own floor or below (a header counts as its .c's floor).
# Runs without root and starts nothing.
set -u
cd "$(dirname "$0")/../.." || exit 1
T=layers
if ! command -v python3 >/dev/null; then
	echo "ok - $T # SKIP python3 missing"
	exit 0
fi
exec python3 - "$T" <<'PY'
import os, re, sys

T = sys.argv[1]
rows = {}
for line in open("docs/architecture.md"):
    m = re.match(r"\|\s*(\d+)\s*\|\s*`([^`]+)`\s*\|", line)
    if m:
        rows[m.group(2)] = int(m.group(1))

def floor_of(path):
    """The floor of a file: its own row, else its .c's (a header)."""
    if path in rows:
        return rows[path]
    base, ext = os.path.splitext(path)
    if ext == ".h":
        for cand in (base + ".c",):
            if cand in rows:
                return rows[cand]
    return None

files = []
for top in ("src", "include"):
    for d, _, names in os.walk(top):
        files += [os.path.join(d, n) for n in sorted(names)
                  if n.endswith((".c", ".h"))]

fails = 0
def result(ok, name, why=""):
    global fails
    if ok:
        print(f"ok - {T}: {name}")
    else:
        fails += 1
        print(f"not ok - {T}: {name} # {why}")

missing = [f for f in files if floor_of(f) is None]
result(not missing, "every source file has a floor in docs/architecture.md",
       " ".join(missing))
stale = [r for r in rows if not os.path.exists(r)]
result(not stale, "every row of the table is a file", " ".join(stale))

up = []
for f in files:
    ff = floor_of(f)
    if ff is None:
        continue
    for inc in re.findall(r'^#include "([^"]+)"', open(f).read(), re.M):
        if inc.startswith("drlb/"):
            target = os.path.join("include", inc)
        elif os.path.exists(os.path.join(os.path.dirname(f), inc)):
            target = os.path.normpath(os.path.join(os.path.dirname(f), inc))
        else:
            target = os.path.join("src/drlbd", inc)
        tf = floor_of(target)
        if tf is None:
            up.append(f"{f} -> {target} (no floor)")
        elif tf > ff:
            up.append(f"{f} (floor {ff}) -> {target} (floor {tf})")
result(not up, "no file includes one of a higher floor", "; ".join(up))
sys.exit(1 if fails else 0)
PY
