-- The CDL format registry, the delivery check and a user's own format end
-- to end (DESIGN 4.1, 7): read, link, fill, provenance.
local axlink = require "axlink"
local cdl = axlink.cdl

local EXAMPLE = "examples/formats/household-csv.lua"
local CSV = "examples/formats/household.csv"
local AX = "examples/data/aanvraag.xml"

local tmpfile = require("support.files").tmpfile

describe("axlink.cdl registry", function()
  it("lists the built-in formats with descriptions", function()
    local names = {}
    for _, f in ipairs(cdl.formats()) do
      names[#names + 1] = f.name
      assert.is_string(f.description)
    end
    assert.are.same({ "ockto-json", "iwize-json", "hdn-brondata-xml" }, { names[1], names[2], names[3] })
  end)

  it("refuses a table that is not a format, naming the field", function()
    local ok, err, info = cdl.register({ name = "x", detect = print })
    assert.is_nil(ok)
    assert.are.equal("AXL-C10", info.code)
    assert.truthy(err:find("format.decode", 1, true))
    assert.has_error(function() cdl.register("x") end)
    local _
    _, _, info = cdl.register({ name = "bad name", detect = print, decode = print })
    assert.are.equal("AXL-C10", info.code)
  end)

  it("detects every file of a list: two formats in one delivery are refused (AXL-C16)", function()
    -- The iWize partner file after an Ockto file: once only the first file
    -- was detected, and the second was decoded as Ockto.
    for _, order in ipairs { { "ockto-bundled", "iwize-partner" }, { "iwize-partner", "ockto-bundled" } } do
      local d, err, info = cdl.read { "examples/data/" .. order[1] .. ".json", "examples/data/" .. order[2] .. ".json" }
      assert.is_nil(d)
      assert.are.equal("AXL-C16", info.code, err)
      assert.are.equal(order[2] .. ".json", info.file)
    end
    -- Forcing a format reads every file with it (and this one is then refused by that format).
    local _, _, info = cdl.read({ "examples/data/ockto-bundled.json", "examples/data/iwize-partner.json" },
      { format = "ockto-json" })
    assert.are_not.equal("AXL-C16", info.code)
  end)

  it("says which formats it tried when none fits", function()
    local path = tmpfile("nothing any format knows")
    local d, err, info = cdl.read(path)
    os.remove(path)
    assert.is_nil(d)
    assert.are.equal("AXL-C15", info.code)
    assert.truthy(err:find("tried: ", 1, true))
    assert.are.same(info.tried, (function()
      local n = {}
      for i, f in ipairs(cdl.formats()) do n[i] = f.name end
      return n
    end)())
  end)

  it("catches a format that raises", function()
    assert(cdl.register({ name = "raiser", detect = function(b) return b:sub(1, 6) == "RAISE!" end,
      decode = function() error("boom") end }))
    local path = tmpfile("RAISE! now")
    local d, err, info = cdl.read(path)
    os.remove(path)
    assert.is_nil(d)
    assert.are.equal("AXL-C12", info.code)
    assert.truthy(err:find("boom", 1, true))
  end)

  it("refuses a device or FIFO before reading it (no cap bypass, no hang)", function()
    local d, _, info = cdl.read("/dev/zero")
    assert.is_nil(d)
    assert.are.equal("AXL-C14", info.code)
    local fifo = os.tmpname()
    os.remove(fifo)
    assert(os.execute("mkfifo " .. fifo))
    d, _, info = cdl.read(fifo)
    os.remove(fifo)
    assert.is_nil(d)
    assert.are.equal("AXL-C14", info.code)
  end)

  it("refuses an unknown forced format and a file it cannot read", function()
    local _, _, info = cdl.read(CSV, { format = "no-such-format" })
    assert.are.equal("AXL-C13", info.code)
    _, _, info = cdl.read("/nonexistent/file.json")
    assert.are.equal("AXL-C14", info.code)
  end)
end)

describe("delivery check", function()
  local function good()
    return { id = "k", persons = { { id = "a", birth_date = "1958-00-00", surname = "X" } } }
  end

  it("accepts a good delivery, partial birth dates included", function()
    assert.is_true(cdl.validate(good()))
  end)

  local cases = {
    { "no id", function(d) d.id = nil end, "AXL-C01", "delivery.id" },
    { "a bad valid_until", function(d) d.valid_until = "31-12-2026" end, "AXL-C01", "delivery.valid_until" },
    { "no persons", function(d) d.persons = {} end, "AXL-C02", "delivery.persons" },
    { "a person id that is a number", function(d) d.persons[1].id = 7 end, "AXL-C03", "delivery.persons[1].id" },
    { "a bad birth date", function(d) d.persons[1].birth_date = "12-12-1958" end, "AXL-C03",
      "delivery.persons[1].birth_date" },
    { "duplicate person ids", function(d) d.persons[2] = { id = "a" } end, "AXL-C04", "delivery.persons[2].id" },
  }
  for _, c in ipairs(cases) do
    it("refuses " .. c[1] .. " naming the field", function()
      local d = good()
      c[2](d)
      local ok, err, info = cdl.validate(d)
      assert.is_nil(ok)
      assert.are.equal(c[3], info.code)
      assert.truthy(err:find(c[4], 1, true), err)
    end)
  end

  it("scrubs any BSN-named field anywhere", function()
    local d = good()
    d.persons[1].data = { BSN = "111222333", brp = { Burgerservicenummer = "111222333", naam = "x" },
      list = { { ["burger_service_nummer"] = "111222333" } } }
    assert.are.equal(3, cdl.scrub(d))
    assert.are.same({ brp = { naam = "x" }, list = { {} } }, d.persons[1].data)
  end)
end)

describe("a user's own format (examples/formats/household-csv.lua)", function()
  local format = assert(cdl.load(EXAMPLE))

  it("loads by path and registers", function()
    assert.are.equal("household-csv", format.name)
    assert.are.equal(format, cdl.get("household-csv"))
  end)

  it("reads a delivery by detection and by force", function()
    local d = assert(cdl.read(CSV))
    assert.are.equal("HH-2026-0042", d.id)
    assert.are.equal("household-csv", d.format)
    assert.are.equal(2, #d.persons)
    assert.are.equal("Boer", d.persons[1].surname)
    assert.are.equal("de", d.persons[1].prefix)
    assert.are.same(d, assert(cdl.read({ CSV }, { format = "household-csv" })))
  end)

  it("passes a format's own refusal on", function()
    local path = tmpfile("# household-csv v1\nwrong;columns\nx\n")
    local d, err, info = cdl.read(path)
    os.remove(path)
    assert.is_nil(d)
    assert.are.equal("AXL-C20", info.code)
    assert.truthy(err:find("column 1 should be dataleverancier_id", 1, true))
  end)

  it("links and fills end to end, conflicts instead of overwrites, provenance as JSON", function()
    local msg = assert(axlink.read(AX))
    local d = assert(cdl.read(CSV))
    local r = assert(msg:link(d))
    assert.are.equal("verified", r.links[1].grade)
    assert.are.equal("verified", r.links[2].grade)
    local t = msg:totable()
    local result = assert(cdl.fill(t, d))
    -- The example AX has another address: conflicts, nothing written.
    assert.are.same({}, result.changes)
    assert.are.equal(6, #result.conflicts)   -- street, number, postcode per person (city is the same)
    assert.are.same({ path = "/OfferteAanvraag/PartijNAWData[1]/StraatNaam", source = "household-csv",
      ax_value = "Esdoornstraat", cdl_value = "Nieuwe Ebbingestraat" }, result.conflicts[1])
    -- With overwrite the CDL's values are written, each with its source.
    t = msg:totable()
    result = assert(cdl.fill(t, d, { overwrite = true }))
    assert.are.equal(6, #result.changes)
    assert.are.same({ path = "/OfferteAanvraag/PartijNAWData[1]/StraatNaam", source = "household-csv",
      old = "Esdoornstraat", new = "Nieuwe Ebbingestraat", kind = "copied" }, result.changes[1])
    assert(msg:settable(t))
    assert.truthy(msg:serialize():find("<StraatNaam>Nieuwe Ebbingestraat</StraatNaam>", 1, true))
    assert.is_true(msg:check().ok)
    local json = cdl.provenance(result)
    assert.truthy(json:find('{"path":"/OfferteAanvraag/PartijNAWData[1]/StraatNaam","source":"household-csv",' ..
      '"kind":"copied","old":"Esdoornstraat","new":"Nieuwe Ebbingestraat"}', 1, true))
    assert.are.same(result.changes[1], require("cjson").decode(json).changes[1])
  end)

  -- A user format's fill writes through ctx, which refuses what the AX does
  -- not have (AXL-C22) and values of the wrong type (AXL-C23): once such a
  -- fill wrote them and check still passed.
  it("refuses a fill that writes an unknown field or a value of the wrong type", function()
    local msg = assert(axlink.read(AX))
    local d = assert(cdl.read(CSV))
    assert(msg:link(d))
    local cases = {
      { function(ctx) ctx:set("PartijNAWData", "Lievelingskleur", "blauw") end, "AXL-C22", "Lievelingskleur" },
      { function(ctx) ctx:set("Hypotheekgever", "StraatNaam", "Dorpsstraat") end, "AXL-C22", "StraatNaam" },
      { function(ctx) ctx:entity("Huisdier", {}, { Naam = "Rex" }) end, "AXL-C22", "Huisdier" },
      { function(ctx) ctx:entity("Uitkering", {}, { Bogus = "1" }) end, "AXL-C22", "Bogus" },
      { function(ctx) ctx:set("PartijNAWData", "GeboorteDt", "03-07-1954") end, "AXL-C23", "GeboorteDt" },
      { function(ctx) ctx:set("PartijNAWData", "GeboorteDt", "1954-02-30") end, "AXL-C23", "GeboorteDt" },
      { function(ctx) ctx:set("PartijNAWData", "Huisnummer", 12) end, "AXL-C23", "Huisnummer" },
    }
    for i, c in ipairs(cases) do
      local name = "c22-test-" .. i
      assert(cdl.register { name = name, detect = function() return false end,
        decode = function() return nil, "unused" end, fill = c[1] })
      local t = msg:totable()
      local before = msg:serialize()
      local r, err, info = cdl.fill(t, d, { format = name, overwrite = true })
      assert.is_nil(r, i)
      assert.are.equal(c[2], info.code, i .. ": " .. tostring(err))
      assert.are.equal(c[3], info.field, i)
      assert.truthy(err:find(c[3], 1, true), err)
      assert.falsy(err:find("1954", 1, true), err)   -- the path and field, never the value
      assert.are.equal(before, msg:serialize())
    end
    -- A field the AX has, with a value of its type, is written.
    assert(cdl.register { name = "c22-ok", detect = function() return false end,
      decode = function() return nil, "unused" end,
      fill = function(ctx) ctx:set("PartijNAWData", "GeboorteDt", "1954-07-03") end })
    assert(cdl.fill(msg:totable(), d, { format = "c22-ok", overwrite = true }))
  end)

  it("fills nothing for a person that is not linked or not verified", function()
    local msg = assert(axlink.read(AX))
    local d = assert(cdl.read(CSV))
    local result = assert(cdl.fill(msg:totable(), d, { overwrite = true }))
    assert.are.same({}, result.changes)     -- not linked at all
    d.persons[1].birth_date = "1954-07-00"
    d.persons[2].surname = "Anders"         -- date matches, name does not: probable
    assert(msg:link(d, { match = { [d.persons[2].id] = 4 } }))
    result = assert(cdl.fill(msg:totable(), d, { overwrite = true }))
    assert.are.equal(3, #result.changes)    -- person 1 only (city unchanged)
    assert.are.same({ { person = 2, grade = "probable",
      reason = "not verified against the PartijNAWData: nothing filled" } }, result.skipped)
  end)
end)
