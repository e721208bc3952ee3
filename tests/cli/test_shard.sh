#!/bin/sh
# tests/cli/test_shard.sh - `slabstress matrix --shard I/N` and `--merge`: three
# shards merged give the verdicts, table and exit status of one unsharded run;
# bad I/N and every kind of shard set that does not fit are refused with exit 2
# and one line naming the value, or the file and the field.
. "$(dirname "$0")/lib.sh"
S=$SLABSTRESS
cd "$TMP" || exit 1
P="--scenarios once,release-acquire --variants rc1,fixed --executions 200"

expect_rc "matrix: one unsharded run" 0 "$S" matrix $P --json whole.json
printf '%s\n' "$OUT" | grep -E '^(once|release-acquire) ' >whole.txt
for i in 1 2 3; do
	expect_rc "matrix --shard $i/3" 0 "$S" matrix $P --shard $i/3 --json s$i.json
done
expect_grep "matrix --shard: the table marks the other slices' cells" " shard [23] " "$OUT"
expect_grep "matrix --shard: says which cells it ran" "^shard 3/3: [0-9]+ of its [0-9]+ cells run \(of 12 in the table\)" "$OUT"
expect_rc "matrix --shard without --json writes matrix-shard-2-of-3.json" 0 "$S" matrix $P --shard 2/3
if [ -f matrix-shard-2-of-3.json ]; then ok "matrix --shard: default shard document"; else fail "matrix --shard: default shard document" "$(ls)"; fi

expect_rc "matrix --merge of the three shards" 0 "$S" matrix --merge s3.json s1.json s2.json --json merged.json
printf '%s\n' "$OUT" | grep -E '^(once|release-acquire) ' >merged.txt
if cmp -s whole.txt merged.txt; then ok "matrix --merge: the same table as one run"
else fail "matrix --merge: the same table as one run" "$(diff whole.txt merged.txt | head -5)"; fi
expect_grep "matrix --merge: expectation line" "^expectation: 12 of 12 cells as expected" "$OUT"
if command -v jq >/dev/null 2>&1; then
	v='[.cells[] | [.scenario, .variant, .model, .verdict, .expected, .kind]]'
	if [ "$(jq -c "$v" whole.json)" = "$(jq -c "$v" merged.json)" ] &&
		[ "$(jq -c '[.verdict, .unexpected_found, .missed]' whole.json)" = "$(jq -c '[.verdict, .unexpected_found, .missed]' merged.json)" ]; then
		ok "matrix --merge: the same JSON verdicts as one run"
	else
		fail "matrix --merge: the same JSON verdicts as one run" "$(jq -c "$v" merged.json | head -c 300)"
	fi
	if jq -e '.shard.index == 1 and .shard.count == 3 and (.shard.cells | length) == (.cells | length)' s1.json >/dev/null; then
		ok "matrix --shard: the JSON says shard 1/3 and its cells"
	else
		fail "matrix --shard: the JSON says shard 1/3 and its cells" "$(jq -c .shard s1.json)"
	fi
	n=$(jq -s '[.[].shard.cells[]] | length' s1.json s2.json s3.json)
	u=$(jq -s '[.[].shard.cells[]] | unique | length' s1.json s2.json s3.json)
	if [ "$n" = 12 ] && [ "$u" = 12 ]; then ok "matrix --shard: the slices are disjoint and cover the table"
	else fail "matrix --shard: the slices are disjoint and cover the table" "$n cells, $u distinct"; fi
else
	echo "skipped the JSON comparisons (no jq)"
fi

# the exit status follows the same rule: a Found cell under --expect clean
Q="--scenarios once --variants rc1 --models tso,lkmm --executions 200 --expect clean"
"$S" matrix $Q --shard 1/2 --json q1.json >/dev/null 2>&1
"$S" matrix $Q --shard 2/2 --json q2.json >/dev/null 2>&1
expect_rc "matrix --merge: exit 1 when a cell is Found where Clean is expected" 1 "$S" matrix --merge q1.json q2.json
expect_grep "matrix --merge: the unexpected cell is marked !" "^once +rc1 +Clean +Found stale-content !" "$OUT"

for bad in 0/3 4/3 1/1001 x 3 1/3x; do
	expect_rc "matrix --shard '$bad' refused" 2 "$S" matrix $P --shard "$bad"
	expect_grep "matrix --shard '$bad': names the value and what is expected" "--shard '$bad': expected I/N with 1 <= I <= N <= 1000" "$ERR"
done

refused() { # NAME FILE FIELD FILES...
	name=$1 file=$2 field=$3
	shift 3
	expect_rc "matrix --merge refuses $name" 2 "$S" matrix --merge "$@"
	expect_grep "matrix --merge $name: one line naming $file and '$field'" "^slabstress: $file: .*'$field'" "$ERR"
	[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] || fail "matrix --merge $name: one line" "$ERR"
}
refused "a missing shard" s1.json shard.count s1.json s2.json
refused "a duplicate shard" s2.json shard.index s1.json s2.json s2.json s3.json
"$S" matrix $P --executions 300 --shard 3/3 --json other.json >/dev/null 2>&1
refused "other executions" other.json parameters.executions s1.json s2.json other.json
"$S" matrix --scenarios once --variants rc1,fixed --executions 200 --shard 3/3 --json other2.json >/dev/null 2>&1
refused "other scenarios" other2.json parameters.scenarios s1.json s2.json other2.json
"$S" matrix $P --models lkmm --shard 3/3 --json other3.json >/dev/null 2>&1
refused "other models" other3.json parameters.models s1.json s2.json other3.json
refused "an unsharded document" whole.json shard whole.json
if command -v jq >/dev/null 2>&1; then
	jq '.version = "0.0.0-other"' s3.json >oldver.json
	refused "another version" oldver.json version s1.json s2.json oldver.json
fi
echo "not json" >junk.json
expect_rc "matrix --merge refuses a file that is not JSON" 2 "$S" matrix --merge s1.json junk.json
expect_grep "matrix --merge: names the file that is not a shard" "junk.json: not a matrix shard" "$ERR"
expect_rc "matrix --merge refuses run options" 2 "$S" matrix --merge --executions 10 s1.json s2.json s3.json
expect_rc "matrix: shard documents need --merge" 2 "$S" matrix s1.json
finish
