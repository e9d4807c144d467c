-- axlink: HDN AX messages and Consumenten Data Leverancier links.
-- Offline, over Debian's Lua packages:
--   luarocks --lua-version=5.4 make rockspec/axlink-scm-1.rockspec --deps-mode=none
rockspec_format = "3.0"
package = "axlink"
version = "scm-1"
source = {
  url = "git+file:///dev/null",  -- installed with `luarocks make` from a checkout
}
description = {
  summary = "HDN AX mortgage messages with CDL (Consumenten Data Leverancier) links",
  detailed = [[
axlink reads and writes HDN AX mortgage applications (OfferteAanvraag) with a
C core on libxml2, links CDL data files to the applicants and checks the HDN
ketenafspraak rules; Lua exposes messages as idiomatic tables.]],
  license = "Apache-2.0",
  labels = { "xml", "hdn", "mortgage" },
}
dependencies = {
  "lua >= 5.4, < 5.5",
  "lua-cjson",
  "argparse",
}
external_dependencies = {
  LIBXML2 = { header = "libxml2/libxml/parser.h", library = "xml2" },
}
-- The Makefile builds the module: the C core's AX model table is generated
-- from the AX profile at build time (tools/gen-model.lua, DESIGN 7.3), which
-- a fixed list of C sources cannot express. LuaRocks' compiler, flags and
-- the headers it found are passed in; the build goes to build-rock/ (removed
-- by `make clean`). install-lua puts axlink/core.so under the rock's LIBDIR
-- and every Lua file of lua/axlink (at any depth) under its LUADIR; LuaRocks
-- itself installs the CLI (with its wrapper) and the demo's data.
build = {
  type = "make",
  build_target = "rock",
  install_target = "install-lua",
  variables = {
    B = "build-rock",
    CC = "$(CC)",
    CFLAGS = "$(CFLAGS)",
    LUA = "$(LUA)",
    LUA_CFLAGS = "-I$(LUA_INCDIR)",
    XML_CFLAGS = "-I$(LIBXML2_INCDIR)/libxml2",
    XML_LIBS = "-L$(LIBXML2_LIBDIR) -lxml2",
    LUA_CMOD = "$(LIBDIR)",
    LUA_LMOD = "$(LUADIR)",
  },
  install = {
    bin = { axlink = "bin/axlink" },
    -- The demo finds its data next to the module (axlink/data/).
    lua = {
      ["axlink.data.aanvraag"] = "examples/data/aanvraag.xml",
      ["axlink.data.README"] = "examples/data/README.md",
      ["axlink.data.ockto-bundled"] = "examples/data/ockto-bundled.json",
    },
  },
}
