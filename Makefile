# crm - customer-relationship manager as composable Unix programs.
#
#   make                 build every program into bin/
#   make check           install missing dependencies, then unit tests, CLI
#                        tests and man-page examples (make test: tests only)
#   make SANITIZE=1 check   the same under AddressSanitizer + UBSan
#   make CC=clang        build with clang
#   make install PREFIX=/usr/local DESTDIR=
#   make bench           benchmarks (bench/README.md)
#   make fuzz            fuzz every parser with libFuzzer (clang), FUZZ_SECONDS each
#   make stress          the long concurrency and kill tests
#   make demo            install dependencies, build, run a demo pipeline

VERSION  = 0.1.0
PREFIX  ?= /usr/local
BINDIR   = $(PREFIX)/bin
LIBDIR   = $(PREFIX)/lib/crm
MANDIR   = $(PREFIX)/share/man

ifeq ($(origin CC),default)
CC = gcc
endif
ifeq ($(findstring clang,$(CC)),clang)
CXX = clang++
endif

PKGS     = sqlite3 yaml-0.1 libutf8proc jansson libical gmime-3.0 libcmark libqrencode
CPPFLAGS += -Iinclude -D_GNU_SOURCE -DCRM_VERSION='"$(VERSION)"'
# Where Debian's iso-codes keeps the names of the countries.
ISO_CODES = $(or $(shell pkg-config --variable=prefix iso-codes 2>/dev/null),/usr)
CPPFLAGS += -DCRM_ISO_CODES_PREFIX='"$(ISO_CODES)"'
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
            $(shell pkg-config --cflags $(PKGS))
CXXFLAGS ?= -O2 -g
CXXFLAGS += -std=c++17 -Wall -Wextra -Werror
# libcsv ships no pkg-config file.
LDLIBS   += $(shell pkg-config --libs $(PKGS)) -lcsv -ldl -lpthread -lm

ifeq ($(FUZZING),1)
# make fuzz: every object instrumented for libFuzzer and the sanitizers.
# The targets are linked as C, so the C++ part of UBSan (vptr checks) is
# not there for the phone module to use: it goes without.
SANFLAGS  = -fsanitize=address,undefined -fno-sanitize=vptr -fno-omit-frame-pointer \
            -fno-sanitize-recover=all
CFLAGS   += $(SANFLAGS) -fsanitize=fuzzer-no-link
CXXFLAGS += $(SANFLAGS) -fsanitize=fuzzer-no-link
LDFLAGS  += $(SANFLAGS)
O        ?= build/fuzz
else ifeq ($(SANITIZE),1)
# The leak checker misreads the dynamic TLS of the dlopen'd phone module's
# C++ libraries unless told not to track it (see .ci/run).
export ASAN_OPTIONS ?= detect_leaks=1:abort_on_error=1:intercept_tls_get_addr=0
SANFLAGS  = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
CFLAGS   += $(SANFLAGS)
CXXFLAGS += $(SANFLAGS)
LDFLAGS  += $(SANFLAGS)
O        ?= build/san
else ifeq ($(SANITIZE),thread)
# make check-threads: ThreadSanitizer over the code that runs on several
# threads at once.
SANFLAGS  = -fsanitize=thread
CFLAGS   += $(SANFLAGS)
CXXFLAGS += $(SANFLAGS)
LDFLAGS  += $(SANFLAGS)
O        ?= build/tsan
else
O        ?= build/out
endif
BIN = $(if $(filter build/out,$(O)),bin,$(O)/bin)
# Programs find the phone-number module in ../lib/crm from their own folder.
MODDIR = $(patsubst bin/../%,%,$(BIN)/../lib/crm)
PHONE_MOD = $(MODDIR)/crm-phone.so
FTS_EXT   = $(MODDIR)/crm-fts.so

LIB_C    = $(wildcard libcore/*.c)
LIB_OBJ  = $(LIB_C:%.c=$(O)/%.o)
CLI_OBJ  = $(patsubst %.c,$(O)/%.o,$(wildcard cmd/common/*.c))
PROGS    = $(patsubst cmd/%/,%,$(filter-out cmd/common/,$(sort $(dir $(wildcard cmd/*/main.c)))))
PROG_BIN = $(PROGS:%=$(BIN)/%)
UNIT_SRC = $(wildcard tests/unit/check_*.c)
UNIT_OBJ = $(UNIT_SRC:%.c=$(O)/%.o) $(O)/tests/unit/runner.o $(O)/tests/unit/fixture.o
FUZZ_NAMES = $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 60

all: $(PROG_BIN) $(PHONE_MOD) $(FTS_EXT)

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Icmd/common -MMD -MP -c -o $@ $<

$(O)/libcore/phone.o: CPPFLAGS += -DCRM_MODULE_DIR='"$(LIBDIR)"'

# libphonenumber (C++) is confined to this module, loaded on first use.
$(PHONE_MOD): libcore/phone_module.cc libcore/phone_module.h
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -fPIC -shared $(LDFLAGS) -o $@ $< -lphonenumber

# The search tokenizer on its own, for the sqlite3 shell to .load, with
# the match key it folds words by; built without the sanitizers, whose
# run-time the shell does not have.
FTS_EXT_SRC = libcore/tokenizer.c libcore/norm.c libcore/buf.c libcore/error.c
$(FTS_EXT): $(FTS_EXT_SRC) include/crm/norm.h include/crm/buf.h include/crm/error.h libcore/text.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -DCRM_FTS_EXTENSION -O2 -std=c11 -Wall -Wextra -Werror -fPIC -shared \
		-Wl,--no-undefined -o $@ $(FTS_EXT_SRC) $(shell pkg-config --libs libutf8proc)

$(O)/libcore.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(O)/libcli.a: $(CLI_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

# The objects of program crm-NAME: every cmd/crm-NAME/*.c.
objs_of = $(patsubst %.c,$(O)/%.o,$(wildcard cmd/$(1)/*.c))

.SECONDEXPANSION:
$(BIN)/%: $$(call objs_of,$$*) $(O)/libcli.a $(O)/libcore.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The unit runner finds its suites by file name: check_foo.c defines foo_suite().
$(O)/tests/unit/suites.h: $(UNIT_SRC)
	@mkdir -p $(@D)
	@for f in $(notdir $(UNIT_SRC:.c=)); do echo "SUITE($${f#check_})"; done > $@

$(O)/tests/unit/runner.o: tests/unit/runner.c $(O)/tests/unit/suites.h
	$(CC) $(CPPFLAGS) -I$(O)/tests/unit $(CFLAGS) $(shell pkg-config --cflags check) -c -o $@ $<

$(O)/unit-tests: $(UNIT_OBJ) $(O)/libcore.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(shell pkg-config --libs check)

# Fuzz targets: NAME-replay runs the corpus files given (make check), NAME
# is the libFuzzer binary (make fuzz).
$(O)/fuzz/%-replay: $(O)/tests/fuzz/fuzz_%.o $(O)/tests/fuzz/replay.o $(O)/libcore.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/fuzz/%: $(O)/tests/fuzz/fuzz_%.o $(O)/libcore.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

fuzz-replay: $(FUZZ_NAMES:%=$(O)/fuzz/%-replay)

# Each target runs FUZZ_SECONDS from its seed corpus; what it finds is kept
# in build/fuzz/corpus/NAME, and a crash stops the run with its input saved
# as build/fuzz/crash-*.
fuzz:
	@WITH_CLANG=1 scripts/deps.sh
	@$(MAKE) --no-print-directory FUZZING=1 CC=clang fuzz-run

fuzz-run: $(PHONE_MOD) $(FUZZ_NAMES:%=$(O)/fuzz/%)
	@for t in $(FUZZ_NAMES); do \
		mkdir -p $(O)/corpus/$$t; \
		echo "== fuzz $$t ($(FUZZ_SECONDS) s)"; \
		ASAN_OPTIONS=intercept_tls_get_addr=0 CRM_PHONE_MODULE=$(CURDIR)/$(PHONE_MOD) \
		$(O)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) \
			-artifact_prefix=$(O)/crash-$$t- -print_final_stats=1 \
			$(O)/corpus/$$t tests/fuzz/corpus/$$t >$(O)/fuzz-$$t.log 2>&1; s=$$?; \
		grep -E "^stat::(number_of_executed_units|peak_rss_mb)|DONE" $(O)/fuzz-$$t.log; \
		test $$s = 0 || { tail -n 40 $(O)/fuzz-$$t.log; exit 1; }; \
	done

# check installs what is missing first, then builds and tests in a fresh
# make, so the flags from pkg-config are read after the install.
check: deps
	@$(MAKE) --no-print-directory test

# Both suites run even when the first fails, so one run shows every failure.
test: all $(O)/unit-tests fuzz-replay
	@scripts/banned-calls
	@scripts/storage-seam
	@u=0; c=0; \
	CRM_PHONE_MODULE=$(CURDIR)/$(PHONE_MOD) $(O)/unit-tests || u=$$?; \
	CRM_BIN=$(CURDIR)/$(BIN) CRM_FUZZ_BIN=$(CURDIR)/$(O)/fuzz CRM_SANITIZE=$(SANITIZE) \
		tests/cli/run || c=$$?; \
	test $$u = 0 && test $$c = 0

# The suites of the code that runs on several threads at once (rows read
# and prepared ahead of an import), under ThreadSanitizer: a data race
# fails them.  Slow under its instrumentation (the import case that
# writes 32,000 rows takes over 30 s there), hence timeouts 30 times
# Check's: the multiplier stretches those a test case sets itself too.
THREAD_SUITES = rowpipe import
check-threads: deps
	@$(MAKE) --no-print-directory SANITIZE=thread threads-run

threads-run: $(O)/unit-tests $(PHONE_MOD)
	@for s in $(THREAD_SUITES); do \
		TSAN_OPTIONS=halt_on_error=1:abort_on_error=1 CK_DEFAULT_TIMEOUT=30 \
		CK_TIMEOUT_MULTIPLIER=30 CK_RUN_SUITE=$$s \
		CRM_PHONE_MODULE=$(CURDIR)/$(PHONE_MOD) $(O)/unit-tests || exit 1; \
	done

# The long versions of the concurrency and crash tests.
stress: all
	@rm -f $(O)/stress-report
	@CRM_BIN=$(CURDIR)/$(BIN) STRESS_REPORT=$(CURDIR)/$(O)/stress-report CONCURRENCY_ROUNDS=40 \
		bash tests/cli/t7000-concurrency.sh
	@CRM_BIN=$(CURDIR)/$(BIN) STRESS_REPORT=$(CURDIR)/$(O)/stress-report CRASH_ROUNDS=50 \
		bash tests/cli/t7100-crash.sh
	@echo "== stress figures"; cat $(O)/stress-report

deps:
	@scripts/deps.sh

bench: all
	CRM_BIN=$(CURDIR)/$(BIN) bench/run
	CRM_BIN=$(CURDIR)/$(BIN) bench/import
	CRM_BIN=$(CURDIR)/$(BIN) bench/dedup
	CRM_BIN=$(CURDIR)/$(BIN) bench/sales
	CRM_BIN=$(CURDIR)/$(BIN) bench/desk
	CRM_BIN=$(CURDIR)/$(BIN) bench/kb
	CRM_BIN=$(CURDIR)/$(BIN) bench/loyalty
	CRM_BIN=$(CURDIR)/$(BIN) bench/report
	CRM_BIN=$(CURDIR)/$(BIN) bench/campaign

demo: deps
	@$(MAKE) --no-print-directory all
	scripts/demo

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7
	install -m 755 $(PROG_BIN) $(DESTDIR)$(BINDIR)
	install -d $(DESTDIR)$(LIBDIR)
	install -m 644 $(PHONE_MOD) $(FTS_EXT) $(DESTDIR)$(LIBDIR)
	install -m 644 man/man1/*.1 $(DESTDIR)$(MANDIR)/man1
	install -m 644 man/man5/*.5 $(DESTDIR)$(MANDIR)/man5
	install -m 644 man/man7/*.7 $(DESTDIR)$(MANDIR)/man7

clean:
	rm -rf build bin lib

.PHONY: all check test deps bench demo install clean fuzz fuzz-run fuzz-replay stress \
        check-threads threads-run
.SECONDARY:

-include $(shell find build -name '*.d' 2>/dev/null)
