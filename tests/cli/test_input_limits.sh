#!/bin/sh
# tests/cli/test_input_limits.sh - input files and lists under explicit limits:
# a directory where a file is expected, a file past the size, nesting or
# schedule limit, a bench result with no data, an empty list item, an unknown
# libFuzzer flag: exit 2 (or a shown warning) with one line naming the file or
# option, the limit and the value; a bench that ends before its first run says
# "no runs".
. "$(dirname "$0")/lib.sh"
S=$SLABSTRESS
SHARED=$(cd "$SHARED" && pwd)
cd "$TMP" || exit 1
mkdir adir

# one_line NAME PATTERN CMD...: exit 2, exactly one stderr line matching PATTERN.
one_line() {
	name=$1; pat=$2; shift 2
	"$@" >out.txt 2>err.txt; got=$?
	if [ "$got" -eq 2 ] && [ "$(wc -l <err.txt)" -eq 1 ] && grep -qE -- "$pat" err.txt; then
		ok "$name"
	else
		fail "$name" "exit $got: $*" "$(head -2 err.txt)"
	fi
}

one_line "replay DIR says it is a directory" "adir: is a directory, expected a reproducer file" "$S" replay adir
mkdir nolitmus
one_line "litmus DIR with no test in it says so" "no \\*\.litmus file under nolitmus" "$S" litmus nolitmus
one_line "minimize DIR says it is a directory" "adir: is a directory" "$S" minimize adir
one_line "replay /dev/zero stops at the size limit" "/dev/zero: more than 4194304 bytes, over the limit" \
	timeout 20 "$S" replay /dev/zero
python3 -c "print('['*100000)" >deep.json
one_line "replay of deep nesting stops at the depth limit" "deep.json: JSON nested more than 16 deep" "$S" replay deep.json
head -c 5000000 /dev/zero | tr '\0' ' ' >big.json
one_line "replay of a 5 MB file names size and limit" "big.json: 5000000 bytes, over the limit of 4194304" "$S" replay big.json

"$S" explore -s lazy-objexts --variant rc1 --save found >/dev/null 2>&1
r=$(ls found/*.json | head -1)
python3 - "$r" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d['schedule'] = '00' * ((1 << 20) + 1)
json.dump(d, open('bigsched.json', 'w'))
PY
one_line "replay of an over-long schedule names the limit" "field 'schedule' holds 1048577 bytes, over the limit of 1048576" \
	"$S" replay bigsched.json

"$S" bench -s release-acquire --alloc slab --repeat 2 --duration 0.2 --no-ceilings --json b.json >/dev/null 2>&1
one_line "compare A DIR says it is a directory" "adir: is a directory, expected a bench result file" "$S" compare b.json adir
one_line "compare of deep nesting stops at the depth limit" "deep.json: JSON nested more than 32 deep" "$S" compare b.json deep.json
if command -v jq >/dev/null 2>&1; then
	jq '.results[0].timing.handoffs_per_s = [] | .results[0].runs = 0' b.json >empty.json
	one_line "compare with an empty handoffs_per_s names file and field" \
		"empty.json: results\[0\].timing.handoffs_per_s is empty" "$S" compare b.json empty.json
	one_line "compare with an empty base too" "empty.json: results\[0\].timing.handoffs_per_s is empty" \
		"$S" compare empty.json b.json
	jq '.results = []' b.json >noruns.json
	one_line "compare with no results names the field" "noruns.json: results: empty" "$S" compare noruns.json b.json
else
	echo "skipped: compare empty-field checks: no jq"
fi

# A FIFO that no process writes to reads as empty at once (open() would wait for a
# writer for ever); an empty file names itself.
mkfifo fifo
one_line "replay of a FIFO without a writer does not hang" "fifo: empty, expected a reproducer file" \
	timeout 20 "$S" replay fifo
one_line "compare of a FIFO without a writer does not hang" "fifo: empty, expected a bench result file" \
	timeout 20 "$S" compare b.json fifo
one_line "litmus of a FIFO without a writer does not hang" "fifo:1: expected 'C <test name>'" \
	timeout 20 "$S" litmus fifo
: >empty.json
one_line "replay of an empty file says it is empty" "empty.json: empty, expected a reproducer file" \
	"$S" replay empty.json
# a pipe with a writer still reads as usual
"$S" litmus /dev/stdin <"$SHARED/litmus/shapes/MP.litmus" >out.txt 2>err.txt
if [ $? -le 1 ] && grep -q "MP" out.txt; then ok "litmus reads a pipe"; else fail "litmus reads a pipe" "$(head -2 err.txt)"; fi

one_line "bench --alloc slab,,libc refused" "cannot parse --alloc 'slab,,libc': empty item" \
	"$S" bench -s release-acquire --alloc slab,,libc
one_line "bench --size 64,,128 refused" "cannot parse --size '64,,128': empty item" \
	"$S" bench -s release-acquire --alloc slab --size 64,,128
one_line "bench --size ,64 refused" "empty item" "$S" bench -s release-acquire --alloc slab --size ,64
one_line "bench --batch 1,,2 refused" "cannot parse --batch '1,,2': empty item" \
	"$S" bench -s release-acquire --alloc slab --batch 1,,2
one_line "run --cpus with a huge number refused" "cannot parse --cpus" "$S" run --cpus 0-99999999999999999999
long=$(python3 -c "print(','.join(str(i) for i in range(2000)))")
one_line "run --cpus past the list length limit" "list longer than 4096 characters" "$S" run --cpus "$long"

one_line "matrix --variants with an empty item refused" "cannot parse --variants 'rc1,,fixed': empty item" \
	"$S" matrix --variants rc1,,fixed
many=$(python3 -c "print(','.join(['once'] * 40))")
one_line "matrix --scenarios past the item limit refused" "--scenarios: more than 32 items" \
	"$S" matrix --scenarios "$many"

# bench stopped before its first run ends: "no runs", not 0.00
"$S" bench -s release-acquire --alloc slab,libc --repeat 50 --duration 5 >out.txt 2>&1 &
pid=$!
sleep 1
kill -TERM "$pid"; wait "$pid"
if grep -q "no runs" out.txt && ! grep -qE "slab +0\.00" out.txt; then ok "bench with zero completed runs says no runs"; else fail "bench with zero completed runs says no runs" "$(grep -A3 SCENARIO out.txt)"; fi

# unknown libFuzzer flags after --: libFuzzer's own warning is shown
if "$S" fuzz -s once --duration 2 --save c1 -- -no_such_flag=1 >out.txt 2>err.txt || [ $? -eq 1 ]; then
	if grep -q "libFuzzer: WARNING: unrecognized flag '-no_such_flag=1'" err.txt; then
		ok "fuzz shows libFuzzer's warning for an unknown flag"
	elif grep -q "built without libFuzzer" err.txt; then
		echo "skipped: fuzz unknown flag: this build has no libFuzzer"
	else
		fail "fuzz shows libFuzzer's warning for an unknown flag" "$(head -3 err.txt)"
	fi
else
	echo "skipped: fuzz unknown flag: this build has no libFuzzer"
fi
finish
