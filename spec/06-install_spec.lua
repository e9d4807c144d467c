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

  it("lists every C source the Makefile builds", function()
    local spec = assert(io.open("rockspec/axlink-scm-1.rockspec")):read("a")
    local p = io.popen("ls src/core/*.c src/lua/*.c")
    for file in p:lines() do
      assert.truthy(spec:find('"' .. file .. '"', 1, true), file .. " missing from the rockspec")
    end
    p:close()
  end)

  it("lists every Lua module of lua/", function()
    local spec = assert(io.open("rockspec/axlink-scm-1.rockspec")):read("a")
    local p = io.popen("find lua -name '*.lua' | sort")
    for file in p:lines() do
      assert.truthy(spec:find('"' .. file .. '"', 1, true), file .. " missing from the rockspec")
    end
    p:close()
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
  end)
end)
