#!/bin/sh
# Every bad input gets exit status 2 and exactly one line on stderr that names the
# bad value; nothing is written to the output path.
. "$(dirname "$0")/lib.sh"

bad() { # NAME PATTERN ARGS...
	name=$1; pat=$2; shift 2
	if expect_rc "$name" 2 "$SLABSTRESS" "$@"; then
		lines=$(printf '%s\n' "$ERR" | grep -c .)
		[ "$lines" -eq 1 ] || fail "$name: one line" "stderr had $lines lines: $ERR"
		printf '%s\n' "$ERR" | grep -qE -- "$pat" || fail "$name: names the value" "stderr: $ERR"
	fi
}

bad unknown_command "'frobnicate'" frobnicate
bad unknown_scenario "unknown scenario 'nosuch'.*release-acquire" run -s nosuch
bad unknown_variant "unknown variant 'rc2'.*early-stride" run -s same-cpu --variant rc2
bad unknown_allocator "unknown allocator 'tcmalloc'" run -s same-cpu --alloc tcmalloc
bad bad_cpu_list "--cpus '0-x'.*CPU list" run -s release-acquire --cpus 0-x
bad bad_cpu_list_trailing_comma "--cpus '0,'" run -s release-acquire --cpus 0,
bad unavailable_cpu "CPU 4095 is not available" run -s release-acquire --cpus 4095
bad more_threads_than_cpus "runs 2 threads but --cpus '0' gives 1 CPU" run -s release-acquire --cpus 0
bad bad_pin "unknown --pin 'diagonal'" run -s release-acquire --pin diagonal
bad bad_duration "--duration 'forever'" run -s release-acquire --duration forever
bad bad_rounds "--rounds '-5'" run -s release-acquire --rounds -5
bad bad_stride_bits "--stride-bits '24'" run -s same-cpu --stride-bits 24
bad bad_objext "unknown --objext 'inline'" run -s same-cpu --objext inline
bad bad_object_size "--object-size 'big'" run -s same-cpu --object-size big
bad bad_page_size "--page-size 1000" run -s same-cpu --page-size 1000
bad unknown_list "unknown list 'colours'" list colours
bad slab_only_scenario "needs --alloc slab" run -s lazy-objexts --alloc libc
bad unwritable_json_dir "directory '/nonexistent/dir' does not exist" run -s same-cpu --rounds 1 --json /nonexistent/dir/out.json
bad json_is_directory "is a directory" run -s same-cpu --rounds 1 --json "$TMP"
bad unknown_option "unrecognized option|invalid option" run --frobnicate

# An unwritable output path leaves no half-written file behind.
[ ! -e /nonexistent/dir/out.json ] && ok no_partial_file || fail no_partial_file

# A huge bad value is cut in the middle: one short line that still names the option
# and says what was expected; a newline in a value does not make a second line.
expect_rc huge_value 2 "$SLABSTRESS" run --rounds "$(python3 -c 'print("9" * 100000)')"
[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] && [ "${#ERR}" -lt 1000 ] && ok huge_value_one_short_line ||
	fail huge_value_one_short_line "${#ERR} bytes"
expect_grep huge_value_names_option_and_expectation "^slabstress: cannot parse --rounds '9+.*bytes cut.*expected a whole number" "$ERR"
expect_rc newline_value 2 "$SLABSTRESS" run -s "$(printf 'a\nb')"
[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] && ok newline_value_one_line || fail newline_value_one_line "$ERR"

# The whole table of bad and hostile inputs (tools/bad-inputs.sh): every row ok.
sh "$(dirname "$0")/../../tools/bad-inputs.sh" "$SLABSTRESS" >"$TMP/table" 2>&1
if [ $? -eq 0 ]; then ok "tools/bad-inputs.sh: $(grep -c ' | ok' "$TMP/table") cases ok"
else fail "tools/bad-inputs.sh: every case exits 2 with one line" "$(grep -v ' | ok' "$TMP/table" | head -8 | sed '2,$s/^/  /')"; fi
finish
