#!/bin/sh
# tests/cli/test_examples.sh - every example command of README.md, the --help
# texts and slabstress.1 (tests/extract-examples.sh) runs, in document order in
# one scratch directory (so a session's later steps find what earlier ones
# saved), each stopped by SIGINT after EX_CAP seconds (a stop request: the
# command still ends with the status it earned).  Each must exit with the status
# marked for it below (default 0); a chain like "A > f && B" must reach B.
. "$(dirname "$0")/lib.sh"
S=$SLABSTRESS
EX_CAP=${EX_CAP:-0.5}
SRC=$(pwd)
SHARED=$(cd "$SHARED" && pwd)

# Marked: the examples that find a failure and exit 1 (by design).
want_rc() {
	case $1 in
	*"explore -s lazy-objexts --variant rc1 --model lkmm"* | \
	*"explore -s lazy-objexts --variant rc1 --engine graph"* | \
	*"explore -s relay-wrc --engine graph --strategy random"* | \
	*"explore -s lazy-objexts --variant rc1 --strategy pct"* | \
	*"replay found/lazy-objexts-rc1-lkmm-wrong-metadata-"* | \
	*"replay crashes/lazy-objexts-rc1-lkmm-wrong-metadata-"* | \
	*"replay small.json" | \
	*"run -s same-cpu --variant rc1 --objext in-object"* | \
	*"fuzz -s lazy-objexts --variant rc1"* | \
	*"explore -s once --model lkmm --save found1/"* | \
	*"explore -s once --model lkmm --seed 2 --save found2/"* | \
	*"triage found1/ found2/"* | \
	*"explore -s ./tty_flush_broken.c --model lkmm"* | \
	*"explore -s tests/lb/lb_recycle.c --model lkmm --engine graph"*) echo 1 ;;
	# the kernel's dep+plain says Never in its Result: line where herd7 (and the cat
	# engine, which follows it) says Sometimes; lkvm misses load buffering
	*"litmus ../shared/litmus/kernel-tools/"* | *"litmus ../shared/litmus/ --quiet"* | \
	*"litmus --engine lkvm -q ../shared/litmus/shapes/LB.litmus"*) echo 1 ;;
	# a bound far below what the test needs: the checker gives up
	*"litmus --max-candidates 10 "*) echo 3 ;;
	# a regression verdict depends on the machine: either is a result; so does
	# whether libFuzzer's fork mode reaches the bug before the example is stopped
	*"compare slab.json libc.json"* | *"compare base.json new.json"* | \
	*"fuzz -s once --variant fixed"*) echo 01 ;;
	*) echo 0 ;;
	esac
}

# The stand-in benches are marked quiet: on a busy machine compare would rightly
# refuse them (exit 2), and the example's own verdict is what is tested here.
quiet() {
	for f in "$@"; do
		jq '.results[].disturbed = false' "$f" >"$f.q" 2>/dev/null && mv "$f.q" "$f"
	done
}

mkdir -p "$TMP/bin" "$TMP/scratch"
ln -s "$S" "$TMP/bin/slabstress"
ln -s "$SHARED" "$TMP/shared"
ln -s "$SHARED/litmus/shapes" "$TMP/scratch/shapes" # litmus --help runs from the litmus folder
(cd "$SRC" && sh tests/extract-examples.sh "$S") >"$TMP/examples"
n=$(wc -l <"$TMP/examples")
if [ "$n" -ge 30 ]; then ok "extracted $n examples"; else fail "extracted $n examples (expected 30 or more)"; fi
# The man page is the one reference: no docs/*-man.txt fragments copy it.
frag=$(ls "$SRC"/docs/*-man.txt 2>/dev/null | head -3)
if [ -z "$frag" ]; then ok "no docs/*-man.txt copies of the man page"; else fail "no docs/*-man.txt copies of the man page" "$frag"; fi
# A build without libFuzzer (CC=gcc) cannot run the fuzz examples.
have_fuzz=1
if "$S" fuzz -s once --runs 1 --save "$TMP/probe" 2>&1 | grep -q "built without libFuzzer"; then
	have_fuzz=0
	echo "skipped: the fuzz examples: this build has no libFuzzer"
fi
# The scenario-file examples (SCENARIO FILES) name the files of examples/, compiled
# here once so that no example is stopped while its compiler runs.
cp "$SRC"/examples/*.c "$TMP/scratch/"
# ... and the test scenario files the docs name by their path in the tree
mkdir -p "$TMP/scratch/tests"
cp -R "$SRC"/tests/lb "$TMP/scratch/tests/"
export XDG_CACHE_HOME="$TMP/cache"
for f in "$TMP"/scratch/*.c "$TMP"/scratch/tests/lb/*.c; do "$S" list scenarios -s "$f" >/dev/null 2>&1; done
cd "$TMP/scratch" || exit 1
export PATH="$TMP/bin:$PATH"
export TMPDIR="$TMP"
tab=$(printf '\t')
while IFS="$tab" read -r src cmd; do
	# the same command in two documents runs once
	if grep -qxF -- "$cmd" done.txt 2>/dev/null; then continue; fi
	printf '%s\n' "$cmd" >>done.txt
	case $cmd in *"slabstress fuzz "* | *" crashes/"*) [ $have_fuzz = 1 ] || continue ;; esac
	# placeholders: a reproducer's hash, an example name
	run=$(printf '%s\n' "$cmd" | sed 's/1a2b3c4d/*/g; s|found/X\.json|found/*.json|g')
	case $run in
	*"compare base.json new.json"*)
		# the bench examples were stopped before a run ended (EX_CAP): two
		# short benches stand in for them
		for f in base.json new.json; do
			slabstress bench -s release-acquire --alloc slab,jemalloc,libc --repeat 2 \
				--duration 0.1 --no-ceilings --json $f >/dev/null 2>&1
		done
		quiet base.json new.json ;;
	*"compare slab.json libc.json"*)
		slabstress bench -s release-acquire --alloc slab --repeat 2 --duration 0.2 --no-ceilings --json slab.json >/dev/null 2>&1
		slabstress bench -s release-acquire --alloc libc --repeat 2 --duration 0.2 --no-ceilings --json libc.json >/dev/null 2>&1
		quiet slab.json libc.json ;;
	esac
	want=$(want_rc "$cmd")
	# The shell ignores the SIGINT (its long-running child still gets it and
	# stops, a short one ends on its own) so that a chain's status is its own.
	# A fuzz example that must find its bug ends at the first failure: it gets the
	# time a slow build (make asan) needs to get there.
	cap=$EX_CAP
	case $cmd in *"slabstress fuzz "*) [ "$want" = 1 ] && cap=30 ;; esac
	timeout --preserve-status -s INT "$cap" sh -c "trap '' INT; $run" </dev/null >out.txt 2>err.txt
	got=$?
	if [ "$got" -eq "$want" ] || { [ "$want" = 01 ] && [ "$got" -le 1 ]; }; then
		ok "$src: $cmd"
	else
		fail "$src: $cmd" "exit $got, wanted $want" "$(tail -2 err.txt)"
	fi
done <"$TMP/examples"
finish
