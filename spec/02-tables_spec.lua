-- Layer 2: messages as idiomatic Lua tables and back (DESIGN 3.1, 3.2).
local axlink = require "axlink"

local slurp = require("support.files").slurp

local function deepcopy(x)
  if type(x) ~= "table" then return x end
  local r = {}
  for k, v in pairs(x) do r[k] = deepcopy(v) end
  return r
end

local AX = "spec/fixtures/hdn/ax-24.0-sample.xml"
local FIXTURES = {
  AX,
  "spec/fixtures/hdn/bronaanvraag-25.0-ockto-brp-sample.xml",
  "spec/fixtures/ax/two-applicants.xml",
}

local HEAD = '<?xml version="1.0" encoding="utf-8"?>\n'

describe("msg:totable shapes", function()
  local t = assert(axlink.read(AX)):totable()

  it("is a plain table", function()
    assert.are.equal("table", type(t))
    assert.is_nil(getmetatable(t))
  end)

  it("makes a repeating entity an array even when it occurs once", function()
    assert.are.equal(1, #t.Hypotheekgever)
    assert.are.equal(1, #t.Lening)
    assert.are.equal(1, #t.Lening[1].Leningdeel)
    assert.are.equal(2, #t.PartijNAWData)
    assert.are.equal(1, #t.Hypotheekgever[1].Inkomsten[1].Uitkering)
  end)

  it("keeps a single entity a table and absent ones nil", function()
    local ident = t.Hypotheekgever[1].Identificatie
    assert.are.same({ LegitimatieSoort = "PP Paspoort", LegitimatieNr = "NS1234K1" }, ident)
    assert.is_nil(ident.ExterneIdentificatie)
    assert.is_nil(t.Dataleverancier)
  end)

  it("keeps text exactly, with no number or boolean conversion", function()
    assert.are.equal("300000.00", t.HuidigObject[1].MarktWaarde)
    assert.are.equal("N Nee", t.HuidigObject[1].TeVerkopenJN)
    assert.are.equal("AE002 Aegon Annuïteitenhypotheek", t.Lening[1].Leningdeel[1].CodeDeelMij)
    assert.are.equal("0612345678", t.Hypotheekgever[1].TelefoonNrPrive)
  end)

  it("makes attributes string fields and references { IDREF = ... }", function()
    assert.are.equal("1", t.Hypotheekgever[1].Volgnummer)
    assert.are.equal("NA03", t.PartijNAWData[2].ID)
    assert.are.same({ IDREF = "NA01" }, t.Hypotheekgever[1].RefPartijNAWData)
    assert.are.equal("test@gmail.com", t.Hypotheekgever[1]["E-mailadres"])
  end)

  it("puts text beside attributes at [1]", function()
    local m = assert(axlink.parse('<a><b c="1">tekst</b><d e="2"/></a>'))
    assert.are.same({ b = { "tekst", c = "1" }, d = { e = "2" } }, m:totable())
  end)

  it("reaches no key but element and attribute names", function()
    local function walk(x)
      for k, v in next, x do
        if type(v) == "table" then
          walk(v)
        end
        assert.is_true(type(k) == "number" or k:match("^[%a_][%w%.%-_]*$") ~= nil, tostring(k))
      end
    end
    walk(t)
    -- The namespace declarations are not fields.
    assert.is_nil(rawget(t, "xmlns:xsi"))
    assert.is_nil(rawget(t, "xsi"))
  end)

  it("makes an element occurring twice an array, model or not", function()
    local m = assert(axlink.parse("<a><x>1</x><y>2</y><x>3</x><z Volgnummer='4'/></a>"))
    assert.are.same({ x = { "1", "3" }, y = "2", z = { { Volgnummer = "4" } } }, m:totable())
  end)
end)

describe("axlink.fromtable", function()
  it("gives the same bytes back for every fixture", function()
    for _, path in ipairs(FIXTURES) do
      local msg = assert(axlink.read(path))
      local back = assert(axlink.fromtable(msg:totable()))
      assert.are.equal(slurp(path), back:serialize())
      assert.are.equal(msg:root(), back:root())
    end
  end)

  it("falls back to model order for a copied table, without the namespaces", function()
    local src = slurp(AX)
    local t = assert(axlink.parse(src)):totable()
    local back = assert(axlink.fromtable(deepcopy(t)))
    local expected = src:gsub("<OfferteAanvraag [^>]*>", "<OfferteAanvraag>")
    assert.are.equal(expected, back:serialize())
  end)

  it("defaults the root to OfferteAanvraag and takes opts.root", function()
    assert.are.equal("OfferteAanvraag", assert(axlink.fromtable({})):root())
    assert.are.equal(HEAD .. "<X>\n\t<a>1</a>\n</X>\n",
      assert(axlink.fromtable({ a = "1" }, { root = "X" })):serialize())
  end)

  it("places a new element after its last model predecessor", function()
    local msg = assert(axlink.read(AX))
    local t = msg:totable()
    t.Hypotheekgever[1].Identificatie.ExterneIdentificatie = {
      { PersoonsID = "d0228eea-b818-4303-9357-aa043d24b452", RefDataleverancier = { IDREF = "DL1" } },
    }
    t.Dataleverancier = { { ID = "DL1", DataleverancierID = "eyJ" } }
    local out = assert(axlink.fromtable(t)):serialize()
    assert.truthy(out:find(table.concat({
      "\t\t\t<LegitimatieNr>NS1234K1</LegitimatieNr>",
      "\t\t\t<ExterneIdentificatie Volgnummer=\"1\">",
      "\t\t\t\t<PersoonsID>d0228eea-b818-4303-9357-aa043d24b452</PersoonsID>",
      "\t\t\t\t<RefDataleverancier IDREF=\"DL1\"/>",
      "\t\t\t</ExterneIdentificatie>",
      "\t\t</Identificatie>" }, "\n"), 1, true))
    -- Dataleverancier: directly after the last PartijNAWData (ASSUMED position).
    assert.truthy(out:find("\t</PartijNAWData>\n\t<Dataleverancier Volgnummer=\"1\" ID=\"DL1\">\n" ..
      "\t\t<DataleverancierID>eyJ</DataleverancierID>\n\t</Dataleverancier>\n\t<TussenPersoon", 1, true))
  end)

  it("numbers a new repeating entity max+1 among its siblings", function()
    local m = assert(axlink.parse("<OfferteAanvraag><Hypotheekgever Volgnummer='745'><TelefoonNrPrive>1</TelefoonNrPrive>" ..
      "</Hypotheekgever></OfferteAanvraag>"))
    local t = m:totable()
    t.Hypotheekgever[2] = { TelefoonNrPrive = "2" }
    t.Hypotheekgever[3] = { TelefoonNrPrive = "3", Volgnummer = "9" }
    t.Hypotheekgever[4] = { TelefoonNrPrive = "4" }
    local out = assert(axlink.fromtable(t)):serialize()
    local nums = {}
    for v in out:gmatch('Hypotheekgever Volgnummer="(%d+)"') do nums[#nums + 1] = v end
    assert.are.same({ "745", "746", "9", "747" }, nums)
  end)

  it("keeps each new array item's own fields (regression: a stack slip once gave both the last one's)", function()
    local m = assert(axlink.parse("<OfferteAanvraag><PartijNAWData Volgnummer='1' ID='NA01'>" ..
      "<SoortPartij>01 natuurlijk persoon</SoortPartij></PartijNAWData></OfferteAanvraag>"))
    local t = m:totable()
    t.Dataleverancier = { { ID = "DL1", DataleverancierID = "k1" }, { ID = "DL2", DataleverancierID = "k2" },
      { ID = "DL3", DataleverancierID = "k3", Volgnummer = "7" } }
    assert.are.equal(HEAD .. '<OfferteAanvraag>\n\t<PartijNAWData Volgnummer="1" ID="NA01">\n' ..
      '\t\t<SoortPartij>01 natuurlijk persoon</SoortPartij>\n\t</PartijNAWData>\n' ..
      '\t<Dataleverancier Volgnummer="8" ID="DL1">\n\t\t<DataleverancierID>k1</DataleverancierID>\n\t</Dataleverancier>\n' ..
      '\t<Dataleverancier Volgnummer="9" ID="DL2">\n\t\t<DataleverancierID>k2</DataleverancierID>\n\t</Dataleverancier>\n' ..
      '\t<Dataleverancier Volgnummer="7" ID="DL3">\n\t\t<DataleverancierID>k3</DataleverancierID>\n\t</Dataleverancier>\n' ..
      '</OfferteAanvraag>\n', assert(axlink.fromtable(t)):serialize())
  end)

  it("refuses to number a new entity after a Volgnummer at the top of the range (found by fuzzing)", function()
    local t = { Hypotheekgever = { { Volgnummer = tostring(math.maxinteger), TelefoonNrPrive = "1" } } }
    t.Hypotheekgever[2] = { TelefoonNrPrive = "2" }
    local m, _, info = axlink.fromtable(t)
    assert.is_nil(m)
    assert.are.equal("AXL-T12", info.code)
    -- A Volgnummer beyond a long does not count: numbering starts over it at 1.
    t.Hypotheekgever[1].Volgnummer = "444444444444444444444444444444"
    assert.truthy(assert(axlink.fromtable(t)):serialize():find('<Hypotheekgever Volgnummer="1">', 1, true))
  end)

  it("puts new unknown elements last, sorted by name, the same in every run", function()
    local t = { Zeta = "z", Alfa = "a", Mid = { B = "2", A = "1" }, Hypotheekgever = { { TelefoonNrPrive = "1" } } }
    local want = HEAD .. "<OfferteAanvraag>\n\t<Hypotheekgever Volgnummer=\"1\">\n\t\t<TelefoonNrPrive>1</TelefoonNrPrive>\n" ..
      "\t</Hypotheekgever>\n\t<Alfa>a</Alfa>\n\t<Mid>\n\t\t<A>1</A>\n\t\t<B>2</B>\n\t</Mid>\n\t<Zeta>z</Zeta>\n</OfferteAanvraag>\n"
    assert.are.equal(want, assert(axlink.fromtable(t)):serialize())
    -- pairs() order differs between Lua states: run it in fresh processes.
    local script = os.tmpname()
    local f = assert(io.open(script, "w"))
    f:write([[
package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
package.cpath = (os.getenv("AXLINK_CPATH") or "build/?.so") .. ";" .. package.cpath
local axlink = require "axlink"
local t = {}
for i = 1, 40 do t["N" .. (i * 7919 % 101)] = tostring(i) end
t.Attr = { "tekst", ID = "x", Volgnummer = "2", IDREF = "y", Zz = "1", Aa = "2" }
io.write(assert(axlink.fromtable(t)):serialize())
]])
    f:close()
    local outputs = {}
    for i = 1, 4 do
      local p = io.popen("lua5.4 " .. script)
      outputs[i] = p:read("a")
      p:close()
    end
    os.remove(script)
    for i = 2, 4 do assert.are.equal(outputs[1], outputs[i]) end
    assert.truthy(outputs[1]:find('<Attr Volgnummer="2" ID="x" IDREF="y" Aa="2" Zz="1">tekst</Attr>', 1, true))
  end)

  it("keeps existing attribute order, adds new ones after, new plain fields as elements", function()
    local m = assert(axlink.parse('<a><b z="1" ID="2"/><d y="1">t</d></a>'))
    local t = m:totable()
    t.b.Volgnummer = "5"
    t.b.c = "x"       -- not an attribute by record, model or name: an element
    t.d.x = "2"       -- beside text at [1] every field is an attribute
    assert.are.equal(HEAD .. '<a>\n\t<b z="1" ID="2" Volgnummer="5">\n\t\t<c>x</c>\n\t</b>\n' ..
      '\t<d y="1" x="2">t</d>\n</a>\n', assert(axlink.fromtable(t)):serialize())
  end)

  it("drops what the user removed and keeps the rest in document order", function()
    local msg = assert(axlink.read(AX))
    local t = msg:totable()
    table.remove(t.PartijNAWData, 1)
    t.HuidigObject = nil
    local out = assert(axlink.fromtable(t)):serialize()
    assert.falsy(out:find("HuidigObject", 1, true))
    assert.falsy(out:find('ID="NA01"', 1, true))
    assert.truthy(out:find('<PartijNAWData Volgnummer="2" ID="NA03">', 1, true))
    assert.truthy(out:find("</Hypotheekgever>\n\t<PartijNAWData", 1, true))
  end)

  it("writes integers with tostring and escapes text", function()
    local out = assert(axlink.fromtable({ a = 360, b = "x < y & \"z\"", c = { "t", q = "'\"<" } },
      { root = "r" })):serialize()
    assert.are.equal(HEAD .. '<r>\n\t<a>360</a>\n\t<b>x &lt; y &amp; "z"</b>\n\t<c q="\'&quot;&lt;">t</c>\n</r>\n', out)
  end)

  it("keeps invisible xsi attributes through an update", function()
    local src = HEAD .. '<OfferteAanvraag xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n' ..
      '\t<Lening Volgnummer="1">\n\t\t<Financier xsi:nil="true"/>\n\t</Lening>\n</OfferteAanvraag>\n'
    local t = assert(axlink.parse(src)):totable()
    assert.are.same({ Lening = { { Volgnummer = "1", Financier = "" } } }, t)
    assert.are.equal(src, assert(axlink.fromtable(t)):serialize())
  end)

  it("keeps each invisible attribute's own prefix when two prefixes name one URI", function()
    local src = HEAD .. '<OfferteAanvraag xmlns:p="urn:x" xmlns:q="urn:x">\n' ..
      '\t<Naam p:a="1" q:f="2">x</Naam>\n</OfferteAanvraag>\n'
    local t = assert(axlink.parse(src)):totable()
    assert.are.equal(src, assert(axlink.fromtable(t)):serialize())
  end)

  local refusals = {
    { "a boolean", { a = true }, "AXL-T01" },
    { "a function", { a = print }, "AXL-T01" },
    { "a float", { a = 1.5 }, "AXL-T02" },
    { "an integral float", { a = 2.0 }, "AXL-T02" },
    { "a key that is not a name", { ["1a"] = "x" }, "AXL-T04" },
    { "a key with a space", { ["a b"] = "x" }, "AXL-T04" },
    { "a prefixed key", { ["xsi:nil"] = "x" }, "AXL-T04" },
    { "a numeric key", { [2] = "x" }, "AXL-T04" },
    { "a single table for a repeating entity", { Hypotheekgever = { TelefoonNrPrive = "1" } }, "AXL-T05" },
    { "an array for a single entity", { Hypotheekgever = { { Identificatie = { { LegitimatieNr = "1" } } } } },
      "AXL-T06" },
    { "text beside children", { a = { "text", b = { c = "1" } } }, "AXL-T08" },
    { "a NUL byte", { a = "x\0y" }, "AXL-T09" },
    { "invalid UTF-8", { a = "\255" }, "AXL-T09" },
    { "a control character", { a = "\1" }, "AXL-T09" },
    { "an array item that is a boolean", { x = { true } }, "AXL-T01" },
  }
  for _, case in ipairs(refusals) do
    it("refuses " .. case[1] .. " with " .. case[3], function()
      local msg, err, info = axlink.fromtable(case[2])
      assert.is_nil(msg)
      assert.are.equal(case[3], info.code)
      assert.truthy(err:find(case[3], 1, true))
      assert.is_string(info.path)
    end)
  end

  it("names the path of a refusal", function()
    local _, _, info = axlink.fromtable({ Hypotheekgever = { { Inkomsten = { { Uitkering = { { X = false } } } } } } })
    assert.are.equal("/OfferteAanvraag/Hypotheekgever[1]/Inkomsten[1]/Uitkering[1]/X", info.path)
  end)

  it("refuses a cycle", function()
    local t = { a = {} }
    t.a.b = t
    local _, _, info = axlink.fromtable(t)
    assert.are.equal("AXL-T03", info.code)
  end)

  -- Nested tables ending in a text element: n elements deep with the root.
  local function nested(n)
    local deep = {}
    local cur = deep
    for _ = 1, n - 2 do cur.x = {} cur = cur.x end
    cur.x = "v"
    return deep
  end

  it("refuses depth over 256 (DESIGN 3.1), or over opts.max_depth", function()
    assert.is_truthy(axlink.fromtable(nested(256)))
    local _, err, info = axlink.fromtable(nested(257))
    assert.are.equal("AXL-T07", info.code)
    assert.matches("max_depth", err, 1, true)
    _, _, info = axlink.fromtable(nested(257), { max_depth = 1000 })  -- the ceiling holds
    assert.are.equal("AXL-T07", info.code)
    -- Deeper than parse's default: it parses back with the same max_depth.
    local msg = assert(axlink.fromtable(nested(65)))
    assert.is_nil(axlink.parse(msg:serialize()))
    assert.is_truthy(axlink.parse(msg:serialize(), { max_depth = 65 }))
    -- opts.max_depth asks for parse's default, so the output parses as it is.
    assert.is_truthy(axlink.fromtable(nested(64), { max_depth = 64 }))
    _, _, info = axlink.fromtable(nested(65), { max_depth = 64 })
    assert.are.equal("AXL-T07", info.code)
  end)

  it("keeps to parse's attribute, element and text limits", function()
    local wide = {}
    for i = 1, 64 do wide["a" .. i] = "1" end
    wide[1] = "t"
    local ok = assert(axlink.fromtable({ E = wide }, { root = "r" }))
    assert.is_truthy(axlink.parse(ok:serialize()))
    wide.a65 = "1"
    local _, _, info = axlink.fromtable({ E = wide }, { root = "r" })
    assert.are.equal("AXL-T13", info.code)
    assert.are.equal("/r/E", info.path)
    assert.is_truthy(axlink.fromtable({ E = wide }, { root = "r", max_attributes = 65 }))

    _, _, info = axlink.fromtable({ a = "1", b = "2", c = { d = "3" } }, { root = "r", max_elements = 4 })
    assert.are.equal("AXL-T14", info.code)
    assert.is_truthy(axlink.fromtable({ a = "1", b = "2", c = { d = "3" } }, { root = "r", max_elements = 5 }))

    _, _, info = axlink.fromtable({ a = "12345" }, { root = "r", max_text = 4 })
    assert.are.equal("AXL-T15", info.code)
    _, _, info = axlink.fromtable({ a = { "x", b = "12345" } }, { root = "r", max_text = 4 })
    assert.are.equal("AXL-T15", info.code)
    assert.are.equal("/r/a/b", info.path)
  end)

  it("holds invisible attributes to max_text as well", function()
    local t = assert(axlink.parse('<r xmlns:x="urn:u" x:a="123456"><b>1</b></r>')):totable()
    local _, _, info = axlink.fromtable(t, { max_text = 4 })
    assert.are.equal("AXL-T15", info.code)
    local out = assert(axlink.fromtable(t)):serialize()
    assert.truthy(out:find('x:a="123456"', 1, true))
  end)

  it("orders by the model when the message's schema was closed, and does not raise", function()
    local s = assert(axlink.schema.load("spec/fixtures/schemas/ax-base.xsd"))
    local msg = assert(axlink.read("spec/fixtures/ax/two-applicants.xml", { schema = s }))
    local t = msg:totable()
    s:close()
    t.PartijNAWData[1].Geslacht = "M Man"
    assert.is_truthy(axlink.fromtable(t))
    assert.is_truthy(msg:update(function(u) u.PartijNAWData[1].Geslacht = "M Man" end))
    assert.truthy(msg:serialize():find("</GeboorteDt>\n\t\t<Geslacht>", 1, true))
  end)

  it("keeps the limits a message was parsed with through an update", function()
    local attrs = {}
    for i = 1, 70 do attrs[#attrs + 1] = ('a%d="1"'):format(i) end
    local src = HEAD .. "<r>\n\t<E " .. table.concat(attrs, " ") .. ">t</E>\n</r>\n"
    assert.is_nil(axlink.parse(src))
    local msg = assert(axlink.parse(src, { max_attributes = 80 }))
    assert.is_truthy(msg:update(function(t) t.E.a71 = "2" end))
    local _, _, info = msg:update(function(t)
      for i = 72, 90 do t.E["a" .. i] = "3" end
    end)
    assert.are.equal("AXL-T13", info.code)
    assert.is_truthy(axlink.parse(msg:serialize(), { max_attributes = 80 }))
  end)

  it("accepts one table shared in two places", function()
    local shared = { B = "1" }
    local out = assert(axlink.fromtable({ a = shared, c = shared }, { root = "r" })):serialize()
    assert.are.equal(HEAD .. "<r>\n\t<a>\n\t\t<B>1</B>\n\t</a>\n\t<c>\n\t\t<B>1</B>\n\t</c>\n</r>\n", out)
  end)

  it("raises for a wrong argument type", function()
    assert.has_error(function() axlink.fromtable("x") end)
    assert.has_error(function() axlink.fromtable({}, { root = 1 }) end)
  end)
end)

describe("msg:settable", function()
  it("puts filled tables back, keeping order, root and schema; all or nothing", function()
    local msg = assert(axlink.read(AX))
    local t = msg:totable()
    t.Hypotheekgever[1].TelefoonNrWerk = "0201234567"
    assert.is_true(msg:settable(t))
    assert.truthy(msg:serialize():find("<TelefoonNrWerk>0201234567</TelefoonNrWerk>", 1, true))
    local before = msg:serialize()
    t = msg:totable()
    t.Lening = true
    local ok, _, info = msg:settable(t)
    assert.is_nil(ok)
    assert.are.equal("AXL-T01", info.code)
    assert.are.equal(before, msg:serialize())
    assert.has_error(function() msg:settable("x") end)
    assert.has_error(function() msg:settable({}, "force") end)
  end)
end)

describe("stale tables (DESIGN 3.1)", function()
  local TWO = "spec/fixtures/ax/two-applicants.xml"
  local CELIK = { id = "person-a", birth_date = "1956-04-23", initials = "H", surname = "Celik" }

  local function linked_message()
    local msg = assert(axlink.read(TWO))
    return msg, msg:totable()
  end

  it("refuses tables taken before a link, unlink or settable, saying why (AXL-T16)", function()
    local changes = {
      link = function(msg) assert(msg:link({ id = "k1", persons = { CELIK } })) end,
      unlink = function(msg)
        assert(msg:unlink { persoons_id = CELIK.id, dataleverancier_id = "k0" })
      end,
      settable = function(msg) assert(msg:settable(msg:totable())) end,
      update = function(msg) assert(msg:update(function(u) u.Lening = nil end)) end,
    }
    for what, change in pairs(changes) do
      local msg = assert(axlink.read(TWO))
      assert(msg:link({ id = "k0", persons = { CELIK } }))
      local t = msg:totable()
      change(msg)
      local before = msg:serialize()
      local ok, err, info = msg:settable(t)
      assert.is_nil(ok, what)
      assert.are.equal("AXL-T16", info.code, what)
      assert.truthy(err:find("would drop that change", 1, true), err)
      assert.are.equal(before, msg:serialize(), what)
      -- opts.force writes them all the same.
      assert.is_true(msg:settable(t, { force = true }), what)
    end
  end)

  it("keeps the links a fill on fresh tables adds to", function()
    local msg = assert(axlink.read(TWO))
    local stale = msg:totable()
    assert(msg:link({ id = "k1", persons = { CELIK } }))
    assert.is_nil((msg:settable(stale)))
    assert.are.equal(1, #msg:links())
    local t = msg:totable()
    t.Hypotheekgever[1].TelefoonNrWerk = "0201234567"
    assert.is_true(msg:settable(t))
    assert.are.equal(1, #msg:links())
    -- The tables just written are the message now: edited again, they go in.
    t.Hypotheekgever[1].TelefoonNrWerk = "0207654321"
    assert.is_true(msg:settable(t))
    assert.truthy(msg:serialize():find("0207654321", 1, true))
  end)

  it("accepts tables of another message, a deep copy and literals", function()
    local msg, t = linked_message()
    local copy = deepcopy(t)
    local other = msg:clone()
    assert(msg:link({ id = "k1", persons = { CELIK } }))
    assert.is_true(other:settable(t))            -- taken from msg, not from other
    assert.is_true(msg:settable(copy))           -- a copy has no record
    assert(msg:link({ id = "k1", persons = { CELIK } }))
    assert.is_true(msg:settable({ Hypotheekgever = { { Volgnummer = "1" } } }))
  end)

  it("refuses an update whose function changed the message", function()
    local msg = assert(axlink.read(TWO))
    local ok, _, info = msg:update(function() assert(msg:link({ id = "k1", persons = { CELIK } })) end)
    assert.is_nil(ok)
    assert.are.equal("AXL-T16", info.code)
    assert.are.equal(1, #msg:links())
  end)

  it("keeps the revision outside the tables", function()
    local msg = assert(axlink.read(TWO))
    local t = msg:totable()
    assert(msg:link({ id = "k1", persons = { CELIK } }))
    for k in pairs(t) do
      assert.is_string(k)
      assert.truthy(k:match("^%u"), k)   -- element names only
    end
    assert.is_nil(getmetatable(t))
    assert.is_nil(rawget(t, "revision"))
  end)
end)

describe("msg:update", function()
  it("edits the message through its tables", function()
    local msg = assert(axlink.read(AX))
    assert.is_true(msg:update(function(t) t.Hypotheekgever[1].TelefoonNrWerk = "0201234567" end))
    assert.truthy(msg:serialize():find("<TelefoonNrWerk>0201234567</TelefoonNrWerk>", 1, true))
    assert.are.equal("OfferteAanvraag", msg:root())
  end)

  it("leaves the message unchanged when the edit is refused or raises", function()
    local msg = assert(axlink.read(AX))
    local before = msg:serialize()
    local ok, err, info = msg:update(function(t) t.Hypotheekgever[1].TelefoonNrWerk = 1.5 end)
    assert.is_nil(ok)
    assert.are.equal("AXL-T02", info.code)
    assert.is_string(err)
    ok, err, info = msg:update(function() error("boom") end)
    assert.is_nil(ok)
    assert.are.equal("AXL-T11", info.code)
    assert.truthy(err:find("boom", 1, true))
    assert.are.equal(before, msg:serialize())
  end)

  it("keeps an older table's order record valid after the update", function()
    local msg = assert(axlink.read(AX))
    local t = msg:totable()
    assert.is_true(msg:update(function(u) u.Lening = nil end))
    assert.are.equal(slurp(AX), assert(axlink.fromtable(t)):serialize())
  end)
end)
