# cairn — a small backup client and server.
#
#   make            static, stripped build/cairn and build/cairnd (musl)
#   make SMALL=1    the same without the optional features (CAIRN_UI and
#                   CAIRN_S3 = 0, src/common/features.h): build/small/
#   make sizes      every target's default and SMALL=1 binaries against
#                   their size budgets (building what is missing)
#   make size       this build's two binaries against their budgets
#   make test       every test: unit, end to end (ASan/UBSan build + static)
#   make test-s3    the object-store tests alone, on a one-node Ceph
#   make demo       a real backup and re-run over loopback TLS, explained
#   make bench      cairn against rsync over ssh, rsync --link-dest, restic
#                   and the copy floors on a copy of /usr/share and a Linux
#                   source tree, each store on a fresh ext4 (backup, re-run,
#                   1% re-run, restore), peak memory up to 100 000 files,
#                   callgrind instructions per file, a delta line, MD5
#                   against openssl, binary sizes (BENCH_QUICK=1: a small run)
#
# Static builds use musl and never see /usr/include: BearSSL is built from
# its Debian source package (tools/deps.sh) and its headers, with jsmn.h,
# are copied into build/include.

CROSS_COMPILE ?=
CC_STATIC ?= $(if $(CROSS_COMPILE),$(CROSS_COMPILE)gcc,musl-gcc)
AR_STATIC ?= $(CROSS_COMPILE)ar
STRIP ?= $(CROSS_COMPILE)strip
CC_HOST ?= cc
JSMN_H ?= /usr/include/jsmn.h
BEARSSL_SRC ?= build/bearssl-src

# Feature flags (src/common/features.h), 0 or 1, on every compile of src/
# and port/. SMALL=1 turns both off. Each combination builds into its own
# directories (VARIANT below), so that objects of one never end up in
# another and the builds can exist side by side.
SMALL ?= 0
ifeq ($(SMALL),1)
CAIRN_UI ?= 0
CAIRN_S3 ?= 0
endif
CAIRN_UI ?= 1
CAIRN_S3 ?= 1
$(foreach v,SMALL CAIRN_UI CAIRN_S3,$(if $(filter-out 0 1,$($(v))),\
	$(error $(v)=$($(v)): must be 0 or 1)))
ifeq ($(SMALL)$(filter 1,$(CAIRN_UI) $(CAIRN_S3)),11)
$(error SMALL=1 builds with CAIRN_UI=0 and CAIRN_S3=0: give either SMALL=1 or the flags)
endif
FEATURES = -DCAIRN_UI=$(CAIRN_UI) -DCAIRN_S3=$(CAIRN_S3)
VARIANT_11 =
VARIANT_00 = small
VARIANT_01 = no-ui
VARIANT_10 = no-s3
VARIANT = $(VARIANT_$(CAIRN_UI)$(CAIRN_S3))
vdir = $(if $(VARIANT),$(1)/$(VARIANT),$(1))

# Language, platform and feature macros: every compile of src/ uses STD
# (test/fuzz/fuzz.mk too).
STD = -std=c99 -D_POSIX_C_SOURCE=200809L -D_FILE_OFFSET_BITS=64 $(FEATURES)
WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
       -Wno-unused-parameter
# Project headers are found by #include "..." only (-iquote): none of them
# may stand in for a system header of the same name (features.h is also
# the C library's, which its own headers include as <features.h>).
INC = -Ibuild/include -iquote port -iquote src/common

CFLAGS_STATIC ?= -Os -fno-pie -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables
# common-page-size: the data segment follows the code in the file without
# padding to a page (it maps from the same file page; nothing else changes).
# noseparate-code: on x86 GNU ld otherwise gives the ELF header and the
# read-only data pages of their own, apart from the code's, each padded to
# 4 KiB (other targets' linkers do not). The binaries are static and not
# PIE, their code at fixed addresses: the separation buys little there,
# and costs each binary 4-8 KiB of padding. norelro: a static musl
# program never makes its RELRO part read-only (nothing runs to do it:
# /proc/PID/maps shows it rw), so the page alignment it asks for is
# padding alone (DESIGN.md, "Feature flags and size budgets").
LDFLAGS_STATIC ?= -static -Wl,--gc-sections -Wl,-z,max-page-size=4096 \
	-Wl,-z,common-page-size=64 -Wl,-z,noseparate-code -Wl,-z,norelro -s
# Link-time optimisation of cairn's own code (not BearSSL's archive): a
# few KiB less of every static binary, the more with the program as one
# partition (its constants and clones shared). LTO= turns it off.
LTO ?= -flto=auto -flto-partition=one
CFLAGS_ASAN ?= -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
               -fno-sanitize-recover=undefined
LDFLAGS_ASAN ?= -fsanitize=address,undefined

COMMON_SRC = $(wildcard src/common/*.c) port/posix.c
# The static builds' own printf family (musl's brings float formatting).
STATIC_SRC = port/fmt.c
# The page of cairn --ui (src/client/ui/), gzip-compressed into a C table
# by tools/embed.sh; one generated file for every build (its table sits
# inside #if CAIRN_UI).
UI_PAGE = $(sort $(wildcard $(addprefix src/client/ui/*.,html css js svg)))
UI_GEN = build/gen/ui_files.c
CLIENT_SRC = $(wildcard src/client/*.c) $(UI_GEN)
SERVER_SRC = $(wildcard src/server/*.c)
UNIT_SRC = $(wildcard test/unit/*.c)
# Parts of the programs the unit tests drive: the store (its contract test
# runs against the local backend), the client's report and restore work list.
STORE_SRC = $(wildcard src/server/store*.c) src/server/mdindex.c
UNIT_LINK = $(STORE_SRC) src/server/retain.c src/client/report.c \
	src/client/ui_check.c src/client/ui_form.c \
	src/client/worklist.c $(S3_SRC)
TOOL_SRC = $(wildcard test/tools/*.c)
# cairnd's S3 client (CAIRN_S3): the unit tests and test/tools/s3probe
# drive it on its own.
S3_SRC = $(wildcard src/server/s3*.c)

# S: this target's static BearSSL (build/static, or build/<name> when
# cross compiling); A: the ASan build's; G: the debug build. BearSSL does
# not depend on the feature flags: every variant links the same one.
# O, AO, GO: objects (and ASan/debug binaries) of this variant; B: its
# static binaries (build/, build/small/, build/<name>/small/, ...).
S = build/static
A = build/asan
G = build/debug
B = build
obj = $(patsubst %.c,$(1)/obj/%.o,$(2))
include tools/cross.mk
O := $(call vdir,$(S))
AO := $(call vdir,$(A))
GO := $(call vdir,$(G))
B := $(call vdir,$(B))
# What the linker gets: objects and libraries, not the flags check.
linked = $(filter-out %.ok,$^)

all: $(B)/cairn $(B)/cairnd

# ---- dependencies -------------------------------------------------------
$(BEARSSL_SRC)/.ok:
	sh tools/deps.sh bearssl

build/include/.ok: $(BEARSSL_SRC)/.ok
	@command -v $(CC_STATIC) >/dev/null && test -f $(JSMN_H) || sh tools/deps.sh
	@mkdir -p build/include
	cp $(BEARSSL_SRC)/inc/*.h $(JSMN_H) build/include/
	@touch $@

$(S)/bearssl/libbearssl.a: $(BEARSSL_SRC)/.ok build/include/.ok
	$(MAKE) -f tools/bearssl.mk SRC=$(BEARSSL_SRC) OUT=$(S)/bearssl \
		CC="$(CC_STATIC)" AR="$(AR_STATIC)" CFLAGS="-Os $(CFLAGS_STATIC)"

$(A)/bearssl/libbearssl.a: $(BEARSSL_SRC)/.ok
	$(MAKE) -f tools/bearssl.mk SRC=$(BEARSSL_SRC) OUT=$(A)/bearssl \
		CC="$(CC_HOST)" AR=ar CFLAGS="-O2 -g"

# The flags' own checks (#error in features.h) run once per variant and
# compiler, before anything is linked, even where no file includes it yet.
%/features.ok: src/common/features.h build/include/.ok
	@mkdir -p $(dir $@)
	$(if $(filter $(AO)/% $(GO)/%,$@),$(CC_HOST),$(CC_STATIC)) $(STD) -fsyntax-only -x c $<
	@touch $@

# ---- static release build -----------------------------------------------
$(O)/obj/%.o: %.c build/include/.ok
	@mkdir -p $(dir $@)
	@echo "CC $<"
	@$(CC_STATIC) $(STD) $(WARN) $(INC) $(CFLAGS_STATIC) $(CFLAGS_OWN) $(LTO) -MMD -MP -c $< -o $@

# MD5 is the hot loop of every backup: optimise it for speed, not size
# (and out of LTO, which would compile it with the link's -Os), in the
# target's full instruction set (CFLAGS_OWN: cross.mk).
$(O)/obj/src/common/md5.o: CFLAGS_STATIC += -O2
$(O)/obj/src/common/md5.o: CFLAGS_OWN =
$(O)/obj/src/common/md5.o: LTO =

$(B)/cairn: $(O)/features.ok $(call obj,$(O),$(CLIENT_SRC) $(COMMON_SRC) $(STATIC_SRC)) $(S)/bearssl/libbearssl.a
	@mkdir -p $(@D)
	$(CC_STATIC) $(LDFLAGS_STATIC) $(LTO:%=% -Os) -o $@ $(linked)
$(B)/cairnd: $(O)/features.ok $(call obj,$(O),$(SERVER_SRC) $(COMMON_SRC) $(STATIC_SRC)) $(S)/bearssl/libbearssl.a
	@mkdir -p $(@D)
	$(CC_STATIC) $(LDFLAGS_STATIC) $(LTO:%=% -Os) -o $@ $(linked)

$(UI_GEN): tools/embed.sh $(UI_PAGE)
	sh tools/embed.sh $@ $(UI_PAGE)
# Its objects find ui.h, which declares the table.
$(call obj,$(O),$(UI_GEN)) $(call obj,$(AO),$(UI_GEN)) \
$(call obj,$(GO),$(UI_GEN)): INC += -iquote src/client

# ---- sanitizer build used by the tests ----------------------------------
$(AO)/obj/%.o: %.c build/include/.ok
	@mkdir -p $(dir $@)
	@echo "CC (asan) $<"
	@$(CC_HOST) $(STD) $(WARN) -Werror $(INC) -Itest/unit $(CFLAGS_ASAN) -MMD -MP -c $< -o $@

$(AO)/cairn: $(AO)/features.ok $(call obj,$(AO),$(CLIENT_SRC) $(COMMON_SRC)) $(A)/bearssl/libbearssl.a
	$(CC_HOST) $(LDFLAGS_ASAN) -o $@ $(linked)
$(AO)/cairnd: $(AO)/features.ok $(call obj,$(AO),$(SERVER_SRC) $(COMMON_SRC)) $(A)/bearssl/libbearssl.a
	$(CC_HOST) $(LDFLAGS_ASAN) -o $@ $(linked)
$(AO)/obj/test/unit/%.o: INC += -iquote src/server -iquote src/client
$(AO)/unit: $(AO)/features.ok $(call obj,$(AO),$(UNIT_SRC) $(UNIT_LINK) $(COMMON_SRC)) $(A)/bearssl/libbearssl.a
	$(CC_HOST) $(LDFLAGS_ASAN) -o $@ $(linked)
$(AO)/%: $(AO)/obj/test/tools/%.o $(call obj,$(AO),$(COMMON_SRC)) $(A)/bearssl/libbearssl.a
	$(CC_HOST) $(LDFLAGS_ASAN) -o $@ $^
$(AO)/obj/test/tools/s3probe.o: INC += -iquote src/server
$(AO)/s3probe: $(AO)/obj/test/tools/s3probe.o $(call obj,$(AO),$(S3_SRC) $(COMMON_SRC)) $(A)/bearssl/libbearssl.a
	$(CC_HOST) $(LDFLAGS_ASAN) -o $@ $^

# ---- plain glibc build for valgrind (which cannot run ASan binaries) ----
$(GO)/obj/%.o: %.c build/include/.ok
	@mkdir -p $(dir $@)
	@echo "CC (debug) $<"
	@$(CC_HOST) $(STD) $(WARN) $(INC) -O1 -g -MMD -MP -c $< -o $@
$(GO)/cairn: $(GO)/features.ok $(call obj,$(GO),$(CLIENT_SRC) $(COMMON_SRC)) $(A)/bearssl/libbearssl.a
	$(CC_HOST) -o $@ $(linked)
$(GO)/cairnd: $(GO)/features.ok $(call obj,$(GO),$(SERVER_SRC) $(COMMON_SRC)) $(A)/bearssl/libbearssl.a
	$(CC_HOST) -o $@ $(linked)
$(GO)/obj/test/tools/s3probe.o: INC += -iquote src/server
$(GO)/s3probe: $(GO)/obj/test/tools/s3probe.o $(call obj,$(GO),$(S3_SRC) $(COMMON_SRC)) $(A)/bearssl/libbearssl.a
	$(CC_HOST) -o $@ $^
debug: $(GO)/cairn $(GO)/cairnd $(GO)/s3probe

# Faults to force in tests (LD_PRELOAD): hard links that fail, a clock
# that reads 1970, a full or slow disk, file times that cannot be set; a
# trace of syncs and renames; one fault at a stepped point (sweeps); a
# count of the bytes read from each file.
$(AO)/%.so: test/shim/%.c test/shim/shim.h
	$(CC_HOST) -shared -fPIC -O1 -o $@ $<

asan: $(AO)/cairn $(AO)/cairnd $(AO)/unit $(AO)/nolink.so $(AO)/oldclock.so \
	$(AO)/fakeclock.so \
	$(AO)/diskfault.so $(AO)/nofutime.so $(AO)/trace.so $(AO)/sweep.so \
	$(AO)/readcount.so \
	$(patsubst test/tools/%.c,$(AO)/%,$(TOOL_SRC))

# ---- entry points --------------------------------------------------------
deps:
	sh tools/deps.sh test

# The SMALL=1 build too (x86-64 only: cheap), so that it stays compilable.
test: deps
	$(MAKE) all asan debug
	$(MAKE) SMALL=1 all
	for c in $(CROSS_KNOWN); do $(MAKE) CROSS=$$c all || exit 1; done
	$(MAKE) sizes SIZES_STRICT=1
	sh test/run.sh

# The object-store tests alone, on a one-node Ceph that test/run.sh brings
# up (tools/ceph-up.sh; tools/deps.sh s3 installs it when it can).
test-s3:
	$(MAKE) asan
	sh test/run.sh t_s3_

demo:
	sh tools/deps.sh
	$(MAKE) all
	sh tools/demo.sh

$(S)/md5bench: $(O)/obj/test/bench/md5bench.o $(O)/obj/src/common/md5.o
	$(CC_STATIC) $(LDFLAGS_STATIC) -o $@ $^

bench:
	sh tools/deps.sh bench
	$(MAKE) all $(S)/md5bench
	sh tools/bench.sh

clean:
	rm -rf build/static build/asan build/debug build/include build/cairn \
		build/cairnd build/small build/no-ui build/no-s3 build/demo build/test \
		build/gen

distclean:
	rm -rf build

.PHONY: all asan debug deps test test-s3 demo bench size clean distclean install uninstall
.DELETE_ON_ERROR:

-include $(shell find $(O)/obj $(AO)/obj $(GO)/obj -name '*.d' 2>/dev/null)

# ---- install: OpenWrt, Buildroot (make install PREFIX=/usr DESTDIR=...) --
# This target's binaries ($(B): build/, or build/<name>/ with CROSS), the
# man pages, the certificate tools and the init examples.
PREFIX ?= /usr/local
INSTALL ?= install
D = $(DESTDIR)$(PREFIX)
INIT_SCRIPTS = cairnd.busybox cairn.busybox cairnd.procd cairn.procd
INIT_CONF = cairnd.conf cairn.conf

install: all
	$(INSTALL) -d -m 0755 $(D)/bin $(D)/sbin $(D)/share/man/man1 \
		$(D)/share/man/man8 $(D)/share/cairn/init/runit/cairnd \
		$(D)/share/cairn/init/runit/cairn
	$(INSTALL) -m 0755 $(B)/cairn $(D)/bin/cairn
	$(INSTALL) -m 0755 $(B)/cairnd $(D)/sbin/cairnd
	$(INSTALL) -m 0644 man/cairn.1 $(D)/share/man/man1/cairn.1
	$(INSTALL) -m 0644 man/cairnd.8 $(D)/share/man/man8/cairnd.8
	$(INSTALL) -m 0755 tools/gen-certs.sh tools/gen-client-cert.sh $(D)/share/cairn/
	$(INSTALL) -m 0755 $(addprefix tools/init/,$(INIT_SCRIPTS)) $(D)/share/cairn/init/
	$(INSTALL) -m 0644 $(addprefix tools/init/,$(INIT_CONF)) $(D)/share/cairn/init/
	$(INSTALL) -m 0755 tools/init/runit/cairnd/run $(D)/share/cairn/init/runit/cairnd/run
	$(INSTALL) -m 0755 tools/init/runit/cairn/run $(D)/share/cairn/init/runit/cairn/run

uninstall:
	rm -f $(D)/bin/cairn $(D)/sbin/cairnd $(D)/share/man/man1/cairn.1 \
		$(D)/share/man/man8/cairnd.8 $(D)/share/cairn/gen-certs.sh \
		$(D)/share/cairn/gen-client-cert.sh \
		$(addprefix $(D)/share/cairn/init/,$(INIT_SCRIPTS) $(INIT_CONF)) \
		$(D)/share/cairn/init/runit/cairnd/run $(D)/share/cairn/init/runit/cairn/run
	rmdir $(D)/share/cairn/init/runit/cairnd $(D)/share/cairn/init/runit/cairn \
		$(D)/share/cairn/init/runit $(D)/share/cairn/init $(D)/share/cairn \
		2>/dev/null || :

-include test/fuzz/fuzz.mk
