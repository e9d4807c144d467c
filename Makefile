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
# The C core's AX model table is generated from the AX profile (DESIGN 7.3):
# the profile is its one source, and a change to it rebuilds the table.
PROFILE   := lua/axlink/profiles/v24_0.lua
GEN_MODEL := $(B)/gen/model_data.c
CORE_OBJ  := $(CORE_SRC:src/%.c=$(B)/obj/%.o) $(B)/obj/gen/model_data.o
LUA_OBJ   := $(LUA_SRC:src/%.c=$(B)/obj/%.o)
CTEST_SRC := $(wildcard spec/c/test_*.c)
CTEST_BIN := $(CTEST_SRC:spec/c/%.c=$(B)/test/%)

MODULE    := $(B)/axlink/core.so
STATIC    := $(B)/libaxlink.a

.PHONY: all deps deps-test demo test test-bins asan-build bench fuzz doc lint clean install install-lua \
  uninstall rock

all: $(MODULE) $(STATIC)

deps:
	@tools/deps.sh

deps-test:
	@tools/deps.sh test

$(B)/obj/%.o: src/%.c $(wildcard src/core/*.h src/lua/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(if $(findstring /lua/,$@),$(LUA_CFLAGS)) -c $< -o $@

$(GEN_MODEL): $(PROFILE) tools/gen-model.lua
	@mkdir -p $(dir $@)
	$(LUA) tools/gen-model.lua $(PROFILE) $@

$(B)/obj/gen/model_data.o: $(GEN_MODEL) src/core/model.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

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
	$(CC) -std=c99 -O2 -Isrc/core $(XML_CFLAGS) $< -o $@ $(STATIC) $(XML_LIBS) -lpthread -lm

# The API reference from the LDoc comments of the Lua modules and of the
# C binding (src/lua/api.luadoc), into build/doc/.
doc:
	ldoc .

lint:
	luacheck lua spec bin bench examples
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	  --suppress=missingIncludeSystem -Isrc/core src

# {====== Installation for C hosts and Lua (DESIGN 11)
# make install PREFIX=/usr/local DESTDIR=: the static and the shared C
# library (soname libaxlink.so.MAJOR), axlink.h, axlink.pc, the Lua module
# (C part under lib/lua/5.4, Lua part and the demo's data under
# share/lua/5.4) and the CLI. make uninstall removes exactly those files.
PREFIX    ?= /usr/local
LIBDIR    ?= $(PREFIX)/lib
INCDIR    ?= $(PREFIX)/include
BINDIR    ?= $(PREFIX)/bin
LUA_CMOD  ?= $(PREFIX)/lib/lua/5.4
LUA_LMOD  ?= $(PREFIX)/share/lua/5.4
VERSION   := $(shell sed -n 's/^\#define AXL_VERSION "\(.*\)"/\1/p' src/core/axlink.h)
SOMAJOR   := $(firstword $(subst ., ,$(VERSION)))
SONAME    := libaxlink.so.$(SOMAJOR)
SHARED    := $(B)/libaxlink.so.$(VERSION)
# Every Lua module under lua/axlink, at any depth (formats/, profiles/, ...).
LUA_FILES := $(sort $(shell find lua/axlink -name '*.lua'))
LUA_DIRS  := $(sort $(patsubst lua/%/,%,$(dir $(LUA_FILES))))
# The demo's data, as the rockspec installs it (axlink.demo finds it there).
DEMO_DATA := examples/data/aanvraag.xml examples/data/README.md examples/data/ockto-bundled.json

$(SHARED): $(CORE_OBJ)
	$(CC) -shared -Wl,-soname,$(SONAME) $(LDFLAGS) -o $@ $^ $(XML_LIBS) -lpthread -lm

# axlink.pc names the prefix, so it is written by install itself, for the
# PREFIX of that install (a file kept in the build tree would keep the
# prefix of an earlier install).
PC_LINES  = 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCDIR)' '' 'Name: axlink' \
  'Description: HDN AX messages with CDL (Consumenten Data Leverancier) links' \
  'Version: $(VERSION)' 'Requires: libxml-2.0' 'Libs: -L$${libdir} -laxlink' \
  'Libs.private: -lpthread -lm' 'Cflags: -I$${includedir}'

# The CLI finds the Lua modules under its own prefix (bin/axlink), so any
# PREFIX works without LUA_PATH.
install: all $(SHARED) install-lua
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCDIR) $(DESTDIR)$(BINDIR) \
	  $(DESTDIR)$(LUA_LMOD)/axlink/data
	install -m 644 $(STATIC) $(DESTDIR)$(LIBDIR)/libaxlink.a
	install -m 755 $(SHARED) $(DESTDIR)$(LIBDIR)/libaxlink.so.$(VERSION)
	ln -sf libaxlink.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libaxlink.so
	install -m 644 src/core/axlink.h $(DESTDIR)$(INCDIR)/axlink.h
	printf '%s\n' $(PC_LINES) >$(DESTDIR)$(LIBDIR)/pkgconfig/axlink.pc
	chmod 644 $(DESTDIR)$(LIBDIR)/pkgconfig/axlink.pc
	install -m 644 $(DEMO_DATA) $(DESTDIR)$(LUA_LMOD)/axlink/data/
	install -m 755 bin/axlink $(DESTDIR)$(BINDIR)/axlink

# The Lua module alone, C part under LUA_CMOD and every Lua file under
# LUA_LMOD: `make install` and the rockspec (build.type "make", which
# installs the CLI and the demo's data itself) share it.
install-lua: $(MODULE)
	install -d $(DESTDIR)$(LUA_CMOD)/axlink $(addprefix $(DESTDIR)$(LUA_LMOD)/,$(LUA_DIRS))
	install -m 755 $(MODULE) $(DESTDIR)$(LUA_CMOD)/axlink/core.so
	for f in $(LUA_FILES:lua/%=%); do install -m 644 lua/$$f $(DESTDIR)$(LUA_LMOD)/$$f || exit 1; done

# LuaRocks' build pass (rockspec/axlink-scm-1.rockspec): the module only,
# with the compiler, flags and headers LuaRocks found, in build-rock/.
rock: $(MODULE)

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libaxlink.a $(DESTDIR)$(LIBDIR)/libaxlink.so.$(VERSION) \
	  $(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libaxlink.so \
	  $(DESTDIR)$(INCDIR)/axlink.h $(DESTDIR)$(LIBDIR)/pkgconfig/axlink.pc \
	  $(DESTDIR)$(LUA_CMOD)/axlink/core.so $(DESTDIR)$(BINDIR)/axlink \
	  $(addprefix $(DESTDIR)$(LUA_LMOD)/,$(LUA_FILES:lua/%=%)) \
	  $(addprefix $(DESTDIR)$(LUA_LMOD)/axlink/data/,$(notdir $(DEMO_DATA)))
	-rmdir $(DESTDIR)$(LUA_LMOD)/axlink/data \
	  $(addprefix $(DESTDIR)$(LUA_LMOD)/,$(shell printf '%s\n' $(LUA_DIRS) | sort -r)) \
	  $(DESTDIR)$(LUA_CMOD)/axlink 2>/dev/null
# ======}

# The tree as cloned: the build trees (the generated model table is in
# each, under gen/), and what an older rockspec's `luarocks make` compiled
# in place (objects beside their sources, the module in axlink/).
clean:
	rm -rf build build-* axlink
	rm -f src/core/*.o src/lua/*.o
