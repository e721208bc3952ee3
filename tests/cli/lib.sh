# tests/cli/lib.sh - helpers for end-to-end tests through the real binary.
# Each test script sources this, calls check NAME CMD..., and ends with finish.
: "${SLABSTRESS:=./slabstress}"
# Absolute, so that a test may cd into its own directory.
case $SLABSTRESS in /*) ;; *) SLABSTRESS=$(pwd)/$SLABSTRESS ;; esac
: "${SHARED:=../shared}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
nfail=0
ok() { echo "ok $1"; }
fail() { echo "FAIL $1"; shift; for l in "$@"; do echo "  $l"; done; nfail=$((nfail + 1)); }
# expect_rc NAME RC CMD...: runs CMD, captures stdout/stderr in $OUT/$ERR, checks exit status.
expect_rc() {
	name=$1; want=$2; shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"; got=$?
	OUT=$(cat "$TMP/out"); ERR=$(cat "$TMP/err")
	if [ "$got" -eq "$want" ]; then ok "$name"; return 0; fi
	fail "$name" "exit $got, wanted $want: $*" "stderr: $(head -3 "$TMP/err")"
	return 1
}
# expect_grep NAME PATTERN TEXT
expect_grep() {
	if printf '%s\n' "$3" | grep -qE -- "$2"; then ok "$1"; else fail "$1" "no match for /$2/ in:" "$(printf '%s\n' "$3" | head -5)"; fi
}
finish() { [ "$nfail" -eq 0 ]; }
