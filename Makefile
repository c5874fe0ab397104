# cardlet: top-level build.
#
# Library modules are directories; every foo/*.c that is not a test (*_test.c),
# a fuzz target (*_fuzz.c) or a benchmark (*_bench.c) goes into build/lib/libcl_foo.a.
# A new file needs no Makefile change. Special rules (Java, applets, e2e tests) live
# in */module.mk fragments owned by their directory.
#
#   make            programs into build/bin, the reader driver into build/lib
#   make check      installs missing Debian packages, then every test (unit, sanitizers, end-to-end)
#   make demo       installs missing Debian packages, then the guided demo
#   make bench      figures, one per line as "name: value unit"
#   make fuzz       libFuzzer targets (clang)
#   make install    PREFIX=/usr/local DESTDIR=

.DEFAULT_GOAL := all
SHELL := /bin/bash

PREFIX  ?= /usr/local
DESTDIR ?=
SAN     ?=

ifeq ($(SAN),1)
BUILD    ?= build/san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT      := -O1 -g
else
BUILD    ?= build
SANFLAGS :=
OPT      := -O2 -g
endif

PCSC_CFLAGS := $(shell pkg-config --cflags libpcsclite 2>/dev/null || echo -I/usr/include/PCSC -pthread)
PCSC_LIBS   := $(shell pkg-config --libs libpcsclite 2>/dev/null || echo -lpcsclite)
CHECK_LIBS  := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck)

CFLAGS   ?= $(OPT)
CFLAGS   += -std=c11 -Wall -Wextra -Werror -fPIC -pthread $(SANFLAGS)
CPPFLAGS += -D_GNU_SOURCE -I. $(PCSC_CFLAGS) -MMD -MP
LDFLAGS  += $(SANFLAGS) -pthread
LIBS     := -lcrypto -lz -ldl -lm

# Library modules; order does not matter (linked as a group).
MODULES := common image apdu card cap conv vm

NOT_LIB = %_test.c %_fuzz.c %_bench.c
define module_rules
$(1)_SRCS := $$(filter-out $$(NOT_LIB),$$(wildcard $(1)/*.c))
$(1)_OBJS := $$(patsubst %.c,$$(BUILD)/obj/%.o,$$($(1)_SRCS))
ifneq ($$($(1)_SRCS),)
CL_LIBS += $$(BUILD)/lib/libcl_$(1).a
$$(BUILD)/lib/libcl_$(1).a: $$($(1)_OBJS)
	@mkdir -p $$(@D)
	@rm -f $$@
	$$(AR) rcs $$@ $$^
endif
endef
$(foreach m,$(MODULES),$(eval $(call module_rules,$(m))))

LINK_CL = -Wl,--start-group $(CL_LIBS) -Wl,--end-group

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# The cardlet command: one binary, subcommands in cli/.
CLI_SRCS := $(filter-out $(NOT_LIB),$(wildcard cli/*.c))
CLI_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(CLI_SRCS))
$(BUILD)/bin/cardlet: $(CLI_OBJS) $(CL_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJS) $(LINK_CL) $(PCSC_LIBS) $(LIBS)

# The PC/SC reader driver loaded by pcscd.
DRIVER_SRCS := $(filter-out $(NOT_LIB),$(wildcard pcsc-driver/*.c))
DRIVER_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(DRIVER_SRCS))
DRIVER      := $(BUILD)/lib/libifdcardlet.so
$(DRIVER): $(DRIVER_OBJS) $(BUILD)/lib/libcl_common.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -shared -Wl,-z,defs -o $@ $(DRIVER_OBJS) $(BUILD)/lib/libcl_common.a -lcrypto -lpthread

# Unit tests (Check): every */*_test.c is one test program.
UNIT_SRCS  := $(wildcard $(addsuffix /*_test.c,$(MODULES) cli pcsc-driver) tests/*/*_test.c)
UNIT_TESTS := $(patsubst %.c,$(BUILD)/test/%,$(UNIT_SRCS))
$(BUILD)/test/pcsc-driver/%_test: $(BUILD)/obj/pcsc-driver/%_test.o $(DRIVER_OBJS) $(CL_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(DRIVER_OBJS) $(LINK_CL) $(CHECK_LIBS) $(PCSC_LIBS) $(LIBS)
$(BUILD)/test/%_test: $(BUILD)/obj/%_test.o $(CL_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(LINK_CL) $(CHECK_LIBS) $(PCSC_LIBS) $(LIBS)

PROGRAMS := $(BUILD)/bin/cardlet $(DRIVER)
# Keep test objects (make would delete them as intermediates and rebuild them every run).
.SECONDARY:
.PHONY: all deps check unit unit-san e2e demo bench fuzz install clean programs
all: programs
programs: $(PROGRAMS)

# Fragments with their own rules (Java toolchain, applets, end-to-end tests, bench).
-include $(sort $(wildcard */module.mk tests/*/module.mk))

deps:
	@tools/deps.sh

# Unit tests, plain build. Each program prints Check's summary line.
unit: programs $(UNIT_TESTS)
	@tools/run-unit.sh $(UNIT_TESTS)

# The sanitizer build lives in $(BUILD)/san, also when BUILD is given on the command line (a sub-make
# inherits command-line variables: without this it would put sanitizer objects into the plain tree).
SAN_BUILD = $(BUILD)/san
unit-san:
	@$(MAKE) --no-print-directory SAN=1 BUILD=$(SAN_BUILD) unit

# Sub-makes build on every core unless the caller chose -jN; tests themselves run one at a time.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
check: deps
	@$(MAKE) --no-print-directory -j$(JOBS) all $(CHECK_EXTRA)
	@$(MAKE) --no-print-directory check-api
	@$(MAKE) --no-print-directory -j$(JOBS) unit
	@$(MAKE) --no-print-directory -j$(JOBS) unit-san
	@$(MAKE) --no-print-directory e2e
	@$(MAKE) --no-print-directory e2e-san E2E_SAN_BUILD=$(SAN_BUILD)

demo: deps
	@$(MAKE) --no-print-directory -j$(JOBS) all $(DEMO_EXTRA)
	@tools/demo.sh

install: programs
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/cardlet $(DESTDIR)/etc/reader.conf.d \
	  $(DESTDIR)$(PREFIX)/share/cardlet
	install -d -m 0700 $(DESTDIR)/var/lib/cardlet
	install -m 0755 $(BUILD)/bin/cardlet $(DESTDIR)$(PREFIX)/bin/cardlet
	install -m 0644 $(DRIVER) $(DESTDIR)$(PREFIX)/lib/cardlet/libifdcardlet.so
	# The API token table: `cardlet cap dump` names API calls with it (PREFIX/bin/../share/cardlet).
	install -m 0644 applets/api/javacard-api.tokens $(DESTDIR)$(PREFIX)/share/cardlet/javacard-api.tokens
	sed -e 's|@LIBPATH@|$(PREFIX)/lib/cardlet/libifdcardlet.so|' pcsc-driver/reader.conf.in \
	  > $(DESTDIR)/etc/reader.conf.d/cardlet
	chmod 0644 $(DESTDIR)/etc/reader.conf.d/cardlet

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
