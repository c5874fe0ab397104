# tests/hostile: hostile CAP files against the VM (vm_hostile_test) and a libFuzzer target for the
# loader, linker, verifier and a few commands (vm_load_fuzz). The hostile applet and the hello
# sample are the starting points; applets/module.mk converts them.
HOSTILE_CAPS := $(BUILD)/applets/hostile.cap $(BUILD)/applets/hello.cap
$(BUILD)/test/tests/hostile/vm_hostile_test: $(HOSTILE_CAPS)
