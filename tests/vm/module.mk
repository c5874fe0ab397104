# tests/vm: conformance of the converter + VM (docs/testing-vm.md).
#
# The differential test compiles the pure-Java computations of applets/tests/vm/vmconform twice:
# for the card (applets/module.mk converts them to $(BUILD)/applets/vmconform.cap) and for the
# host JVM here, with the harness tests/vm/java; the harness's output is the expected answer.

VMT_JAVA_DIR   := tests/vm/java
VMT_OUT        := $(BUILD)/tests/vm
VMT_CONFORM_SRCS := $(filter-out %/Conform.java %/Conform16.java,$(shell find applets/tests/vm/vmconform/src \
                      applets/tests/vm/vmconform16/src -name '*.java' 2>/dev/null | sort))
VMT_HARNESS_SRCS := $(shell find $(VMT_JAVA_DIR) -name '*.java' 2>/dev/null | sort)
VMT_JAVA       ?= java

# Host classes: plain javac against the JDK (the card applet class is left out, it needs the API).
$(VMT_OUT)/host.stamp: $(VMT_CONFORM_SRCS) $(VMT_HARNESS_SRCS)
	@rm -rf $(VMT_OUT)/host-classes && mkdir -p $(VMT_OUT)/host-classes
	$(JAVAC) -encoding UTF-8 -nowarn -d $(VMT_OUT)/host-classes $(VMT_CONFORM_SRCS) $(VMT_HARNESS_SRCS)
	@touch $@

$(VMT_OUT)/expected/conform.txt: $(VMT_OUT)/host.stamp
	@mkdir -p $(@D)
	$(VMT_JAVA) -cp $(VMT_OUT)/host-classes com.cardlet.tests.vmconform.Harness >$@.tmp
	@mv $@.tmp $@

$(VMT_OUT)/expected/conform16.txt: $(VMT_OUT)/host.stamp
	@mkdir -p $(@D)
	$(VMT_JAVA) -cp $(VMT_OUT)/host-classes com.cardlet.tests.vmconform.Harness short16 >$@.tmp
	@mv $@.tmp $@

$(BUILD)/test/tests/vm/vm_conform_test: $(VMT_OUT)/expected/conform.txt $(VMT_OUT)/expected/conform16.txt \
                                        $(BUILD)/applets/vmconform.cap $(BUILD)/applets/vmconform16.cap
# vm_coverage_test runs these two programs traced (CARDLET_VM_TRACE=1) and counts what they execute.
$(BUILD)/test/tests/vm/vm_coverage_test: $(BUILD)/test/tests/vm/vm_conform_test $(BUILD)/test/tests/vm/vm_handasm_test

# make bench: the VM through the card (bytecodes/s on the vmbench loop, the same loop in lua5.4,
# one applet APDU). Named bench-vm-conform: vm/module.mk already has bench-vm.
.PHONY: bench-vm-conform
$(BUILD)/bench/vmt_bench: $(BUILD)/obj/tests/vm/vmt_bench.o $(CL_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(LINK_CL) $(PCSC_LIBS) $(LIBS)

bench: bench-vm-conform
bench-vm-conform: $(BUILD)/bench/vmt_bench $(BUILD)/applets/vmbench.cap
	@$(BUILD)/bench/vmt_bench $(BUILD)
$(BUILD)/test/tests/vm/vm_api_test: $(BUILD)/applets/vmapi.cap
$(BUILD)/test/tests/vm/vm_firewall_test: $(BUILD)/applets/vmfw-lib.cap $(BUILD)/applets/vmfw-server.cap $(BUILD)/applets/vmfw-client.cap
$(BUILD)/test/tests/vm/vm_heapapi_test: $(BUILD)/applets/vmheap.cap

# make bench: stores into plain and integrity-sensitive arrays (tests/vm/vmt_heap_bench.c).
.PHONY: bench-vm-heap
$(BUILD)/bench/vmt_heap_bench: $(BUILD)/obj/tests/vm/vmt_heap_bench.o $(CL_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(LINK_CL) $(LIBS)

bench: bench-vm-heap
bench-vm-heap: $(BUILD)/bench/vmt_heap_bench
	@$(BUILD)/bench/vmt_heap_bench
