# pcsc-driver/: the IFD handler. Extra target: the transport benchmark (make bench), in-process, no pcscd.
.PHONY: bench-driver

$(BUILD)/bench/ifd_bench: $(BUILD)/obj/pcsc-driver/ifd_bench.o $(DRIVER_OBJS) $(CL_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(DRIVER_OBJS) $(LINK_CL) $(PCSC_LIBS) $(LIBS)

bench: bench-driver
bench-driver: $(BUILD)/bench/ifd_bench
	@$(BUILD)/bench/ifd_bench
