# bearssl.mk — build libbearssl.a from BearSSL's unpacked source with the
# caller's compiler. Invoked by the top Makefile:
#   make -f tools/bearssl.mk SRC=build/bearssl-src OUT=build/x/bearssl CC=... CFLAGS=...
SRC ?= build/bearssl-src
OUT ?= build/bearssl
AR ?= ar
CFLAGS ?= -Os

CSRC := $(shell find $(SRC)/src -name '*.c' | sort)
OBJ := $(patsubst $(SRC)/src/%.c,$(OUT)/obj/%.o,$(CSRC))

$(OUT)/libbearssl.a: $(OBJ)
	@rm -f $@
	@echo "AR $@ ($(words $(OBJ)) objects)"; $(AR) rcs $@ $(OBJ)

$(OUT)/obj/%.o: $(SRC)/src/%.c
	@mkdir -p $(dir $@)
	@$(CC) $(CFLAGS) -I$(SRC)/inc -I$(SRC)/src -c $< -o $@
