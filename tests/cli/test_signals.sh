#!/bin/sh
# tests/cli/test_signals.sh - SIGINT, SIGTERM and SIGHUP stop every long command the
# same way: workers stopped and reaped, reproducers saved, --json written with
# "interrupted": true, no temporary file left, exit status the one the run earned;
# a second signal during the cleanup exits 128+signal and still leaves nothing.
. "$(dirname "$0")/lib.sh"
S=$SLABSTRESS

# json_ok NAME FILE FILTER: FILE parses and jq FILTER (or python) is true.
json_ok() {
	if command -v jq >/dev/null 2>&1; then
		if jq -e "$3" "$2" >/dev/null 2>&1; then ok "$1"; else fail "$1" "$2: jq '$3' false or invalid JSON" "$(head -c 300 "$2" 2>/dev/null)"; fi
	elif python3 -m json.tool "$2" >/dev/null 2>&1 && grep -q '"interrupted": true' "$2"; then
		ok "$1"
	else
		fail "$1" "$2: invalid JSON or not interrupted"
	fi
}
# stop_after NAME SECONDS SIGNAL WANT_RC CMD...: starts CMD, sends SIGNAL after
# SECONDS, checks the exit status.
stop_after() {
	name=$1; secs=$2; sig=$3; want=$4; shift 4
	"$@" >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	sleep "$secs"
	kill "-$sig" "$pid"
	wait "$pid"; got=$?
	if [ "$got" -eq "$want" ]; then ok "$name"; else fail "$name" "exit $got, wanted $want after SIG$sig: $*" "$(tail -3 "$TMP/err")"; fi
}
# no_temp NAME DIR: no temporary file (".NAME.XXXXXX" of an atomic write, a fuzz
# work directory) under DIR.
no_temp() {
	left=$(find "$2" \( -name '.*.??????' -o -name 'slabstress-fuzz.*' \) 2>/dev/null | head -3)
	if [ -z "$left" ]; then ok "$1"; else fail "$1" "left behind: $left"; fi
}

cd "$TMP" || exit 1
mkdir -p tmp
export TMPDIR="$TMP/tmp"

# run: SIGHUP, nothing found -> 0
stop_after "run stops on SIGHUP with exit 0" 1 HUP 0 \
	"$S" run -s release-acquire --duration 30 --json run.json
json_ok "run --json written on SIGHUP, interrupted" run.json '.interrupted == true and .verdict == "clean"'

# explore: SIGTERM after failures were found and saved -> 1, reproducers kept
stop_after "explore stops on SIGTERM with exit 1 (found)" 1.5 TERM 1 \
	"$S" explore -s lazy-objexts --variant rc1 --model lkmm --keep-going --duration 60 \
	--save found --json explore.json
json_ok "explore --json written on SIGTERM, interrupted" explore.json '.interrupted == true and .verdict == "failed"'
n=$(ls found/*.json 2>/dev/null | wc -l)
rrc=9
[ "$n" -ge 1 ] && { "$S" replay "$(ls found/*.json | head -1)" >/dev/null 2>&1; rrc=$?; }
if [ "$rrc" -eq 1 ]; then
	ok "explore reproducers saved before SIGTERM replay"
else
	fail "explore reproducers saved before SIGTERM replay" "$n files, replay exit $rrc"
fi
no_temp "explore --save leaves no temporary file" found

# bench: SIGTERM -> 0, the result holds the runs made so far
stop_after "bench stops on SIGTERM with exit 0" 2 TERM 0 \
	"$S" bench -s release-acquire --alloc slab,libc --repeat 50 --json bench.json
json_ok "bench --json written on SIGTERM, interrupted" bench.json '.interrupted == true'

# matrix: SIGINT -> the run and its unfinished cell are marked
stop_after "matrix stops on SIGINT" 1.5 INT 0 "$S" matrix --executions 400000 --json matrix.json
json_ok "matrix --json marks the run and its unfinished cell" matrix.json \
	'.interrupted == true and (.cells | last | .verdict) == "unfinished"'

# Each long command stops the same way on each of the three signals: exit 0 (nothing
# found), the --json result marked interrupted, no temporary file left.
have_fuzz=0
"$S" fuzz -s release-acquire --duration 1 --runs 10 --save "$TMP/c0" >/dev/null 2>&1 && have_fuzz=1
for sig in INT TERM HUP; do
	stop_after "run stops on SIG$sig" 1 $sig 0 \
		"$S" run -s release-acquire --duration 30 --json "run-$sig.json"
	json_ok "run --json on SIG$sig: interrupted" "run-$sig.json" '.interrupted == true'
	stop_after "explore stops on SIG$sig" 1 $sig 0 \
		"$S" explore -s release-acquire --duration 60 --save "ex-$sig" --json "ex-$sig.json"
	json_ok "explore --json on SIG$sig: interrupted" "ex-$sig.json" '.interrupted == true'
	stop_after "bench stops on SIG$sig" 1.5 $sig 0 \
		"$S" bench -s release-acquire --alloc slab --repeat 50 --json "bench-$sig.json"
	json_ok "bench --json on SIG$sig: interrupted" "bench-$sig.json" '.interrupted == true'
	stop_after "matrix stops on SIG$sig" 1 $sig 0 \
		"$S" matrix --executions 400000 --json "matrix-$sig.json"
	json_ok "matrix --json on SIG$sig: interrupted" "matrix-$sig.json" '.interrupted == true'
	if [ $have_fuzz = 1 ]; then
		stop_after "fuzz stops on SIG$sig" 2 $sig 0 "$S" fuzz -s lazy-objexts \
			--variant fixed --duration 60 --save "fz-$sig" --json "fz-$sig.json"
		json_ok "fuzz --json on SIG$sig: interrupted" "fz-$sig.json" '.interrupted == true'
	fi
	no_temp "no temporary file left after SIG$sig" .
done

# fuzz: the double SIGINT that timeout(1) sends (to the child, then its group)
if [ $have_fuzz = 1 ]; then
	timeout --preserve-status -s INT 3 "$S" fuzz -s lazy-objexts --variant fixed \
		--duration 60 --save crashes --json fuzz.json >"$TMP/out" 2>"$TMP/err"
	got=$?
	if [ "$got" -eq 0 ]; then ok "fuzz under timeout -s INT exits 0"; else fail "fuzz under timeout -s INT exits 0" "exit $got" "$(tail -3 "$TMP/err")"; fi
	json_ok "fuzz --json written under timeout -s INT" fuzz.json '.interrupted == true'
	sleep 0.3
	if pgrep -f 'fuzz --ss-worker' >/dev/null 2>&1 && pgrep -f "artifact_prefix=$TMP" >/dev/null 2>&1; then
		fail "fuzz leaves no libFuzzer worker behind" "$(pgrep -af "artifact_prefix=$TMP" | head -2)"
	else
		ok "fuzz leaves no libFuzzer worker behind"
	fi
	no_temp "fuzz removes its work directory" "$TMP/tmp"

	# SIGTERM with a failure found -> 1, reproducer saved
	stop_after "fuzz stops on SIGTERM with exit 1 (found)" 4 TERM 1 \
		"$S" fuzz -s lazy-objexts --variant rc1 --duration 60 --keep-going \
		--save crashes1 --json fuzz1.json
	json_ok "fuzz --json written on SIGTERM, failure listed" fuzz1.json \
		'.interrupted == true and (.failures | length) >= 1'
	if ls crashes1/*.json >/dev/null 2>&1; then ok "fuzz reproducer saved on SIGTERM"; else fail "fuzz reproducer saved on SIGTERM" "none in crashes1/"; fi

	# A second signal during the cleanup (the worker is stopped, so the cleanup
	# waits for it): 143, the worker killed, the work directory gone.
	"$S" fuzz -s lazy-objexts --variant fixed --duration 60 --save crashes2 \
		--json fuzz2.json >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	sleep 2
	w=$(pgrep -P "$pid" | head -1)
	[ -n "$w" ] && kill -STOP "$w"
	kill -INT "$pid"
	sleep 1
	kill -TERM "$pid"
	wait "$pid"; got=$?
	if [ "$got" -eq 143 ]; then ok "fuzz: second signal during cleanup exits 143"; else fail "fuzz: second signal during cleanup exits 143" "exit $got" "$(tail -3 "$TMP/err")"; fi
	sleep 0.3
	if [ -n "$w" ] && kill -0 "$w" 2>/dev/null; then
		fail "fuzz: second signal kills the stopped worker" "pid $w alive"
		kill -KILL "$w"
	else
		ok "fuzz: second signal kills the stopped worker"
	fi
	no_temp "fuzz: second signal removes the work directory" "$TMP/tmp"
	if [ -e fuzz2.json ]; then fail "fuzz: no half result after a hard stop" "fuzz2.json exists"; else ok "fuzz: no half result after a hard stop"; fi
else
	echo "skipped: fuzz signal tests: this build has no libFuzzer"
fi
finish
