# End-to-end tests: tests/e2e/NN-name.sh, each drives the real stack (private pcscd + driver + card + tools).
# They need root (or unprivileged user namespaces) for the private mount namespace of `cardlet with`.
E2E_DEPS ?=
e2e: programs $(E2E_DEPS) e2e-sample-applets
	@BUILD=$(BUILD) tests/run-e2e.sh $(E2E)

# The same tests with cardlet (with, script, the card daemon, the VM, image install, the converter for the sample
# applets) built with AddressSanitizer+UBSan; the driver stays a plain build, as pcscd cannot load an ASan library.
# Scripts that live beside their module (card/e2e, tests/crash, tests/foreign) add themselves to
# E2E_MODULE, what they need in the sanitizer tree to E2E_SAN_NEEDS, and their plain-tree needs as
# prerequisites of e2e-san, so they run against the sanitizer-built card too (not when E2E names tests).
E2E_SAN_BUILD ?= $(BUILD)/san-e2e
E2E_MODULE ?=
E2E_SAN_NEEDS ?=
.PHONY: e2e-san
e2e-san: programs
	@$(MAKE) --no-print-directory SAN=1 BUILD=$(E2E_SAN_BUILD) programs e2e-sample-applets $(E2E_SAN_NEEDS)
	@BUILD=$(BUILD) E2E_CARDLET=$(CURDIR)/$(E2E_SAN_BUILD)/bin/cardlet \
	  E2E_CARDLET_DRIVER=$(CURDIR)/$(BUILD)/lib/libifdcardlet.so tests/run-e2e.sh $(E2E)
	@$(if $(E2E),true,BUILD=$(BUILD) E2E_CARDLET=$(CURDIR)/$(E2E_SAN_BUILD)/bin/cardlet \
	  E2E_CARDLET_DRIVER=$(CURDIR)/$(BUILD)/lib/libifdcardlet.so tests/run-e2e.sh $(E2E_MODULE))

# 10-applet-samples installs the sample applets. Build just those (not every applet: one in progress elsewhere
# must not stop the e2e run), when a JDK is there; if they do not build, that test says so and skips.
E2E_SAMPLE_CAPS := $(patsubst applets/samples/%/cap.conf,$(BUILD)/applets/%.cap,$(wildcard applets/samples/*/cap.conf))
.PHONY: e2e-sample-applets
e2e-sample-applets: programs
	@if command -v $(or $(JAVAC),javac) >/dev/null 2>&1 && [ -n "$(E2E_SAMPLE_CAPS)" ]; then \
	  $(MAKE) --no-print-directory $(E2E_SAMPLE_CAPS) >$(BUILD)/e2e-sample-applets.log 2>&1 || \
	  { rm -f $(E2E_SAMPLE_CAPS); echo "e2e: the sample applets did not build (see $(BUILD)/e2e-sample-applets.log)"; }; \
	fi

# PC/SC benchmarks (tests/bench): a client measuring round trips and card events, and a do-nothing IFD handler
# loaded into pcscd for the floor figure. tests/bench/run-pcsc-bench.sh runs them inside `cardlet with`.
PCSC_BENCH := $(BUILD)/bench/pcsc_bench
IFD_NULL   := $(BUILD)/bench/libifdnull.so

$(PCSC_BENCH): $(BUILD)/obj/tests/bench/pcsc_bench.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(PCSC_LIBS)

$(IFD_NULL): $(BUILD)/obj/tests/bench/ifd_null.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -shared -Wl,-z,defs -o $@ $^

.PHONY: bench-pcsc
bench: bench-pcsc
bench-pcsc: programs $(PCSC_BENCH) $(IFD_NULL) e2e-sample-applets
	@BUILD=$(BUILD) tests/bench/run-pcsc-bench.sh

# Fuzz target for `cardlet script`'s parsers (cli/script_parse_fuzz.c), built from source with clang so that every
# file it exercises is instrumented.  make fuzz-run-script FUZZ_SECONDS=60 runs it; new inputs go to
# $(BUILD)/fuzz/script-corpus, tests/fuzz/script-corpus holds the (read-only) seeds.
SCRIPT_FUZZ_CC   ?= clang
SCRIPT_FUZZ_SRCS := cli/script_parse_fuzz.c cli/script_parse.c cli/script_expect.c cli/script_sw.c \
                    cli/script_transcript.c $(filter-out $(NOT_LIB),$(wildcard common/*.c))
SCRIPT_FUZZ_BIN  := $(BUILD)/fuzz/script_parse_fuzz

.PHONY: fuzz-script fuzz-run-script
fuzz: fuzz-script
fuzz-script: $(SCRIPT_FUZZ_BIN)

$(SCRIPT_FUZZ_BIN): $(SCRIPT_FUZZ_SRCS) cli/script.h common/cl_util.h
	@mkdir -p $(@D)
	$(SCRIPT_FUZZ_CC) -std=c11 -g -O1 -D_GNU_SOURCE -I. -Wall -Wextra -Werror \
	  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	  -o $@ $(SCRIPT_FUZZ_SRCS) -lcrypto

fuzz-run-script: $(SCRIPT_FUZZ_BIN)
	@mkdir -p $(BUILD)/fuzz/script-corpus
	$(SCRIPT_FUZZ_BIN) -max_total_time=$(or $(FUZZ_SECONDS),60) -max_len=4096 -timeout=10 -print_final_stats=1 \
	  $(BUILD)/fuzz/script-corpus tests/fuzz/script-corpus
