# tests/api: every API method the card offers, called from an applet with its result checked
# (docs/testing-api.md). api_calls_test installs the api2 and apilib test packages
# (applets/tests/api2) and runs `cardlet image delete` (AppletEvent.uninstall through the tool).
$(BUILD)/test/tests/api/api_calls_test: $(BUILD)/applets/api2.cap $(BUILD)/applets/apilib.cap $(BUILD)/bin/cardlet
