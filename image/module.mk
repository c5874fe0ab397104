# image/: the card image. Extra targets: the benchmark (make bench) and the long crash campaign (make crash).
.PHONY: bench-image crash crash-image

$(BUILD)/bench/img_bench: $(BUILD)/obj/image/img_bench.o $(CL_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(LINK_CL) $(LIBS)

bench: bench-image
bench-image: $(BUILD)/bench/img_bench
	@$(BUILD)/bench/img_bench

# Thousands of SIGKILLs at random moments, each followed by recovery and a full-state check.
IMG_CRASH_ROUNDS ?= 5000
crash: crash-image
crash-image: $(BUILD)/test/image/img_crash_test
	@IMG_CRASH_ROUNDS=$(IMG_CRASH_ROUNDS) CK_DEFAULT_TIMEOUT=3600 $<

# libFuzzer target for the header and log parsers (built from source with clang, like card/'s).
FUZZ_SECONDS ?= 60
IMG_FUZZ_SRCS := image/img_fuzz.c $(filter-out $(NOT_LIB),$(wildcard common/*.c image/*.c))
$(BUILD)/fuzz/img_fuzz: $(IMG_FUZZ_SRCS)
	@mkdir -p $(@D)
	clang -std=c11 -D_GNU_SOURCE -I. -g -O1 -fsanitize=fuzzer,address,undefined -o $@ $(IMG_FUZZ_SRCS) -lcrypto -lz

.PHONY: fuzz-image
fuzz: fuzz-image
fuzz-image: $(BUILD)/fuzz/img_fuzz
	@mkdir -p $(BUILD)/fuzz/img-corpus
	@$< -max_total_time=$(FUZZ_SECONDS) -max_len=4096 $(BUILD)/fuzz/img-corpus
