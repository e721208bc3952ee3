#!/bin/sh
# tests/cli/test_graph_jobs.sh - `explore --engine graph --jobs N`: the exhaustive
# exploration in N forked workers.  The proofs count exactly what one process
# counts (every number of the summary line but the time); a failure a worker
# finds is reported, saved and replays to the same failure; --keep-going counts
# the same failing executions; the races are the same two; --executions bounds
# every worker together, --duration all of them; SIGTERM to the parent stops the workers, leaves none
# behind and says interrupted; bad combinations exit 2 with one line.
. "$(dirname "$0")/lib.sh"
G="$(dirname "$0")/../genmc/genmc_slab.c"
FIX="custom --set stride=early,stride-access=once,rmb-before-stride=on"

# counts NAME ARGS...: the summary line without its time, for --jobs 1 and 3
same_counts() {
	name=$1; shift
	one=$("$SLABSTRESS" explore "$@" --jobs 1 2>&1 | grep -E "graphs in|^proof|^clean|^FAILED" |
		sed 's/in [0-9.]* s = [0-9]* graphs\/s//')
	three=$("$SLABSTRESS" explore "$@" --jobs 3 2>&1 | grep -E "graphs in|^proof|^clean|^FAILED" |
		sed 's/in [0-9.]* s = [0-9]* graphs\/s//')
	if [ -n "$one" ] && [ "$one" = "$three" ]; then ok "$name"; else fail "$name" "one: $one" "three: $three"; fi
}

# $FIX is several words on purpose
# shellcheck disable=SC2086
same_counts proof_2x3_same_counts -s "$G" --iters 23 --variant $FIX --model lkmm --engine graph --races ignore
# shellcheck disable=SC2086
same_counts proof_3x1_same_counts -s "$G" --iters 31 --variant $FIX --model lkmm --engine graph --races ignore
same_counts keep_going_same_failures -s "$G" --iters 22 --variant rc1 --model lkmm --engine graph \
	--races ignore --keep-going --no-explain

# shellcheck disable=SC2086
expect_rc jobs_proof 0 "$SLABSTRESS" explore -s "$G" --iters 31 --variant $FIX --model lkmm \
	--engine graph --races ignore --jobs 2
expect_grep jobs_header "every execution graph \\(at most [0-9]+, 2 worker processes\\)" "$OUT"
expect_grep jobs_proof_line "^proof: all 8742 consistent executions under lkmm explored, no failure" "$OUT"

# a failure found by a worker: reported, saved, replays to the same failure
expect_rc jobs_finds_rc1 1 "$SLABSTRESS" explore -s "$G" --iters 23 --variant rc1 --model lkmm \
	--engine graph --races ignore --jobs 2 --no-explain --save "$TMP/found"
expect_grep jobs_rc1_failed "^FAILED: " "$OUT"
f=$(ls "$TMP"/found/*.json 2>/dev/null | head -1)
if [ -n "$f" ]; then ok jobs_rc1_saved; else fail jobs_rc1_saved "nothing in $TMP/found"; fi
expect_rc jobs_rc1_replays 1 "$SLABSTRESS" replay "$f" --no-explain
expect_grep jobs_rc1_replay_matches "replay: matches the saved failure" "$OUT"

# races: the same two on the plain stride
expect_rc jobs_races 0 "$SLABSTRESS" explore -s "$G" --iters 23 --variant wmb-rmb --model lkmm \
	--engine graph --races report --no-explain --jobs 2
n=$(printf '%s\n' "$OUT" | grep -c "^data race: CPU 1 plain store of st->stride")
if [ "$n" -eq 2 ]; then ok jobs_two_races; else fail jobs_two_races "$n race lines" "$OUT"; fi
expect_grep jobs_races_proof "^proof: all 5956 consistent executions" "$OUT"

# --executions bounds the workers together: no proof
# shellcheck disable=SC2086
expect_rc jobs_bounded 0 "$SLABSTRESS" explore -s "$G" --iters 23 --variant $FIX --model lkmm \
	--engine graph --races ignore --jobs 2 --executions 3000
expect_grep jobs_bounded_not_proof "incomplete: not a proof" "$OUT"
g=$(printf '%s\n' "$OUT" | sed -n 's/^ *\([0-9]*\) graphs in.*/\1/p')
if [ -n "$g" ] && [ "$g" -le 3000 ]; then ok jobs_bounded_count; else fail jobs_bounded_count "$g graphs"; fi

# --duration stops every worker (none waits for the graphs of one that stopped)
# shellcheck disable=SC2086
expect_rc jobs_duration 0 timeout 60 "$SLABSTRESS" explore -s "$G" --iters 32 --variant $FIX \
	--model lkmm --engine graph --races ignore --jobs 3 --duration 1
expect_grep jobs_duration_not_proof "incomplete: not a proof" "$OUT"

# SIGTERM to the parent alone: the workers stop too, none is left, interrupted
# shellcheck disable=SC2086
"$SLABSTRESS" explore -s "$G" --iters 32 --variant $FIX --model lkmm --engine graph \
	--races ignore --jobs 2 --json "$TMP/j.json" >"$TMP/sig.out" 2>&1 &
pid=$!
sleep 2
kill -TERM "$pid"
wait "$pid"
rc=$?
if [ "$rc" -eq 0 ]; then ok jobs_sigterm_exit_0; else fail jobs_sigterm_exit_0 "exit $rc" "$(tail -3 "$TMP/sig.out")"; fi
sleep 0.2
if pgrep -f "iters 32 --variant custom.*--jobs 2 --json $TMP/j.json" >/dev/null 2>&1; then
	fail jobs_sigterm_no_worker_left "$(pgrep -af "jobs 2 --json $TMP")"
else
	ok jobs_sigterm_no_worker_left
fi
if grep -q '"interrupted": true' "$TMP/j.json"; then ok jobs_sigterm_json; else fail jobs_sigterm_json "$(head -c 300 "$TMP/j.json")"; fi
if grep -q "not a proof" "$TMP/sig.out"; then ok jobs_sigterm_no_proof; else fail jobs_sigterm_no_proof "$(tail -3 "$TMP/sig.out")"; fi

# bad input: exit 2, one line naming the value and what was expected
expect_rc jobs_zero 2 "$SLABSTRESS" explore -s lazy-objexts --engine graph --jobs 0
expect_grep jobs_zero_line "--jobs" "$ERR"
expect_rc jobs_word 2 "$SLABSTRESS" explore -s lazy-objexts --engine graph --jobs many
expect_rc jobs_lkvm 2 "$SLABSTRESS" explore -s lazy-objexts --engine lkvm --jobs 2
expect_grep jobs_lkvm_line "^slabstress: --jobs 2 with the lkvm engine \\(the default\\): expected --engine graph" "$ERR"
expect_rc jobs_default_engine 2 "$SLABSTRESS" explore -s lazy-objexts --jobs 2
expect_grep jobs_default_engine_line "^slabstress: --jobs 2 with the lkvm engine" "$ERR"
expect_rc jobs_random 2 "$SLABSTRESS" explore -s lazy-objexts --engine graph --strategy random --jobs 2
expect_grep jobs_random_line "--jobs 2 with --strategy random: expected exhaustive" "$ERR"
expect_rc jobs_resume 2 "$SLABSTRESS" explore -s lazy-objexts --engine graph --jobs 2 \
	--resume "$TMP/s.state"
expect_grep jobs_resume_line "--jobs 2 with --resume: expected one or the other" "$ERR"
finish
