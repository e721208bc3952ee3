#!/bin/sh
# tests/cli/test_scenarios.sh - every registered scenario, as `slabstress list
# scenarios` names it (no hand-kept list): documented in slabstress.1 with its
# parameters (tests/lint-man.sh), clean under sc in the emulator (no scenario has a
# bug that is not about ordering), found under lkmm when its class is broken and
# clean when it is correct (the allocator's own: found on rc1, clean on fixed), and
# runs natively.
. "$(dirname "$0")/lib.sh"
CPUS=0,1; [ "$(nproc)" -lt 2 ] && CPUS=0

if out=$(SLABSTRESS="$SLABSTRESS" sh tests/lint-man.sh slabstress.1 2>&1); then
	ok man_page_lists_every_scenario_and_its_parameters
else
	fail man_page_lists_every_scenario_and_its_parameters "$out"
fi

explore() { # explore SCENARIO VARIANT MODEL: exit status of a seeded search
	"$SLABSTRESS" explore -s "$1" --variant "$2" --model "$3" --executions 300 --seed 11 \
		--no-progress --no-explain -q >/dev/null 2>&1
	echo $?
}

n=0
# NAME:CLASS:ROLES, CLASS "nmca" for a broken handoff LKMM allows to fail only through
# non-multicopy atomicity (its summary says so): explore's LKVM model is multicopy-atomic
# and finds it Clean, and the graph check that follows a clean LKVM search under lkmm
# finds it (exit 1), as every broken handoff.
for row in $("$SLABSTRESS" list scenarios | awk 'NR > 1 { c = $3; if (/non-multicopy-atomic: broken/) c = "nmca"; print $1 ":" c ":" $2 }'); do
	s=${row%%:*}; roles=${row##*:}; class=${row#*:}; class=${class%%:*}; n=$((n + 1))
	for v in rc1 fixed; do
		rc=$(explore "$s" "$v" sc)
		[ "$rc" = 0 ] && ok "explore_${s}_${v}_sc_clean" ||
			fail "explore_${s}_${v}_sc_clean" "explore -s $s --variant $v --model sc: exit $rc"
	done
	case $class in
	correct) want_rc1=0; want_fixed=0 ;;
	broken) want_rc1=1; want_fixed=1 ;;
	nmca) want_rc1=1; want_fixed=1 ;;
	allocator) want_rc1=1; want_fixed=0 ;;
	*) fail "class_of_$s" "unknown class '$class'"; continue ;;
	esac
	for v in rc1 fixed; do
		eval want=\$want_$v
		rc=$(explore "$s" "$v" lkmm)
		[ "$rc" = "$want" ] && ok "explore_${s}_${v}_lkmm_${class}" ||
			fail "explore_${s}_${v}_lkmm_${class}" \
				"explore -s $s --variant $v --model lkmm: exit $rc, wanted $want ($class)"
	done
	pin="--cpus $CPUS"; [ "$roles" -gt 2 ] && pin="--pin none" # more roles than CPUS
	# shellcheck disable=SC2086
	"$SLABSTRESS" run -s "$s" $pin --rounds 3 --iters 200 --no-progress -q >"$TMP/out" 2>&1
	rc=$?
	# a broken handoff may be caught on weak hardware (exit 1); nothing else may fail
	if [ "$rc" = 0 ] || { [ "$rc" = 1 ] && { [ "$class" = broken ] || [ "$class" = nmca ]; }; }; then
		ok "run_${s}_natively"
	else
		fail "run_${s}_natively" "run -s $s: exit $rc" "$(tail -3 "$TMP/out")"
	fi
done
[ "$n" -ge 2 ] && ok list_names_scenarios || fail list_names_scenarios "only $n scenarios listed"
finish
