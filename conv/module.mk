# conv/: Java test inputs of the converter's unit tests.
# conv/tests/java/ok and okint are one Java Card package each (t.ok: no int; t.okint: `int yes`),
# compiled against the API stubs only; lib (t.lib) is a library that cli (t.cli) links against. conv/tests/java/rej/*.java are compiled one by one (each
# is a package of its own for the converter) with the JDK platform classes, so that Java the stubs
# do not offer (String, Thread, long...) compiles and the converter's refusal can be tested.
# The samples (applets/samples) are compiled here too, for the round-trip tests.
# Without javac the stamp is still made and the tests skip (exit 77) with a reason.

CONV_TJ_DIR   := conv/tests/java
CONV_TJ_OUT   := $(BUILD)/conv-tests
CONV_TJ_SRCS  := $(sort $(shell find $(CONV_TJ_DIR) -name '*.java' 2>/dev/null))
CONV_TJ_STAMP := $(CONV_TJ_OUT)/classes.stamp

CONV_SAMPLE_SRCS := $(sort $(shell find applets/samples -name '*.java' 2>/dev/null))

$(CONV_TJ_STAMP): $(CONV_TJ_SRCS) $(CONV_SAMPLE_SRCS) $(API_STAMP) conv/module.mk
	@rm -rf $(CONV_TJ_OUT) && mkdir -p $(CONV_TJ_OUT)
	@if command -v $(JAVAC) >/dev/null 2>&1; then \
	  set -e; \
	  for p in ok okint app sem big; do \
	    mkdir -p $(CONV_TJ_OUT)/$$p; \
	    $(JAVAC) $(JC_JAVAC_FLAGS) -bootclasspath $(API_CLASSES) -d $(CONV_TJ_OUT)/$$p \
	      $$(find $(CONV_TJ_DIR)/$$p -name '*.java' | sort); \
	  done; \
	  mkdir -p $(CONV_TJ_OUT)/lib $(CONV_TJ_OUT)/cli; \
	  $(JAVAC) $(JC_JAVAC_FLAGS) -bootclasspath $(API_CLASSES) -d $(CONV_TJ_OUT)/lib \
	    $$(find $(CONV_TJ_DIR)/lib -name '*.java' | sort); \
	  $(JAVAC) $(JC_JAVAC_FLAGS) -bootclasspath $(API_CLASSES) -classpath $(CONV_TJ_OUT)/lib -d $(CONV_TJ_OUT)/cli \
	    $$(find $(CONV_TJ_DIR)/cli -name '*.java' | sort); \
	  for p in hello wallet points-server; do \
	    mkdir -p $(CONV_TJ_OUT)/samples/$$p; \
	    $(JAVAC) $(JC_JAVAC_FLAGS) -bootclasspath $(API_CLASSES) -d $(CONV_TJ_OUT)/samples/$$p \
	      $$(find applets/samples/$$p/src -name '*.java' | sort); \
	  done; \
	  mkdir -p $(CONV_TJ_OUT)/samples/points-client; \
	  $(JAVAC) $(JC_JAVAC_FLAGS) -bootclasspath $(API_CLASSES) -classpath $(CONV_TJ_OUT)/samples/points-server \
	    -d $(CONV_TJ_OUT)/samples/points-client $$(find applets/samples/points-client/src -name '*.java' | sort); \
	  for f in $(CONV_TJ_DIR)/rej/*.java; do \
	    n=$$(basename $$f .java); mkdir -p $(CONV_TJ_OUT)/rej/$$n; \
	    $(JAVAC) -source 8 -target 8 -g -Xlint:-options -nowarn -classpath $(API_CLASSES) \
	      -d $(CONV_TJ_OUT)/rej/$$n $$f; \
	  done; \
	  echo "javac: converter test inputs in $(CONV_TJ_OUT)"; \
	else echo "javac missing: converter tests will skip"; fi
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
