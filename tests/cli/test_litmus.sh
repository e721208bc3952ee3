# tests/cli/test_litmus.sh - `slabstress litmus` end to end: the kernel's litmus
# tests agree with their Result: lines, the shapes with memory-model.md §3, the
# random tests never show a forbidden outcome, tso/sc give the reviewed verdicts
# of tests/litmus/expected-*.txt, and bad input exits 2 with one line.
. tests/cli/lib.sh
L=$SHARED/litmus

# kernel-tools: everything agrees except LB+poonceonces (load buffering: the model has
# no promises, documented miss).
expect_rc kernel-tools-miss-exit 1 $SLABSTRESS litmus -q $L/kernel-tools/*.litmus
expect_grep kernel-tools-summary '^35 tests: 34 agree, 1 disagree, 0 unsupported .*0 false alarms, 1 misses' "$OUT"
expect_grep kernel-tools-lb-only '^LB\+poonceonces +Never +Sometimes DISAGREE: miss' "$(printf '%s\n' "$OUT" | grep DISAGREE)"
expect_rc kernel-tools-misses-ok 0 $SLABSTRESS litmus -q --misses-ok $L/kernel-tools/*.litmus

# kernel-doc: all supported files agree; the two RCU grace-period tests are unsupported.
expect_rc kernel-doc 0 $SLABSTRESS litmus -q $L/kernel-doc/*/*.litmus
expect_grep kernel-doc-summary '^12 tests: 10 agree, 0 disagree, 2 unsupported' "$OUT"
expect_grep kernel-doc-rcu 'RCU\+sync\+free\.litmus: unsupported: synchronize_rcu$' "$OUT"

# shapes: exactly the misses listed in memory-model.md §3 (rec column).
expect_rc shapes 0 $SLABSTRESS litmus -q --misses-ok $L/shapes/*.litmus
expect_grep shapes-summary '^53 tests: 46 agree, 7 disagree, 0 unsupported .*0 false alarms, 7 misses' "$OUT"
got=$(printf '%s\n' "$OUT" | grep DISAGREE | awk '{print $1}' | sort | tr '\n' ' ')
want="2+2W+rels 2+2W+wmbs LB S+wmb+po WRC+ctrl+rmb WRC+po+rmb WRC+wmb+acq "
if [ "$got" = "$want" ]; then ok shapes-misses; else fail shapes-misses "got: $got" "want: $want"; fi

# random: no false alarm (75 Never tests stay Never).
expect_rc random 0 $SLABSTRESS litmus -q --misses-ok $L/random/*.litmus
expect_grep random-no-false-alarm '^150 tests: .* 0 false alarms' "$OUT"

# every model against its reviewed verdict file
for m in lkmm tso sc; do
	bad=0
	while IFS="$(printf '\t')" read -r f v; do
		case $f in '#'*|'') continue ;; esac
		g=$($SLABSTRESS litmus -q --misses-ok --model $m "$L/$f" 2>&1 | head -1 |
			awk '{ if ($2=="unsupported:") print "unsupported"; else print $2 }')
		[ "$g" = "$v" ] || { bad=$((bad + 1)); echo "  $m $f: got $g, expected $v"; }
	done < tests/litmus/expected-$m.txt
	if [ $bad -eq 0 ]; then ok expected-$m; else fail expected-$m "$bad verdicts differ"; fi
done

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
