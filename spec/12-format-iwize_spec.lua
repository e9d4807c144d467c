-- The built-in format iwize-json (DESIGN 4.1, 7): detection, decoding to a
-- delivery, refusals that name the field and never the value, the BSN kept
-- out, and linking and filling the example AX end to end.
local axlink = require "axlink"
local cjson = require "cjson"
local cdl = axlink.cdl
local iwize = require "axlink.formats.iwize"

local AX = "examples/data/aanvraag.xml"
local AANVRAGER = "examples/data/iwize-aanvrager.json"
local PARTNER = "examples/data/iwize-partner.json"
local BSNS = { "999990342", "999990354" }   -- the samples' (test-range) BSNs
local P1 = "5e0c2b7a-61d4-4f0b-9a3e-2d8c7f16b0a4"   -- keys the host got from the journeys
local P2 = "a81f3c65-0b27-4e9d-8c14-7f5e2a9d03b6"

local slurp = require("support.files").slurp

local tmpfile = require("support.files").tmpfile

-- Reads content written to a temporary file; returns read's three values.
local function read_string(content, opts)
  local path = tmpfile(content)
  local d, err, info = cdl.read(path, opts)
  os.remove(path)
  return d, err, info
end

-- The sample as plain JSON, changed by f, encoded again.
local function variant(path, f)
  local t = cjson.decode(slurp(path))
  f(t)
  return cjson.encode(t)
end

-- Every string (keys and values) in a table, joined: for "appears nowhere".
local function all_text(x, out, seen)
  out, seen = out or {}, seen or {}
  if type(x) == "table" then
    if seen[x] then return out end
    seen[x] = true
    for k, v in pairs(x) do
      all_text(k, out, seen)
      all_text(v, out, seen)
    end
  elseif x ~= nil then
    out[#out + 1] = tostring(x)
  end
  return out
end

local function strip_nulls(x)
  if type(x) ~= "table" then return x end
  for k, v in pairs(x) do
    if v == cjson.null then x[k] = nil else strip_nulls(v) end
  end
  return x
end

local PRODUCTS = {
  MOH = "MijnOverheid: BRP persoonsgegevens", MBD = "MijnBelastingdienst: vooraf ingevulde aangifte",
  MPO = "Mijnpensioenoverzicht",
}
local function source(code, date)
  return { code = code, product = PRODUCTS[code], retrieved_at = date, available = true }
end

describe("iwize-json: decode", function()
  it("decodes the applicant's file to the expected delivery, without a person key", function()
    local d = assert(cdl.read(AANVRAGER))
    local data = d.persons[1].data
    d.persons[1].data = nil
    assert.are.same({
      id = "3b9e6f2a-8c41-4d7e-9a15-6e2c7b0d4f18",
      supplier = "iWize",
      format = "iwize-json",
      collected_at = "2025-01-28",
      sources = { "MOH", "MBD", "MPO" },
      persons = { {
        birth_date = "1954-07-03", initials = "IJW", surname = "Boer", prefix = "de",
        sources = { source("MOH", "2025-01-27"), source("MBD", "2025-01-27"), source("MPO", "2025-01-28") },
      } },
    }, d)
    assert.is_nil(d.persons[1].id)
    assert.is_nil(d.persons[1].role)
    -- data is the file without its key, comment, BSNs and nulls.
    local want = strip_nulls(cjson.decode(slurp(AANVRAGER)))
    want.uuid, want._comment = nil, nil
    want.persoonsgegevens.aanvrager.burgerservicenummer = nil
    want.persoonsgegevens.partner.val.burgerservicenummer = nil
    assert.are.same(want, data)
  end)

  it("decodes the partner's file to the expected delivery", function()
    local d = assert(cdl.read(PARTNER, { person_id = P2, role = "partner" }))
    local data = d.persons[1].data
    d.persons[1].data = nil
    assert.are.same({
      id = "c7d1a094-2e6b-4f3a-8b5c-91e0f2a6d347",
      supplier = "iWize",
      format = "iwize-json",
      collected_at = "2025-01-29",
      sources = { "MOH", "MBD", "MPO" },
      persons = { {
        id = P2, role = "partner",
        birth_date = "1955-02-17", initials = "ZN", surname = "Brouwer",
        sources = { source("MOH", "2025-01-28"), source("MBD", "2025-01-28"), source("MPO", "2025-01-29") },
      } },
    }, d)
    local want = strip_nulls(cjson.decode(slurp(PARTNER)))
    want.uuid, want._comment = nil, nil
    want.persoonsgegevens.aanvrager.bsn = nil
    want.persoonsgegevens.partner.val.bsn = nil
    assert.are.same(want, data)
  end)

  it("sets the person key only from opts.person_id", function()
    assert.is_nil(assert(cdl.read(AANVRAGER)).persons[1].id)
    assert.is_nil(assert(cdl.read(AANVRAGER, { person_id = nil })).persons[1].id)
    assert.are.equal(P1, assert(cdl.read(AANVRAGER, { person_id = P1 })).persons[1].id)
    local d, err, info = cdl.read(AANVRAGER, { person_id = 42 })
    assert.is_nil(d)
    assert.are.equal("AXL-C20", info.code)
    assert.truthy(err:find("opts.person_id", 1, true))
    d, err, info = cdl.read(AANVRAGER, { person_id = "" })
    assert.is_nil(d)
    assert.are.equal("AXL-C20", info.code)
    assert.truthy(err:find("opts.person_id", 1, true))
    d, err, info = cdl.read(AANVRAGER, { person_id = P1 .. "\n" })
    assert.is_nil(d)
    assert.are.equal("AXL-C20", info.code)
    assert.falsy(err:find(P1, 1, true))   -- the key itself is not quoted
    d, err, info = cdl.read(AANVRAGER, { role = "kind" })
    assert.is_nil(d)
    assert.are.equal("AXL-C20", info.code)
    assert.truthy(err:find("opts.role", 1, true))
  end)

  it("keeps every BSN out of the delivery, wherever the file has one", function()
    for _, path in ipairs { AANVRAGER, PARTNER } do
      local bytes = slurp(path)
      for _, bsn in ipairs(BSNS) do assert.truthy(bytes:find(bsn, 1, true)) end   -- the sentinel is there
      local d = assert(cdl.read(path, { person_id = P1 }))
      local text = table.concat(all_text(d), "\n")
      for _, bsn in ipairs(BSNS) do assert.falsy(text:find(bsn, 1, true)) end
      assert.falsy(text:lower():find("burgerservicenummer", 1, true))
      assert.falsy(text:lower():find("\nbsn\n", 1, true))
    end
    -- Spellings beyond axlink.cdl.scrub's list go too, and the format drops
    -- them itself (scrub is the safety net, not the first line).
    local bytes = variant(AANVRAGER, function(t)
      t.persoonsgegevens.aanvrager.bsnPartner = { val = "999990366", meta = { bron = "moh", datum = "27-01-2025" } }
      t.persoonsgegevens.kinderen = { val = { { voornamen = "X", partner_bsn = "999990378" } },
        meta = { bron = "moh", datum = "27-01-2025" } }
    end)
    local d = assert(iwize.decode(bytes, "x.json", {}))
    local text = table.concat(all_text(d), "\n")
    assert.falsy(text:find("999990366", 1, true))
    assert.falsy(text:find("999990378", 1, true))
    assert.falsy(text:find("999990342", 1, true))
  end)

  it("reads BRP partial birth dates and refuses impossible ones", function()
    local function with_birth(date)
      return variant(AANVRAGER, function(t) t.persoonsgegevens.aanvrager.geboortedatum.val = date end)
    end
    assert.are.equal("1954-07-00", assert(read_string(with_birth("00-07-1954"))).persons[1].birth_date)
    assert.are.equal("1954-00-00", assert(read_string(with_birth("00-00-1954"))).persons[1].birth_date)
    assert.are.equal("1956-02-29", assert(read_string(with_birth("29-02-1956"))).persons[1].birth_date)
    for _, bad in ipairs { "15-00-1954", "29-02-1954", "32-01-1954", "03-13-1954", "1954-07-03", "3-7-1954" } do
      local d, err, info = read_string(with_birth(bad))
      assert.is_nil(d)
      assert.are.equal("AXL-C20", info.code)
      assert.truthy(err:find("persoonsgegevens.aanvrager.geboortedatum.val: dd-mm-yyyy date expected", 1, true))
      assert.falsy(err:find(bad, 1, true))
    end
  end)

  it("takes initials without dots and only when supplied", function()
    local d = assert(read_string(variant(AANVRAGER, function(t)
      t.persoonsgegevens.aanvrager.initialen = nil
      t.persoonsgegevens.aanvrager.voorvoegselsGeslachtsnaam = nil
    end)))
    assert.is_nil(d.persons[1].initials)
    assert.is_nil(d.persons[1].prefix)
    assert.are.equal("Boer", d.persons[1].surname)
  end)
end)

describe("iwize-json: detect", function()
  it("recognises the samples", function()
    assert.is_true(iwize.detect(slurp(AANVRAGER), AANVRAGER))
    assert.is_true(iwize.detect(slurp(PARTNER), PARTNER))
    assert.are.equal("iwize-json", assert(cdl.read(AANVRAGER)).format)
  end)

  it("leaves Ockto-style JSON, XML and other JSON alone", function()
    local ockto = [[{"consumerData":{"Id":"75049041-1a1f-4968-9e0e-7bfaed4f838a","OdmVersion":"V4_4",
      "DataSources":["MOH"],"uuid":"x","Persons":[{"PersonId":"p","Naam":{"val":"x","meta":{"bron":"moh",
      "datum":"01-01-2025"}}}]}}]]
    assert.is_false(iwize.detect(ockto, "o.json"))
    local f = io.open("examples/data/ockto-single.json", "rb")
    if f then
      assert.is_false(iwize.detect(f:read("a"), "ockto-single.json"))
      f:close()
    end
    assert.is_false(iwize.detect(slurp(AX), AX))
    for _, s in ipairs {
      "", "   ", "[1, 2, 3]", '{"a": 1}', '{"uuid": "x"}', '{"uuid": "x", "a": {"val": 1}}',
      '{"val": 1, "meta": {"bron": "moh", "datum": "01-01-2025"}}',               -- no uuid
      '["uuid", "val", "meta", "bron"]',
      '<?xml version="1.0"?><a uuid="x"><val/><meta bron="moh"/></a>',
    } do
      assert.is_false(iwize.detect(s, "x"), s)
    end
    assert.is_false(iwize.detect(nil, "x"))
  end)
end)

describe("iwize-json: bad files", function()
  -- Every refusal is clean: nil, "AXL-C20 ..." naming the field, no value.
  local function refused(bytes, needle, opts)
    local d, err, info = read_string(bytes, opts)
    assert.is_nil(d)
    assert.are.equal("AXL-C20", info.code)
    assert.are.equal("iwize-json", info.format)
    assert.truthy(err:find(needle, 1, true), err)
    for _, v in ipairs { "Boer", "IJsbrand", "Brouwer", "1954", "13522", "NP3R8KD12", BSNS[1], BSNS[2] } do
      assert.falsy(err:find(v, 1, true), err)
    end
    return err
  end

  it("refuses truncated JSON, naming the position", function()
    local bytes = slurp(AANVRAGER)
    refused(bytes:sub(1, #bytes // 2), "iwize-json: (file): not valid JSON (at character")
    refused('{"uuid": "x", "a": {"val": NaN, "meta": {"bron": "moh", "datum": "01-01-2025"}}}',
      "not valid JSON", { format = "iwize-json" })
  end)

  it("refuses wrong types, naming the field path", function()
    local function bad(f, needle) refused(variant(AANVRAGER, f), needle) end
    bad(function(t) t.uuid = 12 end, "iwize-json: uuid: a non-empty string expected")
    bad(function(t) t.uuid = "" end, "uuid: a non-empty string expected")
    bad(function(t) t.uuid = " x" end, "uuid: a key without spaces")
    bad(function(t) t.persoonsgegevens.aanvrager.geslachtsnaam.val = { achternaam = "Boer" } end,
      "persoonsgegevens.aanvrager.geslachtsnaam.val: string expected")
    bad(function(t) t.persoonsgegevens.aanvrager.voornamen = "IJsbrand Willem" end,
      "persoonsgegevens.aanvrager.voornamen: a {val, meta} object expected")
    bad(function(t) t.persoonsgegevens.aanvrager.initialen.meta.datum = "2025-01-27" end,
      "persoonsgegevens.aanvrager.initialen.meta.datum: dd-mm-yyyy date expected")
    bad(function(t) t.persoonsgegevens.aanvrager.initialen.meta.bron = 7 end,
      "persoonsgegevens.aanvrager.initialen.meta.bron: a source code")
    bad(function(t) t.persoonsgegevens.adressen.val = { straat = "Esdoornstraat" } end,
      "persoonsgegevens.adressen.val: array expected")
    bad(function(t) t.persoonsgegevens.adressen.val[1].huidig = "ja" end,
      "persoonsgegevens.adressen.val[1].huidig: true or false expected")
    bad(function(t) t.persoonsgegevens.adressen.val[2].straat = { "x" } end,
      "persoonsgegevens.adressen.val[2].straat: string expected")
    bad(function(t) t.pensioenen.algemeen.val.aowDatum = "03-11-20" end,
      "pensioenen.algemeen.val.aowDatum: dd-mm-yyyy date expected")
    bad(function(t) t.pensioenen.pensioenDetails.ouderdomPensioenDetails.val[1].aow.uitkeringSamenwonend = "13522" end,
      "pensioenen.pensioenDetails.ouderdomPensioenDetails.val[1].aow.uitkeringSamenwonend: a non-negative number")
    bad(function(t)
      t.pensioenen.pensioenDetails.ouderdomPensioenDetails.val[1].pensioenUitkeringen[1].opgebouwd = -1
    end, "ouderdomPensioenDetails.val[1].pensioenUitkeringen[1].opgebouwd: a non-negative number expected")
    bad(function(t) t.pensioenen.pensioenDetails.ouderdomPensioenDetails.val[1].vanafLeeftijdJaren = 66.5 end,
      "ouderdomPensioenDetails.val[1].vanafLeeftijdJaren: a whole number expected")
    bad(function(t)
      t.schulden = { studieschuld = { val = { huidigeStand = "veel" }, meta = { bron = "duo", datum = "27-01-2025" } } }
    end, "schulden.studieschuld.val.huidigeStand: a non-negative number expected")
    refused('{"uuid": "x", "a": 1}', "no {val, meta} values", { format = "iwize-json" })
    refused('[{"uuid": "x"}]', "(file): a JSON object expected", { format = "iwize-json" })
    refused('{"consumerData": {"Id": "x"}}', "consumerData: an Ockto-style envelope", { format = "iwize-json" })
  end)

  it("refuses very deep nesting without raising", function()
    local deep = '{"uuid":"x","val":1,"meta":{"bron":"moh"},"d":' .. ("["):rep(500) .. ("]"):rep(500) .. "}"
    refused(deep, "not valid JSON")
  end)

  it("refuses a 100 MB file, and more than 16 MiB in decode itself #heavy", function()
    local path = os.tmpname()
    local f = assert(io.open(path, "wb"))
    f:write('{"uuid": "x", "a": {"val": "', ("a"):rep(100 * 1024 * 1024), '", "meta": {"bron": "moh", ',
      '"datum": "01-01-2025"}}}')
    f:close()
    local d, err, info = cdl.read(path, { format = "iwize-json" })
    os.remove(path)
    assert.is_nil(d)
    assert.are.equal("AXL-C14", info.code)   -- axlink.cdl's own bound comes first
    assert.truthy(err:find("larger than", 1, true))
    local big = '{"uuid": "x", "a": {"val": "' .. ("a"):rep(20 * 1024 * 1024) .. '", "meta": {}}}'
    assert.is_false(iwize.detect(big, "big.json"))
    local nd, nerr = iwize.decode(big, "big.json", {})
    assert.is_nil(nd)
    assert.are.equal("AXL-C20 iwize-json: (file): larger than 16 MiB", nerr)
    d, err, info = read_string(big, { format = "iwize-json" })
    assert.is_nil(d)
    assert.are.equal("AXL-C20", info.code)
    assert.truthy(err:find("larger than 16 MiB", 1, true))
  end)
end)

-- A ctx that records what the format asks for (axlink.fill decides what is
-- written; these tests look at what the format says).
local function recorder()
  local calls = { set = {}, propose = {}, entity = {} }
  local ctx = {}
  function ctx.set(_, entity, field, value, meta)
    calls.set[entity .. "/" .. field] = { value = value, meta = meta }
  end
  function ctx.propose(_, entity, field, value, meta, reason)
    calls.propose[#calls.propose + 1] = { path = entity .. "/" .. field, value = value, meta = meta, reason = reason }
  end
  function ctx.entity(_, kind, key, fields, meta)
    calls.entity[#calls.entity + 1] = { kind = kind, key = key, fields = fields, meta = meta }
  end
  return ctx, calls
end

local function run_fill(d, opts)
  local ctx, calls = recorder()
  iwize.fill(ctx, d.persons[1], d, opts or {})
  return calls
end

local function proposed(calls, path)
  local list = {}
  for _, p in ipairs(calls.propose) do
    if p.path == path then list[#list + 1] = p.value end
  end
  return list
end

describe("iwize-json: fill (what the format asks for)", function()
  it("writes names, a complete birth date, birth data and the current address into PartijNAWData", function()
    local calls = run_fill(assert(cdl.read(AANVRAGER)), {})
    local set = {}
    for k, v in pairs(calls.set) do set[k] = v.value end
    assert.are.same({
      ["PartijNAWData/VoorNamen"] = "IJsbrand Willem",
      ["PartijNAWData/GeboorteAchternaam"] = "Boer",
      ["PartijNAWData/GeboorteTussenvoegsels"] = "de",
      ["PartijNAWData/VoorLetters"] = "IJW",
      ["PartijNAWData/GeboorteDt"] = "1954-07-03",
      ["PartijNAWData/GeboortePlaats"] = "Leeuwarden",
      ["PartijNAWData/GeboorteLand"] = "NL Nederland",
      ["PartijNAWData/Nationaliteit"] = "NL Nederland",
      ["PartijNAWData/StraatNaam"] = "Esdoornstraat",
      ["PartijNAWData/HuisNr"] = "31",
      ["PartijNAWData/Postcode"] = "9721TB",
      ["PartijNAWData/PlaatsNaam"] = "Groningen",
      ["PartijNAWData/Land"] = "NL Nederland",
    }, set)
    assert.are.same({ source = "BRP", source_date = "2025-01-27", kind = "copied" },
      calls.set["PartijNAWData/GeboorteDt"].meta)
    assert.are.same({ source = "BRP", source_date = "2025-01-27", kind = "derived" },
      calls.set["PartijNAWData/Land"].meta)
    -- Never asked for: phone, e-mail, civil state; account and documents are proposals.
    for k in pairs(calls.set) do
      assert.falsy(k:find("TelefoonNr", 1, true) or k:find("E-mailadres", 1, true) or k:find("BurgerlijkeStaat", 1, true)
        or k:find("RekeningNr", 1, true) or k:find("Legitimatie", 1, true), k)
    end
    assert.are.same({ "NL02INGB0000000402" }, proposed(calls, "PartijNAWData/RekeningNr"))
    assert.are.same({ "01 Man" }, proposed(calls, "PartijNAWData/Geslacht"))
    assert.are.same({ "PP Paspoort" }, proposed(calls, "Hypotheekgever/Identificatie/LegitimatieSoort"))
    assert.are.same({ "NP3R8KD12" }, proposed(calls, "Hypotheekgever/Identificatie/LegitimatieNr"))
  end)

  it("never completes a partial birth date, and writes initials and prefix only when supplied", function()
    local d = assert(read_string(variant(AANVRAGER, function(t)
      t.persoonsgegevens.aanvrager.geboortedatum.val = "00-07-1954"
      t.persoonsgegevens.aanvrager.initialen = nil
      t.persoonsgegevens.aanvrager.voorvoegselsGeslachtsnaam = nil
    end)))
    local calls = run_fill(d)
    assert.is_nil(calls.set["PartijNAWData/GeboorteDt"])
    assert.is_nil(calls.set["PartijNAWData/VoorLetters"])
    assert.is_nil(calls.set["PartijNAWData/GeboorteTussenvoegsels"])
    assert.are.equal("Boer", calls.set["PartijNAWData/GeboorteAchternaam"].value)
  end)

  it("takes codes from format.codes with opts.codes over them, and proposes what has no code", function()
    local d = assert(read_string(variant(AANVRAGER, function(t)
      t.persoonsgegevens.aanvrager.nationaliteit.val = "Zweedse"
    end)))
    local calls = run_fill(d, { codes = { land = { NL = "NL Nederland (host)" } } })
    assert.are.equal("NL Nederland (host)", calls.set["PartijNAWData/GeboorteLand"].value)
    assert.are.equal("NL Nederland (host)", calls.set["PartijNAWData/Land"].value)
    assert.is_nil(calls.set["PartijNAWData/Nationaliteit"])
    assert.are.same({ "Zweedse" }, proposed(calls, "PartijNAWData/Nationaliteit"))
    assert.are.equal("NL Nederland", iwize.codes.land.NL)   -- the format's own table is untouched
    calls = run_fill(d, { codes = { nationaliteit = { Zweedse = "SE Zweden" } } })
    assert.are.equal("SE Zweden", calls.set["PartijNAWData/Nationaliteit"].value)
    -- Without the ISO code, the country's name finds it.
    d = assert(read_string(variant(AANVRAGER, function(t) t.persoonsgegevens.aanvrager.geboortelandCode = nil end)))
    assert.are.equal("NL Nederland", run_fill(d).set["PartijNAWData/GeboorteLand"].value)
  end)

  it("writes no address abroad that it cannot map, and joins huisletter and toevoeging", function()
    local d = assert(read_string(variant(AANVRAGER, function(t)
      local a = t.persoonsgegevens.adressen.val[1]
      a.postcode, a.woonplaatsnaam = "B-2000", "Antwerpen"
      a.landcode = "XX"
    end)))
    local calls = run_fill(d)
    assert.is_nil(calls.set["PartijNAWData/StraatNaam"])
    assert.is_nil(calls.set["PartijNAWData/Land"])
    assert.are.equal(1, #proposed(calls, "PartijNAWData/Land"))
    d = assert(read_string(variant(AANVRAGER, function(t)
      local a = t.persoonsgegevens.adressen.val[1]
      a.huisletter, a.huisnummerToevoeging = "A", "2"
    end)))
    assert.are.equal("A 2", run_fill(d).set["PartijNAWData/HuisNrToevoeging"].value)
  end)

  it("puts AOW into Uitkering only with opts.household, else proposes both amounts", function()
    local d = assert(cdl.read(PARTNER))
    local calls = run_fill(d, { pension_basis = "reachable" })
    for _, e in ipairs(calls.entity) do assert.are_not.equal("Uitkering", e.kind) end
    assert.are.same({ "13522.00", "18931.00" }, proposed(calls, "Hypotheekgever/Inkomsten/Uitkering/BrutoJaarUitkering"))
    assert.are.same({ "2021-06-17" }, proposed(calls, "Hypotheekgever/Inkomsten/Uitkering/IngangsDt"))
    calls = run_fill(d, { household = "single" })
    assert.are.same({ kind = "Uitkering", key = { SoortUitkering = "09 AOW" },
      fields = { BrutoJaarUitkering = "18931.00", IngangsDt = "2021-06-17" },
      meta = { source = "MPO", source_date = "2025-01-29", kind = "copied" } }, calls.entity[1])
    assert.are.same({ kind = "Uitkering", key = { SoortUitkering = "09 AOW" },
      fields = { AOWVolledigeOpbouwJN = "J Ja" },
      meta = { source = "MPO", source_date = "2025-01-29", kind = "derived" } }, calls.entity[2])
    calls = run_fill(d, { household = "couple" })
    assert.are.equal("13522.00", calls.entity[1].fields.BrutoJaarUitkering)
    -- Before AOW age (nothing in payment) the reachable amount counts; years
    -- of reduction make the build-up incomplete.
    d = assert(read_string(variant(PARTNER, function(t)
      local aow = t.pensioenen.pensioenDetails.ouderdomPensioenDetails.val[1].aow
      aow.uitkeringSamenwonend, aow.uitkeringAlleenstaand = nil, nil
      aow.teBereikenSamenwonend = 12880.5
      t.pensioenen.algemeen.val.aowKortingsjaren = 2
    end)))
    calls = run_fill(d, { household = "couple" })
    assert.are.equal("12880.50", calls.entity[1].fields.BrutoJaarUitkering)
    assert.are.equal("N Nee", calls.entity[2].fields.AOWVolledigeOpbouwJN)
  end)

  it("puts the lifelong old-age pension into Pensioen only with opts.pension_basis", function()
    local d = assert(read_string(variant(AANVRAGER, function(t)
      local per = t.pensioenen.pensioenDetails.ouderdomPensioenDetails.val
      per[1].pensioenenIndicatief[1].teBereiken = 1500
      -- An earlier, temporary period is not income for life.
      table.insert(per, 1, { pensioenen = { { opgebouwd = 999, teBereiken = 999 } }, totOverlijden = false,
        vanafLeeftijdJaren = 60 })
    end)))
    local calls = run_fill(d, { household = "couple" })
    for _, e in ipairs(calls.entity) do assert.are_not.equal("Pensioen", e.kind) end
    assert.are.same({ "22682.00", "22976.00" }, proposed(calls, "Hypotheekgever/Inkomsten/Pensioen/PensioenInkomen"))
    calls = run_fill(d, { pension_basis = "accrued" })
    assert.are.same({ kind = "Pensioen", key = {}, fields = { PensioenInkomen = "22682.00" },
      meta = { source = "MPO", source_date = "2025-01-28", kind = "derived" } }, calls.entity[1])
    assert.are.same({ IngangsDtPensioen = "2020-11-01" }, calls.entity[2].fields)
    calls = run_fill(d, { pension_basis = "reachable" })
    assert.are.equal("22976.00", calls.entity[1].fields.PensioenInkomen)
  end)

  it("puts DUO debt into Verplichtingen, the monthly amount only once repayment runs", function()
    local function with_duo(duo)
      return assert(read_string(variant(AANVRAGER, function(t)
        t.schulden = { studieschuld = { val = duo, meta = { bron = "duo", datum = "26-01-2025" } } }
      end)))
    end
    local d = with_duo({ beginstand = 21000, huidigeStand = 14250.4, startdatum = "01-09-1999",
      wettelijkMaandbedrag = 96.13, resterendeLooptijdInMaanden = 164, rentepercentage = 2.56 })
    assert.are.same({ "MOH", "MBD", "MPO", "DUO" }, d.sources)
    local calls = run_fill(d)
    assert.are.same({ kind = "Verplichtingen", key = { SoortVerplichting = "12 Studielening" },
      fields = { VerplichtingBedrag = "14250.40", MaandBedrag = "96.13", VerplichtingInMnd = "164" },
      meta = { source = "DUO", source_date = "2025-01-26", kind = "copied" } }, calls.entity[1])
    calls = run_fill(with_duo({ huidigeStand = 8000 }))
    assert.are.same({ VerplichtingBedrag = "8000.00" }, calls.entity[1].fields)
    -- No debt, or no DUO data at all: nothing (missing data is not "no loan").
    assert.are.equal(0, #run_fill(with_duo({ huidigeStand = 0 })).entity)
    assert.are.equal(0, #run_fill(assert(cdl.read(AANVRAGER))).entity)
  end)

  it("proposes an IBL result, never fills it", function()
    local d = assert(read_string(variant(AANVRAGER, function(t)
      t.inkomens.toetsinkomen = { val = { signatureGeldig = true, signatureDatum = "26-01-2025 13:20:10",
        toetsinkomen = 41200 }, meta = { bron = "uwv", datum = "26-01-2025" } }
    end)))
    local calls = run_fill(d)
    assert.are.same({ "41200.00" }, proposed(calls, "Hypotheekgever/Inkomsten/InkomensbepalingLoondienst/Toetsinkomen"))
    assert.are.equal(0, #calls.entity)
  end)
end)

describe("iwize-json: link and fill the example AX end to end", function()
  local NEVER = { "TelefoonNrPrive", "TelefoonNrMobiel", "TelefoonNrWerk", "E-mailadres", "BurgerlijkeStaat" }

  local function linked()
    local msg = assert(axlink.read(AX))
    local d1 = assert(cdl.read(AANVRAGER, { person_id = P1 }))
    local d2 = assert(cdl.read(PARTNER, { person_id = P2 }))
    local r1 = assert(msg:link(d1))
    local r2 = assert(msg:link(d2))
    return msg, d1, d2, r1, r2
  end

  it("links each file to its applicant by automatic matching, verified", function()
    local msg, _, _, r1, r2 = linked()
    assert.are.same({ { person = 1, persoons_id = P1, hypotheekgever = 2, ref = r1.links[1].ref, grade = "verified",
      created = true } }, r1.links)
    assert.are.equal("verified", r2.links[1].grade)
    assert.are.equal(4, r2.links[1].hypotheekgever)
    local links = msg:links()
    assert.are.equal(2, #links)
    assert.are.equal("3b9e6f2a-8c41-4d7e-9a15-6e2c7b0d4f18", links[1].dataleverancier_id)
    assert.are.equal("c7d1a094-2e6b-4f3a-8b5c-91e0f2a6d347", links[2].dataleverancier_id)
    assert.is_true(msg:check().ok)
  end)

  it("fills: pensions added, the AOW difference a conflict, the adviser's fields untouched", function()
    -- A new Pensioen entity has no key field (nothing tells one arrangement
    -- from another), so its fields are the only changes.
    local msg, d1, d2 = linked()
    local t = msg:totable()
    local before = msg:totable()
    local opts = { household = "couple", pension_basis = "reachable" }
    local res1 = assert(cdl.fill(t, d1, opts))
    assert.are.same({
      { path = "/OfferteAanvraag/Hypotheekgever[1]/Inkomsten[1]/Pensioen[1]/PensioenInkomen", source = "MPO",
        source_date = "2025-01-28", new = "22682.00", kind = "derived" },
      { path = "/OfferteAanvraag/Hypotheekgever[1]/Inkomsten[1]/Pensioen[1]/IngangsDtPensioen", source = "MPO",
        source_date = "2025-01-28", new = "2020-11-01", kind = "copied" },
    }, res1.changes)
    assert.are.same({}, res1.conflicts)   -- the AX already says what the BRP and MPO say
    assert.are.same({}, res1.skipped)
    local res2 = assert(cdl.fill(t, d2, opts))
    assert.are.same({
      { path = "/OfferteAanvraag/Hypotheekgever[2]/Inkomsten[1]/Pensioen[1]/PensioenInkomen", source = "MPO",
        source_date = "2025-01-29", new = "6840.00", kind = "derived" },
      { path = "/OfferteAanvraag/Hypotheekgever[2]/Inkomsten[1]/Pensioen[1]/IngangsDtPensioen", source = "MPO",
        source_date = "2025-01-29", new = "2021-06-01", kind = "copied" },
    }, res2.changes)
    assert.are.same({ { path = "/OfferteAanvraag/Hypotheekgever[2]/Inkomsten[1]/Uitkering[1]/BrutoJaarUitkering",
      source = "MPO", ax_value = "13104.00", cdl_value = "13522.00" } }, res2.conflicts)
    -- Proposals: Geslacht, RekeningNr and the identity document (four fields) per person.
    assert.are.equal(6, #res1.proposals)
    assert.are.equal(6, #res2.proposals)
    assert.are.same({ path = "/OfferteAanvraag/PartijNAWData[2]/RekeningNr", source = "Belastingdienst",
      source_date = "2025-01-28", value = "NL02INGB0000000804",
      reason = "the direct-debit account is the consumer's choice; tax data is last year's" }, res2.proposals[2])
    assert.are.same({ path = "/OfferteAanvraag/Hypotheekgever[2]/Identificatie/LegitimatieNr", source = "BRP",
      source_date = "2025-01-28", value = "SF9H2L7T4", reason = "identification rests on the document shown" },
      res2.proposals[4])
    -- Nothing the adviser keeps was touched.
    for i = 1, 2 do
      for _, field in ipairs(NEVER) do
        assert.are.equal(before.Hypotheekgever[i][field], t.Hypotheekgever[i][field])
      end
      assert.are.same(before.Hypotheekgever[i].Identificatie.LegitimatieSoort,
        t.Hypotheekgever[i].Identificatie.LegitimatieSoort)
      assert.are.same(before.Hypotheekgever[i].Identificatie.LegitimatieNr, t.Hypotheekgever[i].Identificatie.LegitimatieNr)
      assert.are.same(before.PartijNAWData[i], t.PartijNAWData[i])   -- RekeningNr included
      assert.are.same(before.Hypotheekgever[i].Inkomsten[1].Uitkering, t.Hypotheekgever[i].Inkomsten[1].Uitkering)
    end
    -- The tables make a message that passes the rules, with the pensions in place.
    local out = assert(axlink.fromtable(t))
    assert.is_true(out:check().ok)
    local xml = out:serialize()
    assert.truthy(xml:find("</Uitkering>\n\t\t\t<Pensioen Volgnummer=\"1\">\n\t\t\t\t<PensioenInkomen>22682.00" ..
      "</PensioenInkomen>\n\t\t\t\t<IngangsDtPensioen>2020-11-01</IngangsDtPensioen>", 1, true))
    assert.truthy(xml:find("<PensioenInkomen>6840.00</PensioenInkomen>", 1, true))
    assert.truthy(xml:find("<BrutoJaarUitkering>13104.00</BrutoJaarUitkering>", 1, true))
    for _, bsn in ipairs(BSNS) do assert.falsy(xml:find(bsn, 1, true)) end
    -- With overwrite the MPO's AOW amount replaces the AX's.
    t = msg:totable()
    local res = assert(cdl.fill(t, d2, { household = "couple", pension_basis = "reachable", overwrite = true }))
    assert.are.same({}, res.conflicts)
    assert.are.equal("13522.00", t.Hypotheekgever[2].Inkomsten[1].Uitkering[1].BrutoJaarUitkering)
  end)

  it("creates AOW and DUO entities the AX lacks, in model order", function()
    local msg, _, d2 = linked()
    local t = msg:totable()
    t.Hypotheekgever[2].Inkomsten[1].Uitkering = nil
    local res = assert(cdl.fill(t, d2, { household = "couple" }))
    local u = "/OfferteAanvraag/Hypotheekgever[2]/Inkomsten[1]/Uitkering[1]/"
    local function change(path, new, kind)
      return { path = path, source = "MPO", source_date = "2025-01-29", new = new, kind = kind }
    end
    assert.are.same({
      change(u .. "SoortUitkering", "09 AOW", "copied"),
      change(u .. "BrutoJaarUitkering", "13522.00", "copied"),
      change(u .. "IngangsDt", "2021-06-17", "copied"),
      change(u .. "AOWVolledigeOpbouwJN", "J Ja", "derived"),
    }, res.changes)
    -- A DUO debt (the same data file, re-read with a study loan in it).
    local duo = variant(AANVRAGER, function(j)
      j.schulden = { studieschuld = { val = { huidigeStand = 14250.4, wettelijkMaandbedrag = 96.13,
        resterendeLooptijdInMaanden = 164 }, meta = { bron = "duo", datum = "26-01-2025" } } }
    end)
    local d1 = assert(read_string(duo, { person_id = P1 }))
    res = assert(cdl.fill(t, d1, {}))
    local v = "/OfferteAanvraag/Hypotheekgever[1]/Verplichtingen[1]/"
    local function duo_change(field, new)
      return { path = v .. field, source = "DUO", source_date = "2025-01-26", new = new, kind = "copied" }
    end
    assert.are.same({
      duo_change("SoortVerplichting", "12 Studielening"), duo_change("MaandBedrag", "96.13"),
      duo_change("VerplichtingBedrag", "14250.40"), duo_change("VerplichtingInMnd", "164"),
    }, res.changes)
    -- The adviser's own statement about the inventory stays as it was.
    assert.are.equal("02 Ja, maar geen sprake van een studielening", t.Hypotheekgever[1].StudieleningInventarisatie)
    local out = assert(axlink.fromtable(t))
    assert.is_true(out:check().ok)
    local xml = out:serialize()
    assert.truthy(xml:find("\t\t</Inkomsten>\n\t\t<Verplichtingen Volgnummer=\"1\">\n\t\t\t<SoortVerplichting>" ..
      "12 Studielening</SoortVerplichting>\n\t\t\t<VerplichtingBedrag>14250.40</VerplichtingBedrag>\n" ..
      "\t\t\t<MaandBedrag>96.13</MaandBedrag>\n\t\t\t<VerplichtingInMnd>164</VerplichtingInMnd>", 1, true), xml)
    assert.truthy(xml:find("<SoortUitkering>09 AOW</SoortUitkering>\n\t\t\t\t<BrutoJaarUitkering>13522.00", 1, true))
  end)

  it("fills nothing without the household and the pension basis, only proposes", function()
    local msg, d1 = linked()
    local t = msg:totable()
    local res = assert(cdl.fill(t, d1))
    assert.are.same({}, res.changes)
    assert.are.same({}, res.conflicts)
    assert.are.equal(6 + 3 + 2, #res.proposals)   -- + AOW couple/single/date, + pension accrued/reachable
    assert.is_nil(t.Hypotheekgever[1].Inkomsten[1].Pensioen)
  end)

  it("reports a format error in tampered data as a clean AXL-C12", function()
    local msg, d1 = linked()
    d1.persons[1].data.persoonsgegevens.aanvrager.geslachtsnaam.val = { "Boer" }
    local res, err, info = cdl.fill(msg:totable(), d1, {})
    assert.is_nil(res)
    assert.are.equal("AXL-C12", info.code)
    assert.truthy(err:find("persoonsgegevens.aanvrager.geslachtsnaam.val: string expected", 1, true))
    assert.falsy(err:find("Boer", 1, true))
  end)

  it("refuses to link a file read without a person key (AXL-L05)", function()
    local msg = assert(axlink.read(AX))
    local xml = msg:serialize()
    local d = assert(cdl.read(AANVRAGER))
    assert.is_nil(d.persons[1].id)
    local r, err, info = msg:link(d)
    assert.is_nil(r)
    assert.are.equal("AXL-L05", info.code)
    assert.is_string(err)
    assert.are.equal(xml, msg:serialize())   -- nothing written
    -- Named explicitly, still refused: the key is what the lender sends back.
    r, err, info = msg:link(d, { match = { [1] = 2 } })
    assert.is_string(err)
    assert.is_nil(r)
    assert.are.equal("AXL-L05", info.code)
  end)
end)
