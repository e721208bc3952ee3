# tests/cli/test_report_browser.sh - the bench HTML report as a user sees it: rendered
# by headless Chromium into a screenshot, which must hold the chart's bar colours
# (the first two palette colours: one per allocator) in a real number of pixels,
# not only a file that exists.  Without chromium: "skipped" (CI installs it).
. tests/cli/lib.sh
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	echo "skipped report_renders_in_chromium: no chromium (apt-get install chromium)"
	finish
	exit 0
fi
expect_rc report_bench 0 "$SLABSTRESS" bench -s release-acquire --alloc slab,libc --repeat 2 \
	--warmup 1 --duration 0.1 --size 64 --batch 1 --no-ceilings --report "$TMP/r.html"
timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--user-data-dir="$TMP/chrome" --screenshot="$TMP/shot.png" --window-size=1200,900 \
	"file://$TMP/r.html" >"$TMP/chrome.log" 2>&1
if [ -s "$TMP/shot.png" ]; then ok report_screenshot; else fail report_screenshot "$(tail -3 "$TMP/chrome.log")"; fi
# The first two palette colours of results/report.c (slab, libc bars).
counts=$(python3 tests/png-colours.py "$TMP/shot.png" '#0072B2' '#E69F00' 2>&1)
blue=$(printf '%s\n' "$counts" | awk '$1 == "#0072B2" { print $2 }')
orange=$(printf '%s\n' "$counts" | awk '$1 == "#E69F00" { print $2 }')
if [ "${blue:-0}" -gt 200 ] && [ "${orange:-0}" -gt 200 ]; then
	ok "report_bars_drawn (#0072B2 $blue px, #E69F00 $orange px)"
else
	fail report_bars_drawn "bar pixels: $counts"
fi
# A page with no chart (the colours absent) must not pass the same check.
printf '<html><body><p>no chart</p></body></html>\n' >"$TMP/empty.html"
timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
	--user-data-dir="$TMP/chrome2" --screenshot="$TMP/empty.png" --window-size=1200,900 \
	"file://$TMP/empty.html" >/dev/null 2>&1
none=$(python3 tests/png-colours.py "$TMP/empty.png" '#0072B2' | awk '{ print $2 }')
if [ "${none:-1}" -eq 0 ]; then ok report_check_can_fail; else fail report_check_can_fail "$none px on an empty page"; fi
finish
