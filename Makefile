# pcapstream build. `make` builds build/pcapstream; `make test` installs what is missing, builds and
# runs every test; `make help` lists the targets.

BUILD    ?= build
CC       ?= cc
PKGS     := libpcap libxxhash jansson libbson-1.0 libmongoc-1.0 zlib libzstd liblz4 libcurl rdkafka
SAN      ?=
CFLAGS   ?= -O2 -g
WARN     := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow
CPPFLAGS := -Iinclude -I$(BUILD)/gen $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcivetweb -lm -lpthread
ALLCFLAGS = $(WARN) $(CFLAGS) $(SAN) $(CPPFLAGS)

# Every src/*.c is part of the program; cmd_*.c and main.c are the commands around the library.
CMD_SRC  := src/main.c $(sort $(wildcard src/cmd_*.c))
LIB_SRC  := $(filter-out $(CMD_SRC),$(sort $(wildcard src/*.c)))
TEST_SRC := $(wildcard tests/check_*.c)
GEN      := $(BUILD)/gen/row_fields.c $(BUILD)/gen/row_fields.h

LIB_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/row_fields.o $(BUILD)/obj/kibana_objects.o
CMD_OBJ  := $(CMD_SRC:src/%.c=$(BUILD)/obj/%.o)
TEST_OBJ := $(TEST_SRC:tests/%.c=$(BUILD)/obj/tests/%.o)

FUZZ_SECONDS ?= 60


.PHONY: all deps web run serve test check itest bench-es bench-kafka unit-test cli-test corpus-test engine-test schema-test kibana-test valgrind-test test-asan asan-run fuzz fuzz-build torture torture-smoke bench \
	clean help format format-check

all: $(BUILD)/pcapstream

help:
	@echo "make               build build/pcapstream"
	@echo "make run           install dependencies, build, and watch ./spool (seeded from samples/) into ./out"
	@echo "make test          install dependencies, then everything below: check, valgrind, ASan/UBSan, fuzz, itest"
	@echo "make check         the tests that need no network, no services and no sudo (a few minutes):"
	@echo "                   unit, CLI, schema, Kibana objects, corpus differential, engine, dashboard robustness"
	@echo "                   one unit suite or test: CK_RUN_SUITE=row [CK_RUN_CASE=test_ip_format] make unit-test"
	@echo "                   one engine test:        tests/engine-test --bin build/pcapstream --only tcpdump_rotation"
	@echo "                   (the integration suites take --only too: tests/itest build/pcapstream es-test --only NAME)"
	@echo "make itest         integration tests against real Elasticsearch, FerretDB and Kafka (scripts/services),"
	@echo "                   the dashboard included (headless chromium)"
	@echo "make serve         the dashboard on http://127.0.0.1:8080 (MongoDB at MONGO, default 127.0.0.1:27017)"
	@echo "make web           npm ci in web/ (ECharts, playwright-core)"
	@echo "make test-asan     unit and corpus tests built with -fsanitize=address,undefined"
	@echo "make valgrind-test unit tests, decode and replay of the samples under valgrind"
	@echo "make fuzz          run the libFuzzer decoder target for FUZZ_SECONDS (default 60)"
	@echo "make torture       mutated corpus captures through decode (ASan/UBSan) and watch/replay for"
	@echo "                   TORTURE_SECONDS (default 600; TORTURE_SEED=S replays a campaign); torture-smoke: 60 s, fixed seed"
	@echo "make bench         decode benchmark against tcpdump (libpcap ceiling) and tshark; flows: speed and memory"
	@echo "make format        clang-format the sources"

deps:
	scripts/install-deps
	$(MAKE) web

# The dashboard's JavaScript dependencies (ECharts, playwright-core for the browser test), pinned
# by web/package-lock.json; installed again only when the lock file changes.
web: web/node_modules/.installed

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

# The main job, for a first look: watch ./spool with the file sink into ./out. ./spool is seeded with
# the sample captures, so batches appear within seconds. Stop with Ctrl-C; run again to resume.
run: deps
	$(MAKE) $(BUILD)/pcapstream
	mkdir -p spool
	for f in samples/*.pcap samples/*.pcapng samples/*.gz; do cp -n "$$f" spool/; done
	$(BUILD)/pcapstream watch --trigger 2s spool

# The dashboard, for a first look (see the README's walk-through for the realtime path).
MONGO ?= mongodb://127.0.0.1:27017/pcapstream
serve: deps
	$(MAKE) $(BUILD)/pcapstream
	$(BUILD)/pcapstream serve --mongo $(MONGO) --checkpoint spool/.pcapstream

$(GEN) &: schema/fields.tsv scripts/gen-schema
	scripts/gen-schema c $(BUILD)/gen

# Kibana's saved objects, compiled in for `setup --kibana`.
$(BUILD)/gen/kibana_objects.c: schema/kibana/pcapstream.ndjson scripts/embed
	@mkdir -p $(dir $@)
	scripts/embed kibana_objects $< $@

$(BUILD)/obj/kibana_objects.o: $(BUILD)/gen/kibana_objects.c
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -c -o $@ $<

$(BUILD)/obj/row_fields.o: $(BUILD)/gen/row_fields.c $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -MMD -c -o $@ $<

$(BUILD)/obj/%.o: src/%.c $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -MMD -c -o $@ $<

# serve finds the page in the source tree it was built from (or --web-root, PCAPSTREAM_WEB_ROOT).
$(BUILD)/obj/serve.o: CPPFLAGS += -DPCAPSTREAM_SOURCE_WEB='"$(CURDIR)/web"'

$(BUILD)/obj/tests/%.o: tests/%.c $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) $(shell pkg-config --cflags check) -DSRCDIR='"$(CURDIR)"' -MMD -c -o $@ $<

$(BUILD)/pcapstream: $(LIB_OBJ) $(CMD_OBJ)
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)

$(BUILD)/check_pcapstream: $(LIB_OBJ) $(TEST_OBJ)
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS) $(shell pkg-config --libs check)

-include $(wildcard $(BUILD)/obj/*.d $(BUILD)/obj/tests/*.d)

# --- tests -------------------------------------------------------------------------------------

FUZZ_SMOKE_SECONDS ?= 30

# Before the tests: remove /dev/shm/mongoc-PID files of processes that no longer run. Builds before
# 358a856 left one per process killed with SIGKILL, and libmongoc prints a (non-JSON) warning in a
# later process that gets the same PID. pcapstream now leaves none (engine-test checks that).
test: deps
	@for f in /dev/shm/mongoc-*; do p=$${f##*-}; [ ! -e "$$f" ] || [ -d "/proc/$$p" ] || rm -f "$$f"; done
	$(MAKE) format-check check valgrind-test
	$(MAKE) test-asan
	$(MAKE) torture-smoke
	$(MAKE) fuzz FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS)
	$(MAKE) itest

# What needs no network, no services and no sudo: for a quick run while changing the code.
check: unit-test cli-test schema-test kibana-test corpus-test engine-test serve-robust-test

# Integration tests against real servers (scripts/services starts and stops them).
itest: $(BUILD)/pcapstream web
	tests/itest $(BUILD)/pcapstream

unit-test: $(BUILD)/check_pcapstream
	CK_FORK=yes $(BUILD)/check_pcapstream

cli-test: $(BUILD)/pcapstream
	tests/cli-test $(BUILD)/pcapstream

# The dashboard under 200+ slow clients, and /api/daily's validation; needs no services.
.PHONY: serve-robust-test
serve-robust-test: $(BUILD)/pcapstream
	tests/serve-robust-test --bin $(BUILD)/pcapstream

schema-test:
	tests/schema-test

kibana-test: $(BUILD)/pcapstream
	tests/kibana-test $(BUILD)/pcapstream

engine-test: $(BUILD)/pcapstream
	tests/engine-test --bin $(BUILD)/pcapstream

corpus-test: $(BUILD)/pcapstream
	tests/corpus-test --bin $(BUILD)/pcapstream --cache build/tshark-cache

VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect

valgrind-test: $(BUILD)/check_pcapstream $(BUILD)/pcapstream
	CK_FORK=no $(VALGRIND) $(BUILD)/check_pcapstream
	$(VALGRIND) $(BUILD)/pcapstream decode samples/* >/dev/null 2>&1; test $$? -ne 99
	rm -rf $(BUILD)/valgrind-replay
	$(VALGRIND) $(BUILD)/pcapstream replay --checkpoint $(BUILD)/valgrind-replay/ck \
		--sink file:$(BUILD)/valgrind-replay/out --sink null samples >/dev/null 2>&1; test $$? -ne 99

test-asan:
	$(MAKE) BUILD=build/asan CC=clang CFLAGS="-O1 -g -fno-omit-frame-pointer" \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" asan-run

# A sanitizer report exits 86/87, which no pcapstream outcome uses.
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:exitcode=86 UBSAN_OPTIONS=print_stacktrace=1:exitcode=87

asan-run: $(BUILD)/check_pcapstream $(BUILD)/pcapstream
	$(SAN_ENV) CK_FORK=no $(BUILD)/check_pcapstream
	$(SAN_ENV) tests/cli-test $(BUILD)/pcapstream
	$(SAN_ENV) tests/serve-robust-test --bin $(BUILD)/pcapstream
	$(SAN_ENV) tests/corpus-test --bin $(BUILD)/pcapstream --cache build/tshark-cache --quiet
	$(SAN_ENV) tests/engine-test --bin $(BUILD)/pcapstream --crash-runs 10 --scale-files 2000 --rss-limit-mb 256

# --- fuzzing -----------------------------------------------------------------------------------

FUZZ_BUILD := build/fuzz
fuzz-build:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=clang CFLAGS="-O1 -g" SAN="-fsanitize=fuzzer-no-link,address,undefined" \
		$(FUZZ_BUILD)/obj/row_fields.o $(FUZZ_BUILD)/obj/kibana_objects.o $(LIB_SRC:src/%.c=$(FUZZ_BUILD)/obj/%.o)
	clang $(WARN) -O1 -g -fsanitize=fuzzer,address,undefined -Iinclude -I$(FUZZ_BUILD)/gen \
		$(shell pkg-config --cflags $(PKGS)) -o $(FUZZ_BUILD)/fuzz_decode fuzz/fuzz_decode.c \
		$(FUZZ_BUILD)/obj/*.o $(LDLIBS)

fuzz: fuzz-build
	scripts/fuzz $(FUZZ_BUILD)/fuzz_decode $(FUZZ_SECONDS)

# --- mutation campaign (tests/torture) ---------------------------------------------------------
# Mutated corpus captures (cuts, plain and compressed, flips, length fields, duplicated/removed
# records, concatenations, gzip damage, empty and non-capture files) through `decode` under
# ASan/UBSan and against a Python oracle, and through watch/replay into the file sink. Seeded:
# the seed is printed, TORTURE_SEED=S runs the same cases again; failing inputs are kept in
# build/torture/failures/.

TORTURE_SECONDS       ?= 600
TORTURE_SMOKE_SECONDS ?= 60
# make test's short run always takes the same cases (a campaign of its own picks a new seed).
TORTURE_SMOKE_SEED    ?= 20261130
TORTURE_SEED          ?=
torture: $(BUILD)/pcapstream
	$(MAKE) BUILD=build/asan CC=clang CFLAGS="-O1 -g -fno-omit-frame-pointer" \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" build/asan/pcapstream
	tests/torture --seconds $(TORTURE_SECONDS) --bin $(BUILD)/pcapstream --asan-bin build/asan/pcapstream \
		$(if $(TORTURE_SEED),--seed $(TORTURE_SEED))

torture-smoke:
	$(MAKE) torture TORTURE_SECONDS=$(TORTURE_SMOKE_SECONDS) TORTURE_SEED=$(TORTURE_SMOKE_SEED)

# --- benchmark ---------------------------------------------------------------------------------

bench: deps $(BUILD)/pcapstream
	bench/decode-bench $(BUILD)/pcapstream

bench-es: deps $(BUILD)/pcapstream
	bench/es-bench $(BUILD)/pcapstream

bench-kafka: deps $(BUILD)/pcapstream
	bench/kafka-bench $(BUILD)/pcapstream

# --- housekeeping ------------------------------------------------------------------------------

format:
	clang-format -i src/*.c include/*.h tests/*.c fuzz/*.c

format-check:
	clang-format --dry-run --Werror src/*.c include/*.h tests/*.c fuzz/*.c

clean:
	rm -rf build
