# tests/cli/test_triage.sh - `slabstress triage`: reproducers of two fuzz runs of
# the seed scenario (two "machines") make one group, the smallest kept; a file that
# is not a reproducer, a reproducer that replays clean under another variant, JSON,
# and bad input.
. tests/cli/lib.sh
S=$SLABSTRESS
if "$S" fuzz -s once --runs 1 --save "$TMP/probe" 2>&1 | grep -q "built without libFuzzer"; then
	echo "skipped the fuzz part: this build has no libFuzzer; explore stands in"
	find_failures() { "$S" explore -s lazy-objexts --variant rc1 --model lkmm --seed "$1" --save "$2" --no-progress >/dev/null 2>&1; }
else
	find_failures() { "$S" fuzz -s lazy-objexts --variant rc1 --model lkmm --seed "$1" --duration 20s --save "$2" >/dev/null 2>&1; }
fi
find_failures 1 "$TMP/host1"
find_failures 2 "$TMP/host2"
n=$(ls "$TMP/host1" "$TMP/host2" | grep -c '\.json$')
[ "$n" -ge 2 ] && ok "two runs saved $n reproducers" || fail "two runs saved $n reproducers"

expect_rc triage-two-hosts 1 "$S" triage "$TMP/host1" "$TMP/host2" --keep "$TMP/kept" --json "$TMP/t.json"
expect_grep triage-one-group "^$n reproducers: 1 groups; $n replayed their saved failure, 0 a different one, 0 clean, 0 unreadable$" "$OUT"
expect_grep triage-group-line "^1 +$n +lazy-objexts +rc1 +lkmm +wrong-metadata +check_ext " "$OUT"
k=$(ls "$TMP/kept" | wc -l)
[ "$k" -eq 1 ] && ok triage-keeps-one || fail triage-keeps-one "$k files kept"
expect_rc triage-kept-replays 1 "$S" replay "$TMP/kept/"*.json --no-explain
expect_grep triage-kept-matches "matches the saved failure" "$OUT"
expect_rc triage-json-valid 0 python3 -c "
import json; d = json.load(open('$TMP/t.json'))
assert d['counts'] == {'same': $n, 'different': 0, 'clean': 0, 'unreadable': 0, 'groups': 1}, d['counts']
g = d['groups'][0]
assert g['kind'] == 'wrong-metadata' and g['count'] == $n and g['smallest_decisions'] <= min(
    r['decisions'] for r in d['reproducers']), g"

# A non-reproducer and a reproducer of a fixed variant (replays clean) beside them.
mkdir -p "$TMP/mixed/sub"
cp "$TMP/kept/"*.json "$TMP/mixed/sub/a.json"
echo '{"schema": "something-else"}' >"$TMP/mixed/not-a-repro.json"
sed 's/"variant": "rc1"/"variant": "fixed"/' "$TMP/kept/"*.json >"$TMP/mixed/fixed.json"
expect_rc triage-mixed 1 "$S" triage "$TMP/mixed"
expect_grep triage-mixed-unreadable "not-a-repro\.json: unreadable: " "$OUT"
expect_grep triage-mixed-clean "fixed\.json: clean now \(saved: wrong-metadata in check_ext\)" "$OUT"
expect_grep triage-mixed-counts "^3 reproducers: 1 groups; 1 replayed their saved failure, 0 a different one, 1 clean, 1 unreadable$" "$OUT"
expect_rc triage-only-clean 0 "$S" triage "$TMP/mixed/fixed.json"

expect_rc triage-missing 2 "$S" triage "$TMP/nowhere"
expect_grep triage-missing-msg "nowhere: No such file or directory" "$ERR"
mkdir -p "$TMP/empty"
expect_rc triage-empty-dir 2 "$S" triage "$TMP/empty"
expect_grep triage-empty-dir-msg "no \*\.json reproducer under this directory" "$ERR"
expect_rc triage-no-args 2 "$S" triage
expect_rc triage-json-stdout 1 "$S" triage "$TMP/host1" --json -
expect_rc triage-json-stdout-parses 0 python3 -c "import json,sys; json.loads(sys.argv[1])" "$OUT"
finish
