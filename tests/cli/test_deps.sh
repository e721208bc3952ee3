#!/bin/sh
# tests/cli/test_deps.sh - dependency modes (--deps): explicit and provenance
# agree at every load of every registered scenario (--deps check); `once` under
# lkmm no longer fails through a stale slab->stride read LKMM forbids; verdicts and
# reproducers name the mode; 50 failures of the broken handoffs export to litmus
# tests over the real chain that `slabstress litmus` calls Sometimes.
. "$(dirname "$0")/lib.sh"

# ---- --deps check on every registered scenario (from the registry itself) ----
scenarios=$("$SLABSTRESS" list scenarios --json |
	sed -n 's/.*"name": *"\([^"]*\)".*/\1/p')
nscn=$(printf '%s\n' $scenarios | grep -c .)
[ "$nscn" -ge 10 ] && ok registry_listed || fail registry_listed "only $nscn scenario names from list --json"
bad=""
for s in $scenarios; do
	for it in 1 3; do
		"$SLABSTRESS" explore -s "$s" --deps check --iters $it --executions 300 --keep-going \
			--no-explain --no-progress >"$TMP/chk" 2>&1
		grep -q "deps check: explicit and provenance dependencies agree at every load" \
			"$TMP/chk" || bad="$bad $s/iters=$it"
	done
done
if [ -z "$bad" ]; then ok deps_check_agrees_on_every_scenario; else
	fail deps_check_agrees_on_every_scenario "disagreement or error on:$bad" "$(grep -A3 'deps check' "$TMP/chk" | head -4)"
fi
# the slab-heavy ones once more with the other obj_exts placements and pct
bad=""
for s in lazy-objexts once release-acquire; do
	for ox in leftover in-object; do
		"$SLABSTRESS" explore -s "$s" --variant rc1 --objext $ox --strategy pct --deps check \
			--iters 2 --executions 300 --keep-going --no-explain --no-progress >"$TMP/chk" 2>&1
		grep -q "agree at every load" "$TMP/chk" || bad="$bad $s/$ox"
	done
done
if [ -z "$bad" ]; then ok deps_check_agrees_on_placements; else
	fail deps_check_agrees_on_placements "disagreement or error on:$bad"
fi
expect_rc deps_check_json 0 "$SLABSTRESS" explore -s release-acquire --deps check \
	--executions 200 --json - --no-progress
expect_grep deps_check_json_empty '"dep_disagreements": \[\]' "$OUT"
expect_grep deps_json_names_mode '"deps": "check"' "$OUT"

# ---- once / rc1: the stale stride read LKMM forbids is gone ----
expect_rc once_rc1_still_broken 1 "$SLABSTRESS" explore -s once --variant rc1 --model lkmm \
	--executions 4000 --keep-going --no-explain --no-progress
expect_grep once_rc1_fails_on_content "FAILED: .*stale-content" "$OUT"
if printf '%s\n' "$OUT" | grep -q "wrong-metadata"; then
	fail once_rc1_no_forbidden_stride_read "wrong-metadata (a stale slab->stride) still reported:" \
		"$(printf '%s\n' "$OUT" | grep -m2 'wrong-metadata')"
else ok once_rc1_no_forbidden_stride_read; fi
expect_grep once_verdict_names_mode "under lkmm, explicit dependencies" "$OUT"
expect_rc once_rc1_pct 1 "$SLABSTRESS" explore -s once --variant rc1 --model lkmm \
	--strategy pct --executions 4000 --keep-going --no-explain --no-progress
if printf '%s\n' "$OUT" | grep -q "wrong-metadata"; then
	fail once_rc1_pct_no_stride "wrong-metadata under pct"; else ok once_rc1_pct_no_stride; fi
# under provenance alone (the old inference) the slab array was out of reach; now
# provenance reaches it too, so it agrees
expect_rc once_rc1_provenance 1 "$SLABSTRESS" explore -s once --variant rc1 --model lkmm \
	--deps provenance --executions 4000 --keep-going --no-explain --no-progress
if printf '%s\n' "$OUT" | grep -q "wrong-metadata"; then
	fail once_rc1_provenance_no_stride "wrong-metadata under provenance"; else ok once_rc1_provenance_no_stride; fi

expect_rc deps_bad_value 2 "$SLABSTRESS" explore -s once --deps window
expect_grep deps_bad_value_named "unknown --deps 'window'" "$ERR"
expect_rc deps_bad_value_replay 2 "$SLABSTRESS" replay x.json --deps sometimes

# ---- 50 failures -> litmus tests over the real chain, all Sometimes ----
mkdir -p "$TMP/lit"
for sv in once:rc1 plain:wmb-rmb pid-fastpath:fixed tty-flush-old:early-stride lazy-objexts:rc1; do
	s=${sv%%:*}; v=${sv#*:}
	"$SLABSTRESS" explore -s "$s" --variant "$v" --model lkmm --executions 400 --keep-going \
		--save "$TMP/lit/$s" --no-explain --no-progress >/dev/null 2>&1
done
n=0; sometimes=0; checker=0; nodep=0; errs=""
for s in once plain pid-fastpath tty-flush-old lazy-objexts; do
	for f in $(ls "$TMP/lit/$s"/*.json 2>/dev/null | head -10); do
		n=$((n + 1))
		"$SLABSTRESS" replay "$f" --litmus >"$TMP/t.litmus" 2>"$TMP/t.err"
		if [ -s "$TMP/t.err" ]; then errs="$errs $(basename "$f")"; continue; fi
		grep -q "checker\|obj_state" "$TMP/t.litmus" && checker=$((checker + 1))
		grep -q "READ_ONCE(\*(.* + (r[0-9]* ^ r[0-9]*)" "$TMP/t.litmus" || nodep=$((nodep + 1))
		"$SLABSTRESS" litmus "$TMP/t.litmus" 2>&1 | grep -q "Observation .* Sometimes" &&
			sometimes=$((sometimes + 1))
	done
done
[ "$n" -eq 50 ] && ok litmus_fifty_failures || fail litmus_fifty_failures "found $n reproducers, wanted 50"
[ -z "$errs" ] && ok litmus_all_export || fail litmus_all_export "no export for:$errs"
[ "$sometimes" -eq "$n" ] && ok litmus_all_sometimes || fail litmus_all_sometimes "$sometimes of $n Sometimes"
[ "$checker" -eq 0 ] && ok litmus_no_checker_words || fail litmus_no_checker_words "$checker tests use the checker's words"
[ "$nodep" -eq 0 ] && ok litmus_carries_dependencies || fail litmus_carries_dependencies "$nodep tests without an address dependency"

# ---- reproducers record the mode; replay states it ----
f=$(ls "$TMP/lit/lazy-objexts"/*.json | head -1)
expect_grep repro_records_deps '"deps": "explicit"' "$(cat "$f")"
expect_rc replay_states_deps 1 "$SLABSTRESS" replay "$f" --no-explain
expect_grep replay_deps_line "dependencies explicit" "$OUT"
expect_rc replay_other_deps 1 "$SLABSTRESS" replay "$f" --no-explain --deps provenance
expect_grep replay_deps_saved_under "dependencies provenance \(saved under explicit\)" "$OUT"
expect_rc replay_json_deps 1 "$SLABSTRESS" replay "$f" --no-explain --format json
expect_grep replay_json_deps_field '"deps": "explicit"' "$OUT"
finish
