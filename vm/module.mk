# vm/: the card-level VM tests install the sample applets, so the converter builds them first.
VM_TEST_CAPS := $(addprefix $(BUILD)/applets/,hello.cap wallet.cap points-server.cap points-client.cap)
$(BUILD)/test/vm/vm_card_test: $(VM_TEST_CAPS)

# make bench: interpreter speed, one APDU through an applet, installing a package.
.PHONY: bench-vm
$(BUILD)/bench/vm_bench: $(BUILD)/obj/vm/vm_bench.o $(CL_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(LINK_CL) $(PCSC_LIBS) $(LIBS)

bench: bench-vm
bench-vm: $(BUILD)/bench/vm_bench $(BUILD)/applets/hello.cap
	@$(BUILD)/bench/vm_bench $(BUILD)/applets/hello.cap
$(BUILD)/test/vm/vm_hostile_test: $(BUILD)/applets/hello.cap

# make fuzz: libFuzzer target for the loader/linker/verifier (clang, like cap/'s), seeded with
# cap/fuzz-corpus. make fuzz-run-vm FUZZ_SECONDS=60 runs it.
VM_FUZZ_SRCS := vm/vm_load_fuzz.c $(filter-out $(NOT_LIB),$(wildcard common/*.c image/*.c apdu/*.c card/*.c cap/*.c vm/*.c))
.PHONY: fuzz-vm fuzz-run-vm
$(BUILD)/fuzz/vm_load_fuzz: $(VM_FUZZ_SRCS)
	@mkdir -p $(@D)
	clang -std=c11 -D_GNU_SOURCE -I. $(PCSC_CFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined -o $@ $(VM_FUZZ_SRCS) -lcrypto -lz -lpthread
fuzz: fuzz-vm
fuzz-vm: $(BUILD)/fuzz/vm_load_fuzz
fuzz-run-vm: $(BUILD)/fuzz/vm_load_fuzz
	@mkdir -p $(BUILD)/fuzz/vm-corpus
	@$< -max_total_time=$${FUZZ_SECONDS:-60} -max_len=65536 $(BUILD)/fuzz/vm-corpus cap/fuzz-corpus

# vm/testapplet: a Java Card package that exercises the VM with real javac + converter output
# (int arithmetic, static arrays, switches, inheritance, interfaces, exceptions, transactions,
# transient arrays, recursion), driven by vm/vm_java_test.c.
VM_TA_DIR  := vm/testapplet
VM_TA_SRCS := $(wildcard $(VM_TA_DIR)/src/com/cardlet/vmtest/*.java)
VM_TA_OUT  := $(BUILD)/vmtest
$(VM_TA_OUT)/classes.stamp: $(VM_TA_SRCS) $(API_STAMP)
	@rm -rf $(VM_TA_OUT)/classes && mkdir -p $(VM_TA_OUT)/classes
	$(JAVAC) $(JC_JAVAC_FLAGS) -bootclasspath $(API_CLASSES) -d $(VM_TA_OUT)/classes $(VM_TA_SRCS)
	@touch $@
$(BUILD)/applets/vmtest.cap: $(VM_TA_OUT)/classes.stamp $(VM_TA_DIR)/cap.conf $(CARDLET_BIN) $(API_EXP_STAMP)
	@mkdir -p $(@D) $(VM_TA_OUT)/exp
	$(CARDLET_BIN) cap build --conf $(VM_TA_DIR)/cap.conf --classes $(VM_TA_OUT)/classes --exportpath $(API_EXPORTS) \
	  --out $@ --exp-out $(VM_TA_OUT)/exp/vmtest.exp || { rm -f $@; exit 1; }
$(BUILD)/test/vm/vm_java_test: $(BUILD)/applets/vmtest.cap
