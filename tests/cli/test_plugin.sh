#!/bin/sh
# tests/cli/test_plugin.sh - scenario files (-s ./x.c, -s ./x.so; issue 14): the
# examples/ scenarios compiled on the fly in explore, run, fuzz and matrix; the
# broken one Found under lkmm, Clean under tso, its reproducer naming the file and
# replaying to the same failure, refused once the file changed (unless --force);
# every bad plugin an exit 2 with one line; the SDK installed by `make install
# DESTDIR=...` building each of the three examples as a .so with pkg-config's
# flags and running it, and its .c, in explore, run and fuzz, as a user would.  Prints the
# first-compile and cached-load times (never asserted).  Says "skipped" without a
# compiler, or under ASan (that binary is not linked with -rdynamic).
. "$(dirname "$0")/lib.sh"
if [ -n "${SS_SKIP_OWN_BUILDS:-}" ]; then
	echo "skipped plugin: needs the -rdynamic binary and its own make install (run by make check)"
	exit 0
fi
cc=${CC:-cc}
if ! command -v "$cc" >/dev/null 2>&1 && ! command -v clang >/dev/null 2>&1; then
	echo "skipped plugin: no C compiler"
	exit 0
fi
ROOT=$(pwd)
export XDG_CACHE_HOME="$TMP/cache"
cp examples/release_acquire_handoff.c examples/tty_flush_broken.c "$TMP/"
cd "$TMP" || exit 1
now_ms() { date +%s%N | cut -c1-13; }
S=$SLABSTRESS
GOOD=./release_acquire_handoff.c
BAD=./tty_flush_broken.c

# ---- the correct example: compiled once, then Clean everywhere ----
t0=$(now_ms)
expect_rc list_file 0 "$S" list scenarios -s $GOOD -v
t1=$(now_ms)
expect_grep list_file_row '^release-acquire-handoff +2 +correct' "$OUT"
expect_grep list_file_origin 'file .*/release_acquire_handoff.c \(content hash [0-9a-f]{16}\)' "$OUT"
expect_grep list_file_roles 'roles: alloc free' "$OUT"
expect_grep list_file_params -- '--iters N: handoffs per round' "$OUT"
ls "$XDG_CACHE_HOME"/slabstress/*.so >/dev/null 2>&1 && ok cached_object ||
	fail cached_object "no .so in $XDG_CACHE_HOME/slabstress"
for m in sc tso lkmm; do
	expect_rc "good_clean_$m" 0 "$S" explore -s $GOOD --model $m --executions 300
done
expect_rc good_native 0 "$S" run -s $GOOD --duration 1
expect_grep good_native_handoffs 'clean: no failure in [0-9]+ handoffs' "$OUT"

# ---- the broken example: Found under lkmm, Clean under tso, replayed ----
expect_rc bad_found_lkmm 1 "$S" explore -s $BAD --model lkmm --executions 20000 --save found
expect_rc bad_clean_tso 0 "$S" explore -s $BAD --model tso --executions 2000
set -- found/tty-flush-broken-*.json
if [ -f "$1" ]; then
	R=$1
	expect_grep repro_path '"scenario_path": "/.*/tty_flush_broken.c"' "$(cat "$R")"
	expect_grep repro_hash '"scenario_hash": "[0-9a-f]{16}"' "$(cat "$R")"
	expect_rc replay_same 1 "$S" replay "$R"
	expect_grep replay_matches 'replay: matches the saved failure' "$OUT"
	"$S" replay "$R" >r1.txt 2>&1
	"$S" replay "$R" >r2.txt 2>&1
	cmp -s r1.txt r2.txt && ok replay_identical || fail replay_identical "two replays differ"
	cp $BAD saved.c
	echo '/* edited */' >>$BAD
	expect_rc replay_changed 2 "$S" replay "$R"
	expect_grep replay_changed_line 'changed since the reproducer was saved.*--force' "$ERR"
	expect_rc replay_force 1 "$S" replay --force "$R"
	cp saved.c $BAD
else
	fail repro_saved "no reproducer in found/"
fi
expect_rc bad_fuzz 1 "$S" fuzz -s $BAD --model lkmm --duration 20 --save crashes
expect_rc bad_matrix 0 "$S" matrix --scenarios $BAD --variants fixed --executions 20000
expect_grep bad_matrix_found 'tty_flush_broken.c +fixed +Clean +Clean +Found' "$OUT"

# ---- bad plugins: exit 2, one line naming the file and the problem ----
one_line() { # NAME PATTERN: the last line of stderr matches, and only one slabstress: line
	expect_grep "$1" "$2" "$(printf '%s\n' "$ERR" | tail -1)"
	[ "$(printf '%s\n' "$ERR" | grep -c '^slabstress:')" -eq 1 ] && ok "$1_one_line" ||
		fail "$1_one_line" "$ERR"
}
expect_rc missing_file 2 "$S" explore -s ./nosuch.c
one_line missing_file_msg 'nosuch.c: no such scenario file'
printf '#include <slabstress/scenario.h>\nthis is not C;\n' >syntax.c
expect_rc compile_error 2 "$S" explore -s ./syntax.c
one_line compile_error_msg 'syntax.c: compile error'
expect_grep compile_error_shown 'syntax.c:2' "$ERR"
sed 's/^SS_EXPORT_SCENARIO(/static const struct ss_scenario unused = {/; s/\.");$/."};/' $GOOD >nosym.c
expect_rc missing_symbol 2 "$S" explore -s ./nosym.c
one_line missing_symbol_msg 'nosym.c: missing symbol slabstress_scenario'
sed 's/^SS_EXPORT_SCENARIO(/const int slabstress_scenario_abi = 999; const struct ss_scenario slabstress_scenario = {/; s/\.");$/."};/' $GOOD >wrongabi.c
expect_rc wrong_abi 2 "$S" explore -s ./wrongabi.c
one_line wrong_abi_msg 'wrongabi.c: built for scenario ABI 999'
sed 's/\.nroles = 2/.nroles = 0/' $GOOD >noroles.c
expect_rc zero_roles 2 "$S" explore -s ./noroles.c
one_line zero_roles_msg 'noroles.c: the descriptor has zero roles'
sed 's/\.nroles = 2/.nroles = 5/' $GOOD >manyroles.c
expect_rc many_roles 2 "$S" explore -s ./manyroles.c
one_line many_roles_msg 'manyroles.c: the descriptor has more roles'
sed 's/"release-acquire-handoff"/"plain"/' $GOOD >taken.c
expect_rc name_taken 2 "$S" explore -s ./taken.c
one_line name_taken_msg 'taken.c: its scenario name is taken by a built-in'
cp "$(ls "$XDG_CACHE_HOME"/slabstress/*.so | head -1)" other_arch.so
case $(uname -m) in x86_64) m='\267' ;; *) m='\076' ;; esac # AArch64 / x86-64
printf "$m" | dd of=other_arch.so bs=1 seek=18 conv=notrunc 2>/dev/null
expect_rc other_arch 2 "$S" explore -s ./other_arch.so
one_line other_arch_msg 'other_arch.so: built for another architecture'
echo 'not an ELF file' >text.so
expect_rc not_elf 2 "$S" explore -s ./text.so
one_line not_elf_msg 'text.so: not a shared object'

# ---- a scenario file that crashes in a role: a failure of the scenario, exit 1 ----
# (NULL dereference in the consumer: SIGSEGV inside the emulator's coroutine)
sed 's/"release-acquire-handoff"/"null-deref"/; s|^\(\t*\)WRITE_ONCE(s->slot, NULL);|&\n\1*(volatile int *)0 = 1;|' $GOOD >crash.c
grep -q 'volatile int \*)0 = 1' crash.c && ok crash_file || fail crash_file "sed did not plant the bug"
for m in sc lkmm; do
	expect_rc "crash_explore_$m" 1 "$S" explore -s ./crash.c --model $m --executions 100 \
		--json "crash_$m.json" --save "crash_found_$m"
	expect_grep "crash_line_$m" 'scenario-crash on CPU 1 at [0-9a-f]+\.so\+0x[0-9a-f]+ \(free\): scenario null-deref crashed: SIGSEGV \(address 0x0\) in role free' "$OUT"
	expect_grep "crash_json_$m" '"kind": "scenario-crash"' "$(cat "crash_$m.json" 2>/dev/null)"
done
set -- crash_found_lkmm/null-deref-*-scenario-crash-*.json
if [ -f "$1" ]; then
	expect_rc crash_replay 1 "$S" replay "$1"
	expect_grep crash_replay_matches 'replay: matches the saved failure' "$OUT"
else
	fail crash_repro "no reproducer in crash_found_lkmm/"
fi
expect_rc crash_fuzz 1 "$S" fuzz -s ./crash.c --model lkmm --duration 10 --json crash_fuzz.json
expect_grep crash_fuzz_json '"scenario-crash"' "$(cat crash_fuzz.json 2>/dev/null)"
sed 's/"null-deref"/"role-abort"/; s/\*(volatile int \*)0 = 1;/abort();/; 1i #include <stdlib.h>' crash.c >abort.c
expect_rc crash_abort 1 "$S" explore -s ./abort.c --model tso --executions 100
expect_grep crash_abort_line 'scenario-crash on CPU 1 at [0-9a-f]+\.so\+0x[0-9a-f]+ \(free\): scenario role-abort crashed: SIGABRT \(abort\) in role free' "$OUT"

# ---- the cost of a cached scenario file (printed, never asserted) ----
"$S" list scenarios -s $GOOD >/dev/null 2>&1
t2=$(now_ms)
"$S" list scenarios -s $GOOD >/dev/null 2>&1
t3=$(now_ms)
"$S" list scenarios >/dev/null 2>&1
t4=$(now_ms)
echo "  timing: first compile+load $((t1 - t0)) ms; cached: list -s FILE $((t3 - t2)) ms vs built-in list $((t4 - t3)) ms"

# ---- the installed SDK: make install DESTDIR=..., pkg-config, each example as a
# .c and a .so ----
INST=$TMP/inst
if make -s -C "$ROOT" install DESTDIR="$INST" PREFIX=/usr >make.log 2>&1; then
	ok make_install
else
	fail make_install "$(tail -3 make.log)"
fi
for f in usr/include/slabstress/scenario.h usr/include/slabstress/scenarios/scenario.h \
	usr/include/slabstress/kernel/kernel.h usr/lib/pkgconfig/slabstress.pc \
	usr/share/slabstress/examples/release_acquire_handoff.c \
	usr/share/slabstress/examples/tty_flush_broken.c \
	usr/share/slabstress/examples/lazy_objexts_race.c; do
	[ -f "$INST/$f" ] && ok "installed_$(basename "$f")" || fail "installed_$f" "missing"
done
if command -v pkg-config >/dev/null 2>&1; then
	CFL=$(PKG_CONFIG_PATH=$INST/usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$INST \
		pkg-config --cflags slabstress)
else
	CFL="-I$INST/usr/include -I$INST/usr/include/slabstress -std=gnu11 -D_GNU_SOURCE"
fi
command -v "$cc" >/dev/null 2>&1 || cc=clang
IS=$INST/usr/bin/slabstress
# .c files compile against the installed headers, as on a user's machine
export SLABSTRESS_INCLUDE="$INST/usr/include/slabstress"
# expect_rc_in NAME "RC..." CMD...: like expect_rc, any of the statuses listed
expect_rc_in() {
	name=$1; want=$2; shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"; got=$?
	OUT=$(cat "$TMP/out"); ERR=$(cat "$TMP/err")
	case " $want " in *" $got "*) ok "$name" ;; *) fail "$name" "exit $got, wanted one of $want: $*" "stderr: $(head -3 "$TMP/err")" ;; esac
}
# Two replays of a reproducer give the same JSON document but for its start time.
replays_identical() { # NAME REPRO
	"$IS" replay --format json "$2" | grep -v '"started":' >"$TMP/j1"
	"$IS" replay --format json "$2" | grep -v '"started":' >"$TMP/j2"
	[ -s "$TMP/j1" ] && cmp -s "$TMP/j1" "$TMP/j2" && ok "$1" || fail "$1" "two replay --format json differ"
}
# Each installed example as a .c and as a .so, in explore, run and fuzz: the correct
# one Clean under all three models, the broken and the racy (lazy obj_exts needs
# --variant rc1: the fixed slab has no race) Found under lkmm, Clean under tso.
for ex in release_acquire_handoff tty_flush_broken lazy_objexts_race; do
	cp "$INST/usr/share/slabstress/examples/$ex.c" "inst_$ex.c"
	expect_rc "so_build_$ex" 0 "$cc" -shared -fPIC $CFL -O2 "inst_$ex.c" -o "inst_$ex.so"
	V=
	[ $ex = lazy_objexts_race ] && V="--variant rc1"
	for form in c so; do
		F=./inst_$ex.$form
		n=${ex}_$form
		if [ $ex = release_acquire_handoff ]; then
			for m in sc tso lkmm; do
				expect_rc "inst_clean_${m}_$n" 0 "$IS" explore -s $F --model $m --executions 300
			done
			expect_rc "inst_run_clean_$n" 0 "$IS" run -s $F --duration 1
			expect_rc "inst_fuzz_clean_$n" 0 "$IS" fuzz -s $F --model lkmm --duration 2
			continue
		fi
		expect_rc "inst_found_lkmm_$n" 1 "$IS" explore -s $F $V --model lkmm --executions 20000 --save "found_$n"
		expect_rc "inst_clean_tso_$n" 0 "$IS" explore -s $F $V --model tso --executions 2000
		# natively on x86 neither fails; a weaker machine may show the bug: 0 or 1
		expect_rc_in "inst_run_$n" "0 1" "$IS" run -s $F $V --duration 1
		expect_rc "inst_fuzz_found_$n" 1 "$IS" fuzz -s $F $V --model lkmm --duration 20 --save "crashes_$n"
		set -- "found_$n"/*.json
		if [ -f "$1" ]; then
			expect_rc "inst_replay_$n" 1 "$IS" replay "$1"
			expect_grep "inst_replay_matches_$n" 'replay: matches the saved failure' "$OUT"
			replays_identical "inst_replay_identical_$n" "$1"
		else
			fail "inst_repro_$n" "no reproducer in found_$n/"
		fi
	done
done
finish
