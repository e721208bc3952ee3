#!/bin/sh
# tests/run.sh - runs every unit test binary and every CLI test, then prints one
# closing line "N passed, N failed".  Usage: sh tests/run.sh [BUILD_DIR]
BUILD=${1:-build}
export SLABSTRESS="${SLABSTRESS:-$(pwd)/slabstress}"
export SHARED="${SHARED:-$(cd .. && pwd)/shared}"
# Every emulator execution checks that it starts from the first one's memory image
# (engine/world.h); a reset that misses something is an internal error.
export SLABSTRESS_CHECK_RESET="${SLABSTRESS_CHECK_RESET:-1}"
passed=0; failed=0; failed_names=""; failed_lines=""
# fail_lines NAME OUT: the FAIL lines of OUT and their indented details, kept for the
# end, since a CI log often shows only its tail.
fail_lines() { printf '%s\n' "$2" | awk -v t="$1" '/^FAIL /{k=1; print t ": " $0; next} /^  /{if (k) print t ": " $0; next} {k=0}'; }
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	out=$("$t" 2>&1); rc=$?
	printf '%s\n' "$out" | grep -E '^(ok|FAIL|skipped|  )' | sed "s|^|$(basename "$t"): |"
	p=$(printf '%s\n' "$out" | grep -c '^ok ')
	f=$(printf '%s\n' "$out" | grep -c '^FAIL ')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "FAIL $(basename "$t") exited $rc"; fi
	passed=$((passed + p)); failed=$((failed + f))
	[ "$f" -gt 0 ] && failed_names="$failed_names $(basename "$t")" &&
		failed_lines="$failed_lines$(fail_lines "$(basename "$t")" "$out")
"
done
for t in tests/cli/test_*.sh; do
	[ -f "$t" ] || continue
	out=$(sh "$t" 2>&1); rc=$?
	printf '%s\n' "$out" | grep -E '^(ok|FAIL|skipped|  )' | sed "s|^|$(basename "$t"): |"
	p=$(printf '%s\n' "$out" | grep -c '^ok ')
	f=$(printf '%s\n' "$out" | grep -c '^FAIL ')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "FAIL $(basename "$t") exited $rc"; printf '%s\n' "$out" | tail -5; fi
	passed=$((passed + p)); failed=$((failed + f))
	[ "$f" -gt 0 ] && failed_names="$failed_names $(basename "$t")" &&
		failed_lines="$failed_lines$(fail_lines "$(basename "$t")" "$out")
"
done
[ -n "$failed_lines" ] && printf '\nthe failed checks again:\n%s' "$failed_lines"
[ -n "$failed_names" ] && echo "failing:$failed_names"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
