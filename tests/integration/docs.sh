#!/bin/bash
# docs: the options a program accepts, its --help and its man page agree.
#  - drlbd: every option of --help has an entry under OPTIONS in drlbd(8),
#    and every entry there is in --help; the README names each one
#  - drlbadm: every long option of its --help is in drlbadm(8)
# Runs without root: it starts nothing.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
T=docs
if ! nl_have_drlb; then
	t_skip "$T: options" "build/drlbd or build/drlbadm missing"
	exit 0
fi

# --help's options: each option's own line starts with spaces and --NAME
help_opts() { "$@" 2>&1 | grep -oE -- '^ +--[a-z][a-z-]*' | tr -d ' ' | sort -u; }
# a man page's OPTIONS entries: the line after each .TP there, all --NAMEs
man_opts() {
	awk '/^\.SH OPTIONS/ { f = 1; next } /^\.SH/ { f = 0 }
	     f && prev == ".TP" { print } { prev = $0 }' "$1" |
		grep -oE -- '\\-\\-[a-z][a-z\\-]*' | sed 's/\\-/-/g' | sort -u
}
man_all() { grep -oE -- '\\-\\-[a-z][a-z\\-]*' "$1" | sed 's/\\-/-/g' | sort -u; }

h=$(help_opts "$NL_DRLBD" --help)
m=$(man_opts man/drlbd.8)
t_check "$T: drlbd --help lists options ($(wc -w <<<"$h"))" [ "$(wc -w <<<"$h")" -ge 20 ]
only_help=$(comm -23 <(echo "$h") <(echo "$m") | tr '\n' ' ')
only_man=$(comm -13 <(echo "$h") <(echo "$m") | tr '\n' ' ')
t_is "$T: drlbd: in --help, not in drlbd(8)'s OPTIONS" "$only_help" ""
t_is "$T: drlbd: in drlbd(8)'s OPTIONS, not in --help" "$only_man" ""
missing=
for o in $h; do
	case $o in --help|--version) continue ;; esac
	grep -q -- "$o" README.md || missing="$missing $o"
done
t_is "$T: drlbd: options of --help the README does not name" "$missing" ""

h=$(help_opts "$NL_DRLBADM" -h)
t_check "$T: drlbadm -h lists options ($(wc -w <<<"$h"))" [ "$(wc -w <<<"$h")" -ge 20 ]
only_help=$(comm -23 <(echo "$h") <(man_all man/drlbadm.8) | tr '\n' ' ')
t_is "$T: drlbadm: in -h, not in drlbadm(8)" "$only_help" ""
exit "$T_FAILED"
