#!/bin/bash
# demo_modes: tools/demo.sh's modes for learners, played whole.
#  - --arp-problem: the real servers without their ARP sysctls answer the
#    client's ARP, every request bypasses the director (its counters still),
#    drlbd's warning names each real server and the fix, its counters count
#    the claims per MAC, a real server's "who-has CLIENT tell VIP" moves the
#    client's entry and drlbd's gratuitous ARP moves it back; after
#    drlb-realserver, requests go through the director again.  It removes
#    everything it made.
#  - --keep leaves the lab running and usable (a shell there has drlbadm),
#    refuses a second one; --stop removes exactly it, a learner's process in
#    it included, and leaves a namespace of another name alone.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=demo_modes
t_require "$T: setup" tcpdump arping setsid
OUT=$(mktemp -d /tmp/drlb-demo-modes.XXXXXX) || exit 1
DECOY=drlb-demo-other$$
STARTED=0
# a failed run leaves nothing: the lab if this test made it, the decoy
cleanup() {
	[ "$STARTED" = 1 ] && bash tools/demo.sh --stop >/dev/null 2>&1
	ip netns pids "$DECOY" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
	ip netns del "$DECOY" 2>/dev/null
	rm -rf "$OUT"
}
trap cleanup EXIT
# gone PID: the process has ended (a child of ours may be a zombie until reaped)
gone() { ! kill -0 "$1" 2>/dev/null || [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = Z ]; }
# has FIXED-STRING: the --arp-problem output holds it
has() { grep -qF -- "$1" "$OUT/arp"; }
VIP=$NL_VIP
FIX="set arp_ignore=1 and arp_announce=2 on that host (run tools/drlb-realserver check $VIP there)"

# ---- --arp-problem
timeout 100 bash tools/demo.sh --arp-problem >"$OUT/arp" 2>&1
rc=$?
t_is "$T: --arp-problem exits 0" "$rc" 0
[ "$rc" = 0 ] || tail -n 30 "$OUT/arp" >&2
P=$(awk '$1 == "client" && $2 ~ /-client$/ { sub(/-client$/, "", $2); print $2; exit }' "$OUT/arp")
t_check "$T: --arp-problem: three hosts answer the client's ARP for the VIP" \
	[ "$(sed -n '/^==== 5\./,/^==== 6\./p' "$OUT/arp" | grep -c "reply: $VIP is at ")" = 3 ]
t_check "$T: --arp-problem: every request bypassed the director" \
	grep -Eq "^# every request bypassed the director: rs[12] answered 10 of 10 and" "$OUT/arp"
t_check "$T: --arp-problem: the service's counters stayed 0 meanwhile" \
	grep -Eq "^TCP  $VIP:80 +0 +0 +0 +0 +0$" <(sed -n '/^==== 6\./,/^==== 7\./p' "$OUT/arp")
for r in "$NL_RIP1" "$NL_RIP2"; do
	t_check "$T: --arp-problem: drlbd's warning names real server $r and the fix" \
		grep -Eq "drlbd: ([0-9a-f]{2}:){5}[0-9a-f]{2} \(real server $r\) claims VIP $VIP by an ARP reply \($VIP is-at its MAC, to $NL_DIP\): clients that believe it bypass the director; $(sed 's/[.()]/\\&/g' <<<"$FIX")" "$OUT/arp"
done
t_is "$T: --arp-problem: vip_claims per offending MAC, both real servers" \
	"$(grep -Ec "^vip_claims\{mac=([0-9a-f]{2}:){5}[0-9a-f]{2},vip=$VIP\} [1-9][0-9]*  \[rs[12]\]$" "$OUT/arp")" 2
t_check "$T: --arp-problem: drlbd's re-announcement brought the client back to the director" \
	grep -q "^# the client sends frames for $VIP to the MAC of: director" <(sed -n '/^==== 7\./,/^==== 8\./p' "$OUT/arp")
t_check "$T: --arp-problem: bypassed again after a flush" has "# bypassed again (rs"
t_check "$T: --arp-problem: arp_announce=0: who-has CLIENT tell VIP from a real server" \
	grep -Eq "^  rs[12] > ff:ff:ff:ff:ff:ff: Request who-has $NL_CIP tell $VIP$" "$OUT/arp"
t_check "$T: --arp-problem: the client's entry moved to that real server, then back to the director" \
	grep -Eq "^  $VIP lladdr director " <(grep -E -A1 "^  $VIP lladdr rs[12] " "$OUT/arp")
t_check "$T: --arp-problem: the trace shows the claim and the re-announcement" \
	grep -Eq "arp from ([0-9a-f]{2}:){5}[0-9a-f]{2}: claims VIP $VIP by an ARP request \(who-has $NL_CIP tell $VIP\) \(claim [0-9]+ of this MAC\): VIP re-announced" "$OUT/arp"
t_check "$T: --arp-problem: after drlb-realserver, through the director to both" \
	grep -Eq "^# through the director again: rs1 [1-9][0-9]*, rs2 [1-9][0-9]*; the client's entry is the" "$OUT/arp"
t_check "$T: --arp-problem: real servers' own ARP requests name their RIPs" \
	has "  rs1 > ff:ff:ff:ff:ff:ff: Request who-has $NL_CIP tell $NL_RIP1"
t_check "$T: --arp-problem: no failure" eval '! has "DEMO FAILED"'
if [ -n "$P" ]; then
	t_is "$T: --arp-problem: its namespaces are gone ($P-*)" \
		"$(ip netns list | awk '{ print $1 }' | grep "^$P-" | tr '\n' ' ')" ""
	t_is "$T: --arp-problem: no process of it left" "$(pgrep -af -- "/tmp/$P-demo" | grep -v pgrep)" ""
else
	t_fail "$T: --arp-problem: its namespaces named in its output"
fi

# ---- --keep, --stop
lab() { ip netns list | awk '{ print $1 }' | grep -E '^drlb-demo-(client|dir|rs1|rs2|sw)$' | sort | tr '\n' ' '; }
ALL="drlb-demo-client drlb-demo-dir drlb-demo-rs1 drlb-demo-rs2 drlb-demo-sw "
if [ -n "$(lab)" ] || [ -e /run/drlb-demo ]; then
	# someone's lab: not ours to stop
	t_skip "$T: --keep/--stop" "a kept lab is running here (tools/demo.sh --stop removes it)"
	t_done
fi
STARTED=1
timeout 60 bash tools/demo.sh --keep >"$OUT/keep" 2>&1
rc=$?
t_is "$T: --keep exits 0" "$rc" 0
[ "$rc" = 0 ] || tail -n 30 "$OUT/keep" >&2
t_is "$T: --keep: the lab's namespaces stay" "$(lab)" "$ALL"
for h in client dir rs1 rs2 sw; do
	t_check "$T: --keep: a shell hint for $h" \
		grep -qF "ip netns exec drlb-demo-$h bash --rcfile /run/drlb-demo/bashrc" "$OUT/keep"
done
t_check "$T: --keep: says how to stop it" grep -qF "tools/demo.sh --stop" "$OUT/keep"
DPID=$(pgrep -f -- "--socket /run/drlb-demo/drlbd.sock" | head -n 1)
t_check "$T: --keep: drlbd still runs (pid ${DPID:-none})" [ -n "$DPID" ]
t_is "$T: --keep: nginx still runs on rs1 and rs2" "$(pgrep -cf -- "-c /run/drlb-demo/nginx-rs")" 2
r=$(ip netns exec drlb-demo-client curl -s --max-time 3 "http://$VIP/")
t_check "$T: --keep: the client's request answered through the lab ($r)" grep -Eq '^rs[12]$' <<<"$r"
sh=$(printf 'drlbadm -L -n\nexit\n' | timeout 10 ip netns exec drlb-demo-dir bash --rcfile /run/drlb-demo/bashrc -i 2>&1)
t_check "$T: --keep: a shell from the hint runs drlbadm against the lab's drlbd" \
	grep -q "^TCP  $VIP:80 wrr" <<<"$sh"
t_check "$T: --keep: its prompt names the host" grep -q "^dir@lab# " <<<"$sh"

timeout 20 bash tools/demo.sh --keep >"$OUT/keep2" 2>&1
t_is "$T: a second --keep is refused" "$?" 1
t_check "$T: ... saying how to stop the first" grep -qF "tools/demo.sh --stop" "$OUT/keep2"
t_is "$T: ... and leaves the first as it was" "$(lab) $(pgrep -f -- "--socket /run/drlb-demo/drlbd.sock" | head -n 1)" "$ALL $DPID"

# what --stop must leave alone, and what a learner started in the lab
ip netns add "$DECOY"
ip netns exec "$DECOY" sleep 300 &
KEEPER=$!
ip netns exec drlb-demo-rs1 sleep 300 &
LEARNER=$!
INO=$(stat -L -c %i /run/netns/drlb-demo-dir)
sleep 0.2
timeout 30 bash tools/demo.sh --stop >"$OUT/stop" 2>&1
t_is "$T: --stop exits 0" "$?" 0
sed 's/^/  stop: /' "$OUT/stop" >&2
t_is "$T: --stop: no namespace of the lab left" "$(lab)" ""
t_is "$T: --stop: no process of the lab left" "$(pgrep -af -- /run/drlb-demo | grep -v pgrep)" ""
t_check "$T: --stop: drlbd was stopped" gone "$DPID"
t_check "$T: --stop: a learner's process in the lab was ended" gone "$LEARNER"
t_check "$T: --stop: the lab's directory is gone" [ ! -e /run/drlb-demo ]
t_check "$T: --stop: drlbd's lock file for the lab is gone" [ ! -e "/run/drlb/lock.$INO.eth0" ]
t_check "$T: --stop: a namespace of another name left alone" \
	grep -qx "$DECOY" <(ip netns list | awk '{ print $1 }')
t_check "$T: --stop: ... and its process" kill -0 "$KEEPER"
STARTED=0
timeout 10 bash tools/demo.sh --stop >"$OUT/stop2" 2>&1
t_is "$T: --stop again: exits 0" "$?" 0
t_check "$T: --stop again: says there is no lab" grep -q "no kept lab" "$OUT/stop2"
kill "$KEEPER" 2>/dev/null
wait 2>/dev/null
t_done
