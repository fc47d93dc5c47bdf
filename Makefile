# vmlab — GNU make build.
#
#   make                 library (build/libvmlab.a) and the vmlab command (build/vmlab)
#   make check           build and run every test under tests/ with prove (TAP)
#   make bench           build and run every benchmark under bench/
#   make install PREFIX=/usr/local
#   make SAN=asan check  AddressSanitizer + UBSan build of the tests (in build-asan/)
#   make SAN=tsan check  ThreadSanitizer build of the tests (in build-tsan/)
#   make V=1             print every command in full (default: one short line each)
#
# Sources are found by folder, so adding a file needs no edit here:
# src/{hw,os,replay,isa,sys,step,explore}/*.c form the library (with the explorer
# page's assets, src/explore/page.*, as byte arrays made by xxd), src/cli/*.c the command,
# tests/*.c one test program each (tests/lib/*.c linked into all of them),
# bench/*.c one benchmark each.

PREFIX  ?= /usr/local
CC      ?= cc
SAN     ?=
VERSION := 0.1.0

ifeq ($(SAN),)
  B        ?= build
  OPT      := -O2
  SANFLAGS :=
else ifeq ($(SAN),asan)
  B        ?= build-asan
  OPT      := -O1
  SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else ifeq ($(SAN),tsan)
  B        ?= build-tsan
  OPT      := -O1
  SANFLAGS := -fsanitize=thread -fno-omit-frame-pointer
else
  $(error SAN must be empty, asan or tsan)
endif

# Quiet by default: one "CC file" line per command; V=1 prints them in full.
ifeq ($(V),1)
  Q     :=
  say    = @:
else
  Q     := @
  say    = @printf '  %-6s %s\n' $(1) $(2);
endif

WARN     := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wvla -Wformat=2
CFLAGS   ?= $(OPT) -g
ALLCFLAGS = -std=c17 $(WARN) $(CFLAGS) $(SANFLAGS) -D_GNU_SOURCE -DVMLAB_VERSION=\"$(VERSION)\" -pthread \
            -Iinclude -Isrc -Itests -MMD -MP
LDLIBS   := -lzstd -llzma -lz -lm -pthread
CLI_LIBS := -ljansson -lnettle    # the sweep's manifest and results (JSON), input checksums
ALLLDFLAGS = $(LDFLAGS) $(SANFLAGS)

LIB_SRC   := $(sort $(wildcard src/hw/*.c src/os/*.c src/replay/*.c src/isa/*.c src/sys/*.c \
                              src/step/*.c src/explore/*.c))
CLI_SRC   := $(sort $(wildcard src/cli/*.c))
TEST_SRC  := $(sort $(wildcard tests/*.c))
TLIB_SRC  := $(sort $(wildcard tests/lib/*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/*.c))

# Guest programs for `vmlab run` (tests/guest/*.c): static RISC-V glibc
# executables built with Debian's cross compiler into $(B)/guest/, never
# committed. Without the compiler the tests that need them skip.
RV_CC      ?= riscv64-linux-gnu-gcc
GUEST_SRC  := $(sort $(wildcard tests/guest/*.c))
HAVE_RV_CC := $(shell command -v $(RV_CC) >/dev/null 2>&1 && echo yes)
GUESTS     := $(if $(HAVE_RV_CC),$(GUEST_SRC:tests/guest/%.c=$(B)/guest/%))

# PintOS user programs for `vmlab run --abi pintos` (tests/pintos/*.c, each
# linked with tests/pintos/common.c) built by examples/pintos/Makefile, the
# one users build theirs with, into $(B)/pintos/. Without the compiler
# test_pintos skips.
PINTOS_SRC   := $(filter-out tests/pintos/common.c,$(sort $(wildcard tests/pintos/*.c)))
PINTOS_PROGS := $(PINTOS_SRC:tests/pintos/%.c=%)

LIB_OBJ   := $(LIB_SRC:%.c=$(B)/obj/%.o) $(B)/obj/gen/explore_assets.o
CLI_OBJ   := $(CLI_SRC:%.c=$(B)/obj/%.o)
TLIB_OBJ  := $(TLIB_SRC:%.c=$(B)/obj/%.o)
TESTS     := $(TEST_SRC:tests/%.c=$(B)/tests/%)
BENCHES   := $(BENCH_SRC:bench/%.c=$(B)/bench/%)

LIBA := $(B)/libvmlab.a
BIN  := $(B)/vmlab

.PHONY: all check tests bench install clean demo fuzz guests pintos
.SECONDARY:
all: $(LIBA) $(BIN)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALLCFLAGS) -c $< -o $@

# The explorer page's assets, built into the library as byte arrays.
EXPLORE_ASSETS := src/explore/page.html src/explore/page.css src/explore/page.js
$(B)/gen/explore_assets.c: $(EXPLORE_ASSETS)
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)
	$(Q)for f in $^; do xxd -i -n explore_$$(basename $$f | tr . _) $$f || exit 1; done > $@.tmp && mv $@.tmp $@

$(B)/obj/gen/explore_assets.o: $(B)/gen/explore_assets.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(ALLCFLAGS) -c $< -o $@

$(LIBA): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIBA)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALLLDFLAGS) $(CLI_OBJ) $(LIBA) $(CLI_LIBS) $(LDLIBS) -o $@

$(B)/tests/%: $(B)/obj/tests/%.o $(TLIB_OBJ) $(LIBA)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALLLDFLAGS) $< $(TLIB_OBJ) $(LIBA) $(LDLIBS) -o $@

$(B)/bench/%: $(B)/obj/bench/%.o $(LIBA)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALLLDFLAGS) $< $(LIBA) $(LDLIBS) -o $@

# bench_pintos runs the PintOS suite through the tests' own helpers
$(B)/bench/bench_pintos: $(B)/obj/bench/bench_pintos.o $(TLIB_OBJ) $(LIBA)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) $(ALLLDFLAGS) $< $(TLIB_OBJ) $(LIBA) $(LDLIBS) -o $@

$(B)/guest/%: tests/guest/%.c tests/guest/guest.h
	@mkdir -p $(dir $@)
	$(call say,RVCC,$@)
	$(Q)$(RV_CC) -static -O2 -Wall -Werror $< -o $@ -lm

# a static PIE (ET_DYN, no interpreter): freestanding, as Debian's cross
# glibc has no static-PIE start file
$(B)/guest/pie: tests/guest/pie.c
	@mkdir -p $(dir $@)
	$(call say,RVCC,$@)
	$(Q)$(RV_CC) -O2 -Wall -Werror -fPIE -pie -nostdlib -ffreestanding -Wl,--no-dynamic-linker $< -o $@

guests: $(GUESTS)

pintos:
ifeq ($(HAVE_RV_CC),yes)
	$(call say,RVCC,$(B)/pintos/)
	$(Q)$(MAKE) --no-print-directory $(if $(filter 1,$(V)),,-s) -C examples/pintos \
	    O=$(abspath $(B)/pintos) SRC=$(abspath tests/pintos) EXTRA=$(abspath tests/pintos/common.c) \
	    PROGS="$(PINTOS_PROGS)" RV_CC=$(RV_CC)
endif

tests: $(TESTS) $(BIN) $(GUESTS) pintos

# Tests run from the project root; VMLAB names the command under test.
check: tests
	VMLAB=$(abspath $(BIN)) VMLAB_SAN=$(SAN) prove -j2 --exec '' $(if $(T),$(T:%=$(B)/tests/%),$(TESTS))

bench: $(BENCHES) $(BIN) $(GUESTS) pintos
	@for b in $(BENCHES); do echo "== $$b"; VMLAB=$(abspath $(BIN)) $$b || exit 1; done

# The README's first command: run a real program (the corpus's sort, built
# from tests/guest/sort.c by the cross compiler setup.sh installs) on the
# simulated machine with 256 frames, recording its trace, and replay that
# trace with OPT; then replay a bundled real trace (the bzip SPEC course
# trace, 1M accesses) through 256 frames with clock, and sweep it.
demo: $(BIN) $(GUESTS)
	$(BIN) run --frames 256 --trace-out build/demo-sort.vmt -- $(B)/guest/sort 100000
	$(BIN) replay --policy opt build/demo-sort.vmt
	$(BIN) replay --frames 256 examples/traces/bzip.trace.gz
	$(BIN) sweep --out build/demo-sweep examples/traces/bzip.trace.gz
	@echo "open build/demo-sweep.html in a browser for the charts"


# Short coverage-guided fuzz runs of every reader (clang + libFuzzer). The
# library is built once with the fuzzer's instrumentation; each harness in
# tests/fuzz/ links against it and runs FUZZ_SECONDS.
FUZZ_SECONDS ?= 20
FUZZ_CFLAGS := -std=c17 -g -O1 -D_GNU_SOURCE -pthread -Iinclude -Isrc \
               -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_OBJ := $(LIB_SRC:%.c=build-fuzz/obj/%.o)

build-fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)clang $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

build-fuzz/libvmlab-fuzz.a: $(FUZZ_OBJ)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

build-fuzz/%: tests/fuzz/%.c build-fuzz/libvmlab-fuzz.a
	$(call say,LINK,$@)
	$(Q)clang $(FUZZ_CFLAGS) -fsanitize=fuzzer $< build-fuzz/libvmlab-fuzz.a $(LDLIBS) -o $@

fuzz: $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
	@for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
	  echo "== fuzz $$n ($(FUZZ_SECONDS)s)"; \
	  mkdir -p build-fuzz/corpus-$$n; \
	  if [ $$n = fuzz_run_elf ]; then for g in pie sort; do \
	    test -f build/guest/$$g && cp build/guest/$$g build-fuzz/corpus-$$n/seed-$$g; done; fi; \
	  ./build-fuzz/$$n -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 \
	    build-fuzz/corpus-$$n $$(test -d tests/fuzz/seeds/$$n && echo tests/fuzz/seeds/$$n) \
	    2>build-fuzz/$$n.log || { tail -40 build-fuzz/$$n.log; exit 1; }; \
	  tail -1 build-fuzz/$$n.log; done

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/vmlab
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/vmlab
	install -m 644 $(LIBA) $(DESTDIR)$(PREFIX)/lib/libvmlab.a
	install -m 644 include/vmlab/*.h $(DESTDIR)$(PREFIX)/include/vmlab/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' vmlab.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/vmlab.pc

clean:
	rm -rf build build-asan build-tsan build-fuzz

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
-include $(shell find build-fuzz/obj -name '*.d' 2>/dev/null)   # a header changed: the fuzz build too
