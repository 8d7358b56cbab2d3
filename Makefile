# tlsalert: `make` builds build/tlsalert; `make check` runs every test, in a
# normal build and again under AddressSanitizer + UndefinedBehaviorSanitizer.
#
# Sources are found by wildcard: a new src/lib/*.c joins the library, a new
# src/cli/*.c the command, tests/unit/test_*.c becomes a test program,
# fuzz/fuzz_*.c a fuzz target, tools/gen_NAME.py generates build/gen/NAME_data.h
# from data/.  BUILD=dir puts everything in another directory (used for the
# sanitizer build and by developers working side by side).

BUILD    ?= build
CC       ?= cc
PYTHON   ?= python3
OBJCOPY  ?= objcopy
SAN      ?=
OPT      ?= -O2 -g
# `make V=1` shows the full compiler command lines.
Q        := $(if $(V),,@)

WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wvla -Wformat=2 -Wundef -Wcast-align -Wwrite-strings \
           -Wimplicit-fallthrough
CPPFLAGS += -Iinclude -Isrc/lib -I$(BUILD)/gen -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64
CFLAGS   += -std=c11 -pthread $(OPT) $(WARN) $(SAN) -MMD -MP
LDFLAGS  += $(SAN)
LDLIBS   += -lpcap -lcrypto -lz -pthread

LIB_SRC  := $(sort $(wildcard src/lib/*.c src/lib/*/*.c))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))
GEN_PY   := $(sort $(wildcard tools/gen_*.py))
GEN_H    := $(patsubst tools/gen_%.py,$(BUILD)/gen/%_data.h,$(GEN_PY))
# Modules the generators share (registry_data.py, causes_data.py): a change remakes every header.
GEN_LIB  := $(filter-out $(GEN_PY),$(sort $(wildcard tools/*.py)))
DATA     := $(sort $(wildcard data/*))

LIB_OBJ  := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRC))
CLI_OBJ  := $(patsubst %.c,$(BUILD)/obj/%.o,$(CLI_SRC))
TEST_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(TEST_SRC))
REPLAY_BIN := $(patsubst fuzz/%.c,$(BUILD)/replay/%,$(FUZZ_SRC))
FUZZ_BIN := $(patsubst fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRC))

# `make install` (and `make uninstall`): PREFIX=/usr/local and DESTDIR as usual.
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
VERSION    := $(shell sed -n 's/^\#define TLSALERT_VERSION "\(.*\)"$$/\1/p' src/cli/cli.h)
PUB_H      := $(sort $(wildcard include/tlsalert/*.h))

.SECONDARY:
.PHONY: all check test asan fuzz fuzz-replay format format-check bench clean install uninstall
all: $(BUILD)/tlsalert

$(BUILD)/gen/%_data.h: tools/gen_%.py $(GEN_LIB) $(DATA)
	@mkdir -p $(@D)
	$(Q)$(PYTHON) $< data $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: %.c | $(GEN_H)
	@mkdir -p $(@D)
	@$(if $(V),true,echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# The archive users link exports the public API only: the objects are linked
# into one relocatable object and every defined global whose name does not
# start with tlsa_ is made local (docs/DEVELOPING.md, "Exported symbols";
# tests/scripts/exports.sh checks it).  Unit tests and fuzz targets call
# internal functions too, so they link the plain objects, archived as
# libtlsalert-internal.a.
$(BUILD)/obj/libtlsalert.o: $(LIB_OBJ)
	$(Q)$(LD) -r -o $@.tmp $^
	$(Q)$(OBJCOPY) --wildcard --keep-global-symbol='tlsa_*' $@.tmp $@
	@rm -f $@.tmp

$(BUILD)/libtlsalert.a: $(BUILD)/obj/libtlsalert.o
	@rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/libtlsalert-internal.a: $(LIB_OBJ)
	@rm -f $@
	$(Q)ar rcs $@ $^

# The command loads libpcap and libcrypto when it first calls them
# (src/cli/lazy_libs.c): it is not linked with them, so that a command that
# does not use them does not pay for loading them.
CLI_LDLIBS = $(filter-out -lpcap -lcrypto,$(LDLIBS)) -ldl
$(BUILD)/tlsalert: $(CLI_OBJ) $(BUILD)/libtlsalert.a
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(CLI_LDLIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(BUILD)/libtlsalert-internal.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Fuzz targets linked to a plain main() that replays files: runs under any
# compiler, so `make check` replays every corpus with the sanitizers.
$(BUILD)/replay/%: $(BUILD)/obj/fuzz/%.o $(BUILD)/obj/fuzz/replay_main.o $(BUILD)/libtlsalert-internal.a
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/obj/fuzz/replay_main.o: fuzz/replay_main.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# `make test` runs the fast tier (TIER=fast: every test but the scripts marked
# "# tier: full", which need a peer tool such as tshark or are slow); `make
# check` runs every test (TIER=full).  What the tests need is built with one
# job per core unless make was given -j: compiling is most of a clean `make test`.
TIER     ?= fast
NPROC     = $(shell nproc 2>/dev/null || echo 1)

.PHONY: test-programs
test-programs: $(BUILD)/tlsalert $(TEST_BIN) $(REPLAY_BIN)
	@:

test:
	$(Q)$(MAKE) --no-print-directory $(if $(filter -j%,$(MAKEFLAGS)),,-j$(NPROC)) test-programs
	BUILD=$(BUILD) TIER=$(TIER) tests/run.sh

asan:
	$(MAKE) BUILD=$(BUILD)/asan SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" OPT="-O1 -g" test

# Every test, twice: the normal build, then the sanitizer build.
check:
	$(MAKE) TIER=full test
	$(MAKE) TIER=full asan

# libFuzzer builds (clang): make fuzz; then e.g.
#   build/fuzz/fuzz_decode -max_total_time=600 fuzz/corpus/fuzz_decode
FUZZ_FLAGS = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -g -O1
fuzz:
	$(MAKE) BUILD=$(BUILD)/fuzzlib CC=clang SAN="-fsanitize=fuzzer-no-link,address,undefined" OPT="-O1 -g" $(BUILD)/fuzzlib/libtlsalert-internal.a
	@mkdir -p $(BUILD)/fuzz
	for f in $(FUZZ_SRC); do \
		n=$$(basename $$f .c); \
		clang -Iinclude -Isrc/lib -I$(BUILD)/fuzzlib/gen -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 \
			-std=c11 $(FUZZ_FLAGS) -o $(BUILD)/fuzz/$$n $$f $(BUILD)/fuzzlib/libtlsalert-internal.a $(LDLIBS) || exit 1; \
	done

bench: $(BUILD)/tlsalert
	bench/run.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

# The command, the library (the archive of the public API), its headers, its
# pkg-config file and the man page; tests/scripts/install.sh tries a staged one.
install: $(BUILD)/tlsalert $(BUILD)/libtlsalert.a
	install -D -m 755 $(BUILD)/tlsalert $(DESTDIR)$(BINDIR)/tlsalert
	install -D -m 644 $(BUILD)/libtlsalert.a $(DESTDIR)$(LIBDIR)/libtlsalert.a
	install -D -m 644 include/tlsalert.h $(DESTDIR)$(INCLUDEDIR)/tlsalert.h
	install -D -m 644 -t $(DESTDIR)$(INCLUDEDIR)/tlsalert $(PUB_H)
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    -e 's|@VERSION@|$(VERSION)|' tools/tlsalert.pc.in >$(BUILD)/tlsalert.pc
	install -D -m 644 $(BUILD)/tlsalert.pc $(DESTDIR)$(PKGCONFIGDIR)/tlsalert.pc
	install -D -m 644 docs/tlsalert.1 $(DESTDIR)$(MANDIR)/man1/tlsalert.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/tlsalert $(DESTDIR)$(LIBDIR)/libtlsalert.a \
	    $(DESTDIR)$(INCLUDEDIR)/tlsalert.h $(DESTDIR)$(PKGCONFIGDIR)/tlsalert.pc \
	    $(DESTDIR)$(MANDIR)/man1/tlsalert.1 \
	    $(patsubst include/tlsalert/%,$(DESTDIR)$(INCLUDEDIR)/tlsalert/%,$(PUB_H))
	rmdir $(DESTDIR)$(INCLUDEDIR)/tlsalert 2>/dev/null || true

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
