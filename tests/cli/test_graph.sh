#!/bin/sh
# tests/cli/test_graph.sh - `explore --engine graph` (issue 13): the scenario
# on execution graphs, each checked against the model.  rc1's stride race is
# found, saved, replayed (in a new process) to the same failure, and exported
# to a litmus test the exact checker calls Sometimes; the fixed variants are
# proved clean under every model; the broken handoffs fail under lkmm only;
# JSON; bad combinations of options.
. "$(dirname "$0")/lib.sh"

expect_rc rc1_found 1 "$SLABSTRESS" explore -s lazy-objexts --variant rc1 --engine graph \
	--save "$TMP/found"
expect_grep rc1_header "engine graph" "$OUT"
expect_grep rc1_wrong_metadata "first failure: .* wrong-metadata on CPU 1 .* \(check_ext\)" "$OUT"
expect_grep rc1_stale_stride "R slab->stride = 0 STALE" "$OUT"
f=$(ls "$TMP"/found/lazy-objexts-rc1-lkmm-wrong-metadata-*.json 2>/dev/null | head -1)
if [ -n "$f" ]; then ok rc1_reproducer_saved; else fail rc1_reproducer_saved "none in $TMP/found"; fi
expect_grep rc1_reproducer_engine '"engine": "graph"' "$(cat "$f")"
expect_rc rc1_replays 1 "$SLABSTRESS" replay "$f"
expect_grep rc1_replay_matches "replay: matches the saved failure" "$OUT"
expect_grep rc1_replay_says_graph "engine graph" "$OUT"
expect_rc rc1_replay_json 1 "$SLABSTRESS" replay "$f" --format json
expect_grep rc1_replay_json_same "\"matches_saved\": true" "$OUT"
expect_grep rc1_replay_json_engine "\"emu_engine\": \"graph\"" "$OUT"
"$SLABSTRESS" replay "$f" --litmus >"$TMP/rc1.litmus"
expect_grep rc1_litmus_written "^C slabstress-lazy-objexts-rc1" "$(cat "$TMP/rc1.litmus")"
expect_rc rc1_litmus_sometimes 0 "$SLABSTRESS" litmus "$TMP/rc1.litmus"
expect_grep rc1_litmus_agrees "Expected \(Result: Sometimes\) -> agree" "$OUT"
expect_rc rc1_under_sc_clean 0 "$SLABSTRESS" replay "$f" --model sc
expect_grep rc1_under_sc_not_allowed "not consistent under sc" "$OUT"
expect_rc minimize_refuses_graph 2 "$SLABSTRESS" minimize "$f" -o "$TMP/m.json"
expect_grep minimize_says_why "a graph engine reproducer" "$ERR"

for v in fixed wmb-rmb early-stride; do
	for m in sc tso lkmm; do
		expect_rc "proof_${v}_$m" 0 "$SLABSTRESS" explore -s lazy-objexts --variant $v \
			--model $m --engine graph
		expect_grep "proof_line_${v}_$m" "^proof: all [0-9]+ consistent executions under $m explored, no failure" "$OUT"
	done
done

for s in once plain; do
	expect_rc "broken_${s}_lkmm" 1 "$SLABSTRESS" explore -s $s --engine graph -q
	expect_rc "broken_${s}_sc" 0 "$SLABSTRESS" explore -s $s --engine graph --model sc -q
done

expect_rc json_proof 0 "$SLABSTRESS" explore -s lazy-objexts --variant fixed --engine graph \
	--json -
expect_grep json_engine '"engine": "graph"' "$OUT"
expect_grep json_proof_true '"proof": true' "$OUT"
expect_grep json_result_proof '"result": "proof"' "$OUT"

expect_rc budget_not_a_proof 0 "$SLABSTRESS" explore -s lazy-objexts --variant fixed --engine graph \
	--executions 1
expect_grep budget_says_so "clean: no failure in 1 graphs under lkmm \(incomplete: not a proof\)" "$OUT"

expect_rc bad_engine 2 "$SLABSTRESS" explore -s once --engine fast
expect_grep bad_engine_line "unknown --engine 'fast': expected lkvm or graph" "$ERR"
expect_rc graph_random_refused 2 "$SLABSTRESS" explore -s once --engine graph --strategy random
expect_grep graph_random_line "--strategy random with --engine graph: expected exhaustive" "$ERR"
expect_rc graph_races_refused 2 "$SLABSTRESS" explore -s once --engine graph --races fail
expect_grep graph_races_line "--races fail with --engine graph: expected ignore" "$ERR"

finish
