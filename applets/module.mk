# applets/: the Java Card API stubs, the API export files and every Java Card package under
# applets/ (a directory with a cap.conf and its sources in src/).
#
#   make applets        every package: build/applets/<dir name>.cap (+ exports of each package)
#   make api-classes    the compiled API stubs only (build/api/classes, build/api/api.jar)
#   make api-exports    the API export files (needs `cardlet cap export`)
#   make api-stubs      regenerate applets/api/src from the tokens file (commit the result)
#   make check-api      the API stubs match the tokens file; forbidden Java is refused
#
# All outputs go under $(BUILD), so `make BUILD=build/x applets` keeps its own tree.

JAVAC       ?= javac
JAR         ?= jar
PYTHON3     ?= python3

# JDK 17 compiling for Java Card: class files of version 52 (the converter reads those),
# and the API stubs as the ONLY platform classes (-bootclasspath), so java.util, String
# and friends simply do not exist. -Xlint:-options silences the "source 8" notice;
# -g keeps line numbers so the converter can point at the offending source line.
JC_JAVAC_FLAGS := -source 8 -target 8 -g -encoding UTF-8 -Xlint:-options -implicit:none

API_DIR       := applets/api
API_TOKENS    := $(API_DIR)/javacard-api.tokens
API_GEN       := tools/gen-api-stubs.py
API_SRCS      := $(shell find $(API_DIR)/src -name '*.java' 2>/dev/null | sort)
API_CLASSES   := $(BUILD)/api/classes
API_STAMP     := $(BUILD)/api/classes.stamp
API_FRESH     := $(BUILD)/api/stubs-fresh.stamp
API_EXPORTS   := $(BUILD)/api/exports
API_EXP_STAMP := $(BUILD)/api/exports.stamp
CARDLET_BIN   := $(BUILD)/bin/cardlet

.PHONY: applets api-classes api-exports api-stubs check-api

# The committed stubs must be what the generator makes of the tokens file today: a stale
# stub would let applets compile against an API the card does not have.
$(API_FRESH): $(API_TOKENS) $(API_GEN) $(API_SRCS)
	@rm -rf $(BUILD)/api/gen && mkdir -p $(BUILD)/api/gen
	$(PYTHON3) $(API_GEN) $(API_TOKENS) $(BUILD)/api/gen
	@diff -r $(API_DIR)/src $(BUILD)/api/gen >$(BUILD)/api/gen.diff || { \
	  echo "applets/api/src is out of date with $(API_TOKENS) (see $(BUILD)/api/gen.diff);" \
	       "run 'make api-stubs' and commit" >&2; exit 1; }
	@touch $@

$(API_STAMP): $(API_SRCS) $(API_FRESH)
	@rm -rf $(API_CLASSES) && mkdir -p $(API_CLASSES)
	@echo "javac $(JC_JAVAC_FLAGS) -bootclasspath $(API_CLASSES) -d $(API_CLASSES) <$(words $(API_SRCS)) stub sources>"
	@$(JAVAC) $(JC_JAVAC_FLAGS) -bootclasspath $(API_CLASSES) -d $(API_CLASSES) $(API_SRCS)
	@touch $@

$(BUILD)/api/api.jar: $(API_STAMP)
	$(JAR) cf $@ -C $(API_CLASSES) .

api-classes: $(API_STAMP) $(BUILD)/api/api.jar

api-stubs:
	@rm -rf $(API_DIR)/src
	$(PYTHON3) $(API_GEN) $(API_TOKENS) $(API_DIR)/src

$(API_EXP_STAMP): $(API_TOKENS) $(CARDLET_BIN)
	@rm -rf $(API_EXPORTS) && mkdir -p $(API_EXPORTS)
	$(CARDLET_BIN) cap export --tokens $(API_TOKENS) --out $(API_EXPORTS) || { rm -rf $(API_EXPORTS); exit 1; }
	@touch $@

api-exports: $(API_EXP_STAMP)

# --- Java Card packages: every applets/**/cap.conf ---------------------------------------
# A package is named by its directory (applets/samples/wallet -> build/applets/wallet.cap).
# An optional "depends DIR" line in cap.conf (DIR relative to that cap.conf) names another
# package whose classes this one compiles against and whose export file it links with.
# The converter is given cap.conf without those lines (they are a build matter only).

APPLET_CONFS  := $(sort $(wildcard applets/*/cap.conf applets/*/*/cap.conf applets/*/*/*/cap.conf))
APPLET_NAMES  :=
APPLET_OUT    := $(BUILD)/applets
APPLET_EXPORTS := $(APPLET_OUT)/exports

APPLET_EMPTY :=
APPLET_SPACE := $(APPLET_EMPTY) $(APPLET_EMPTY)
conf_value = $(firstword $(shell sed -n 's/^[[:space:]]*$(2)[[:space:]]\{1,\}\([^[:space:]#]*\).*/\1/p' $(1)))
conf_values = $(shell sed -n 's/^[[:space:]]*$(2)[[:space:]]\{1,\}\([^[:space:]#]*\).*/\1/p' $(1))

# $(1) directory, $(2) name, $(3) Java package name, $(4) names of the packages it depends on
define applet_rules
APPLET_NAMES += $(2)
$(2)_SRCS := $$(shell find $(1)/src -name '*.java' 2>/dev/null | sort)
$(2)_EXP  := $(APPLET_EXPORTS)/$(subst .,/,$(3))/javacard/$(lastword $(subst ., ,$(3))).exp

$(APPLET_OUT)/classes/$(2).stamp: $$($(2)_SRCS) $(API_STAMP) $(foreach d,$(4),$(APPLET_OUT)/classes/$(d).stamp)
	@test -n "$$($(2)_SRCS)" || { echo "$(1): no Java sources under src/" >&2; exit 1; }
	@rm -rf $(APPLET_OUT)/classes/$(2) && mkdir -p $(APPLET_OUT)/classes/$(2)
	$(JAVAC) $(JC_JAVAC_FLAGS) -bootclasspath $(API_CLASSES) \
	  $(if $(4),-classpath $(subst $(APPLET_SPACE),:,$(foreach d,$(4),$(APPLET_OUT)/classes/$(d)))) \
	  -d $(APPLET_OUT)/classes/$(2) $$($(2)_SRCS)
	@touch $$@

$(APPLET_OUT)/conf/$(2).conf: $(1)/cap.conf
	@mkdir -p $$(@D)
	grep -v '^[[:space:]]*depends[[:space:]]' $$< >$$@ || true

$(APPLET_OUT)/$(2).cap: $(APPLET_OUT)/classes/$(2).stamp $(APPLET_OUT)/conf/$(2).conf $(CARDLET_BIN) \
                        $(API_EXP_STAMP) $(foreach d,$(4),$(APPLET_OUT)/$(d).cap)
	@mkdir -p $$(dir $$($(2)_EXP))
	$(CARDLET_BIN) cap build --conf $(APPLET_OUT)/conf/$(2).conf --classes $(APPLET_OUT)/classes/$(2) \
	  --exportpath $(API_EXPORTS):$(APPLET_EXPORTS) --out $$@ --exp-out $$($(2)_EXP) \
	  || { rm -f $$@ $$($(2)_EXP); exit 1; }

.PHONY: applet-classes-$(2)
applet-classes-$(2): $(APPLET_OUT)/classes/$(2).stamp
endef

$(foreach c,$(APPLET_CONFS),$(eval $(call applet_rules,$(patsubst %/,%,$(dir $(c))),$(notdir $(patsubst %/,%,$(dir $(c)))),$(call conf_value,$(c),package),$(foreach d,$(call conf_values,$(c),depends),$(notdir $(d))))))

applets: $(foreach n,$(APPLET_NAMES),$(APPLET_OUT)/$(n).cap)

# The converter builds every sample: `make check` and `make demo` build the CAP files too
# (tests/module.mk already puts applets into E2E_DEPS when a JDK is present).
CHECK_EXTRA += applets
DEMO_EXTRA  += applets

# Java only (no converter needed): every package compiles against the stubs.
.PHONY: applet-classes
applet-classes: $(foreach n,$(APPLET_NAMES),$(APPLET_OUT)/classes/$(n).stamp)

check-api: $(API_STAMP)
	BUILD=$(BUILD) JAVAC=$(JAVAC) CARDLET=$(CARDLET_BIN) \
	  JC_JAVAC_FLAGS="$(JC_JAVAC_FLAGS)" applets/api/check-api.sh

# vm/vm_card_test drives the extended length test applets (applets/tests/extlen) and the
# MultiSelectable ones (applets/tests/multisel).
$(BUILD)/test/vm/vm_card_test: $(APPLET_OUT)/extlen.cap $(APPLET_OUT)/multisel.cap

# tests/e2e/17-extended-apdu.sh installs the extlen test package. It is built together with the sample
# applets (before them: one sub-make at a time per tree), so also in make e2e-san's sanitizer tree;
# like them, a package that does not build is logged and the test skips instead of stopping the run.
.PHONY: e2e-extlen-applet
e2e-sample-applets: e2e-extlen-applet
e2e-extlen-applet: programs
	@if command -v $(or $(JAVAC),javac) >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory $(APPLET_OUT)/extlen.cap >$(BUILD)/e2e-extlen-applet.log 2>&1 || \
	  { rm -f $(APPLET_OUT)/extlen.cap; echo "e2e: the extlen test applets did not build (see $(BUILD)/e2e-extlen-applet.log)"; }; \
	fi

# make bench: extended length APDU figures (vm/vm_card_bench.c) on the extlen test applets.
.PHONY: bench-extlen
$(BUILD)/bench/vm_card_bench: $(BUILD)/obj/vm/vm_card_bench.o $(CL_LIBS)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(LINK_CL) $(PCSC_LIBS) $(LIBS)
bench: bench-extlen
bench-extlen: $(BUILD)/bench/vm_card_bench $(APPLET_OUT)/extlen.cap
	@$(BUILD)/bench/vm_card_bench $(APPLET_OUT)/extlen.cap
