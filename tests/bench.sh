#!/bin/sh
# tests/bench.sh - `make bench`: throughput figures, printed, never asserted.
#   native: handoffs/s of release-acquire for slab, jemalloc and libc
#   emulator: executions/s and emulated accesses/s of lazy-objexts (when built)
set -u
SS=${SLABSTRESS:-./slabstress}
DUR=${BENCH_DURATION:-3s}
NCPU=$(nproc)
CPUS=0,1; [ "$NCPU" -lt 2 ] && CPUS=0
echo "== native release-acquire handoffs/s ($DUR each, cpus $CPUS, host $(nproc) CPUs)"
printf '%-9s %-6s %14s\n' alloc size handoffs/s
for size in 64 256; do
	for a in slab jemalloc libc; do
		out=$("$SS" run -s release-acquire --alloc "$a" --object-size "$size" --cpus "$CPUS" \
			--duration "$DUR" --no-progress --json - 2>/dev/null)
		rate=$(printf '%s\n' "$out" | python3 -c "import json,sys; t=sys.stdin.read(); \
d=json.loads(t[t.index('{'):]); print('%.0f' % d['timing']['handoffs_per_s'])" 2>/dev/null)
		printf '%-9s %-6s %14s\n' "$a" "$size" "${rate:-error}"
	done
done
if "$SS" explore --help >/dev/null 2>&1; then
	echo "== emulator lazy-objexts (rc1 lkmm, keep going, 20000 executions)"
	"$SS" explore -s lazy-objexts --variant rc1 --model lkmm --executions 20000 --keep-going \
		--no-progress 2>&1 | grep -Ei 'exec|access' | head -5
	"$SS" explore -s lazy-objexts --variant fixed --model lkmm --executions 20000 \
		--no-progress 2>&1 | grep -Ei 'exec|access' | head -5
fi
