-- The built-in format iwize-json (DESIGN 4.1, 7): detection, decoding to a
-- delivery whose person carries facts in the shared vocabulary (DESIGN 7.2),
-- refusals that name the field and never the value, the BSN kept out, and
-- linking and filling the example AX end to end through the one mapping.
local axlink = require "axlink"
local cjson = require "cjson"
local cdl = axlink.cdl
local iwize = require "axlink.formats.iwize"

local AX = "examples/data/aanvraag.xml"
local AANVRAGER = "examples/data/iwize-aanvrager.json"
local PARTNER = "examples/data/iwize-partner.json"
local SAME = "spec/fixtures/same-person/iwize.json"
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

-- The facts of a variant of a sample.
local function facts_of(path, f)
  return assert(read_string(variant(path, f))).persons[1].facts
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

local PRODUCTS = {
  MOH = "MijnOverheid: BRP persoonsgegevens", MBD = "MijnBelastingdienst: vooraf ingevulde aangifte",
  MPO = "Mijnpensioenoverzicht", DUO = "DUO: studieschuld",
}
local function source(code, date)
  return { code = code, product = PRODUCTS[code], retrieved_at = date, available = true }
end

-- A wrapped value as iWize writes it.
local function wrap(val, bron, datum)
  return { val = val, meta = { bron = bron, datum = datum } }
end

-- The applicant's facts as the sample gives them.
local AANVRAGER_FACTS = {
  identity = { source = "BRP", date = "2025-01-27", first_names = "IJsbrand Willem", initials = "IJW",
    prefix = "de", surname = "Boer", birth_date = "1954-07-03", gender = "male", birth_country = "NL",
    birth_place = "Leeuwarden", nationalities = { "NL" } },
  address = { source = "BRP", date = "2025-01-27", street = "Esdoornstraat", number = "31", postcode = "9721TB",
    city = "Groningen", country = "NL", since = "1987-05-14" },
  aow = { source = "MPO", date = "2025-01-28", start = "2020-11-03", yearly_single = "18931.00",
    yearly_couple = "13522.00", full_accrual = true },
  pensions = {
    { source = "MPO", date = "2025-01-28", kind = "old_age", provider = "Nationale-Nederlanden",
      id = "NN-7730-118402", start = "2020-11-03", yearly_accrued = "1206.00", yearly_prospective = "1206.00",
      indicative = true },
    { source = "MPO", date = "2025-01-28", kind = "old_age", provider = "Stichting Pensioenfonds ABP",
      id = "ABP-4471093", start = "2020-11-03", yearly_accrued = "21476.00", yearly_prospective = "21476.00" },
  },
}

describe("iwize-json: decode", function()
  it("decodes the applicant's file to the expected delivery and facts, without a person key", function()
    local d = assert(cdl.read(AANVRAGER))
    assert.are.same({
      id = "3b9e6f2a-8c41-4d7e-9a15-6e2c7b0d4f18",
      supplier = "iWize",
      format = "iwize-json",
      collected_at = "2025-01-28",
      sources = { "MOH", "MBD", "MPO" },
      persons = { {
        birth_date = "1954-07-03", initials = "IJW", surname = "Boer", prefix = "de",
        sources = { source("MOH", "2025-01-27"), source("MBD", "2025-01-27"), source("MPO", "2025-01-28") },
        facts = AANVRAGER_FACTS,
      } },
    }, d)
    assert.is_nil(d.persons[1].id)
    assert.is_nil(d.persons[1].role)
    assert.is_nil(d.persons[1].data)
    assert.is_nil(iwize.fill)
    assert.is_nil(iwize.codes)
  end)

  it("decodes the partner's file to the expected delivery and facts", function()
    local d = assert(cdl.read(PARTNER, { person_id = P2, role = "partner" }))
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
        facts = {
          identity = { source = "BRP", date = "2025-01-28", first_names = "Zoë Noëlle", initials = "ZN",
            surname = "Brouwer", birth_date = "1955-02-17", gender = "female", birth_country = "NL",
            birth_place = "Assen", nationalities = { "NL" } },
          address = { source = "BRP", date = "2025-01-28", street = "Esdoornstraat", number = "31",
            postcode = "9721TB", city = "Groningen", country = "NL", since = "1987-05-14" },
          aow = { source = "MPO", date = "2025-01-29", start = "2021-06-17", yearly_single = "18931.00",
            yearly_couple = "13522.00", full_accrual = true },
          pensions = {
            { source = "MPO", date = "2025-01-29", kind = "old_age", provider = "Stichting Pensioenfonds Zorg en Welzijn",
              id = "PFZW-20931577", start = "2021-06-17", yearly_accrued = "6840.00", yearly_prospective = "6840.00" },
          },
        },
      } },
    }, d)
  end)

  it("decodes the invented person every built-in format delivers (spec/fixtures/same-person)", function()
    local d = assert(cdl.read(SAME, { person_id = P1 }))
    assert.are.equal("2f8a6d14-7c93-4e05-b1d8-5a0c9e3f6172", d.id)
    assert.are.same({ "MOH", "MPO", "DUO" }, d.sources)
    assert.are.equal("2026-11-02", d.collected_at)
    assert.are.same(require("support.same_person")(), d.persons[1].facts)
    assert.are.equal("integer", math.type(d.persons[1].facts.study_loans[1].remaining_months))
    assert.falsy(table.concat(all_text(d), "\n"):find("999995005", 1, true))
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
    -- Spellings beyond axlink.cdl.scrub's list stay out too: decode reads
    -- only the fields it knows (scrub is the safety net, not the first line).
    local bytes = variant(AANVRAGER, function(t)
      t.persoonsgegevens.aanvrager.bsnPartner = wrap("999990366", "moh", "27-01-2025")
      t.persoonsgegevens.kinderen = wrap({ { voornamen = "X", partner_bsn = "999990378" } }, "moh", "27-01-2025")
    end)
    local d = assert(iwize.decode(bytes, "x.json", {}))
    local text = table.concat(all_text(d), "\n")
    assert.falsy(text:find("999990366", 1, true))
    assert.falsy(text:find("999990378", 1, true))
    assert.falsy(text:find("999990342", 1, true))
  end)

  it("leaves out what the vocabulary has no name for: documents, account numbers, e-mail, partner", function()
    local text = table.concat(all_text(assert(cdl.read(AANVRAGER))), "\n")
    for _, v in ipairs { "NP3R8KD12", "paspoort", "NL02INGB0000000402", "ijsbrand.deboer@example.nl", "Zoë",
      "Groningen K 4412", "38914", "15033" } do
      assert.falsy(text:find(v, 1, true), v)
    end
  end)

  it("reads BRP partial birth dates and refuses impossible ones", function()
    local function with_birth(date)
      return variant(AANVRAGER, function(t) t.persoonsgegevens.aanvrager.geboortedatum.val = date end)
    end
    local d = assert(read_string(with_birth("00-07-1954")))
    assert.are.equal("1954-07-00", d.persons[1].birth_date)
    assert.are.equal("1954-07-00", d.persons[1].facts.identity.birth_date)   -- partial, never completed
    assert.are.equal("1954-00-00", assert(read_string(with_birth("00-00-1954"))).persons[1].birth_date)
    assert.are.equal("1956-02-29", assert(read_string(with_birth("29-02-1956"))).persons[1].birth_date)
    for _, bad in ipairs { "15-00-1954", "29-02-1954", "32-01-1954", "03-13-1954", "1954-07-03", "3-7-1954" } do
      local nd, err, info = read_string(with_birth(bad))
      assert.is_nil(nd)
      assert.are.equal("AXL-C20", info.code)
      assert.truthy(err:find("persoonsgegevens.aanvrager.geboortedatum.val: dd-mm-yyyy date expected", 1, true))
      assert.falsy(err:find(bad, 1, true))
    end
  end)

  it("takes initials without dots and prefix only when supplied", function()
    local d = assert(read_string(variant(AANVRAGER, function(t)
      t.persoonsgegevens.aanvrager.initialen = nil
      t.persoonsgegevens.aanvrager.voorvoegselsGeslachtsnaam = nil
    end)))
    assert.is_nil(d.persons[1].initials)
    assert.is_nil(d.persons[1].prefix)
    assert.are.equal("Boer", d.persons[1].surname)
    assert.is_nil(d.persons[1].facts.identity.initials)
    assert.is_nil(d.persons[1].facts.identity.prefix)
    -- Only the joined name: the verification surname, never the fact's.
    d = assert(read_string(variant(AANVRAGER, function(t)
      local a = t.persoonsgegevens.aanvrager
      a.geslachtsnaam, a.voorvoegselsGeslachtsnaam = nil, nil
    end)))
    assert.are.equal("de Boer", d.persons[1].surname)
    assert.is_nil(d.persons[1].facts.identity.surname)
  end)
end)

describe("iwize-json: facts in the vocabulary's words", function()
  it("gives countries and nationalities as ISO codes, from iWize's words, and leaves unknown words out", function()
    local id = facts_of(AANVRAGER, function(t)
      local a = t.persoonsgegevens.aanvrager
      a.geboortelandCode = nil                     -- the name alone: "Nederland"
      a.nationaliteit.val = "Belgische"
    end).identity
    assert.are.equal("NL", id.birth_country)
    assert.are.same({ "BE" }, id.nationalities)
    id = facts_of(AANVRAGER, function(t)
      local a = t.persoonsgegevens.aanvrager
      a.geboortelandCode.val = "6030"             -- BRP's own land code: not ISO, so the name decides
      a.geboorteland.val = "Marokko"
      a.nationaliteit.val = "Zweedse"             -- no entry: left out, never guessed
    end).identity
    assert.are.equal("MA", id.birth_country)
    assert.is_nil(id.nationalities)
    id = facts_of(AANVRAGER, function(t)
      local a = t.persoonsgegevens.aanvrager
      a.geboortelandCode, a.geboorteland.val = nil, "Atlantis"
      a.geslacht.val = "X"
    end).identity
    assert.is_nil(id.birth_country)
    assert.is_nil(id.gender)
    assert.are.equal("Leeuwarden", id.birth_place)
    assert.are.equal("female", facts_of(AANVRAGER, function(t)
      t.persoonsgegevens.aanvrager.geslacht.val = "Vrouw"
    end).identity.gender)
  end)

  it("gives the current address only, with letter and addition apart and the postcode normalised", function()
    local a = facts_of(AANVRAGER, function(t)
      local cur = t.persoonsgegevens.adressen.val[1]
      cur.huisletter, cur.huisnummerToevoeging, cur.huisnummer = "A", "2", 31
      cur.vanafDatum = "00-05-1987"               -- partial: no `since`
    end).address
    assert.are.same({ source = "BRP", date = "2025-01-27", street = "Esdoornstraat", number = "31", letter = "A",
      addition = "2", postcode = "9721TB", city = "Groningen", country = "NL" }, a)
    -- An address abroad keeps its own country and its postcode as written.
    a = facts_of(AANVRAGER, function(t)
      local cur = t.persoonsgegevens.adressen.val[1]
      cur.postcode, cur.woonplaatsnaam, cur.landcode = "B-2000", "Antwerpen", "BE"
    end).address
    assert.are.equal("BE", a.country)
    assert.are.equal("B-2000", a.postcode)
    -- A house number with more than digits is left out, not split by a guess.
    assert.is_nil(facts_of(AANVRAGER, function(t)
      t.persoonsgegevens.adressen.val[1].huisnummer = "31a"
    end).address.number)
    -- Two current addresses, or none: no address fact.
    assert.is_nil(facts_of(AANVRAGER, function(t) t.persoonsgegevens.adressen.val[2].huidig = true end).address)
    assert.is_nil(facts_of(AANVRAGER, function(t) t.persoonsgegevens.adressen.val[1].huidig = false end).address)
    -- Without any landcode the country is absent (the mapping's default is NL).
    assert.is_nil(facts_of(AANVRAGER, function(t) t.persoonsgegevens.aanvrager.landcode = nil end).address.country)
  end)

  it("takes the AOW amounts reached at the AOW start, else the amounts in payment", function()
    local aow = facts_of(PARTNER, function(t)
      local a = t.pensioenen.pensioenDetails.ouderdomPensioenDetails.val[1].aow
      a.teBereikenSamenwonend, a.teBereikenAlleenstaand = nil, nil
      a.uitkeringSamenwonend = 12880.5
      t.pensioenen.algemeen.val.aowKortingsjaren = 2   -- years of reduction: no full build-up
    end).aow
    assert.are.same({ source = "MPO", date = "2025-01-29", start = "2021-06-17", yearly_couple = "12880.50",
      yearly_single = "18931.00", full_accrual = false }, aow)
    -- Only the AOW date: a fact dated by `algemeen`.
    aow = facts_of(PARTNER, function(t)
      t.pensioenen.pensioenDetails = nil
      t.pensioenen.algemeen.val.aowKortingsjaren = nil
      t.pensioenen.algemeen.meta.datum = "30-01-2025"
    end).aow
    assert.are.same({ source = "MPO", date = "2025-01-30", start = "2021-06-17" }, aow)
  end)

  it("merges an arrangement over its age blocks into one entry, and keeps the rest apart", function()
    -- The public example's pattern: a temporary block before a lifelong one,
    -- arrangements repeated in each block they pay in.
    local pensions = facts_of(AANVRAGER, function(t)
      local val = t.pensioenen.pensioenDetails.ouderdomPensioenDetails.val
      local lifelong = val[1]
      lifelong.pensioenen = { { herkenningsNummer = "BR-1", pensioenUitvoerder = "Bridge", opgebouwd = 500,
        teBereiken = 700 } }
      table.insert(val, 1, {
        vanafLeeftijdJaren = 60, vanafLeeftijdMaanden = 0, totLeeftijdJaren = 66, totLeeftijdMaanden = 4,
        totOverlijden = false, vanafDatum = cjson.null, totDatum = cjson.null,
        pensioenen = { { herkenningsNummer = "BR-1", pensioenUitvoerder = "Bridge", opgebouwd = 400,
          teBereiken = 600 }, { herkenningsNummer = "TMP-9", pensioenUitvoerder = "Temp", opgebouwd = 999,
          teBereiken = 999 }, { pensioenUitvoerder = "No number", opgebouwd = 10, teBereiken = 20 } },
        pensioenenIndicatief = {}, pensioenUitkeringen = {},
      })
      table.insert(val, 1, {   -- a block that ends without saying when: its own entries are left out
        vanafLeeftijdJaren = 58, totOverlijden = false, pensioenen = {
          { herkenningsNummer = "OPEN-1", pensioenUitvoerder = "Open", opgebouwd = 1, teBereiken = 1 } },
      })
    end).pensions
    local M = { source = "MPO", date = "2025-01-28", kind = "old_age" }
    local function p(fields)
      for k, v in pairs(M) do fields[k] = v end
      return fields
    end
    assert.are.same({
      p { provider = "Bridge", id = "BR-1", start_age = { years = 60, months = 0 }, yearly_accrued = "500.00",
        yearly_prospective = "700.00" },
      p { provider = "Temp", id = "TMP-9", start_age = { years = 60, months = 0 },
        end_age = { years = 66, months = 4 }, yearly_accrued = "999.00", yearly_prospective = "999.00" },
      p { provider = "No number", start_age = { years = 60, months = 0 }, end_age = { years = 66, months = 4 },
        yearly_accrued = "10.00", yearly_prospective = "20.00" },
      AANVRAGER_FACTS.pensions[1],
      AANVRAGER_FACTS.pensions[2],
    }, pensions)
    -- The same number twice in one block: two arrangements (the public
    -- example has a provider's 1595 and 0 side by side), never one.
    pensions = facts_of(AANVRAGER, function(t)
      local block = t.pensioenen.pensioenDetails.ouderdomPensioenDetails.val[1]
      block.pensioenenIndicatief = { { herkenningsNummer = "X-1", pensioenUitvoerder = "X", opgebouwd = 1595,
        teBereiken = 1595 }, { herkenningsNummer = "X-1", pensioenUitvoerder = "X", opgebouwd = 0, teBereiken = 0 } }
      block.pensioenUitkeringen = {}
      block.vanafDatum = cjson.null
    end).pensions
    assert.are.same({ "1595.00", "0.00" }, { pensions[1].yearly_accrued, pensions[2].yearly_accrued })
    assert.are.same({ years = 66, months = 4 }, pensions[1].start_age)   -- no date: the age
    assert.is_true(pensions[2].indicative)
  end)

  it("gives DUO's study debt with the project's extension fields", function()
    local function loans(duo)
      return facts_of(AANVRAGER, function(t)
        t.schulden = { studieschuld = wrap(duo, "duo", "26-01-2025") }
      end).study_loans
    end
    assert.are.same({ { source = "DUO", date = "2025-01-26", debt = "14250.40",
      monthly = "96.13", remaining_months = 164, repayment_start = "2012-01-01", regime = "SF15" } },
      loans({ beginstand = 21000, huidigeStand = 14250.4, startdatum = "01-09-1999", wettelijkMaandbedrag = 96.13,
        resterendeLooptijdInMaanden = 164, rentepercentage = 2.56, startdatumAflosfase = "01-01-2012",
        regeling = "Studievoorschot" }))
    assert.are.same({ { source = "DUO", date = "2025-01-26", debt = "8000.00", regime = "other" } },
      loans({ huidigeStand = 8000, regeling = "Iets anders" }))
    -- "No debt" is a fact; no DUO data at all is none.
    assert.are.same({ { source = "DUO", date = "2025-01-26", debt = "0.00" } }, loans({ huidigeStand = 0 }))
    assert.is_nil(assert(cdl.read(AANVRAGER)).persons[1].facts.study_loans)
    local d = assert(read_string(variant(AANVRAGER, function(t)
      t.schulden = { studieschuld = wrap({ huidigeStand = 1 }, "duo", "26-01-2025") }
    end)))
    assert.are.same({ "MOH", "MBD", "MPO", "DUO" }, d.sources)
  end)

  it("gives UWV's toetsinkomen as an income statement, signed as the file says, never official", function()
    local f = facts_of(AANVRAGER, function(t)
      t.inkomens.toetsinkomen = wrap({ signatureGeldig = true, signatureDatum = "26-01-2025 13:20:10",
        toetsinkomen = 41200 }, "uwv", "26-01-2025")
    end)
    assert.are.same({ source = "UWV", date = "2025-01-26", signed = true, yearly = "41200.00" }, f.income_statement)
  end)
end)

describe("iwize-json: detect", function()
  it("recognises the samples", function()
    assert.is_true(iwize.detect(slurp(AANVRAGER), AANVRAGER))
    assert.is_true(iwize.detect(slurp(PARTNER), PARTNER))
    assert.is_true(iwize.detect(slurp(SAME), SAME))
    assert.are.equal("iwize-json", assert(cdl.read(AANVRAGER)).format)
  end)

  it("leaves Ockto-style JSON, XML and other JSON alone", function()
    local ockto = [[{"consumerData":{"Id":"75049041-1a1f-4968-9e0e-7bfaed4f838a","OdmVersion":"V4_4",
      "DataSources":["MOH"],"uuid":"x","Persons":[{"PersonId":"p","Naam":{"val":"x","meta":{"bron":"moh",
      "datum":"01-01-2025"}}}]}}]]
    assert.is_false(iwize.detect(ockto, "o.json"))
    assert.is_false(iwize.detect(slurp("examples/data/ockto-single.json"), "ockto-single.json"))
    assert.is_false(iwize.detect(slurp("spec/fixtures/same-person/ockto.json"), "ockto.json"))
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
    for _, v in ipairs { "Boer", "IJsbrand", "Brouwer", "1954", "13522", "NP3R8KD12", "veel", BSNS[1], BSNS[2] } do
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
    local OUDERDOM = "pensioenen.pensioenDetails.ouderdomPensioenDetails.val[1]"
    local function block(t) return t.pensioenen.pensioenDetails.ouderdomPensioenDetails.val[1] end
    bad(function(t) t.uuid = 12 end, "iwize-json: uuid: a non-empty string expected")
    bad(function(t) t.uuid = "" end, "uuid: a non-empty string expected")
    bad(function(t) t.uuid = " x" end, "uuid: a key without spaces")
    bad(function(t) t.persoonsgegevens.aanvrager.geslachtsnaam.val = { achternaam = "Boer" } end,
      "persoonsgegevens.aanvrager.geslachtsnaam.val: string expected")
    bad(function(t) t.persoonsgegevens.aanvrager.voornamen = "IJsbrand Willem" end,
      "persoonsgegevens.aanvrager.voornamen: a {val, meta} object expected")
    bad(function(t) t.persoonsgegevens.aanvrager.initialen.meta.datum = "2025-01-27" end,
      "persoonsgegevens.aanvrager.initialen.meta.datum: dd-mm-yyyy date expected")
    bad(function(t) t.persoonsgegevens.aanvrager.initialen.meta.datum = nil end,
      "persoonsgegevens.aanvrager.initialen.meta.datum: dd-mm-yyyy date expected")
    bad(function(t) t.persoonsgegevens.aanvrager.initialen.meta.bron = 7 end,
      "persoonsgegevens.aanvrager.initialen.meta.bron: a source code")
    bad(function(t) t.persoonsgegevens.aanvrager = "Boer" end, "persoonsgegevens.aanvrager: object expected")
    bad(function(t) t.persoonsgegevens.adressen.val = { straat = "Esdoornstraat" } end,
      "persoonsgegevens.adressen.val: array expected")
    bad(function(t) t.persoonsgegevens.adressen.val[1].huidig = "ja" end,
      "persoonsgegevens.adressen.val[1].huidig: true or false expected")
    bad(function(t) t.persoonsgegevens.adressen.val[2].straat = { "x" } end,
      "persoonsgegevens.adressen.val[2].straat: string expected")
    bad(function(t) t.persoonsgegevens.adressen.val[1].huisnummer = -31 end,
      "persoonsgegevens.adressen.val[1].huisnummer: house number expected")
    bad(function(t) t.pensioenen.algemeen.val.aowDatum = "03-11-20" end,
      "pensioenen.algemeen.val.aowDatum: dd-mm-yyyy date expected")
    bad(function(t) t.pensioenen.algemeen.val.aowKortingsjaren = -1 end,
      "pensioenen.algemeen.val.aowKortingsjaren: a non-negative number expected")
    bad(function(t) block(t).aow.uitkeringSamenwonend = "veel" end,
      OUDERDOM .. ".aow.uitkeringSamenwonend: number expected")
    bad(function(t) block(t).pensioenUitkeringen[1].opgebouwd = -1 end,
      OUDERDOM .. ".pensioenUitkeringen[1].opgebouwd: negative amount")
    bad(function(t) block(t).vanafLeeftijdJaren = 66.5 end,
      OUDERDOM .. ".vanafLeeftijdJaren: non-negative whole number expected")
    bad(function(t) block(t).totDatum = "morgen" end, OUDERDOM .. ".totDatum: dd-mm-yyyy date expected")
    bad(function(t) block(t).pensioenen = { "x" } end, OUDERDOM .. ".pensioenen[1]: object expected")
    bad(function(t) t.schulden = { studieschuld = wrap({ huidigeStand = "veel" }, "duo", "27-01-2025") } end,
      "schulden.studieschuld.val.huidigeStand: number expected")
    bad(function(t)
      t.schulden = { studieschuld = wrap({ resterendeLooptijdInMaanden = 1.5 }, "duo", "27-01-2025") }
    end, "schulden.studieschuld.val.resterendeLooptijdInMaanden: non-negative whole number expected")
    bad(function(t) t.schulden = "veel" end, "schulden: object expected")
    bad(function(t)
      t.inkomens.toetsinkomen = wrap({ signatureGeldig = "ja" }, "uwv", "26-01-2025")
    end, "inkomens.toetsinkomen.val.signatureGeldig: true or false expected")
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

describe("iwize-json: link and fill the example AX end to end", function()
  local NEVER = { "TelefoonNrPrive", "TelefoonNrMobiel", "TelefoonNrWerk", "E-mailadres", "BurgerlijkeStaat",
    "StudieleningInventarisatie" }
  local HG1 = "/OfferteAanvraag/Hypotheekgever[1]/"
  local HG2 = "/OfferteAanvraag/Hypotheekgever[2]/"

  local function linked()
    local msg = assert(axlink.read(AX))
    local d1 = assert(cdl.read(AANVRAGER, { person_id = P1 }))
    local d2 = assert(cdl.read(PARTNER, { person_id = P2 }))
    local r1 = assert(msg:link(d1))
    local r2 = assert(msg:link(d2))
    return msg, d1, d2, r1, r2
  end

  -- The changes as path -> { new, source, source_date, kind }.
  local function by_path(list)
    local out = {}
    for _, c in ipairs(list) do
      out[c.path] = { new = c.new, source = c.source, source_date = c.source_date, kind = c.kind }
    end
    return out
  end

  local function change(new, register, date, kind)
    return { new = new, source = register, source_date = date, kind = kind or "copied" }
  end

  -- The values proposed for paths ending in `field`, sorted.
  local function proposed(res, field)
    local list = {}
    for _, p in ipairs(res.proposals) do
      if p.path:sub(-#field - 1) == "/" .. field then list[#list + 1] = tostring(p.value) end
    end
    table.sort(list)
    return list
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

  it("fills: lifelong pensions added, the AOW difference a conflict, the adviser's fields untouched", function()
    -- The AX already says what the BRP says, and the applicant's AOW as MPO
    -- gives it; a new Pensioen is keyed by its start date.
    local msg, d1, d2 = linked()
    local t = msg:totable()
    local before = msg:totable()
    local opts = { household = "couple", pension_basis = "prospective" }
    local res1 = assert(cdl.fill(t, d1, opts))
    assert.are.same({
      [HG1 .. "Inkomsten[1]/Pensioen[1]/IngangsDtPensioen"] = change("2020-11-03", "MPO", "2025-01-28"),
      [HG1 .. "Inkomsten[1]/Pensioen[1]/PensioenInkomen"] = change("21476.00", "MPO", "2025-01-28"),
    }, by_path(res1.changes))
    assert.are.same({}, res1.conflicts)
    local res2 = assert(cdl.fill(t, d2, opts))
    assert.are.same({
      [HG2 .. "Inkomsten[1]/Pensioen[1]/IngangsDtPensioen"] = change("2021-06-17", "MPO", "2025-01-29"),
      [HG2 .. "Inkomsten[1]/Pensioen[1]/PensioenInkomen"] = change("6840.00", "MPO", "2025-01-29"),
    }, by_path(res2.changes))
    assert.are.same({ { path = HG2 .. "Inkomsten[1]/Uitkering[1]/BrutoJaarUitkering", source = "MPO",
      ax_value = "13104.00", cdl_value = "13522.00" } }, res2.conflicts)
    -- Proposed only: the gender (HDN's list is not public) and the applicant's
    -- indicative pension; nothing about documents or the account number,
    -- which are no facts.
    assert.are.same({ "male" }, proposed(res1, "Geslacht"))
    assert.are.same({ "female" }, proposed(res2, "Geslacht"))
    assert.are.same({ "1206.00" }, proposed(res1, "PensioenInkomen"))
    assert.are.same({}, proposed(res2, "PensioenInkomen"))
    for _, res in ipairs { res1, res2 } do
      for _, p in ipairs(res.proposals) do
        assert.falsy(p.path:find("Legitimatie", 1, true) or p.path:find("RekeningNr", 1, true), p.path)
      end
    end
    -- Nothing the adviser keeps was touched.
    for i = 1, 2 do
      for _, field in ipairs(NEVER) do
        assert.are.equal(before.Hypotheekgever[i][field], t.Hypotheekgever[i][field])
      end
      assert.are.same(before.Hypotheekgever[i].Identificatie, t.Hypotheekgever[i].Identificatie)
      assert.are.same(before.PartijNAWData[i], t.PartijNAWData[i])   -- RekeningNr included
      assert.are.same(before.Hypotheekgever[i].Inkomsten[1].Uitkering, t.Hypotheekgever[i].Inkomsten[1].Uitkering)
    end
    -- The tables make a message that passes the rules, with the pensions in place.
    local out = assert(axlink.fromtable(t))
    assert.is_true(out:check().ok)
    local xml = out:serialize()
    assert.truthy(xml:find("</Uitkering>\n\t\t\t<Pensioen Volgnummer=\"1\">\n\t\t\t\t<PensioenInkomen>21476.00" ..
      "</PensioenInkomen>\n\t\t\t\t<IngangsDtPensioen>2020-11-03</IngangsDtPensioen>", 1, true), xml)
    assert.truthy(xml:find("<PensioenInkomen>6840.00</PensioenInkomen>", 1, true))
    assert.truthy(xml:find("<BrutoJaarUitkering>13104.00</BrutoJaarUitkering>", 1, true))
    for _, bsn in ipairs(BSNS) do assert.falsy(xml:find(bsn, 1, true)) end
    -- With overwrite the MPO's AOW amount replaces the AX's.
    t = msg:totable()
    local res = assert(cdl.fill(t, d2, { household = "couple", pension_basis = "prospective", overwrite = true }))
    assert.are.same({}, res.conflicts)
    assert.are.equal("13522.00", t.Hypotheekgever[2].Inkomsten[1].Uitkering[1].BrutoJaarUitkering)
  end)

  it("creates AOW and DUO entities the AX lacks, in model order", function()
    local msg, _, d2 = linked()
    local t = msg:totable()
    t.Hypotheekgever[2].Inkomsten[1].Uitkering = nil
    local res = assert(cdl.fill(t, d2, { household = "couple" }))
    local u = HG2 .. "Inkomsten[1]/Uitkering[1]/"
    assert.are.same({
      [u .. "SoortUitkering"] = change("09 AOW", "MPO", "2025-01-29"),
      [u .. "BrutoJaarUitkering"] = change("13522.00", "MPO", "2025-01-29"),
      [u .. "IngangsDt"] = change("2021-06-17", "MPO", "2025-01-29"),
      [u .. "AOWVolledigeOpbouwJN"] = change("J Ja", "MPO", "2025-01-29"),
    }, by_path(res.changes))
    -- A DUO debt in repayment (the same data file, re-read with a study loan in it).
    local duo = variant(AANVRAGER, function(j)
      j.schulden = { studieschuld = wrap({ huidigeStand = 14250.4, wettelijkMaandbedrag = 96.13,
        resterendeLooptijdInMaanden = 164, startdatumAflosfase = "01-01-2012" }, "duo", "26-01-2025") }
    end)
    local d1 = assert(read_string(duo, { person_id = P1 }))
    res = assert(cdl.fill(t, d1, {}))
    local v = HG1 .. "Verplichtingen[1]/"
    assert.are.same({
      [v .. "SoortVerplichting"] = change("12 Studielening", "DUO", "2025-01-26"),
      [v .. "VerplichtingBedrag"] = change("14250.40", "DUO", "2025-01-26"),
      [v .. "MaandBedrag"] = change("96.13", "DUO", "2025-01-26"),
      [v .. "VerplichtingInMnd"] = change("164", "DUO", "2025-01-26"),
    }, by_path(res.changes))
    -- The adviser's own statement about the inventory stays as it was.
    assert.are.equal("02 Ja, maar geen sprake van een studielening", t.Hypotheekgever[1].StudieleningInventarisatie)
    local out = assert(axlink.fromtable(t))
    assert.is_true(out:check().ok)
    local xml = out:serialize()
    assert.truthy(xml:find("\t\t</Inkomsten>\n\t\t<Verplichtingen Volgnummer=\"1\">\n\t\t\t<SoortVerplichting>" ..
      "12 Studielening</SoortVerplichting>\n\t\t\t<VerplichtingBedrag>14250.40</VerplichtingBedrag>\n" ..
      "\t\t\t<MaandBedrag>96.13</MaandBedrag>\n\t\t\t<VerplichtingInMnd>164</VerplichtingInMnd>", 1, true), xml)
    assert.truthy(xml:find("<SoortUitkering>09 AOW</SoortUitkering>\n\t\t\t\t<BrutoJaarUitkering>13522.00", 1, true))
    -- Before repayment starts: the debt only.
    t = msg:totable()
    duo = variant(AANVRAGER, function(j)
      j.schulden = { studieschuld = wrap({ huidigeStand = 14250.4, wettelijkMaandbedrag = 96.13,
        startdatumAflosfase = "01-01-2027" }, "duo", "26-01-2025") }
    end)
    res = assert(cdl.fill(t, assert(read_string(duo, { person_id = P1 })), {}))
    assert.are.same({
      [v .. "SoortVerplichting"] = change("12 Studielening", "DUO", "2025-01-26"),
      [v .. "VerplichtingBedrag"] = change("14250.40", "DUO", "2025-01-26"),
    }, by_path(res.changes))
  end)

  it("fills nothing without the household and the pension basis, only proposes", function()
    local msg, d1 = linked()
    local t = msg:totable()
    local res = assert(cdl.fill(t, d1))
    assert.are.same({}, res.changes)
    assert.are.same({}, res.conflicts)
    assert.are.same({ "13522.00", "18931.00" }, proposed(res, "BrutoJaarUitkering"))
    assert.are.same({ "1206.00", "1206.00", "21476.00", "21476.00" }, proposed(res, "PensioenInkomen"))
    assert.is_nil(t.Hypotheekgever[1].Inkomsten[1].Pensioen)
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
