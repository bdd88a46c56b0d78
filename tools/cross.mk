# cross.mk — cross builds, included by the top Makefile after its variables.
#
#   make CROSS=aarch64      build/aarch64/cairn, build/aarch64/cairnd
#   make CROSS=armhf        build/armhf/...      (ARMv7 hard float)
#   make CROSS=mipsel       build/mipsel/...     (MIPS32 little endian)
#   make CROSS_COMPILE=/opt/sdk/bin/mipsel-openwrt-linux-musl- [CROSS=name]
#                           any other toolchain (OpenWrt SDK, Buildroot):
#                           build/<name>/, name defaulting to the prefix
#   make sizes              every built cairn and cairnd, flagging > 200 KiB
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

# Objects, BearSSL and the binaries of this target, apart from the native ones.
S = build/$(CROSS_NAME)
B = build/$(CROSS_NAME)

# The compiler is there (or installed) before anything is compiled.
cross-toolchain:
	@$(CROSS_CHECK)
$(call obj,$(S),$(CLIENT_SRC) $(SERVER_SRC) $(COMMON_SRC) $(UNIT_SRC) $(TOOL_SRC)) \
$(S)/bearssl/libbearssl.a build/include/.ok: | cross-toolchain

# A BearSSL tree or jsmn.h of the user's: refresh build/include from them.
ifneq ($(origin BEARSSL_SRC)$(origin JSMN_H),filefile)
build/include/.ok: $(JSMN_H) $(BEARSSL_SRC)/inc/bearssl.h
$(if $(wildcard $(BEARSSL_SRC)/.ok),,$(if $(wildcard $(BEARSSL_SRC)/inc/bearssl.h),\
	$(error BEARSSL_SRC=$(BEARSSL_SRC): mark it as a checked BearSSL source with: touch $(BEARSSL_SRC)/.ok)))
endif

-include $(shell find $(S)/obj -name '*.d' 2>/dev/null)

.PHONY: cross-toolchain
endif

# Sizes of every static binary built so far: x86-64 in build/, cross
# targets in build/<name>/ (the dynamic ASan and debug builds are left out).
sizes:
	@for d in build build/*; do for b in $$d/cairn $$d/cairnd; do \
		[ -f "$$b" ] || continue; \
		f=$$(file -b "$$b" 2>/dev/null) || f='statically linked?'; \
		case $$f in *"statically linked"*) ;; *) continue ;; esac; \
		n=$$(stat -c %s "$$b"); \
		m=$$(echo "$$f" | sed -n 's/^ELF [^,]*, \([^,]*\),.*/\1/p'); \
		printf '%-26s %7d bytes %4d KiB  %s%s\n' "$$b" $$n $$((n / 1024)) "$$m" \
			"$$( [ $$n -le 204800 ] || echo '  OVER 200 KiB')"; \
	done; done

clean-cross:
	rm -rf $(addprefix build/,$(CROSS_KNOWN) $(CROSS_NAME))

clean: clean-cross

.PHONY: sizes clean-cross
