# pcsc-driver/: the IFD handler. Extra target: the transport benchmark (make bench), in-process, no pcscd.
.PHONY: bench-driver

$(BUILD)/bench/ifd_bench: $(BUILD)/obj/pcsc-driver/ifd_bench.o $(DRIVER_OBJS) $(CL_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(DRIVER_OBJS) $(LINK_CL) $(PCSC_LIBS) $(LIBS)

bench: bench-driver
bench-driver: $(BUILD)/bench/ifd_bench
	@$(BUILD)/bench/ifd_bench

# Fuzzing the driver against a hostile card (libFuzzer, clang), built from the sources with the
# fuzzer's instrumentation (as cap/ does):
#   make fuzz                                  builds $(BUILD)/fuzz/ifd_reply_fuzz
#   make fuzz-run-driver FUZZ_SECONDS=60       runs it, corpus in $(BUILD)/fuzz/ifd-corpus
IFD_FUZZ_CC   ?= clang
IFD_FUZZ_SRCS := pcsc-driver/ifd_reply_fuzz.c $(DRIVER_SRCS) $(filter-out $(NOT_LIB),$(wildcard common/*.c))
IFD_FUZZ_BIN  := $(BUILD)/fuzz/ifd_reply_fuzz

.PHONY: fuzz-driver fuzz-run-driver
fuzz: fuzz-driver
fuzz-driver: $(IFD_FUZZ_BIN)

$(IFD_FUZZ_BIN): $(IFD_FUZZ_SRCS) $(wildcard pcsc-driver/*.h common/*.h)
	@mkdir -p $(@D)
	$(IFD_FUZZ_CC) -std=c11 -g -O1 -D_GNU_SOURCE -I. $(PCSC_CFLAGS) -Wall -Wextra -Werror -pthread \
	  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	  -o $@ $(IFD_FUZZ_SRCS) -lcrypto

fuzz-run-driver: $(IFD_FUZZ_BIN)
	@mkdir -p $(BUILD)/fuzz/ifd-corpus
	$(IFD_FUZZ_BIN) -max_total_time=$(or $(FUZZ_SECONDS),60) -max_len=4096 -timeout=20 -print_final_stats=1 \
	  $(BUILD)/fuzz/ifd-corpus pcsc-driver/fuzz-corpus
