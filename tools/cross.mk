# cross.mk — cross builds, included by the top Makefile after its variables.
#
#   make CROSS=aarch64      build/aarch64/cairn, build/aarch64/cairnd
#   make CROSS=armhf        build/armhf/...      (ARMv7 hard float)
#   make CROSS=mipsel       build/mipsel/...     (MIPS32 little endian)
#   make CROSS_COMPILE=/opt/sdk/bin/mipsel-openwrt-linux-musl- [CROSS=name]
#                           any other toolchain (OpenWrt SDK, Buildroot):
#                           build/<name>/, name defaulting to the prefix
#   make CROSS=armhf SMALL=1  build/armhf/small/... (both feature flags off)
#   make sizes              x86-64 and every $(CROSS_KNOWN) target, default and
#                           SMALL=1 builds, against their size budgets
#                           (builds what is missing or out of date)
#   make size               the same for this build only (CROSS=, SMALL=)
#
# The three named targets use Debian's cross compilers with musl-dev:<arch>
# through its gcc specs file (tools/deps.sh cross installs both, and is run
# when the compiler is missing). The specs file passes -nostdinc, so musl
# builds never see /usr/include; build/include (BearSSL headers and jsmn.h)
# is shared by every target. BearSSL is built per target in
# build/<name>/bearssl. BEARSSL_SRC=DIR (an unpacked BearSSL source) and
# JSMN_H=FILE override where those come from.
#
# Without CROSS and CROSS_COMPILE nothing here changes the native build.

# CROSS name -> GNU triplet of Debian's cross gcc, and musl's triplet.
CROSS_GNU_aarch64 = aarch64-linux-gnu
CROSS_MUSL_aarch64 = aarch64-linux-musl
CROSS_GNU_armhf = arm-linux-gnueabihf
CROSS_MUSL_armhf = arm-linux-musleabihf
CROSS_GNU_mipsel = mipsel-linux-gnu
CROSS_MUSL_mipsel = mipsel-linux-musl
CROSS_KNOWN = aarch64 armhf mipsel
# MIPS code is the largest: a static executable needs no PIC calls
# (-mno-shared), some 3 % less.
CROSS_CFLAGS_mipsel = -mno-shared
# cairn's own code (not BearSSL, MD5 or musl, where the time goes) as
# MIPS16e, OpenWrt's way to keep MIPS binaries small: about a fifth less.
# -minterlink-compressed: calls between the two encodings stay legal.
CROSS_OWN_CFLAGS_mipsel = -mips16 -minterlink-compressed

# The rules below come before the Makefile's own: keep its default goal.
.DEFAULT_GOAL := all

ifneq ($(CROSS)$(CROSS_COMPILE),)

CROSS_NAME := $(or $(CROSS),$(notdir $(patsubst %-,%,$(CROSS_COMPILE))))

ifneq ($(filter $(CROSS),$(CROSS_KNOWN)),)
ifeq ($(CROSS_COMPILE),)
# A Debian cross toolchain with musl-dev:<arch>.
CROSS_COMPILE = $(CROSS_GNU_$(CROSS))-
MUSL_SPECS ?= /usr/lib/$(CROSS_MUSL_$(CROSS))/musl-gcc.specs
CC_STATIC = $(CROSS_COMPILE)gcc -specs $(MUSL_SPECS)
CFLAGS_STATIC += $(CROSS_CFLAGS_$(CROSS))
CFLAGS_OWN += $(CROSS_OWN_CFLAGS_$(CROSS))
AR_STATIC = $(CROSS_COMPILE)ar
STRIP = $(CROSS_COMPILE)strip
CROSS_CHECK = command -v $(CROSS_COMPILE)gcc >/dev/null && test -f $(MUSL_SPECS) \
	|| sh tools/deps.sh cross $(CROSS)
endif
else ifeq ($(CROSS_COMPILE),)
$(error CROSS=$(CROSS): unknown target; use one of $(CROSS_KNOWN), or give CROSS_COMPILE=<toolchain prefix>)
endif

# Otherwise the toolchain is the user's, and its gcc is musl's already (as in
# OpenWrt and Buildroot): the Makefile's $(CROSS_COMPILE)gcc, ar, strip apply.
CROSS_CHECK ?= command -v $(firstword $(CC_STATIC)) >/dev/null || \
	{ echo "cross: $(firstword $(CC_STATIC)) not found; check CROSS_COMPILE=$(CROSS_COMPILE)" >&2; exit 2; }

# Objects, BearSSL and the binaries of this target, apart from the native
# ones; the Makefile puts a variant's (SMALL=1: build/<name>/small/) below.
S = build/$(CROSS_NAME)
B = build/$(CROSS_NAME)

# The compiler is there (or installed) before anything is compiled.
cross-toolchain:
	@$(CROSS_CHECK)
$(call obj,$(call vdir,$(S)),$(CLIENT_SRC) $(SERVER_SRC) $(COMMON_SRC) $(UNIT_SRC) $(TOOL_SRC)) \
$(call vdir,$(S))/features.ok $(S)/bearssl/libbearssl.a build/include/.ok: | cross-toolchain

# A BearSSL tree or jsmn.h of the user's: refresh build/include from them.
ifneq ($(origin BEARSSL_SRC)$(origin JSMN_H),filefile)
build/include/.ok: $(JSMN_H) $(BEARSSL_SRC)/inc/bearssl.h
$(if $(wildcard $(BEARSSL_SRC)/.ok),,$(if $(wildcard $(BEARSSL_SRC)/inc/bearssl.h),\
	$(error BEARSSL_SRC=$(BEARSSL_SRC): mark it as a checked BearSSL source with: touch $(BEARSSL_SRC)/.ok)))
endif

.PHONY: cross-toolchain
endif

# ---- size budgets (DESIGN.md, Feature flags and size budgets) -------------
# Static, stripped x86-64 binaries, in tenths of KiB: the default build
# (every feature flag on), and SMALL=1 (all off). Builds with only some
# flags off keep to the default budget. Every other target may be 1.2 times
# the x86-64 budget of the same build.
SIZE_BUDGET_cairn = 2560
SIZE_BUDGET_cairnd = 2880
SIZE_BUDGET_small = 2000

# size_row TARGET BUILD FILE: one line of the table, against the budget of
# that target and build; counts the binaries over it in $over and the
# ones missing in $missing.
SIZE_ROW = size_row() { \
	_p=$${3\#\#*/}; \
	if [ "$$2" = small ]; then _b=$(SIZE_BUDGET_small); \
	elif [ "$$_p" = cairnd ]; then _b=$(SIZE_BUDGET_cairnd); \
	else _b=$(SIZE_BUDGET_cairn); fi; \
	[ "$$1" = x86-64 ] || _b=$$((_b * 12 / 10)); \
	_bud=$$((_b / 10)).$$((_b % 10)); \
	if ! [ -f "$$3" ]; then \
		printf '%-9s %-8s %-26s %8s %7s %7s  not built\n' "$$1" "$$2" "$$3" - - $$_bud; \
		missing=$$((missing + 1)); return 0; fi; \
	_n=$$(stat -c %s "$$3"); _k=$$((_n * 10 / 1024)); \
	if [ $$((_n * 10)) -le $$((_b * 1024)) ]; then _s=ok; else \
		_o=$$(((_n * 10 - _b * 1024 + 1023) / 1024)); \
		_s="OVER by $$((_o / 10)).$$((_o % 10)) KiB"; over=$$((over + 1)); fi; \
	printf '%-9s %-8s %-26s %8d %7s %7s  %s\n' "$$1" "$$2" "$$3" $$_n \
		$$((_k / 10)).$$((_k % 10)) $$_bud "$$_s"; }; \
	over=0; missing=0; \
	printf '%-9s %-8s %-26s %8s %7s %7s\n' target build binary bytes KiB budget

# What `make sizes` builds: each target, in each build, with every
# setting that picks a build given explicitly (a sub-make would otherwise
# inherit this command line's).
SIZES_TARGETS = x86-64 $(CROSS_KNOWN)
SIZES_default = SMALL=0 CAIRN_UI=1 CAIRN_S3=1
SIZES_small = SMALL=1 CAIRN_UI=0 CAIRN_S3=0

ifneq ($(filter sizes,$(MAKECMDGOALS)),)
ifeq ($(origin CROSS_COMPILE),command line)
$(error make sizes builds the targets it knows: run it without CROSS_COMPILE (what was built with one is listed too))
endif
endif

sizes:
	@failed=; for t in $(SIZES_TARGETS); do for v in default small; do \
		if [ $$t = x86-64 ]; then c="CROSS= CROSS_COMPILE="; else c=CROSS=$$t; fi; \
		case $$v in default) f="$(SIZES_default)" ;; *) f="$(SIZES_small)" ;; esac; \
		$(MAKE) --no-print-directory $$c $$f all || failed="$$failed $$t/$$v"; \
	done; done; \
	[ -z "$$failed" ] || echo "sizes: could not build:$$failed" >&2
	@$(SIZE_ROW); seen=; \
	for t in $(SIZES_TARGETS); do for v in default small; do \
		d=build; [ $$t = x86-64 ] || d=build/$$t; [ $$v = default ] || d=$$d/small; \
		for p in cairn cairnd; do size_row $$t $$v $$d/$$p; seen="$$seen $$d/$$p "; done; \
	done; done; \
	for f in $$(find build -maxdepth 3 -type f \( -name cairn -o -name cairnd \) \
	    ! -path 'build/asan/*' ! -path 'build/debug/*' ! -path 'build/test/*' \
	    ! -path 'build/demo/*' 2>/dev/null | sort); do \
		case "$$seen" in *" $$f "*) continue ;; esac; \
		case $$(file -b "$$f" 2>/dev/null) in *"statically linked"*) ;; *) continue ;; esac; \
		case $$(file -b "$$f") in *x86-64*) t=x86-64 ;; *) t=other ;; esac; \
		case $$f in */small/*) v=small ;; *) v=other ;; esac; \
		size_row $$t $$v $$f; \
	done; \
	echo "$$over over budget, $$missing not built"; \
	[ $$missing -eq 0 ] && { [ $$over -eq 0 ] || [ "$(SIZES_STRICT)" != 1 ]; }

# This build's two binaries only.
size: all
	@$(SIZE_ROW); for p in cairn cairnd; do \
		size_row $(or $(CROSS_NAME),x86-64) $(or $(VARIANT),default) $(B)/$$p; done

clean-cross:
	rm -rf $(addprefix build/,$(CROSS_KNOWN) $(CROSS_NAME))

clean: clean-cross

.PHONY: sizes size clean-cross
