#!/bin/sh
# tests/cli/test_load_buffering.sh - load buffering in scenario code: a scenario
# file whose roles declare their branches (BRANCH_ON, .branches_declared) is
# explored by the graph engine with each store ordered only after the loads its
# CPU branched on, so a (po | rf) cycle is reached.  tests/lb/lb_recycle.c fails
# only through LB: found under lkmm (LKVM cannot reach it), its reproducer
# replays to the same failure, exports to the LB litmus test the exact checker
# (and herd7, when installed) calls Sometimes; sc and tso prove it clean, and
# the release fix is proved under lkmm with the load-buffering guarantee.
. "$(dirname "$0")/lib.sh"
LB="$(dirname "$0")/../lb/lb_recycle.c"
LBR="$(dirname "$0")/../lb/lb_recycle_release.c"

# the declaration is listed, in text and JSON; every built-in declares its
# branches (the registry, as list prints it: one "name" per scenario)
expect_rc lb_listed 0 "$SLABSTRESS" list scenarios -v -s "$LB"
expect_grep lb_listed_declared "branches declared \(BRANCH_ON\)" "$OUT"
expect_rc lb_listed_json 0 "$SLABSTRESS" list scenarios --json -s "$LB"
expect_grep lb_listed_json_true '"branches_declared": true' "$OUT"
expect_rc builtins_listed_json 0 "$SLABSTRESS" list scenarios --json
names=$(echo "$OUT" | grep -c '"name":')
declared=$(echo "$OUT" | grep -c '"branches_declared": true')
if [ "$names" -gt 20 ] && [ "$declared" = "$names" ]; then
	ok builtins_all_declared
else
	fail builtins_all_declared "$declared of $names built-in scenarios declare their branches"
fi

# a built-in's proof covers load buffering in its roles; the allocator is
# opaque; the broken handoffs are still found, the same way
expect_rc builtin_proof 0 "$SLABSTRESS" explore -s release-acquire --iters 2 --model lkmm \
	--engine graph --races ignore
expect_grep builtin_proof_lb "^proof: all 4 consistent executions .*load buffering included: .*inside opaque code \(the allocator\)" "$OUT"
expect_rc builtin_relay_proof 0 "$SLABSTRESS" explore -s relay-wrc-release --model lkmm \
	--engine graph --races ignore
expect_grep builtin_relay_proof_lb "^proof: all 8 consistent executions .*load buffering included" "$OUT"
expect_rc builtin_seed_found 1 "$SLABSTRESS" explore -s lazy-objexts --variant rc1 --model lkmm \
	--engine graph --races ignore
expect_grep builtin_seed_wrong_metadata "first failure: .*wrong-metadata on CPU 1" "$OUT"

expect_rc lb_found 1 "$SLABSTRESS" explore -s "$LB" --model lkmm --engine graph --save "$TMP/lb"
expect_grep lb_double_free "first failure: .*double-free on CPU 0 .*freed twice" "$OUT"
expect_grep lb_reads_later_store "R st->done = 0x1" "$OUT"
expect_grep lb_lkmm_only "attribution: sc clean \(proof\) tso clean \(proof\) lkmm FAILS" "$OUT"
f=$(ls "$TMP"/lb/lb-recycle-*-lkmm-double-free-*.json 2>/dev/null | head -1)
expect_rc lb_replays 1 "$SLABSTRESS" replay "$f"
expect_grep lb_replay_matches "replay: matches the saved failure" "$OUT"
"$SLABSTRESS" replay "$f" --litmus >"$TMP/lb.litmus"
expect_grep lb_litmus_shape "r0 = READ_ONCE\(\*done\);" "$(cat "$TMP/lb.litmus")"
expect_grep lb_litmus_exists "exists \(0:r0=1 /\\\\ 1:r0=1" "$(cat "$TMP/lb.litmus")"
expect_rc lb_litmus_sometimes 0 "$SLABSTRESS" litmus "$TMP/lb.litmus"
expect_grep lb_litmus_agrees "Expected \(Result: Sometimes\) -> agree" "$OUT"
if command -v herd7 >/dev/null 2>&1 && [ -n "${HERD_LKMM_DIR:-}" ]; then
	(cd "$HERD_LKMM_DIR" && herd7 -conf linux-kernel.cfg "$TMP/lb.litmus") >"$TMP/herd.out" 2>&1
	expect_grep lb_herd7_sometimes "^Observation .* Sometimes" "$(cat "$TMP/herd.out")"
else
	echo "skipped lb_herd7_sometimes (herd7 or HERD_LKMM_DIR not set)"
fi

# LKVM has no (po | rf) cycle: clean there, found by the default graph check
expect_rc lb_lkvm_clean 0 "$SLABSTRESS" explore -s "$LB" --model lkmm --engine lkvm
expect_rc lb_default_graph_check 1 "$SLABSTRESS" explore -s "$LB" --model lkmm
expect_grep lb_default_names_lb "FAILED under lkmm on the execution graphs: double-free.*load buffering" "$OUT"
for m in sc tso; do
	expect_rc "lb_${m}_proof" 0 "$SLABSTRESS" explore -s "$LB" --model $m --engine graph
	expect_grep "lb_${m}_proof_line" "^proof: all 3 consistent executions under $m explored" "$OUT"
done

# the release fix: both LB executions refused, the rest proved, LB included
expect_rc lb_release_proof 0 "$SLABSTRESS" explore -s "$LBR" --model lkmm --engine graph
expect_grep lb_release_proof_line "^proof: all 3 consistent executions under lkmm explored, no failure .*load buffering included" "$OUT"
expect_grep lb_release_refused "2 refused by lkmm as soon as built" "$OUT"

# GenMC's shape declares its branches: the proof covers LB, with the counts of
# the conservative search (42 executions, 8 graphs refused once built); a
# critical section's load of the freelist is never offered a later section's
# store (coherence refuses it in the store's prefix: 52 refused without that)
G="$(dirname "$0")/../genmc/genmc_slab.c"
expect_rc genmc_lb_proof 0 "$SLABSTRESS" explore -s "$G" --iters 21 --model lkmm --engine graph \
	--races ignore --variant custom --set stride=early,stride-access=once,rmb-before-stride=on
expect_grep genmc_lb_proof_line "^proof: all 42 consistent executions under lkmm explored, no failure .*load buffering included" "$OUT"
expect_grep genmc_lb_refused " 8 refused by lkmm as soon as built" "$OUT"

# the same with --jobs and with sampling
expect_rc lb_jobs_found 1 "$SLABSTRESS" explore -s "$LB" --model lkmm --engine graph --jobs 2 --no-explain
expect_grep lb_jobs_double_free "first failure: .*double-free" "$OUT"
expect_rc lb_random_found 1 "$SLABSTRESS" explore -s "$LB" --model lkmm --engine graph --strategy random \
	--executions 2000 --no-explain
finish
