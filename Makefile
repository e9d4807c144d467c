# axlink: build, test, demo, bench. Debian 12; see README.md.
# `make demo` and `make test` install what is missing first (tools/deps.sh).

LUA       ?= lua5.4
PKGS      := libxml-2.0 lua5.4
CC        ?= cc
XML_CFLAGS := $(shell pkg-config --cflags libxml-2.0 2>/dev/null)
XML_LIBS   := $(shell pkg-config --libs libxml-2.0 2>/dev/null)
LUA_CFLAGS := $(shell pkg-config --cflags lua5.4 2>/dev/null)
# _XOPEN_SOURCE once, here: mkstemp/fsync/realpath/O_CLOEXEC.
CFLAGS    ?= -O2 -g
WARN      := -std=c99 -Wall -Wextra -Werror -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE
ALL_CFLAGS = $(WARN) $(CFLAGS) -fPIC -Isrc/core $(XML_CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS   ?=

B         ?= build
CORE_SRC  := $(wildcard src/core/*.c)
LUA_SRC   := $(wildcard src/lua/*.c)
CORE_OBJ  := $(CORE_SRC:src/%.c=$(B)/obj/%.o)
LUA_OBJ   := $(LUA_SRC:src/%.c=$(B)/obj/%.o)
CTEST_SRC := $(wildcard spec/c/test_*.c)
CTEST_BIN := $(CTEST_SRC:spec/c/%.c=$(B)/test/%)

MODULE    := $(B)/axlink/core.so
STATIC    := $(B)/libaxlink.a

.PHONY: all deps deps-test demo test test-bins asan-build bench fuzz doc lint clean

all: $(MODULE) $(STATIC)

deps:
	@tools/deps.sh

deps-test:
	@tools/deps.sh test

$(B)/obj/%.o: src/%.c $(wildcard src/core/*.h src/lua/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(if $(findstring /lua/,$@),$(LUA_CFLAGS)) -c $< -o $@

$(STATIC): $(CORE_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

# A Lua module does not link liblua: the host provides its symbols.
$(MODULE): $(CORE_OBJ) $(LUA_OBJ)
	@mkdir -p $(dir $@)
	$(CC) -shared $(LDFLAGS) -o $@ $^ $(XML_LIBS) -lpthread -lm

# Tests that embed Lua: the binding's objects and liblua5.4 as well.
$(B)/test/test_lua_%: spec/c/test_lua_%.c $(STATIC) $(LUA_OBJ) spec/c/support.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LUA_CFLAGS) -Ispec/c -Isrc/lua $< -o $@ $(LUA_OBJ) $(STATIC) \
	  $(XML_LIBS) -llua5.4 -lcmocka -lpthread -lm

$(B)/test/%: spec/c/%.c $(STATIC) spec/c/support.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Ispec/c $< -o $@ $(STATIC) $(XML_LIBS) -lcmocka -lpthread -lm

# Run from the checkout: modules from lua/ and build/.
RUN_ENV   := LUA_PATH='lua/?.lua;lua/?/init.lua;;' LUA_CPATH='$(B)/?.so;;'

# demo and test install what is missing first, then build in a new make: the
# flags above come from pkg-config, which can answer only once libxml2-dev
# and liblua5.4-dev are installed (a make reads its variables when it starts).
demo: deps
	@$(MAKE) --no-print-directory all
	@$(RUN_ENV) $(LUA) bin/axlink demo

test-bins: $(CTEST_BIN)

# The same sources once more with AddressSanitizer and UBSan (clang), for
# the sanitizer pass of `make test`. The module links the runtime as a shared
# library, so the stock lua5.4 can load it with the runtime preloaded.
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
asan-build:
	@$(MAKE) -s B=build-asan CC=clang CFLAGS="$(SAN_FLAGS)" \
	  LDFLAGS="-fsanitize=address,undefined -shared-libasan" all test-bins

test: deps-test
	@$(MAKE) --no-print-directory all test-bins asan-build
	@tools/run-tests.sh

fuzz: deps-test
	@$(MAKE) --no-print-directory all
	@tools/fuzz.sh $(FUZZ_SECONDS)

bench: deps-test
	@$(MAKE) --no-print-directory all $(B)/bench/c_round_trip
	$(LUA) bench/run.lua

$(B)/bench/c_round_trip: bench/c_round_trip.c $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) -std=c99 -O2 -Isrc/core $(XML_CFLAGS) $< -o $@ $(STATIC) $(XML_LIBS) -lpthread

# The API reference from the LDoc comments of the Lua modules and of the
# C binding (src/lua/api.luadoc), into build/doc/.
doc:
	ldoc .

lint:
	luacheck lua spec bin bench examples
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	  --suppress=missingIncludeSystem -Isrc/core src

clean:
	rm -rf build build-asan
