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

# The host's memory model: on x86-64 a TSO notice, once, on stderr, and in the JSON.
expect_rc tso_json 0 "$SLABSTRESS" run -s release-acquire --cpus "$CPUS" --rounds 5 --no-progress \
	--json "$TMP/t.json"
case $(uname -m) in
x86_64 | i?86)
	[ "$(printf '%s\n' "$ERR" | grep -c 'this host is TSO')" -eq 1 ] && ok tso_notice_once ||
		fail tso_notice_once "stderr: $ERR"
	expect_grep tso_notice_points_to_explore "slabstress explore .*--model lkmm" "$ERR"
	want=tso ;;
*)
	printf '%s\n' "$ERR" | grep -q 'this host is TSO' && fail no_tso_notice_on_weak_host "$ERR" ||
		ok no_tso_notice_on_weak_host
	want=weak ;;
esac
if python3 -c "import json; d=json.load(open('$TMP/t.json')); assert d['host_memory_model']=='$want'; \
assert (len(d['host_cannot_show'])>0)==('$want'=='tso')" 2>"$TMP/py"; then ok host_memory_model_in_json
else fail host_memory_model_in_json "$(cat "$TMP/py")"; fi

# --histogram: witnesses per kind and per million rounds, in text, JSON and the page.
expect_rc histogram 1 "$SLABSTRESS" run -s same-cpu --variant rc1 --objext in-object \
	--object-size 131072 --page-size 65536 --rounds 20 --iters 4 --keep-going --histogram \
	--json "$TMP/h.json" --report "$TMP/h.html"
expect_grep histogram_text "(wrong-metadata|counter-underflow) +[0-9]+ +[0-9.]+ per million rounds" "$OUT"
if python3 -c "import json; h=json.load(open('$TMP/h.json'))['histogram']; assert h['rounds']==20; \
k=h['kinds'][0]; assert k['count']>0 and abs(k['per_million_rounds']-k['count']*1e6/20)<1e-6" \
	2>"$TMP/py" && grep -q "per million rounds" "$TMP/h.html"; then ok histogram_in_json_and_page
else fail histogram_in_json_and_page "$(cat "$TMP/py")"; fi

# Pinning by topology; a request the machine cannot meet falls back with one note.
for p in spread compact smt cross-package random; do
	expect_rc "pin_$p" 0 "$SLABSTRESS" run -s release-acquire --cpus "$CPUS" --pin "$p" --rounds 5 \
		--no-progress -q
done
pkgs=$(cat /sys/devices/system/cpu/cpu[0-9]*/topology/physical_package_id 2>/dev/null | sort -u | wc -l)
if [ "$pkgs" -le 1 ]; then
	expect_rc pin_cross_package_one_package 0 "$SLABSTRESS" run -s release-acquire --cpus "$CPUS" \
		--pin cross-package --rounds 5 --no-progress -q
	expect_grep pin_cross_package_says_it_falls_back "cross-package: .*falling back to spread" "$ERR"
fi
expect_rc pin_unknown 2 "$SLABSTRESS" run --pin scatter

# --rtt-matrix: an N x N table in ns between the chosen CPUs, in the JSON.
if [ "$NCPU" -ge 2 ]; then
	expect_rc rtt_matrix 0 "$SLABSTRESS" run -s release-acquire --cpus 0,1 --rounds 5 --rtt-matrix \
		--no-progress --json "$TMP/x.json"
	expect_grep rtt_matrix_text "^  cpu0 +- +[0-9]+" "$OUT"
	if python3 -c "import json; m=json.load(open('$TMP/x.json'))['rtt_matrix']; \
assert m['cpus']==[0,1] and m['ns'][0][1]>0 and m['ns'][0][1]==m['ns'][1][0]" 2>"$TMP/py"; then
		ok rtt_matrix_in_json; else fail rtt_matrix_in_json "$(cat "$TMP/py")"; fi
fi
expect_rc rtt_matrix_unpinned 0 "$SLABSTRESS" run -s release-acquire --pin none --rounds 5 \
	--rtt-matrix --no-progress
expect_grep rtt_matrix_unpinned_says_why "not measured" "$OUT"

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
