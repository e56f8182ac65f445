#!/bin/bash
# persistent: a persistent rr service (-p 60) sends every connection of one
# client to the same real server although rr alternates; a second client
# address is scheduled on its own; -M 255.255.255.0 groups both addresses;
# -L -n shows "persistent 60", --persistent-conn the template count, -c the
# template itself (client port 0); a port-0 service (-t VIP:0 -p) keeps one
# client's connections to :80 and :8080 on the same real server.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=persistent
t_require "$T: setup"
nl_init "$T"
t_setup "$T"
CIP2=198.18.0.101

nl_exec client ip addr add "$CIP2/24" dev eth0 || t_fail "$T: second client address $CIP2"

# curls N URL [SRC]: one line per request, the answer or FAIL
curls() {
	local n=$1 url=$2 src=${3:-} i
	for ((i = 0; i < n; i++)); do
		nl_exec client curl -s --max-time 3 ${src:+--interface "$src"} "$url" || echo FAIL
	done
}
# only_one "LINES": the single distinct answer, or "mixed: ..." / "none"
only_one() {
	local u
	u=$(printf '%s\n' "$1" | sed '/^$/d' | sort -u)
	case $(printf '%s\n' "$u" | sed '/^$/d' | wc -l) in
	0) echo none ;;
	1) echo "$u" ;;
	*) echo "mixed: $(echo $u)" ;;
	esac
}
other_of() { [ "$1" = rs1 ] && echo rs2 || echo rs1; }
rip_of() { [ "$1" = rs1 ] && echo "$NL_RIP1" || echo "$NL_RIP2"; }
URL=http://$NL_VIP/

# 0: without persistence rr alternates (the baseline the rest relies on)
nl_rules rr 1 1 || { t_fail "$T: drlbadm -A -s rr / -a / -a"; t_done; }
out=$(curls 4 "$URL")
echo "rr without -p: $(echo $out)" >&2
t_is "$T: rr without persistence alternates (4 requests)" \
	"$(printf '%s\n' "$out" | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }')" "rs1=2 rs2=2 "

# 1: -p 60: one client, one real server
nl_adm -E -t "$NL_VIP:80" -s rr -p 60 || { t_fail "$T: -E -s rr -p 60"; t_done; }
out=$(curls 10 "$URL")
echo "client $NL_CIP, -p 60: $(echo $out)" >&2
who1=$(only_one "$out")
t_check "$T: 10 requests from $NL_CIP all answered by one real server ($who1)" \
	[ "$who1" = rs1 -o "$who1" = rs2 ]
t_is "$T: 10 of 10 answered" "$(printf '%s\n' "$out" | grep -c '^rs[12]$')" 10

lst=$(nl_adm -L -n)
echo "$lst" >&2
t_check "$T: -L -n shows 'persistent 60'" \
	grep -qE "^TCP +$NL_VIP:80 +rr +persistent 60( |\$)" <<<"$lst"

if [ "$who1" = rs1 ] || [ "$who1" = rs2 ]; then
	r1=$(rip_of "$who1") r2=$(rip_of "$(other_of "$who1")")
	pc=$(nl_adm -L -n --persistent-conn)
	echo "$pc" >&2
	t_check "$T: --persistent-conn has the PersistConn column" grep -q PersistConn <<<"$pc"
	t_is "$T: --persistent-conn: PersistConn 1 for $who1 ($r1)" \
		"$(awk -v d="$r1:80" '$1 == "->" && $2 == d { print $4 }' <<<"$pc")" 1
	t_is "$T: --persistent-conn: PersistConn 0 for the other ($r2)" \
		"$(awk -v d="$r2:80" '$1 == "->" && $2 == d { print $4 }' <<<"$pc")" 0

	c=$(nl_adm -L -n -c)
	echo "$c" >&2
	# the template: client address with port 0, the VIP:80, its real server
	t_check "$T: -L -n -c shows the template $NL_CIP:0 -> $r1:80" \
		grep -qE "^TCP +[0-9]+:[0-9]+ +[A-Z_]+ +$NL_CIP:0 +$NL_VIP:80 +$r1:80\$" <<<"$c"
	t_is "$T: -L -n -c: exactly one template" \
		"$(grep -cE "^TCP .* [0-9.]+:0 +$NL_VIP:80 " <<<"$c")" 1
fi

# 2: a second client address is scheduled independently: rr's next pick
out=$(curls 10 "$URL" "$CIP2")
echo "client $CIP2, -p 60: $(echo $out)" >&2
who2=$(only_one "$out")
t_check "$T: 10 requests from $CIP2 all answered by one real server ($who2)" \
	[ "$who2" = rs1 -o "$who2" = rs2 ]
t_is "$T: $CIP2 gets its own template: rr's next server" "$who2" "$(other_of "$who1")"
out=$(curls 4 "$URL")
t_is "$T: $NL_CIP still sticks to $who1" "$(only_one "$out")" "$who1"
pc=$(nl_adm -L -n --persistent-conn)
t_is "$T: --persistent-conn: one template on each real server" \
	"$(awk '$1 == "->" && $2 ~ /^[0-9]/ { printf "%s=%s ", $2, $4 }' <<<"$pc")" "$NL_RIP1:80=1 $NL_RIP2:80=1 "

# 3: -M 255.255.255.0: both client addresses share one template
nl_adm -E -t "$NL_VIP:80" -s rr -p 60 -M 255.255.255.0 || t_fail "$T: -E -p 60 -M 255.255.255.0"
lst=$(nl_adm -L -n)
t_check "$T: -L -n shows 'persistent 60 mask 255.255.255.0'" \
	grep -qE "^TCP +$NL_VIP:80 +rr +persistent 60 mask 255\.255\.255\.0" <<<"$lst"
a=$(curls 5 "$URL")
b=$(curls 5 "$URL" "$CIP2")
c=$(curls 5 "$URL")
echo "-M 255.255.255.0: $NL_CIP: $(echo $a) / $CIP2: $(echo $b) / $NL_CIP: $(echo $c)" >&2
whom=$(only_one "$a
$b
$c")
t_check "$T: -M 255.255.255.0: 15 requests from $NL_CIP and $CIP2 on one real server ($whom)" \
	[ "$whom" = rs1 -o "$whom" = rs2 ]
c=$(nl_adm -L -n -c)
echo "$c" >&2
t_check "$T: -L -n -c shows the masked template 198.18.0.0:0" \
	grep -qE "^TCP +[0-9]+:[0-9]+ +[A-Z_]+ +198\.18\.0\.0:0 +$NL_VIP:80 +198\.18\.0\.[78]:80\$" <<<"$c"

# 4: port-0 service: one client's :80 and :8080 land on the same real server
nl_nginx rs1 rs1 8080 || t_fail "$T: nginx :8080 on rs1"
nl_nginx rs2 rs2 8080 || t_fail "$T: nginx :8080 on rs2"
nl_adm -C || t_fail "$T: -C"
{ nl_adm -A -t "$NL_VIP:0" -s rr -p 60 &&
	nl_adm -a -t "$NL_VIP:0" -r "$NL_RIP1" -g -w 1 &&
	nl_adm -a -t "$NL_VIP:0" -r "$NL_RIP2" -g -w 1; } ||
	{ t_fail "$T: -A -t $NL_VIP:0 -s rr -p 60 / -a / -a"; t_done; }
lst=$(nl_adm -L -n)
echo "$lst" >&2
t_check "$T: -L -n shows the port-0 service persistent 60" \
	grep -qE "^TCP +$NL_VIP:0 +rr +persistent 60( |\$)" <<<"$lst"
declare -A P0
for src in "$NL_CIP" "$CIP2"; do
	all=
	for ((k = 0; k < 3; k++)); do
		all+=$(curls 1 "http://$NL_VIP:80/" "$src")$'\n'
		all+=$(curls 1 "http://$NL_VIP:8080/" "$src")$'\n'
	done
	echo "port 0, client $src, :80/:8080 x3: $(echo $all)" >&2
	w=$(only_one "$all")
	t_check "$T: port 0: $src's requests to :80 and :8080 on one real server ($w)" \
		[ "$w" = rs1 -o "$w" = rs2 ]
	P0[$src]=$w
done
t_is "$T: port 0: the two client addresses were scheduled independently (rr)" \
	"${P0[$CIP2]}" "$(other_of "${P0[$NL_CIP]}")"
c=$(nl_adm -L -n -c)
echo "$c" >&2
t_check "$T: -L -n -c shows the port-0 template $NL_CIP:0 -> $NL_VIP:0" \
	grep -qE "^TCP +[0-9]+:[0-9]+ +[A-Z_]+ +$NL_CIP:0 +$NL_VIP:0 +198\.18\.0\.[78]:0\$" <<<"$c"

t_check "$T: drlbd still running" nl_drlbd_alive
t_done
