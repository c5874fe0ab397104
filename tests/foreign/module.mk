# tests/foreign: CAP files our converter did not make (docs/cap-format.md, "Files from other
# converters"). The teapot load file is test data (tests/foreign/README.md); recap.py, a second
# CAP writer, re-lays out packages our converter made the way other converters do, into
# $(BUILD)/tests/foreign/gen/NAME-VARIANT.{stream,cap}; the tests install and run every one.
FOREIGN_PKGS := hello wallet points-server points-client vmconform
FOREIGN_CAPS := $(addprefix $(BUILD)/applets/,$(addsuffix .cap,$(FOREIGN_PKGS)))
FOREIGN_GEN  := $(BUILD)/tests/foreign/gen.stamp

$(FOREIGN_GEN): tests/foreign/recap.py $(FOREIGN_CAPS)
	@rm -rf $(BUILD)/tests/foreign/gen && mkdir -p $(BUILD)/tests/foreign/gen
	$(PYTHON3) tests/foreign/recap.py $(BUILD)/tests/foreign/gen $(foreach p,$(FOREIGN_PKGS),$(p)=$(BUILD)/applets/$(p).cap)
	@touch $@

$(BUILD)/test/tests/foreign/foreign_layout_test: $(FOREIGN_GEN) $(FOREIGN_CAPS) $(BUILD)/tests/vm/expected/conform.txt
$(BUILD)/test/tests/foreign/foreign_version_test: $(FOREIGN_GEN)

# make e2e: the foreign files through pcscd (tests/foreign/e2e-foreign.sh, tests/e2e/lib.sh's contract).
# The generated layouts need the applets (a JDK); if they do not build, the script says so and skips
# that part, as e2e-sample-applets does for the samples.
.PHONY: e2e-foreign
e2e: e2e-foreign
e2e-foreign: programs
	@$(MAKE) --no-print-directory $(FOREIGN_GEN) >$(BUILD)/e2e-foreign-gen.log 2>&1 || \
	  { rm -rf $(BUILD)/tests/foreign/gen; echo "e2e: recap.py layouts not made (see $(BUILD)/e2e-foreign-gen.log)"; }
	@BUILD=$(BUILD) tests/run-e2e.sh tests/foreign/e2e-foreign.sh
E2E_MODULE += tests/foreign/e2e-foreign.sh
e2e-san: $(FOREIGN_GEN)
