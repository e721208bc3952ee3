#!/bin/sh
# tests/cli/test_help.sh - help that says what the code does: example commands in
# every --help stay on one line each (argp must not wrap them), the defaults
# stated for bench --alloc, fuzz --seed and explore's exhaustive budget match the
# code, and the man page renders with balanced quotes in mandoc and man.
. "$(dirname "$0")/lib.sh"
S=$SLABSTRESS

for c in run explore fuzz bench matrix replay minimize compare list; do
	"$S" $c --help >"$TMP/help" 2>&1
	# After "Examples:", every line up to the next blank one is an indented
	# command (or its comment): a wrapped one would start in column 0.
	bad=$(awk '/^(Examples:|EXAMPLES)$/ {ex = 1; next} ex && /^$/ {ex = 0} ex && !/^  / {print}' "$TMP/help")
	n=$(grep -c '^  slabstress ' "$TMP/help")
	if [ -z "$bad" ] && [ "$n" -ge 1 ]; then ok "$c --help: $n examples, none wrapped"; else fail "$c --help: examples wrapped" "$bad"; fi
done

h=$("$S" bench --help | tr '\n' ' ' | tr -s ' ')
expect_grep "bench --help: --alloc default is the three allocators" "bench: the comma list slab,jemalloc,libc" "$h"
expect_grep "fuzz --help: --seed default is libFuzzer's" "fuzz: libFuzzer's own, from the clock" "$("$S" fuzz --help | tr '\n' ' ' | tr -s ' ')"
expect_grep "explore --help: exhaustive's execution budget" "exhaustive: 2000000" "$("$S" explore --help | tr '\n' ' ' | tr -s ' ')"
# ... and the code does what they say
grep -q 'parse_allocs("slab,jemalloc,libc"' cmd/bench.c 2>/dev/null && ok "bench default allocators in the code" || fail "bench default allocators in the code"
grep -q 'xo.max_execs = 2000000' cmd/explore.c 2>/dev/null && ok "exhaustive budget in the code" || fail "exhaustive budget in the code"

if sh tests/lint-man.sh slabstress.1 >"$TMP/lint" 2>&1; then ok "man page renders with balanced quotes"; else fail "man page renders with balanced quotes" "$(head -4 "$TMP/lint")"; fi
grep -q skipped "$TMP/lint" && grep skipped "$TMP/lint"
# the checker can fail: a stray closing parenthesis after .Pq Ql
printf '.Dd today\n.Dt T 1\n.Os\n.Sh NAME\n.Nm t\n.Nd t\n.Sh DESCRIPTION\nWrite\n.Pq Ql -\nfor standard output).\n' >"$TMP/bad.1"
if sh tests/lint-man.sh "$TMP/bad.1" >/dev/null 2>&1; then fail "man quote checker catches a stray parenthesis"; else ok "man quote checker catches a stray parenthesis"; fi
finish
