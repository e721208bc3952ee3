#!/bin/sh
# tests/cli/test_add_scenario.sh - the recipe of docs/adding-a-scenario.md, done:
# in a scratch copy of the tree (git ls-files), add one file
# (tests/scenario-example/wmb_once.c, copied to scenarios/) and one line
# (SS_SCENARIO(wmb_once) in scenarios/list.h), build, and check that the new
# scenario is listed with its parameters, runs natively, is clean in the emulator
# under every model, is flagged by the man-page check until documented, and that
# without its smp_wmb() the emulator finds it broken under lkmm.  Says "skipped"
# when there is no compiler, make or git checkout to do it with.
. "$(dirname "$0")/lib.sh"
if [ -n "${SS_SKIP_OWN_BUILDS:-}" ]; then
	echo "skipped add_scenario: builds its own tree with its own flags (run by make check, not again here)"
	exit 0
fi
cc=${CC:-clang}
[ "$cc" = cc ] && cc=clang
for tool in "$cc" make git; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "skipped add_scenario: no $tool"
		exit 0
	fi
done
if ! files=$(git ls-files 2>/dev/null) || [ -z "$files" ]; then
	echo "skipped add_scenario: not a git checkout"
	exit 0
fi
TREE=$TMP/tree
mkdir -p "$TREE"
git ls-files -z | xargs -0 cp --parents -t "$TREE" || { fail copy_tree "cp failed"; finish; exit; }

# the recipe: one file, one line
cp tests/scenario-example/wmb_once.c "$TREE/scenarios/wmb_once.c"
echo 'SS_SCENARIO(wmb_once)' >>"$TREE/scenarios/list.h"
build() { (cd "$TREE" && nice -n 10 make -j2 CI=true slabstress >"$TMP/build.log" 2>&1); }
if build; then ok build_with_new_scenario; else
	fail build_with_new_scenario "$(tail -5 "$TMP/build.log")"
	finish
	exit
fi
SS=$TREE/slabstress

expect_grep listed_as_correct '^wmb-once +2 +correct +all ' "$("$SS" list scenarios)"
expect_grep lists_its_parameters '^    --iters N: handoffs per round' \
	"$("$SS" list scenarios -v | sed -n '/^wmb-once /,$p')"
CPUS=0,1; [ "$(nproc)" -lt 2 ] && CPUS=0
expect_rc runs_natively 0 "$SS" run -s wmb-once --cpus "$CPUS" --rounds 3 --iters 500 \
	--no-progress -q
for m in sc tso lkmm; do
	expect_rc "explore_${m}_clean" 0 "$SS" explore -s wmb-once --model "$m" \
		--executions 2000 --seed 11 --no-progress --no-explain -q
done
expect_rc explore_lkmm_pct_iters4_clean 0 "$SS" explore -s wmb-once --model lkmm \
	--strategy pct --iters 4 --executions 2000 --no-progress --no-explain -q
# the man-page check knows the scenario is not documented yet
(cd "$TREE" && SLABSTRESS="$SS" sh tests/lint-man.sh slabstress.1) >"$TMP/lint" 2>&1
expect_grep man_check_flags_undocumented 'scenario wmb-once is not in SCENARIOS' \
	"$(cat "$TMP/lint")"

# the broken variant: without smp_wmb() it is `once`, and the emulator says so
sed -i '/^\tsmp_wmb();/d' "$TREE/scenarios/wmb_once.c"
if build; then ok build_broken_variant; else fail build_broken_variant "$(tail -5 "$TMP/build.log")"; fi
expect_rc broken_variant_found_under_lkmm 1 "$SS" explore -s wmb-once --model lkmm \
	--executions 2000 --seed 11 --no-progress --no-explain -q
expect_rc broken_variant_clean_under_sc 0 "$SS" explore -s wmb-once --model sc \
	--executions 2000 --seed 11 --no-progress --no-explain -q
finish
