# image/: the card image. Extra targets: the benchmark (make bench) and the long crash campaign (make crash).
.PHONY: bench-image crash crash-image

# The image needs only common/: link just those two libraries, so a module being edited elsewhere
# cannot stop the image's bench or crash campaign from building.
IMG_LIBS := $(BUILD)/lib/libcl_image.a $(BUILD)/lib/libcl_common.a

$(BUILD)/bench/img_bench: $(BUILD)/obj/image/img_bench.o $(IMG_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(IMG_LIBS) $(LIBS)

$(BUILD)/image-crash/%: $(BUILD)/obj/image/%.o $(IMG_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(IMG_LIBS) $(CHECK_LIBS) $(LIBS)

bench: bench-image
bench-image: $(BUILD)/bench/img_bench
	@$(BUILD)/bench/img_bench

# Thousands of SIGKILLs at random moments, each followed by recovery and a full-state check:
# on tmpfs (many steps per kill), then on the build tree's disk (real fsyncs, fewer steps per kill),
# then the power-loss simulation on that disk as well. The cut tests run on tmpfs only: they are
# logical (the filesystem does not change them) and their thousands of opens would wait on fsyncs.
IMG_CRASH_ROUNDS ?= 5000
crash: crash-image
IMG_CRASH := $(BUILD)/image-crash
crash-image: $(IMG_CRASH)/img_crash_test $(IMG_CRASH)/img_cut_test $(IMG_CRASH)/img_power_test
	@IMG_CRASH_ROUNDS=$(IMG_CRASH_ROUNDS) $(IMG_CRASH)/img_crash_test
	@$(IMG_CRASH)/img_cut_test
	@mkdir -p $(BUILD)/crash-tmp
	@IMG_TEST_DIR=$(BUILD)/crash-tmp IMG_CRASH_ROUNDS=$$(( $(IMG_CRASH_ROUNDS) / 5 )) IMG_CRASH_MAX_DELAY_US=30000 \
	  $(IMG_CRASH)/img_crash_test
	@IMG_TEST_DIR=$(BUILD)/crash-tmp $(IMG_CRASH)/img_power_test

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

# Mutation check: each deliberate bug (a missing fsync, a wrong order, a missing check) must make
# a named image test fail. Not part of `make check` (it rebuilds once per mutant).
.PHONY: mutants-image
mutants-image:
	@image/img_mutants.sh
