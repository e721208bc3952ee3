#!/bin/sh
# tests/cli/test_disturbed.sh - native runs record what disturbed their pinned
# threads (involuntary context switches, steal, load, round-trip spread) and say
# so in the table, the JSON and the HTML report; compare will not call a
# regression from disturbed runs unless --allow-disturbed.
. "$(dirname "$0")/lib.sh"
S=$SLABSTRESS
cd "$TMP" || exit 1

# A competing busy loop on each of the two CPUs the roles are pinned to.
cpus=$(taskset -pc $$ 2>/dev/null | sed 's/.*: //')
c0=0; c1=1
if ! command -v taskset >/dev/null 2>&1 || [ "$(nproc)" -lt 2 ]; then
	echo "skipped disturbed-run checks (needs taskset and 2 CPUs; allowed: $cpus)"
else
	taskset -c $c0 sh -c 'while :; do :; done' & l0=$!
	taskset -c $c1 sh -c 'while :; do :; done' & l1=$!
	sleep 0.2
	"$S" run -s release-acquire --cpus $c0,$c1 --duration 1 --json run.json >run.txt 2>&1
	"$S" bench -s release-acquire --alloc slab --cpus $c0,$c1 --repeat 3 --duration 0.2 \
		--no-ceilings --json bench.json --report bench.html >bench.txt 2>&1
	kill "$l0" "$l1"; wait "$l0" "$l1" 2>/dev/null
	if jq -e '.disturbed == true and .disturbance.involuntary_ctx_switches > 0 and (.disturbance.reasons | length) > 0' run.json >/dev/null 2>&1; then
		ok "run under a competing load: disturbed in JSON, with its reasons"
	else
		fail "run under a competing load: disturbed in JSON" "$(jq -c .disturbance run.json 2>&1)"
	fi
	expect_grep "run under a competing load: DISTURBED line" "^DISTURBED: .*involuntary switches/s" "$(cat run.txt)"
	expect_grep "bench under a competing load: row marked" "<-- DISTURBED" "$(cat bench.txt)"
	if jq -e '.results[0].disturbed == true and .results[0].disturbance.involuntary_ctx_switches > 0' bench.json >/dev/null 2>&1; then
		ok "bench under a competing load: disturbed in JSON"
	else
		fail "bench under a competing load: disturbed in JSON" "$(jq -c '.results[0].disturbance' bench.json 2>&1)"
	fi
	expect_grep "bench under a competing load: HTML report says so" "class=\"disturbed\">DISTURBED: " "$(cat bench.html)"
fi

# compare: a halved median (fixed figures, 4 runs each) is a regression only when the runs were not disturbed
"$S" bench -s release-acquire --alloc slab --repeat 4 --duration 0.1 --no-ceilings --json b.json >b.txt 2>&1
if command -v jq >/dev/null 2>&1 && [ -f b.json ]; then
	jq '.results[].disturbed = false | .results[].timing.handoffs_per_s = [10.0e6, 10.1e6, 10.2e6, 10.3e6]' b.json >base.json
	jq '.results[].disturbed = false | .results[].timing.handoffs_per_s = [5.0e6, 5.1e6, 5.2e6, 5.3e6]' b.json >slow.json
	jq '.results[].disturbed = true | .results[].disturbance.reasons = "load 9.0 > 2 CPUs" | .results[].timing.handoffs_per_s = [5.0e6, 5.1e6, 5.2e6, 5.3e6]' b.json >slowdist.json
	expect_rc "compare: a slower quiet run is a regression" 1 "$S" compare base.json slow.json
	expect_rc "compare: a slower disturbed run is not called a regression" 2 "$S" compare base.json slowdist.json
	expect_grep "compare: says why and how to override" "disturbed runs .*load 9.0 > 2 CPUs.*--allow-disturbed" "$ERR"
	expect_rc "compare --allow-disturbed calls it" 1 "$S" compare base.json slowdist.json --allow-disturbed
else
	echo "skipped compare disturbed checks (no jq or no bench result)"
fi
finish
