#!/bin/sh
# tests/cli/test_json_stdout.sh - `--json -` puts the JSON document alone on stdout
# (a JSON parser reads it whole) and the human report on stderr, for every
# command that takes --json (litmus too; its --format json: see test_litmus.sh).
. "$(dirname "$0")/lib.sh"
S=$SLABSTRESS
SHARED=$(cd "$SHARED" && pwd)
cd "$TMP" || exit 1

parse() {
	if command -v jq >/dev/null 2>&1; then jq -e .schema "$1" >/dev/null 2>&1
	else python3 -m json.tool "$1" >/dev/null 2>&1; fi
}
# only_json NAME WANT_RC CMD...: stdout parses as one JSON document; stderr holds
# the human report (a line starting "slabstress" or a verdict).
only_json() {
	name=$1; want=$2; shift 2
	"$@" --json - >stdout.json 2>stderr.txt; got=$?
	if [ "$got" -ne "$want" ]; then fail "$name" "exit $got, wanted $want: $*" "$(head -3 stderr.txt)"; return; fi
	if ! parse stdout.json; then fail "$name" "stdout is not one JSON document:" "$(head -c 200 stdout.json)"; return; fi
	if ! grep -qE '^(slabstress|clean|FAILED|SCENARIO|done|interrupted|Test |  )' stderr.txt; then fail "$name" "no human report on stderr"; return; fi
	ok "$name"
}

only_json "run --json - : JSON alone on stdout" 0 "$S" run -s release-acquire --duration 0.3
only_json "explore --json - : JSON alone on stdout (failure found)" 1 \
	"$S" explore -s lazy-objexts --variant rc1 --model lkmm
only_json "matrix --json - : JSON alone on stdout" 0 \
	"$S" matrix --scenarios release-acquire --variants fixed --models sc --executions 100
only_json "bench --json - : JSON alone on stdout" 0 \
	"$S" bench -s release-acquire --alloc slab --repeat 1 --duration 0.2 --no-ceilings
"$S" bench -s release-acquire --alloc slab --repeat 2 --duration 0.2 --no-ceilings \
	--json b.json >/dev/null 2>&1
only_json "compare --json - : JSON alone on stdout" 0 "$S" compare b.json b.json
only_json "litmus --json - : JSON alone on stdout" 0 "$S" litmus "$SHARED/litmus/shapes/MP.litmus"
if "$S" fuzz -s once --duration 1 --runs 10 --save c0 >/dev/null 2>&1 || [ $? -eq 1 ]; then
	only_json "fuzz --json - : JSON alone on stdout" 1 \
		"$S" fuzz -s lazy-objexts --variant rc1 --duration 20 --save crashes
else
	echo "skipped: fuzz --json -: this build has no libFuzzer"
fi
finish
