# End-to-end tests: tests/e2e/NN-name.sh, each drives the real stack (private pcscd + driver + card + tools).
# They need root (or unprivileged user namespaces) for the private mount namespace of `cardlet with`.
E2E_DEPS ?=
# 10-applet-samples installs the sample applets: build them when a JDK is there (the test skips without them).
E2E_DEPS += $(if $(shell command -v $(or $(JAVAC),javac) 2>/dev/null),applets)
e2e: programs $(E2E_DEPS)
	@BUILD=$(BUILD) tests/run-e2e.sh $(E2E)

# PC/SC benchmarks (tests/bench): a client measuring round trips and card events, and a do-nothing IFD handler
# loaded into pcscd for the floor figure. tests/bench/run-pcsc-bench.sh runs them inside `cardlet with`.
PCSC_BENCH := $(BUILD)/bench/pcsc_bench
IFD_NULL   := $(BUILD)/bench/libifdnull.so

$(PCSC_BENCH): $(BUILD)/obj/tests/bench/pcsc_bench.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(PCSC_LIBS)

$(IFD_NULL): $(BUILD)/obj/tests/bench/ifd_null.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -shared -Wl,-z,defs -o $@ $^

.PHONY: bench-pcsc
bench: bench-pcsc
bench-pcsc: programs $(PCSC_BENCH) $(IFD_NULL)
	@BUILD=$(BUILD) tests/bench/run-pcsc-bench.sh
