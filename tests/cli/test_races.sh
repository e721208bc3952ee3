#!/bin/sh
# tests/cli/test_races.sh - data races as findings (issue 12 part 3): the rc1
# plain slab->stride load races with its plain store under lkmm, the fixed
# variant and the correct handoffs report none; --races report|fail|ignore;
# the race reproducer replays to the same race; JSON; bad values.
. "$(dirname "$0")/lib.sh"

expect_rc rc1_reports_race 1 "$SLABSTRESS" explore -s lazy-objexts --variant rc1 --model lkmm \
	--executions 300 --no-explain
expect_grep rc1_stride_race "data race: CPU 1 plain load of slab->stride at alloc/slab.c:[0-9]+ \(slab_get_stride\) races with CPU 0 plain store at alloc/slab.c:[0-9]+ \(slab_set_stride\), LKMM flags it" "$OUT"

expect_rc fixed_no_race 0 "$SLABSTRESS" explore -s lazy-objexts --variant fixed --model lkmm \
	--executions 300 --no-explain
if printf '%s\n' "$OUT" | grep -q "^data race"; then
	fail fixed_reports_none "$(printf '%s\n' "$OUT" | grep '^data race')"
else
	ok fixed_reports_none
fi

# the race tests of an sc or tso execution carry its dependencies too: the free
# through a pointer read with READ_ONCE / rcu_dereference is bounded by its
# address dependency (LKMM), whatever model found the execution (before, sc and
# tso reported six false races in each)
for s in release-dep rcu-dep; do
	for m in sc tso; do
		expect_rc "dep_handoff_no_race_${s}_$m" 0 "$SLABSTRESS" explore -s "$s" --model "$m" \
			--executions 300 --no-explain --races fail
	done
done

# --deps provenance infers a store's address dependency as it does a load's:
# the frees of release-dep and rcu-dep are bounded by it (lkvm and graph)
for s in release-dep rcu-dep; do
	expect_rc "dep_handoff_no_race_provenance_$s" 0 "$SLABSTRESS" explore -s "$s" --model lkmm \
		--deps provenance --executions 300 --no-explain --races fail
	expect_rc "dep_handoff_no_race_provenance_graph_$s" 0 "$SLABSTRESS" explore -s "$s" \
		--model lkmm --deps provenance --engine graph --no-explain --races fail
done

expect_rc ignore_prints_none 1 "$SLABSTRESS" explore -s lazy-objexts --variant rc1 --model lkmm \
	--executions 300 --no-explain --races ignore
if printf '%s\n' "$OUT" | grep -q "data race"; then fail ignore_no_race_line; else ok ignore_no_race_line; fi

expect_rc fail_exits_1 1 "$SLABSTRESS" explore -s lazy-objexts --variant rc1 --model lkmm \
	--executions 300 --no-explain --races fail --save "$TMP/found" -q
expect_grep fail_says_failed "FAILED: 1 data race \(--races fail\)" "$OUT"
f=$(ls "$TMP"/found/*-data-race-*.json 2>/dev/null | head -1)
if [ -n "$f" ]; then ok race_reproducer_saved; else fail race_reproducer_saved "none in $TMP/found"; fi
expect_rc race_replays 1 "$SLABSTRESS" replay "$f" --no-explain
expect_grep race_replay_matches "replay: matches the saved failure" "$OUT"
expect_grep race_replay_same_race "data race: CPU 1 plain load of slab->stride .* races with CPU 0 plain store" "$OUT"
"$SLABSTRESS" replay "$f" --litmus >"$TMP/race.litmus"
expect_grep race_litmus_written "^C slabstress-race-lazy-objexts-rc1" "$(cat "$TMP/race.litmus")"
expect_rc race_litmus_flags 0 "$SLABSTRESS" litmus "$TMP/race.litmus"
expect_grep race_litmus_flag_line "Flag data-race" "$OUT"

expect_rc json_has_races 1 "$SLABSTRESS" explore -s lazy-objexts --variant rc1 --model lkmm \
	--executions 300 --no-explain --json -
expect_grep json_data_races '"data_races": \[' "$OUT"
expect_grep json_race_location '"location": "slab->stride"' "$OUT"

expect_rc bad_races_value 2 "$SLABSTRESS" explore -s once --races x
expect_grep bad_races_names_value "unknown --races .x.: expected one of report, fail, ignore" "$ERR"
n=$(printf "%s\n" "$ERR" | grep -c .)
if [ "$n" -eq 1 ]; then ok bad_races_one_line; else fail bad_races_one_line "$n lines"; fi

# correct handoffs: no race (a pair past the checker's size is "skipped", never a race)
for s in lazy-objexts release-acquire release-dep xchg cmpxchg spinlock llist rcu rcu-dep \
	refcount tty-flush same-cpu; do
	expect_rc "clean_$s" 0 "$SLABSTRESS" explore -s "$s" --variant fixed --model lkmm \
		--executions 300 --no-explain
	if printf '%s\n' "$OUT" | grep -q "^data race"; then
		fail "no_race_$s" "$(printf '%s\n' "$OUT" | grep '^data race')"
	else
		ok "no_race_$s"
	fi
done

# fuzz: the corpus is checked after the campaign (libFuzzer builds only)
mkdir -p "$TMP/fz"
"$SLABSTRESS" fuzz -s lazy-objexts --variant rc1 --duration 3 --races fail --save "$TMP/fz" -q \
	>"$TMP/fz.out" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q "built without libFuzzer" "$TMP/fz.out"; then
	echo "skipped fuzz_races (this build has no libFuzzer)"
else
	if [ $rc -eq 1 ]; then ok fuzz_races_fail_exit_1; else fail fuzz_races_fail_exit_1 "exit $rc"; fi
	expect_grep fuzz_reports_stride_race "data race: CPU 1 plain load of slab->stride" "$(cat "$TMP/fz.out")"
	if ls "$TMP"/fz/*-data-race-*.json >/dev/null 2>&1; then
		ok fuzz_race_reproducer_saved
	else
		fail fuzz_race_reproducer_saved "none in $TMP/fz"
	fi
fi
finish
