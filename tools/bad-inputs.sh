#!/bin/sh
# tools/bad-inputs.sh - the table of every bad input: the cases of
# tests/cli/test_bad_input.sh, test_input_limits.sh and test_output_paths.sh, and
# hostile ones (empty files, binary junk, NUL bytes, a FIFO, a directory, /dev/zero,
# huge and negative numbers, every enum option of every command with a bad value).
# Each runs in a scratch directory with stdin from /dev/null, TMPDIR in the scratch
# directory and a 30 s cap, and must end with exit 2, exactly one line on stderr,
# and no file left behind.  Prints one row per case:
#   command | exit | first line of stderr | verdict
# verdict is "ok" or what went wrong (hung, crashed, N stderr lines, left FILE...).
# Usage: sh tools/bad-inputs.sh [SLABSTRESS]   (default: ./slabstress)
# Exit status: 0 when every row is ok, 1 otherwise.
S=${1:-./slabstress}
case $S in /*) ;; *) S=$(pwd)/$S ;; esac
SRC=$(pwd)
W=$(mktemp -d)
CACHE=$(mktemp -d) # compiled scenario files (-s ./x.c), outside the watched directory
trap 'chmod -R u+rwx "$W" 2>/dev/null; rm -rf "$W" "$CACHE"' EXIT
export XDG_CACHE_HOME="$CACHE"
cd "$W" || exit 3
mkdir adir emptydir tmp
export TMPDIR="$W/tmp"
nbad=0

# ---- fixtures ----
touch afile empty.json empty.litmus
python3 - <<'PY'
import random
r = random.Random(11)
open('junk.bin', 'wb').write(bytes(r.randrange(256) for _ in range(4096)))
open('nul.json', 'wb').write(b'{"scenario": "once\x00", "schedule": "00"}')
open('nul.litmus', 'wb').write(b'C nul\n\n{}\n\nP0(int *x)\n{\n\tWRITE_ONCE(*x, 1);\x00\n}\n\nexists (x=1)\n')
open('deep.json', 'w').write('[' * 100000)
open('deep.litmus', 'w').write('C deep\n\n{}\n\nP0(int *x)\n{\n\tint r0 = ' + '(\n' * 100000 + '1' + ')\n' * 100000 + ';\n}\n\nexists (0:r0=1)\n')
open('notjson.json', 'w').write('this is not json\n')
open('wrongtype.json', 'w').write('[1, 2, 3]\n')
open('longline.litmus', 'w').write('C long\n' + 'x' * 2000000 + '\n')
PY
head -c 5000000 /dev/zero | tr '\0' ' ' >big.json
mkfifo fifo
printf '{}\n' >noread.json
chmod 000 noread.json
"$S" explore -s lazy-objexts --variant rc1 --save found >/dev/null 2>&1
repro=$(ls found/*.json 2>/dev/null | head -1)
python3 - "$repro" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])) if sys.argv[1] else {}
json.dump(dict(d, schedule='00' * ((1 << 20) + 1)), open('bigsched.json', 'w'))
json.dump(dict(d, schedule='zz'), open('badhex.json', 'w'))
json.dump(dict(d, scenario='nosuch'), open('badscn.json', 'w'))
json.dump(dict(d, iters=-1), open('negiters.json', 'w'))
json.dump(dict(d, iters=10 ** 30), open('hugeiters.json', 'w'))
PY
"$S" bench -s release-acquire --alloc slab --repeat 2 --duration 0.1 --no-ceilings \
	--json b.json >/dev/null 2>&1
if command -v jq >/dev/null 2>&1 && [ -s b.json ]; then
	jq '.results[0].timing.handoffs_per_s = [] | .results[0].runs = 0' b.json >emptyfield.json
	jq '.results = []' b.json >noruns.json
	jq '.schema = "slabstress-bench/99"' b.json >badschema.json
fi
many=$(python3 -c "print(','.join(['once'] * 40))")
longcpus=$(python3 -c "print(','.join(str(i) for i in range(2000)))")

# ---- one case: try ARGS... (the command line of slabstress), which must exit 2;
# try_rc WANT ARGS...: a case the design accepts (WANT: the exit statuses allowed,
# e.g. 0 or 01), still listed, as hostile input must neither crash nor hang ----
try() { try_rc 2 "$@"; }
try_rc() {
	want=$1
	shift
	find . -path ./tmp -prune -o -print | sort >before.lst
	ls tmp | sort >>before.lst
	timeout -s KILL 30 $RUNAS "$S" "$@" </dev/null >out.txt 2>err.txt
	rc=$?
	find . -path ./tmp -prune -o -print | sort >after.lst
	ls tmp | sort >>after.lst
	lines=$(wc -l <err.txt)
	first=$(head -1 err.txt | tr "|" "/" | sed "s|$W/||g" | cut -c1-160)
	left=$(comm -13 before.lst after.lst | grep -v -e '^\./out\.txt$' -e '^\./err\.txt$' \
		-e '\.lst$' | head -3 | tr '\n' ' ')
	verdict=ok
	[ "$want" = 2 ] || verdict="ok (accepted by design)"
	[ "$want" = 2m ] && verdict="ok (the compiler's diagnostics, then one line)"
	if [ "$rc" -eq 137 ]; then verdict="hung (killed after 30 s)"
	elif [ "$rc" -gt 128 ]; then verdict="crashed (signal $((rc - 128)))"
	elif [ "$rc" -ge 10 ] || [ "${want#*"$rc"}" = "$want" ]; then verdict="exit $rc, expected $want"
	elif [ "$want" = 2 ] && [ "$lines" -ne 1 ]; then verdict="$lines stderr lines, expected 1"
	elif [ "$want" = 2 ] && [ -n "$left" ]; then verdict="left $left"
	fi
	# the table names the scratch files by their own names
	cmd=$(printf '%s ' "$@" | sed "s|$W/||g" | cut -c1-120)
	printf 'slabstress %s| %s | %s | %s\n' "$cmd" "$rc" "$first" "$verdict"
	case $verdict in ok*) ;; *) nbad=$((nbad + 1)) ;; esac
	rm -rf tmp/* 2>/dev/null
}

echo "command | exit | first line of stderr | verdict"

# ---- tests/cli/test_bad_input.sh ----
try frobnicate
try run -s nosuch
try run -s same-cpu --variant rc2
try run -s same-cpu --alloc tcmalloc
try run -s release-acquire --cpus 0-x
try run -s release-acquire --cpus 0,
try run -s release-acquire --cpus 4095
try run -s release-acquire --cpus 0
try run -s release-acquire --pin diagonal
try run -s release-acquire --duration forever
try run -s release-acquire --rounds -5
try run -s same-cpu --stride-bits 24
try run -s same-cpu --objext inline
try run -s same-cpu --object-size big
try run -s same-cpu --page-size 1000
try list colours
try run -s lazy-objexts --alloc libc
try run -s same-cpu --rounds 1 --json /nonexistent/dir/out.json
try run -s same-cpu --rounds 1 --json adir
try run --frobnicate

# ---- tests/cli/test_input_limits.sh ----
try replay adir
try minimize adir
try replay /dev/zero
try replay deep.json
try replay big.json
try replay bigsched.json
try compare b.json adir
try compare b.json deep.json
[ -f emptyfield.json ] && try compare b.json emptyfield.json
[ -f emptyfield.json ] && try compare emptyfield.json b.json
[ -f noruns.json ] && try compare noruns.json b.json
try bench -s release-acquire --alloc slab --size 64,,128
try bench -s release-acquire --alloc slab --size ,64
try bench -s release-acquire --alloc slab --batch 1,,2
try run --cpus 0-99999999999999999999
try run --cpus "$longcpus"
try matrix --variants rc1,,fixed
try matrix --scenarios "$many"

# ---- tests/cli/test_output_paths.sh ----
try explore -s lazy-objexts --variant rc1 --model lkmm --duration 20 --save /dev/null/x
try explore -s once --duration 20 --save afile
try explore -s once --duration 20 --save afile/sub
try explore -s once --duration 20 --json /proc/x
try run -s release-acquire --duration 20 --json adir
try run -s release-acquire --duration 20 --json nodir/x.json
try matrix --save /proc/sys/x
try matrix --json afile/m.json
try bench -s release-acquire --alloc slab --report /dev/null/r.html
try bench -s release-acquire --alloc slab --json adir
try minimize x.json -o /proc/x
try compare a b --json afile/c.json
try fuzz -s once --duration 60 --json /proc/x
try fuzz -s once --duration 60 --corpus /dev/null/c
try fuzz -s once --duration 60 --save afile

# ---- hostile input files: every command that reads one ----
for f in empty.json junk.bin nul.json notjson.json wrongtype.json fifo nofile adir \
	badhex.json badscn.json negiters.json hugeiters.json; do
	try replay "$f"
	try minimize "$f" -o min.json
done
# triage reports a file that is not a reproducer on its own line and goes on
# (documented): exit 0, but it must neither hang nor crash.
for f in empty.json junk.bin fifo /dev/zero big.json; do try_rc 0 triage "$f"; done
try triage nofile
for f in empty.json junk.bin nul.json notjson.json wrongtype.json fifo nofile /dev/zero; do
	try compare b.json "$f"
	try compare "$f" b.json
done
[ -f badschema.json ] && try compare b.json badschema.json
for f in empty.litmus junk.bin nul.litmus deep.litmus longline.litmus fifo nofile adir /dev/zero; do
	try litmus "$f"
done
try herd7 junk.bin
try herd7 -model nosuch.cat nul.litmus
try fuzz --merge out emptydir nofile
# Permissions: root reads and writes anything, so as root these run as nobody.
RUNAS=
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	RUNAS="setpriv --reuid=65534 --regid=65534 --clear-groups"
	chmod 755 "$W" && chmod 1777 tmp && chmod 644 b.json
fi
if [ "$(id -u)" -ne 0 ] || [ -n "$RUNAS" ]; then
	mkdir rodir && chmod 555 rodir
	try replay noread.json
	try litmus noread.json
	try compare b.json noread.json
	try run -s release-acquire --rounds 1 --json rodir/r.json
	try explore -s once --executions 10 --save rodir/s
	try explore -s once --executions 10 --json rodir/e.json
	try bench -s release-acquire --alloc slab --report rodir/r.html
	try fuzz -s once --duration 5 --save tmp/crashes --corpus rodir/c
	try minimize "${repro:-x.json}" -o rodir/m.json
else
	echo "slabstress replay noread.json (and a read-only --json dir) | - | - | skipped: root without setpriv, permissions do not apply"
fi
RUNAS=

# ---- very long values; scenario files that do not compile ----
longname=$(python3 -c "print('a' * 100000)")
longpath="/tmp/$(python3 -c "print('d' * 300 + '/' + 'e' * 5000)").json"
try run -s "$longname"
try run -s release-acquire --variant "$longname"
try matrix --scenarios "$longname"
try run -s release-acquire --rounds 1 --json "$longpath"
try explore -s once --save "$longpath"
try replay "$longpath"
try litmus "$longpath"
printf 'int x = ;\n' >broken.c
cp junk.bin junk.c
try_rc 2m run -s ./broken.c --rounds 1
try_rc 2m list scenarios -s ./junk.c
try run -s ./nosuch.c

# ---- numbers: huge, negative, zero, not numbers ----
for v in 0 -1 18446744073709551616 99999999999999999999999 1e400 nan inf ''; do
	try run -s release-acquire --rounds "$v" --duration 1
	try explore -s once --executions "$v"
	try fuzz -s once --runs "$v" --duration 1
	try bench -s release-acquire --alloc slab --repeat "$v"
done
# accepted: numbers are read with base prefixes (0x10 = 16), as strtoul does
try_rc 0 run -s release-acquire --rounds 0x10 --duration 1
try_rc 0 explore -s release-acquire --executions 0x10
try_rc 0 fuzz -s release-acquire --runs 0x10 --duration 1 # a correct handoff: never fails
for v in -1 -1s 0 1e400 nan 99999999999999999999d 1x ''; do
	try run -s release-acquire --duration "$v"
	try explore -s once --duration "$v"
	try fuzz -s once --duration "$v"
	try litmus --timeout "$v" "$SRC/../shared/litmus/shapes/MP.litmus"
done
try_rc 0 run -s release-acquire --rounds 1 --seed 0 # any 64-bit seed
for o in --iters --pairs --batch --object-size --page-size --seed --jitter=; do
	for v in -1 0 99999999999999999999; do
		[ "$o$v" = --seed0 ] && continue
		case $o in *=) try run -s release-acquire --rounds 1 "$o$v" ;;
		*) try run -s release-acquire --rounds 1 "$o" "$v" ;; esac
	done
done
for o in --max-steps --depth --history --preemptions --staleness --stale-prob --iters; do
	for v in -1 99999999999999999999 abc; do try explore -s once "$o" "$v"; done
done
try explore -s once --stale-prob 1.5
for o in --jobs --max-len --minimize-execs --max-steps; do
	for v in 0 -1 99999999999999999999; do try fuzz -s once --duration 1 "$o" "$v"; done
done
for o in --warmup --pairs --duration; do
	for v in -1 abc; do try bench -s release-acquire --alloc slab "$o" "$v"; done
done
for v in -1 abc; do try compare --threshold "$v" b.json b.json; done
# a threshold of 0 % (every change) or over 100 % (a doubling) is a threshold
for v in 0 101; do try_rc 0 compare --threshold "$v" b.json b.json; done
for v in -1 0 2 nan; do try compare --alpha "$v" b.json b.json; done
try_rc 0 compare --alpha 1 b.json b.json # every p-value passes: the threshold decides
for v in 0/2 3/2 2/0 x 1/x -1/2; do try matrix --shard "$v"; done
for v in -1 0 abc; do try matrix --executions "$v"; done
for v in -1 abc; do
	try minimize "${repro:-x.json}" --max-executions "$v"
	try litmus --max-candidates "$v" "$SRC/../shared/litmus/shapes/MP.litmus"
	try litmus --engine lkvm --max-states "$v" "$SRC/../shared/litmus/shapes/MP.litmus"
done
for v in -1 3-1 0-x '' , 0,,1 99999999999; do try run -s release-acquire --rounds 1 --cpus "$v"; done
try bench -s release-acquire --alloc slab --cpus 0
try bench -s release-acquire --alloc slab --cpus 0,0

# ---- every enum option of every command with a bad value ----
for c in run explore fuzz bench; do
	try $c -s nosuch
	try $c -s release-acquire --alloc nosuch
	try $c -s release-acquire --variant nosuch
	try $c -s release-acquire --objcg-refs nosuch
	try $c -s release-acquire --objext nosuch
	try $c -s release-acquire --stride-bits 17
done
try bench -s release-acquire --alloc slab,nosuch
try bench -s release-acquire --alloc slab,,libc
try run -s release-acquire --pin nosuch
try bench -s release-acquire --pin nosuch
for c in explore fuzz matrix; do try $c -s once --deps nosuch; done
try explore -s once --model nosuch
try explore -s once --strategy nosuch
try fuzz -s once --model nosuch
try litmus --engine nosuch "$SRC/../shared/litmus/shapes/MP.litmus"
try litmus --format nosuch "$SRC/../shared/litmus/shapes/MP.litmus"
try litmus -m nosuch "$SRC/../shared/litmus/shapes/MP.litmus"
try replay --format nosuch "${repro:-x.json}"
try replay --deps nosuch "${repro:-x.json}"
try replay --model nosuch "${repro:-x.json}"
try matrix --expect nosuch
try matrix --models sc,nosuch
try matrix --scenarios nosuch
try matrix --variants nosuch
try compare --match nosuch b.json b.json
try list nosuch
try list scenarios -s nofile.c

echo "$nbad of the cases above not ok"
[ "$nbad" -eq 0 ]
