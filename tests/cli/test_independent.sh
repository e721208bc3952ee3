#!/bin/sh
# tests/cli/test_independent.sh - executions are independent (issue 9): a
# reproducer saved by `explore --keep-going --save`, found after hundreds of
# earlier executions in the same process, replays in a fresh process to the same
# failure.  200 reproducers across the broken handoffs and lazy-objexts/rc1, found
# by random and pct exploration; then the reset check itself.
. "$(dirname "$0")/lib.sh"

PER=40
total=0; same=0; bad=""
for spec in "once --variant wmb-rmb" "plain --strategy pct" "pid-fastpath" \
	"tty-flush-old --strategy pct" "lazy-objexts --variant rc1"; do
	name=${spec%% *}
	# shellcheck disable=SC2086 # spec is a word list on purpose
	"$SLABSTRESS" explore -s $spec --keep-going --executions 4000 --save "$TMP/$name" \
		--no-explain -q >/dev/null 2>&1
	n=$(ls "$TMP/$name" 2>/dev/null | wc -l)
	if [ "$n" -lt "$PER" ]; then
		fail "saves_enough_$name" "only $n reproducers saved by explore -s $spec"
		continue
	fi
	ok "saves_enough_$name"
	# PER files spread over the whole list
	step=$((n / PER))
	for f in $(ls "$TMP/$name"/*.json | awk -v s="$step" -v m="$PER" \
		'(NR - 1) % s == 0 && c < m { print; c++ }'); do
		total=$((total + 1))
		v=$("$SLABSTRESS" replay "$f" --no-explain --format json 2>/dev/null |
			grep -o '"matches_saved": [a-z]*')
		if [ "$v" = '"matches_saved": true' ]; then
			same=$((same + 1))
		else
			bad="$bad $(basename "$f")"
		fi
	done
done
echo "  $same of $total reproducers replay to the same failure"
if [ "$total" -eq 200 ] && [ "$same" -eq "$total" ]; then
	ok every_reproducer_replays_the_same_failure
else
	fail every_reproducer_replays_the_same_failure "$same of $total matched; different:" \
		"$(echo $bad | cut -c1-400)"
fi

# The reset check is on here (tests/run.sh sets SLABSTRESS_CHECK_RESET) and
# keeps quiet on a long run with object reuse.
SLABSTRESS_CHECK_RESET=1 expect_rc reset_check_quiet_on_a_long_run 1 \
	"$SLABSTRESS" explore -s once --variant wmb-rmb --iters 4 --keep-going \
	--executions 3000 --no-explain -q
finish
