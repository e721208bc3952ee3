#!/bin/sh
# tests/cross.sh - the smoke subset of a cross build (make cross ARCH=arm64|ppc64le),
# run under qemu-user on the build host: every unit test of build-ARCH, then list,
# explore on the seed scenario (rc1 under lkmm found, fixed clean), replay of the
# saved seed reproducer and of a graph reproducer made on x86_64 (tests/fixtures:
# graph bytes are portable), litmus on 20 kernel-tools files (verdicts and counts
# as in tests/litmus/expected-lkmm.txt) and a 2 s native run.  Prints ok/FAIL lines like
# tests/cli/lib.sh, "skipped" when qemu or the cross compiler is missing.
# Usage: sh tests/cross.sh arm64|ppc64le   (SS_CROSS_EXECUTIONS: explore's budget)
ARCH=${1:-}
case $ARCH in
arm64) triple=aarch64-linux-gnu qemu=qemu-aarch64 ;;
ppc64le) triple=powerpc64le-linux-gnu qemu=qemu-ppc64le ;;
*) echo "usage: sh tests/cross.sh arm64|ppc64le" >&2; exit 2 ;;
esac
for tool in "$qemu" "$triple-gcc"; do
	if ! command -v "$tool" >/dev/null; then echo "skipped: cross $ARCH ($tool missing)"; exit 0; fi
done
BUILD=$(pwd)/build-$ARCH
if [ ! -x "$BUILD/slabstress" ]; then
	echo "FAIL cross_$ARCH: no $BUILD/slabstress (make cross ARCH=$ARCH)"
	exit 1
fi
. "$(dirname "$0")/cli/lib.sh"
export SHARED="${SHARED:-$(cd .. && pwd)/shared}"
export SLABSTRESS_CHECK_RESET="${SLABSTRESS_CHECK_RESET:-1}"
EXECS=${SS_CROSS_EXECUTIONS:-300}
# binfmt_misc may not know the target: a wrapper runs the binary under qemu, also
# for tests that start $SLABSTRESS themselves.
printf '#!/bin/sh\nexec %s %s "$@"\n' "$qemu" "$BUILD/slabstress" >"$TMP/slabstress"
chmod +x "$TMP/slabstress"
export SLABSTRESS="$TMP/slabstress"
# Scenario files (-s x.c) are compiled by $CC: the target's compiler, so the plugin
# the unit tests build loads into the cross-built binary.
export CC="$triple-gcc"

# ---- unit tests ----
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	out=$("$qemu" "$t" 2>&1); rc=$?
	printf '%s\n' "$out" | grep -E '^(ok|FAIL|skipped|  )' | sed "s|^|$name: |"
	if printf '%s\n' "$out" | grep -q '^FAIL '; then nfail=$((nfail + 1)); elif [ "$rc" -ne 0 ]; then
		fail "$name" "exited $rc" "$(printf '%s\n' "$out" | tail -3)"; fi
done

# ---- the CLI subset ----
expect_rc cross_list 0 "$SLABSTRESS" list
expect_grep cross_list_seed_scenario "lazy-objexts" "$OUT"

expect_rc cross_explore_rc1_lkmm_found 1 \
	"$SLABSTRESS" explore -s lazy-objexts --variant rc1 --model lkmm --executions 20000
expect_grep cross_explore_rc1_wrong_metadata "wrong-metadata" "$OUT"
expect_grep cross_explore_rc1_stale_stride "stride.* STALE" "$OUT"
expect_rc cross_explore_fixed_clean 0 \
	"$SLABSTRESS" explore -s lazy-objexts --variant fixed --model lkmm --executions "$EXECS" -q

expect_rc cross_replay_seed 1 "$SLABSTRESS" replay tests/fuzz-regress/repro/seed-lazy-objexts.json
expect_grep cross_replay_matches_saved "replay: matches the saved failure" "$OUT"
# a graph reproducer made on x86_64: its bytes are portable (engine/gx_save.c)
expect_rc cross_replay_graph_from_x86_64 1 "$SLABSTRESS" replay tests/fixtures/graph-rc1.json
expect_grep cross_replay_graph_matches_saved "replay: matches the saved failure" "$OUT"

L=$SHARED/litmus
files=$(cd "$L" && ls kernel-tools/*.litmus | grep -v 'dep+plain' | head -20)
# shellcheck disable=SC2086
expect_rc cross_litmus_20 0 "$SLABSTRESS" litmus -q $(printf '%s\n' "$files" | sed "s|^|$L/|")
expect_grep cross_litmus_20_agree '^20 tests: 20 agree, 0 disagree, 0 unsupported' "$OUT"
# shellcheck disable=SC2086
"$SLABSTRESS" litmus --model lkmm $(printf '%s\n' "$files" | sed "s|^|$L/|") 2>/dev/null |
	awk '/^Test /{dr=""} /^Flag data-race/{dr="\tDATARACE"} /^Observation /{print $3 "\t" $4 "\t" $5 dr}' \
		>"$TMP/got"
printf '%s\n' "$files" | while read -r f; do
	grep -F "$f	" tests/litmus/expected-lkmm.txt | cut -f2-
done >"$TMP/want"
if [ -s "$TMP/want" ] && cmp -s "$TMP/want" "$TMP/got"; then ok cross_litmus_20_counts; else
	fail cross_litmus_20_counts "$(diff "$TMP/want" "$TMP/got" | head -5)"; fi

expect_rc cross_native_run_2s 0 "$SLABSTRESS" run -s release-acquire --pin none --duration 2s \
	--no-progress
expect_grep cross_native_run_handoffs "[0-9]" "$OUT"

echo "cross $ARCH: $nfail failed"
finish
