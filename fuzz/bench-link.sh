#!/bin/sh
# fuzz/bench-link.sh - native handoffs/s of the same source built with and
# without the libFuzzer runtime linked (`make bench-fuzz-link`): linking it must
# not slow `slabstress run` (nothing is instrumented; the runtime sits idle).
# Alternates the two binaries REPEAT times, prints each figure and the medians.
set -u
WITH=${SS_WITH:-./slabstress}
WITHOUT=${SS_WITHOUT:-build-nofuzz/slabstress}
DUR=${BENCH_DURATION:-3}
REPEAT=${BENCH_REPEAT:-3}
CPUS=0,1; [ "$(nproc)" -lt 2 ] && CPUS=0
rate() {
	"$1" run -s release-acquire --cpus "$CPUS" --duration "$DUR" --no-progress --json - 2>/dev/null |
		python3 -c "import json,sys; t=sys.stdin.read(); \
d=json.loads(t[t.index('{'):]); print('%.0f' % d['timing']['handoffs_per_s'])" 2>/dev/null
}
echo "== native release-acquire handoffs/s, libFuzzer runtime linked or not ($DUR s x $REPEAT, cpus $CPUS)"
w=""; wo=""
for i in $(seq "$REPEAT"); do
	a=$(rate "$WITHOUT"); b=$(rate "$WITH")
	printf '  run %d: without %s  with %s\n' "$i" "${a:-error}" "${b:-error}"
	wo="$wo ${a:-0}"; w="$w ${b:-0}"
done
med() { printf '%s\n' $1 | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
mw=$(med "$w"); mwo=$(med "$wo")
printf '  median: without %s, with %s handoffs/s (%+.1f%%)\n' "$mwo" "$mw" \
	"$(awk -v a="$mwo" -v b="$mw" 'BEGIN { print a ? 100 * (b - a) / a : 0 }')"
