-- The built-in format hdn-brondata-xml (DESIGN 4.1, 7): HDN brondata answers,
-- one message per product, decoded into facts (DESIGN 7.2), joined into one
-- delivery, linked, and filled by the one mapping.
local axlink = require "axlink"
local cdl = axlink.cdl
local format = require "axlink.formats.hdn_brondata"

local DIR = "examples/data/brondata/"
local BRP, UWV, MPO, DUO = DIR .. "brp.xml", DIR .. "loondienst.xml", DIR .. "pensioen.xml", DIR .. "studielening.xml"
local ALL = { BRP, UWV, MPO, DUO }
local AX = "examples/data/aanvraag.xml"
local TODAY = "2026-11-24"

local KEY = "eyJjb25zdW1lckRhdGEiOnsiRGF0YVNvdXJjZXMiOlsiTU9IIiwiVVdWIiwiVVBPIiwiRFVPIl0sIklkIjoiNmExZjNjOWUtMmI3ZC00" ..
  "YzU4LThlNDEtOWQwYjVhN2MzZTI2IiwiT2RtVmVyc2lvbiI6IlY0XzQifX0="
local IJSBRAND = "38f98901-6889-4b76-b25a-d962a4b12bba"
local ZOE = "d9bf10df-5a51-40f0-b4d9-3754914ca7c3"
local BSNS = { "999990019", "999990032" }   -- the BRP answer's, never in a delivery
local C20 = "AXL-C20 hdn-brondata-xml: "       -- a refusal of this format's decode

local slurp = require("support.files").slurp

local tmpfiles = {}
local function tmpfile(content)
  local path = require("support.files").tmpfile(content)
  tmpfiles[#tmpfiles + 1] = path
  return path
end

-- A sample file with one literal substitution (plain text, not a pattern).
local function variant(path, old, new)
  local s = slurp(path)
  local i, j = s:find(old, 1, true)
  assert(i, "variant: text not found")
  return tmpfile(s:sub(1, i - 1) .. new .. s:sub(j + 1))
end

-- Every key and string value anywhere in x, for the BSN sentinel.
local function strings(x, out, seen)
  out, seen = out or {}, seen or {}
  if type(x) == "string" then out[#out + 1] = x end
  if type(x) ~= "table" or seen[x] then return out end
  seen[x] = true
  for k, v in pairs(x) do
    strings(k, out, seen)
    strings(v, out, seen)
  end
  return out
end

local function contains_any(x, needles)
  for _, s in ipairs(strings(x)) do
    for _, n in ipairs(needles) do
      if s:find(n, 1, true) then return true end
    end
  end
  return false
end

teardown(function()
  for _, p in ipairs(tmpfiles) do os.remove(p) end
end)

-- A sample file with several literal substitutions (plain text, not patterns).
local function variants(path, pairs_)
  local s = slurp(path)
  for _, p in ipairs(pairs_) do
    local i, j = s:find(p[1], 1, true)
    assert(i, "variants: text not found")
    s = s:sub(1, i - 1) .. p[2] .. s:sub(j + 1)
  end
  return tmpfile(s)
end

-- The vocabulary's field names per fact (DESIGN 7.2, /tmp/vocab.md): a fact
-- that carries any other name names something the vocabulary does not say.
local VOCABULARY = {
  identity = { "first_names", "initials", "prefix", "surname", "birth_date", "gender", "birth_country",
    "birth_place", "nationalities" },
  address = { "street", "number", "letter", "addition", "postcode", "city", "country", "since" },
  employments = { "employer", "start", "end", "contract", "hours_per_week", "yearly_wage", "holiday_pay",
    "year_end_bonus", "includes_holiday_pay" },
  income_statement = { "official", "signed", "yearly", "period_start", "period_end", "document" },
  benefits = { "kind", "yearly", "start", "end" },
  aow = { "start", "start_age", "yearly_single", "yearly_couple", "includes_holiday_pay", "full_accrual",
    "accrued_years" },
  pensions = { "provider", "kind", "id", "start", "end", "start_age", "end_age", "yearly_accrued",
    "yearly_prospective", "indicative", "includes_holiday_pay" },
  study_loans = { "debt", "monthly", "repayment_start", "regime", "remaining_months" },
}
local LISTS = { employments = true, benefits = true, pensions = true, study_loans = true }

-- Every fact of a person in the vocabulary: the names, a source and an ISO
-- date on each, no empty lists.
local function assert_vocabulary(facts)
  for name, f in pairs(facts) do
    local allowed = { source = true, date = true }
    for _, k in ipairs(assert(VOCABULARY[name], "not a fact of the vocabulary: " .. name)) do allowed[k] = true end
    local items = LISTS[name] and f or { f }
    if LISTS[name] then assert.is_true(#f > 0, name .. ": an empty list") end
    for _, item in ipairs(items) do
      for k in pairs(item) do assert.is_true(allowed[k], name .. "." .. tostring(k)) end
      assert.is_string(item.source, name)
      assert.truthy(item.date:match("^%d%d%d%d%-%d%d%-%d%d$"), name)
    end
  end
end

-- The facts of the two sample persons (examples/data/brondata/), joined.
local AGE_66_4 = { years = 66, months = 4 }
local IJSBRAND_FACTS = {
  identity = { source = "BRP", date = "2026-11-20", first_names = "IJsbrand Willem", initials = "IJW", prefix = "de",
    surname = "Boer", birth_date = "1954-07-03", gender = "male", birth_country = "NL", birth_place = "Leeuwarden",
    nationalities = { "NL" } },
  -- The current address, never the former one (Tuinen 8 in Leeuwarden).
  address = { source = "BRP", date = "2026-11-20", street = "Esdoornstraat", number = "31", postcode = "9721TB",
    city = "Groningen", country = "NL", since = "1988-04-01" },
  employments = {
    { source = "UWV", date = "2026-11-20", employer = "Noordelijke Installatietechniek B.V.", start = "1991-03-01",
      ["end"] = "2020-10-31", contract = "permanent" },
  },
  -- AOW: the amounts projected at its start ("te bereiken"); 100 % build-up.
  aow = { source = "MPO", date = "2026-10-01", start = "2020-11-03", start_age = AGE_66_4,
    yearly_single = "20866.32", yearly_couple = "14135.28", full_accrual = true },
  pensions = {
    { source = "MPO", date = "2026-10-01", provider = "Stichting Pensioenfonds Noordelijke Installatiebranche",
      kind = "old_age", id = "NIT-0048211", start = "2020-11-03", start_age = AGE_66_4,
      yearly_accrued = "18432.60", yearly_prospective = "18432.60" },
    { source = "MPO", date = "2026-10-01", provider = "Noorderlicht Levensverzekeringen N.V.",
      kind = "old_age", id = "NL-77310-02", start = "2020-11-03", start_age = AGE_66_4,
      yearly_accrued = "2164.08", yearly_prospective = "2164.08" },
    { source = "MPO", date = "2026-10-01", provider = "Stichting Pensioenfonds Noordelijke Installatiebranche",
      kind = "partner", id = "NIT-0048211", yearly_accrued = "12902.82", yearly_prospective = "12902.82" },
  },
  study_loans = {
    { source = "DUO", date = "2026-11-01", debt = "1874.20", monthly = "98.64", repayment_start = "1983-01-01",
      remaining_months = 19 },
  },
}
local ZOE_FACTS = {
  identity = { source = "BRP", date = "2026-11-20", first_names = "Zoë Noëlle", initials = "ZN", surname = "Brouwer",
    birth_date = "1955-02-17", gender = "female", birth_country = "NL", birth_place = "Assen", nationalities = { "NL" } },
  address = { source = "BRP", date = "2026-11-20", street = "Esdoornstraat", number = "31", postcode = "9721TB",
    city = "Groningen", country = "NL", since = "1988-04-01" },
  -- The SV wages of the 12 monthly periods before the download: 11 x 612.50 + 1163.75.
  employments = {
    { source = "UWV", date = "2026-11-20", employer = "Stichting Muziekschool Drenthe-Noord", start = "2022-09-01",
      contract = "temporary", yearly_wage = "7901.25", includes_holiday_pay = true },
  },
  aow = { source = "MPO", date = "2026-10-01", start = "2021-06-17", start_age = AGE_66_4,
    yearly_single = "20448.99", yearly_couple = "13852.57", full_accrual = false },   -- 98 % build-up
  pensions = {
    { source = "MPO", date = "2026-10-01", provider = "Stichting Pensioenfonds Zorg Noord", kind = "old_age",
      id = "ZW-2203981", start = "2020-02-17", start_age = { years = 65, months = 0 },
      yearly_accrued = "6318.24", yearly_prospective = "6318.24" },
  },
  -- DUO says "no study debt": a balance of nil, not an absent fact.
  study_loans = { { source = "DUO", date = "2026-11-01", debt = "0.00" } },
}

-- The facts of one product's answer: the joined facts restricted to its names.
local function only(facts, names)
  local out = {}
  for _, n in ipairs(names) do out[n] = facts[n] end
  return out
end
local PRODUCT_FACTS = { [BRP] = { "identity", "address" }, [UWV] = { "employments" }, [MPO] = { "aow", "pensions" },
  [DUO] = { "study_loans" } }

describe("hdn-brondata-xml: detect and decode", function()
  it("is a registered built-in format that decodes and joins, and fills nothing itself", function()
    assert.are.equal(format, cdl.get("hdn-brondata-xml"))
    assert.are.equal("hdn-brondata-xml", format.name)
    assert.is_string(format.description)
    assert.is_function(format.join)
    assert.is_nil(format.fill)     -- the one mapping fills (DESIGN 7.1)
    assert.is_nil(format.codes)    -- no code tables to HDN's lists
  end)

  it("detects the four answers and nothing else", function()
    for _, p in ipairs(ALL) do assert.is_true(format.detect(slurp(p), p), p) end
    assert.is_false(format.detect(slurp("spec/fixtures/hdn/ax-24.0-sample.xml")))
    assert.is_false(format.detect(slurp("spec/fixtures/hdn/bronaanvraag-25.0-ockto-brp-sample.xml")))
    assert.is_false(format.detect('{"consumerData":{"Id":"x"},"BasisRegistratiePersonenBericht":{}}'))
    assert.is_false(format.detect("<?xml version=\"1.0\"?>\n<!-- <StudieLeningBericht> -->\n<Other/>"))
    assert.is_false(format.detect(""))
    assert.is_true(format.detect("\239\187\191<StudieLeningBericht/>"))
  end)

  it("decodes each file into a delivery of two persons with their PersoonsIDs and that product's facts", function()
    local codes = { [BRP] = "BRP", [UWV] = "UWV", [MPO] = "MPO", [DUO] = "DUO" }
    for _, p in ipairs(ALL) do
      local d = assert(format.decode(slurp(p), p))
      assert.are.equal(KEY, d.id)
      assert.are.equal("02 Ockto", d.supplier)
      assert.are.equal("hdn-brondata-xml", d.format)
      assert.are.equal("2026-11-20", d.collected_at)
      assert.are.equal("2027-01-19", d.valid_until)
      assert.are.same({ codes[p] }, d.sources)
      assert.are.equal(2, #d.persons)
      assert.are.equal(IJSBRAND, d.persons[1].id)
      assert.are.equal(ZOE, d.persons[2].id)
      assert.are.same(only(IJSBRAND_FACTS, PRODUCT_FACTS[p]), d.persons[1].facts)
      assert.are.same(only(ZOE_FACTS, PRODUCT_FACTS[p]), d.persons[2].facts)
      for _, person in ipairs(d.persons) do assert.is_nil(person.data) end
      assert.is_true(cdl.validate(d))
    end
  end)

  it("takes identity from BRP (names) and the pension overview (birth date only)", function()
    local brp = assert(format.decode(slurp(BRP), BRP))
    assert.are.same({ "1954-07-03", "IJW", "Boer", "de" }, { brp.persons[1].birth_date, brp.persons[1].initials,
      brp.persons[1].surname, brp.persons[1].prefix })
    assert.are.same({ "1955-02-17", "ZN", "Brouwer" }, { brp.persons[2].birth_date, brp.persons[2].initials,
      brp.persons[2].surname })
    assert.is_nil(brp.persons[2].prefix)
    local mpo = assert(format.decode(slurp(MPO), MPO))
    assert.are.equal("1954-07-03", mpo.persons[1].birth_date)
    assert.is_nil(mpo.persons[1].surname)
    assert.is_nil(mpo.persons[1].facts.identity)   -- a birth date to verify with, not an identity fact
    local uwv = assert(format.decode(slurp(UWV), UWV))
    assert.is_nil(uwv.persons[1].birth_date)
  end)

  it("reads one file alone through axlink.cdl.read", function()
    local d = assert(cdl.read(DUO))
    assert.are.equal("hdn-brondata-xml", d.format)
    assert.are.same(IJSBRAND_FACTS.study_loans, d.persons[1].facts.study_loans)
    assert.are.same(ZOE_FACTS.study_loans, d.persons[2].facts.study_loans)
  end)
end)

describe("hdn-brondata-xml: join", function()
  it("joins the four answers into one delivery with two persons and their facts", function()
    local d = assert(cdl.read(ALL))
    local function src(code, product)
      return { code = code, product = product, retrieved_at = "2026-11-20", available = true }
    end
    local sources = { src("BRP", "26 Basis Registratie Personen"), src("UWV", "27 Loondienst Inkomsten"),
      src("MPO", "28 Pensioen Overzicht"), src("DUO", "29 Studie Lening") }
    assert.are.same({
      id = KEY, supplier = "02 Ockto", format = "hdn-brondata-xml", collected_at = "2026-11-20",
      valid_until = "2027-01-19", sources = { "BRP", "UWV", "MPO", "DUO" },
      persons = {
        { id = IJSBRAND, birth_date = "1954-07-03", initials = "IJW", surname = "Boer", prefix = "de",
          sources = sources, facts = IJSBRAND_FACTS },
        { id = ZOE, birth_date = "1955-02-17", initials = "ZN", surname = "Brouwer",
          sources = sources, facts = ZOE_FACTS },
      },
    }, d)
    for _, p in ipairs(d.persons) do assert_vocabulary(p.facts) end
  end)

  it("gives the same delivery whatever the order of the files", function()
    assert.are.same(assert(cdl.read(ALL)), assert(cdl.read({ DUO, MPO, BRP, UWV })))
  end)

  it("joins a subset: persons without BRP keep the pension overview's birth date", function()
    local d = assert(cdl.read({ DUO, MPO }))
    assert.are.same({ "MPO", "DUO" }, d.sources)
    assert.are.equal("1955-02-17", d.persons[2].birth_date)
    assert.is_nil(d.persons[2].surname)
    assert.are.same(only(ZOE_FACTS, { "aow", "pensions", "study_loans" }), d.persons[2].facts)
  end)

  it("refuses files of different data files (AXL-C21), naming no key", function()
    local other = variant(UWV, "IjoiNmExZjNjOWUt", "IjoiN2IyMDRkMGYt")   -- another inner Id
    local d, err = cdl.read({ BRP, other, MPO })
    assert.is_nil(d)
    assert.truthy(err:match("^AXL%-C21 "), err)
    assert.truthy(err:find("files 1 and 2", 1, true), err)
    assert.truthy(err:find("DataleverancierID", 1, true))
    assert.is_nil(err:find("eyJ", 1, true))
  end)

  it("refuses the same product twice and products that disagree on a birth date (AXL-C21)", function()
    local d, err = cdl.read({ BRP, DUO, variant(DUO, "<PeilDt>2026-11-01", "<PeilDt>2026-10-01") })
    assert.is_nil(d)
    assert.truthy(err:match("^AXL%-C21 files 2 and 3: two StudieLeningBericht answers"), err)
    local wrong = variant(MPO, "<GeboorteDt>1955-02-17", "<GeboorteDt>1955-02-18")
    d, err = cdl.read({ BRP, wrong })
    assert.is_nil(d)
    assert.truthy(err:match("^AXL%-C21 file 2: PensioenOverzichtBericht/Product/PensioenOverzicht: the birth date"),
      err)
    assert.is_nil(err:find("1955", 1, true))
    -- A BRP date with unknown parts agrees with a complete one, which wins
    -- for verification; the identity fact keeps what BRP said.
    local partial = variant(BRP, "<GeboorteDt>1955-02-17", "<GeboorteDt>1955-00-00")
    d = assert(cdl.read({ partial, MPO }))
    assert.are.equal("1955-02-17", d.persons[2].birth_date)
    assert.are.equal("1955-00-00", d.persons[2].facts.identity.birth_date)
  end)
end)

-- The invented person of the same-person fixtures: the same facts from each
-- built-in format's own file (here one answer per product; no UWV answer, as
-- the person has no employment facts).
describe("hdn-brondata-xml: the same person", function()
  local SAME = "spec/fixtures/same-person/brondata/"
  local FILES = { SAME .. "brp.xml", SAME .. "pensioen.xml", SAME .. "studielening.xml" }

  it("decodes and joins into exactly the person's facts", function()
    local d = assert(cdl.read(FILES))
    assert.are.same({ "BRP", "MPO", "DUO" }, d.sources)
    assert.are.equal(1, #d.persons)
    local p = d.persons[1]
    assert.are.equal("62e0196f-eef6-47fc-83fb-1ddaacba32e0", p.id)
    assert.are.same({ "1985-03-15", "JM", "Vries", "de" }, { p.birth_date, p.initials, p.surname, p.prefix })
    assert.are.same(require("support.same_person")(), p.facts)
    assert_vocabulary(p.facts)
    assert.is_true(slurp(FILES[1]):find("<Burgerservicenummer>999990044", 1, true) ~= nil)
    assert.is_false(contains_any(d, { "999990044" }))
  end)
end)

-- How the format reads its own input into facts, beyond the samples.
describe("hdn-brondata-xml: facts", function()
  local function facts(path, n)
    return assert(cdl.read(path)).persons[n or 1].facts
  end

  it("keeps a partial BRP birth date and leaves out what BRP does not give", function()
    local f = facts(variants(BRP, { { "<GeboorteDt>1954-07-03", "<GeboorteDt>1954-07-00" },
      { "<Voorletters>IJW</Voorletters>", "" }, { "<Geslacht>01 Man", "<Geslacht>07 Anders" } }))
    assert.are.equal("1954-07-00", f.identity.birth_date)
    assert.is_nil(f.identity.initials)   -- never derived from the first names
    assert.is_nil(f.identity.gender)     -- a code this format does not know: absent, not guessed
    assert.are.equal("IJsbrand Willem", f.identity.first_names)
  end)

  it("reads several nationalities and a foreign birth country", function()
    local f = facts(variants(BRP, { { "<GeboorteLand>NL Nederland", "<GeboorteLand>DE Duitsland" },
      { "<Nationaliteit>NL Nederland</Nationaliteit>",
        "<Nationaliteit>NL Nederland</Nationaliteit>\n\t\t\t<Nationaliteit>DE Duitsland</Nationaliteit>" } }))
    assert.are.equal("DE", f.identity.birth_country)
    assert.are.same({ "NL", "DE" }, f.identity.nationalities)
  end)

  it("takes the latest open woonadres when none is flagged, with a normalised postcode, letter and addition", function()
    local f = facts(variants(BRP, {
      { "<HuidigAdresJN>J Ja</HuidigAdresJN>", "" },
      { "<Postcode>9721TB</Postcode>", "<Postcode>9721 tb</Postcode>\n\t\t\t\t<HuisLetter>B</HuisLetter>\n" ..
        "\t\t\t\t<HuisNrToevoeging>2</HuisNrToevoeging>" },
      { "<HuidigAdresJN>N Nee</HuidigAdresJN>", "" } }))
    assert.are.same({ source = "BRP", date = "2026-11-20", street = "Esdoornstraat", number = "31", letter = "B",
      addition = "2", postcode = "9721TB", city = "Groningen", country = "NL", since = "1988-04-01" }, f.address)
  end)

  it("never takes a briefadres for the address", function()
    local f = facts(variant(BRP, "<SoortAdres>01 Woonadres</SoortAdres>\n\t\t\t\t<StraatNaam>Esdoornstraat",
      "<SoortAdres>02 Briefadres</SoortAdres>\n\t\t\t\t<StraatNaam>Esdoornstraat"))
    assert.is_nil(f.address)
  end)

  it("keeps a temporary, an indicative and an unknown kind of pension as the overview says", function()
    local f = facts(variants(MPO, {
      { "<IngangsDt>2020-11-03</IngangsDt>\n\t\t\t\t<VanLeeftijdJaren>66</VanLeeftijdJaren>\n" ..
        "\t\t\t\t<VanLeeftijdMaanden>4</VanLeeftijdMaanden>\n\t\t\t\t<Opgebouwd>2164.08",
        "<IngangsDt>2020-11-03</IngangsDt>\n\t\t\t\t<EindDt>2025-11-02</EindDt>\n" ..
        "\t\t\t\t<VanLeeftijdJaren>66</VanLeeftijdJaren>\n\t\t\t\t<VanLeeftijdMaanden>4</VanLeeftijdMaanden>\n" ..
        "\t\t\t\t<TotLeeftijdJaren>71</TotLeeftijdJaren>\n\t\t\t\t<TotLeeftijdMaanden>4</TotLeeftijdMaanden>\n" ..
        "\t\t\t\t<IndicatiefJN>J Ja</IndicatiefJN>\n\t\t\t\t<Opgebouwd>2164.08" },
      { "<SoortPensioen>02 Partnerpensioen", "<SoortPensioen>09 Overig" } }))
    local p = f.pensions
    assert.are.same({ source = "MPO", date = "2026-10-01", provider = "Noorderlicht Levensverzekeringen N.V.",
      kind = "old_age", id = "NL-77310-02", start = "2020-11-03", ["end"] = "2025-11-02", start_age = AGE_66_4,
      end_age = { years = 71, months = 4 }, indicative = true, yearly_accrued = "2164.08",
      yearly_prospective = "2164.08" }, p[2])
    assert.is_nil(p[3].kind)
    assert.is_nil(p[1].indicative)
  end)

  it("dates a fact without a date of its own with the entry's retrieval date", function()
    local f = facts(variant(MPO, "\t\t\t<StandPerDt>2026-10-01</StandPerDt>\n", ""))
    assert.are.equal("2026-11-20", f.aow.date)
    assert.are.equal("2026-11-20", f.pensions[1].date)
  end)

  it("reads the study loan regime and repayment fields", function()
    local f = facts(variant(DUO, "<AanvangAflosfaseDt>", "<Leenstelsel>01 Studievoorschot</Leenstelsel>\n" ..
      "\t\t\t<AanvangAflosfaseDt>"))
    assert.are.equal("SF15", f.study_loans[1].regime)
    f = facts(variant(DUO, "<AanvangAflosfaseDt>", "<Leenstelsel>03 Lening Rijksoverheid</Leenstelsel>\n" ..
      "\t\t\t<AanvangAflosfaseDt>"))
    assert.are.equal("other", f.study_loans[1].regime)
  end)

  it("gives an IBL figure as an income statement that is neither official nor signed", function()
    local f = facts(variant(UWV, "\t\t\t<Dienstbetrekking Volgnummer=\"1\">\n\t\t\t\t<WerkgeverNaam>Stichting",
      "\t\t\t<IblJaarinkomen>7500.00</IblJaarinkomen>\n" ..
      "\t\t\t<Dienstbetrekking Volgnummer=\"1\">\n\t\t\t\t<WerkgeverNaam>Stichting"), 2)
    assert.are.same({ source = "UWV", date = "2026-11-20", yearly = "7500.00" }, f.income_statement)
  end)

  it("gives no yearly wage for less than a year on record or a gap in the periods", function()
    local s = slurp(UWV)
    local short = tmpfile((s:gsub("\t\t\t\t<Periode Volgnummer=\"1\">.-</Periode>\n", "", 1)))
    local f = facts(short, 2)
    assert.is_nil(f.employments[1].yearly_wage)
    assert.is_nil(f.employments[1].includes_holiday_pay)
    assert.are.equal("temporary", f.employments[1].contract)
    local gap = variant(UWV, "<BeginDt>2026-03-01</BeginDt>", "<BeginDt>2026-03-02</BeginDt>")
    assert.are.equal("other", facts(variant(UWV, "voor bepaalde tijd, geen oproepovereenkomst",
      "uitzendovereenkomst"), 2).employments[1].contract)
    assert.is_nil(facts(gap, 2).employments[1].yearly_wage)
    -- A thirteenth, older month is not counted: the latest year only.
    local older = variant(UWV, "\t\t\t\t<Periode Volgnummer=\"1\">",
      "\t\t\t\t<Periode Volgnummer=\"0\">\n\t\t\t\t\t<BeginDt>2025-10-01</BeginDt>\n\t\t\t\t\t<EindDt>2025-10-31</EindDt>\n" ..
      "\t\t\t\t\t<SVLoon>999.99</SVLoon>\n\t\t\t\t</Periode>\n\t\t\t\t<Periode Volgnummer=\"1\">")
    assert.are.equal("7901.25", facts(older, 2).employments[1].yearly_wage)
  end)
end)

-- HDN's one public answer (a DesktoptaxatieBericht in HDN's platform client
-- tests) carries Bron {BronNaam, SoortProduct} with its content under Bron;
-- that brondata answers repeat the request's ExterneBron and Product is
-- assumed. Both forms are read; nothing else changes.
describe("hdn-brondata-xml: answers that carry Bron", function()
  local BRON = "spec/fixtures/brondata/brp-bron.xml"
  local EXTERNE_BRON = "\t<ExterneBron Volgnummer=\"1\">\n\t\t<SoortProduct>26 Basis Registratie Personen</SoortProduct>\n" ..
    "\t\t<DataleverancierNaam>02 Ockto</DataleverancierNaam>\n\t\t<BronNaam>11 Mijnoverheid.nl</BronNaam>\n" ..
    "\t</ExterneBron>\n"
  local function bron(code)
    return "\t<Bron>\n\t\t<BronNaam>11 Mijnoverheid.nl</BronNaam>\n\t\t<SoortProduct>" .. code ..
      "</SoortProduct>\n\t</Bron>\n"
  end

  it("detects and decodes an answer with its entries under Bron, as brp.xml's", function()
    assert.is_true(format.detect(slurp(BRON), BRON))
    local d = assert(format.decode(slurp(BRON), BRON))
    local want = assert(format.decode(slurp(BRP), BRP))
    assert.is_nil(d.supplier)                       -- Bron names no DataleverancierNaam
    want.supplier = nil
    assert.are.same(want, d)                        -- persons, keys, sources, facts: the same
    assert.are.equal("26 Basis Registratie Personen", d.persons[1].sources[1].product)
    assert.is_false(contains_any(d, BSNS))
    assert.is_true(cdl.validate(d))
    local read = assert(cdl.read(BRON))              -- detected among the registered formats
    assert.are.equal("hdn-brondata-xml", read.format)
  end)

  it("joins and links a Bron answer with the other products", function()
    local d = assert(cdl.read({ BRON, UWV, MPO, DUO }))
    assert.are.same(assert(cdl.read(ALL)), d)       -- the supplier comes from the other answers
    local msg = assert(axlink.read(AX))
    local result = assert(msg:link(d, { today = TODAY }))
    assert.are.same({ "verified", "verified" }, { result.links[1].grade, result.links[2].grade })
  end)

  it("reads SoortProduct from Bron in place of ExterneBron, entries under Product", function()
    local uwv_bron = "\t<ExterneBron Volgnummer=\"1\">\n\t\t<SoortProduct>27 Loondienst Inkomsten</SoortProduct>\n" ..
      "\t\t<DataleverancierNaam>02 Ockto</DataleverancierNaam>\n\t\t<BronNaam>12 Mijn UWV</BronNaam>\n\t</ExterneBron>\n"
    local path = variant(UWV, uwv_bron, bron("31 Verzekeringsbericht"))
    assert.is_true(format.detect(slurp(path), path))
    local d = assert(format.decode(slurp(path), path))
    assert.are.equal("31 Verzekeringsbericht", d.persons[1].sources[1].product)
    assert.is_nil(d.supplier)
    assert.are.same({ IJSBRAND, ZOE }, { d.persons[1].id, d.persons[2].id })
  end)

  it("keeps ExterneBron's SoortProduct when both are present", function()
    local path = variant(BRP, EXTERNE_BRON, EXTERNE_BRON .. bron("36 Desktoptaxatie"))
    local d = assert(format.decode(slurp(path), path))
    assert.are.equal("26 Basis Registratie Personen", d.persons[1].sources[1].product)
    assert.are.equal("02 Ockto", d.supplier)
  end)

  it("still refuses a Bron answer without the data file's key, or one that reports no success", function()
    local key = "\t\t<DataleverancierID>" .. KEY .. "</DataleverancierID>\n"
    local d, err = cdl.read(variant(BRON, key, ""))
    assert.is_nil(d)
    assert.truthy(err:find(C20 .. "/BasisRegistratiePersonenBericht/Dataleverancier[1]/DataleverancierID: missing",
      1, true), err)
    d, err = cdl.read(variant(BRON, "\n\t\t\t<PersoonsID>" .. ZOE .. "</PersoonsID>", ""))
    assert.is_nil(d)
    assert.truthy(err:find(C20 .. "/BasisRegistratiePersonenBericht/Bron[1]/BasisRegistratiePersonen[2]/PersoonsID: "
      .. "missing", 1, true), err)
    d, err = cdl.read(variant(BRON, "01 Verzoek is met succes verwerkt", "99 Specifieke melding"))
    assert.is_nil(d)
    assert.truthy(err:find("SysteemMelding/MeldingSoort: the answer reports no success", 1, true), err)
  end)
end)

describe("hdn-brondata-xml: refusals", function()
  it("passes the parser's refusal of malformed XML on, cleanly", function()
    local bad = tmpfile('<?xml version="1.0" encoding="utf-8"?>\n<StudieLeningBericht>\n\t<Product>\n' ..
      "\t\t<StudieLening><PersoonsID>geheim-123</PersoonsID>\n</StudieLeningBericht>\n")
    local d, err, info = cdl.read(bad)
    assert.is_nil(d)
    assert.truthy(err:find("AXL-P01", 1, true), err)
    assert.is_table(info)
    assert.is_nil(err:find("geheim", 1, true))
  end)

  it("refuses a DOCTYPE / external entity in the C parser, loading nothing", function()
    local canary = tmpfile("CANARY-7f3e")
    local xxe = tmpfile('<?xml version="1.0" encoding="utf-8"?>\n' ..
      '<!DOCTYPE StudieLeningBericht [ <!ENTITY xxe SYSTEM "file://' .. canary .. '"> ]>\n' ..
      "<StudieLeningBericht><Dataleverancier><DataleverancierID>&xxe;</DataleverancierID></Dataleverancier>" ..
      "<Product><StudieLening><PersoonsID>a</PersoonsID></StudieLening></Product></StudieLeningBericht>\n")
    assert.is_true(format.detect(slurp(xxe)))   -- reaches the parser rather than "unknown format"
    local d, err = cdl.read(xxe)
    assert.is_nil(d)
    assert.truthy(err:find("AXL-P02", 1, true), err)
    assert.is_nil(err:find("CANARY", 1, true))
    local direct, derr = format.decode(slurp(xxe), xxe)
    assert.is_nil(direct)
    assert.truthy(derr:find("AXL-P02", 1, true))
  end)

  local cases = {
    { "a missing PersoonsID", DUO, "<PersoonsID>" .. ZOE .. "</PersoonsID>", "",
      "/StudieLeningBericht/Product[1]/StudieLening[2]/PersoonsID: missing" },
    { "the same person twice", DUO, "<PersoonsID>" .. ZOE, "<PersoonsID>" .. IJSBRAND,
      "/StudieLeningBericht/Product[1]/StudieLening[2]/PersoonsID: the same person twice" },
    { "a missing DataleverancierID", BRP, "<DataleverancierID>" .. KEY .. "</DataleverancierID>", "",
      "/BasisRegistratiePersonenBericht/Dataleverancier[1]/DataleverancierID: missing" },
    { "an answer that reports failure", MPO, "01 Verzoek is met succes verwerkt", "99 Specifieke melding",
      "/PensioenOverzichtBericht/SysteemMelding/MeldingSoort: the answer reports no success" },
    { "a PersoonsID with a line break", UWV, "<PersoonsID>" .. IJSBRAND, "<PersoonsID>\n" .. IJSBRAND,
      "/LoondienstInkomstenBericht/Product[1]/LoondienstInkomsten[1]/PersoonsID: leading or trailing whitespace" },
    { "a bad consent date", UWV, "<ToestemmingEindDt>2027-01-19", "<ToestemmingEindDt>19-01-2027",
      "/LoondienstInkomstenBericht/Dataleverancier[1]/ToestemmingEindDt: not a complete date" },
    { "an amount that is not one", DUO, "<Schuldsaldo>1874.20", "<Schuldsaldo>1.874,20",
      "/StudieLeningBericht/Product[1]/StudieLening[1]/Schuldsaldo: not an amount" },
    { "a date in a fact that is not one", MPO, "<IngangsDt>2021-06-17", "<IngangsDt>2021-02-30",
      "/PensioenOverzichtBericht/Product[1]/PensioenOverzicht[2]/AOW/IngangsDt: not a complete date" },
    { "a balance where DUO says there is no debt", DUO, "<StudieschuldJN>J Ja", "<StudieschuldJN>N Nee",
      "/StudieLeningBericht/Product[1]/StudieLening[1]/Schuldsaldo: a balance where StudieschuldJN says none" },
    { "a J/N value that is neither", BRP, "<HuidigAdresJN>J Ja", "<HuidigAdresJN>Ja",
      "/BasisRegistratiePersonenBericht/Product[1]/BasisRegistratiePersonen[1]/Adres[1]/HuidigAdresJN: " ..
      "\"J Ja\" or \"N Nee\" expected" },
    { "two current addresses", BRP, "<HuidigAdresJN>N Nee", "<HuidigAdresJN>J Ja",
      "/BasisRegistratiePersonenBericht/Product[1]/BasisRegistratiePersonen[1]/Adres[2]/HuidigAdresJN: " ..
      "a second current address" },
    { "a house number that is not a number", BRP, "<HuisNr>31</HuisNr>", "<HuisNr>31-2</HuisNr>",
      "/BasisRegistratiePersonenBericht/Product[1]/BasisRegistratiePersonen[1]/Adres[1]/HuisNr: " ..
      "a house number of digits expected" },
    { "a field given twice", BRP, "<Voornamen>IJsbrand Willem</Voornamen>",
      "<Voornamen>IJsbrand Willem</Voornamen><Voornamen>Wim</Voornamen>",
      "/BasisRegistratiePersonenBericht/Product[1]/BasisRegistratiePersonen[1]/Voornamen: occurs more than once" },
  }
  for _, c in ipairs(cases) do
    it("refuses " .. c[1] .. " with AXL-C20 naming the element, not the value", function()
      local path = variant(c[2], c[3], c[4])
      local d, err, info = cdl.read(path)
      assert.is_nil(d)
      assert.are.equal("AXL-C20", info.code)
      assert.truthy(err:find(C20 .. c[5], 1, true), err)
      for _, v in ipairs { KEY, IJSBRAND, ZOE, "2027", "Specifieke", "1.874", "02-30", "31-2", "Wim" } do
        assert.is_nil(err:find(v, 1, true), v)
      end
    end)
  end

  it("refuses another message forced through the format", function()
    local d, err, info = cdl.read(AX, { format = "hdn-brondata-xml" })
    assert.is_nil(d)
    assert.are.equal("AXL-C20", info.code)
    assert.truthy(err:find(C20 .. "/OfferteAanvraag: not a brondata answer", 1, true), err)
  end)

  it("refuses an answer without persons", function()
    local s = slurp(DUO)
    local path = tmpfile((s:gsub("\t\t<StudieLening Volgnummer.-</StudieLening>\n", "")))
    local d, err = cdl.read(path)
    assert.is_nil(d)
    assert.truthy(err:find(C20 .. "/StudieLeningBericht/Product/StudieLening: no person in the answer", 1, true))
  end)
end)

describe("hdn-brondata-xml: no BSN", function()
  it("drops the BRP answer's BSN: the value appears nowhere in the joined delivery", function()
    assert.truthy(slurp(BRP):find("<Burgerservicenummer>" .. BSNS[1], 1, true))   -- the sentinel is there
    local d = assert(cdl.read(ALL))
    assert.is_false(contains_any(d, BSNS))
    assert.are.equal(0, cdl.scrub(d))   -- nothing left for the safety net
  end)

  it("drops a nine-digit value passing the eleven-test from any fact, and keeps one that fails it", function()
    local path = variants(MPO, { { "<HerkenningsNummer>NL-77310-02", "<HerkenningsNummer>999990056" },
      { "<HerkenningsNummer>ZW-2203981", "<HerkenningsNummer>123456780" } })
    local d = assert(format.decode(slurp(path), path))
    assert.is_nil(d.persons[1].facts.pensions[2].id)
    assert.are.equal("123456780", d.persons[2].facts.pensions[1].id)
    assert.is_false(contains_any(d, { "999990056" }))
  end)

  it("refuses a key that passes the eleven-test, naming the element only", function()
    local d, err = cdl.read(variant(DUO, "<PersoonsID>" .. ZOE, "<PersoonsID>999990032"))
    assert.is_nil(d)
    assert.truthy(err:find(C20 .. "/StudieLeningBericht/Product[1]/StudieLening[2]/PersoonsID: nine digits", 1, true),
      err)
    assert.is_nil(err:find("999990032", 1, true))
  end)

  it("never writes a BSN into the AX", function()
    local msg = assert(axlink.read(AX))
    local d = assert(cdl.read(ALL))
    assert(msg:link(d, { today = TODAY }))
    local t = msg:totable()
    assert(cdl.fill(t, d, { household = "couple", pension_basis = "accrued", overwrite = true }))
    local xml = assert(axlink.fromtable(t)):serialize()
    for _, b in ipairs(BSNS) do assert.is_nil(xml:find(b, 1, true)) end
  end)
end)

-- The end-to-end expectations follow the one mapping's rules (axlink.mapping,
-- DESIGN 7.3) for the sample facts above.
describe("hdn-brondata-xml: link and fill end to end", function()
  local OPTS = { household = "couple", pension_basis = "accrued" }
  local H1, H2 = "/OfferteAanvraag/Hypotheekgever[1]", "/OfferteAanvraag/Hypotheekgever[2]"

  local function linked()
    local msg = assert(axlink.read(AX))
    local d = assert(cdl.read(ALL))
    local r = assert(msg:link(d, { today = TODAY }))
    return msg, d, r
  end

  it("links both persons automatically, both verified", function()
    local msg, _, r = linked()
    assert.are.same({
      { person = 1, persoons_id = IJSBRAND, hypotheekgever = 2, ref = "DL1", grade = "verified", created = true },
      { person = 2, persoons_id = ZOE, hypotheekgever = 4, ref = "DL2", grade = "verified", created = true },
    }, r.links)
    assert.are.same({}, r.skipped)
    assert.are.same({}, r.warnings)
    local links = msg:links()
    assert.are.equal(2, #links)
    assert.are.equal(KEY, links[1].dataleverancier_id)
    assert.are.equal("02 Ockto", links[1].supplier)   -- inferred from the Ockto-shaped key
    assert.is_true(msg:check().ok)
  end)

  it("fills pension and DUO; proposes the rest; conflicts instead of overwrites", function()
    local msg, d = linked()
    local before = msg:totable()
    local t = msg:totable()
    local result = assert(cdl.fill(t, d, OPTS))
    local MPO_DATE, DUO_DATE, BRP_DATE, UWV_DATE = "2026-10-01", "2026-11-01", "2026-11-20", "2026-11-20"
    local function change(path, new, source, date, kind)
      return { path = path, new = new, source = source, source_date = date, kind = kind }
    end
    assert.are.same({
      -- A new entity's key fields are changes of their own, checked like any other field.
      change(H1 .. "/Inkomsten[1]/Pensioen[1]/IngangsDtPensioen", "2020-11-03", "MPO", MPO_DATE, "derived"),
      -- two lifelong old-age arrangements that start on one date: one entity, their sum
      change(H1 .. "/Inkomsten[1]/Pensioen[1]/PensioenInkomen", "20596.68", "MPO", MPO_DATE, "derived"),
      change(H1 .. "/Verplichtingen[1]/SoortVerplichting", "12 Studielening", "DUO", DUO_DATE, "copied"),
      change(H1 .. "/Verplichtingen[1]/MaandBedrag", "98.64", "DUO", DUO_DATE, "copied"),
      change(H1 .. "/Verplichtingen[1]/VerplichtingBedrag", "1874.20", "DUO", DUO_DATE, "copied"),
      change(H1 .. "/Verplichtingen[1]/VerplichtingInMnd", "19", "DUO", DUO_DATE, "copied"),
      change(H2 .. "/Inkomsten[1]/Pensioen[1]/IngangsDtPensioen", "2020-02-17", "MPO", MPO_DATE, "copied"),
      change(H2 .. "/Inkomsten[1]/Pensioen[1]/PensioenInkomen", "6318.24", "MPO", MPO_DATE, "copied"),
    }, result.changes)
    assert.are.same({
      { path = H1 .. "/Inkomsten[1]/Uitkering[1]/BrutoJaarUitkering", source = "MPO", ax_value = "13522.00",
        cdl_value = "14135.28" },
      { path = H2 .. "/Inkomsten[1]/Uitkering[1]/BrutoJaarUitkering", source = "MPO", ax_value = "13104.00",
        cdl_value = "13852.57" },
      -- 98 % AOW build-up: not "volledig"
      { path = H2 .. "/Inkomsten[1]/Uitkering[1]/AOWVolledigeOpbouwJN", source = "MPO", ax_value = "J Ja",
        cdl_value = "N Nee" },
    }, result.conflicts)
    local proposed = {}
    for i, p in ipairs(result.proposals) do proposed[i] = { p.path, p.value, p.source, p.source_date } end
    assert.are.same({
      -- HDN's Geslacht list is not public: a gender is only proposed
      { "/OfferteAanvraag/PartijNAWData[1]/Geslacht", "male", "BRP", BRP_DATE },
      -- a partner pension is never income
      { H1 .. "/Inkomsten/Pensioen/PensioenInkomen", "12902.82", "MPO", MPO_DATE },
      -- DUO shows a debt: the inventory is the adviser's (its code is not public)
      { H1 .. "/StudieleningInventarisatie", nil, "DUO", DUO_DATE },
      -- employments are never an income entity: at most proposed
      { H1 .. "/Inkomsten[1]/Dienstbetrekking/IngangsDt", "1991-03-01", "UWV", UWV_DATE },
      { H1 .. "/Inkomsten[1]/Dienstbetrekking/SoortDienstbetrekking", "permanent", "UWV", UWV_DATE },
      { "/OfferteAanvraag/PartijNAWData[2]/Geslacht", "female", "BRP", BRP_DATE },
      { H2 .. "/Inkomsten[1]/Dienstbetrekking/BrutoJaarSalaris", "7901.25", "UWV", UWV_DATE },
      { H2 .. "/Inkomsten[1]/Dienstbetrekking/IngangsDt", "2022-09-01", "UWV", UWV_DATE },
      { H2 .. "/Inkomsten[1]/Dienstbetrekking/SoortDienstbetrekking", "temporary", "UWV", UWV_DATE },
    }, proposed)
    assert.are.same({}, result.skipped)

    -- The tables make a message that passes the rules, with the new entities in model order.
    local filled = assert(axlink.fromtable(t))
    assert.is_true(filled:check().ok)
    local xml = filled:serialize()
    assert.truthy(xml:find(table.concat({
      "\t\t\t</Uitkering>",
      "\t\t\t<Pensioen Volgnummer=\"1\">",
      "\t\t\t\t<PensioenInkomen>20596.68</PensioenInkomen>",
      "\t\t\t\t<IngangsDtPensioen>2020-11-03</IngangsDtPensioen>",
      "\t\t\t</Pensioen>",
      "\t\t</Inkomsten>",
      "\t\t<Verplichtingen Volgnummer=\"1\">",
      "\t\t\t<SoortVerplichting>12 Studielening</SoortVerplichting>",
      "\t\t\t<VerplichtingBedrag>1874.20</VerplichtingBedrag>",
      "\t\t\t<MaandBedrag>98.64</MaandBedrag>",
      "\t\t\t<VerplichtingInMnd>19</VerplichtingInMnd>",
      "\t\t</Verplichtingen>",
      "\t\t<Identificatie>" }, "\n"), 1, true))
    assert.are.equal(1, select(2, xml:gsub("<Verplichtingen ", "")))   -- Zoë has no study debt

    -- Never-fill fields untouched; no income entity from UWV data.
    for i = 1, 2 do
      local a, b = before.Hypotheekgever[i], t.Hypotheekgever[i]
      for _, f in ipairs { "BurgerlijkeStaat", "StudieleningInventarisatie", "TelefoonNrPrive", "TelefoonNrWerk",
        "TelefoonNrMobiel", "E-mailadres" } do
        assert.are.equal(a[f], b[f], f)
      end
      assert.are.equal(a.Identificatie.LegitimatieSoort, b.Identificatie.LegitimatieSoort)
      assert.are.equal(a.Identificatie.LegitimatieNr, b.Identificatie.LegitimatieNr)
      assert.is_nil(b.Inkomsten[1].Dienstbetrekking)
      assert.is_nil(b.Inkomsten[1].InkomensbepalingLoondienst)
      assert.are.same(before.PartijNAWData[i], t.PartijNAWData[i])   -- BRP agrees with the AX
      assert.are.same(a.Inkomsten[1].Uitkering, b.Inkomsten[1].Uitkering)   -- conflicts only
    end
  end)

  it("is idempotent: filling the filled tables again changes nothing", function()
    local msg, d = linked()
    local t = msg:totable()
    assert(cdl.fill(t, d, OPTS))
    local again = assert(cdl.fill(t, d, OPTS))
    assert.are.same({}, again.changes)
    assert.are.equal(3, #again.conflicts)
  end)

  it("overwrites the AOW only with opts.overwrite, with the old value in the change", function()
    local msg, d = linked()
    local t = msg:totable()
    local result = assert(cdl.fill(t, d, { household = "couple", pension_basis = "accrued", overwrite = true }))
    assert.are.same({}, result.conflicts)
    assert.are.same({ path = H1 .. "/Inkomsten[1]/Uitkering[1]/BrutoJaarUitkering",
      source = "MPO", source_date = "2026-10-01", old = "13522.00", new = "14135.28", kind = "copied" },
      result.changes[1])
    assert.are.equal("N Nee", t.Hypotheekgever[2].Inkomsten[1].Uitkering[1].AOWVolledigeOpbouwJN)
    assert.is_true(assert(axlink.fromtable(t)):check().ok)
  end)

  it("only proposes AOW without opts.household and pensions without opts.pension_basis", function()
    local msg, d = linked()
    local before = msg:totable()
    local t = msg:totable()
    local result = assert(cdl.fill(t, d, {}))
    assert.are.same({}, result.conflicts)
    assert.are.equal(4, #result.changes)   -- the DUO entity and its three fields
    assert.are.same(before.Hypotheekgever[1].Inkomsten, t.Hypotheekgever[1].Inkomsten)
    assert.are.same(before.Hypotheekgever[2].Inkomsten, t.Hypotheekgever[2].Inkomsten)
    local function find(path, value)
      for _, p in ipairs(result.proposals) do
        if p.path == path and p.value == value then return p end
      end
    end
    assert.truthy(find(H1 .. "/Inkomsten/Uitkering/BrutoJaarUitkering", "14135.28"))   -- couple
    assert.truthy(find(H1 .. "/Inkomsten/Uitkering/BrutoJaarUitkering", "20866.32"))   -- single
    assert.truthy(find(H1 .. "/Inkomsten/Uitkering/BrutoJaarUitkering", "20866.32").reason:find("single", 1, true))
    -- each arrangement proposed on its own, never summed without a basis
    assert.truthy(find(H1 .. "/Inkomsten/Pensioen/PensioenInkomen", "18432.60"))
    assert.truthy(find(H1 .. "/Inkomsten/Pensioen/PensioenInkomen", "2164.08"))
    assert.is_nil(find(H1 .. "/Inkomsten/Pensioen/PensioenInkomen", "20596.68"))
  end)

  it("completes missing PartijNAWData fields from BRP, with provenance", function()
    local msg, d = linked()
    local t = msg:totable()
    local p = t.PartijNAWData[2]
    p.VoorNamen, p.StraatNaam, p.HuisNr, p.Postcode = nil, nil, nil, nil
    local result = assert(cdl.fill(t, d, OPTS))
    local mine = {}
    for _, c in ipairs(result.changes) do
      if c.path:find("PartijNAWData", 1, true) then mine[#mine + 1] = c end
    end
    local P = "/OfferteAanvraag/PartijNAWData[2]/"
    assert.are.same({
      { path = P .. "VoorNamen", source = "BRP", source_date = "2026-11-20", new = "Zoë Noëlle", kind = "copied" },
      { path = P .. "StraatNaam", source = "BRP", source_date = "2026-11-20", new = "Esdoornstraat", kind = "copied" },
      { path = P .. "HuisNr", source = "BRP", source_date = "2026-11-20", new = "31", kind = "copied" },
      { path = P .. "Postcode", source = "BRP", source_date = "2026-11-20", new = "9721TB", kind = "copied" },
    }, mine)
    assert.is_true(assert(axlink.fromtable(t)):check().ok)
  end)
end)
