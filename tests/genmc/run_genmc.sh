#!/bin/sh
# tests/genmc/run_genmc.sh - GenMC 0.9 and slabstress's graph engine on one
# program (issue 13): genmc_slab_for_genmc.c under `genmc -lkmm`, and
# genmc_slab.c under `slabstress explore --engine graph --model lkmm`, the fixed
# version, for each shape given (TI: T threads x I iterations; default 21 22 23).
# Prints one line per shape and tool: executions and wall time.  GenMC runs
# twice: with its defaults, whose consistency check is an approximation until
# an error shows (so from 3 threads on its count includes executions
# linux-kernel.cat forbids: 9,174 against 8,742 at 3x1, every extra one failing
# the propagation axiom), and with --check-consistency-type=full
# --check-consistency-point=exec, which counts exactly the graph engine's.
#
#   GENMC=path/to/genmc sh tests/genmc/run_genmc.sh [TI...]
#
# GenMC 0.9 is the last release with -lkmm; it builds with Debian's LLVM 14
# (tests/genmc/README.md says how).  Without GENMC the GenMC side says
# "skipped" (CI has no GenMC); a GENMC that is not an executable, or a bad
# shape: exit 2 and one line.  Run from the checkout's root after `make`.
set -u
here=$(dirname "$0")
SLABSTRESS=${SLABSTRESS:-./slabstress}
FIX="stride=early,stride-access=once,rmb-before-stride=on"
GENMC_FIX="-DSTRIDE_EARLY -DSTRIDE_ONCE -DRMB_BEFORE_STRIDE"
[ $# -gt 0 ] || set -- 21 22 23
if [ -n "${GENMC:-}" ] && [ ! -x "$GENMC" ]; then
	echo "run_genmc.sh: GENMC '$GENMC': expected a GenMC 0.9 binary (executable)" >&2
	exit 2
fi

now() { date +%s.%N; }

for shape in "$@"; do
	case $shape in
	[2-4][1-3]) ;;
	*)
		echo "run_genmc.sh: shape '$shape': expected TI, T threads 2..4, I iterations 1..3" >&2
		exit 2
		;;
	esac
	t=${shape%?}
	i=${shape#?}
	start=$(now)
	line=$("$SLABSTRESS" explore -s "$here/genmc_slab.c" --iters "$shape" --variant custom \
		--set "$FIX" --model lkmm --engine graph --races ignore 2>&1 | grep '^proof:')
	end=$(now)
	n=$(echo "$line" | sed -n 's/^proof: all \([0-9]*\) consistent.*/\1/p')
	printf '%sx%s slabstress: %s executions, %.2f s\n' "$t" "$i" "${n:-?}" \
		"$(awk "BEGIN{print $end - $start}")"
	if [ -z "${GENMC:-}" ]; then
		echo "${t}x${i} genmc: skipped (set GENMC to a GenMC 0.9 binary)"
		continue
	fi
	for mode in default full; do
		opts=
		[ "$mode" = full ] &&
			opts="--check-consistency-type=full --check-consistency-point=exec"
		start=$(now)
		out=$(cd "$here" && "$GENMC" -lkmm $opts -- $GENMC_FIX -DT="$t" -DI="$i" \
			genmc_slab_for_genmc.c 2>&1)
		end=$(now)
		n=$(echo "$out" | sed -n 's/^Number of complete executions explored: //p')
		b=$(echo "$out" | sed -n 's/^Number of blocked executions seen: //p')
		err=$(echo "$out" | grep -m1 -E '^Error|violation' || true)
		printf '%sx%s genmc %s: %s executions (%s blocked), %.2f s%s\n' "$t" "$i" "$mode" \
			"${n:-?}" "${b:-0}" "$(awk "BEGIN{print $end - $start}")" "${err:+, $err}"
	done
done
