# image/: the card image. Extra targets: the benchmark (make bench) and the long crash campaign (make crash).
.PHONY: bench-image crash crash-image

$(BUILD)/bench/img_bench: $(BUILD)/obj/image/img_bench.o $(CL_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(LINK_CL) $(LIBS)

bench: bench-image
bench-image: $(BUILD)/bench/img_bench
	@$(BUILD)/bench/img_bench

# Thousands of SIGKILLs at random moments, each followed by recovery and a full-state check.
IMG_CRASH_ROUNDS ?= 5000
crash: crash-image
crash-image: $(BUILD)/test/image/img_crash_test
	@IMG_CRASH_ROUNDS=$(IMG_CRASH_ROUNDS) CK_DEFAULT_TIMEOUT=3600 $<
