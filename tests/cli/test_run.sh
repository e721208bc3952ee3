#!/bin/sh
# Native runs through the real binary: correct handoffs are clean on correct
# variants, the real v7.0-rc1 root cause (16-bit stride truncation) fails even on one
# CPU, results are JSON, and worker threads are pinned where they were told.
. "$(dirname "$0")/lib.sh"
DUR=${SS_TEST_DURATION:-0.4s}
NCPU=$(nproc)
CPUS=0,1; [ "$NCPU" -lt 2 ] && CPUS=0

for v in early-stride fixed; do
	for s in same-cpu release-acquire release-dep xchg cmpxchg spinlock llist rcu rcu-dep \
		refcount tty-flush; do
		expect_rc "clean_${s}_${v}" 0 "$SLABSTRESS" run -s "$s" --variant "$v" --cpus "$CPUS" \
			--duration "$DUR" --no-progress || true
	done
done
for a in jemalloc libc; do
	expect_rc "clean_release-acquire_$a" 0 "$SLABSTRESS" run -s release-acquire --alloc "$a" \
		--cpus "$CPUS" --duration "$DUR" --no-progress
done

# Several producer/consumer pairs on one allocator (unpinned: this box may have 2 CPUs).
expect_rc pairs_share_one_allocator 0 "$SLABSTRESS" run -s release-acquire --pairs 2 --pin none \
	--duration "$DUR" --no-progress --json "$TMP/p.json"
if python3 -c "import json; d=json.load(open('$TMP/p.json')); assert d['parameters']['pairs']==2; \
assert [r['pair'] for r in d['roles']]==[0,0,1,1] and d['counters']['handoffs']>0" 2>"$TMP/py"; then
	ok pairs_in_json; else fail pairs_in_json "$(cat "$TMP/py")"; fi
expect_rc pairs_refused_for_lazy_objexts 2 "$SLABSTRESS" run -s lazy-objexts --pairs 2 --pin none

# The real root cause: 131072 truncated to a 16-bit stride of 0.
expect_rc rc1_in_object_same_cpu_fails 1 "$SLABSTRESS" run -s same-cpu --variant rc1 \
	--objext in-object --object-size 131072 --page-size 65536 --rounds 20 --iters 4
expect_grep rc1_in_object_names_the_failure "wrong-metadata|counter-underflow" "$OUT"
expect_rc fixed_in_object_same_cpu_clean 0 "$SLABSTRESS" run -s same-cpu --variant fixed \
	--objext in-object --object-size 131072 --page-size 65536 --rounds 20 --iters 4
expect_rc stride_bits_32_rescues_rc1 0 "$SLABSTRESS" run -s same-cpu --variant rc1 --stride-bits 32 \
	--objext in-object --object-size 131072 --page-size 65536 --rounds 20 --iters 4

# JSON result.
expect_rc json_result 0 "$SLABSTRESS" run -s release-acquire --cpus "$CPUS" --rounds 10 --json "$TMP/r.json"
if python3 -c "import json,sys; d=json.load(open('$TMP/r.json')); \
assert d['schema']=='slabstress-run/1' and d['verdict']=='clean'; \
assert d['parameters']['scenario']=='release-acquire' and d['counters']['handoffs']>0; \
assert d['host']['cpus_online']>=1" 2>"$TMP/py"; then ok json_fields; else fail json_fields "$(cat "$TMP/py")"; fi
expect_rc json_failure_result 1 "$SLABSTRESS" run -s same-cpu --variant rc1 --objext in-object \
	--object-size 131072 --page-size 65536 --rounds 5 --iters 4 --json "$TMP/f.json"
if python3 -c "import json; d=json.load(open('$TMP/f.json')); assert d['verdict']=='failed'; \
f=d['failures']['first'][0]; assert f['kind'] in ('wrong-metadata','counter-underflow'); \
assert f['site']['file'] and f['message']" 2>"$TMP/py"; then ok json_failure_fields; else fail json_failure_fields "$(cat "$TMP/py")"; fi

# Pinning: while a run is active, each worker's Cpus_allowed_list is its one CPU.
if [ "$NCPU" -ge 2 ]; then
	"$SLABSTRESS" run -s release-acquire --cpus 0,1 --duration 3 --no-progress >/dev/null 2>&1 &
	pid=$!
	sleep 1
	seen=""
	for st in /proc/$pid/task/*/status; do
		name=$(awk '/^Name:/{print $2}' "$st")
		case "$name" in ss-*) seen="$seen $name=$(awk '/^Cpus_allowed_list:/{print $2}' "$st")";; esac
	done
	wait $pid
	n=$(echo "$seen" | wc -w)
	cpus=$(echo "$seen" | tr ' ' '\n' | sed -n 's/.*=//p' | sort -u | tr '\n' ' ')
	if [ "$n" -eq 2 ] && [ "$cpus" = "0 1 " ]; then ok workers_pinned_to_their_cpus
	else fail workers_pinned_to_their_cpus "saw:$seen"; fi
fi

# Every registered scenario (from the registry itself) is listed, documented in
# slabstress.1, and runs.
expect_rc list_json 0 "$SLABSTRESS" list scenarios --json
names=$(printf '%s\n' "$OUT" | python3 -c "import json,sys; print(' '.join(x['name'] for x in json.load(sys.stdin)))")
expect_rc list_scenarios 0 "$SLABSTRESS" list scenarios
bad=""
for s in $names; do
	printf '%s\n' "$OUT" | grep -q "^$s " || bad="$bad not-listed:$s"
	grep -q -- "^\.It Cm $s\$" "$(dirname "$0")/../../slabstress.1" || bad="$bad not-in-man:$s"
	# 0 or 1: a broken handoff may really fail on weakly ordered hardware.
	"$SLABSTRESS" run -s "$s" --rounds 2 --iters 10 --pin none --no-progress -q >/dev/null 2>&1
	[ $? -le 1 ] || bad="$bad does-not-run:$s"
done
if [ -n "$names" ] && [ -z "$bad" ]; then ok every_scenario_listed_documented_and_runs
else fail every_scenario_listed_documented_and_runs "names: '$names'" "$bad"; fi
[ "$(echo $names | wc -w)" -ge 16 ] && ok registry_has_all_16_contract_names ||
	fail registry_has_all_16_contract_names "$names"
finish
