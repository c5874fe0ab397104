# tests/crash: crash tests of the VM's persistence (the ledger applet, applets/tests/crash/ledger).
#   make unit       vm_crash_test with 200 power losses (a few seconds)
#   make crash      the same with CRASH_ROUNDS (default 3000) power losses
#   make e2e        crash_e2e.sh: `cardlet card` SIGKILLed under a stream of pyscard APDUs
CRASH_CAPS := $(BUILD)/applets/ledger.cap $(BUILD)/applets/hello.cap
$(BUILD)/test/tests/crash/vm_crash_test: $(CRASH_CAPS)

CRASH_ROUNDS ?= 3000
.PHONY: crash crash-vm crash-sensitive
crash: crash-vm crash-sensitive
crash-vm: $(BUILD)/test/tests/crash/vm_crash_test
	CRASH_ROUNDS=$(CRASH_ROUNDS) CK_DEFAULT_TIMEOUT=3600 $<

# Power loss while integrity-sensitive arrays are written (the vmheap applet).
$(BUILD)/test/tests/crash/vm_sensitive_crash_test: $(BUILD)/applets/vmheap.cap
CRASH_SENSITIVE_ROUNDS ?= 600
crash-sensitive: $(BUILD)/test/tests/crash/vm_sensitive_crash_test
	CRASH_SENSITIVE_ROUNDS=$(CRASH_SENSITIVE_ROUNDS) CK_DEFAULT_TIMEOUT=3600 $<

# make e2e: the power-loss test through pcscd, the driver and `cardlet card` (needs the ledger CAP;
# built here without failing the e2e run when no JDK is there: the script then skips).
.PHONY: e2e-crash
e2e: e2e-crash
e2e-crash: programs
	@$(MAKE) --no-print-directory $(BUILD)/applets/ledger.cap >$(BUILD)/e2e-crash-applet.log 2>&1 || \
	  echo "e2e-crash: the ledger applet did not build (see $(BUILD)/e2e-crash-applet.log)"
	@BUILD=$(BUILD) tests/run-e2e.sh tests/crash/crash_e2e.sh
E2E_MODULE += tests/crash/crash_e2e.sh
E2E_SAN_NEEDS += $(E2E_SAN_BUILD)/applets/ledger.cap
