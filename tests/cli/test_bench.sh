#!/bin/sh
# bench end to end: interleaved runs of several allocators write a slabstress-bench/1
# result with per-run throughput and round trip, ceilings, ratios; --pairs N needs
# 2N CPUs and runs N pairs on one allocator; the HTML report is self-contained and renders in headless
# Chromium when it is installed.
. "$(dirname "$0")/lib.sh"
DUR=${SS_TEST_DURATION:-0.15s}
if [ "$(nproc)" -lt 2 ]; then
	echo "skipped: bench (needs 2 CPUs)"
	finish
	exit 0
fi

expect_rc bench_two_allocs 0 "$SLABSTRESS" bench -s release-acquire --alloc slab,libc --repeat 2 \
	--warmup 1 --duration "$DUR" --size 64 --batch 1 --json "$TMP/b.json" --report "$TMP/b.html"
expect_grep bench_table_names_allocators "^release-acquire +64 +1 slab .*1\.00" "$OUT"
expect_grep bench_table_has_pool_ceiling "^\(ceiling\) +64 +1 pool" "$OUT"
expect_grep bench_says_clean "^clean: no failure" "$OUT"
expect_grep bench_labels_warm_consumer "consumer warm" "$OUT"
if python3 -c "
import json
d = json.load(open('$TMP/b.json'))
assert d['schema'] == 'slabstress-bench/1' and d['verdict'] == 'clean'
p = d['parameters']
assert p['allocators'] == ['slab', 'libc'] and p['repeat'] == 2 and p['order'] == 'interleaved'
r = d['results']
assert [x['alloc'] for x in r] == ['slab', 'libc']
for x in r:
    t = x['timing']
    assert x['runs'] == 2 and len(t['handoffs_per_s']) == 2 and len(t['rtt_ns']) == 2
    assert all(v > 0 for v in t['handoffs_per_s']) and t['rtt_ns_median'] > 0
    assert t['min'] <= t['median'] <= t['max'] and x['failures']['total'] == 0
    assert x['cold'] is False and x['batch'] == 1 and x['size'] == 64
assert abs(r[0]['timing']['ratio_to_first'] - 1) < 1e-9
c = d['ceilings'][0]
assert c['size'] == 64 and c['timing']['pool_median'] > 0 and c['timing']['ring_median'] > 0
assert c['bad'] == 0
" 2>"$TMP/py"; then ok bench_json_fields; else fail bench_json_fields "$(cat "$TMP/py")"; fi

# The HTML page: one file, inline SVG, nothing fetched from elsewhere.
if [ -s "$TMP/b.html" ] && grep -q "<svg" "$TMP/b.html" && grep -q "release-acquire" "$TMP/b.html" &&
	! grep -qiE "<script|<link|src=\"http|url\(http" "$TMP/b.html"; then
	ok report_is_self_contained_svg
else
	fail report_is_self_contained_svg "$(head -c 300 "$TMP/b.html")"
fi
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$CHROMIUM" ]; then
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$TMP/chrome" --screenshot="$TMP/shot.png" --window-size=1200,900 \
		"file://$TMP/b.html" >"$TMP/chrome.log" 2>&1
	if [ -s "$TMP/shot.png" ] && [ "$(wc -c <"$TMP/shot.png")" -gt 10000 ]; then
		ok report_renders_in_chromium
	else
		fail report_renders_in_chromium "$(tail -3 "$TMP/chrome.log")"
	fi
else
	echo "skipped report_renders_in_chromium: no chromium (tests/cli/test_report_browser.sh checks the bars)"
fi

# Cold consumer is labelled, in the output and the result.
expect_rc bench_cold_consumer 0 "$SLABSTRESS" bench -s release-acquire --alloc jemalloc --repeat 1 \
	--warmup 0 --duration "$DUR" --no-ceilings --cold-consumer --json "$TMP/c.json"
expect_grep bench_labels_cold_consumer "consumer COLD" "$OUT"
python3 -c "import json; d=json.load(open('$TMP/c.json')); assert d['results'][0]['cold'] is True \
and d['parameters']['cold'] is True and d['ceilings'] == []" 2>"$TMP/py" &&
	ok bench_cold_in_json || fail bench_cold_in_json "$(cat "$TMP/py")"

# Batch asked of a scenario that does not declare it: recorded, and said so.
expect_rc bench_batch_recorded 0 "$SLABSTRESS" bench -s release-acquire --alloc libc --repeat 1 \
	--warmup 0 --duration "$DUR" --batch 32 --no-ceilings --json "$TMP/k.json"
python3 -c "import json; r=json.load(open('$TMP/k.json'))['results'][0]; assert r['batch'] == 32 \
and r['batch_support'] in ('declared', 'not-declared')" 2>"$TMP/py" &&
	ok bench_batch_in_json || fail bench_batch_in_json "$(cat "$TMP/py")"

# Honest refusals and bad input: exit 2, one line.
expect_rc bench_pairs_need_cpus 2 "$SLABSTRESS" bench -s release-acquire --pairs 2 --cpus 0,1
expect_grep bench_pairs_message "^slabstress: --cpus '0,1': expected exactly 4 CPUs" "$ERR"
expect_rc bench_unknown_alloc_in_list 2 "$SLABSTRESS" bench -s release-acquire --alloc slab,tcmalloc
expect_grep bench_unknown_alloc_named "unknown allocator 'tcmalloc'" "$ERR"
expect_rc bench_needs_scenario 2 "$SLABSTRESS" bench
expect_rc bench_all_and_s 2 "$SLABSTRESS" bench --all -s release-acquire
expect_rc bench_one_role_scenario 2 "$SLABSTRESS" bench -s same-cpu
# --pin chooses the CPUs by topology; --rtt-matrix measures the round trips between them.
expect_rc bench_pin_rtt_matrix 0 "$SLABSTRESS" bench -s release-acquire --alloc slab --repeat 1 \
	--warmup 0 --duration "$DUR" --no-ceilings --pin compact --rtt-matrix --json "$TMP/m.json" \
	--report "$TMP/m.html"
expect_grep bench_prints_rtt_matrix "round trip in ns between the chosen CPUs" "$OUT"
if python3 -c "
import json
d = json.load(open('$TMP/m.json'))
assert d['parameters']['pin'] == 'compact'
m = d['rtt_matrix']
assert len(m['cpus']) == 2 and len(m['ns']) == 2 and m['ns'][0][1] > 0 and m['ns'][0][0] == 0
" 2>"$TMP/py" && grep -q "Cache-line round trips" "$TMP/m.html"; then ok bench_rtt_matrix_in_json_and_page
else fail bench_rtt_matrix_in_json_and_page "$(cat "$TMP/py")"; fi
expect_rc bench_pin_none_refused 2 "$SLABSTRESS" bench -s release-acquire --pin none
expect_rc bench_bad_size 2 "$SLABSTRESS" bench -s release-acquire --size 64,big
expect_rc bench_bad_batch 2 "$SLABSTRESS" bench -s release-acquire --batch 0
expect_rc bench_one_cpu 2 "$SLABSTRESS" bench -s release-acquire --cpus 0
expect_rc bench_bad_report_dir 2 "$SLABSTRESS" bench -s release-acquire --report /nonexistent/r.html
finish
