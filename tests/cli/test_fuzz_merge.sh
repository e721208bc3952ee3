#!/bin/sh
# tests/cli/test_fuzz_merge.sh - `slabstress fuzz --merge OUT DIR...`: two short
# campaigns with their own corpora (as two machines would keep them) merged
# into one with libFuzzer's merge; bad directories are refused with exit 2.
. "$(dirname "$0")/lib.sh"
S=$SLABSTRESS
cd "$TMP" || exit 1

"$S" fuzz -s release-acquire --runs 1 --save probe >probe.out 2>&1
if [ $? -eq 2 ] && grep -q "built without libFuzzer" probe.out; then
	echo "skipped fuzz --merge (this build has no libFuzzer)"
	expect_rc "fuzz --merge without libFuzzer: exit 2" 2 "$S" fuzz -s release-acquire --merge merged .
	expect_grep "fuzz --merge without libFuzzer: says so" "built without libFuzzer" "$ERR"
	finish
	exit $?
fi

F="-s release-acquire --variant fixed --model lkmm"
expect_rc "fuzz --corpus A" 0 "$S" fuzz $F --duration 2 --corpus A --save crashes --no-progress -- -seed=1
expect_rc "fuzz --corpus B" 0 "$S" fuzz $F --duration 2 --corpus B --save crashes --no-progress -- -seed=2
na=$(ls A | wc -l)
nb=$(ls B | wc -l)
if [ "$na" -gt 0 ] && [ "$nb" -gt 0 ]; then ok "two corpora to merge ($na and $nb inputs)"
else fail "two corpora to merge" "A: $na, B: $nb inputs"; fi

expect_rc "fuzz --merge OUT A B" 0 "$S" fuzz $F --merge OUT A B
expect_grep "fuzz --merge: how many inputs went in" "^merged: $((na + nb)) inputs in from 2 directories" "$OUT"
nout=$(ls OUT 2>/dev/null | wc -l)
expect_grep "fuzz --merge: how many are in OUT" "OUT holds $nout inputs \(0 before" "$OUT"
if [ "$nout" -gt 0 ] && [ "$nout" -le $((na + nb)) ]; then ok "fuzz --merge: OUT holds the inputs that add coverage ($nout)"
else fail "fuzz --merge: OUT holds the inputs that add coverage" "$nout of $((na + nb))"; fi
expect_rc "fuzz --merge again adds nothing new" 0 "$S" fuzz $F --merge OUT A B
expect_grep "fuzz --merge again: no new input" "\($nout before, 0 new\)" "$OUT"
expect_rc "fuzz: a campaign resumes from the merged corpus" 0 "$S" fuzz $F --duration 1 --corpus OUT --save crashes --no-progress

expect_rc "fuzz --merge: a missing directory refused" 2 "$S" fuzz $F --merge OUT A nope
expect_grep "fuzz --merge: names the missing directory" "corpus directory 'nope'" "$ERR"
touch plain
expect_rc "fuzz --merge: a file for a directory refused" 2 "$S" fuzz $F --merge OUT A plain
expect_grep "fuzz --merge: names the file" "'plain' is not a directory" "$ERR"
expect_rc "fuzz --merge: no directories refused" 2 "$S" fuzz $F --merge OUT
expect_rc "fuzz --merge: an output that is a file refused" 2 "$S" fuzz $F --merge plain/x A
expect_rc "fuzz --merge: campaign options refused" 2 "$S" fuzz $F --merge OUT A --duration 5
expect_rc "fuzz: directories without --merge refused" 2 "$S" fuzz $F A B
finish
