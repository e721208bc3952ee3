# tests/cli/test_herd_parity.sh - tools/herd-parity on a small corpus through the real
# binary: the slabstress herd7 alone (herd7 side "skipped"), a stand-in "herd7" that
# disagrees (verdicts listed, exit 1), --sample and bad usage.  The kernel-scripts
# part needs the kernel's scripts/ (not in this tree): it must say "skipped".
. tests/cli/lib.sh
case $SHARED in /*) ;; *) SHARED=$(pwd)/$SHARED ;; esac
L=$SHARED/litmus/kernel-tools
HP="sh tools/herd-parity"

MM=$TMP/mm
mkdir -p "$MM" "$TMP/corpus/a" "$TMP/corpus/b"
printf 'macros linux-kernel.def\nbell linux-kernel.bell\nmodel linux-kernel.cat\n' >"$MM/linux-kernel.cfg"
cp "$L/SB+poonceonces.litmus" "$L/MP+pooncerelease+poacquireonce.litmus" "$TMP/corpus/a/"
cp "$L/LB+poonceonces.litmus" "$L/CoRR+poonceonce+Once.litmus" "$TMP/corpus/b/"
# not a C test, and a C test without a Result: line: both left out of the selection
printf 'X86 asm\n{}\n P0 ;\n MOV [x],$1 ;\nexists (x=1)\n' >"$TMP/corpus/b/asm.litmus"
grep -v 'Result:' "$L/SB+poonceonces.litmus" >"$TMP/corpus/b/noresult.litmus"

expect_rc parity-alone 0 $HP --kernel "$MM" --corpus "$TMP/corpus" --herd7 none --slabstress "$SLABSTRESS" --jobs 2
expect_grep parity-alone-header 'beside herd7 \(none: skipped\)' "$OUT"
expect_grep parity-alone-kernel-skipped '^== kernel scripts: skipped' "$OUT"
expect_grep parity-alone-selection '^  4 of 4 files$' "$OUT"
expect_grep parity-alone-row '^  slabstress +4 +2 +2 +0 +0 +0 +0 ' "$OUT"
expect_grep parity-alone-result-comments 'slabstress agrees with the files. Result: comments on 4 of 4' "$OUT"
if printf '%s\n' "$OUT" | grep -q '^  herd7 '; then fail parity-alone-no-herd7-row "$OUT"; else ok parity-alone-no-herd7-row; fi

# A stand-in herd7 that says Sometimes for everything: the Never files differ.
mkdir -p "$TMP/fake"
cat >"$TMP/fake/herd7" <<'EOS'
#!/bin/sh
for a; do f=$a; done
n=$(sed -n '1s/^C *//p' "$f")
printf 'Test %s Allowed\nObservation %s Sometimes 1 1\nTime %s 0.01\n' "$n" "$n" "$n"
EOS
chmod +x "$TMP/fake/herd7"
expect_rc parity-differs 1 $HP --kernel "$MM" --corpus "$TMP/corpus" --herd7 "$TMP/fake/herd7" --slabstress "$SLABSTRESS" --jobs 2
expect_grep parity-differs-listed 'DIFFERENT b/CoRR\+poonceonce\+Once\.litmus: slabstress Never, herd7 Sometimes' "$OUT"
expect_grep parity-differs-summary 'same verdict: 2  different: 2  refused by slabstress: 0' "$OUT"
expect_grep parity-herd7-row '^  herd7 +4 +0 +4 ' "$OUT"

expect_rc parity-sample 0 $HP --kernel "$MM" --corpus "$TMP/corpus" --herd7 none --slabstress "$SLABSTRESS" --sample 2
expect_grep parity-sample-count '^  2 of 4 files \(--sample 2\)$' "$OUT"

expect_rc parity-bad-sample 2 $HP --kernel "$MM" --sample lots
expect_grep parity-bad-sample-msg "^herd-parity: --sample 'lots': expected a whole number$" "$ERR"
expect_rc parity-no-kernel 2 $HP --corpus "$TMP/corpus"
expect_grep parity-no-kernel-msg 'kernel DIR is required' "$ERR"
expect_rc parity-bad-kernel 2 $HP --kernel "$TMP/corpus"
expect_grep parity-bad-kernel-msg "expected a directory with linux-kernel.cfg" "$ERR"
expect_rc parity-help 0 $HP --help
expect_grep parity-help-text '^  --sample N' "$OUT"
finish
