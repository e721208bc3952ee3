#!/bin/sh
# tests/lint-includes.sh - the include direction of the source tree (`make lint`).
#
# Every `#include "dir/file.h"` in */*.c and */*.h (run from the top of the tree)
# must point down this chain, or into its own directory:
#
#   level 5  cmd                   parses options and prints
#   level 4  fuzz  litmus  bench   drivers on top of the engines (one level: they
#                                  do not include each other)
#   level 3  engine                native, emulator, fuzz supervisor's engine parts
#   level 2  scenarios             handoff scenarios
#   level 1  alloc                 allocator backends and the SLUB model
#   level 0  kernel                shared-memory primitives with LKMM meaning
#   results                        anyone may include it; it includes only itself
#   model                          the memory models on execution graphs (relation
#                                  algebra, LKMM, SC, TSO): for engine/ and above;
#                                  it includes only itself and results/
#
# A file may include a directory of a lower level (litmus -> engine is fine,
# engine -> litmus is not).  Private headers are for their own directory only:
# alloc/slab.h (struct slab_world; nothing above alloc/ reads it) and every
# */*_internal.h.  A directory that is not in the table is an error, so that a
# new one gets a level on purpose.
#
# Known exceptions: "file:included-header", one per line (none today).
KNOWN_EXCEPTIONS=''
#
# Usage: sh tests/lint-includes.sh [DIR]   (default: the current directory)
# Exit status 0 when every include is in order, else 1 with one line per offence:
#   FILE:LINE: #include "HEADER": RULE
set -u
cd "${1:-.}" || exit 2

level() {
	case $1 in
	cmd) echo 5 ;;
	fuzz | litmus | bench) echo 4 ;;
	engine) echo 3 ;;
	scenarios) echo 2 ;;
	alloc) echo 1 ;;
	kernel) echo 0 ;;
	results) echo R ;;
	model) echo M ;;
	*) echo U ;;
	esac
}

bad=0
report() {
	echo "$1: #include \"$2\": $3"
	bad=1
}

for f in */*.c */*.h; do
	[ -f "$f" ] || continue
	from=${f%%/*}
	# "LINE HEADER" for every quoted include of the form dir/file
	grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"/]*/[^"]*"' "$f" |
		sed 's/^\([0-9]*\):[^"]*"\([^"]*\)".*/\1 \2/' >"${TMPDIR:-/tmp}/lint-includes.$$"
	while read -r line hdr; do
		to=${hdr%%/*}
		where="$f:$line"
		case "
$KNOWN_EXCEPTIONS
" in
		*"
$f:$hdr
"*) continue ;;
		esac
		lf=$(level "$from")
		lt=$(level "$to")
		if [ "$lf" = U ]; then
			report "$where" "$hdr" "directory $from/ has no level (add it to tests/lint-includes.sh)"
			continue
		fi
		if [ "$lt" = U ]; then
			report "$where" "$hdr" "directory $to/ has no level (add it to tests/lint-includes.sh)"
			continue
		fi
		if [ "$from" != "$to" ]; then
			case $hdr in
			alloc/slab.h | */*_internal.h)
				report "$where" "$hdr" "private to $to/ (use its public interface)"
				continue
				;;
			esac
		fi
		[ "$from" = "$to" ] && continue
		[ "$lt" = R ] && [ "$lf" != M ] && continue
		if [ "$lf" = M ]; then
			[ "$lt" = R ] && continue
			report "$where" "$hdr" "model/ includes only model/ and results/"
		elif [ "$lf" = R ]; then
			report "$where" "$hdr" "results/ includes only results/ (it depends on no other directory)"
		elif [ "$lt" = M ]; then
			[ "$lf" -ge 3 ] && continue
			report "$where" "$hdr" "model/ is for engine/ and the levels above it"
		elif [ "$lt" -ge "$lf" ]; then
			report "$where" "$hdr" "$from/ (level $lf) may include only lower levels, $to/ is level $lt (cmd > fuzz, litmus, bench > engine > scenarios > alloc > kernel)"
		fi
	done <"${TMPDIR:-/tmp}/lint-includes.$$"
done
rm -f "${TMPDIR:-/tmp}/lint-includes.$$"
exit $bad
