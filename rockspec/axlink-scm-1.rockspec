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
build = {
  type = "builtin",
  modules = {
    ["axlink.core"] = {
      sources = {
        "src/core/check.c", "src/core/ids.c", "src/core/init.c", "src/core/io.c", "src/core/limits.c",
        "src/core/link.c", "src/core/match.c", "src/core/message.c", "src/core/model.c", "src/core/model_data.c",
        "src/core/parse.c", "src/core/place.c", "src/core/report.c", "src/core/schema.c",
        "src/core/serialize.c", "src/core/text.c", "src/core/supplier.c", "src/core/view.c", "src/core/xmlerrors.c",
        "src/core/xsdlimits.c", "src/core/xsdorder.c", "src/core/xsdwalk.c",
        "src/lua/check.c", "src/lua/cli.c", "src/lua/fromtable.c", "src/lua/link.c",
        "src/lua/module.c", "src/lua/schema.c", "src/lua/totable.c",
      },
      defines = { "_XOPEN_SOURCE=700", "_DEFAULT_SOURCE" },
      incdirs = { "src/core", "$(LIBXML2_INCDIR)/libxml2" },
      libdirs = { "$(LIBXML2_LIBDIR)" },
      libraries = { "xml2", "pthread", "m" },
    },
    axlink = "lua/axlink/init.lua",
    ["axlink.values"] = "lua/axlink/values.lua",
    ["axlink.demo"] = "lua/axlink/demo.lua",
    ["axlink.cli"] = "lua/axlink/cli.lua",
    ["axlink.cdl"] = "lua/axlink/cdl.lua",
    ["axlink.fill"] = "lua/axlink/fill.lua",
    ["axlink.formats.ockto"] = "lua/axlink/formats/ockto.lua",
    ["axlink.formats.iwize"] = "lua/axlink/formats/iwize.lua",
    ["axlink.formats.hdn_brondata"] = "lua/axlink/formats/hdn_brondata.lua",
    ["axlink.bronaanvraag"] = "lua/axlink/bronaanvraag.lua",
    ["axlink.brondata"] = "lua/axlink/brondata.lua",
    ["axlink.platform"] = "lua/axlink/platform.lua",
    ["axlink.carry"] = "lua/axlink/carry.lua",
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
