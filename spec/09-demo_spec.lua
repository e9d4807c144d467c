-- The demo (make demo): the main job on the bundled data, with no personal
-- value in its output.
local axlink = require "axlink"

describe("the demo #subprocess", function()
  it("links the bundled two-person file, checks clean and writes the result, printing no personal value", function()
    local tmp = os.tmpname()
    os.remove(tmp)
    assert(os.execute("mkdir " .. tmp))
    local p = io.popen("TMPDIR=" .. tmp .. " LUA_PATH='lua/?.lua;lua/?/init.lua;;' LUA_CPATH='" ..
      (os.getenv("AXLINK_CPATH") or "build/?.so") .. ";;' " ..
      "lua5.4 bin/axlink demo 2>&1; echo rc=$?")
    local out = p:read("a")
    p:close()
    assert.truthy(out:find("person 1 -> Hypotheekgever 2: ExterneIdentificatie + own Dataleverancier DL1 (verified)",
      1, true), out)
    assert.truthy(out:find("check (send): ok, 0 problem(s)", 1, true), out)
    assert.truthy(out:find("rc=0", 1, true), out)
    assert.truthy(out:find("changed  /OfferteAanvraag/Hypotheekgever[1]/Inkomsten[1]/Pensioen[1]/PensioenInkomen <- MPO",
      1, true), out)
    assert.truthy(out:find("conflict /OfferteAanvraag/Hypotheekgever[1]/Inkomsten[1]/Uitkering[1]/BrutoJaarUitkering",
      1, true), out)
    -- No name, birth date, key or amount from the data or the delivery.
    local d = assert(axlink.cdl.read("examples/data/ockto-bundled.json"))
    local sentinels = { d.id, "Boer", "Brouwer", "IJsbrand", "Zo\xc3\xab", "1954", "1955", "13522.00", "15383.04",
      "example.nl" }
    for _, person in ipairs(d.persons) do sentinels[#sentinels + 1] = person.id end
    for _, s in ipairs(sentinels) do
      assert.falsy(out:find(s, 1, true), "printed: " .. s)
    end
    local written = assert(axlink.read(tmp .. "/axlink-demo-aanvraag.xml"))
    assert.are.equal(2, #written:links())
    assert.is_true(written:check().ok)
    os.remove(tmp .. "/axlink-demo-aanvraag.xml")
    os.remove(tmp)
  end)
end)
