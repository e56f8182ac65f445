#!/bin/bash
# save_restore: -S -n prints the rules in ipvsadm's format; -C, -R < saved,
# -S -n again gives the same text; a fresh drlbd --config with that file loads
# the same rules (and forwards with them).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=save_restore
t_require "$T: setup"
nl_init "$T"
t_setup "$T"
V=$NL_VIP

nl_adm -C || t_fail "$T: -C"
nl_adm -A -t "$V:80" -s wrr &&
nl_adm -a -t "$V:80" -r "$NL_RIP2" -g -w 1 &&
nl_adm -a -t "$V:80" -r "$NL_RIP1" -g -w 3 &&
nl_adm -A -u "$V:53" -s wlc &&
nl_adm -a -u "$V:53" -r "$NL_RIP1" -g -w 2 &&
nl_adm -a -u "$V:53" -r "$NL_RIP2" -g -w 0 &&
nl_adm -A -t "$V:8080" -s wlc &&
nl_adm -a -t "$V:8080" -r "$NL_RIP1:8080" -g -w 1 ||
	{ t_fail "$T: adding rules"; t_done; }

# what ipvsadm -S -n prints for these (sorted: protocol, address, port; reals
# by address)
cat >"$NL_TMP/want" <<W
-A -t $V:80 -s wrr
-a -t $V:80 -r $NL_RIP1:80 -g -w 3
-a -t $V:80 -r $NL_RIP2:80 -g -w 1
-A -t $V:8080 -s wlc
-a -t $V:8080 -r $NL_RIP1:8080 -g -w 1
-A -u $V:53 -s wlc
-a -u $V:53 -r $NL_RIP1:53 -g -w 2
-a -u $V:53 -r $NL_RIP2:53 -g -w 0
W
nl_adm -S -n >"$NL_TMP/saved" || t_fail "$T: -S -n exits 0"
if diff -u "$NL_TMP/want" "$NL_TMP/saved" >&2; then
	t_ok "$T: -S -n prints ipvsadm's format"
else
	t_fail "$T: -S -n prints ipvsadm's format" "diff on stderr"
fi
nl_adm -L -n >"$NL_TMP/list1"

nl_adm -C || t_fail "$T: -C"
t_is "$T: -S -n after -C is empty" "$(nl_adm -S -n)" ""
nl_adm -R <"$NL_TMP/saved" || t_fail "$T: -R exits 0"
nl_adm -S -n >"$NL_TMP/saved2"
if cmp -s "$NL_TMP/saved" "$NL_TMP/saved2"; then
	t_ok "$T: -R of the saved rules, -S -n again: identical"
else
	diff -u "$NL_TMP/saved" "$NL_TMP/saved2" >&2
	t_fail "$T: -R of the saved rules, -S -n again: identical" "diff on stderr"
fi
nl_adm -L -n >"$NL_TMP/list2"
if cmp -s "$NL_TMP/list1" "$NL_TMP/list2"; then t_ok "$T: -L -n after restore unchanged"
else diff -u "$NL_TMP/list1" "$NL_TMP/list2" >&2; t_fail "$T: -L -n after restore unchanged"; fi

# ipvsadm -R drops a leading "ipvsadm" token on each line
sed 's/^/ipvsadm /' "$NL_TMP/saved" >"$NL_TMP/saved-with-cmd"
nl_adm -C && nl_adm -R <"$NL_TMP/saved-with-cmd" || t_fail "$T: -R with 'ipvsadm' tokens exits 0"
t_is "$T: -R drops 'ipvsadm' tokens" "$(nl_adm -S -n)" "$(cat "$NL_TMP/saved")"

# a second drlbd loading the saved file
kill "$NL_DRLBD_PID" 2>/dev/null
nl_wait 5 eval "! kill -0 $NL_DRLBD_PID" || t_fail "$T: drlbd stops on SIGTERM"
# drlbd runs as nobody by then, and a socket in a directory it cannot write
# stays behind: what matters is that nobody answers on it any more
t_check "$T: the control socket is dead after exit" \
	bash -c "! timeout 3 '$NL_DRLBADM' --socket '$NL_SOCK' -L -n >/dev/null 2>&1"
if nl_drlbd --config "$NL_TMP/saved"; then
	t_ok "$T: drlbd --config saved-file starts"
	nl_adm -S -n >"$NL_TMP/saved3"
	if cmp -s "$NL_TMP/saved" "$NL_TMP/saved3"; then
		t_ok "$T: --config loads the same rules"
	else
		diff -u "$NL_TMP/saved" "$NL_TMP/saved3" >&2
		t_fail "$T: --config loads the same rules" "diff on stderr"
	fi
	out=$(nl_curl_count 8)
	t_is "$T: forwarding with the loaded rules (wrr 3:1 over 8)" \
		"$(nl_count_of "$out" rs1)/$(nl_count_of "$out" rs2)" 6/2
else
	t_fail "$T: drlbd --config saved-file starts"
fi

# a persistent service round-trips too
nl_adm -A -t "$V:443" -s wlc -p 600 && nl_adm -a -t "$V:443" -r "$NL_RIP1" -g -w 1 ||
	t_fail "$T: -A -p 600"
p=$(nl_adm -S -n | grep -e ":443 ")
t_is "$T: -S -n of a persistent service" "$p" "-A -t $V:443 -s wlc -p 600
-a -t $V:443 -r $NL_RIP1:443 -g -w 1"
t_check "$T: drlbd still running" nl_drlbd_alive
t_done
