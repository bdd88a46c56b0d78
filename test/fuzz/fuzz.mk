# fuzz.mk — libFuzzer targets in test/fuzz/, included by the top Makefile.
#
#   make fuzz                 build every target into build/fuzz/ and run
#                             each for FUZZ_SECONDS (default 60)
#   make fuzz-quick           the same, 10 s each (for CI)
#   make fuzz FUZZ_TARGETS="frame path" FUZZ_SECONDS=300
#
# Needs clang with libFuzzer (Debian: apt-get install clang). Each target
# runs on a copy of its seeds, build/fuzz/corpus/<name>/, which keeps what
# the fuzzer finds between runs; test/fuzz/corpus/ stays as committed.
# Seeds with key material are made there by test/fuzz/make-seeds.sh.
# A crash, leak or timeout fails the run; test/fuzz/run.sh prints the
# file that reproduces it: build/fuzz/fuzz_<name> <file>.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= json frame path manifest pkcs8 pem entry2 glob dn http \
	ui_form xml s3names dns
FUZZ_CFLAGS ?= -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined

F = build/fuzz
# port/posix.c resolves host names with dns.c.
FUZZ_PORT = port/posix.c src/common/dns.c
FUZZ_BASE = src/common/buf.c src/common/path.c src/common/util.c \
	src/common/md5.c src/common/entry.c $(FUZZ_PORT)

# What each target links besides its own file (and libbearssl.a, built
# without sanitizers). fuzz_frame and fuzz_entry2 stub the tls_* calls of
# proto.c.
fuzz_src_json = src/common/json.c $(FUZZ_BASE)
fuzz_src_frame = src/common/proto.c $(FUZZ_BASE)
fuzz_src_path = $(FUZZ_BASE)
fuzz_src_glob = src/common/glob.c
fuzz_src_manifest = src/common/record.c src/common/json.c $(FUZZ_BASE)
fuzz_src_pkcs8 = src/common/pkcs8.c src/common/util.c $(FUZZ_PORT)
fuzz_src_entry2 = src/common/proto.c src/common/record.c src/common/json.c \
	$(FUZZ_BASE)
fuzz_src_pem = src/common/tls.c src/common/pkcs8.c src/common/config.c $(FUZZ_BASE)
fuzz_src_dn = $(fuzz_src_pem)
# The S3 client's XML reader (cairnd's, CAIRN_S3).
fuzz_src_xml = src/server/s3_xml.c
fuzz_src_http = src/common/http.c src/common/util.c $(FUZZ_PORT)
fuzz_src_ui_form = src/client/ui_form.c src/common/json.c src/common/glob.c \
	$(FUZZ_BASE)
# What the object store backend reads back from a bucket (CAIRN_S3).
fuzz_src_s3names = src/server/store_s3_name.c src/server/store.c \
	src/common/json.c src/common/buf.c src/common/md5.c \
	src/common/util.c $(FUZZ_PORT)
fuzz_src_dns = src/common/dns.c

FUZZ_BINS = $(patsubst %,$(F)/fuzz_%,$(FUZZ_TARGETS))

$(F)/fuzz_%: test/fuzz/fuzz_%.c $(wildcard src/common/*.[ch] port/*.[ch] \
    test/fuzz/*.h) build/include/.ok $(A)/bearssl/libbearssl.a | fuzz-cc
	@mkdir -p $(F)
	@echo "CC (fuzz) $@"
	@$(FUZZ_CC) $(STD) $(WARN) $(INC) -iquote src/server -Itest/fuzz $(FUZZ_CFLAGS) \
		-o $@ $< $(fuzz_src_$*) $(A)/bearssl/libbearssl.a

fuzz-cc:
	@command -v $(FUZZ_CC) >/dev/null 2>&1 || { \
		echo "make fuzz needs clang with libFuzzer, not found as '$(FUZZ_CC)':" >&2; \
		echo "  apt-get install clang   (or: make fuzz FUZZ_CC=clang-NN)" >&2; \
		exit 1; }

fuzz-build: fuzz-cc $(FUZZ_BINS)

fuzz: fuzz-build
	sh test/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-quick: fuzz-build
	sh test/fuzz/run.sh 10 $(FUZZ_TARGETS)

.PHONY: fuzz fuzz-quick fuzz-build fuzz-cc
