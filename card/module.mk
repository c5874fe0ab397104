# card/: the command-path benchmark (make bench) and the card fuzz target (make fuzz).
.PHONY: bench-card fuzz-card

$(BUILD)/bench/card_bench: $(BUILD)/obj/card/card_bench.o $(CL_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(LINK_CL) $(LIBS)

bench: bench-card
bench-card: $(BUILD)/bench/card_bench
	@$(BUILD)/bench/card_bench

# libFuzzer wants every source instrumented, so the fuzzer is built from source with clang,
# outside the gcc libraries. FUZZ_SECONDS bounds a run.
FUZZ_SECONDS ?= 60
CARD_FUZZ_SRCS := card/card_fuzz.c $(filter-out $(NOT_LIB) card/card_link.c,$(wildcard common/*.c image/*.c apdu/*.c card/*.c))
$(BUILD)/fuzz/card_fuzz: $(CARD_FUZZ_SRCS)
	@mkdir -p $(@D)
	clang -std=c11 -D_GNU_SOURCE -I. -g -O1 -fsanitize=fuzzer,address,undefined -o $@ $(CARD_FUZZ_SRCS) -lcrypto -lz

fuzz: fuzz-card
fuzz-card: $(BUILD)/fuzz/card_fuzz
	@mkdir -p $(BUILD)/fuzz/card-corpus
	@$< -max_total_time=$(FUZZ_SECONDS) -max_len=600 $(BUILD)/fuzz/card-corpus

# End-to-end test of the APDU layer through PC/SC (needs the programs; uses tests/e2e/lib.sh).
.PHONY: e2e-card
e2e: e2e-card
e2e-card: programs
	@BUILD=$(BUILD) tests/run-e2e.sh card/e2e/channels.sh
E2E_MODULE += card/e2e/channels.sh
