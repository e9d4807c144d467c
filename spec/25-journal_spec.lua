-- The message journal and entity writes (DESIGN 7.4, what axlink.cdl.apply
-- is built on): msg:_begin/_commit/_rollback, msg:_entity, msg:_replace.
local axlink = require "axlink"

local TWO = "spec/fixtures/ax/two-applicants.xml"   -- Hypotheekgever 3 (NA01), 7 (NA02); PartijNAWData NA05
local HDN = "spec/fixtures/hdn/ax-24.0-sample.xml"   -- Hypotheekgever 1 (Achternaam, 1958-12-12)
local OCKTO_KEY = "eyJjb25zdW1lckRhdGEiOnsiRGF0YVNvdXJjZXMiOlsiTU9IIiwiVVdWIiwiVklBIiwiVVBPIiwiRFVPIiwiUkJSIiwi" ..
  "SUtCIiwiSURJTiJdLCJJZCI6IjhiZWU1OTA1LTljMmMtNGEyYS1iZDZjLWIzZjM2YWYzYTNlYyIsIk9kbVZlcnNpb24iOiJWNF80In19"

local CELIK = { id = "0b7c1a52-4c1e-4b8e-9a51-0d1f3f5e6a01", birth_date = "1956-04-23", initials = "H",
  surname = "Celik" }
local BERG = { id = "5d2e9f30-8a4b-4d6c-b1e2-7f3a9c0d1e02", birth_date = "1957-11-00", initials = "Th",
  prefix = "van den", surname = "Berg" }
local BUNDLED = { id = "bundel-1", persons = { CELIK, BERG } }

local PARTIJ = "OfferteAanvraag/PartijNAWData"
local HG = "OfferteAanvraag/Hypotheekgever"

local function deep_copy(t)
  if type(t) ~= "table" then return t end
  local c = {}
  for k, v in pairs(t) do c[k] = deep_copy(v) end
  return c
end

local function count(s, pat)
  local n = 0
  for _ in s:gmatch(pat) do n = n + 1 end
  return n
end

-- The line of the first problem with this code, from msg:check().
local function line_of(msg, code)
  for _, p in ipairs(msg:check().problems) do
    if p.code == code then return p.line, p.path end
  end
end

describe("msg:_rollback", function()
  it("takes back an in-place link: the same bytes, no links, tables of before current again", function()
    local msg = assert(axlink.read(TWO))
    local before = msg:serialize()
    local t0 = msg:totable()
    msg:_begin()
    assert(msg:link(BUNDLED))
    assert.are.equal(2, #msg:links())
    local during = msg:totable()
    assert.is_true(msg:_stale(t0))
    msg:_rollback()
    assert.are.equal(before, msg:serialize())
    assert.are.same({}, msg:links())
    assert.is_false(msg:_stale(t0))
    -- Tables taken inside the journal show a state that is gone: never current again.
    assert.is_true(msg:_stale(during))
    assert(msg:link(BUNDLED))
    assert.is_true(msg:_stale(during))
    assert.is_true(msg:_stale(t0))
  end)

  it("takes back a replace link (done on a copy): the message of before comes back", function()
    local msg = assert(axlink.read(HDN))
    local person = { id = "old-person-id", birth_date = "1958-12-12", initials = "V", surname = "Achternaam" }
    assert(msg:link({ id = OCKTO_KEY, persons = { person } }))
    local before = msg:serialize()
    local t0 = msg:totable()
    msg:_begin()
    local new_key = OCKTO_KEY:gsub("In19$", "In0x")
    person = { id = "new-person-id", birth_date = "1958-12-12", initials = "V", surname = "Achternaam" }
    assert(msg:link({ id = new_key, persons = { person } }, { replace = true }))
    assert.are.equal("new-person-id", msg:links()[1].persoons_id)
    msg:_rollback()
    assert.are.equal(before, msg:serialize())
    assert.are.equal("old-person-id", msg:links()[1].persoons_id)
    assert.is_false(msg:_stale(t0))
    -- The tables of before still write back exactly (their order record is whole).
    assert(msg:settable(t0))
    assert.are.equal(before, msg:serialize())
  end)

  it("takes back several _replace calls, and old elements keep their line numbers", function()
    local xml = assert(io.open(TWO)):read("a")
      :gsub("<RekeningNr>NL02INGB0000000702</RekeningNr>", "<RekeningNr/>")
    local msg = assert(axlink.parse(xml))
    local before = msg:serialize()
    local line, path = line_of(msg, "AXL-R11")
    assert.are.equal(90, line)
    assert.are.equal("/OfferteAanvraag/PartijNAWData[2]/RekeningNr", path)
    msg:_begin()
    for _, id in ipairs({ "NA01", "NA02", "NA05" }) do
      local t, i = msg:_entity(PARTIJ, "ID", id)
      t.VoorNamen = "Anders"
      -- A deep copy carries no order record: written as new elements, without lines.
      assert(msg:_replace(PARTIJ, i, deep_copy(t)))
    end
    local h, hi = msg:_entity(HG, "Volgnummer", "7")
    h.TelefoonNrPrive = "0000"
    assert(msg:_replace(HG, hi, h))
    assert.are.equal(3, count(msg:serialize(), "<VoorNamen>Anders</VoorNamen>"))
    assert.is_nil((line_of(msg, "AXL-R11")))
    msg:_rollback()
    assert.are.equal(before, msg:serialize())
    assert.are.equal(90, (line_of(msg, "AXL-R11")))
  end)

  it("takes back a link and a _replace of the Hypotheekgever the link wrote into", function()
    local msg = assert(axlink.read(TWO))
    local before = msg:serialize()
    msg:_begin()
    assert(msg:link(BUNDLED))
    local h, i = msg:_entity(HG, "Volgnummer", "3")
    assert.are.equal(CELIK.id, h.Identificatie.ExterneIdentificatie[1].PersoonsID)
    h.Inkomsten[1].Uitkering[1].BrutoJaarUitkering = "12000.00"
    assert(msg:_replace(HG, i, h))
    local p, j = msg:_entity(PARTIJ, "ID", "NA02")
    p.VoorNamen = "Dora"
    assert(msg:_replace(PARTIJ, j, p))
    assert.truthy(msg:serialize():find("<BrutoJaarUitkering>12000.00</BrutoJaarUitkering>", 1, true))
    assert.are.equal(2, #msg:links())
    msg:_rollback()
    assert.are.equal(before, msg:serialize())
    assert.are.same({}, msg:links())
  end)

  it("takes back unlink and settable (a new message in the old one's place)", function()
    local msg = assert(axlink.read(TWO))
    assert(msg:link(BUNDLED))
    local before = msg:serialize()
    msg:_begin()
    assert(msg:unlink({ persoons_id = CELIK.id, dataleverancier_id = "bundel-1" }))
    local t = msg:totable()
    t.PartijNAWData[1].VoorNamen = "Other"
    assert(msg:settable(t))
    assert(msg:link({ id = "file-c", persons = { CELIK } }))
    assert.are_not.equal(before, msg:serialize())
    msg:_rollback()
    assert.are.equal(before, msg:serialize())
    assert.are.equal(2, #msg:links())
  end)
end)

describe("msg:_commit", function()
  it("keeps every change and closes the journal", function()
    local msg = assert(axlink.read(TWO))
    msg:_begin()
    assert(msg:link(BUNDLED))
    local p, i = msg:_entity(PARTIJ, "ID", "NA01")
    p.VoorNamen = "Emre"
    assert(msg:_replace(PARTIJ, i, p))
    local after = msg:serialize()
    msg:_commit()
    assert.are.equal(after, msg:serialize())
    assert.are.equal(2, #msg:links())
    assert.has_error(function() msg:_rollback() end, "no journal is open on this message")
    assert.has_error(function() msg:_commit() end, "no journal is open on this message")
  end)

  it("opens one journal at a time; a closed message keeps none", function()
    local msg = assert(axlink.read(TWO))
    msg:_begin()
    assert.has_error(function() msg:_begin() end, "a journal is open on this message already")
    assert(msg:link(BUNDLED))
    msg:close()    -- the journal's changes stay, nothing it kept leaks
    assert.has_error(function() msg:_begin() end, "message is closed")
  end)
end)

describe("msg:_entity", function()
  it("gives the entity exactly as totable shapes it, with its index", function()
    local msg = assert(axlink.read(TWO))
    local all = msg:totable()
    local p, i = msg:_entity(PARTIJ, "ID", "NA05")
    assert.are.equal(3, i)
    assert.are.same(all.PartijNAWData[3], p)
    local h, j = msg:_entity(HG, "Volgnummer", "7")
    assert.are.equal(2, j)
    assert.are.same(all.Hypotheekgever[2], h)
    assert.are.equal("table", type(h.Inkomsten[1].Uitkering))   -- repeating: an array
    assert.are.same({ IDREF = "NA02" }, h.RefPartijNAWData)
    assert.is_nil(msg:_entity(PARTIJ, "ID", "NA09"))
    assert.is_nil(msg:_entity("OfferteAanvraag/Nothing", "ID", "NA01"))
    assert.is_nil(msg:_entity("Other/PartijNAWData", "ID", "NA01"))
  end)

  it("round-trips through _replace unchanged to the same bytes", function()
    local msg = assert(axlink.read(HDN))
    local before = msg:serialize()
    for _, e in ipairs({ { HG, "Volgnummer", "1" }, { PARTIJ, "ID", "NA01" }, { "OfferteAanvraag/Lening",
      "Volgnummer", "1" } }) do
      local t, i = msg:_entity(e[1], e[2], e[3])
      assert.is_table(t, e[1])
      assert(msg:_replace(e[1], i, t))
      assert.are.equal(before, msg:serialize(), e[1])
    end
  end)
end)

describe("msg:_replace", function()
  it("writes an entity as settable writes it inside the whole message", function()
    local a = assert(axlink.read(TWO))
    local b = a:clone()
    -- Through the whole message.
    local t = a:totable()
    t.PartijNAWData[2].GeboorteTussenvoegsels = nil
    t.PartijNAWData[2].VoorNamen = "Dora"
    t.PartijNAWData[2].Geslacht = "V Vrouw"          -- new: model order
    t.Hypotheekgever[1].Inkomsten[1].Uitkering[2] = { SoortUitkering = "01 WW", BrutoJaarUitkering = "100.00" }
    assert(a:settable(t))
    -- Through the two entities.
    local p, i = b:_entity(PARTIJ, "ID", "NA02")
    p.GeboorteTussenvoegsels = nil
    p.VoorNamen = "Dora"
    p.Geslacht = "V Vrouw"
    assert(b:_replace(PARTIJ, i, p))
    local h, j = b:_entity(HG, "Volgnummer", "3")
    h.Inkomsten[1].Uitkering[2] = { SoortUitkering = "01 WW", BrutoJaarUitkering = "100.00" }
    assert(b:_replace(HG, j, h))
    assert.are.equal(a:serialize(), b:serialize())
    assert.truthy(b:serialize():find('<Uitkering Volgnummer="2">\n\t\t\t\t<SoortUitkering>01 WW', 1, true))
  end)

  it("is a change: tables of before are stale, the ones written are current", function()
    local msg = assert(axlink.read(TWO))
    local t0 = msg:totable()
    local p, i = msg:_entity(PARTIJ, "ID", "NA01")
    local q = msg:_entity(PARTIJ, "ID", "NA02")
    p.VoorNamen = "Emre"
    assert(msg:_replace(PARTIJ, i, p))
    assert.is_true(msg:_stale(t0))
    assert.is_false(msg:_stale(p))
    assert.is_true(msg:_stale(q))
    local _, _, info = msg:settable(t0)
    assert.are.equal("AXL-T16", info.code)
  end)

  it("refuses as fromtable does, and a refusal changes nothing", function()
    local msg = assert(axlink.read(TWO))
    local before = msg:serialize()
    local t0 = msg:totable()
    local p, i = msg:_entity(PARTIJ, "ID", "NA02")
    p.VoorNamen = true
    local ok, err, info = msg:_replace(PARTIJ, i, p)
    assert.is_nil(ok)
    assert.are.equal("AXL-T01", info.code)
    assert.are.equal("/OfferteAanvraag/PartijNAWData[2]/VoorNamen", info.path)
    assert.truthy(err:find("AXL-T01", 1, true))
    p.VoorNamen = "Theodora"
    p.Postcode = { "a", "b" }
    ok, err, info = msg:_replace(PARTIJ, i, p)
    assert.is_nil(ok)
    assert.are.equal("AXL-T06", info.code)
    assert.truthy(err:find("AXL-T06", 1, true))
    p.Postcode = "7415KD"
    p.RekeningNr = "bad\1text"
    ok, err, info = msg:_replace(PARTIJ, i, p)
    assert.is_nil(ok)
    assert.are.equal("AXL-T09", info.code)
    assert.truthy(err:find("AXL-T09", 1, true))
    local h, j = msg:_entity(HG, "Volgnummer", "3")
    h.Inkomsten = { Volgnummer = "1" }     -- a single table where an array belongs
    ok, err, info = msg:_replace(HG, j, h)
    assert.is_nil(ok)
    assert.are.equal("AXL-T05", info.code)
    assert.truthy(err:find("AXL-T05", 1, true))
    assert.are.equal(before, msg:serialize())
    assert.is_false(msg:_stale(t0))
  end)

  it("refuses an entity that is not there (AXL-T17), naming the path", function()
    local msg = assert(axlink.read(TWO))
    local _, err, info = msg:_replace(PARTIJ, 4, {})
    assert.are.equal("AXL-T17", info.code)
    assert.are.equal("/" .. PARTIJ, info.path)
    assert.truthy(err:find("AXL-T17 no entity at that model path and index", 1, true))
    _, _, info = msg:_replace(PARTIJ, 0, {})
    assert.are.equal("AXL-T17", info.code)
    _, _, info = msg:_replace("Other/PartijNAWData", 1, {})
    assert.are.equal("AXL-T17", info.code)
  end)

  it("numbers a new entity written from a literal table as fromtable numbers a new array item", function()
    local msg = assert(axlink.read(TWO))
    assert(msg:_replace(PARTIJ, 3, { ID = "NA05", SoortPartij = "02 rechtspersoon" }))
    assert.truthy(msg:serialize():find('<PartijNAWData Volgnummer="3" ID="NA05">\n\t\t<SoortPartij>02 rechtspersoon',
      1, true))
  end)
end)
