# conv/: Java test inputs of the converter's unit tests, compiled by conv/tests/build-java.sh (see
# there: packages ok, okint, app, sem, big, lib and cli under conv/tests/java, the samples, and each
# conv/tests/java/rej/*.java alone). A javac failure makes the conv tests fail, not `make unit` stop;
# without javac they skip.

CONV_TJ_DIR   := conv/tests/java
CONV_TJ_OUT   := $(BUILD)/conv-tests
CONV_TJ_SRCS  := $(sort $(shell find $(CONV_TJ_DIR) -name '*.java' 2>/dev/null))
CONV_TJ_STAMP := $(CONV_TJ_OUT)/classes.stamp

CONV_SAMPLE_SRCS := $(sort $(shell find applets/samples -name '*.java' 2>/dev/null))

# the directories too: removing a source must rebuild (their mtime changes, the file list not)
$(CONV_TJ_STAMP): $(CONV_TJ_SRCS) $(CONV_SAMPLE_SRCS) $(sort $(patsubst %/,%,$(dir $(CONV_TJ_SRCS)))) $(API_STAMP) \
                  conv/module.mk conv/tests/build-java.sh
	@JAVAC="$(JAVAC)" JC_JAVAC_FLAGS="$(JC_JAVAC_FLAGS)" API_CLASSES="$(API_CLASSES)" OUT="$(CONV_TJ_OUT)" \
	  conv/tests/build-java.sh
	@touch $@

# Every conv test program may read the compiled inputs.
$(patsubst %.c,$(BUILD)/test/%,$(wildcard conv/*_test.c)): $(CONV_TJ_STAMP)

# Speed figures (make bench): converting the wallet sample, parsing a class file.
CONV_BENCH_BIN := $(BUILD)/bench/conv_bench
.PHONY: bench-conv
bench: bench-conv
bench-conv: $(CONV_BENCH_BIN) $(BUILD)/applets/wallet.cap
	@$(CONV_BENCH_BIN) $(BUILD)
$(CONV_BENCH_BIN): $(BUILD)/obj/conv/conv_bench.o $(CL_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(LINK_CL) $(PCSC_LIBS) $(LIBS)

# libFuzzer target (make fuzz; make fuzz-run-conv FUZZ_SECONDS=60): class files, export files,
# token lists. Built from the sources with fuzzer instrumentation, like cap/'s target.
CONV_FUZZ_CC   ?= clang
CONV_FUZZ_SRCS := conv/conv_classfile_fuzz.c conv/conv_classfile.c conv/conv_export.c \
                  $(filter-out $(NOT_LIB),$(wildcard common/*.c))
CONV_FUZZ_BIN  := $(BUILD)/fuzz/conv_classfile_fuzz
.PHONY: fuzz-conv fuzz-run-conv
fuzz: fuzz-conv
fuzz-conv: $(CONV_FUZZ_BIN)
$(CONV_FUZZ_BIN): $(CONV_FUZZ_SRCS) $(wildcard conv/*.h common/*.h)
	@mkdir -p $(@D)
	$(CONV_FUZZ_CC) -std=c11 -g -O1 -D_GNU_SOURCE -I. -Wall -Wextra -Werror \
	  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	  -o $@ $(CONV_FUZZ_SRCS) -lcrypto
fuzz-run-conv: $(CONV_FUZZ_BIN)
	@mkdir -p $(BUILD)/fuzz/conv-corpus
	$(CONV_FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -max_len=20000 -timeout=10 $(BUILD)/fuzz/conv-corpus
