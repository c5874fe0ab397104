# cap/: fuzz target for the CAP parser and the zip reader (libFuzzer, clang).
#   make fuzz                              builds $(BUILD)/fuzz/cap_parse_fuzz (with the other fuzz targets)
#   make fuzz-run-cap FUZZ_SECONDS=60      runs it; new inputs go to $(BUILD)/fuzz/cap-corpus,
#                                          cap/fuzz-corpus is the (read-only) seed corpus
# The target is built from the sources directly, not from the libraries, because it needs
# -fsanitize=fuzzer instrumentation on every file it exercises.

CAP_FUZZ_CC   ?= clang
FUZZ_SECONDS  ?= 60
CAP_FUZZ_SRCS := cap/cap_parse_fuzz.c $(filter-out $(NOT_LIB),$(wildcard cap/*.c common/*.c))
CAP_FUZZ_BIN  := $(BUILD)/fuzz/cap_parse_fuzz

.PHONY: fuzz-cap fuzz-run-cap
fuzz: fuzz-cap
fuzz-cap: $(CAP_FUZZ_BIN)

$(CAP_FUZZ_BIN): $(CAP_FUZZ_SRCS) $(wildcard cap/*.h common/*.h)
	@mkdir -p $(@D)
	$(CAP_FUZZ_CC) -std=c11 -g -O1 -D_GNU_SOURCE -I. -Wall -Wextra -Werror \
	  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	  -o $@ $(CAP_FUZZ_SRCS) -lz -lcrypto

# Seeds: the small hand-made ones in cap/fuzz-corpus, plus the CAP files this build converted (whole JARs:
# build outputs, so they are copied in at run time rather than kept in git).
fuzz-run-cap: $(CAP_FUZZ_BIN)
	@mkdir -p $(BUILD)/fuzz/cap-corpus $(BUILD)/fuzz/cap-seeds
	@for f in $(wildcard $(BUILD)/applets/*.cap); do cp "$$f" $(BUILD)/fuzz/cap-seeds/; done
	$(CAP_FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -max_len=70000 -timeout=10 -print_final_stats=1 \
	  $(BUILD)/fuzz/cap-corpus cap/fuzz-corpus $(BUILD)/fuzz/cap-seeds

# Speed figures (make bench): parse time of the sample CAP, instruction walk rate.
CAP_BENCH_BIN := $(BUILD)/bench/cap_parse_bench
.PHONY: bench-cap
bench: bench-cap
bench-cap: $(CAP_BENCH_BIN)
	@$(CAP_BENCH_BIN)
$(CAP_BENCH_BIN): $(BUILD)/obj/cap/cap_parse_bench.o $(CL_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(LINK_CL) $(LIBS)
