#!/bin/sh
# tests/cli/test_output_paths.sh - output paths (--json, --save, -o, --report,
# --corpus) are checked before the work starts: an unwritable directory, a path
# under a non-directory, a file where a directory is needed (or the reverse) exit
# 2 at once with one line naming the option.
. "$(dirname "$0")/lib.sh"
S=$SLABSTRESS
cd "$TMP" || exit 1
touch afile
mkdir adir

# bad NAME OPTION CMD...: exit 2 within 5 s, one line on stderr naming OPTION.
bad() {
	name=$1; opt=$2; shift 2
	start=$(date +%s)
	"$@" >out.txt 2>err.txt; got=$?
	took=$(( $(date +%s) - start ))
	lines=$(wc -l <err.txt)
	if [ "$got" -eq 2 ] && [ "$lines" -eq 1 ] && grep -q -- "$opt" err.txt && [ "$took" -le 5 ]; then
		ok "$name"
	else
		fail "$name" "exit $got, $lines stderr lines, ${took}s: $*" "$(head -2 err.txt)"
	fi
}

bad "explore --save under /dev/null refused before the run" "--save '/dev/null/x'.*not a directory" \
	"$S" explore -s lazy-objexts --variant rc1 --model lkmm --duration 20 --save /dev/null/x
bad "explore --save a file refused" "--save 'afile'.*expected a directory" \
	"$S" explore -s once --duration 20 --save afile
bad "explore --save under a file refused" "--save 'afile/sub'.*'afile' is not a directory" \
	"$S" explore -s once --duration 20 --save afile/sub
bad "explore --json in /proc refused" "--json '/proc/x'" \
	"$S" explore -s once --duration 20 --json /proc/x
bad "run --json a directory refused" "--json 'adir'.*directory" \
	"$S" run -s release-acquire --duration 20 --json adir
bad "run --json in a missing directory refused" "--json 'nodir/x.json'.*does not exist" \
	"$S" run -s release-acquire --duration 20 --json nodir/x.json
bad "matrix --save in /proc refused" "--save '/proc/sys/x'" "$S" matrix --save /proc/sys/x
bad "matrix --json under a file refused" "--json 'afile/m.json'" "$S" matrix --json afile/m.json
bad "bench --report under /dev/null refused" "--report '/dev/null/r.html'" \
	"$S" bench -s release-acquire --alloc slab --report /dev/null/r.html
bad "bench --json a directory refused" "--json 'adir'" \
	"$S" bench -s release-acquire --alloc slab --json adir
bad "minimize -o in /proc refused" "-o '/proc/x'" "$S" minimize x.json -o /proc/x
bad "compare --json under a file refused" "--json 'afile/c.json'" "$S" compare a b --json afile/c.json
bad "fuzz --json in /proc refused before the campaign" "--json '/proc/x'" \
	"$S" fuzz -s once --duration 60 --json /proc/x
bad "fuzz --corpus under /dev/null refused" "--corpus '/dev/null/c'" \
	"$S" fuzz -s once --duration 60 --corpus /dev/null/c
bad "fuzz --save a file refused" "--save 'afile'" "$S" fuzz -s once --duration 60 --save afile

# A --save directory that does not exist yet is created, parents included.
"$S" explore -s once --executions 2000 --save new/sub >/dev/null 2>&1
if ls new/sub/*.json >/dev/null 2>&1; then ok "explore --save creates missing parents"; else fail "explore --save creates missing parents" "nothing in new/sub"; fi
finish
