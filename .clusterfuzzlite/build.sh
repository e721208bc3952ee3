#!/bin/bash -eu
# .clusterfuzzlite/build.sh - builds slabstress's fuzz targets the way ClusterFuzzLite
# and OSS-Fuzz expect: with their $CC $CFLAGS (sanitizer + -fsanitize=fuzzer-no-link),
# linked with $LIB_FUZZING_ENGINE, into $OUT, each with its seed corpus
# (NAME_seed_corpus.zip), dictionary (NAME.dict) and NAME.options.
#
# Targets:
#   sched_<scenario>_<variant>  one input = one emulator schedule of the scenario
#                               under lkmm (fuzz/targets/target.c with the defaults
#                               baked in).  Each is a correct handoff on a correct
#                               variant, so any crash is a real finding.
#   parse_<name>                our own parsers (fuzz/parsers/<name>.c): litmus,
#                               reproducer JSON, schedule hex, CPU/size lists.
# The shared libraries the targets need (jansson, jemalloc) are copied to $OUT/lib
# and found through an rpath, since the fuzzing runner image does not have them.
#
# Outside the builder: SRC, OUT, WORK, CC, CFLAGS, LIB_FUZZING_ENGINE as the builder
# sets them (tests/cli/test_clusterfuzzlite.sh does so); SLABSTRESS_SRC overrides
# where the tree is ($SRC/slabstress).
cd "${SLABSTRESS_SRC:-$SRC/slabstress}"
B=${WORK:-/tmp}/slabstress-cfl
mkdir -p "$B" "$OUT/lib"

# The library, compiled once with the builder's flags.
make -s FUZZ_BUILD="$B" CC="$CC" FUZZ_CFLAGS="$CFLAGS" "$B/libslabstress.a"

CPPFLAGS="-I. -D_GNU_SOURCE -std=gnu11"
[ "$(uname -m)" = x86_64 ] && CPPFLAGS="$CPPFLAGS -mcx16"
LIBS="-ljansson -ljemalloc -ldl -lpthread -lm"
RPATH="-Wl,-rpath,\$ORIGIN/lib"
for so in libjansson.so.4 libjemalloc.so.2; do
	p=$("$CC" -print-file-name="$so")
	[ -f "$p" ] || p=$(ldconfig -p | awk -v n="$so" '$1 == n { print $NF; exit }')
	cp -L "$p" "$OUT/lib/"
done

zip_dir() { # DIR ZIP: the files of DIR (if any) as a seed corpus
	python3 - "$1" "$2" <<'PY'
import os, sys, zipfile
d, z = sys.argv[1], sys.argv[2]
files = sorted(f for f in os.listdir(d) if os.path.isfile(os.path.join(d, f))) if os.path.isdir(d) else []
with zipfile.ZipFile(z, "w") as out:
    for f in files:
        out.write(os.path.join(d, f), f)
PY
}

# Schedule targets: scenario variant (correct handoffs on correct variants).
for cfg in "lazy-objexts fixed" "release-dep fixed" "tty-flush fixed"; do
	set -- $cfg
	name=sched_$(echo "$1" | tr '-' '_')_$2
	"$CC" $CFLAGS $CPPFLAGS \
		"-DSS_TARGET_ENV=\"SLABSTRESS_SCENARIO=$1 SLABSTRESS_VARIANT=$2 SLABSTRESS_MODEL=lkmm\"" \
		-c fuzz/targets/target.c -o "$B/$name.o"
	"$CC" $CFLAGS -o "$OUT/$name" "$B/$name.o" "$B/libslabstress.a" $LIB_FUZZING_ENGINE \
		$RPATH $LIBS
	printf '[libfuzzer]\nmax_len = 4096\ntimeout = 25\n' >"$OUT/$name.options"
	zip_dir tests/fuzz-regress/sched "$OUT/${name}_seed_corpus.zip"
done

# Parser targets.
for src in fuzz/parsers/*.c; do
	p=$(basename "$src" .c)
	name=parse_$p
	"$CC" $CFLAGS $CPPFLAGS -c "$src" -o "$B/$name.o"
	"$CC" $CFLAGS -o "$OUT/$name" "$B/$name.o" "$B/libslabstress.a" $LIB_FUZZING_ENGINE \
		$RPATH $LIBS
	opts='[libfuzzer]\nmax_len = 8192\ntimeout = 10\n'
	if [ -f "fuzz/parsers/$p.dict" ]; then
		cp "fuzz/parsers/$p.dict" "$OUT/$name.dict"
		opts="${opts}dict = $name.dict\n"
	fi
	printf "$opts" >"$OUT/$name.options"
	zip_dir "tests/fuzz-regress/$p" "$OUT/${name}_seed_corpus.zip"
done
echo "slabstress: fuzz targets in $OUT: $(cd "$OUT" && ls | grep -v '\.' | grep -v '^lib$' | tr '\n' ' ')"
