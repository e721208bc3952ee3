#!/bin/sh
# tests/cli/test_fuzz_graph.sh - `slabstress fuzz --engine graph` (issue 13):
# libFuzzer's input makes the execution graph's choices (thread order, the
# write each read reads, co), and only graphs the model allows count.  The
# lazy-objexts rc1 hole is found under lkmm and saved as a graph reproducer
# that replays to the same failure; it is out of reach under sc; correct
# handoffs stay clean; relay-wrc (non-multicopy atomicity, out of lkvm's reach)
# is found; options that do not apply are one-line usage errors.  explore
# --engine graph --strategy pct (PCT's CPU order over the same chooser) too.
. "$(dirname "$0")/lib.sh"

"$SLABSTRESS" fuzz -s lazy-objexts --engine graph --runs 1 --save "$TMP/probe" >"$TMP/probe.out" 2>&1
if [ $? -eq 2 ] && grep -q "built without libFuzzer" "$TMP/probe.out"; then
	echo "skipped: fuzz --engine graph: this build has no libFuzzer (CC=gcc or SS_NO_LIBFUZZER=1)"
	exit 0
fi

# rc1 + lkmm: found within a bounded number of inputs, saved as a graph.
expect_rc fuzz_graph_rc1_found 1 "$SLABSTRESS" fuzz -s lazy-objexts --variant rc1 --engine graph \
	--runs 20000 --seed 1 --save "$TMP/found" --json "$TMP/rc1.json" --no-progress
expect_grep fuzz_graph_header 'engine graph: the input makes the graph.s choices' "$OUT"
expect_grep fuzz_graph_counts_consistent '[0-9]+ of them consistent graphs under lkmm' "$OUT"
expect_grep fuzz_graph_not_minimized 'wrong-metadata at .*found/lazy-objexts-rc1-lkmm-wrong-metadata-[0-9a-f]+\.json \(a graph, not minimized' "$OUT"
f=$(ls "$TMP"/found/lazy-objexts-rc1-lkmm-wrong-metadata-*.json 2>/dev/null | head -1)
if [ -n "$f" ] && [ -f "${f%.json}.txt" ]; then ok fuzz_graph_saves_reproducer_and_trace
else fail fuzz_graph_saves_reproducer_and_trace "none in $TMP/found: $(ls "$TMP/found" 2>&1)"; fi
expect_grep fuzz_graph_reproducer_engine '"engine": "graph"' "$(cat "$f" 2>/dev/null)"
expect_grep fuzz_graph_trace_stale_stride 'R slab->stride = 0 STALE' "$(cat "${f%.json}.txt" 2>/dev/null)"
expect_grep fuzz_graph_json_engine '"engine": "graph"' "$(cat "$TMP/rc1.json" 2>/dev/null)"
expect_rc fuzz_graph_rc1_replays 1 "$SLABSTRESS" replay "$f"
expect_grep fuzz_graph_replay_matches "replay: matches the saved failure" "$OUT"
expect_grep fuzz_graph_replay_engine "engine graph" "$OUT"
expect_rc fuzz_graph_replay_under_sc_clean 0 "$SLABSTRESS" replay "$f" --model sc
expect_rc fuzz_graph_minimize_refuses 2 "$SLABSTRESS" minimize "$f" -o "$TMP/m.json"

# Under sc the stale stride read is no execution: every input stays clean.
expect_rc fuzz_graph_rc1_sc_clean 0 "$SLABSTRESS" fuzz -s lazy-objexts --variant rc1 --engine graph \
	--model sc --runs 3000 --save "$TMP/none" --no-progress
expect_grep fuzz_graph_rc1_sc_clean_line 'clean: no failure in 3000 executions' "$OUT"

# Correct handoffs: clean over every input.
for s in "lazy-objexts --variant fixed" "release-acquire"; do
	tag=$(echo "$s" | sed 's/ --variant /_/')
	expect_rc "fuzz_graph_${tag}_clean" 0 "$SLABSTRESS" fuzz -s $s --engine graph --runs 2000 \
		--save "$TMP/none" --no-progress
	expect_grep "fuzz_graph_${tag}_clean_line" 'clean: no failure in 2000 executions' "$OUT"
done
if [ -z "$(ls "$TMP/none" 2>/dev/null)" ]; then ok fuzz_graph_clean_saves_nothing
else fail fuzz_graph_clean_saves_nothing "$(ls "$TMP/none")"; fi

# relay-wrc: a failure only non-multicopy atomicity reaches (lkvm cannot).
expect_rc fuzz_graph_relay_wrc_found 1 "$SLABSTRESS" fuzz -s relay-wrc --engine graph --runs 20000 \
	--seed 1 --save "$TMP/relay" --no-progress
w=$(ls "$TMP"/relay/relay-wrc-fixed-lkmm-*.json 2>/dev/null | head -1)
expect_rc fuzz_graph_relay_wrc_replays 1 "$SLABSTRESS" replay "$w"
expect_grep fuzz_graph_relay_wrc_replay_matches "replay: matches the saved failure" "$OUT"

# explore --engine graph --strategy pct: the same chooser, PCT's CPU order.
expect_rc pct_graph_rc1_found 1 "$SLABSTRESS" explore -s lazy-objexts --variant rc1 --engine graph \
	--strategy pct --executions 2000 --save "$TMP/pct" --no-explain
expect_grep pct_graph_header 'pct execution graphs \(2000, depth 3, seed 1\)' "$OUT"
expect_grep pct_graph_line 'pct over graphs: n=2 CPUs, d=3: 2 change points' "$OUT"
p=$(ls "$TMP"/pct/lazy-objexts-rc1-lkmm-wrong-metadata-*.json 2>/dev/null | head -1)
expect_rc pct_graph_rc1_replays 1 "$SLABSTRESS" replay "$p"
expect_grep pct_graph_rc1_replay_matches "replay: matches the saved failure" "$OUT"
expect_rc pct_graph_relay_wrc_found 1 "$SLABSTRESS" explore -s relay-wrc --engine graph \
	--strategy pct --executions 2000 -q
expect_rc pct_graph_fixed_clean 0 "$SLABSTRESS" explore -s lazy-objexts --variant fixed \
	--engine graph --strategy pct --depth 2 --history 2 --executions 1000
expect_grep pct_graph_fixed_not_a_proof 'clean: no failure in 1000 graphs under lkmm \(sample: not a proof\)' "$OUT"

# --races: the corpus run again as graphs, LKMM's data-race flag decided on each
# consistent one; the GenMC shape's plain stride (wmb-rmb) races store/store and
# store/load; --races fail saves a graph reproducer that replays to the race
G="$(dirname "$0")/../genmc/genmc_slab.c"
expect_rc fuzz_graph_races_fail 1 "$SLABSTRESS" fuzz -s "$G" --iters 21 --variant wmb-rmb \
	--engine graph --races fail --runs 20000 --seed 1 --save "$TMP/races" --no-progress
expect_grep fuzz_graph_race_store_store "^data race: CPU [01] plain store of st->stride at genmc_slab.c:[0-9]+ \(gs_set_stride\) races with CPU [01] plain store .*\(exact check of the execution graph\)" "$OUT"
expect_grep fuzz_graph_races_failed "^FAILED: [0-9]+ data races? \(--races fail\) in [0-9]+ corpus input" "$OUT"
f=$(ls "$TMP"/races/*-data-race-*.json 2>/dev/null | head -1)
expect_rc fuzz_graph_race_replays 1 "$SLABSTRESS" replay "$f" --no-explain
expect_grep fuzz_graph_race_replay_matches "replay: matches the saved failure" "$OUT"
expect_rc fuzz_graph_fixed_no_race 0 "$SLABSTRESS" fuzz -s lazy-objexts --variant fixed \
	--engine graph --races fail --runs 5000 --seed 1 --no-progress
if printf '%s\n' "$OUT" | grep -q "^data race"; then fail fuzz_graph_fixed_reports_none "$OUT"
else ok fuzz_graph_fixed_reports_none; fi

# Options that do not apply to graphs: exit 2, one line.
for bad in "--deps check" "--minimize-execs 10"; do
	tag=$(echo "$bad" | tr -d -- '-' | tr ' ' '_')
	expect_rc "fuzz_graph_refuses_$tag" 2 "$SLABSTRESS" fuzz -s lazy-objexts --engine graph $bad
	expect_grep "fuzz_graph_refuses_${tag}_line" "^slabstress: ${bad%% *}.* with --engine graph: " "$ERR"
	[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] && ok "fuzz_graph_refuses_${tag}_one_line" ||
		fail "fuzz_graph_refuses_${tag}_one_line" "$ERR"
done
expect_rc fuzz_bad_engine 2 "$SLABSTRESS" fuzz -s lazy-objexts --engine fast
expect_grep fuzz_bad_engine_line "^slabstress: unknown --engine 'fast': expected lkvm or graph$" "$ERR"
finish
