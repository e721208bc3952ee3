# fuzz/fuzz.mk - libFuzzer support, fuzz targets and the sanitizer build.
# Included by the Makefile (-include fuzz/fuzz.mk) after its own variables.
#
#   slabstress (main binary)  links clang's libFuzzer runtime without main
#                             (libclang_rt.fuzzer_no_main) so `slabstress fuzz` runs
#                             libFuzzer in-process; nothing is compiled with
#                             -fsanitize=fuzzer: the feedback is fuzz/coverage.c's extra
#                             counters.  CC=gcc (or SS_NO_LIBFUZZER=1): no runtime,
#                             `slabstress fuzz` says so and exits 2.
#   make fuzz                 the standalone target $(FUZZ_BUILD)/slabstress-fuzz
#                             (fuzz/targets/target.c, OSS-Fuzz conventions: $(CC)
#                             $(CFLAGS) ... $(LIB_FUZZING_ENGINE)) and its replay main
#                             $(FUZZ_BUILD)/slabstress-fuzz-replay (no libFuzzer)
#   make fuzz-parsers         libFuzzer targets for our own parsers under ASan+UBSan,
#                             each run FUZZ_PARSER_TIME seconds (CI)
#   make asan                 the whole test suite under ASan+UBSan (build-asan/),
#                             `slabstress fuzz` with libFuzzer included
#   make bench-fuzz-link      native handoffs/s with and without the runtime linked

SS_FUZZ_ARCH := $(shell uname -m)
SS_CC_IS_CLANG := $(shell $(CC) --version 2>/dev/null | grep -qi clang && echo yes)
ifeq ($(SS_CC_IS_CLANG),yes)
LIBFUZZER_RT ?= $(firstword $(wildcard \
	$(shell $(CC) -print-runtime-dir 2>/dev/null)/libclang_rt.fuzzer_no_main-$(SS_FUZZ_ARCH).a \
	/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-$(SS_FUZZ_ARCH).a))
endif

# What the main binary needs to link libFuzzer (empty without it).  The lead's
# Makefile sees it through LDLIBS.
ifeq ($(SS_NO_LIBFUZZER)$(if $(LIBFUZZER_RT),,none),)
SS_FUZZ_LDLIBS = $(LIBFUZZER_RT) -lstdc++ $(SS_ASAN_CXX_RT)
SS_FUZZ_DEFS = -DSS_HAVE_LIBFUZZER=1
else
SS_FUZZ_LDLIBS =
SS_FUZZ_DEFS =
endif
SS_FUZZ_DEFS += $(if $(wildcard fuzz/minimize.c),-DSS_HAVE_MINIMIZE=1)
LDLIBS += $(SS_FUZZ_LDLIBS)

# Only the two files that call LLVMFuzzerRunDriver / the minimizer see the defines.
$(BUILD)/fuzz/fuzz.o $(BUILD)/cmd/fuzz.o: SS_CPPFLAGS += $(SS_FUZZ_DEFS)
# A flip of the runtime (CC=gcc after clang) must rebuild them.
$(BUILD)/fuzz/fuzz.o $(BUILD)/cmd/fuzz.o: $(BUILD)/.fuzz-defs
$(BUILD)/.fuzz-defs: FORCE
	@mkdir -p $(BUILD)
	@echo '$(SS_FUZZ_DEFS) $(SS_FUZZ_LDLIBS)' | cmp -s - $@ || echo '$(SS_FUZZ_DEFS) $(SS_FUZZ_LDLIBS)' > $@
FORCE:

.PHONY: FORCE fuzz fuzz-parsers fuzz-regress asan bench-fuzz-link

# ---- the standalone target (OSS-Fuzz / ClusterFuzzLite / AFL++ / LibAFL) ----
# OSS-Fuzz sets CC, CFLAGS (with -fsanitize=fuzzer-no-link and a sanitizer) and
# LIB_FUZZING_ENGINE; alone, `make fuzz` builds plain objects and links libFuzzer.
FUZZ_BUILD ?= build-fuzz
LIB_FUZZING_ENGINE ?= -fsanitize=fuzzer
FUZZ_CFLAGS ?= $(CFLAGS)
FUZZ_LIB_OBJS = $(LIB_OBJS:$(BUILD)/%=$(FUZZ_BUILD)/%)

$(FUZZ_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(SS_CPPFLAGS) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@
$(FUZZ_BUILD)/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(SS_CPPFLAGS) $(FUZZ_CFLAGS) -c $< -o $@
$(FUZZ_BUILD)/libslabstress.a: $(FUZZ_LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

FUZZ_LIBS = -ljansson -ljemalloc -ldl -lpthread -lm
$(FUZZ_BUILD)/slabstress-fuzz: $(FUZZ_BUILD)/fuzz/targets/target.o $(FUZZ_BUILD)/libslabstress.a
	$(CC) $(FUZZ_CFLAGS) -o $@ $^ $(LIB_FUZZING_ENGINE) $(FUZZ_LIBS)
$(FUZZ_BUILD)/slabstress-fuzz-replay: $(FUZZ_BUILD)/fuzz/targets/target.o \
		$(FUZZ_BUILD)/fuzz/targets/replay_main.o $(FUZZ_BUILD)/libslabstress.a
	$(CC) $(FUZZ_CFLAGS) -o $@ $^ $(FUZZ_LIBS)

fuzz: $(FUZZ_BUILD)/slabstress-fuzz $(FUZZ_BUILD)/slabstress-fuzz-replay
	@echo "built $(FUZZ_BUILD)/slabstress-fuzz (libFuzzer) and $(FUZZ_BUILD)/slabstress-fuzz-replay"
	@echo "  run:    $(FUZZ_BUILD)/slabstress-fuzz -max_total_time=60 CORPUS_DIR"
	@echo "  replay: $(FUZZ_BUILD)/slabstress-fuzz-replay crash-* (exit 1 when one fails)"

# ---- parser fuzzers (CI): ASan+UBSan, libFuzzer's own sancov instrumentation ----
PARSER_BUILD ?= build-fuzz-parsers
FUZZ_PARSER_TIME ?= 20
PARSER_CFLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined -fsanitize=fuzzer-no-link
PARSER_TARGETS = $(patsubst fuzz/parsers/%.c,%,$(sort $(wildcard fuzz/parsers/*.c)))
PARSER_BINS = $(PARSER_TARGETS:%=$(PARSER_BUILD)/fuzz-%)
PARSER_LIB_OBJS = $(LIB_OBJS:$(BUILD)/%=$(PARSER_BUILD)/%)

$(PARSER_BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(WARN) $(SS_CPPFLAGS) $(PARSER_CFLAGS) -MMD -MP -c $< -o $@
$(PARSER_BUILD)/%.o: %.S
	@mkdir -p $(dir $@)
	clang $(SS_CPPFLAGS) -O1 -g -c $< -o $@
$(PARSER_BUILD)/libslabstress.a: $(PARSER_LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^
$(PARSER_BUILD)/fuzz-%: $(PARSER_BUILD)/fuzz/parsers/%.o $(PARSER_BUILD)/libslabstress.a
	clang $(PARSER_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(FUZZ_LIBS)

# Each parser fuzzer starts from its seeds (tests/fuzz-regress/<name>/ and the
# repository's own inputs) and runs FUZZ_PARSER_TIME s; a crash fails the target
# and leaves the input under $(PARSER_BUILD)/crash-<name>-*: copy it to
# tests/fuzz-regress/<name>/ and it becomes a regression test.
fuzz-parsers: $(PARSER_BINS)
	@set -e; for t in $(PARSER_TARGETS); do \
	  corp=$(PARSER_BUILD)/corpus-$$t; mkdir -p $$corp; \
	  seeds=""; [ -d tests/fuzz-regress/$$t ] && seeds=tests/fuzz-regress/$$t; \
	  dict=""; [ -f fuzz/parsers/$$t.dict ] && dict=-dict=fuzz/parsers/$$t.dict; \
	  echo "== fuzz-$$t ($(FUZZ_PARSER_TIME) s)"; \
	  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(PARSER_BUILD)/fuzz-$$t -max_total_time=$(FUZZ_PARSER_TIME) -timeout=10 \
	    -rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 $$dict \
	    -artifact_prefix=$(PARSER_BUILD)/crash-$$t- $$corp $$seeds 2>$(PARSER_BUILD)/$$t.log \
	    || { tail -40 $(PARSER_BUILD)/$$t.log; echo "fuzz-$$t: FAILED (inputs under $(PARSER_BUILD)/crash-$$t-*)"; exit 1; }; \
	  grep -E '^(stat::number_of_executed_units|Done)' $(PARSER_BUILD)/$$t.log | tail -1; \
	done; echo "fuzz-parsers: all clean"

# ---- the test suite under ASan+UBSan, `slabstress fuzz` included ----
# libFuzzer's runtime is C++: its operator new/delete must be ASan's.  Linked by
# the C driver, the binary gets ASan's malloc/free but not ASan's operator
# new/delete (clang adds libclang_rt.asan_cxx only for C++ links), and Debian's
# libjemalloc.so.2 exports both malloc/free and operator new/delete.  So
# libFuzzer's `new` was jemalloc's, and jemalloc's `delete`, which ends in a call
# to the exported free(), landed in ASan's free: "bad-free" in the
# MutationDispatcher constructor.  -fsanitize-link-c++-runtime links ASan's C++
# runtime into the executable, whose definitions come before any shared
# library's: every malloc/free/new/delete of the process is ASan's, and
# libjemalloc serves only alloc/jemalloc.c's mallocx/sdallocx (its own arenas
# on both sides).  tests/cli/test_fuzz.sh checks that no allocator mix-up is
# left (`--alloc jemalloc` under libFuzzer).
ASAN_BUILD = build-asan
ASAN_CFLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined
ifneq ($(filter -fsanitize=address%,$(CFLAGS)),)
SS_ASAN_CXX_RT = -fsanitize-link-c++-runtime
endif
$(BUILD)/slabstress: $(CMD_OBJS) $(BUILD)/libslabstress.a
	$(CC) $(CFLAGS) -rdynamic -o $@ $^ $(LDLIBS)

asan: deps
	@$(MAKE) --no-print-directory CC=clang BUILD=$(ASAN_BUILD) CFLAGS="$(ASAN_CFLAGS)" \
	  $(ASAN_BUILD)/slabstress unit
	@ASAN_OPTIONS=detect_leaks=0:detect_stack_use_after_return=0:abort_on_error=0 \
	 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 SS_SKIP_OWN_BUILDS=1 \
	 SLABSTRESS=$(CURDIR)/$(ASAN_BUILD)/slabstress sh tests/run.sh $(ASAN_BUILD)

# ---- native speed with and without the fuzz runtime linked ----
NOFUZZ_BUILD = build-nofuzz
bench-fuzz-link: slabstress
	@$(MAKE) --no-print-directory SS_NO_LIBFUZZER=1 BUILD=$(NOFUZZ_BUILD) $(NOFUZZ_BUILD)/slabstress
	@SS_WITH=./slabstress SS_WITHOUT=$(NOFUZZ_BUILD)/slabstress sh fuzz/bench-link.sh

# The parser targets' objects are kept between runs.
.SECONDARY: $(PARSER_TARGETS:%=$(PARSER_BUILD)/fuzz/parsers/%.o)

# Header dependencies of the fuzz and parser builds (as the Makefile does for BUILD),
# so a changed header rebuilds their objects too.
-include $(FUZZ_LIB_OBJS:.o=.d) $(FUZZ_BUILD)/fuzz/targets/target.d $(FUZZ_BUILD)/fuzz/targets/replay_main.d
-include $(PARSER_LIB_OBJS:.o=.d) $(PARSER_TARGETS:%=$(PARSER_BUILD)/fuzz/parsers/%.d)
