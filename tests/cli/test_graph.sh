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
jq '.schedule = "00ff"' "$f" >"$TMP/bad-bytes.json"
expect_rc replay_bad_graph_bytes 2 "$SLABSTRESS" replay "$TMP/bad-bytes.json"
expect_grep replay_bad_graph_bytes_line "bad-bytes.json: not a graph this version saved" "$ERR"
jq '.variant = "fixed"' "$f" >"$TMP/other-variant.json"
expect_rc replay_other_variant 2 "$SLABSTRESS" replay "$TMP/other-variant.json"
expect_grep replay_other_variant_line "the scenario did not re-create the saved graph" "$ERR"
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

# the seed matrix on graphs: every cell as the rule expects, every clean cell proved
expect_rc matrix_graph 0 "$SLABSTRESS" matrix --engine graph --json "$TMP/m.json"
expect_grep matrix_graph_all_expected "expectation: 84 of 84 cells as expected" "$OUT"
expect_grep matrix_graph_rc1 "^lazy-objexts +rc1 +Proved +Proved +Found wrong-metadata" "$OUT"
expect_grep matrix_graph_fixed "^lazy-objexts +fixed +Proved +Proved +Proved" "$OUT"
expect_grep matrix_graph_json_engine '"engine": "graph"' "$(cat "$TMP/m.json")"
expect_grep matrix_graph_json_proved '"proved": true' "$(cat "$TMP/m.json")"
# the three-CPU relays: the two LKVM cannot reach are found on graphs (non-multicopy
# atomicity), their release fixes proved, as herd7 judges tests/litmus/relay/
expect_rc matrix_relays 0 "$SLABSTRESS" matrix --engine graph --variants fixed \
	--scenarios relay-once,relay-acquire-release,relay-wrc,relay-wrc-release
expect_grep relay_once_found "^relay-once +fixed +Proved +Proved +Found " "$OUT"
expect_grep relay_wrc_found "^relay-wrc +fixed +Proved +Proved +Found " "$OUT"
expect_grep relay_acqrel_proved "^relay-acquire-release +fixed +Proved +Proved +Proved" "$OUT"
expect_grep relay_wrc_release_proved "^relay-wrc-release +fixed +Proved +Proved +Proved" "$OUT"
for s in relay-once relay-wrc; do
	expect_rc "${s}_saved" 1 "$SLABSTRESS" explore -s $s --engine graph --save "$TMP/relay" -q
	f=$(ls "$TMP"/relay/$s-fixed-lkmm-*.json 2>/dev/null | head -1)
	"$SLABSTRESS" replay "$f" --litmus >"$TMP/$s.litmus"
	expect_rc "${s}_litmus_sometimes" 0 "$SLABSTRESS" litmus "$TMP/$s.litmus"
	expect_grep "${s}_litmus_agrees" "Expected \(Result: Sometimes\) -> agree" "$OUT"
done
# every failure the graph engine finds under lkmm exports to a test the exact
# checker calls Sometimes
"$SLABSTRESS" matrix --engine graph --models lkmm --variants rc1 --save "$TMP/all" \
	--scenarios lazy-objexts,once,plain,pid-fastpath,tty-flush-old,cmpxchg-relaxed,consumer-lock >/dev/null
# export_all NAME FROM PATTERN: every saved lkmm failure, replay --litmus=FROM,
# must give a test whose `slabstress litmus` output matches PATTERN (the Kept:
# lines collect in kept.txt)
export_all() {
	n=0
	for f in "$TMP"/all/*-lkmm-*.json; do
		"$SLABSTRESS" replay "$f" --litmus="$2" >"$TMP/e.litmus" || { fail "$1 export $f"; continue; }
		grep "Kept: " "$TMP/e.litmus" >>"$TMP/kept.txt"
		if "$SLABSTRESS" litmus "$TMP/e.litmus" | grep -q "$3"; then
			n=$((n + 1))
		else
			fail "$1 $(basename "$f")" "$(head -12 "$TMP/e.litmus")"
		fi
	done
	if [ "$n" -eq 7 ]; then ok "$1"; else fail "$1" "$n of 7"; fi
}
export_all all_found_export_sometimes auto "^Observation .* Sometimes"
# --litmus graph: the same failures as the graphs the exact checker saw (all of
# a graph, or its shortest po|rf|co|fr cycle), each judged before it is written:
# its Result line (DATARACE included) is what `slabstress litmus` finds again
export_all all_found_graph_export_sometimes graph "Expected (Result: Sometimes.*) -> agree"
# the larger graphs are cut down to their cycle
expect_grep graph_export_says_what_it_kept "Kept: the shortest po \\| rf \\| co \\| fr cycle" "$(cat "$TMP/kept.txt")"
expect_rc litmus_from_bad 2 "$SLABSTRESS" replay "$f" --litmus=trace
expect_grep litmus_from_bad_line "unknown --litmus 'trace': expected chain, graph or auto" "$ERR"
expect_rc litmus_from_spaced 2 "$SLABSTRESS" replay "$f" --litmus graph
expect_grep litmus_from_spaced_line "takes its value after '=': --litmus=graph" "$ERR"

# the GenMC shape (tests/genmc): the fixed slab proved for 2 threads x 1
# iteration, the buggy one found
G=tests/genmc/genmc_slab.c
expect_rc genmc_2x1_proof 0 "$SLABSTRESS" explore -s $G --iters 21 --variant custom \
	--set stride=early,stride-access=once,rmb-before-stride=on --engine graph
expect_grep genmc_2x1_proof_line "^proof: all [0-9]+ consistent executions under lkmm explored" "$OUT"
# GenMC 0.9 counts 42 and 462 complete executions on the same program
# (tests/genmc/genmc_slab_for_genmc.c, README there): so must the graph engine
expect_grep genmc_2x1_genmc_count "^proof: all 42 consistent executions" "$OUT"
expect_rc genmc_2x2_proof 0 "$SLABSTRESS" explore -s $G --iters 22 --variant custom \
	--set stride=early,stride-access=once,rmb-before-stride=on --engine graph
expect_grep genmc_2x2_genmc_count "^proof: all 462 consistent executions" "$OUT"
expect_rc genmc_side_by_side 0 env -u GENMC SLABSTRESS="$SLABSTRESS" sh tests/genmc/run_genmc.sh 21
expect_grep genmc_side_by_side_ours "^2x1 slabstress: 42 executions, [0-9.]+ s$" "$OUT"
expect_grep genmc_side_by_side_skipped "^2x1 genmc: skipped \(set GENMC" "$OUT"
# the shape of GenMC's 432 extra executions at 3x1 (default checks): LKMM forbids it
expect_rc genmc_extra_shape_never 0 "$SLABSTRESS" litmus tests/genmc/gs-stride-mp3.litmus
expect_grep genmc_extra_shape_never_line "^Observation gs-stride-mp3 Never 0 9" "$OUT"
expect_rc genmc_side_by_side_bad_shape 2 sh tests/genmc/run_genmc.sh 51
expect_grep genmc_side_by_side_bad_shape_line "shape '51': expected TI" "$ERR"
expect_rc genmc_side_by_side_bad_genmc 2 env GENMC=/nonexistent/genmc sh tests/genmc/run_genmc.sh 21
expect_grep genmc_side_by_side_bad_genmc_line "GENMC '/nonexistent/genmc': expected a GenMC 0.9 binary" "$ERR"
expect_rc genmc_2x1_found 1 "$SLABSTRESS" explore -s $G --iters 21 --variant rc1 --engine graph -q
expect_grep genmc_2x1_wrong_metadata "wrong-metadata" "$OUT"

# a sub-word store is one write (no read of its word): the S shape with a 16-bit
# store is found under lkmm (S+poonceonces: Sometimes), by the graph engine and
# by the default engine's graph check; sc and tso prove it clean
S=tests/shapes/subword_s.c
expect_rc subword_s_found 1 "$SLABSTRESS" explore -s $S --engine graph --model lkmm
expect_grep subword_s_found_line "invariant .*S: CPU 1 saw y == 1" "$OUT"
expect_grep subword_s_lkmm_only "lkmm FAILS \(this graph\)" "$OUT"
expect_rc subword_s_default_engine 1 "$SLABSTRESS" explore -s $S --model lkmm -q
expect_rc subword_s_tso_proof 0 "$SLABSTRESS" explore -s $S --engine graph --model tso
expect_grep subword_s_tso_proof_line "^proof: all 4 consistent executions under tso" "$OUT"
# not message passing: --litmus writes its whole graph, Sometimes for the exact checker
expect_rc subword_s_saved 1 "$SLABSTRESS" explore -s $S --engine graph --save "$TMP/sw" -q
f=$(ls "$TMP"/sw/subword-s-*.json 2>/dev/null | head -1)
expect_rc subword_s_litmus 0 "$SLABSTRESS" replay "$f" --litmus
expect_grep subword_s_litmus_whole "Kept: every event" "$OUT"
printf '%s\n' "$OUT" >"$TMP/sw.litmus"
expect_rc subword_s_litmus_sometimes 0 "$SLABSTRESS" litmus "$TMP/sw.litmus"
expect_grep subword_s_litmus_agrees "Expected \(Result: Sometimes\) -> agree" "$OUT"
expect_rc subword_s_litmus_chain_refused 3 "$SLABSTRESS" replay "$f" --litmus=chain
expect_grep subword_s_litmus_chain_why "no stale load" "$ERR"

# SIGINT stops a long search: what was found is kept, and it is not a proof
timeout --preserve-status -s INT 2 "$SLABSTRESS" explore -s $G --iters 32 --variant custom \
	--set stride=early,stride-access=once,rmb-before-stride=on --engine graph \
	--json "$TMP/int.json" >"$TMP/int.out" 2>&1
rc=$?
if [ $rc -eq 0 ]; then ok sigint_exit_0; else fail sigint_exit_0 "exit $rc"; fi
expect_grep sigint_not_a_proof "\(interrupted: not a proof\)" "$(cat "$TMP/int.out")"
expect_grep sigint_json_interrupted '"result": "interrupted"' "$(cat "$TMP/int.json")"

expect_rc matrix_merge_engine_refused 2 "$SLABSTRESS" matrix --merge "$TMP/m.json" --engine graph
expect_grep matrix_merge_engine_line "matrix --merge: --engine not allowed" "$ERR"
expect_rc matrix_bad_engine 2 "$SLABSTRESS" matrix --engine fast
expect_grep matrix_bad_engine_line "unknown --engine 'fast': expected lkvm or graph" "$ERR"

expect_rc graph_deps_check_refused 2 "$SLABSTRESS" explore -s once --engine graph --deps check
expect_grep graph_deps_check_line "--deps check with --engine graph: expected explicit or provenance" "$ERR"
expect_rc graph_provenance 1 "$SLABSTRESS" explore -s lazy-objexts --variant rc1 --engine graph \
	--deps provenance -q

expect_rc bad_engine 2 "$SLABSTRESS" explore -s once --engine fast
expect_grep bad_engine_line "unknown --engine 'fast': expected lkvm or graph" "$ERR"
expect_rc graph_pct_found 1 "$SLABSTRESS" explore -s once --engine graph --strategy pct -q
expect_grep graph_pct_line "stale-content" "$OUT"

# sampling graphs at random: reads from later writes are sampled too, so the
# non-multicopy-atomic relay failure shows; a clean sample is no proof
expect_rc sample_rc1 1 "$SLABSTRESS" explore -s lazy-objexts --variant rc1 --engine graph \
	--strategy random --executions 2000 --no-explain
expect_rc sample_relay_wrc 1 "$SLABSTRESS" explore -s relay-wrc --engine graph \
	--strategy random --executions 5000 --no-explain --save "$TMP/sampled"
expect_grep sample_relay_wrc_header "random execution graphs" "$OUT"
f=$(ls "$TMP"/sampled/relay-wrc-*.json 2>/dev/null | head -1)
expect_rc sample_replays 1 "$SLABSTRESS" replay "$f" --no-explain
expect_grep sample_replay_matches "replay: matches the saved failure" "$OUT"
expect_rc sample_fixed 0 "$SLABSTRESS" explore -s lazy-objexts --variant fixed --engine graph \
	--strategy random --executions 500
expect_grep sample_not_a_proof "\(sample: not a proof\)" "$OUT"
expect_rc graph_races_resume_refused 2 "$SLABSTRESS" explore -s once --engine graph --races fail \
	--resume "$TMP/races.state"
expect_grep graph_races_resume_line "^slabstress: --races fail with --resume: expected ignore" "$ERR"

# a deadlock or a hang is a failure, never a spin loop the search may cut (a
# graph where every waiting CPU waits for good: the lock's co-latest value is
# held, no newer write follows what the poll read); both engines report it, and
# the graph reproducer replays to it
D="$(dirname "$0")/../deadlock"
for e in lkvm graph; do
	expect_rc abba_${e}_deadlock 1 "$SLABSTRESS" explore -s "$D/abba.c" --engine $e --no-explain \
		--save "$TMP/abba-$e"
	expect_grep abba_${e}_line "deadlock on CPU .*: all unfinished CPUs are blocked: cpu 0 on a spinlock; cpu 1 on a spinlock" "$OUT"
	# the trace shows each CPU's acquisition and where each one waits
	expect_grep abba_${e}_cpu0_lock "^ +[0-9]+ \| spin_lock\(&st->a\) +abba.c:24" "$OUT"
	expect_grep abba_${e}_cpu1_lock "^ +[0-9]+ \| +\| spin_lock\(&st->b\) +abba.c:35" "$OUT"
	n=$(printf '%s\n' "$OUT" | grep -c -- "-- blocked (lock)")
	if [ "$n" -eq 2 ]; then ok abba_${e}_both_blocked; else fail abba_${e}_both_blocked "$n blocked rows"; fi
	expect_rc hang_${e}_deadlock 1 "$SLABSTRESS" explore -s "$D/hang.c" --engine $e --no-explain
	expect_grep hang_${e}_line "all unfinished CPUs are blocked: cpu 0 polling for a new value" "$OUT"
done
# a run bounded by time only states no graph limit (it printed "at most 0")
expect_rc duration_only_header 0 "$SLABSTRESS" explore -s lazy-objexts --variant fixed \
	--engine graph --duration 30
expect_grep duration_only_no_limit "every execution graph \(no limit\)" "$OUT"
f=$(ls "$TMP"/abba-graph/abba-*-deadlock-*.json 2>/dev/null | head -1)
expect_rc abba_graph_replays 1 "$SLABSTRESS" replay "$f" --no-explain
expect_grep abba_graph_replay_matches "replay: matches the saved failure" "$OUT"
finish
