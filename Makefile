# slabstress - build, test and benchmark.
#   make run     install missing dependencies, build, run the default job
#   make check   install missing dependencies, build, run every test
#   make bench   throughput figures (native handoffs/s, emulator speed)
#   make asan    the test suite under ASan+UBSan (fuzz/fuzz.mk)
#   make fuzz    the standalone libFuzzer target; make fuzz-parsers: fuzz our parsers
#   make lint    clang-format check, mandoc -Tlint on the man page
#   make cross ARCH=arm64|ppc64le   cross-build build-ARCH/slabstress and its unit tests
#                (Debian cross gcc, multiarch libraries; sh tests/cross.sh ARCH runs them)
#   make install PREFIX=/usr/local DESTDIR=   slabstress, its man page, and the herd7
#                link PREFIX/libexec/slabstress/herd7 (put that directory first on PATH)

ifeq ($(origin CC),default)
CC = clang
endif
ifeq ($(origin CC),environment)
ifeq ($(CC),cc)
CC = clang
endif
endif

# One short line per build step; `make V=1` shows the full commands.
ifeq ($(V),1)
Q =
ss_say =
else
Q = @
ss_say = @printf '  %-3s %s\n' '$(1)' '$(2)'
endif

OPT      ?= -O2
CFLAGS   ?= $(OPT) -gdwarf-4
WARN      = -std=gnu11 -Wall -Wextra
ifneq ($(CI),)
WARN     += -Werror
endif
SS_CPPFLAGS = -I. -D_GNU_SOURCE -DSS_VERSION='"$(VERSION)"' $(ARCH_FLAGS)
ARCH_FLAGS := $(if $(filter x86_64,$(shell uname -m)),-mcx16)
LDLIBS    = -ljansson -ljemalloc -ldl -lpthread -lm
VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
BUILD    ?= build

LIB_SRCS  = $(sort $(wildcard kernel/*.c alloc/*.c scenarios/*.c engine/*.c results/*.c model/*.c fuzz/*.c litmus/*.c bench/*.c))
LIB_ASM   = $(sort $(wildcard engine/*.S))
CMD_SRCS  = $(sort $(wildcard cmd/*.c))
LIB_OBJS  = $(LIB_SRCS:%.c=$(BUILD)/%.o) $(LIB_ASM:%.S=$(BUILD)/%.o)
CMD_OBJS  = $(CMD_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps run check test unit bench asan lint clean install uninstall cross cross-deps

all: slabstress $(UNIT_BINS)

# Debian packages the build needs; installed only when something is missing.
DEPS_HEADERS = /usr/include/jansson.h /usr/include/jemalloc/jemalloc.h
deps:
	@missing=""; \
	for h in $(DEPS_HEADERS); do [ -e $$h ] || missing=1; done; \
	command -v clang >/dev/null || missing=1; \
	command -v mandoc >/dev/null || missing=1; \
	ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a >/dev/null 2>&1 || missing=1; \
	if [ -n "$$missing" ]; then \
	  echo "slabstress: installing build dependencies with apt-get"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    clang libclang-rt-dev libjansson-dev libjemalloc-dev mandoc make >/dev/null; \
	fi

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(call ss_say,CC,$<)
	$(Q)$(CC) $(WARN) $(SS_CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/%.o: %.S
	@mkdir -p $(dir $@)
	$(call ss_say,AS,$<)
	$(Q)$(CC) $(SS_CPPFLAGS) $(CFLAGS) -c $< -o $@

# Scenario files (scenarios/plugin.c) are compiled against this tree's headers, or
# the installed ones; the binary exports its symbols to them (-rdynamic, on its link below).
$(BUILD)/scenarios/plugin.o: SS_CPPFLAGS += -DSS_SOURCE_DIR='"$(CURDIR)"' \
	-DSS_INCLUDE_DIR='"$(PREFIX)/include/slabstress"'

$(BUILD)/libslabstress.a: $(LIB_OBJS)
	@rm -f $@
	$(call ss_say,AR,$@)
	$(Q)ar rcs $@ $^

slabstress: $(CMD_OBJS) $(BUILD)/libslabstress.a
	$(call ss_say,LD,$@)
	$(Q)$(CC) $(CFLAGS) -rdynamic -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/test.h $(BUILD)/libslabstress.a
	@mkdir -p $(dir $@)
	$(call ss_say,LD,$@)
	$(Q)$(CC) $(WARN) $(SS_CPPFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/libslabstress.a $(LDLIBS)

run: deps
	@$(MAKE) --no-print-directory slabstress
	@echo "  RUN ./slabstress matrix"
	@./slabstress matrix

check: deps
	@$(MAKE) --no-print-directory all
	@sh tests/run.sh $(BUILD)

test: check

unit: $(UNIT_BINS)

bench: deps
	@$(MAKE) --no-print-directory slabstress
	@sh tests/bench.sh
	@$(MAKE) --no-print-directory bench-fuzz-link

lint:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')
	mandoc -Tlint -W warning slabstress.1
	sh tests/lint-man.sh slabstress.1
	sh tests/lint-includes.sh

PREFIX  ?= /usr/local
BINDIR   = $(PREFIX)/bin
MANDIR   = $(PREFIX)/share/man/man1
HERD7DIR = $(PREFIX)/libexec/slabstress
SDKDIR   = $(PREFIX)/include/slabstress
PCDIR    = $(PREFIX)/lib/pkgconfig
EXDIR    = $(PREFIX)/share/slabstress/examples
# The scenario SDK: the public header and every in-tree header it includes.
SDK_HEADERS = $(shell $(CC) -MM -I. -Iinclude include/slabstress/scenario.h | \
	tr -s ' \\' '\n\n' | grep '\.h$$' | grep -v '^include/' | sort -u)
# The herd7 link is relative, so a DESTDIR staging tree keeps working once copied.
install: slabstress
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(HERD7DIR)
	install -m 755 slabstress $(DESTDIR)$(BINDIR)/slabstress
	install -m 644 slabstress.1 $(DESTDIR)$(MANDIR)/slabstress.1
	ln -sf ../../bin/slabstress $(DESTDIR)$(HERD7DIR)/herd7
	install -d $(DESTDIR)$(SDKDIR) $(DESTDIR)$(PCDIR) $(DESTDIR)$(EXDIR)
	install -m 644 include/slabstress/scenario.h $(DESTDIR)$(SDKDIR)/scenario.h
	for h in $(SDK_HEADERS); do \
	  install -d $(DESTDIR)$(SDKDIR)/$$(dirname $$h) && \
	  install -m 644 $$h $(DESTDIR)$(SDKDIR)/$$h || exit 1; done
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' \
	  -e 's|@ARCH_FLAGS@|$(ARCH_FLAGS)|' slabstress.pc.in \
	  > $(DESTDIR)$(PCDIR)/slabstress.pc
	install -m 644 examples/*.c $(DESTDIR)$(EXDIR)/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/slabstress $(DESTDIR)$(MANDIR)/slabstress.1 \
	  $(DESTDIR)$(HERD7DIR)/herd7 $(DESTDIR)$(PCDIR)/slabstress.pc
	rm -rf $(DESTDIR)$(SDKDIR) $(DESTDIR)$(PREFIX)/share/slabstress
	-rmdir $(DESTDIR)$(HERD7DIR)

clean:
	rm -rf build build-asan build-fuzz build-fuzz-parsers build-nofuzz slabstress

# ---- cross builds: make cross ARCH=arm64|ppc64le (on x86-64, Debian) ----
# gcc's cross compiler, multiarch libjansson-dev and the libjemalloc2 runtime of the
# target; the jemalloc header is the host's (libjemalloc-dev is not Multi-Arch: same,
# so the target's package would remove the host's), hence -l:libjemalloc.so.2.  No
# libFuzzer.  No libatomic: the 16-byte compare-and-swap is inline (POWER) or
# libgcc's outline atomic (arm64); kernel/kernel.h says which.  Warnings stay
# errors under CI=true except gcc's -Wformat-truncation heuristics (see the README).
CROSS_TRIPLE_arm64     = aarch64-linux-gnu
CROSS_TRIPLE_ppc64le   = powerpc64le-linux-gnu
CROSS_DEBARCH_arm64    = arm64
CROSS_DEBARCH_ppc64le  = ppc64el
# Debian 12's qemu-ppc64le (7.2) never completes stqcx.: the ppc64le cross build
# takes the kernel's locked cmpxchg128 fallback (kernel/kernel.h); a native ppc64le
# `make` keeps lqarx/stqcx.
CROSS_DEFS_ppc64le     = -DSS_CMPXCHG128_LOCK
CROSS_TRIPLE  = $(CROSS_TRIPLE_$(ARCH))
CROSS_DEBARCH = $(CROSS_DEBARCH_$(ARCH))
CROSS_LDLIBS  = -ljansson -l:libjemalloc.so.2 -ldl -lpthread -lm
ifneq ($(SS_CROSS),)
WARN += -Wno-error=format-truncation
endif

cross-deps:
	@[ -n "$(CROSS_TRIPLE)" ] || { echo "make cross: ARCH=arm64 or ARCH=ppc64le"; exit 2; }
	@missing=""; \
	command -v $(CROSS_TRIPLE)-gcc >/dev/null || missing="$$missing gcc-$(CROSS_TRIPLE)"; \
	command -v qemu-$(subst arm64,aarch64,$(ARCH)) >/dev/null || missing="$$missing qemu-user"; \
	[ -e /usr/include/jemalloc/jemalloc.h ] || missing="$$missing libjemalloc-dev"; \
	[ -e /usr/lib/$(CROSS_TRIPLE)/libjansson.so ] || missing="$$missing libjansson-dev:$(CROSS_DEBARCH)"; \
	[ -e /usr/lib/$(CROSS_TRIPLE)/libjemalloc.so.2 ] || missing="$$missing libjemalloc2:$(CROSS_DEBARCH)"; \
	if [ -n "$$missing" ]; then \
	  echo "slabstress: installing$$missing with apt-get"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  dpkg --print-foreign-architectures | grep -qx $(CROSS_DEBARCH) || \
	    $$SUDO dpkg --add-architecture $(CROSS_DEBARCH); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

cross: cross-deps
	@$(MAKE) --no-print-directory CC=$(CROSS_TRIPLE)-gcc ARCH_FLAGS="$(CROSS_DEFS_$(ARCH))" BUILD=build-$(ARCH) \
	  SS_NO_LIBFUZZER=1 SS_CROSS=1 LDLIBS="$(CROSS_LDLIBS)" build-$(ARCH)/slabstress unit

# libFuzzer integration, fuzz targets and sanitizer builds live in their own file.
-include fuzz/fuzz.mk

-include $(LIB_OBJS:.o=.d) $(CMD_OBJS:.o=.d)
