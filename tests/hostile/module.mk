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
# Seeds that install on an empty card (no package of ours imported) and fit -max_len; vmfw-lib,
# extlen, vmheap and vmapi carry Descriptor components with class-typed fields and parameters, so
# the verifier's class typing of references and the extended-length paths are reached.
HOSTILE_SEED_CAPS := $(addprefix $(BUILD)/applets/,hostile.cap hello.cap wallet.cap ledger.cap points-server.cap \
  vmfw-lib.cap extlen.cap vmheap.cap vmapi.cap multisel.cap crypto.cap)
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
	  -timeout=20 -print_final_stats=1 corpus seeds

# fuzz-run-hostile-lib: the same target on a card that already holds vmfw-lib, vmfw-server and
# points-server (HOSTILE_FUZZ_BASE), seeded with the packages that import them: linking against an
# installed package and the verifier's reading of its stored Descriptor get fuzzed too.
HOSTILE_LIB_BASE  := $(addprefix $(BUILD)/applets/,vmfw-lib.cap vmfw-server.cap points-server.cap)
HOSTILE_LIB_SEEDS := $(addprefix $(BUILD)/applets/,vmfw-client.cap points-client.cap hello.cap)
.PHONY: fuzz-run-hostile-lib
fuzz-run-hostile-lib: $(HOSTILE_FUZZ) $(HOSTILE_LIB_BASE) $(HOSTILE_LIB_SEEDS)
	@rm -rf $(BUILD)/fuzz/hostile/lib-seeds && mkdir -p $(BUILD)/fuzz/hostile/lib-corpus
	@$(PYTHON3) tests/hostile/mkseed.py $(BUILD)/fuzz/hostile/lib-seeds $(HOSTILE_LIB_SEEDS)
	@cd $(BUILD)/fuzz/hostile && HOSTILE_FUZZ_BASE="$(abspath $(HOSTILE_LIB_BASE))" ./vm_load_fuzz \
	  -max_total_time=$${FUZZ_SECONDS:-60} -max_len=16384 -timeout=20 -print_final_stats=1 lib-corpus lib-seeds

# vm_heap_damage_test: a damaged VM heap in the card image (hello and the ledger installed).
$(BUILD)/test/tests/hostile/vm_heap_damage_test: $(BUILD)/applets/hello.cap $(BUILD)/applets/ledger.cap

# vm_extlen_random_test: random short/extended command streams to the extlen test applets.
$(BUILD)/test/tests/hostile/vm_extlen_random_test: $(BUILD)/applets/extlen.cap
