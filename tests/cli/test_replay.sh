#!/bin/sh
# tests/cli/test_replay.sh - explore --save, replay (byte-identical, other models,
# JSON, litmus export confirmed by `slabstress litmus`), minimize, bad files.
. "$(dirname "$0")/lib.sh"

expect_rc pct_finds_and_saves 1 \
	"$SLABSTRESS" explore -s lazy-objexts --variant rc1 --strategy pct --depth 3 \
	--executions 5000 --save "$TMP/found"
expect_grep pct_states_its_bound "probability >= 1/\(n\*k\^\(d-1\)\)" "$OUT"
f=$(ls "$TMP"/found/lazy-objexts-rc1-lkmm-wrong-metadata-*.json 2>/dev/null | head -1)
if [ -n "$f" ]; then ok saved_file_name; else fail saved_file_name "no reproducer in $TMP/found"; fi

expect_rc minimize_writes 0 "$SLABSTRESS" minimize "$f" -o "$TMP/small.json"
expect_grep minimize_counts "after: +[0-9]+ bytes, [0-9]+ decisions" "$OUT"

expect_rc replay_fails 1 "$SLABSTRESS" replay "$TMP/small.json"
A=$OUT
expect_grep replay_matches_saved "replay: matches the saved failure" "$A"
expect_grep replay_names_stale_stride "R slab->stride = 0 STALE" "$A"
expect_grep replay_attributes_load_load "needs load->load reordering on CPU 1 \(not possible on x86-TSO" "$A"
expect_grep replay_suggests_rmb "suggested fix: smp_rmb\(\) on CPU 1 between the two loads" "$A"
expect_rc replay_again 1 "$SLABSTRESS" replay "$TMP/small.json"
if [ "$A" = "$OUT" ]; then ok replay_byte_identical; else fail replay_byte_identical "two replays differ"; fi
expect_grep replay_no_raw_addresses "&page\[0\]" "$A"

expect_rc replay_tso_clean 0 "$SLABSTRESS" replay "$TMP/small.json" --model tso
expect_grep replay_tso_says_clean "clean: the saved failure did not happen" "$OUT"
expect_rc replay_json 1 "$SLABSTRESS" replay "$TMP/small.json" --format json --no-explain
expect_grep replay_json_matches '"matches_saved": true' "$OUT"

"$SLABSTRESS" replay "$TMP/small.json" --litmus >"$TMP/bug.litmus"
expect_rc litmus_export_confirmed 0 "$SLABSTRESS" litmus "$TMP/bug.litmus"
expect_grep litmus_export_sometimes "Observation .* Sometimes" "$OUT"
expect_rc litmus_chain_same 0 "$SLABSTRESS" replay "$TMP/small.json" --litmus=chain
# --litmus=graph on a schedule: its graph built from the trace, judged Sometimes
"$SLABSTRESS" replay "$TMP/small.json" --litmus=graph >"$TMP/g.litmus"
expect_grep litmus_graph_from_trace "built from the trace" "$(cat "$TMP/g.litmus")"
expect_rc litmus_graph_from_trace_sometimes 0 "$SLABSTRESS" litmus "$TMP/g.litmus"
expect_grep litmus_graph_from_trace_agrees "Expected \(Result: Sometimes.*\) -> agree" "$OUT"
expect_rc same_cpu_saves 1 "$SLABSTRESS" explore -s same-cpu --variant rc1 --objext in-object \
	--object-size 131072 --page-size 65536 --save "$TMP/sc" -q
expect_rc same_cpu_replay 1 "$SLABSTRESS" replay "$(ls "$TMP"/sc/*.json | head -1)"
expect_grep same_cpu_is_not_ordering "fails under sequential consistency: not a memory-ordering bug" "$OUT"
# a failure within one CPU has no litmus test: nothing to export (exit 2, one line)
expect_rc same_cpu_nothing_to_export 2 "$SLABSTRESS" replay "$(ls "$TMP"/sc/*.json | head -1)" --litmus
expect_grep same_cpu_nothing_line "nothing to export: the failing execution touches no location two CPUs use" "$ERR"

printf '{"schema": "slabstress-repro/1"' >"$TMP/bad.json"
expect_rc replay_corrupt_file 2 "$SLABSTRESS" replay "$TMP/bad.json"
n=$(printf '%s\n' "$ERR" | wc -l)
if [ "$n" -eq 1 ]; then ok replay_corrupt_one_line; else fail replay_corrupt_one_line "$ERR"; fi
expect_rc replay_missing_file 2 "$SLABSTRESS" replay "$TMP/nope.json"
expect_rc replay_bad_model 2 "$SLABSTRESS" replay "$TMP/small.json" --model arm
expect_rc replay_no_file 2 "$SLABSTRESS" replay
expect_rc minimize_no_file 2 "$SLABSTRESS" minimize
expect_rc exhaustive_small_clean 0 "$SLABSTRESS" explore -s lazy-objexts --variant fixed \
	--strategy exhaustive --preemptions 0 --staleness 1 -q
expect_grep exhaustive_says_complete "complete within bounds" "$OUT"

# A graph reproducer checked in from an x86_64 build: its bytes ("GXG2", engine/gx_save.c)
# are the same on every architecture; tests/cross.sh replays it under qemu (arm64, ppc64le).
G=tests/fixtures/graph-rc1.json
expect_grep graph_fixture_is_portable_format '"schedule": "47584732' "$(cat "$G")"
expect_rc replay_graph_fixture 1 "$SLABSTRESS" replay "$G"
expect_grep replay_graph_fixture_matches "replay: matches the saved failure" "$OUT"
expect_grep replay_graph_fixture_engine "engine graph \(a graph of 14712 bytes\)" "$OUT"
# one record short, and a record count that is not the length: refused, one line
sed 's/\("schedule": "[0-9a-f]*\)[0-9a-f]\{176\}"/\1"/' "$G" >"$TMP/short.json"
expect_rc replay_graph_truncated 2 "$SLABSTRESS" replay "$TMP/short.json"
expect_grep replay_graph_truncated_says "not a graph this version saved" "$ERR"
sed 's/"schedule": "47584732a7/"schedule": "47584732a8/' "$G" >"$TMP/count.json"
expect_rc replay_graph_bad_count 2 "$SLABSTRESS" replay "$TMP/count.json"
finish
