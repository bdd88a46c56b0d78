# cairn — a small backup client and server.
#
#   make            static, stripped build/cairn and build/cairnd (musl)
#   make test       every test: unit, end to end (ASan/UBSan build + static)
#   make demo       a real backup and re-run over loopback TLS, explained
#   make bench      cairn against rsync over ssh on a copy of /usr/share/doc
#                   and man (backup, re-run, 1% re-run, restore), peak memory
#                   up to 100 000 files, MD5 against openssl, binary sizes
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

STD = -std=c99 -D_POSIX_C_SOURCE=200809L -D_FILE_OFFSET_BITS=64
WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
       -Wno-unused-parameter
INC = -Ibuild/include -Iport -Isrc/common

CFLAGS_STATIC ?= -Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables
LDFLAGS_STATIC ?= -static -Wl,--gc-sections -Wl,-z,max-page-size=4096 -s
CFLAGS_ASAN ?= -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
               -fno-sanitize-recover=undefined
LDFLAGS_ASAN ?= -fsanitize=address,undefined

COMMON_SRC = $(wildcard src/common/*.c) port/posix.c
CLIENT_SRC = $(wildcard src/client/*.c)
SERVER_SRC = $(wildcard src/server/*.c)
UNIT_SRC = $(wildcard test/unit/*.c)
# Parts of the programs the unit tests drive: the store (its contract test
# runs against the local backend) and the client's report.
STORE_SRC = src/server/store.c src/server/store_fs.c src/server/store_fs_cat.c \
            src/server/mdindex.c
UNIT_LINK = $(STORE_SRC) src/client/report.c
TOOL_SRC = $(wildcard test/tools/*.c)

S = build/static
A = build/asan
B = build
obj = $(patsubst %.c,$(1)/obj/%.o,$(2))
include tools/cross.mk

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

# ---- static release build -----------------------------------------------
$(S)/obj/%.o: %.c build/include/.ok
	@mkdir -p $(dir $@)
	@echo "CC $<"
	@$(CC_STATIC) $(STD) $(WARN) $(INC) $(CFLAGS_STATIC) -MMD -MP -c $< -o $@

# MD5 is the hot loop of every backup: optimise it for speed, not size.
$(S)/obj/src/common/md5.o: CFLAGS_STATIC += -O2

$(B)/cairn: $(call obj,$(S),$(CLIENT_SRC) $(COMMON_SRC)) $(S)/bearssl/libbearssl.a
	$(CC_STATIC) $(LDFLAGS_STATIC) -o $@ $^
$(B)/cairnd: $(call obj,$(S),$(SERVER_SRC) $(COMMON_SRC)) $(S)/bearssl/libbearssl.a
	$(CC_STATIC) $(LDFLAGS_STATIC) -o $@ $^

# ---- sanitizer build used by the tests ----------------------------------
$(A)/obj/%.o: %.c build/include/.ok
	@mkdir -p $(dir $@)
	@echo "CC (asan) $<"
	@$(CC_HOST) $(STD) $(WARN) -Werror $(INC) -Itest/unit $(CFLAGS_ASAN) -MMD -MP -c $< -o $@

$(A)/cairn: $(call obj,$(A),$(CLIENT_SRC) $(COMMON_SRC)) $(A)/bearssl/libbearssl.a
	$(CC_HOST) $(LDFLAGS_ASAN) -o $@ $^
$(A)/cairnd: $(call obj,$(A),$(SERVER_SRC) $(COMMON_SRC)) $(A)/bearssl/libbearssl.a
	$(CC_HOST) $(LDFLAGS_ASAN) -o $@ $^
$(A)/obj/test/unit/%.o: INC += -Isrc/server -Isrc/client
$(A)/unit: $(call obj,$(A),$(UNIT_SRC) $(UNIT_LINK) $(COMMON_SRC)) $(A)/bearssl/libbearssl.a
	$(CC_HOST) $(LDFLAGS_ASAN) -o $@ $^
$(A)/%: $(A)/obj/test/tools/%.o $(call obj,$(A),$(COMMON_SRC)) $(A)/bearssl/libbearssl.a
	$(CC_HOST) $(LDFLAGS_ASAN) -o $@ $^

# ---- plain glibc build for valgrind (which cannot run ASan binaries) ----
G = build/debug
$(G)/obj/%.o: %.c build/include/.ok
	@mkdir -p $(dir $@)
	@echo "CC (debug) $<"
	@$(CC_HOST) $(STD) $(WARN) $(INC) -O1 -g -MMD -MP -c $< -o $@
$(G)/cairn: $(call obj,$(G),$(CLIENT_SRC) $(COMMON_SRC)) $(A)/bearssl/libbearssl.a
	$(CC_HOST) -o $@ $^
$(G)/cairnd: $(call obj,$(G),$(SERVER_SRC) $(COMMON_SRC)) $(A)/bearssl/libbearssl.a
	$(CC_HOST) -o $@ $^
debug: $(G)/cairn $(G)/cairnd

# Faults to force in tests (LD_PRELOAD): hard links that fail, a clock
# that reads 1970, a full disk, file times that cannot be set.
$(A)/%.so: test/shim/%.c
	$(CC_HOST) -shared -fPIC -O1 -o $@ $<

asan: $(A)/cairn $(A)/cairnd $(A)/unit $(A)/nolink.so $(A)/oldclock.so $(A)/nospace.so \
	$(A)/nofutime.so \
	$(patsubst test/tools/%.c,$(A)/%,$(TOOL_SRC))

# ---- entry points --------------------------------------------------------
deps:
	sh tools/deps.sh test

test: deps
	$(MAKE) all asan debug
	for c in $(CROSS_KNOWN); do $(MAKE) CROSS=$$c all || exit 1; done
	sh test/run.sh

demo:
	sh tools/deps.sh
	$(MAKE) all
	sh tools/demo.sh

$(S)/md5bench: $(S)/obj/test/bench/md5bench.o $(S)/obj/src/common/md5.o
	$(CC_STATIC) $(LDFLAGS_STATIC) -o $@ $^

bench:
	sh tools/deps.sh bench
	$(MAKE) all $(S)/md5bench
	sh tools/bench.sh

size: all
	@for b in build/cairn build/cairnd; do \
		printf '%-14s %7d bytes  %4d KiB\n' $$b $$(stat -c %s $$b) $$(( $$(stat -c %s $$b) / 1024 )); \
	done

clean:
	rm -rf build/static build/asan build/debug build/include build/cairn build/cairnd build/demo build/test

distclean:
	rm -rf build

.PHONY: all asan debug deps test demo bench size clean distclean install uninstall
.DELETE_ON_ERROR:

-include $(shell find build/static/obj build/asan/obj build/debug/obj -name '*.d' 2>/dev/null)

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
