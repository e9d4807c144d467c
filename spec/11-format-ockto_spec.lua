-- The built-in CDL format ockto-json (lua/axlink/formats/ockto.lua) and its
-- sample files in examples/data/: decode to facts (DESIGN 7.2), detect,
-- refusals without values, no BSN anywhere, and read + link + fill + check
-- end to end through the one mapping (DESIGN 7.3).
local axlink = require "axlink"
local cjson = require "cjson"
local ockto = require "axlink.formats.ockto"

local BUNDLED = "examples/data/ockto-bundled.json"
local SINGLE = "examples/data/ockto-single.json"
local AANVRAAG = "examples/data/aanvraag.xml"
local SAME = "spec/fixtures/same-person/ockto.json"

local BUNDLED_ID = "30990295-1227-4ddf-8074-5b63d0e48cf4"
local BOER = "2a04c935-7420-4725-882b-0e4621a283ca"
local BROUWER = "1f95315c-3cca-4288-bad8-4edcc1aac03f"
local MEER = "d3fb750d-c671-48ba-89bd-900e6a37c20c"
-- The samples' BSNs (government test range): they must never come out.
local BSNS = { "999990019", "999993653", "999991772" }
-- HDN's own Ockto DataleverancierID (BronAanvraagBericht 25.0 sample).
local HDN_KEY = "eyJjb25zdW1lckRhdGEiOnsiRGF0YVNvdXJjZXMiOlsiTU9IIiwiVVdWIiwiVklBIiwiVVBPIiwiRFVPIiwiUkJSIiwiSUtCIiwi" ..
  "SURJTiJdLCJJZCI6IjhiZWU1OTA1LTljMmMtNGEyYS1iZDZjLWIzZjM2YWYzYTNlYyIsIk9kbVZlcnNpb24iOiJWNF80In19"

local slurp = require("support.files").slurp
local write_tmp = require("support.files").tmpfile

-- The sample with an edit applied to its consumerData, as JSON text.
local function variant(path, edit)
  local doc = cjson.decode(slurp(path))
  edit(doc.consumerData, doc)
  return cjson.encode(doc)
end

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function unbase64(s)
  local bits = s:gsub("=", ""):gsub(".", function(c)
    local v = B64:find(c, 1, true) - 1
    local r = {}
    for i = 6, 1, -1 do r[#r + 1] = (v >> (i - 1)) & 1 end
    return table.concat(r)
  end)
  return (bits:gsub("%d%d%d%d%d%d%d%d", function(byte) return string.char(tonumber(byte, 2)) end):gsub("[01]+$", ""))
end

-- Every key and value of a table, recursively, as one string.
local function flatten(x, out, seen)
  out, seen = out or {}, seen or {}
  if type(x) == "table" then
    if seen[x] then return out end
    seen[x] = true
    for k, v in pairs(x) do
      out[#out + 1] = tostring(k)
      flatten(v, out, seen)
    end
  else
    out[#out + 1] = tostring(x)
  end
  return out
end

local function deep_copy(x)
  if type(x) ~= "table" then return x end
  local c = {}
  for k, v in pairs(x) do c[k] = deep_copy(v) end
  return c
end

local function decode_err(bytes)
  local d, err = ockto.decode(bytes, "x.json", {})
  assert.is_nil(d)
  assert.are.equal("string", type(err))
  assert.truthy(err:match("^AXL%-C20 ockto%-json: "), err)
  return err
end


describe("ockto-json: registration", function()
  it("is registered first among the built-in formats, and decodes only", function()
    assert.are.equal(ockto, axlink.cdl.get("ockto-json"))
    local names = {}
    for _, f in ipairs(axlink.cdl.formats()) do names[#names + 1] = f.name end
    assert.are.equal("ockto-json", names[1])
    assert.are.equal("string", type(ockto.description))
    -- The mapping fills for every format alike: no fill, no code tables.
    assert.is_nil(ockto.fill)
    assert.is_nil(ockto.codes)
  end)
end)

describe("ockto-json: decode", function()
  it("decodes the bundled file to the expected delivery", function()
    local d = assert(axlink.cdl.read(BUNDLED))
    assert.are.equal('{"consumerData":{"DataSources":["MOH","UWV","UPO","DUO","VIA"],"Id":"' .. BUNDLED_ID ..
      '","OdmVersion":"V4_4"}}', unbase64(d.id))
    assert.are.equal("02 Ockto", d.supplier)
    assert.are.equal("ockto-json", d.format)
    assert.are.equal("2025-02-04T19:07:52Z", d.collected_at)
    assert.are.equal("2025-04-04", d.valid_until)
    assert.are.same({ "MOH", "UWV", "UPO", "DUO", "VIA" }, d.sources)
    assert.are.equal(2, #d.persons)
    local p1, p2 = d.persons[1], d.persons[2]
    assert.are.same({ BOER, "aanvrager", "1954-07-03", "IJW", "Boer", "de" },
      { p1.id, p1.role, p1.birth_date, p1.initials, p1.surname, p1.prefix })
    assert.are.same({ BROUWER, "partner", "1955-02-17", "ZN", "Brouwer" },
      { p2.id, p2.role, p2.birth_date, p2.initials, p2.surname })
    assert.is_nil(p2.prefix)
    assert.are.same({
      { code = "MOH", product = "BRP persoonsgegevens", retrieved_at = "2025-02-03T10:32:05Z", available = true },
      { code = "UWV", product = "Verzekeringsbericht", retrieved_at = "2025-02-03T10:35:41Z", available = true },
      { code = "UPO", product = "Mijnpensioenoverzicht", retrieved_at = "2025-02-03T10:38:17Z", available = true },
      { code = "DUO", product = "Studieschuld", available = false },
      { code = "VIA", product = "Vooraf ingevulde aangifte 2023", retrieved_at = "2025-02-03T10:44:09Z",
        available = true },
    }, p1.sources)
    assert.are.same({ "MOH", "UWV", "UPO", "DUO", "VIA" },
      { p2.sources[1].code, p2.sources[2].code, p2.sources[3].code, p2.sources[4].code, p2.sources[5].code })
    assert.are.equal("2025-02-04T19:01:15Z", p2.sources[4].retrieved_at)
    assert.is_true(p2.sources[4].available)
  end)


  it("puts each person's facts on person.facts, in the vocabulary, and nothing identifying beyond them", function()
    local d = assert(axlink.cdl.read(BUNDLED))
    local p1, p2 = d.persons[1], d.persons[2]
    assert.is_nil(p1.data)
    assert.are.same({
      identity = { source = "BRP", date = "2025-02-03", first_names = "IJsbrand Willem", initials = "IJW",
        prefix = "de", surname = "Boer", birth_date = "1954-07-03", gender = "male", birth_country = "NL",
        birth_place = "Leeuwarden", nationalities = { "NL" } },
      address = { source = "BRP", date = "2025-02-03", street = "Esdoornstraat", number = "31", postcode = "9721TB",
        city = "Groningen", country = "NL", since = "1988-06-01" },
      -- The AOW age, not a date: the mapping adds it to the birth date.
      aow = { source = "MPO", date = "2025-02-03", start_age = { years = 66, months = 4 },
        yearly_single = "18121.20", yearly_couple = "12156.48", full_accrual = true },
      pensions = {
        { source = "MPO", date = "2025-02-03", provider = "Stichting Pensioenfonds Noordelijke Zuivel",
          kind = "old_age", id = "NZ-0048213-1", start_age = { years = 65, months = 0 },
          yearly_accrued = "14236.80", yearly_prospective = "14236.80" },
        { source = "MPO", date = "2025-02-03", provider = "Friesch Verzekeringshuis N.V.", kind = "old_age",
          id = "FV-77120-03", start_age = { years = 65, months = 0 }, yearly_accrued = "1146.24",
          yearly_prospective = "1146.24" },
        { source = "MPO", date = "2025-02-03", provider = "Stichting Pensioenfonds Noordelijke Zuivel",
          kind = "partner", yearly_accrued = "9965.76" },
      },
      -- No employments (UWV lists none: left out, not {}), no study_loans
      -- (DUO not collected: absent, not "no debt").
    }, p1.facts)
    assert.are.same({
      identity = { source = "BRP", date = "2025-02-04", first_names = "Zoë Noëlle", initials = "ZN",
        surname = "Brouwer", birth_date = "1955-02-17", gender = "female", birth_country = "NL",
        birth_place = "Assen", nationalities = { "NL" } },
      address = { source = "BRP", date = "2025-02-04", street = "Esdoornstraat", number = "31", postcode = "9721TB",
        city = "Groningen", country = "NL", since = "1988-06-01" },
      aow = { source = "MPO", date = "2025-02-04", start_age = { years = 66, months = 4 },
        yearly_single = "18121.20", yearly_couple = "12156.48", full_accrual = true },
      pensions = {
        { source = "MPO", date = "2025-02-04", provider = "Stichting Pensioenfonds Zorg Noord", kind = "old_age",
          id = "ZN-2210934", start_age = { years = 65, months = 0 }, yearly_accrued = "6912.00",
          yearly_prospective = "6912.00" },
      },
      -- DUO says "no debt": a fact, dated by DUO's Peildatum.
      study_loans = { { source = "DUO", date = "2025-02-04", debt = "0.00" } },
    }, p2.facts)
    -- Travel documents, children, the partner block, account numbers and the
    -- VIA block (no vocabulary name yet) stay out.
    local all = table.concat(flatten(d), "\n")
    for _, s in ipairs { "NP3R8KD12", "SF9H2L7T4", "Sjoerd", "NL02INGB", "2400918877", "Huwelijk", "Tuinbouwstraat",
      "Sociale Verzekeringsbank", "Aegon", "27282", "ING Bank" } do
      assert.falsy(all:find(s, 1, true), s)
    end
  end)

  it("decodes the single-person file: partial birth date, multi-letter initials, employments, a DUO debt", function()
    local d = assert(axlink.cdl.read(SINGLE))
    assert.are.equal('{"consumerData":{"DataSources":["MOH","UWV","UPO","DUO"],' ..
      '"Id":"75049041-1a1f-4968-9e0e-7bfaed4f838a","OdmVersion":"V4_4"}}', unbase64(d.id))
    assert.are.same({ "MOH", "UWV", "UPO", "DUO" }, d.sources)
    assert.are.equal("2026-11-16T08:55:40Z", d.collected_at)
    assert.are.equal("2027-01-15", d.valid_until)
    assert.are.equal(1, #d.persons)
    local p = d.persons[1]
    assert.are.same({ MEER, "aanvrager", "1987-06-00", "ATh", "Meer", "van der" },
      { p.id, p.role, p.birth_date, p.initials, p.surname, p.prefix })
    assert.are.same({
      { code = "MOH", product = "BRP persoonsgegevens", retrieved_at = "2026-11-16T08:41:12Z", available = true },
      { code = "UWV", product = "Verzekeringsbericht", retrieved_at = "2026-11-16T08:46:58Z", available = true },
      { code = "UPO", product = "Mijnpensioenoverzicht", retrieved_at = "2026-11-16T08:50:03Z", available = true },
      { code = "DUO", product = "Studieschuld", retrieved_at = "2026-11-16T08:53:37Z", available = true },
    }, p.sources)
    assert.are.same({
      identity = { source = "BRP", date = "2026-11-16", first_names = "Anouk Theodora", initials = "ATh",
        prefix = "van der", surname = "Meer", birth_date = "1987-06-00", gender = "female", birth_country = "SR",
        birth_place = "Paramaribo", nationalities = { "NL" } },
      address = { source = "BRP", date = "2026-11-16", street = "Van Speijkstraat", number = "14", letter = "B",
        addition = "2", postcode = "2518EV", city = "'s-Gravenhage", country = "NL", since = "2019-04-01" },
      -- UWV's contract wording in the vocabulary's words; the SV-wage
      -- periods are no yearly wage and stay out.
      employments = {
        { source = "UWV", date = "2026-11-16", employer = "Stichting Jeugdzorg Delftland", start = "2022-09-01",
          contract = "permanent" },
        { source = "UWV", date = "2026-11-16", employer = "Zorggroep Haaglanden Oost B.V.", start = "2016-03-01",
          ["end"] = "2022-08-31", contract = "temporary" },
      },
      -- Two shortfall years: no full accrual.
      aow = { source = "MPO", date = "2026-11-16", start_age = { years = 67, months = 3 },
        yearly_single = "17396.35", yearly_couple = "11670.22", full_accrual = false },
      pensions = {
        { source = "MPO", date = "2026-11-16", provider = "Pensioenfonds Welzijn en Jeugdzorg", kind = "old_age",
          id = "PWJ-5540217", start_age = { years = 67, months = 3 }, yearly_accrued = "4218.00",
          yearly_prospective = "13944.00" },
        { source = "MPO", date = "2026-11-16", provider = "Stichting Pensioenfonds Zorg Noord", kind = "old_age",
          id = "ZHO-0913377", start_age = { years = 67, months = 3 }, yearly_accrued = "2210.40",
          yearly_prospective = "2210.40" },
        { source = "MPO", date = "2026-11-16", provider = "Pensioenfonds Welzijn en Jeugdzorg", kind = "partner",
          yearly_accrued = "2952.60" },
      },
      study_loans = { { source = "DUO", date = "2026-11-16", debt = "9384.62", monthly = "112.41",
        repayment_start = "2019-01-01", regime = "pre-2015", remaining_months = 85 } },
    }, p.facts)
  end)

  it("merges an arrangement over its age blocks and keeps the register's flags", function()
    local bytes = variant(SINGLE, function(env)
      local p = env.Persons[1]
      local upo = p.UPO
      upo.Aow.InclusiefVakantietoeslag = true
      upo.Aow.Ingangsdatum = "2054-09-14"
      upo.PartnerPensioen = nil
      -- PWJ-5540217 pays more from 62 until the AOW age (a bridging block),
      -- OVB-1 only in that block; ZHO-0913377 is an indication.
      table.insert(upo.OuderdomsPensioen, 1, { Van = { Jaren = 62, Maanden = 0 }, Tot = { Jaren = 67, Maanden = 3 },
        Regelingen = {
          { HerkenningsNummer = "OVB-1", PensioenUitvoerder = "Overbrugging", Opgebouwd = 3000 },
          { HerkenningsNummer = "PWJ-5540217", PensioenUitvoerder = "Pensioenfonds Welzijn en Jeugdzorg",
            Opgebouwd = 6000, TeBereiken = 18000 },
        } })
      upo.OuderdomsPensioen[2].Regelingen[2].Indicatief = true
      p.MOH.Geboorteland, p.MOH.Nationaliteiten, p.MOH.Geslacht = "6030", { "0001", "XX1" }, "X"
      p.UWV.Dienstverbanden[1].Contractvorm = "oproepovereenkomst"
      p.UWV.Dienstverbanden[2].Contractvorm = "uitzendovereenkomst"
      p.DUO.Regeling = "Studievoorschot"
    end)
    local f = assert(ockto.decode(bytes)).persons[1].facts
    assert.are.same({ source = "MPO", date = "2026-11-16", start = "2054-09-14",
      start_age = { years = 67, months = 3 }, yearly_single = "17396.35", yearly_couple = "11670.22",
      includes_holiday_pay = true, full_accrual = false }, f.aow)
    assert.are.same({
      { source = "MPO", date = "2026-11-16", provider = "Overbrugging", kind = "old_age", id = "OVB-1",
        start_age = { years = 62, months = 0 }, end_age = { years = 67, months = 3 }, yearly_accrued = "3000.00" },
      -- One entry: from its earliest block, lifelong, with the lifelong amounts.
      { source = "MPO", date = "2026-11-16", provider = "Pensioenfonds Welzijn en Jeugdzorg", kind = "old_age",
        id = "PWJ-5540217", start_age = { years = 62, months = 0 }, yearly_accrued = "4218.00",
        yearly_prospective = "13944.00" },
      { source = "MPO", date = "2026-11-16", provider = "Stichting Pensioenfonds Zorg Noord", kind = "old_age",
        id = "ZHO-0913377", start_age = { years = 67, months = 3 }, yearly_accrued = "2210.40",
        yearly_prospective = "2210.40", indicative = true },
    }, f.pensions)
    -- BRP's own code for the Netherlands becomes ISO; an unknown code or
    -- gender is left out, never guessed.
    assert.are.same({ "NL", { "NL" } }, { f.identity.birth_country, f.identity.nationalities })
    assert.is_nil(f.identity.gender)
    assert.are.same({ "on_call", "other" }, { f.employments[1].contract, f.employments[2].contract })
    assert.are.equal("SF15", f.study_loans[1].regime)
  end)

  it("dates facts by their source's retrieval, else the file's collection, else nothing", function()
    local bytes = variant(SINGLE, function(env)
      env.CollectedAt = "2026-11-17T08:00:00Z"
      local p = env.Persons[1]
      p.Sources = { { Code = "MOH" }, { Code = "UPO", RetrievedAt = "2026-11-15T23:30:00-01:00" },
        { Code = "DUO", RetrievedAt = "2026-11-14T10:00:00Z", Available = false } }
      p.DUO.Peildatum = nil
    end)
    local f = assert(ockto.decode(bytes)).persons[1].facts
    -- MOH: no retrieval time, the collection day; UWV: its own download
    -- date; UPO: the retrieval day in UTC; DUO: not available, so the
    -- collection day.
    assert.are.same({ "2026-11-17", "2026-11-16", "2026-11-16", "2026-11-17" },
      { f.identity.date, f.employments[1].date, f.aow.date, f.study_loans[1].date })
    local undated = variant(SINGLE, function(env)
      env.CollectedAt = nil
      local p = env.Persons[1]
      p.Sources, p.DUO.Peildatum = nil, nil
    end)
    f = assert(ockto.decode(undated)).persons[1].facts
    assert.is_nil(f.identity.date)
    assert.is_nil(f.aow.date)
    assert.is_nil(f.study_loans[1].date)
    assert.are.equal("2026-11-16", f.employments[1].date)   -- UWV's own Downloaddatum
  end)

  it("builds the key from the envelope exactly as HDN's sample key", function()
    local bytes = cjson.encode { consumerData = {
      Id = "8bee5905-9c2c-4a2a-bd6c-b3f36af3a3ec", OdmVersion = "V4_4",
      DataSources = { "MOH", "UWV", "VIA", "UPO", "DUO", "RBR", "IKB", "IDIN" },
      Persons = { { PersonId = "d0228eea-b818-4303-9357-aa043d24b452" } } } }
    local d = assert(ockto.decode(bytes))
    assert.are.equal(HDN_KEY, d.id)
    -- The key is padded base64 when the JSON's length needs it.
    assert.are.equal("YQ==", ockto._base64("a"))
    assert.are.equal("YWI=", ockto._base64("ab"))
    assert.are.equal("YWJj", ockto._base64("abc"))
  end)

  it("accepts ConsumerData, a BOM, a date-time with an offset (made UTC) and a person without an id", function()
    local bytes = "\239\187\191" .. variant(BUNDLED, function(env, doc)
      doc.ConsumerData, doc.consumerData = env, nil
      env.CollectedAt = "2025-02-04T20:07:52+01:00"
      env.Persons[2].PersonId = nil
      env.Persons[1].Role = "Chauffeur"
    end)
    local d = assert(ockto.decode(bytes))
    assert.are.equal("2025-02-04T19:07:52Z", d.collected_at)
    assert.is_nil(d.persons[2].id)     -- never invented
    assert.is_nil(d.persons[1].role)   -- an unknown role is no role
    local path = write_tmp(bytes)
    local rd = assert(axlink.cdl.read(path))
    os.remove(path)
    assert.is_nil(rd.persons[2].id)
    assert.are.equal(BOER, rd.persons[1].id)
  end)
end)

describe("ockto-json: detect", function()
  it("claims both samples", function()
    assert.is_true(ockto.detect(slurp(BUNDLED), BUNDLED))
    assert.is_true(ockto.detect(slurp(SINGLE), SINGLE))
  end)

  it("does not claim iWize-style JSON, XML or other JSON", function()
    local iwize = [[{"uuid":"5f1d2c3b-0000-4000-8000-000000000001","persoonsgegevens":{"aanvrager":{]] ..
      [["geslachtsnaam":{"val":"Boer","meta":{"bron":"moh","datum":"03-02-2025"}},]] ..
      [["geboortedatum":{"val":"03-07-1954","meta":{"bron":"moh","datum":"03-02-2025"}}}}}]]
    for _, bytes in ipairs {
      iwize,
      slurp(AANVRAAG),
      slurp("spec/fixtures/hdn/bronaanvraag-25.0-ockto-brp-sample.xml"),
      '{"foo": 1, "bar": [1, 2, 3]}',
      "[1, 2, 3]",
      '["consumerData", {"Id": "x", "OdmVersion": "V4_4"}]',
      '{"consumerData": 5}',
      '{"consumerData": {"Id": "x"}}',
      '{"wrapper": {"consumerData": {"Id": "x", "OdmVersion": "V4_4"}}}',
      '{"consumerData": {"Id": "x", "OdmVersion": "V4_4"',
      "",
      "\0\1\2garbage",
    } do
      assert.is_false(ockto.detect(bytes, "x"), bytes:sub(1, 60))
    end
    -- The other built-in formats' samples, where present.
    for _, path in ipairs { "examples/data/iwize-aanvrager.json", "examples/data/iwize-partner.json",
      "examples/data/brondata/brp.xml", "examples/data/brondata/pensioen.xml" } do
      local f = io.open(path, "rb")
      if f then
        assert.is_false(ockto.detect(f:read("a"), path), path)
        f:close()
      end
    end
    assert.is_false(ockto.detect(nil))
  end)

  it("makes cdl.read choose it by content, whatever the file is called", function()
    local path = write_tmp(slurp(SINGLE))
    local d = assert(axlink.cdl.read(path))
    os.remove(path)
    assert.are.equal("ockto-json", d.format)
  end)
end)

describe("ockto-json: bad files", function()
  it("refuses truncated JSON cleanly, quoting no value", function()
    local bytes = slurp(BUNDLED)
    for _, cut in ipairs { 1, 2, 100, #bytes // 2, #bytes - 2 } do
      local err = decode_err(bytes:sub(1, cut))
      assert.falsy(err:find("Boer", 1, true))
    end
    local path = write_tmp(bytes:sub(1, 4000))
    local d, err, info = axlink.cdl.read(path, { format = "ockto-json" })
    os.remove(path)
    assert.is_nil(d)
    assert.truthy(err:find("AXL-C20 ockto-json: not valid JSON", 1, true), err)
    assert.are.equal("AXL-C20", info.code)
  end)

  it("refuses non-objects and a missing or wrong envelope, naming the field", function()
    assert.truthy(decode_err("[1, 2]"):find("(root): JSON object expected", 1, true))
    assert.truthy(decode_err('"consumerData"'):find("(root): JSON object expected", 1, true))
    assert.truthy(decode_err('{"uuid": "x"}'):find("consumerData: missing", 1, true))
    assert.truthy(decode_err('{"consumerData": [1]}'):find("consumerData: object expected", 1, true))
    local cases = {
      { function(env) env.Id = nil end, "consumerData.Id: missing" },
      { function(env) env.Id = 42 end, "consumerData.Id: string expected" },
      { function(env) env.Id = "bad id with spaces" end, "consumerData.Id: not a valid key" },
      { function(env) env.OdmVersion = nil end, "consumerData.OdmVersion: missing" },
      { function(env) env.DataSources = nil end, "consumerData.DataSources: missing" },
      { function(env) env.DataSources = "MOH" end, "consumerData.DataSources: array expected" },
      { function(env) env.DataSources[2] = "U\"W" end, "consumerData.DataSources[2]: not a valid key" },
      { function(env) env.Persons = nil end, "consumerData.Persons: at least one person expected" },
      { function(env) env.Persons = {} end, "consumerData.Persons: at least one person expected" },
      { function(env) env.Persons = { a = 1 } end, "consumerData.Persons: array expected" },
      { function(env) env.Persons[2] = "x" end, "consumerData.Persons[2]: object expected" },
      { function(env) env.CollectedAt = "2025-02-04T19:07:52" end,
        "consumerData.CollectedAt: ISO date-time with a time zone expected" },
      { function(env) env.ConsentValidUntil = "04-04-2025" end,
        "consumerData.ConsentValidUntil: YYYY-MM-DD date expected" },
    }
    for _, c in ipairs(cases) do
      local err = decode_err(variant(BUNDLED, c[1]))
      assert.truthy(err:find(c[2], 1, true), err)
    end
  end)

  it("refuses wrong types inside persons, naming the path and never the value", function()
    local P = "consumerData.Persons[1]."
    local cases = {
      { function(p) p.PersonId = 12345 end, P .. "PersonId: string expected", "12345" },
      { function(p) p.PersonId = "2a04c935 7420" end, P .. "PersonId: not a valid key", "2a04c935" },
      { function(p) p.Role = true end, P .. "Role: string expected" },
      { function(p) p.Sources = { { Product = "BRP" } } end, P .. "Sources[1].Code: missing" },
      { function(p) p.Sources[1].Available = "yes" end, P .. "Sources[1].Available: true or false expected" },
      { function(p) p.MOH = "Boer" end, P .. "MOH: object expected", "Boer" },
      { function(p) p.MOH.Geslachtsnaam = { "Boer" } end, P .. "MOH.Geslachtsnaam: string expected", "Boer" },
      { function(p) p.MOH.Geboortedatum = 19540703 end, P .. "MOH.Geboortedatum: date string expected", "1954" },
      { function(p) p.MOH.Geboortedatum = "1954-02-30" end, P .. "MOH.Geboortedatum: YYYY-MM-DD date expected",
        "1954" },
      { function(p) p.MOH.Voornamen = "IJsbrand\nWillem" end, P .. "MOH.Voornamen: control character in text",
        "IJsbrand" },
      { function(p) p.MOH.Adressen[1].Huisnummer = "31a" end, P .. "MOH.Adressen[1].Huisnummer: house number expected",
        "31a" },
      { function(p) p.UPO.Aow.TeBereikenSamenwonend = "veel" end,
        P .. "UPO.Aow.TeBereikenSamenwonend: number expected", "veel" },
      { function(p) p.UPO.Aow.TeBereikenAlleenstaand = -18121.2 end,
        P .. "UPO.Aow.TeBereikenAlleenstaand: negative amount", "18121" },
      { function(p) p.UPO.Aow.Kortingsjaren = -1 end, P .. "UPO.Aow.Kortingsjaren: negative number" },
      { function(p) p.UPO.AowLeeftijd.Maanden = "vier" end, P .. "UPO.AowLeeftijd.Maanden: number expected", "vier" },
      { function(p) p.UPO.OuderdomsPensioen[1].Van.Jaren = 65.5 end,
        P .. "UPO.OuderdomsPensioen[1].Van.Jaren: non-negative whole number expected", "65" },
      { function(p) p.UPO.OuderdomsPensioen[1].Regelingen = { 1 } end,
        P .. "UPO.OuderdomsPensioen[1].Regelingen[1]: object expected" },
      { function(p) p.UPO.OuderdomsPensioen[1].Regelingen[1].Indicatief = "nee" end,
        P .. "UPO.OuderdomsPensioen[1].Regelingen[1].Indicatief: true or false expected", "nee" },
      { function(p) p.UWV.Dienstverbanden = { { Begindatum = "01-09-2022" } } end,
        P .. "UWV.Dienstverbanden[1].Begindatum: YYYY-MM-DD date expected", "2022" },
      { function(p) p.UWV.Downloaddatum = 20250203 end, P .. "UWV.Downloaddatum: date string expected", "2025" },
      { function(p) p.DUO = { Schuldsaldo = "9384,62" } end, P .. "DUO.Schuldsaldo: number expected", "9384" },
      { function(p) p.DUO = { ResterendeLooptijdMaanden = 85.5 } end,
        P .. "DUO.ResterendeLooptijdMaanden: non-negative whole number expected", "85" },
    }
    for _, c in ipairs(cases) do
      local err = decode_err(variant(BUNDLED, function(env) c[1](env.Persons[1]) end))
      assert.truthy(err:find(c[2], 1, true), err)
      if c[3] then assert.falsy(err:find(c[3], 1, true), err) end
    end
  end)

  it("refuses invalid UTF-8 and deep nesting without raising", function()
    local bytes = slurp(BUNDLED):gsub("Leeuwarden", "Leeu\255warden")
    assert.truthy(decode_err(bytes):find("MOH.Geboorteplaats: not valid UTF-8", 1, true))
    local deep = '{"consumerData":' .. ("["):rep(5000) .. ("]"):rep(5000) .. "}"
    decode_err(deep)
    assert.is_false(ockto.detect(deep))
    assert.truthy(decode_err('{"consumerData":{"Id":1e999}}'))
    assert.truthy(decode_err('{"consumerData":{"Id":NaN}}'))
  end)

  it("reads a long run of spaces inside a value (a quadratic trim would hang here) #heavy", function()
    local name = "IJsbrand" .. (" "):rep(8 * 1024 * 1024) .. "Willem   "
    local bytes = variant(BUNDLED, function(env) env.Persons[1].MOH.Voornamen = name end)
    local d = assert(ockto.decode(bytes))
    assert.are.equal(#name - 3, #d.persons[1].facts.identity.first_names)   -- trailing spaces trimmed
  end)

  it("refuses a 100 MB file through cdl.read and directly #heavy", function()
    local head = '{"consumerData":{"Id":"x","OdmVersion":"V4_4","DataSources":[],"Persons":[{"PersonId":"'
    local big = head .. ("a"):rep(100 * 1024 * 1024) .. '"}]}}'
    local path = write_tmp(big)
    local d, err, info = axlink.cdl.read(path)
    assert.is_nil(d)
    assert.truthy(err:find("AXL-C14", 1, true), err)
    assert.are.equal("AXL-C14", info.code)
    d, err = axlink.cdl.read(path, { format = "ockto-json" })
    assert.is_nil(d)
    assert.truthy(err:find("larger than 64 MiB", 1, true), err)
    os.remove(path)
    assert.truthy(decode_err(big):find("file larger than 64 MiB", 1, true))
    assert.is_true(ockto.detect(big))   -- markers only above 8 MiB; decode then decides
  end)
end)

describe("ockto-json: no BSN", function()
  it("never lets a sample's BSN into the delivery", function()
    for _, path in ipairs { BUNDLED, SINGLE } do
      local raw = slurp(path)
      local d = assert(axlink.cdl.read(path))
      local all = table.concat(flatten(d), "\n") .. unbase64(d.id)
      local present = 0
      for _, bsn in ipairs(BSNS) do
        if raw:find(bsn, 1, true) then present = present + 1 end
        assert.falsy(all:find(bsn, 1, true), path .. ": BSN in the delivery")
      end
      assert.truthy(present > 0, path .. " should carry a BSN for this test to mean anything")
      assert.falsy(all:lower():find("burgerservicenummer", 1, true))
    end
  end)

  it("drops a BSN under any name in any block (decode copies known fields only)", function()
    local bytes = variant(BUNDLED, function(env)
      env.Bsn = "999990019"
      for _, p in ipairs(env.Persons) do
        p.Bsn, p.Sofinummer = "999990019", "999990019"
        p.MOH.PersoonsNummer = "999990019"
        p.Sources[1].Kenmerk = "999990019"
        p.UPO.Bsn = "999990019"
        p.VIA.FiscaalNummer = "999990019"
        if p.DUO then p.DUO.Klantnummer = "999990019" end
      end
    end)
    local d = assert(ockto.decode(bytes))
    assert.falsy(table.concat(flatten(d), "\n"):find("999990019", 1, true))
  end)
end)

describe("ockto-json: the invented person every built-in format delivers (spec/fixtures/same-person)", function()
  it("decodes to exactly the vocabulary's facts for that person", function()
    local d = assert(axlink.cdl.read(SAME))
    assert.are.equal("ockto-json", d.format)
    assert.are.equal(1, #d.persons)
    local p = d.persons[1]
    assert.are.same({ "b7d41c62-05e9-4f3a-8c1d-92a6e0f37d15", "aanvrager", "1985-03-15", "JM", "Vries", "de" },
      { p.id, p.role, p.birth_date, p.initials, p.surname, p.prefix })
    assert.are.same(require("support.same_person")(), p.facts)
    local all = table.concat(flatten(d), "\n")
    assert.truthy(slurp(SAME):find("999995005", 1, true))
    assert.falsy(all:find("999995005", 1, true))
  end)
end)

-- The fill below is the one mapping's (axlink.mapping, DESIGN 7.3), the same
-- for every format: these expectations follow its rules for the facts the
-- samples decode to.

-- "Hypotheekgever[1] PensioenInkomen MPO 2025-02-03" for each proposal:
-- the AX entity it belongs to, the field, the fact's source and date.
local function proposal_keys(list, keep)
  local out = {}
  for _, p in ipairs(list) do
    local owner = p.path:match("^/OfferteAanvraag/(%a+%[%d+%])") or "?"
    local field = p.path:match("([^/]+)$")
    if not keep or keep(owner, field, p) then
      out[#out + 1] = ("%s %s %s %s"):format(owner, field, tostring(p.source), tostring(p.source_date))
    end
  end
  table.sort(out)
  return out
end

-- True when every value of `wanted` is in the list.
local function has_all(list, wanted)
  local set = {}
  for _, v in ipairs(list) do set[v] = true end
  for _, v in ipairs(wanted) do
    if not set[v] then return false end
  end
  return true
end

-- The distinct values proposed for fields named `field`, sorted.
local function proposed_values(list, field, owner)
  local seen, out = {}, {}
  for _, p in ipairs(list) do
    if p.path:match("([^/]+)$") == field and (not owner or p.path:find(owner, 1, true)) and p.value ~= nil
      and not seen[p.value] then
      seen[p.value] = true
      out[#out + 1] = p.value
    end
  end
  table.sort(out)
  return out
end

describe("ockto-json: read, link, fill, check", function()
  local NEVER = { "TelefoonNrPrive", "TelefoonNrWerk", "TelefoonNrMobiel", "E-mailadres", "BurgerlijkeStaat",
    "StudieleningInventarisatie", "KinderenAantal" }

  local function linked()
    local msg = assert(axlink.read(AANVRAAG))
    local delivery = assert(axlink.cdl.read(BUNDLED))
    local r = assert(msg:link(delivery, { today = "2025-02-10" }))
    return msg, delivery, r
  end

  local function rows(list, fields)
    local out = {}
    for i, c in ipairs(list) do
      local row = {}
      for _, f in ipairs(fields) do row[f] = c[f] end
      out[i] = row
    end
    table.sort(out, function(a, b) return a.path < b.path end)
    return out
  end

  it("links both persons of the bundled file automatically, verified", function()
    local _, _, r = linked()
    assert.are.same({
      { person = 1, persoons_id = BOER, hypotheekgever = 2, ref = "DL1", grade = "verified", created = true },
      { person = 2, persoons_id = BROUWER, hypotheekgever = 4, ref = "DL2", grade = "verified", created = true },
    }, r.links)
    assert.are.same({}, r.warnings)
    local _, delivery = linked()
    local msg = assert(axlink.read(AANVRAAG))
    local r2 = assert(msg:link(delivery, { today = "2025-06-01" }))   -- consent window passed: a warning
    assert.are.equal("AXL-L20", r2.warnings[1].code)
  end)

  it("fills with household and pension basis: new pensions, AOW conflicts, nothing else touched", function()
    local msg, delivery = linked()
    local t = msg:totable()
    local before = deep_copy(t)
    local r = assert(axlink.cdl.fill(t, delivery, { household = "couple", pension_basis = "accrued" }))
    local HG1, HG2 = "/OfferteAanvraag/Hypotheekgever[1]/Inkomsten[1]", "/OfferteAanvraag/Hypotheekgever[2]/Inkomsten[1]"
    -- A Pensioen's start date is birth date + start age (derived), and
    -- IJsbrand's amount sums two arrangements that both start at 65.
    assert.are.same({
      { path = HG1 .. "/Pensioen[1]/IngangsDtPensioen", source = "MPO", source_date = "2025-02-03",
        new = "2019-07-03", kind = "derived" },
      { path = HG1 .. "/Pensioen[1]/PensioenInkomen", source = "MPO", source_date = "2025-02-03",
        new = "15383.04" },
      { path = HG2 .. "/Pensioen[1]/IngangsDtPensioen", source = "MPO", source_date = "2025-02-04",
        new = "2020-02-17", kind = "derived" },
      { path = HG2 .. "/Pensioen[1]/PensioenInkomen", source = "MPO", source_date = "2025-02-04",
        new = "6912.00" },
    }, (function()
      local out = rows(r.changes, { "path", "source", "source_date", "old", "new", "kind" })
      for _, c in ipairs(out) do
        if c.path:find("PensioenInkomen$") then c.kind = nil end   -- copied or derived: the mapping's choice
      end
      return out
    end)())
    -- The AOW start (66 years 4 months after birth) and full accrual agree
    -- with the AX; the couple's amount does not.
    assert.are.same({
      { path = HG1 .. "/Uitkering[1]/BrutoJaarUitkering", source = "MPO", ax_value = "13522.00",
        cdl_value = "12156.48" },
      { path = HG2 .. "/Uitkering[1]/BrutoJaarUitkering", source = "MPO", ax_value = "13104.00",
        cdl_value = "12156.48" },
    }, rows(r.conflicts, { "path", "source", "ax_value", "cdl_value" }))
    -- Proposed only: the gender (HDN's list is not public, so no default
    -- code) and IJsbrand's partner pension (another kind than old age).
    assert.are.same({
      "Hypotheekgever[1] PensioenInkomen MPO 2025-02-03",
      "PartijNAWData[1] Geslacht BRP 2025-02-03",
      "PartijNAWData[2] Geslacht BRP 2025-02-04",
    }, proposal_keys(r.proposals))
    assert.are.same({ "9965.76" }, proposed_values(r.proposals, "PensioenInkomen"))
    -- The pension went in; the AOW did not move.
    local ink = t.Hypotheekgever[1].Inkomsten[1]
    assert.are.same({ PensioenInkomen = "15383.04", IngangsDtPensioen = "2019-07-03" }, ink.Pensioen[1])
    assert.are.equal("13522.00", ink.Uitkering[1].BrutoJaarUitkering)
    assert.are.same({ PensioenInkomen = "6912.00", IngangsDtPensioen = "2020-02-17" },
      t.Hypotheekgever[2].Inkomsten[1].Pensioen[1])
    -- Never-fill fields, and the whole PartijNAWData, are unchanged.
    for i = 1, 2 do
      for _, f in ipairs(NEVER) do
        assert.are.equal(before.Hypotheekgever[i][f], t.Hypotheekgever[i][f], f)
      end
      assert.are.same(before.Hypotheekgever[i].Identificatie, t.Hypotheekgever[i].Identificatie)
      assert.are.same(before.PartijNAWData[i], t.PartijNAWData[i])
    end
    assert.are.same(before.PartijNAWData[3], t.PartijNAWData[3])
    local out = assert(axlink.fromtable(t))
    local report = out:check()
    assert.is_true(report.ok)
    assert.are.same({}, report.problems)
    local xml = out:serialize()
    assert.truthy(xml:find("\t\t\t</Uitkering>\n\t\t\t<Pensioen Volgnummer=\"1\">\n" ..
      "\t\t\t\t<PensioenInkomen>15383.04</PensioenInkomen>\n" ..
      "\t\t\t\t<IngangsDtPensioen>2019-07-03</IngangsDtPensioen>\n\t\t\t</Pensioen>", 1, true))
    -- Filling again changes nothing.
    local again = assert(axlink.cdl.fill(t, delivery, { household = "couple", pension_basis = "accrued" }))
    assert.are.same({}, again.changes)
    assert.are.equal(2, #again.conflicts)
  end)

  it("overwrites the AOW amount only with opts.overwrite", function()
    local msg, delivery = linked()
    local t = msg:totable()
    local r = assert(axlink.cdl.fill(t, delivery, { household = "single", pension_basis = "prospective",
      overwrite = true }))
    assert.are.same({}, r.conflicts)
    assert.are.equal("18121.20", t.Hypotheekgever[1].Inkomsten[1].Uitkering[1].BrutoJaarUitkering)
    assert.are.equal("18121.20", t.Hypotheekgever[2].Inkomsten[1].Uitkering[1].BrutoJaarUitkering)
    local change
    for _, c in ipairs(r.changes) do
      if c.path:find("Hypotheekgever%[1%].-BrutoJaarUitkering$") then change = c end
    end
    assert.are.same({ path = "/OfferteAanvraag/Hypotheekgever[1]/Inkomsten[1]/Uitkering[1]/BrutoJaarUitkering",
      source = "MPO", source_date = "2025-02-03", old = "13522.00", new = "18121.20", kind = "copied" }, change)
    assert.are.equal("0503012345", t.Hypotheekgever[1].TelefoonNrPrive)
    assert.is_true(assert(axlink.fromtable(t)):check().ok)
  end)

  it("only proposes the AOW without opts.household, and pensions without opts.pension_basis", function()
    local msg, delivery = linked()
    local t = msg:totable()
    local before = deep_copy(t)
    local r = assert(axlink.cdl.fill(t, delivery, {}))
    assert.are.same({}, r.changes)
    assert.are.same({}, r.conflicts)
    assert.are.same(before, t)
    -- Both households' AOW for each person, from MPO's retrieval day.
    for i, day in ipairs { "2025-02-03", "2025-02-04" } do
      local owner = ("Hypotheekgever[%d]"):format(i)
      assert.are.same({ "12156.48", "18121.20" }, proposed_values(r.proposals, "BrutoJaarUitkering", owner))
      assert.are.same({ owner .. " BrutoJaarUitkering MPO " .. day, owner .. " BrutoJaarUitkering MPO " .. day },
        proposal_keys(r.proposals, function(o, f) return o == owner and f == "BrutoJaarUitkering" end))
    end
    -- Every arrangement's amount (accrued and prospective are equal here),
    -- and the partner pension.
    assert.are.same({ "1146.24", "14236.80", "9965.76" },
      proposed_values(r.proposals, "PensioenInkomen", "Hypotheekgever[1]"))
    assert.are.same({ "6912.00" }, proposed_values(r.proposals, "PensioenInkomen", "Hypotheekgever[2]"))
    -- Only a household: AOW filled (a conflict here), pensions still proposed.
    local t2 = msg:totable()
    local r2 = assert(axlink.cdl.fill(t2, delivery, { household = "couple" }))
    assert.are.equal(2, #r2.conflicts)
    assert.are.same({}, r2.changes)
    assert.is_nil(t2.Hypotheekgever[1].Inkomsten[1].Pensioen)
  end)

  it("fills missing PartijNAWData fields from BRP, and does not mix another address", function()
    local msg, delivery = linked()
    local t = msg:totable()
    local p1, p2 = t.PartijNAWData[1], t.PartijNAWData[2]
    p1.VoorNamen, p1.PlaatsNaam, p1.Land = nil, nil, nil
    p2.StraatNaam, p2.HuisNr, p2.Postcode = "Kerkstraat", "5", "9711AA"   -- another (correspondence) address
    p2.PlaatsNaam = nil
    local r = assert(axlink.cdl.fill(t, delivery, { household = "couple", pension_basis = "accrued" }))
    assert.are.equal("IJsbrand Willem", p1.VoorNamen)
    assert.are.equal("Groningen", p1.PlaatsNaam)
    assert.are.equal("NL Nederland", p1.Land)
    local c
    for _, ch in ipairs(r.changes) do
      if ch.path == "/OfferteAanvraag/PartijNAWData[1]/VoorNamen" then c = ch end
    end
    assert.are.same({ source = "BRP", source_date = "2025-02-03", new = "IJsbrand Willem", kind = "copied" },
      { source = c.source, source_date = c.source_date, old = c.old, new = c.new, kind = c.kind })
    -- Partner: the BRP address is proposed, not merged into the other one.
    assert.are.equal("Kerkstraat", p2.StraatNaam)
    assert.is_nil(p2.PlaatsNaam)
    local ADDRESS = { StraatNaam = true, HuisNr = true, HuisNrToevoeging = true, Postcode = true, PlaatsNaam = true,
      Land = true }
    assert.are.same({
      "PartijNAWData[2] HuisNr BRP 2025-02-04", "PartijNAWData[2] Land BRP 2025-02-04",
      "PartijNAWData[2] PlaatsNaam BRP 2025-02-04", "PartijNAWData[2] Postcode BRP 2025-02-04",
      "PartijNAWData[2] StraatNaam BRP 2025-02-04",
    }, proposal_keys(r.proposals, function(owner, field) return owner == "PartijNAWData[2]" and ADDRESS[field] end))
    assert.is_true(assert(axlink.fromtable(t)):check().ok)
  end)

  it("rejects a bad opts.household loudly instead of guessing", function()
    local msg, delivery = linked()
    local t = msg:totable()
    local before = deep_copy(t)
    local r, err = axlink.cdl.fill(t, delivery, { household = "married" })
    assert.is_nil(r)
    assert.truthy(err:find("opts.household", 1, true), err)
    assert.are.same(before, t)
  end)
end)

describe("ockto-json: fill edge cases (single-person file)", function()
  -- A minimal AX for the single file's person, with a complete birth date
  -- the partial BRP one agrees with.
  local function ax_for_meer()
    return assert(axlink.fromtable({
      Hypotheekgever = { { Volgnummer = "1", RefPartijNAWData = { IDREF = "NA01" },
        StudieleningInventarisatie = "02 Ja, maar geen sprake van een studielening" } },
      PartijNAWData = { { Volgnummer = "1", ID = "NA01", SoortPartij = "01 natuurlijk persoon",
        VoorNamen = "Anouk Theodora", GeboorteAchternaam = "Meer", VoorLetters = "ATh", GeboorteDt = "1987-06-14" } },
    }, { root = "OfferteAanvraag" }))
  end

  local function fill_single(bytes, opts)
    local d = assert(bytes and ockto.decode(bytes) or axlink.cdl.read(SINGLE))
    assert(axlink.cdl.validate(d))
    local msg = ax_for_meer()
    local r = assert(msg:link(d))
    assert.are.equal("verified", r.links[1].grade)
    local t = msg:totable()
    return assert(axlink.cdl.fill(t, d, opts)), t
  end

  local function by_path(list)
    local out = {}
    for _, c in ipairs(list) do
      local k = c.path:gsub("^/OfferteAanvraag/", "")
      out[k] = out[k] or {}
      table.insert(out[k], c)
    end
    return out
  end

  it("writes DUO debt with the statutory monthly amount, AOW without a start date, address with toevoeging", function()
    local r, t = fill_single(nil, { household = "single", pension_basis = "prospective" })
    local hg, partij = t.Hypotheekgever[1], t.PartijNAWData[1]
    assert.are.same({ { SoortVerplichting = "12 Studielening", VerplichtingBedrag = "9384.62", MaandBedrag = "112.41",
      VerplichtingInMnd = "85" } }, hg.Verplichtingen)
    assert.are.same({ SoortUitkering = "09 AOW", BrutoJaarUitkering = "17396.35", AOWVolledigeOpbouwJN = "N Nee" },
      hg.Inkomsten[1].Uitkering[1])   -- no IngangsDt: the BRP birth date is partial
    assert.are.equal("02 Ja, maar geen sprake van een studielening", hg.StudieleningInventarisatie)
    assert.are.equal("1987-06-14", partij.GeboorteDt)   -- the partial BRP date never replaces it
    assert.are.equal("van der", partij.GeboorteTussenvoegsels)
    assert.are.same({ "Van Speijkstraat", "14", "B 2", "2518EV", "'s-Gravenhage", "NL Nederland" },
      { partij.StraatNaam, partij.HuisNr, partij.HuisNrToevoeging, partij.Postcode, partij.PlaatsNaam, partij.Land })
    assert.truthy(partij.GeboorteLand and partij.GeboorteLand:find("^SR "), partij.GeboorteLand)   -- assumed code
    assert.is_nil(partij.GeboortePlaats)  -- born abroad: proposed (spelling)
    assert.is_nil(partij.Geslacht)        -- no default gender code: proposed
    assert.is_nil(hg.Inkomsten[1].Pensioen)   -- no start date without a complete birth date
    local props = by_path(r.proposals)
    assert.are.equal("Paramaribo", props["PartijNAWData[1]/GeboortePlaats"][1].value)
    assert.truthy(props["PartijNAWData[1]/Geslacht"])
    -- A hint for the adviser, never written.
    assert.are.equal("DUO", props["Hypotheekgever[1]/StudieleningInventarisatie"][1].source)
    -- The arrangements' prospective amounts, without a start date.
    assert.is_true(has_all(proposed_values(r.proposals, "PensioenInkomen"), { "13944.00", "2210.40" }))
    local ch = by_path(r.changes)["Hypotheekgever[1]/Verplichtingen[1]/MaandBedrag"][1]
    assert.are.same({ source = "DUO", source_date = "2026-11-16", kind = "copied", new = "112.41" },
      { source = ch.source, source_date = ch.source_date, kind = ch.kind, new = ch.new })
    -- Employments are only proposed; never an income from UWV SV-loon.
    assert.is_nil(hg.Inkomsten[1].InkomensbepalingLoondienst)
    assert.is_nil(hg.Inkomsten[1].Dienstbetrekking)
    for _, p in ipairs(r.proposals) do
      if p.path:find("Dienstbetrekking", 1, true) then assert.are.equal("UWV", p.source) end
    end
    assert.is_true(assert(axlink.fromtable(t)):check().ok)
  end)

  it("leaves the monthly amount out before repayment starts", function()
    local bytes = variant(SINGLE, function(env)
      local duo = env.Persons[1].DUO
      duo.AflosfaseStart = "2027-01-01"
      duo.WettelijkMaandbedrag = 0
    end)
    local _, t = fill_single(bytes, { household = "single" })
    assert.are.same({ { SoortVerplichting = "12 Studielening", VerplichtingBedrag = "9384.62" } },
      t.Hypotheekgever[1].Verplichtingen)
  end)

  it("writes nothing for a zero DUO debt or an absent DUO block, and never says 'no loan'", function()
    for _, edit in ipairs {
      function(p) p.DUO = { Schuldsaldo = 0, Peildatum = "2026-11-16" } end,
      function(p) p.DUO = nil end,
    } do
      local r, t = fill_single(variant(SINGLE, function(env) edit(env.Persons[1]) end), {})
      assert.is_nil(t.Hypotheekgever[1].Verplichtingen)
      assert.are.equal("02 Ja, maar geen sprake van een studielening", t.Hypotheekgever[1].StudieleningInventarisatie)
      for _, p in ipairs(r.proposals) do assert.falsy(p.path:find("Verplichtingen", 1, true)) end
    end
  end)

  it("proposes an AOW amount that includes holiday pay, and temporary or indicative pensions", function()
    local bytes = variant(SINGLE, function(env)
      local upo = env.Persons[1].UPO
      upo.Aow.InclusiefVakantietoeslag = true
      upo.OuderdomsPensioen[2] = { Van = { Jaren = 62, Maanden = 0 }, Tot = { Jaren = 67, Maanden = 3 },
        Regelingen = { { HerkenningsNummer = "OVB-1", PensioenUitvoerder = "Overbrugging", Opgebouwd = 3000 } } }
      upo.OuderdomsPensioen[1].Regelingen[2].Indicatief = true
      env.Persons[1].MOH.Geboortedatum = "1987-06-14"
    end)
    local r, t = fill_single(bytes, { household = "couple", pension_basis = "prospective" })
    local ink = t.Hypotheekgever[1].Inkomsten[1]
    assert.is_nil(ink.Uitkering)   -- the amount includes holiday pay: BrutoJaarUitkering excludes it
    assert.is_true(has_all(proposed_values(r.proposals, "BrutoJaarUitkering"), { "11670.22" }))
    -- Only the lifelong, non-indicative arrangement is written.
    assert.are.same({ { PensioenInkomen = "13944.00", IngangsDtPensioen = "2054-09-14" } }, ink.Pensioen)
    -- The indicative one (2210.40 either way) and the temporary one (only an
    -- accrued amount) are proposed, as is the partner pension.
    local values = proposed_values(r.proposals, "PensioenInkomen")
    assert.is_true(has_all(values, { "2210.40", "3000.00", "2952.60" }))
    assert.is_false(has_all(values, { "13944.00" }))
  end)

  it("writes one Pensioen per start date once the birth date is complete", function()
    local bytes = variant(SINGLE, function(env) env.Persons[1].MOH.Geboortedatum = "1987-06-14" end)
    local r, t = fill_single(bytes, { household = "single", pension_basis = "prospective" })
    local ink = t.Hypotheekgever[1].Inkomsten[1]
    assert.are.same({ { PensioenInkomen = "16154.40", IngangsDtPensioen = "2054-09-14" } }, ink.Pensioen)
    assert.are.equal("2054-09-14", ink.Uitkering[1].IngangsDt)   -- 67 years 3 months
    local kinds = {}
    for _, c in ipairs(r.changes) do
      if c.path:find("IngangsDt$") or c.path:find("IngangsDtPensioen$") then kinds[#kinds + 1] = c.kind end
    end
    assert.are.same({ "derived", "derived" }, kinds)
  end)

  it("lets opts.codes extend the code tables for one call", function()
    local r, t = fill_single(nil, { codes = { country = { SR = "SR Republiek Suriname" },
      gender = { female = "02 Vrouw" } } })
    local partij = t.PartijNAWData[1]
    assert.are.same({ "SR Republiek Suriname", "NL Nederland", "02 Vrouw" },
      { partij.GeboorteLand, partij.Land, partij.Geslacht })
    for _, p in ipairs(r.proposals) do
      assert.falsy(p.path:find("GeboorteLand", 1, true))
      assert.falsy(p.path:find("Geslacht", 1, true))
    end
    -- The next call has the default tables again.
    local _, t2 = fill_single(nil, {})
    assert.is_nil(t2.PartijNAWData[1].Geslacht)
    assert.are_not.equal("SR Republiek Suriname", t2.PartijNAWData[1].GeboorteLand)
  end)
end)
