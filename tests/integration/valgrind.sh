#!/bin/bash
# valgrind: drlbd runs the recipe under valgrind's memcheck -- rules, ARP,
# curl through it, a listing, SIGTERM -- and memcheck finds no error and no
# definite leak.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=valgrind
t_require "$T: setup" valgrind
if ldd "$NL_DRLBD" 2>/dev/null | grep -q libasan; then
	# memcheck and AddressSanitizer do not run together; the sanitizer
	# build is checked by its own reports instead
	t_skip "$T: memcheck" "a sanitizer build"
	exit 0
fi
nl_init "$T"
nl_dr_topology || { t_fail "$T: setup"; t_done; }
VG=$NL_TMP/vg.log
nl_bg dir "$NL_TMP/drlbd.log" valgrind --tool=memcheck --error-exitcode=99 \
	--leak-check=full --errors-for-leak-kinds=definite --log-file="$VG" \
	"$NL_DRLBD" --interface eth0 --socket "$NL_SOCK" --foreground \
	--config conf/recipe.conf
PID=$NL_LASTPID
NL_DRLBD_LOG=$NL_TMP/drlbd.log
nl_wait 60 test -S "$NL_SOCK" || { t_fail "$T: drlbd starts under valgrind"; t_done; }
sleep 1
out=$(nl_curl_count 6)
t_is "$T: 6 requests answered through drlbd under valgrind" \
	"$(( $(nl_count_of "$out" rs1) + $(nl_count_of "$out" rs2) ))" 6
nl_adm -L -n --stats >/dev/null
nl_adm -L -n -c >/dev/null
kill -TERM "$PID"
for ((i = 0; i < 300; i++)); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
wait "$PID"
rc=$?
sed 's/^/  /' "$VG" | tail -20 >&2
t_is "$T: drlbd exits 0 under valgrind (99: memcheck errors)" "$rc" 0
t_check "$T: memcheck: ERROR SUMMARY: 0 errors" grep -q "ERROR SUMMARY: 0 errors" "$VG"
t_check "$T: memcheck: no definite leak" bash -c "! grep -q 'definitely lost: [1-9]' '$VG'"
t_done
