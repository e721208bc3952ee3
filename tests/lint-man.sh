#!/bin/sh
# tests/lint-man.sh - renders a man page with mandoc and with man (groff) and
# fails on a paragraph with unbalanced quotes (‘ ’, “ ”, ") or parentheses: the
# mark of an mdoc macro nesting (.Ql inside .Pq, .Dq, a stray closing
# delimiter) that source-level mandoc -Tlint does not see.
# Usage: sh tests/lint-man.sh slabstress.1   (make lint runs it)
page=${1:-slabstress.1}
rc=0
check() {
	python3 -c '
import re, sys
bad = 0
for para in re.split(r"\n\s*\n", sys.stdin.read()):
    counts = [(para.count("\u2018"), para.count("\u2019")), (para.count("\u201c"), para.count("\u201d")),
              (para.count("("), para.count(")"))]
    if any(a != b for a, b in counts) or para.count("\"") % 2:
        bad += 1
        print(sys.argv[1] + ": unbalanced quotes or parentheses in:\n" + para.strip()[:400])
sys.exit(1 if bad else 0)' "$1"
}
if command -v mandoc >/dev/null 2>&1; then
	mandoc -Tutf8 "$page" | col -b | check "mandoc $page" || rc=1
else
	echo "skipped mandoc rendering (no mandoc)"
fi
if command -v man >/dev/null 2>&1 && command -v groff >/dev/null 2>&1; then
	LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$page" 2>/dev/null | col -b | check "man $page" || rc=1
else
	echo "skipped man rendering (no man or groff)"
fi
exit $rc
