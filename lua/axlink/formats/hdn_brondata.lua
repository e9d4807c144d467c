--- The built-in CDL format `hdn-brondata-xml`: HDN brondata answers.
--
-- A lender that asked a CDL for brondata with a BronAanvraagBericht gets the
-- answers back one message per product: BasisRegistratiePersonenBericht
-- (BRP), LoondienstInkomstenBericht (UWV verzekeringsbericht),
-- PensioenOverzichtBericht (Mijnpensioenoverzicht) and StudieLeningBericht
-- (DUO). `decode` reads one answer into a delivery whose persons carry
-- `facts` in the shared vocabulary (DESIGN 7.2, doc/mapping.md); `join`
-- merges the answers of one data file into one delivery. The format only
-- decodes: it names no AX element, and the one mapping (axlink.mapping)
-- fills the AX from the facts (DESIGN 7.1).
--
-- WHAT IS PUBLIC AND WHAT IS ASSUMED. HDN's brondata schemas are
-- members-only, and no complete brondata answer is public. Public are:
--  * the four root names (message types of HDN's platform client);
--  * the request, HDN's BronAanvraagBericht sample: ExterneBron {SoortProduct,
--    DataleverancierNaam, BronNaam}, Dataleverancier {DataMijNr,
--    DataleverancierID, GegevensVerzoekVersie, DataleverancierOntvangerNaam},
--    Product/<product>/PersoonsID, and the codes "26 Basis Registratie
--    Personen", "02 Ockto" and "11 Mijnoverheid.nl";
--  * one answer, checked by XPath in the client's tests: a
--    DesktoptaxatieBericht with SysteemMelding/MeldingSoort "01 Verzoek is
--    met succes verwerkt" and Bron {BronNaam, SoortProduct}, the product's
--    content (Taxatie, Object) under Bron. It shows no Dataleverancier and no
--    PersoonsID.
-- ASSUMED (no public sample shows it): that a brondata answer repeats the
-- request's envelope (ExterneBron, Dataleverancier with the data file's
-- DataleverancierID, Product with one entry per person carrying its
-- PersoonsID). It rests on the request's shape and on this format's need: a
-- delivery needs the data file's key and each person's key, and an answer
-- read without its platform record has nowhere else to carry them. So
-- `decode` accepts both forms: ExterneBron or Bron for the source and
-- product (SoortProduct from ExterneBron, else from Bron), and the person
-- entries under Product or, as the public answer holds its content, under
-- Bron. It still needs Dataleverancier/DataleverancierID and a PersoonsID per
-- entry. ASSUMED as well: the product codes other than 26 (27, 28, 29 below)
-- and every element name and code value inside a person entry (Voornamen,
-- Adres, HuisLetter, Dienstbetrekking/Periode/SVLoon, AOW/TeBereikenSamenwonend,
-- Pensioenregeling, Schuldsaldo, Leenstelsel, OphaalDt, ToestemmingEindDt,
-- "01 Man", "01 Ouderdomspensioen", ...), which are INVENTED here in HDN's
-- style (PascalCase Dutch, Volgnummer on repeating entities, "code
-- omschrijving" values) after the sources' public vocabularies. They live in
-- this file only, so that a real schema can replace them in one place.
-- examples/data/brondata-README.md says the same.
--
-- No BSN enters a delivery: decode reads only the elements the facts need
-- (never the Burgerservicenummer a BRP answer carries) and, as a second net,
-- drops any text value of nine digits that passes the BSN eleven-test and
-- refuses a key that does.
-- @module axlink.formats.hdn_brondata

local common = require "axlink.formats.common"
local values = require "axlink.values"

local NAME = "hdn-brondata-xml"

local M = {
  name = NAME,
  description = "HDN brondata answers (BRP, UWV, Mijnpensioenoverzicht, DUO), one XML message per product; "
    .. "inner field names modelled, not official",
}

local list = values.list

-- {======================================================================
-- The codes of this format's own input
-- =======================================================================

-- SysteemMelding/MeldingSoort "01 Verzoek is met succes verwerkt" (public).
local MELDING_OK = "01"

-- The codes below are INVENTED (see the module comment), each after the
-- source's own public list.
-- Geslacht, after BRP's geslachtsaanduiding M, V, O.
local GENDER = { ["01"] = "male", ["02"] = "female", ["03"] = "unknown" }
-- Adres/SoortAdres: BRP knows a woonadres and a briefadres; the address fact
-- is where the person lives.
local WOONADRES = "01"
-- Pensioenregeling/SoortPensioen, after Mijnpensioenoverzicht's kinds.
local PENSION_KIND = { ["01"] = "old_age", ["02"] = "partner", ["03"] = "orphan", ["04"] = "disability" }
-- StudieLening/Leenstelsel: the studievoorschot of 2015 or the student
-- finance before it (the two regimes lenders weigh differently); any other
-- regime DUO names is "other".
local LOAN_REGIME = { ["01"] = "SF15", ["02"] = "pre-2015" }

-- {======================================================================
-- Reading element values: a refusal names the element's path, never its value
-- =======================================================================

local function refuse(path, what)
  common.refuse(NAME, path, what)
end

-- The BSN eleven-test ("elfproef"): 9 digits, weights 9..2 and -1.
local function elfproef(s)
  if not s:match("^%d%d%d%d%d%d%d%d%d$") then return false end
  local sum = 0
  for i = 1, 8 do sum = sum + (10 - i) * tonumber(s:sub(i, i)) end
  sum = sum - tonumber(s:sub(9, 9))
  return sum % 11 == 0 and s ~= "000000000"
end

-- The text of a child element that occurs at most once, untrimmed; nil when
-- absent. totable gives a text element with attributes as { [1] = text }.
local function raw(obj, key, path)
  local v = obj[key]
  if v == nil then return nil end
  local p = path .. "/" .. key
  if type(v) == "table" then
    if v[2] ~= nil then refuse(p, "occurs more than once") end
    v = v[1]
  end
  if type(v) ~= "string" then refuse(p, "text expected") end
  return v
end

-- Text as a fact holds it: trimmed, nil when empty (HDN forbids empty
-- fields, so one says nothing), and nil when it looks like a BSN.
local function text_of(v, p)
  if not utf8.len(v) then refuse(p, "not valid UTF-8") end
  v = common.trim((v:gsub("[\t\r\n]", " ")))
  if v:find("[%z\1-\31\127]") then refuse(p, "control character in text") end
  if v == "" or elfproef(v) then return nil end
  return v
end

local function text(obj, key, path)
  local v = raw(obj, key, path)
  return v and text_of(v, path .. "/" .. key)
end

-- Every value of an element that may repeat without a Volgnummer.
local function texts(obj, key, path)
  local out = {}
  for i, v in ipairs(list(type(obj[key]) == "string" and { obj[key] } or obj[key])) do
    local p = ("%s/%s[%d]"):format(path, key, i)
    if type(v) == "table" then v = v[1] end
    if type(v) ~= "string" then refuse(p, "text expected") end
    out[#out + 1] = text_of(v, p)
  end
  return out
end

-- A key goes into the AX as it is, and a key with surrounding whitespace or
-- a line break breaks the rules there (AXL-R06): refused here, not trimmed,
-- because the lender sends it back to the CDL byte for byte.
local function key_text(obj, key, path)
  local v = raw(obj, key, path)
  local p = path .. "/" .. key
  if v == nil or v:match("^%s*$") then refuse(p, "missing or empty") end
  if v:match("^%s") or v:match("%s$") or v:find("[\r\n]") then
    refuse(p, "leading or trailing whitespace or a line break")
  end
  if elfproef(v) then refuse(p, "nine digits passing the BSN eleven-test: never a key") end
  return v
end

local function date(obj, key, path, partial_ok)
  local v = text(obj, key, path)
  if v and not common.valid_date(v, partial_ok) then
    refuse(path .. "/" .. key, partial_ok and "not a date" or "not a complete date")
  end
  return v
end

local function amount(obj, key, path)
  local v = text(obj, key, path)
  if v == nil then return nil end
  local a = common.amount(v)
  if not a then refuse(path .. "/" .. key, "not an amount") end
  if a:sub(1, 1) == "-" then refuse(path .. "/" .. key, "negative amount") end
  return a
end

local function whole(obj, key, path)
  local v = text(obj, key, path)
  if v == nil then return nil end
  if not v:match("^%d+$") or #v > 9 then refuse(path .. "/" .. key, "whole number expected") end
  return math.tointeger(tonumber(v))
end

-- The code of a "code omschrijving" value.
local function code(obj, key, path)
  local v = text(obj, key, path)
  return v and (values.code(v))
end

local function jn(obj, key, path)
  local v = text(obj, key, path)
  if v == nil then return nil end
  local b = values.jn(v)
  if b == nil then refuse(path .. "/" .. key, "\"J Ja\" or \"N Nee\" expected") end
  return b
end

-- A country as the vocabulary writes it, ISO 3166-1 alpha-2, from a
-- LandType-style value ("NL Nederland"); nil for a value without such a code.
local function country_of(v)
  local c = v and values.code(v)
  return c and c:match("^%u%u$") or nil
end

local function country(obj, key, path)
  return country_of(text(obj, key, path))
end

-- An age given as years and months (months absent: not stated).
local function age(obj, years, months, path)
  local y = whole(obj, years, path)
  if y == nil then return nil end
  return { years = y, months = whole(obj, months, path) }
end

-- A child entity that occurs at most once, or nil.
local function child(obj, key, path)
  local v = obj[key]
  if v == nil then return nil end
  if type(v) ~= "table" or v[1] ~= nil then refuse(path .. "/" .. key, "one entity expected") end
  return v
end

-- Calls f(entity, its path) for each occurrence of a repeating entity.
local function each(obj, key, path, f)
  for i, e in ipairs(list(obj[key])) do
    local p = ("%s/%s[%d]"):format(path, key, i)
    if type(e) ~= "table" then refuse(p, "not an entity") end
    f(e, p)
  end
end

-- A fact that says something beyond its source and date, else nil.
local function fact(t)
  for k in pairs(t) do
    if k ~= "source" and k ~= "date" then return t end
  end
  return nil
end

local function nonempty(t)
  return next(t) ~= nil and t or nil
end

-- Integer cents of a vocabulary amount: sums are made in cents, so that no
-- binary float ever stands between two decimal amounts.
local function cents(a)
  return math.tointeger(tonumber((a:gsub("%.", ""))))
end

local function from_cents(c)
  return ("%d.%02d"):format(c // 100, c % 100)
end

-- {======================================================================
-- BRP: identity and the current address
-- =======================================================================

-- A Dutch postcode as the vocabulary writes it: 1234AB, no space.
local function postcode_of(v, land)
  if v and (land == nil or land == "NL") and v:match("^%d%d%d%d%s*%a%a$") then
    return (v:gsub("%s", ""):upper())
  end
  return v
end

-- The address the person lives at: the woonadres flagged current, else the
-- latest one that has not ended and carries no flag. Two flagged current is
-- a contradiction this format does not resolve.
local function current_address(e, at)
  local current, current_at, flagged
  each(e, "Adres", at, function(a, where)
    local kind = code(a, "SoortAdres", where)
    if kind ~= nil and kind ~= WOONADRES then return end
    local flag = jn(a, "HuidigAdresJN", where)
    if flag == true then
      if flagged then refuse(where .. "/HuidigAdresJN", "a second current address") end
      flagged, current, current_at = true, a, where
    elseif not flagged and flag == nil and date(a, "EindDt", where) == nil
      and (not current or (date(a, "IngangsDt", where) or "") > (date(current, "IngangsDt", current_at) or "")) then
      current, current_at = a, where
    end
  end)
  return current, current_at
end

local function address_fact(a, at, fact_date)
  local number = text(a, "HuisNr", at)
  if number and not number:match("^%d+$") then refuse(at .. "/HuisNr", "a house number of digits expected") end
  local land = country(a, "Land", at)
  return fact {
    source = "BRP", date = fact_date,
    street = text(a, "StraatNaam", at), number = number,
    letter = text(a, "HuisLetter", at), addition = text(a, "HuisNrToevoeging", at),
    postcode = postcode_of(text(a, "Postcode", at), land), city = text(a, "PlaatsNaam", at),
    country = land, since = date(a, "IngangsDt", at),
  }
end

local function brp_facts(e, at, fact_date)
  local nationalities = {}
  for _, n in ipairs(texts(e, "Nationaliteit", at)) do nationalities[#nationalities + 1] = country_of(n) end
  local address, address_at = current_address(e, at)
  return {
    identity = fact {
      source = "BRP", date = fact_date,
      first_names = text(e, "Voornamen", at), initials = text(e, "Voorletters", at),
      prefix = text(e, "Voorvoegsel", at), surname = text(e, "Geslachtsnaam", at),
      birth_date = date(e, "GeboorteDt", at, true),   -- BRP may give 00 for an unknown part
      gender = GENDER[code(e, "Geslacht", at)],
      birth_country = country(e, "GeboorteLand", at), birth_place = text(e, "GeboortePlaats", at),
      nationalities = nonempty(nationalities),
    },
    address = address and address_fact(address, address_at, fact_date),
  }
end

-- {======================================================================
-- UWV: employments from the verzekeringsbericht
-- =======================================================================

local function next_day(d)
  local y, m, dd = d:match("^(%d+)%-(%d+)%-(%d+)$")
  y, m, dd = tonumber(y), tonumber(m), tonumber(dd) + 1
  if dd > common.days_in_month(y, m) then dd, m = 1, m + 1 end
  if m > 12 then m, y = 1, y + 1 end
  return ("%04d-%02d-%02d"):format(y, m, dd)
end

-- Days from a to b (ISO dates). Noon on both days keeps a daylight-saving
-- hour of the host's time zone from moving the count.
local function days_between(a, b)
  local function t(d)
    local y, m, dd = d:match("^(%d+)%-(%d+)%-(%d+)$")
    return os.time { year = tonumber(y), month = tonumber(m), day = tonumber(dd), hour = 12 }
  end
  return math.floor((t(b) - t(a)) / 86400 + 0.5)
end

-- The yearly wage of an employment: the SV wages of its latest unbroken run
-- of periods that covers a year (12 months, 13 four-week or 52 weekly
-- periods), when that run reaches into the year before `ref` (the download
-- date). A gap, an overlap, a period without dates or wage, or less than a
-- year on record gives none: the format does not extrapolate. SV wages
-- include the holiday pay paid within the periods.
local function yearly_wage(db, at, ref)
  local periods = {}
  each(db, "Periode", at, function(p, where)
    periods[#periods + 1] = { first = date(p, "BeginDt", where), last = date(p, "EindDt", where),
      wage = amount(p, "SVLoon", where) }
  end)
  if #periods == 0 or not ref then return nil end
  for _, p in ipairs(periods) do
    if not (p.first and p.last and p.wage) then return nil end
  end
  table.sort(periods, function(a, b) return a.last > b.last end)
  local latest = periods[1]
  if latest.last <= common.add_age(ref, -1, 0) then return nil end
  local after, sum, expected = next_day(latest.last), 0, nil
  for _, p in ipairs(periods) do
    if expected and next_day(p.last) ~= expected then return nil end
    sum, expected = sum + cents(p.wage), p.first
    if days_between(p.first, after) >= 364 then return from_cents(sum) end
  end
  return nil
end

-- The contract from the verzekeringsbericht's wording ("schriftelijke
-- arbeidsovereenkomst voor onbepaalde tijd, geen oproepovereenkomst");
-- wording that names another contract (an uitzendovereenkomst) is "other".
local function contract_of(s)
  if not s then return nil end
  local l = s:lower()
  if l:find("oproepovereenkomst", 1, true) and not l:find("geen oproepovereenkomst", 1, true) then
    return "on_call"
  end
  if l:find("onbepaalde tijd", 1, true) then return "permanent" end
  if l:find("bepaalde tijd", 1, true) then return "temporary" end
  return "other"
end

-- An income figure of the IBL tool inside the answer (IblJaarinkomen,
-- INVENTED: no sample shows one). It is not the signed result of the IBL
-- tool itself, so the fact says neither official nor signed.
local function income_statement(e, at, fact_date)
  local yearly = amount(e, "IblJaarinkomen", at)
  return yearly and { source = "UWV", date = fact_date, yearly = yearly }
end

local function uwv_facts(e, at, fact_date)
  local ref = date(e, "DownloadDt", at) or date(e, "OphaalDt", at)
  local jobs = {}
  each(e, "Dienstbetrekking", at, function(db, where)
    local wage = yearly_wage(db, where, ref)
    jobs[#jobs + 1] = fact {
      source = "UWV", date = fact_date,
      employer = text(db, "WerkgeverNaam", where),
      start = date(db, "IngangsDt", where), ["end"] = date(db, "EindDt", where),
      contract = contract_of(text(db, "Contractvorm", where)),
      yearly_wage = wage, includes_holiday_pay = wage and true or nil,
    }
  end)
  return { employments = nonempty(jobs), income_statement = income_statement(e, at, fact_date) }
end

-- {======================================================================
-- Mijnpensioenoverzicht: AOW and pension arrangements
-- =======================================================================

-- AOW accrues by residence; the "te bereiken" amounts are what the overview
-- projects at the AOW start, OpbouwPct the build-up reached then.
local function aow_fact(a, at, fact_date)
  local pct, full = amount(a, "OpbouwPct", at), nil
  if pct then full = cents(pct) >= 10000 end
  return fact {
    source = "MPO", date = fact_date,
    start = date(a, "IngangsDt", at),
    start_age = age(a, "IngangsLeeftijdJaren", "IngangsLeeftijdMaanden", at),
    yearly_single = amount(a, "TeBereikenAlleenstaand", at),
    yearly_couple = amount(a, "TeBereikenSamenwonend", at),
    full_accrual = full,
  }
end

-- One entry per Pensioenregeling: the overview gives each arrangement as one
-- element, so there are no age blocks to merge.
local function pension_fact(r, at, fact_date)
  return {
    source = "MPO", date = fact_date,
    provider = text(r, "PensioenUitvoerder", at),
    kind = PENSION_KIND[code(r, "SoortPensioen", at)],
    id = text(r, "HerkenningsNummer", at),
    start = date(r, "IngangsDt", at), ["end"] = date(r, "EindDt", at),
    start_age = age(r, "VanLeeftijdJaren", "VanLeeftijdMaanden", at),
    end_age = age(r, "TotLeeftijdJaren", "TotLeeftijdMaanden", at),
    yearly_accrued = amount(r, "Opgebouwd", at),
    yearly_prospective = amount(r, "TeBereiken", at),
    indicative = jn(r, "IndicatiefJN", at) or nil,
  }
end

local function mpo_facts(e, at, fact_date)
  local a = child(e, "AOW", at)
  local pensions = {}
  each(e, "Pensioenregeling", at, function(r, where)
    pensions[#pensions + 1] = fact(pension_fact(r, where, fact_date))
  end)
  return { aow = a and aow_fact(a, at .. "/AOW", fact_date), pensions = nonempty(pensions) }
end

-- {======================================================================
-- DUO: the study loan
-- =======================================================================

local function duo_facts(e, at, fact_date)
  local debt, regime = amount(e, "Schuldsaldo", at), code(e, "Leenstelsel", at)
  if jn(e, "StudieschuldJN", at) == false then
    -- DUO's "no debt" is a fact of its own: a balance of zero.
    if debt and cents(debt) > 0 then refuse(at .. "/Schuldsaldo", "a balance where StudieschuldJN says none") end
    debt = "0.00"
  end
  local loan = fact {
    source = "DUO", date = fact_date,
    debt = debt, monthly = amount(e, "WettelijkMaandbedrag", at),
    repayment_start = date(e, "AanvangAflosfaseDt", at),
    regime = regime and (LOAN_REGIME[regime] or "other"),
    remaining_months = whole(e, "ResterendeLooptijdMnd", at),
  }
  return { study_loans = loan and { loan } }
end

-- {======================================================================
-- The four answers
-- =======================================================================

-- Keyed by root element (public names). `entity` is the per-person element
-- under Product; `source` the register, in delivery.sources and on every
-- fact; `rank` the merge order (BRP first, as it is the one that names the
-- person); `date` the element holding the date the register's data
-- describes (the facts' date; when it is missing, the entry's OphaalDt,
-- else the answer's latest OphaalDt);
-- `product` the SoortProduct used when the answer names none: "26 Basis
-- Registratie Personen" is public, 27, 28 and 29 are ASSUMED (HDN's code
-- list is not); `facts` reads one person entry.
local PRODUCTS = {
  BasisRegistratiePersonenBericht = { entity = "BasisRegistratiePersonen", source = "BRP", rank = 1,
    date = "OphaalDt", product = "26 Basis Registratie Personen", facts = brp_facts },
  LoondienstInkomstenBericht = { entity = "LoondienstInkomsten", source = "UWV", rank = 2,
    date = "DownloadDt", product = "27 Loondienst Inkomsten", facts = uwv_facts },
  PensioenOverzichtBericht = { entity = "PensioenOverzicht", source = "MPO", rank = 3,
    date = "StandPerDt", product = "28 Pensioen Overzicht", facts = mpo_facts },
  StudieLeningBericht = { entity = "StudieLening", source = "DUO", rank = 4,
    date = "PeilDt", product = "29 Studie Lening", facts = duo_facts },
}
local BY_SOURCE = {}
for root, p in pairs(PRODUCTS) do
  p.root = root
  BY_SOURCE[p.source] = p
end

-- {======================================================================
-- detect
-- =======================================================================

--- True for an XML document whose root element is one of the four brondata
-- answers. Looks at the first 4 KiB only: the XML declaration, comments and
-- a DOCTYPE may precede the root (a DOCTYPE must reach the parser, which
-- refuses it, rather than make the file unrecognised).
-- @param bytes the file's content
-- @return boolean
function M.detect(bytes)
  if type(bytes) ~= "string" then return false end
  local head = common.strip_bom(bytes:sub(1, 4096))
  if not head:match("^%s*<") then return false end
  local root = head:gsub("<!%-%-.-%-%->", ""):match("<([%a_][%w_%.%-]*)")
  return root ~= nil and PRODUCTS[root] ~= nil
end

-- {======================================================================
-- decode
-- =======================================================================

local function basename(path)
  return type(path) == "string" and path:match("([^/]+)$") or "input"
end

-- The answer must report success in every SysteemMelding it carries.
local function check_melding(t, base)
  each(t, "SysteemMelding", base, function(melding, where)
    if code(melding, "MeldingSoort", where) ~= MELDING_OK then
      refuse(base .. "/SysteemMelding/MeldingSoort", "the answer reports no success")
    end
  end)
end

-- The data file's key and the end of consent, from Dataleverancier.
local function data_file(t, base)
  local id, valid_until
  each(t, "Dataleverancier", base, function(dl, where)
    local key = key_text(dl, "DataleverancierID", where)
    if id and key ~= id then refuse(where .. "/DataleverancierID", "differs within one answer") end
    id = key
    valid_until = date(dl, "ToestemmingEindDt", where) or valid_until
  end)
  if not id then refuse(base .. "/Dataleverancier/DataleverancierID", "missing") end
  return id, valid_until
end

-- The person entries: under Product (ASSUMED, as in the request) and under
-- Bron (ASSUMED, where the public answer holds its product's content).
local function each_entry(t, base, product, f)
  for _, holder in ipairs { "Product", "Bron" } do
    each(t, holder, base, function(h, at)
      each(h, product.entity, at, f)
    end)
  end
end

local function read_person(product, entry, where, product_code)
  local id = key_text(entry, "PersoonsID", where)
  local retrieved = date(entry, "OphaalDt", where)
  local fact_date = date(entry, product.date, where) or retrieved
  local facts = product.facts(entry, where, fact_date)
  local person = { id = id, facts = facts,
    sources = { { code = product.source, product = product_code, retrieved_at = retrieved, available = true } } }
  -- What the product vouches for, to verify the match (DESIGN 4.1): BRP
  -- names the person; Mijnpensioenoverzicht shows the birth date only.
  local who = facts.identity
  if who then
    person.birth_date, person.initials, person.surname, person.prefix =
      who.birth_date, who.initials, who.surname, who.prefix
  elseif product.source == "MPO" then
    person.birth_date = date(entry, "GeboorteDt", where, true)
  end
  return person, retrieved
end

-- A fact without a date of its own takes the answer's collection date.
local function date_facts(facts, collected_at)
  for _, f in pairs(facts) do
    if f.source == nil then
      for _, item in ipairs(f) do item.date = item.date or collected_at end
    else
      f.date = f.date or collected_at
    end
  end
end

local function decode_answer(msg)
  local root = msg:root()
  local base = "/" .. root
  local product = PRODUCTS[root]
  if not product then refuse(base, "not a brondata answer this format reads") end
  local t = msg:totable()
  check_melding(t, base)
  local id, valid_until = data_file(t, base)
  -- The source and product: ExterneBron as in the request (ASSUMED to be
  -- repeated), or Bron {BronNaam, SoortProduct} as in HDN's public answer.
  local supplier, product_code
  each(t, "ExterneBron", base, function(eb, where)
    supplier = supplier or text(eb, "DataleverancierNaam", where)
    product_code = product_code or text(eb, "SoortProduct", where)
  end)
  each(t, "Bron", base, function(b, where)
    product_code = product_code or text(b, "SoortProduct", where)
  end)
  local delivery = {
    id = id, supplier = supplier, format = NAME, valid_until = valid_until,
    sources = { product.source }, persons = {},
  }
  local seen = {}
  each_entry(t, base, product, function(entry, where)
    local person, retrieved = read_person(product, entry, where, product_code or product.product)
    if seen[person.id] then refuse(where .. "/PersoonsID", "the same person twice in one answer") end
    seen[person.id] = true
    if retrieved and (not delivery.collected_at or retrieved > delivery.collected_at) then
      delivery.collected_at = retrieved
    end
    delivery.persons[#delivery.persons + 1] = person
  end)
  if #delivery.persons == 0 then
    refuse(("%s/Product/%s"):format(base, product.entity), "no person in the answer")
  end
  for _, person in ipairs(delivery.persons) do date_facts(person.facts, delivery.collected_at) end
  return delivery
end

--- Reads one brondata answer into a delivery with one entry per person.
-- The delivery carries `id` (Dataleverancier/DataleverancierID), `supplier`
-- (ExterneBron/DataleverancierNaam), `collected_at` (the latest OphaalDt),
-- `valid_until` (Dataleverancier/ToestemmingEindDt), `sources` (one code:
-- BRP, UWV, MPO or DUO) and per person `id` (PersoonsID), what the product
-- tells about who it is, one entry in `sources` (its `product` from
-- ExterneBron/SoortProduct, else Bron/SoortProduct) and `facts`: BRP gives
-- identity and address, UWV employments (and income_statement when the
-- answer holds an IblJaarinkomen), Mijnpensioenoverzicht aow and pensions, DUO
-- study_loans. Person entries are read under Product and under Bron (see the
-- module comment).
-- @param bytes the file's content
-- @param path the file's path (its basename names the message in errors)
-- @return delivery, or nil, message (AXL-C20 naming the element path, or
--   the parser's AXL-P message)
function M.decode(bytes, path)
  -- Required here, not at load time: axlink (the public module) requires
  -- axlink.cdl, which requires this file; keeping the C module out of the
  -- load path keeps that chain free of cycles.
  local core = require "axlink.core"
  -- <close> frees the parsed document as soon as its tables are taken.
  local msg <close>, err, info = core.parse(bytes, { name = basename(path) })
  if not msg then return nil, err, info end
  return common.protect(decode_answer, msg)
end

-- {======================================================================
-- join
-- =======================================================================

-- Two dates agree when every part both know is the same (BRP may give 00).
local function dates_agree(a, b)
  for _, r in ipairs { { 1, 4 }, { 6, 7 }, { 9, 10 } } do
    local x, y = a:sub(r[1], r[2]), b:sub(r[1], r[2])
    if not x:match("^0+$") and not y:match("^0+$") and x ~= y then return false end
  end
  return true
end

-- Of two agreeing dates, the one with fewer unknown (00) parts.
local function more_known(a, b)
  local function unknown(d) return select(2, d:gsub("%-00", "")) end
  return unknown(b) < unknown(a) and b or a
end

--- Merges the answers of one data file (one delivery per answer, as decode
-- gives them) into one delivery: persons merged by PersoonsID, their
-- `facts` and `sources` combined (each answer holds other facts). The
-- result does not depend on the order of the files: answers are merged
-- BRP, UWV, MPO, DUO.
-- @param deliveries the decoded answers
-- @return delivery, or nil, "AXL-C21 ..." when the answers are not of one
--   data file (another DataleverancierID or supplier, the same product
--   twice, or products that disagree about a person's birth date)
function M.join(deliveries)
  local order = {}
  for i, d in ipairs(deliveries) do
    local p = BY_SOURCE[type(d.sources) == "table" and d.sources[1] or ""]
    if not p then return nil, ("AXL-C21 file %d: not a brondata answer"):format(i) end
    order[#order + 1] = { d = d, i = i, p = p }
  end
  table.sort(order, function(a, b)
    if a.p.rank ~= b.p.rank then return a.p.rank < b.p.rank end
    return a.i < b.i
  end)
  local first = order[1]
  local out = { id = first.d.id, format = NAME, sources = {}, persons = {} }
  local by_id, products = {}, {}
  for _, o in ipairs(order) do
    local d, p = o.d, o.p
    if d.id ~= out.id then
      return nil, ("AXL-C21 files %d and %d: different Dataleverancier/DataleverancierID, not one data file")
        :format(math.min(first.i, o.i), math.max(first.i, o.i))
    end
    if d.supplier and out.supplier and d.supplier ~= out.supplier then
      return nil, ("AXL-C21 file %d: another ExterneBron/DataleverancierNaam than file %d"):format(o.i, first.i)
    end
    if products[p.source] then
      return nil, ("AXL-C21 files %d and %d: two %s answers in one delivery"):format(products[p.source], o.i, p.root)
    end
    products[p.source] = o.i
    out.supplier = out.supplier or d.supplier
    out.sources[#out.sources + 1] = p.source
    if d.collected_at and (not out.collected_at or d.collected_at > out.collected_at) then
      out.collected_at = d.collected_at
    end
    if d.valid_until and (not out.valid_until or d.valid_until < out.valid_until) then
      out.valid_until = d.valid_until   -- the earliest end of consent binds
    end
    for _, person in ipairs(d.persons) do
      local into = by_id[person.id]
      if not into then
        into = { id = person.id, sources = {}, facts = {} }
        by_id[person.id] = into
        out.persons[#out.persons + 1] = into
      end
      for _, f in ipairs { "initials", "surname", "prefix" } do
        into[f] = into[f] or person[f]
      end
      if person.birth_date then
        if into.birth_date and not dates_agree(into.birth_date, person.birth_date) then
          return nil, ("AXL-C21 file %d: %s/Product/%s: the birth date differs from an earlier answer's")
            :format(o.i, p.root, p.entity)
        end
        into.birth_date = into.birth_date and more_known(into.birth_date, person.birth_date) or person.birth_date
      end
      for _, s in ipairs(person.sources or {}) do into.sources[#into.sources + 1] = s end
      for k, v in pairs(person.facts or {}) do into.facts[k] = v end
    end
  end
  return out
end

return M
