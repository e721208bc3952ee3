#!/bin/sh
# tests/cli/test_variants.sh - slab variants as data (issue 14 part 5): `list
# variants -v/--json` shows each variant's switches, `--variant custom --set ...`
# (or a named variant plus --set) runs any combination, bad switches are exit 2
# with one line listing the valid names or values, a custom variant's reproducer
# records its switches and replays to the same failure, the result JSON records
# them too, and a matrix column NAME:SW=VAL+SW=VAL runs a changed row.
. "$(dirname "$0")/lib.sh"
S=$SLABSTRESS

expect_rc list_v 0 "$S" list variants -v
expect_grep list_v_rc1 '^rc1 ' "$OUT"
expect_grep list_v_wmb_rmb_row 'stride=early,wmb-after-stride=on,inobj-order=stride-first,rmb-before-stride=on,stride-access=plain,obj-exts-read=once,stride-bits=16' "$OUT"
expect_grep list_v_custom '^custom ' "$OUT"
expect_rc list_json 0 "$S" list variants --json
expect_grep list_json_switches '"rmb-before-stride": "on"' "$OUT"
expect_grep list_json_fixed_bits '"stride-bits": "32"' "$OUT"

# rc1 fails under lkmm; each single-switch patch idea that orders the stride load fixes it
expect_rc rc1_found 1 "$S" explore -s lazy-objexts --variant rc1 --model lkmm --executions 3000
for fix in rmb-before-stride=on obj-exts-read=acquire stride=early; do
	expect_rc "rc1_plus_$fix" 0 "$S" explore -s lazy-objexts --variant rc1 --set "$fix" \
		--model lkmm --executions 3000
	expect_grep "rc1_plus_${fix}_is_custom" 'variant custom' "$OUT"
done
# marking the stride accesses alone does not order them
expect_rc custom_once_found 1 "$S" explore -s lazy-objexts --variant custom \
	--set stride-access=once --model lkmm --executions 3000 --save "$TMP/found" --json "$TMP/e.json"
expect_grep custom_json_switches '"switches": "stride=late,.*stride-access=once' "$(cat "$TMP/e.json")"
expect_grep custom_json_variant '"variant": "custom"' "$(cat "$TMP/e.json")"
repro=$(ls "$TMP"/found/lazy-objexts-custom-lkmm-*.json 2>/dev/null | head -1)
if [ -n "$repro" ]; then
	expect_grep repro_switches '"switches": "stride=late,.*stride-access=once' "$(cat "$repro")"
	expect_rc custom_replays 1 "$S" replay "$repro"
	expect_grep custom_replay_matches 'matches the saved failure' "$OUT"
	# a named variant's reproducer whose switches are not its row is refused
	sed 's/"variant": "custom"/"variant": "rc1"/' "$repro" >"$TMP/bad.json"
	expect_rc repro_row_mismatch 2 "$S" replay "$TMP/bad.json"
	expect_grep repro_row_mismatch_line "knobs.switches.*expected variant custom" "$ERR"
else
	fail custom_repro "no reproducer saved in $TMP/found"
fi
# a named variant's switches over its own row keep its name; the width alone too
expect_rc same_row_named 0 "$S" explore -s release-acquire --variant fixed --set stride=early \
	--model tso --executions 200
expect_grep same_row_named_line 'variant fixed' "$OUT"

# a matrix column may change switches: NAME:SW=VAL+SW=VAL; the expectation follows them
expect_rc matrix_switches 0 "$S" matrix --scenarios lazy-objexts \
	--variants rc1,rc1:rmb-before-stride=on,custom:stride=early+stride-access=once,custom \
	--models tso,lkmm --executions 3000
expect_grep matrix_rc1_found '^lazy-objexts +rc1 +Clean +Found' "$OUT"
expect_grep matrix_rmb_clean '^lazy-objexts +rc1:rmb-before-stride=on +Clean +Proved' "$OUT"
expect_grep matrix_custom_found '^lazy-objexts +custom +Clean +Found' "$OUT"
expect_grep matrix_as_expected '8 of 8 cells as expected' "$OUT"
expect_rc matrix_bad_switch 2 "$S" matrix --scenarios lazy-objexts --variants rc1:bogus=1
expect_grep matrix_bad_switch_line "^slabstress: rc1:bogus=1: unknown switch 'bogus'" "$ERR"

# bad input: one line each, exit 2
expect_rc bad_switch 2 "$S" explore -s lazy-objexts --variant custom --set strid=early
expect_grep bad_switch_line "unknown switch 'strid'.*stride, wmb-after-stride, inobj-order, rmb-before-stride, stride-access, obj-exts-read, stride-bits" "$ERR"
expect_rc bad_value 2 "$S" explore -s lazy-objexts --set stride-bits=24
expect_grep bad_value_line "bad value '24' for switch stride-bits: expected 16 or 32" "$ERR"
expect_rc bad_variant 2 "$S" explore -s lazy-objexts --variant rc2
expect_grep bad_variant_line "rc1, early-stride, wmb-rmb, fixed, custom" "$ERR"
[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] && ok bad_variant_one_line || fail bad_variant_one_line "$ERR"
# every banner of a custom variant names its switches
expect_rc custom_explore_banner 0 "$S" explore -s lazy-objexts --variant custom \
	--set stride=early,stride-bits=32 --model lkmm --executions 50 --no-explain
expect_grep custom_explore_banner_switches "^  switches: stride=early,.*stride-bits=32" "$OUT"
expect_rc named_explore_banner 0 "$S" explore -s lazy-objexts --variant fixed --executions 10
if printf '%s\n' "$OUT" | grep -q "switches:"; then fail named_banner_no_switches "$OUT"; else ok named_banner_no_switches; fi
finish
