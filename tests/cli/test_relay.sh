#!/bin/sh
# tests/cli/test_relay.sh - the three-CPU relay scenarios (issue 13 part 4) and the
# GenMC-shape scenario file tests/genmc/genmc_slab.c, through the binary.
#
# Relays: listed with their class; explore's LKVM model finds every one Clean under
# lkmm, tso and sc (relay-once and relay-wrc are broken only through non-multicopy
# atomicity, which LKVM cannot produce: the matrix with --engine lkvm marks them
# "?", its default finds them on the graphs); each runs
# natively; the hand-written litmus tests of their handoffs (tests/litmus/relay/)
# agree with their herd7 Result: lines on the exact checker, and the LKVM litmus
# engine misses the two Sometimes ones.
# GenMC shape: rc1 (stride stored after the install) Found under sc and lkmm, the
# early plain stride without smp_rmb Found under lkmm only and exported to a litmus
# test the exact checker calls Sometimes, the marked stride + smp_rmb fix Clean (and
# complete within the exhaustive bounds for 2 threads x 1), a bad --iters reported.
. "$(dirname "$0")/lib.sh"
S=$SLABSTRESS
RELAYS="relay-once relay-acquire-release relay-wrc relay-wrc-release"

expect_rc list 0 "$S" list scenarios
for row in relay-once:broken relay-acquire-release:correct relay-wrc:broken \
	relay-wrc-release:correct; do
	expect_grep "list_${row%%:*}" "^${row%%:*} +3 +${row#*:} " "$OUT"
done
expect_grep list_nmca_summary 'relay-wrc .*non-multicopy-atomic: broken' "$OUT"

# LKVM verdicts: Clean for every relay under every model (2000 executions each);
# under lkmm the graph check that follows a clean LKVM search proves the correct
# relays and finds the two non-multicopy-atomic failures LKVM cannot produce (exit 1)
for s in $RELAYS; do
	for m in lkmm tso sc; do
		want=0
		case $s:$m in relay-once:lkmm | relay-wrc:lkmm) want=1 ;; esac
		expect_rc "explore_${s}_$m" $want "$S" explore -s "$s" --model $m --executions 2000 \
			--no-progress --no-explain &&
			expect_grep "explore_${s}_${m}_clean" "^clean: no failure in 2000 executions" "$OUT"
		case $s:$m:$want in
		*:lkmm:1) expect_grep "explore_${s}_graphs_fail" "^FAILED under lkmm on the execution graphs: .* in an execution LKVM cannot produce" "$OUT" ;;
		*:lkmm:0) expect_grep "explore_${s}_graphs_prove" "^proof: every execution graph under lkmm has no failure \([0-9]+ graphs" "$OUT" ;;
		*) if printf '%s\n' "$OUT" | grep -qE "^(proof: every execution graph|FAILED under lkmm on the execution graphs)"; then
			fail "explore_${s}_${m}_no_graph_check" "$OUT"
		   else ok "explore_${s}_${m}_no_graph_check"; fi ;;
		esac
	done
done
# --engine lkvm asked for: LKVM alone, no graph check (its clean stands, exit 0)
expect_rc explore_relay-wrc_lkvm_only 0 "$S" explore -s relay-wrc --engine lkvm --executions 2000 \
	--no-progress --no-explain
if printf '%s\n' "$OUT" | grep -qE "^(proof: every execution graph|FAILED under lkmm on the execution graphs|not a proof: the execution graphs)"; then fail explore_relay-wrc_lkvm_no_graph_check "$OUT"
else ok explore_relay-wrc_lkvm_no_graph_check; fi
# the JSON says what the graph check found, and a --save keeps its graph reproducer,
# which replays to the same failure
expect_rc explore_relay-wrc_graph_check_json 1 "$S" explore -s relay-wrc --executions 2000 \
	--no-progress --no-explain --json "$TMP/rw.json" --save "$TMP/rw"
expect_grep explore_relay-wrc_json_graph_check '"graph_check": \{' "$(cat "$TMP/rw.json")"
expect_grep explore_relay-wrc_json_found '"found": true' "$(cat "$TMP/rw.json")"
expect_grep explore_relay-wrc_saved "^  saved its graph reproducer as .*/relay-wrc-" "$OUT"
f=$(ls "$TMP"/rw/relay-wrc-*.json 2>/dev/null | head -1)
expect_rc explore_relay-wrc_graph_check_replays 1 "$S" replay "$f" --no-explain
expect_grep explore_relay-wrc_graph_check_matches "replay: matches the saved failure" "$OUT"
# ... and under the bounded exhaustive search too (LKVM is multicopy-atomic; the
# graph check is what fails)
for s in relay-once relay-wrc; do
	expect_rc "explore_${s}_exhaustive" 1 "$S" explore -s "$s" --strategy exhaustive \
		--executions 3000 --no-progress --no-explain -q
	expect_grep "explore_${s}_exhaustive_lkvm_clean" "^clean: no failure in [0-9]+ executions" "$OUT"
	expect_grep "explore_${s}_exhaustive_graphs" "^FAILED under lkmm on the execution graphs" "$OUT"
done

# natively, on real threads (3 roles: not pinned, the machine may have 2 CPUs)
for s in $RELAYS; do
	"$S" run -s "$s" --pin none --rounds 2 --iters 500 --no-progress -q >"$TMP/run" 2>&1
	rc=$?
	case $s:$rc in
	*:0 | relay-once:1 | relay-wrc:1) ok "run_$s" ;; # broken ones may fail on weak hardware
	*) fail "run_$s" "run -s $s: exit $rc" "$(tail -3 "$TMP/run")" ;;
	esac
done

# the matrix with lkvm alone: Clean everywhere, the two LKVM cannot reach marked
# "?" (missed); by default a clean lkmm cell is then decided on the graphs, which
# find those two and prove the release-fixed ones
expect_rc matrix 0 "$S" matrix --scenarios "$(echo "$RELAYS" | tr ' ' ,)" --variants fixed \
	--executions 200 --engine lkvm
expect_grep matrix_once_missed '^relay-once +fixed +Clean +Clean +Clean \?' "$OUT"
expect_grep matrix_wrc_missed '^relay-wrc +fixed +Clean +Clean +Clean \?' "$OUT"
expect_grep matrix_acq_rel '^relay-acquire-release +fixed +Clean +Clean +Clean *$' "$OUT"
expect_grep matrix_summary '10 of 12 cells as expected' "$OUT"
expect_rc matrix_default 0 "$S" matrix --scenarios "$(echo "$RELAYS" | tr ' ' ,)" \
	--variants fixed --executions 200
expect_grep matrix_default_once_found '^relay-once +fixed +Clean +Clean +Found' "$OUT"
expect_grep matrix_default_wrc_found '^relay-wrc +fixed +Clean +Clean +Found' "$OUT"
expect_grep matrix_default_acq_rel_proved '^relay-acquire-release +fixed +Clean +Clean +Proved' "$OUT"
expect_grep matrix_default_summary '12 of 12 cells as expected' "$OUT"

# the hand-written litmus tests: the exact checker agrees with herd7 on each
L=tests/litmus/relay
expect_rc litmus 0 "$S" litmus -q $L/*.litmus
expect_grep litmus_all_agree '^5 tests: 5 agree, 0 disagree' "$OUT"
expect_rc litmus_verdicts 0 "$S" litmus $L/*.litmus
for tv in relay-once:Sometimes relay-acquire-release:Never relay-wrc:Sometimes \
	relay-wrc-release:Never relay-wrc-mb:Never; do
	t=${tv%%:*}; v=${tv#*:}
	expect_grep "litmus_$t" "^Observation $t $v " "$OUT"
	expect_grep "litmus_${t}_result_line" "Result: $v" "$(cat "$L/$t.litmus")"
done
# LKVM, multicopy-atomic, cannot reach the two Sometimes outcomes
expect_rc litmus_lkvm 0 "$S" litmus --engine lkvm --model lkmm --misses-ok $L/*.litmus
expect_grep litmus_lkvm_once '^Observation relay-once Never ' "$OUT"
expect_grep litmus_lkvm_wrc '^Observation relay-wrc Never ' "$OUT"

# ---- the GenMC shape (a scenario file: needs the -rdynamic binary and a compiler) ----
if [ -n "${SS_SKIP_OWN_BUILDS:-}" ]; then
	echo "skipped genmc_slab: needs the -rdynamic binary (run by make check)"
	finish
	exit
fi
if ! command -v "${CC:-cc}" >/dev/null 2>&1 && ! command -v clang >/dev/null 2>&1; then
	echo "skipped genmc_slab: no C compiler"
	finish
	exit
fi
export XDG_CACHE_HOME="$TMP/cache"
G=tests/genmc/genmc_slab.c
FIX="custom --set stride=early,stride-access=once,rmb-before-stride=on"
gx() { # gx NAME RC ARGS...: explore the GenMC shape
	name=$1; rc=$2; shift 2
	expect_rc "genmc_$name" "$rc" "$S" explore -s $G --races ignore --no-progress \
		--no-explain "$@"
}
expect_rc genmc_list 0 "$S" list scenarios -s $G -v
expect_grep genmc_list_row '^genmc-slab +4 +allocator ' "$OUT"
expect_grep genmc_list_param -- '--iters N: TI: T threads \(2..4\)' "$OUT"
for ti in 21 23 41 32; do
	gx "rc1_${ti}_lkmm" 1 --iters $ti --variant rc1 --model lkmm
	expect_grep "genmc_rc1_${ti}_stride" 'wrong-metadata .*stride 0, expected 16' "$OUT"
	# shellcheck disable=SC2086
	gx "fixed_${ti}_lkmm" 0 --iters $ti --variant $FIX --model lkmm --executions 2000
done
gx rc1_sc 1 --variant rc1 --model sc # the late stride store: an interleaving
gx early_stride_sc 0 --variant early-stride --model sc --executions 2000
gx early_stride_tso 0 --variant early-stride --model tso --executions 2000
gx early_stride_lkmm 1 --variant early-stride --model lkmm --save "$TMP/found"
"$S" replay "$TMP"/found/genmc-slab-early-stride-lkmm-*.json --litmus >"$TMP/gs.litmus" 2>&1
expect_rc genmc_export_checked 0 "$S" litmus "$TMP/gs.litmus"
expect_grep genmc_export_sometimes '^Observation slabstress-genmc-slab-early-stride Sometimes ' \
	"$OUT"
# shellcheck disable=SC2086
gx fixed_exhaustive_21 0 --iters 21 --variant $FIX --model lkmm --strategy exhaustive
expect_grep genmc_fixed_exhaustive_complete 'complete within bounds' "$OUT"
gx wmb_rmb_lkmm 0 --variant wmb-rmb --model lkmm --executions 2000
gx bad_iters 1 --iters 57 --variant rc1 --model sc --executions 10
expect_grep genmc_bad_iters 'iters 57: expected 1..3, or TI' "$OUT"
finish

# pct once found a deadlock in relay-wrc-release (correct) at 2 and 3 handoffs:
# the relay polled the next slot after reading its own buffered release store,
# and that read was not among the polled locations, so the consumer's emptying
# store never woke it (engine/wmm_access.c)
for it in 2 3; do
	expect_rc "wrc_release_pct_no_deadlock_$it" 0 "$SLABSTRESS" explore -s relay-wrc-release \
		--model lkmm --iters "$it" --strategy pct --executions 2000 --no-explain
done
