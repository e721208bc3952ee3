# tests/cli/test_litmus.sh - `slabstress litmus` end to end: on the cat engine every
# file agrees with its Result: line and herd7's counts, on the lkvm engine with the
# misses memory-model.md §3 documents; every model gives tests/litmus/expected-*.txt;
# data races are flagged; --max-candidates exits 3; bad input exits 2 with one line.
. tests/cli/lib.sh
L=$SHARED/litmus

# The default engine (cat) is linux-kernel.cat itself, as herd7 runs it: every file agrees
# with its Result: line, the RCU grace-period tests included, and LB+poonceonces shows load
# buffering; but dep+plain, where herd7 itself says Sometimes (expected-lkmm.txt).
expect_rc kernel-tools 1 $SLABSTRESS litmus -q $L/kernel-tools/*.litmus
expect_grep kernel-tools-summary '^35 tests: 34 agree, 1 disagree, 0 unsupported' "$OUT"
expect_grep kernel-tools-dep-plain '^dep\+plain +Sometimes +Never DISAGREE' "$(printf '%s\n' "$OUT" | grep DISAGREE)"
expect_grep kernel-tools-lb '^LB\+poonceonces +Sometimes +Sometimes agree' "$OUT"
expect_rc kernel-doc 0 $SLABSTRESS litmus -q $L/kernel-doc/*/*.litmus
expect_grep kernel-doc-summary '^12 tests: 12 agree, 0 disagree, 0 unsupported' "$OUT"
expect_grep kernel-doc-rcu 'RCU\+sync\+read +Never +Never agree' "$OUT"
expect_rc shapes 0 $SLABSTRESS litmus -q $L/shapes/*.litmus
expect_grep shapes-summary '^53 tests: 53 agree, 0 disagree, 0 unsupported' "$OUT"
expect_rc random 0 $SLABSTRESS litmus -q $L/random/*.litmus
expect_grep random-summary '^150 tests: 150 agree, 0 disagree, 0 unsupported' "$OUT"

# every model against its reviewed file: verdict, positive and negative executions, data race
PATHS=$(cd $L && ls kernel-tools/*.litmus kernel-doc/*/*.litmus shapes/*.litmus random/*.litmus |
	sed "s|^|$L/|")
summarize() {
	awk '/^Test /{dr=""} /unsupported: /{print "unsupported"} /^Flag data-race/{dr="\tDATARACE"}
	     /^Observation /{print $3 "\t" $4 "\t" $5 dr}'
}
for m in lkmm tso sc lkvm; do
	if [ $m = lkvm ]; then args="--engine lkvm --model lkmm"; else args="--model $m"; fi
	# shellcheck disable=SC2086
	got=$($SLABSTRESS litmus --misses-ok $args $PATHS | summarize)
	want=$(grep -v '^#' tests/litmus/expected-$m.txt | cut -f2-)
	if [ $m = lkvm ]; then got=$(printf '%s\n' "$got" | cut -f1); fi
	if [ "$got" = "$want" ]; then
		ok expected-$m
	else
		printf '%s\n' "$want" > "$TMP/want"
		printf '%s\n' "$got" > "$TMP/got"
		fail expected-$m "$(diff "$TMP/want" "$TMP/got" | head -5)"
	fi
done

# herd7's own results for tests/litmus/lkmm-extra (data races, locks, RCU, SRCU, cycles)
X=tests/litmus/lkmm-extra
got=$($SLABSTRESS litmus $(grep -v '^#' tests/litmus/expected-lkmm-extra.txt | cut -f1 | sed "s|^|$X/|") |
	summarize)
want=$(grep -v '^#' tests/litmus/expected-lkmm-extra.txt | cut -f2-)
if [ "$got" = "$want" ]; then
	ok herd7-extra
else
	printf '%s\n' "$want" > "$TMP/want"
	printf '%s\n' "$got" > "$TMP/got"
	fail herd7-extra "$(diff "$TMP/want" "$TMP/got" | head -5)"
fi
expect_rc herd7-extra-agree 0 $SLABSTRESS litmus -q $X/*.litmus
expect_grep herd7-extra-summary '^39 tests: 39 agree, 0 disagree' "$OUT"

# herd7's own counts for the random tests (random/MANIFEST.tsv): equal but for the two
# where the manifest kept herd7 7.58's older LKMM, without rmw-sequence (rand-s-096's line
# gives both; docs/design-changes.md)
$SLABSTRESS litmus $L/random/*.litmus | awk '/^Observation /{print $2, $3, $4, $5}' | sort > "$TMP/got"
awk -F'\t' 'NR > 1 {print $5}' $L/random/MANIFEST.tsv | awk '{print $2, $3, $4, $5}' | sort > "$TMP/want"
bad=$(comm -13 "$TMP/got" "$TMP/want" | awk '{print $1}' | tr '\n' ' ')
if [ "$bad" = "rand-s-048 rand-s-097 " ]; then ok random-herd7-counts; else fail random-herd7-counts "differ: $bad"; fi

# the old operational engine: stronger than LKMM where memory-model.md §3 says so
expect_rc lkvm-kernel-tools-miss-exit 1 $SLABSTRESS litmus -q --engine lkvm $L/kernel-tools/*.litmus
expect_grep lkvm-kernel-tools-summary '^35 tests: 34 agree, 1 disagree, 0 unsupported .*0 false alarms, 1 misses' "$OUT"
expect_grep lkvm-kernel-tools-lb-only '^LB\+poonceonces +Never +Sometimes DISAGREE: miss' "$(printf '%s\n' "$OUT" | grep DISAGREE)"
expect_rc lkvm-kernel-doc 0 $SLABSTRESS litmus -q --engine lkvm $L/kernel-doc/*/*.litmus
expect_grep lkvm-kernel-doc-rcu 'RCU\+sync\+free\.litmus: unsupported: synchronize_rcu' "$OUT"
expect_rc lkvm-shapes 0 $SLABSTRESS litmus -q --engine lkvm --misses-ok $L/shapes/*.litmus
got=$(printf '%s\n' "$OUT" | grep DISAGREE | awk '{print $1}' | sort | tr '\n' ' ')
want="2+2W+rels 2+2W+wmbs LB S+wmb+po WRC+ctrl+rmb WRC+po+rmb WRC+wmb+acq "
if [ "$got" = "$want" ]; then ok lkvm-shapes-misses; else fail lkvm-shapes-misses "got: $got" "want: $want"; fi

# data races: plain message passing races (herd7: Flag data-race), release/acquire does not
printf 'C MP+plain\n(*\n * Result: Sometimes DATARACE\n *)\n{}\nP0(int *x, int *y) { *x = 1; WRITE_ONCE(*y, 1); }\nP1(int *x, int *y) { int r0; int r1; r0 = READ_ONCE(*y); r1 = *x; }\nexists (1:r0=1 /\\ 1:r1=0)\n' > "$TMP/race.litmus"
expect_rc data-race 0 $SLABSTRESS litmus "$TMP/race.litmus"
expect_grep data-race-flag '^Flag data-race$' "$OUT"
printf 'C MP+rel+acq-plain\n(*\n * Result: Never\n *)\n{}\nP0(int *x, int *y) { *x = 1; smp_store_release(y, 1); }\nP1(int *x, int *y) { int r0; int r1 = 1; r0 = smp_load_acquire(y); if (r0) r1 = *x; }\nexists (1:r0=1 /\\ 1:r1=0)\n' > "$TMP/norace.litmus"
expect_rc no-data-race 0 $SLABSTRESS litmus "$TMP/norace.litmus"
expect_grep no-data-race-agree '^Expected \(Result: Never\) -> agree$' "$OUT"
case $OUT in *"Flag data-race"*) fail no-data-race-flag "$OUT" ;; *) ok no-data-race-flag ;; esac

# SRCU: a grace period on the reader's srcu_struct orders, one on another does not
cat > "$TMP/srcu.litmus" <<'EOF2'
C srcu-mp
(*
 * Result: Never
 *)
{}
P0(int *x, int *y, struct srcu_struct *s)
{
	int r0; int r1; int r2;
	r2 = srcu_read_lock(s);
	r0 = READ_ONCE(*y);
	r1 = READ_ONCE(*x);
	srcu_read_unlock(s, r2);
}
P1(int *x, int *y, struct srcu_struct *s, struct srcu_struct *t)
{
	WRITE_ONCE(*x, 1);
	synchronize_srcu(s);
	WRITE_ONCE(*y, 1);
}
exists (0:r0=1 /\ 0:r1=0)
EOF2
expect_rc srcu 0 $SLABSTRESS litmus "$TMP/srcu.litmus"
expect_grep srcu-never '^Observation srcu-mp Never 0 3$' "$OUT"
sed -e 's/synchronize_srcu(s)/synchronize_srcu(t)/' -e 's/Result: Never/Result: Sometimes/' "$TMP/srcu.litmus" > "$TMP/srcu2.litmus"
expect_rc srcu-other-struct 0 $SLABSTRESS litmus "$TMP/srcu2.litmus"
expect_grep srcu-other-sometimes '^Observation srcu-mp Sometimes 1 3$' "$OUT"
expect_rc srcu-lkvm 0 $SLABSTRESS litmus -q --engine lkvm "$TMP/srcu.litmus"
expect_grep srcu-lkvm-unsupported 'unsupported: struct srcu_struct' "$OUT"

# a bound instead of a silent hour: exit 3, one line saying so
expect_rc max-candidates 3 $SLABSTRESS litmus -q --max-candidates 10 $L/random/rand-s-009.litmus
expect_grep max-candidates-msg 'rand-s-009.litmus: gave up after [0-9]+ candidates' "$ERR"
expect_rc bad-engine 2 $SLABSTRESS litmus --engine herd $L/shapes/SB.litmus

# tso: store buffering shows, message passing does not
expect_rc tso-sb 0 $SLABSTRESS litmus --model tso $L/shapes/SB.litmus
expect_grep tso-sb-sometimes '^Observation SB Sometimes' "$OUT"
expect_rc tso-mp 0 $SLABSTRESS litmus --model tso $L/shapes/MP.litmus
expect_grep tso-mp-never '^Observation MP Never' "$OUT"
expect_rc sc-sb 0 $SLABSTRESS litmus --model sc $L/shapes/SB.litmus
expect_grep sc-sb-never '^Observation SB Never' "$OUT"

# herd7-style report
expect_rc report 0 $SLABSTRESS litmus $L/kernel-tools/MP+pooncerelease+poacquireonce.litmus
expect_grep report-test '^Test MP\+pooncerelease\+poacquireonce Allowed$' "$OUT"
expect_grep report-states '^States [0-9]+$' "$OUT"
expect_grep report-obs '^Observation MP\+pooncerelease\+poacquireonce Never 0 [0-9]+$' "$OUT"
expect_grep report-expected '^Expected \(Result: Never\) -> agree$' "$OUT"

# JSON
expect_rc json 0 $SLABSTRESS litmus -q --json "$TMP/o.json" $L/shapes/SB.litmus
expect_grep json-schema '"schema": "slabstress-litmus/1"' "$(cat "$TMP/o.json")"
expect_rc json-stdout 0 $SLABSTRESS litmus --format json $L/shapes/MP+wmb+addr.litmus
expect_grep json-verdict '"verdict": "agree"' "$OUT"

# bad input: exit 2, one line naming file and line
printf 'C bad\n{}\nP0(int *x) { WRITE_ONCE(*x 1); }\nexists (x=1)\n' > "$TMP/bad.litmus"
expect_rc parse-error 2 $SLABSTRESS litmus "$TMP/bad.litmus"
expect_grep parse-error-line "^slabstress: .*bad.litmus:3: expected ',' between arguments, found '1'$" "$ERR"
[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] && ok parse-error-one-line || fail parse-error-one-line "$ERR"
expect_rc missing-file 2 $SLABSTRESS litmus "$TMP/nope.litmus"
expect_grep missing-file-msg 'nope.litmus: No such file' "$ERR"
expect_rc bad-model 2 $SLABSTRESS litmus --model arm $L/shapes/SB.litmus
expect_rc no-files 2 $SLABSTRESS litmus
finish
