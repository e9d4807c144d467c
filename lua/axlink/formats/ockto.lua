--- Built-in CDL format `ockto-json`: an Ockto-like ODM JSON result, one file
-- per delivery, holding one person (per-person journey) or two (bundled).
-- It decodes only (DESIGN 7.1): each person's facts go on `person.facts` in
-- the shared vocabulary (DESIGN 7.2); `axlink.mapping` turns them into AX.
--
-- Ockto publishes no ODM field list. What is public is the envelope, seen in
-- the data-file key of HDN's own BronAanvraagBericht sample: base64 of
-- `{"consumerData":{"DataSources":[...],"Id":"<uuid>","OdmVersion":"V4_4"}}`.
-- Everything below the envelope is the project's own modelled shape
-- (research/cdl-formats.md, "Format A"), PascalCase to match the envelope,
-- and *assumed*:
--
--     { "consumerData": {
--         "Id": uuid, "OdmVersion": "V4_4", "DataSources": ["MOH", ...],     required
--         "CollectedAt": date-time with zone, "ConsentValidUntil": date,     optional
--         "Persons": [ {                                                     at least one
--           "PersonId": uuid (optional: never invented), "Role": "Applicant" | "Partner",
--           "Sources": [ { "Code", "Product", "RetrievedAt", "Available" } ],
--           "MOH": BRP via MijnOverheid, "UWV": verzekeringsbericht,
--           "UPO": Mijnpensioenoverzicht, "DUO": study debt,
--           "VIA": vooraf ingevulde aangifte } ] } }
--
-- The delivery's `id` is *built* from the envelope, never read from a field:
-- the JSON text above with the keys in that order, no spaces, DataSources in
-- file order, then base64 (standard alphabet, padded). For HDN's sample
-- envelope this gives HDN's DataleverancierID byte for byte.
--
-- `decode` reads only the fields it knows (a whitelist), so a BSN (the BRP
-- block's `Burgerservicenummer`, a partner's, or one under any other name)
-- never enters the delivery; nor do children, former partners, travel
-- documents, IBANs or document links. The VIA block (last year's tax data)
-- is not read: the vocabulary has no name for it yet.
-- @module axlink.formats.ockto

local common = require "axlink.formats.common"

local NAME = "ockto-json"
local MAX_BYTES = 64 * 1024 * 1024           -- as axlink.cdl.read's cap
local DETECT_HEAD = 64 * 1024                -- detect looks for the envelope here
local DETECT_DECODE_MAX = 8 * 1024 * 1024    -- and decodes files up to this size to be sure

local r = common.reader(NAME)
local at, is_null, is_object, is_array = common.at, common.is_null, common.is_object, common.is_array
local refuse = r.refuse

local format = {
  name = NAME,
  description = "Ockto-like ODM JSON (consumerData envelope; bundled or per person); modelled, not Ockto's spec",
}

-- {======================================================================
-- Facts: small helpers
-- =======================================================================

-- A fact table with its register and date, or nil when the register said
-- nothing of it (a fact of only `source` and `date` tells nothing).
local function fact(source, date, fields)
  if next(fields) == nil then return nil end
  fields.source, fields.date = source, date
  return fields
end

-- The vocabulary leaves empty lists out.
local function list_or_nil(t)
  if #t == 0 then return nil end
  return t
end

-- The day (YYYY-MM-DD, UTC) this person's source with `code` was retrieved,
-- or nil when the file does not say.
local function retrieved_on(sources, code)
  for _, s in ipairs(sources) do
    if s.code == code and s.available and s.retrieved_at then return s.retrieved_at:sub(1, 10) end
  end
  return nil
end

-- Countries and nationalities are ISO 3166-1 alpha-2 in the vocabulary. The
-- modelled shape writes ISO codes; BRP's own codes are translated only for
-- the Netherlands (table 34 land 6030, table 32 nationaliteit 0001), any
-- other non-ISO code is left out, never guessed.
local BRP_COUNTRY = { ["6030"] = "NL" }
local BRP_NATIONALITY = { ["0001"] = "NL" }

local function iso_country(code, brp_codes)
  if not code then return nil end
  local upper = code:upper()
  if upper:match("^%u%u$") then return upper end
  return brp_codes[code]
end

-- BRP's geslachtsaanduiding; any other value is left out.
local GENDER = { M = "male", V = "female", O = "unknown" }

-- An age as Ockto's MPO shape writes it ({"Jaren", "Maanden"}), or nil for
-- an event without an age ({"Event": "Overlijden"}).
local function age_of(obj, key, path)
  local a = r.object(obj, key, path)
  if not a then return nil end
  local p = at(path, key)
  local years = r.integer(a, "Jaren", p)
  if not years then return nil end
  return { years = years, months = r.integer(a, "Maanden", p) or 0 }
end

-- Arrangements of one block share its age tables; each fact gets its own.
local function copy_age(age)
  return age and { years = age.years, months = age.months }
end

local function months_of(age)
  return age.years * 12 + age.months
end

-- {======================================================================
-- MOH (BRP): identity and the current address
-- =======================================================================

-- Letters only ("IJ.W." -> "IJW"), as HDN writes VoorLetters and as linking
-- compares them; nil when BRP gave none.
local function initials_of(text)
  if not text then return nil end
  local letters = text:gsub("[%s%.]", "")
  return letters ~= "" and letters or nil
end

local function house_number(a, p)
  local v = a.Huisnummer
  if math.type(v) == "float" then v = math.tointeger(v) end
  if math.type(v) == "integer" and v > 0 then return tostring(v) end
  if type(v) == "string" and v:match("^%d+$") then return v end
  if not is_null(v) then refuse(at(p, "Huisnummer"), "house number expected") end
  return nil
end

-- BRP writes 9721TB; 9721 TB and lower case are normalised to that,
-- anything else (a foreign postcode) is kept as given.
local function postcode_of(text)
  if not text then return nil end
  local digits, letters = text:upper():match("^(%d%d%d%d)%s?(%u%u)$")
  return digits and digits .. letters or text
end

-- Exactly one address flagged current, or a single unflagged one; anything
-- else is ambiguous and gives no address fact.
local function current_address(moh, path)
  local list = r.array(moh, "Adressen", path)
  if not list then return nil end
  local lp = at(path, "Adressen")
  local current, unflagged = {}, {}
  for i, a in ipairs(list) do
    local p = at(lp, i)
    if not is_object(a) then refuse(p, "object expected") end
    local flag = r.boolean(a, "Huidig", p)
    if flag then current[#current + 1] = { a, p } elseif flag == nil then unflagged[#unflagged + 1] = { a, p } end
  end
  local pick = #current == 1 and current[1] or (#current == 0 and #list == 1 and unflagged[1]) or nil
  if not pick then return nil end
  return pick[1], pick[2]
end

local function address_fact(moh, path, date)
  local a, p = current_address(moh, path)
  if not a then return nil end
  return fact("BRP", date, {
    street = r.text(a, "Straat", p),
    number = house_number(a, p),
    letter = r.text(a, "Huisletter", p),
    addition = r.text(a, "Huisnummertoevoeging", p),
    postcode = postcode_of(r.text(a, "Postcode", p)),
    city = r.text(a, "Woonplaats", p),
    country = iso_country(r.text(a, "Land", p), BRP_COUNTRY),
    -- BRP may write a partial date here; only a complete one is a fact.
    since = common.complete_date(r.date(a, "DatumVanaf", p, true)),
  })
end

-- Burgerservicenummer, BurgerlijkeStaat, Partner, Kinderen,
-- VoormaligePartners and Reisdocumenten are deliberately not read.
local function identity_fact(moh, path, date)
  local nationalities = {}
  local np = at(path, "Nationaliteiten")
  for i in ipairs(r.array(moh, "Nationaliteiten", path) or {}) do
    nationalities[#nationalities + 1] = iso_country(r.text(moh.Nationaliteiten, i, np), BRP_NATIONALITY)
  end
  local gender = r.text(moh, "Geslacht", path)
  return fact("BRP", date, {
    first_names = r.text(moh, "Voornamen", path),
    initials = initials_of(r.text(moh, "Voorletters", path)),
    prefix = r.text(moh, "Voorvoegsel", path),
    surname = r.text(moh, "Geslachtsnaam", path),
    birth_date = r.date(moh, "Geboortedatum", path, true),
    gender = gender and GENDER[gender:upper()],
    birth_country = iso_country(r.text(moh, "Geboorteland", path), BRP_COUNTRY),
    birth_place = r.text(moh, "Geboorteplaats", path),
    nationalities = list_or_nil(nationalities),
  })
end

-- {======================================================================
-- UWV (verzekeringsbericht): employments
-- =======================================================================

-- UWV's contract wording ("schriftelijke arbeidsovereenkomst voor
-- onbepaalde tijd, geen oproepovereenkomst") in the vocabulary's words.
-- *Assumed*: the modelled shape carries UWV's text as one string.
local function contract_of(text)
  if not text then return nil end
  local t = text:lower()
  if t:find("oproepovereenkomst", 1, true) and not t:find("geen oproepovereenkomst", 1, true) then
    return "on_call"
  end
  if t:find("onbepaalde tijd", 1, true) then return "permanent" end
  if t:find("bepaalde tijd", 1, true) then return "temporary" end
  return "other"
end

-- The wage periods (SV-loon per month) are not read: an SV-loon is not a
-- yearly wage, and turning months into one is a toetsinkomen axlink never
-- computes.
local function employment_facts(uwv, path, date)
  local list = r.each_object(r.array(uwv, "Dienstverbanden", path), at(path, "Dienstverbanden"), function(e, p)
    return fact("UWV", date, {
      employer = r.text(e, "WerkgeverNaam", p),
      start = r.date(e, "Begindatum", p),
      ["end"] = r.date(e, "Einddatum", p),
      contract = contract_of(r.text(e, "Contractvorm", p)),
    })
  end)
  return list_or_nil(list)
end

-- {======================================================================
-- UPO (Mijnpensioenoverzicht): AOW and pensions
-- =======================================================================

-- The "te bereiken" amounts are the ones projected at the AOW start (AOW
-- accrues by residence); MPO's accrued ("opgebouwd") AOW amounts have no
-- name in the vocabulary. No shortfall years means full accrual.
local function aow_fact(upo, path, date)
  local a = r.object(upo, "Aow", path)
  if not a then return nil end
  local p = at(path, "Aow")
  local shortfall = r.number(a, "Kortingsjaren", p)
  if shortfall and shortfall < 0 then refuse(at(p, "Kortingsjaren"), "negative number") end
  local full_accrual
  if shortfall ~= nil then full_accrual = shortfall == 0 end
  return fact("MPO", date, {
    start = r.date(a, "Ingangsdatum", p),
    start_age = age_of(upo, "AowLeeftijd", path),
    yearly_single = r.amount(a, "TeBereikenAlleenstaand", p),
    yearly_couple = r.amount(a, "TeBereikenSamenwonend", p),
    includes_holiday_pay = r.boolean(a, "InclusiefVakantietoeslag", p) or nil,
    full_accrual = full_accrual,
  })
end

-- MPO lists old-age pension in age blocks ("Van" an age, "Tot" an age or
-- death), each with the arrangements paying in it; the modelled shape also
-- allows a block's "Ingangsdatum" for a register that gives a date. One
-- arrangement (by HerkenningsNummer) may appear in several blocks: it
-- becomes one entry that starts at its earliest block and ends with its
-- latest (lifelong when any block runs until death), with the amounts of
-- that last block. An arrangement without a number is an entry of its own.
local function merge_block(entries, order, block, arrangement)
  local e = arrangement.id and entries[arrangement.id]
  if not e then
    e = { arrangement = arrangement }
    if arrangement.id then entries[arrangement.id] = e end
    order[#order + 1] = e
  end
  if block.from and (not e.from or months_of(block.from) < months_of(e.from)) then e.from = block.from end
  if block.start and (not e.start or block.start < e.start) then e.start = block.start end
  if e.lifelong then return end
  if not block.to then
    e.lifelong, e.to, e.arrangement = true, nil, arrangement
  elseif not e.to or months_of(block.to) >= months_of(e.to) then
    e.to, e.arrangement = block.to, arrangement
  end
end

local function arrangement_of(a, p)
  return {
    id = r.text(a, "HerkenningsNummer", p),
    provider = r.text(a, "PensioenUitvoerder", p),
    accrued = r.amount(a, "Opgebouwd", p),
    prospective = r.amount(a, "TeBereiken", p),
    indicative = r.boolean(a, "Indicatief", p),
  }
end

local function old_age_facts(upo, path, date)
  local entries, order = {}, {}
  r.each_object(r.array(upo, "OuderdomsPensioen", path), at(path, "OuderdomsPensioen"), function(b, p)
    local block = { from = age_of(b, "Van", p), to = age_of(b, "Tot", p), start = r.date(b, "Ingangsdatum", p) }
    r.each_object(r.array(b, "Regelingen", p), at(p, "Regelingen"), function(a, ap)
      merge_block(entries, order, block, arrangement_of(a, ap))
    end)
  end)
  local out = {}
  for _, e in ipairs(order) do
    local a = e.arrangement
    out[#out + 1] = fact("MPO", date, {
      provider = a.provider, kind = "old_age", id = a.id,
      start = e.start, start_age = copy_age(e.from), end_age = copy_age(e.to),
      yearly_accrued = a.accrued, yearly_prospective = a.prospective,
      indicative = a.indicative or nil,
    })
  end
  return out
end

-- A partner's pension is what the partner receives after the insured's
-- death; only the accrued amount has a vocabulary name (the insured amount,
-- "VerzekerdBedrag", is a risk cover, not a prospective figure).
local function partner_facts(upo, path, date)
  return r.each_object(r.array(upo, "PartnerPensioen", path), at(path, "PartnerPensioen"), function(a, p)
    return fact("MPO", date, { kind = "partner", provider = r.text(a, "PensioenUitvoerder", p),
      yearly_accrued = r.amount(a, "OpgebouwdBedrag", p) })
  end)
end

local function pension_facts(upo, path, date)
  local out = old_age_facts(upo, path, date)
  for _, f in ipairs(partner_facts(upo, path, date)) do out[#out + 1] = f end
  return list_or_nil(out)
end

-- {======================================================================
-- DUO: study debt
-- =======================================================================

-- DUO's scheme in the vocabulary's words: the loan system of 2015
-- ("studievoorschot") or the studiefinanciering before it.
local REGIME = { Studievoorschot = "SF15", Studiefinanciering = "pre-2015" }

-- The date is the one the balance is stated for (Peildatum), else the
-- retrieval day. A debt of zero is a fact ("no debt": "0.00"); an absent
-- DUO block is none. Interest and the means-tested monthly amount have no
-- vocabulary name.
local function study_loan_facts(duo, path, date)
  local scheme = r.text(duo, "Regeling", path)
  local loan = fact("DUO", r.date(duo, "Peildatum", path) or date, {
    debt = r.amount(duo, "Schuldsaldo", path),
    monthly = r.amount(duo, "WettelijkMaandbedrag", path),
    repayment_start = r.date(duo, "AflosfaseStart", path),
    regime = scheme and (REGIME[scheme] or "other"),
    remaining_months = r.integer(duo, "ResterendeLooptijdMaanden", path),
  })
  return loan and { loan } or nil
end

-- {======================================================================
-- decode: persons and the envelope
-- =======================================================================

local ROLES = { applicant = "aanvrager", aanvrager = "aanvrager", partner = "partner" }

-- Each block: its key, which is also the Sources code whose retrieval day
-- dates its facts; the block's own retrieval date, when it has one (for a
-- file without RetrievedAt); and the facts it gives.
local BLOCKS = {
  { key = "MOH", facts = function(b, p, date)
    return { identity = identity_fact(b, p, date), address = address_fact(b, p, date) }
  end },
  { key = "UWV", dated_by = "Downloaddatum", facts = function(b, p, date)
    return { employments = employment_facts(b, p, date) }
  end },
  { key = "UPO", facts = function(b, p, date)
    return { aow = aow_fact(b, p, date), pensions = pension_facts(b, p, date) }
  end },
  { key = "DUO", facts = function(b, p, date) return { study_loans = study_loan_facts(b, p, date) } end },
}

local function sources_of(p, path)
  return r.each_object(r.array(p, "Sources", path), at(path, "Sources"), function(s, sp)
    local code = r.text(s, "Code", sp)
    if not code then refuse(at(sp, "Code"), "missing") end
    local available = r.boolean(s, "Available", sp)
    if available == nil then available = true end   -- listed without a flag: collected
    return { code = code, product = r.text(s, "Product", sp), retrieved_at = r.datetime(s, "RetrievedAt", sp),
      available = available }
  end)
end

local function decode_person(p, path, collected_day)
  local person = {
    id = r.key_text(p, "PersonId", path, "^[%w][%w%-]*$"),   -- nil stays nil: never invented
    sources = sources_of(p, path),
    facts = {},
  }
  local role = r.text(p, "Role", path)
  person.role = role and ROLES[role:lower()] or nil   -- a hint: an unknown role is simply absent
  for _, b in ipairs(BLOCKS) do
    local block = r.object(p, b.key, path)
    if block then
      local bp = at(path, b.key)
      local own = b.dated_by and r.date(block, b.dated_by, bp)
      local date = retrieved_on(person.sources, b.key) or own or collected_day
      for k, v in pairs(b.facts(block, bp, date)) do person.facts[k] = v end
    end
  end
  -- What linking verifies against the AX, from BRP.
  local id = person.facts.identity
  if id then
    person.birth_date, person.surname, person.prefix, person.initials = id.birth_date, id.surname, id.prefix,
      id.initials
  end
  return person
end

-- A date, or a date-time reduced to UTC.
local function date_or_datetime(obj, key, path)
  local v = obj[key]
  if type(v) == "string" and v:find("T", 1, true) then return r.datetime(obj, key, path) end
  return r.date(obj, key, path)
end

local function envelope_of(doc)
  if not is_object(doc) then return nil end
  local env = doc.consumerData
  if is_null(env) then env = doc.ConsumerData end
  return env, doc.consumerData ~= nil and "consumerData" or "ConsumerData"
end

-- The data-file key: the envelope's JSON text in HDN's key order, base64.
local function key_of(env, path)
  local id = r.key_text(env, "Id", path, "^[%w][%w%-]*$")
  if not id then refuse(at(path, "Id"), "missing") end
  local odm = r.key_text(env, "OdmVersion", path, "^[%w][%w_%.]*$")
  if not odm then refuse(at(path, "OdmVersion"), "missing") end
  local list = r.array(env, "DataSources", path)
  if not list then refuse(at(path, "DataSources"), "missing") end
  local sources, quoted = {}, {}
  for i in ipairs(list) do
    local code = r.key_text(list, i, at(path, "DataSources"), "^[%w_]+$")
    if not code then refuse(at(at(path, "DataSources"), i), "missing") end
    sources[i] = code
    quoted[i] = '"' .. code .. '"'
  end
  -- Ids, versions and codes are refused above unless they are letters,
  -- digits, '-', '_' or '.', so no JSON escaping is needed here.
  local key_json = ('{"consumerData":{"DataSources":[%s],"Id":"%s","OdmVersion":"%s"}}')
    :format(table.concat(quoted, ","), id, odm)
  return common.base64(key_json), sources
end

local function decode_document(doc)
  if not is_object(doc) or (next(doc) ~= nil and is_array(doc)) then refuse("(root)", "JSON object expected") end
  local env, path = envelope_of(doc)
  if is_null(env) then refuse("consumerData", "missing") end
  if not is_object(env) then refuse(path, "object expected") end
  local id, sources = key_of(env, path)
  local persons = r.array(env, "Persons", path)
  if not persons or #persons == 0 then refuse(at(path, "Persons"), "at least one person expected") end
  local collected_at = r.datetime(env, "CollectedAt", path)
  local valid_until = date_or_datetime(env, "ConsentValidUntil", path)
  local collected_day = collected_at and collected_at:sub(1, 10)
  return {
    id = id,
    supplier = "02 Ockto",
    format = NAME,
    collected_at = collected_at,
    valid_until = valid_until,
    sources = sources,
    persons = r.each_object(persons, at(path, "Persons"), function(p, pp)
      return decode_person(p, pp, collected_day)
    end),
  }
end

-- {======================================================================
-- The format's detect and decode
-- =======================================================================

--- True when the bytes are an Ockto-style JSON object: a top-level
-- `consumerData` (or `ConsumerData`) object with `Id` and `OdmVersion`.
-- Cheap first: a leading `{` and the envelope's name in the first 64 KiB;
-- files up to 8 MiB are then decoded to be sure (an iWize file, with its
-- top-level `uuid` and `{val, meta}` values, has no such envelope). Larger
-- files are claimed on the markers alone and decode refuses them cleanly
-- if they are not ours.
-- @param bytes the file's content
-- @return boolean
function format.detect(bytes)
  if type(bytes) ~= "string" then return false end
  local head = common.strip_bom(bytes:sub(1, DETECT_HEAD))
  if not head:match("^%s*{") then return false end
  if not (head:find('"consumerData"%s*:') or head:find('"ConsumerData"%s*:')) then return false end
  if #bytes > DETECT_DECODE_MAX then return true end
  local doc = common.json.decode(common.strip_bom(bytes))
  local env = envelope_of(doc)
  return is_object(env) and type(env.Id) == "string" and type(env.OdmVersion) == "string"
end

--- Decodes one Ockto-style file into a delivery (DESIGN 4.1) whose persons
-- carry their facts (DESIGN 7.2) on `person.facts`.
-- Refusals read `AXL-C20 ockto-json: <field path>: <what is wrong>` and
-- never quote a value.
-- @param bytes the file's content
-- @return delivery, or nil and a message
function format.decode(bytes)
  if type(bytes) ~= "string" then return nil, ("AXL-C20 %s: input: string expected"):format(NAME) end
  if #bytes > MAX_BYTES then return nil, ("AXL-C20 %s: file larger than 64 MiB"):format(NAME) end
  bytes = common.strip_bom(bytes)
  if not bytes:match("^%s*{") then return nil, ("AXL-C20 %s: (root): JSON object expected"):format(NAME) end
  local doc, err = common.json.decode(bytes)
  if doc == nil then
    -- cjson names the token kind and a position, never the text; we keep
    -- only the position.
    local where = type(err) == "string" and err:match("character (%d+)")
    return nil, ("AXL-C20 %s: not valid JSON%s"):format(NAME, where and (" (near byte " .. where .. ")") or "")
  end
  return common.protect(decode_document, doc)
end

--- Standard padded base64, as used for the data-file key (exposed for
-- tests; not part of the format contract).
-- @function _base64
format._base64 = common.base64

return format
