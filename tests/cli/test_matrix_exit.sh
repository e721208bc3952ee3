#!/bin/sh
# tests/cli/test_matrix_exit.sh - matrix's exit status contract: 1 when a cell is
# Found where the expectation says Clean (marked !), else 0; a cell expected
# Found but missed by the bounded search is marked ? and does not change it.
. "$(dirname "$0")/lib.sh"
S=$SLABSTRESS
cd "$TMP" || exit 1

expect_rc "matrix: known bugs Found as expected exit 0" 0 \
	"$S" matrix --scenarios lazy-objexts,once,same-cpu@big --variants rc1,fixed --executions 2000 --json m.json
expect_grep "matrix: header states the budget" "2000 executions per cell \(1000 random, 1000 pct\)" "$OUT"
expect_grep "matrix: expectation line" "^expectation: 18 of 18 cells as expected; 0 Found where Clean" "$OUT"
if command -v jq >/dev/null 2>&1; then
	if jq -e '.unexpected_found == 0 and .verdict == "as-expected" and ([.cells[] | select(.verdict == "found" and .expected == "clean")] | length) == 0' m.json >/dev/null; then
		ok "matrix --json: expectation per cell"
	else
		fail "matrix --json: expectation per cell" "$(jq -c '[.unexpected_found, .verdict]' m.json)"
	fi
else
	echo "skipped matrix --json expectation check (no jq)"
fi
expect_rc "matrix --expect clean: a Found cell exits 1" 1 \
	"$S" matrix --scenarios lazy-objexts --variants rc1 --models lkmm --expect clean --executions 2000
expect_grep "matrix: the unexpected cell is marked !" "^lazy-objexts +rc1 +Found wrong-metadata !" "$OUT"
expect_grep "matrix: says why it exits 1" "1 Found where Clean was expected \(marked !\): exit status 1" "$OUT"
expect_rc "matrix: a miss (budget of 2) exits 0" 0 \
	"$S" matrix --scenarios pid-fastpath --variants fixed --models lkmm --executions 2 --engine lkvm
expect_grep "matrix: the miss is marked ?" "^pid-fastpath +fixed +Clean \?" "$OUT"
expect_rc "matrix --expect bad refused" 2 "$S" matrix --expect maybe
expect_grep "matrix --help states the exit rule" "1 at least one \(a regression\)" \
	"$("$S" matrix --help | tr '\n' ' ' | tr -s ' ')"
finish
