#!/bin/sh
# compare end to end: a result against itself is "no change" (exit 0); a slower or
# newly failing run is a regression (exit 1); two single-allocator results pair by
# scenario and say the allocator differs; truncated or foreign JSON is exit 2 with
# one line naming the file and the field.
. "$(dirname "$0")/lib.sh"
DUR=${SS_TEST_DURATION:-0.15s}
if [ "$(nproc)" -lt 2 ]; then
	echo "skipped: compare (needs 2 CPUs)"
	finish
	exit 0
fi

one_line() { # NAME PATTERN: stderr is one line matching PATTERN
	n=$(printf '%s\n' "$ERR" | grep -c .)
	[ "$n" -eq 1 ] || { fail "$1: one line" "stderr had $n lines: $ERR"; return; }
	expect_grep "$1" "$2" "$ERR"
}

expect_rc make_slab 0 "$SLABSTRESS" bench -s release-acquire --alloc slab --repeat 3 --warmup 0 \
	--duration "$DUR" --no-ceilings -q --json "$TMP/slab.json"
expect_rc make_libc 0 "$SLABSTRESS" bench -s release-acquire --alloc libc --repeat 3 --warmup 0 \
	--duration "$DUR" --no-ceilings -q --json "$TMP/libc.json"

expect_rc self_is_no_change 0 "$SLABSTRESS" compare "$TMP/slab.json" "$TMP/slab.json"
expect_grep self_says_no_change "^no change" "$OUT"
expect_grep self_row_same "release-acquire +slab +64 +1 +no .* same" "$OUT"

# Two allocators of one scenario pair up; whether libc counts as slower than slab
# depends on the machine, so the exit status may be 0 or 1, never 2 (and a busy
# machine's disturbance is test_disturbed.sh's subject, not this one's).
"$SLABSTRESS" compare --allow-disturbed "$TMP/slab.json" "$TMP/libc.json" >"$TMP/out" 2>"$TMP/err"; rc=$?
OUT=$(cat "$TMP/out")
if [ "$rc" -le 1 ]; then ok slab_vs_libc_pairs_by_scenario; else fail slab_vs_libc_pairs_by_scenario "exit $rc: $(cat "$TMP/err")"; fi
expect_grep slab_vs_libc_says_allocator_differs "allocator differs: slab -> libc" "$OUT"
expect_grep slab_vs_libc_row_has_a_verdict "release-acquire .*(SAME|SLOWER|FASTER|same|slower|faster)" "$OUT"
"$SLABSTRESS" compare --allow-disturbed --match scenario "$TMP/slab.json" "$TMP/libc.json" >/dev/null 2>"$TMP/err"; rc=$?
if [ "$rc" -le 1 ]; then ok match_scenario_explicit; else fail match_scenario_explicit "exit $rc: $(cat "$TMP/err")"; fi

# Deterministic regressions: a real result with its runs set to fixed, tight values
# (this machine's own spread must not decide the test), the same halved, and the
# same with a failure.
python3 - "$TMP" <<'PY'
import json, sys
t = sys.argv[1]
def runs(d, vals):
    for r in d['results']:
        r['disturbed'] = False  # fixed figures, not this machine's measurement
        tm = r['timing']
        tm['handoffs_per_s'] = list(vals)
        s = sorted(vals)
        tm['median'] = s[len(s) // 2]
        tm['min'], tm['max'] = s[0], s[-1]
        tm['q1'], tm['q3'] = s[0], s[-1]
        tm['mad'] = 0.01e6
    return d
base = [10.0e6, 10.1e6, 9.9e6]
json.dump(runs(json.load(open(t + '/slab.json')), base), open(t + '/base.json', 'w'))
json.dump(runs(json.load(open(t + '/slab.json')), [v / 2 for v in base]),
          open(t + '/slow.json', 'w'))
d = runs(json.load(open(t + '/slab.json')), base)
d['results'][0]['failures']['total'] = 3
d['results'][0]['verdict'] = 'failed'
json.dump(d, open(t + '/failing.json', 'w'))
PY
expect_rc slower_is_regression 1 "$SLABSTRESS" compare "$TMP/base.json" "$TMP/slow.json"
expect_grep slower_row "SLOWER" "$OUT"
expect_grep slower_verdict "^REGRESSION" "$OUT"
expect_rc faster_is_not_regression 0 "$SLABSTRESS" compare "$TMP/slow.json" "$TMP/base.json"
expect_grep faster_row "faster" "$OUT"
expect_rc threshold_hides_it 0 "$SLABSTRESS" compare --threshold 60 "$TMP/base.json" "$TMP/slow.json"
expect_rc now_failing_is_regression 1 "$SLABSTRESS" compare "$TMP/base.json" "$TMP/failing.json"
expect_grep now_failing_row "NOW FAILING" "$OUT"
expect_rc fixed_is_not_regression 0 "$SLABSTRESS" compare "$TMP/failing.json" "$TMP/base.json"
expect_rc compare_json 1 "$SLABSTRESS" compare "$TMP/base.json" "$TMP/slow.json" --json "$TMP/cmp.json"
python3 -c "import json; d=json.load(open('$TMP/cmp.json')); assert d['schema']=='slabstress-compare/1'; \
assert d['verdict']=='regression' and d['pairs'][0]['verdict']=='slower' and d['pairs'][0]['regression']" \
	2>"$TMP/py" && ok compare_json_fields || fail compare_json_fields "$(cat "$TMP/py")"

# Bad input: exit 2, one line naming the file and what is wrong.
head -c 200 "$TMP/slab.json" >"$TMP/trunc.json"
expect_rc truncated_json 2 "$SLABSTRESS" compare "$TMP/slab.json" "$TMP/trunc.json"
one_line truncated_json_line "trunc\.json:[0-9]+:[0-9]+: not valid JSON"
expect_rc run_result_is_foreign 0 "$SLABSTRESS" run -s release-acquire --cpus 0,1 --rounds 3 \
	--json "$TMP/run.json"
expect_rc foreign_json 2 "$SLABSTRESS" compare "$TMP/run.json" "$TMP/slab.json"
one_line foreign_json_names_schema 'run\.json: not a slabstress bench result \(schema "slabstress-run/1", expected "slabstress-bench/1"\)'
python3 -c "import json; d=json.load(open('$TMP/slab.json')); del d['results'][0]['timing']['handoffs_per_s']; \
json.dump(d, open('$TMP/nofield.json','w'))"
expect_rc missing_field 2 "$SLABSTRESS" compare "$TMP/slab.json" "$TMP/nofield.json"
one_line missing_field_named "nofield\.json: results\[0\]\.timing\.handoffs_per_s: missing"
python3 -c "import json; d=json.load(open('$TMP/slab.json')); d['results'][0]['scenario']='xchg'; \
json.dump(d, open('$TMP/other.json','w'))"
expect_rc nothing_matches 2 "$SLABSTRESS" compare "$TMP/slab.json" "$TMP/other.json"
one_line nothing_matches_line "other\.json: no run matches"
expect_rc missing_file 2 "$SLABSTRESS" compare "$TMP/slab.json" "$TMP/nosuch.json"
expect_rc one_file_only 2 "$SLABSTRESS" compare "$TMP/slab.json"
expect_rc bad_threshold 2 "$SLABSTRESS" compare --threshold lots "$TMP/slab.json" "$TMP/slab.json"
finish
