# tests/cli/test_clusterfuzzlite.sh - .clusterfuzzlite/build.sh run as the OSS-Fuzz
# builder runs it (CC, CFLAGS with ASan and -fsanitize=fuzzer-no-link,
# LIB_FUZZING_ENGINE, SRC, OUT, WORK), on a copy of the tree; then every target it
# produced runs 10 s from its seed corpus with its .options (dictionary) and must
# end clean.  Needs clang with libFuzzer: without it, "skipped".
. tests/cli/lib.sh
if [ -n "${SS_SKIP_OWN_BUILDS:-}" ]; then
	echo "skipped clusterfuzzlite: builds its own tree with its own flags (run by make check, not again here)"
	exit 0
fi
rt=$(ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a \
	$(clang -print-runtime-dir 2>/dev/null)/libclang_rt.fuzzer.a 2>/dev/null | head -1)
if ! command -v clang >/dev/null || [ -z "$rt" ]; then
	echo "skipped clusterfuzzlite: clang's libFuzzer runtime is not installed"
	exit 0
fi
SRC=$TMP/src
mkdir -p "$SRC/slabstress" "$TMP/cflout" "$TMP/work"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard |
		xargs -0 cp --parents -t "$SRC/slabstress" 2>/dev/null
else
	tar -cf - --exclude='./build*' . | tar -xf - -C "$SRC/slabstress"
fi
cp .clusterfuzzlite/build.sh "$SRC/"
expect_rc cfl-build 0 env SRC="$SRC" OUT="$TMP/cflout" WORK="$TMP/work" CC=clang CXX=clang++ \
	CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link" \
	LIB_FUZZING_ENGINE=-fsanitize=fuzzer bash "$SRC/build.sh"
[ -s "$TMP/err" ] && sed -n '1,20p' "$TMP/err"

targets=$(cd "$TMP/cflout" && for f in *; do [ -f "$f" ] && [ -x "$f" ] && echo "$f"; done)
n=$(printf '%s\n' $targets | grep -c .)
expect_grep cfl-sched-targets 'sched_lazy_objexts_fixed' "$targets"
expect_grep cfl-parser-targets 'parse_litmus' "$targets"
for t in $targets; do
	[ -f "$TMP/cflout/$t.options" ] && ok "cfl-$t-options" || fail "cfl-$t-options" "no $t.options"
	[ -f "$TMP/cflout/${t}_seed_corpus.zip" ] && ok "cfl-$t-seeds" || fail "cfl-$t-seeds" "no seed corpus"
done
expect_grep cfl-litmus-dict 'dict = parse_litmus.dict' "$(cat "$TMP/cflout/parse_litmus.options")"

# Run each target 10 s as the runner would: from $OUT, seeds unpacked, options applied.
run_target() { # NAME
	t=$1 c=$TMP/corpus-$1
	mkdir -p "$c"
	python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
		"$TMP/cflout/${t}_seed_corpus.zip" "$c"
	dict=$(sed -n 's/^dict = //p' "$TMP/cflout/$t.options")
	len=$(sed -n 's/^max_len = //p' "$TMP/cflout/$t.options")
	(cd "$TMP/cflout" && env -u LD_LIBRARY_PATH ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
		"./$t" -max_total_time=10 -timeout=25 -rss_limit_mb=2560 ${len:+-max_len=$len} \
		${dict:+-dict=$dict} -artifact_prefix="$TMP/crash-$t-" "$c") >"$TMP/run-$t.log" 2>&1
	echo $? >"$TMP/rc-$t"
}
set -- $targets
while [ $# -gt 0 ]; do # two at a time
	run_target "$1" &
	[ $# -gt 1 ] && run_target "$2" &
	wait
	shift; [ $# -gt 0 ] && shift
done
for t in $targets; do
	rc=$(cat "$TMP/rc-$t")
	if [ "$rc" = 0 ] && grep -q '^Done [0-9]* runs' "$TMP/run-$t.log"; then
		ok "cfl-$t-runs-10s ($(grep -o '^Done [0-9]* runs' "$TMP/run-$t.log"))"
	else
		fail "cfl-$t-runs-10s" "exit $rc" "$(tail -5 "$TMP/run-$t.log")"
	fi
done
[ "$n" -ge 7 ] && ok "cfl-target-count ($n)" || fail cfl-target-count "$n targets: $targets"
finish
