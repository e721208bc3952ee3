#!/bin/sh
# tests/lint-man.sh - renders a man page with mandoc and with man (groff) and
# fails on a paragraph with unbalanced quotes (‘ ’, “ ”, ") or parentheses: the
# mark of an mdoc macro nesting (.Ql inside .Pq, .Dq, a stray closing
# delimiter) that source-level mandoc -Tlint does not see.
# With a built binary (./slabstress, or $SLABSTRESS) it also checks the SCENARIOS
# section against `slabstress list scenarios -v --json`: every registered scenario
# has an item there, every item is a registered scenario, and each item names the
# parameters its scenario declares (--iters, --batch).
# Usage: sh tests/lint-man.sh slabstress.1   (make lint runs it; so does
# tests/cli/test_scenarios.sh, with the binary it tests)
page=${1:-slabstress.1}
rc=0
scenarios_match() {
	"$1" list scenarios -v --json | python3 -c '
import json, re, sys
page = open(sys.argv[1]).read()
sec = page.split("\n.Sh SCENARIOS\n", 1)[1].split("\n.Sh ", 1)[0]
items = {}
for m in re.finditer(r"^\.It Cm (\S+)\n(.*?)(?=^\.It |^\.El)", sec, re.M | re.S):
    items[m.group(1)] = m.group(2)
bad = 0
listed = json.load(sys.stdin)
for s in listed:
    if s["name"] not in items:
        bad += 1; print(sys.argv[1] + ": scenario " + s["name"] + " is not in SCENARIOS")
        continue
    for p in s.get("params", []):
        if "\\-\\-" + p["name"] not in items[s["name"]]:
            bad += 1; print(sys.argv[1] + ": scenario " + s["name"] + ": no --" + p["name"])
for name in sorted(set(items) - {s["name"] for s in listed}):
    bad += 1; print(sys.argv[1] + ": SCENARIOS lists " + name + ", which is not registered")
sys.exit(1 if bad else 0)' "$2"
}
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
bin=${SLABSTRESS:-./slabstress}
if [ -x "$bin" ] && command -v python3 >/dev/null 2>&1; then
	scenarios_match "$bin" "$page" || rc=1
else
	echo "skipped the scenario list check (no $bin to ask)"
fi
exit $rc
