-- The LuaRocks install, offline over Debian's packages (--deps-mode=none),
-- into a scratch tree: module, CLI and example data, run from another
-- directory so nothing is found through the checkout.
describe("luarocks make #external", function()
  local tree = os.tmpname()

  setup(function()
    os.remove(tree)
    assert(os.execute("mkdir -p " .. tree))
  end)

  teardown(function()
    os.execute("rm -rf " .. tree)
  end)

  local function run(cmd)
    local p = io.popen(cmd .. " 2>&1; echo \"rc=$?\"")
    local out = p:read("a")
    p:close()
    return out
  end

  -- The rock builds through the Makefile (the C core's model table is
  -- generated from the AX profile at build time), so no list of sources
  -- can go stale; what it installs is checked below, file by file.
  it("builds through the Makefile", function()
    local spec = assert(io.open("rockspec/axlink-scm-1.rockspec")):read("a")
    assert.truthy(spec:find('type = "make"', 1, true), "the rockspec's build type")
  end)

  it("installs the module, bin/axlink and the example data; the demo runs from the rock", function()
    local out = run("luarocks --lua-version=5.4 make rockspec/axlink-scm-1.rockspec --tree " .. tree ..
      " --deps-mode=none")
    assert.truthy(out:find("axlink scm-1 is now installed", 1, true), out)
    assert.truthy(io.open(tree .. "/share/lua/5.4/axlink/data/aanvraag.xml"))
    local env = "eval \"$(luarocks --lua-version=5.4 path --tree " .. tree .. ")\"; cd /tmp; "
    out = run(env .. tree .. "/bin/axlink demo")
    assert.truthy(out:find("Hypotheekgever 2 -> PartijNAWData NA01 (natuurlijk persoon)", 1, true), out)
    assert.truthy(out:find("person 2 -> Hypotheekgever 4: ExterneIdentificatie + own Dataleverancier DL2 (verified)",
      1, true), out)
    assert.truthy(out:find("rc=0", 1, true), out)
    out = run(env .. "lua5.4 -e 'local a = require \"axlink\"; " ..
      "io.write(package.searchpath(\"axlink.core\", package.cpath), \" \", a._VERSION)'")
    assert.truthy(out:find(tree .. "/lib/lua/5.4/axlink/core.so 0.1.0", 1, true), out)
    -- Every Lua module of lua/ is in the rock, under its module path.
    local p = io.popen("cd lua && find axlink -name '*.lua' | sort")
    for file in p:lines() do
      assert.truthy(io.open(tree .. "/share/lua/5.4/" .. file), file .. " missing from the rock")
    end
    p:close()
  end)
end)

-- make install for C hosts and Lua (DESIGN 11), into a scratch prefix: a C
-- program builds with pkg-config alone and runs against the shared library;
-- the CLI finds its modules under its own prefix; make uninstall removes
-- exactly what install put there.
describe("make install #external", function()
  local prefix = os.tmpname()

  setup(function()
    os.remove(prefix)
    assert(os.execute("mkdir -p " .. prefix))
  end)

  teardown(function()
    os.execute("rm -rf " .. prefix)
  end)

  local function run(cmd)
    local p = io.popen("env -u LD_PRELOAD -u ASAN_OPTIONS -u LUA_PATH -u LUA_CPATH sh -c '" .. cmd .. "' 2>&1; echo \"rc=$?\"")
    local out = p:read("a")
    p:close()
    return out
  end

  local function files_under(dir)
    local p = io.popen("cd " .. dir .. " && find . ! -type d | sort")
    local list = {}
    for l in p:lines() do list[#list + 1] = l end
    p:close()
    return list
  end

  it("installs the libraries, header, pkg-config file, module and CLI; a C host builds with pkg-config only", function()
    local out = run("make -s install PREFIX=" .. prefix)
    assert.truthy(out:find("rc=0", 1, true), out)
    assert.are.same({
      "./bin/axlink", "./include/axlink.h", "./lib/libaxlink.a", "./lib/libaxlink.so", "./lib/libaxlink.so.0",
      "./lib/libaxlink.so.0.1.0", "./lib/lua/5.4/axlink/core.so", "./lib/pkgconfig/axlink.pc",
      "./share/lua/5.4/axlink/apply.lua", "./share/lua/5.4/axlink/bronaanvraag.lua",
      "./share/lua/5.4/axlink/brondata.lua",
      "./share/lua/5.4/axlink/carry.lua", "./share/lua/5.4/axlink/cdl.lua", "./share/lua/5.4/axlink/cli.lua",
      "./share/lua/5.4/axlink/data/README.md", "./share/lua/5.4/axlink/data/aanvraag.xml",
      "./share/lua/5.4/axlink/data/ockto-bundled.json", "./share/lua/5.4/axlink/demo.lua",
      "./share/lua/5.4/axlink/facts.lua", "./share/lua/5.4/axlink/fill.lua",
      "./share/lua/5.4/axlink/formats/common.lua", "./share/lua/5.4/axlink/formats/hdn_brondata.lua",
      "./share/lua/5.4/axlink/formats/iwize.lua", "./share/lua/5.4/axlink/formats/ockto.lua",
      "./share/lua/5.4/axlink/init.lua", "./share/lua/5.4/axlink/mapping.lua", "./share/lua/5.4/axlink/platform.lua",
      "./share/lua/5.4/axlink/profile.lua", "./share/lua/5.4/axlink/profiles/v24_0.lua",
      "./share/lua/5.4/axlink/values.lua",
    }, files_under(prefix))

    -- The soname, and pkg-config naming libxml2 (axlink.h includes its headers).
    out = run("objdump -p " .. prefix .. "/lib/libaxlink.so.0.1.0 | grep SONAME")
    assert.truthy(out:find("SONAME%s+libaxlink%.so%.0\n"), out)
    local pc = "PKG_CONFIG_PATH=" .. prefix .. "/lib/pkgconfig "
    out = run(pc .. "pkg-config --print-requires axlink")
    assert.truthy(out:find("^libxml%-2%.0\n"), out)
    -- The prefix of this install, not of an earlier one into another prefix.
    out = run(pc .. "pkg-config --variable=prefix axlink")
    assert.are.equal(prefix .. "\nrc=0\n", out)

    -- direct.c with the command line its header comment gives for an install.
    local exe = prefix .. "/direct"
    out = run("cd /tmp && cc -std=c99 -Wall -Wextra -O2 " .. os.getenv("PWD") .. "/examples/embed/direct.c -o " ..
      exe .. " $(" .. pc .. "pkg-config --cflags --libs axlink)")
    assert.truthy(out:find("rc=0", 1, true), out)
    out = run("LD_LIBRARY_PATH=" .. prefix .. "/lib ldd " .. exe)
    assert.truthy(out:find("libaxlink.so.0 => " .. prefix .. "/lib/libaxlink.so.0", 1, true), out)
    out = run("LD_LIBRARY_PATH=" .. prefix .. "/lib " .. exe .. " examples/data/aanvraag.xml" ..
      " --dataleverancier-id HH-2026-0042" ..
      " --person 7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d,1954-07-03,IJW,Boer,de" ..
      " --person 2a3b4c5d-6e7f-4081-92a3-b4c5d6e7f809,1955-02-17,ZN,Brouwer")
    assert.truthy(out:find("linked: person 1 -> Hypotheekgever 2, Dataleverancier DL1 (verified)", 1, true), out)
    assert.truthy(out:find("linked: person 2 -> Hypotheekgever 4, Dataleverancier DL2 (verified)", 1, true), out)
    assert.truthy(out:find("check (send): ok, 0 problem(s)", 1, true), out)
    assert.truthy(out:find("rc=0", 1, true), out)
    os.remove(exe)

    -- The CLI from another directory, without LUA_PATH: its own prefix.
    out = run("cd / && " .. prefix .. "/bin/axlink demo")
    assert.truthy(out:find("Hypotheekgever 2 -> PartijNAWData NA01 (natuurlijk persoon)", 1, true), out)
    assert.truthy(out:find("rc=0", 1, true), out)
  end)

  it("uninstalls exactly what it installed", function()
    local out = run("make -s install PREFIX=" .. prefix .. " && mkdir -p " .. prefix .. "/lib/keep && touch " ..
      prefix .. "/lib/keep/other.so " .. prefix .. "/lib/pkgconfig/other.pc")
    assert.truthy(out:find("rc=0", 1, true), out)
    out = run("make -s uninstall PREFIX=" .. prefix)
    assert.truthy(out:find("rc=0", 1, true), out)
    assert.are.same({ "./lib/keep/other.so", "./lib/pkgconfig/other.pc" }, files_under(prefix))
  end)
end)

-- make clean leaves the tree as cloned, also after `luarocks make`, which
-- compiles in place. Run in a clone with the working tree's changes, so the
-- checkout's own build stays.
describe("make clean #external", function()
  local dir = os.tmpname()

  teardown(function()
    os.execute("rm -rf " .. dir .. " " .. dir .. ".tree")
  end)

  it("removes every build output: git status --ignored shows nothing", function()
    os.remove(dir)
    local p = io.popen("(git clone -q . " .. dir .. " && git diff --binary HEAD | git -C " .. dir .. " apply --allow-empty" ..
      " && cd " .. dir .. " && make -s all >/dev/null && luarocks --lua-version=5.4 make rockspec/axlink-scm-1.rockspec" ..
      " --tree " .. dir .. ".tree --deps-mode=none >/dev/null 2>&1 && git status --ignored --porcelain | grep -c '^!!'" ..
      -- Only what git does not track counts: the working tree's own changes show as modified.
      " && make -s clean && { git status --ignored --porcelain | grep -E '^(!!|\\?\\?)' || true; }) 2>&1; echo \"rc=$?\"")
    local out = p:read("a")
    p:close()
    local built, rest = out:match("^(%d+)\n(.*)$")
    assert.truthy(built and tonumber(built) >= 2, out)   -- there was something to clean (build/, the rock's)
    assert.are.equal("rc=0\n", rest)
  end)
end)
