# tests/api: every API method the card offers, called from an applet with its result checked
# (docs/testing-api.md). api_calls_test installs the api2 and apilib test packages
# (applets/tests/api2) and runs `cardlet image delete` (AppletEvent.uninstall through the tool);
# api_coverage_test disassembles every test CAP (tests/api/api_coverage.py, python3) and needs them all.
$(BUILD)/test/tests/api/api_calls_test: $(BUILD)/applets/api2.cap $(BUILD)/applets/apilib.cap $(BUILD)/bin/cardlet
$(BUILD)/test/tests/api/api_coverage_test: $(foreach n,$(APPLET_NAMES),$(APPLET_OUT)/$(n).cap) $(BUILD)/bin/cardlet

# The same report by hand: which API methods no applet calls.
.PHONY: api-coverage
api-coverage: $(foreach n,$(APPLET_NAMES),$(APPLET_OUT)/$(n).cap) $(BUILD)/bin/cardlet
	$(PYTHON3) tests/api/api_coverage.py $(API_TOKENS) $(BUILD)/bin/cardlet --exempt tests/api/coverage-exempt.txt \
	  $(foreach n,$(APPLET_NAMES),$(APPLET_OUT)/$(n).cap)
