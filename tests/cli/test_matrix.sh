#!/bin/sh
# tests/cli/test_matrix.sh - `slabstress matrix`: the verdict table of a small
# question set, JSON, reproducers for Found cells, bad input.
. "$(dirname "$0")/lib.sh"

expect_rc matrix_small 0 "$SLABSTRESS" matrix --scenarios lazy-objexts,same-cpu@big \
	--variants rc1,fixed --executions 1000 --json "$TMP/m.json" --save "$TMP/found"
expect_grep matrix_rc1_lkmm_only "^lazy-objexts +rc1 +Clean +Clean +Found wrong-metadata" "$OUT"
# a clean lkmm cell is then decided on every execution graph (as explore does)
expect_grep matrix_fixed_proved "^lazy-objexts +fixed +Clean +Clean +Proved" "$OUT"
expect_grep matrix_stride_row_sc "^same-cpu \(in-object 128K/64K\) +rc1 +Found wrong-metadata" "$OUT"
expect_grep matrix_json_cells '"verdict": "found"' "$(cat "$TMP/m.json")"
n=$(ls "$TMP"/found/*.json 2>/dev/null | wc -l)
if [ "$n" -ge 4 ]; then ok matrix_saves_found_cells; else fail matrix_saves_found_cells "$n files"; fi
expect_rc matrix_bad_variant 2 "$SLABSTRESS" matrix --variants rc2
expect_rc matrix_bad_scenario 2 "$SLABSTRESS" matrix --scenarios nope
expect_rc matrix_bad_model 2 "$SLABSTRESS" matrix --models arm
expect_rc matrix_help 0 "$SLABSTRESS" matrix --help
finish

# --engine lkvm: lkvm alone, its clean stays Clean; the default engine finds the
# non-multicopy-atomic relay failure lkvm cannot reach, on the graphs
expect_rc matrix_lkvm_alone 0 "$SLABSTRESS" matrix --scenarios lazy-objexts,relay-once \
	--variants fixed --models lkmm --executions 1000 --engine lkvm
expect_grep matrix_lkvm_alone_clean "^lazy-objexts +fixed +Clean" "$OUT"
expect_grep matrix_lkvm_alone_misses_relay "^relay-once +fixed +Clean \?" "$OUT"
expect_rc matrix_graph_check 0 "$SLABSTRESS" matrix --scenarios relay-once --variants fixed \
	--models lkmm --executions 1000
expect_grep matrix_graph_check_finds_relay "^relay-once +fixed +Found" "$OUT"
