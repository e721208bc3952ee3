#!/bin/sh
# tests/cli/test_fuzz.sh - `slabstress fuzz` end to end: finds the lazy-objexts
# rc1 hole under lkmm and saves a minimized reproducer, stays clean on a fixed
# variant for its whole duration, resumes from a corpus, one-line usage errors.
. "$(dirname "$0")/lib.sh"

if ! "$SLABSTRESS" fuzz --help >/dev/null 2>&1; then
	echo "skipped: fuzz: this build has no fuzz command"
	exit 0
fi
"$SLABSTRESS" fuzz -s lazy-objexts --duration 1 --save "$TMP/probe" >"$TMP/probe.out" 2>&1
if [ $? -eq 2 ] && grep -q "built without libFuzzer" "$TMP/probe.out"; then
	expect_grep fuzz_without_libfuzzer_says_rebuild_with_clang "rebuild with clang" "$(cat "$TMP/probe.out")"
	echo "skipped: fuzz campaigns: this build has no libFuzzer (CC=gcc or SS_NO_LIBFUZZER=1)"
	finish
	exit $?
fi

# rc1 + lkmm: the stale stride read.  Exit 1, one reproducer + its trace.
expect_rc fuzz_rc1_lkmm_finds_failure 1 "$SLABSTRESS" fuzz -s lazy-objexts --variant rc1 \
	--model lkmm --duration 10 --save "$TMP/crashes" --json "$TMP/rc1.json" --no-progress
expect_grep fuzz_summary_names_reproducer 'wrong-metadata at .*crashes/lazy-objexts-rc1-lkmm-wrong-metadata-[0-9a-f]+\.json \([0-9]+ non-default decision' "$OUT"
repro=$(ls "$TMP"/crashes/lazy-objexts-rc1-lkmm-*.json 2>/dev/null | head -1)
if [ -n "$repro" ] && [ -f "${repro%.json}.txt" ]; then ok fuzz_saves_reproducer_and_trace
else fail fuzz_saves_reproducer_and_trace "no .json/.txt pair under $TMP/crashes: $(ls "$TMP/crashes" 2>&1)"; fi
expect_grep fuzz_trace_shows_stale_stride 'stride.* STALE' "$(cat "${repro%.json}.txt" 2>/dev/null)"
dec=$(printf '%s\n' "$OUT" | sed -n 's/.*(\([0-9]*\) non-default decision.*/\1/p' | head -1)
if [ -n "$dec" ] && [ "$dec" -le 12 ]; then ok fuzz_minimized_to_a_handful_of_decisions
else fail fuzz_minimized_to_a_handful_of_decisions "decisions: '$dec'"; fi
expect_grep fuzz_json_verdict_failed '"verdict": "failed"' "$(cat "$TMP/rc1.json" 2>/dev/null)"
if "$SLABSTRESS" replay --help >/dev/null 2>&1 && [ -n "$repro" ]; then
	expect_rc fuzz_reproducer_replays 1 "$SLABSTRESS" replay "$repro"
	expect_grep fuzz_replay_shows_stale_stride 'stride.*STALE' "$OUT"
fi

# A fixed variant: clean for the whole duration.
start=$(date +%s)
expect_rc fuzz_early_stride_clean 0 "$SLABSTRESS" fuzz -s lazy-objexts --variant early-stride \
	--model lkmm --duration 5 --save "$TMP/none" --no-progress
took=$(( $(date +%s) - start ))
if [ "$took" -ge 4 ]; then ok fuzz_clean_runs_full_duration
else fail fuzz_clean_runs_full_duration "returned after ${took}s of 5"; fi
expect_grep fuzz_clean_summary 'clean: no failure' "$OUT"

# --corpus is resumable: a second run starts from the first one's inputs.
"$SLABSTRESS" fuzz -s lazy-objexts --variant wmb-rmb --duration 2 --corpus "$TMP/corpus" \
	--save "$TMP/none" --no-progress >/dev/null 2>&1
n1=$(ls "$TMP/corpus" | wc -l)
expect_rc fuzz_corpus_resume 0 "$SLABSTRESS" fuzz -s lazy-objexts --variant wmb-rmb --duration 2 \
	--corpus "$TMP/corpus" --save "$TMP/none" --no-progress -- -seed=7
n2=$(ls "$TMP/corpus" | wc -l)
if [ "$n1" -gt 0 ] && [ "$n2" -ge "$n1" ]; then ok fuzz_corpus_kept_between_runs
else fail fuzz_corpus_kept_between_runs "corpus files: $n1 then $n2"; fi

# The jemalloc backend under libFuzzer: the process has three allocators in
# reach (jemalloc's exported malloc/new, glibc's, and ASan's under make asan);
# memory of one freed by another aborts the worker ("bad-free", an internal error).
expect_rc fuzz_jemalloc_backend_clean 0 "$SLABSTRESS" fuzz -s release-acquire --alloc jemalloc \
	--duration 2 --save "$TMP/none" --no-progress
expect_grep fuzz_jemalloc_backend_ran 'clean: no failure in [1-9]' "$OUT"
if printf '%s\n' "$OUT$ERR" | grep -qi 'bad-free\|internal error'; then
	fail fuzz_jemalloc_no_allocator_mixup "$(printf '%s\n' "$OUT$ERR" | grep -i 'bad-free\|internal error' | head -3)"
else ok fuzz_jemalloc_no_allocator_mixup; fi

# Usage errors: exit 2, one line.
expect_rc fuzz_bad_model 2 "$SLABSTRESS" fuzz -s lazy-objexts --model arm
expect_grep fuzz_bad_model_one_line "^slabstress: unknown --model 'arm'" "$ERR"
expect_rc fuzz_no_scenario 2 "$SLABSTRESS" fuzz --duration 1
expect_rc fuzz_stray_argument_after_dashes 2 "$SLABSTRESS" fuzz -s lazy-objexts -- corpusdir
[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] && ok fuzz_usage_error_is_one_line || fail fuzz_usage_error_is_one_line "$ERR"
finish
