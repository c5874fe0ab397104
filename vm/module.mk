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
