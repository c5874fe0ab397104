# vm/: the card-level VM tests install the sample applets, so the converter builds them first.
VM_TEST_CAPS := $(addprefix $(BUILD)/applets/,hello.cap wallet.cap points-server.cap points-client.cap)
$(BUILD)/test/vm/vm_card_test: $(VM_TEST_CAPS)
