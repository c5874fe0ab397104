# tests/hostile: hostile CAP files against the VM (vm_hostile_test) and a libFuzzer target for the
# loader, linker, verifier and a few commands (vm_load_fuzz). The hostile applet and the hello
# sample are the starting points; applets/module.mk converts them.
HOSTILE_CAPS := $(addprefix $(BUILD)/applets/,hostile.cap hello.cap points-server.cap points-client.cap vmconform.cap)
$(BUILD)/test/tests/hostile/vm_hostile_test $(BUILD)/test/tests/hostile/vm_hostile_run_test: $(HOSTILE_CAPS)

# make fuzz: the libFuzzer target, built with clang straight from the sources (like vm/ and cap/
# do). vm/module.mk already owns fuzz-vm / fuzz-run-vm (install only); this one is fuzz-hostile /
# fuzz-run-hostile (install, then select and commands). make fuzz-run-hostile FUZZ_SECONDS=60
HOSTILE_FUZZ      := $(BUILD)/fuzz/hostile/vm_load_fuzz
HOSTILE_FUZZ_SRCS := tests/hostile/vm_load_fuzz.c \
  $(filter-out $(NOT_LIB),$(wildcard common/*.c image/*.c apdu/*.c card/*.c cap/*.c vm/*.c))
HOSTILE_SEED_CAPS := $(addprefix $(BUILD)/applets/,hostile.cap hello.cap wallet.cap ledger.cap points-server.cap)
.PHONY: fuzz-hostile fuzz-run-hostile
$(HOSTILE_FUZZ): $(HOSTILE_FUZZ_SRCS)
	@mkdir -p $(@D)
	clang -std=c11 -D_GNU_SOURCE -I. $(PCSC_CFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=undefined -o $@ $(HOSTILE_FUZZ_SRCS) -lcrypto -lz -lpthread -lm
fuzz: fuzz-hostile
fuzz-hostile: $(HOSTILE_FUZZ)
fuzz-run-hostile: $(HOSTILE_FUZZ) $(HOSTILE_SEED_CAPS)
	@rm -rf $(BUILD)/fuzz/hostile/seeds && mkdir -p $(BUILD)/fuzz/hostile/corpus
	@$(PYTHON3) tests/hostile/mkseed.py $(BUILD)/fuzz/hostile/seeds $(HOSTILE_SEED_CAPS)
	@cp $(HOSTILE_SEED_CAPS) $(BUILD)/fuzz/hostile/seeds/
	@cd $(BUILD)/fuzz/hostile && ./vm_load_fuzz -max_total_time=$${FUZZ_SECONDS:-60} -max_len=16384 \
	  -timeout=20 corpus seeds

# vm_heap_damage_test: a damaged VM heap in the card image (hello and the ledger installed).
$(BUILD)/test/tests/hostile/vm_heap_damage_test: $(BUILD)/applets/hello.cap $(BUILD)/applets/ledger.cap
