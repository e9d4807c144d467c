--- The built-in CDL format `iwize-json`: an iWize-style JSON data file.
-- It decodes only (DESIGN 7.1): the person's facts go on `person.facts` in
-- the shared vocabulary (DESIGN 7.2); `axlink.mapping` turns them into AX.
--
-- No CDL publishes its native format. This one is modelled on the only public
-- example of iWize-style data, a non-HDN export (deondraijer25/FINSAVE-APP
-- `example.json`; see research/cdl-formats.md, section 2 and "Optional Format
-- C"), so it is a faithful *shape*, not a specification:
--
--     {
--       "uuid": "3b9e6f2a-...",                       -- the data file's key
--       "persoonsgegevens": {
--         "aanvrager": {
--           "geslachtsnaam": { "val": "Boer", "meta": { "bron": "moh", "datum": "27-01-2025" } },
--           ...
--         },
--         "adressen": { "val": [ { "straat": ..., "huidig": true } ], "meta": { ... } }
--       },
--       "pensioenen": { ... }, "schulden": { ... }, "inkomens": { ... }, ...
--     }
--
-- Every value is wrapped as `{ "val": ..., "meta": { "bron", "datum" } }` with
-- `bron` one of moh (MijnOverheid), mbd (MijnBelastingdienst), uwv, mpo
-- (Mijnpensioenoverzicht), duo, and `datum` (the retrieval date) as
-- dd-mm-yyyy; a fact's `source` is the register behind its `bron` and its
-- `date` that retrieval date. One file holds one person and carries **no
-- person key**: the consumer's journey tells the host whose file it is, so
-- the host passes the key it got elsewhere as
-- `axlink.cdl.read(path, { person_id = "..." })`. Without it the person's
-- `id` is nil and `msg:link` refuses (AXL-L05): axlink never invents a key.
--
-- Five fields are this project's extension of the public shape, because the
-- example's `studieschuld` lacks what DUO supplies for a mortgage (research
-- 3.3): `wettelijkMaandbedrag`, `resterendeLooptijdInMaanden`,
-- `rentepercentage` (not read: the vocabulary has no name for it),
-- `startdatumAflosfase` and `regeling`; so is an address's own `landcode`.
--
-- `decode` reads only the fields it knows, so a BSN (a key named bsn,
-- burgerservicenummer, sofinummer, ... wherever it sits) never enters the
-- delivery; nor do identity documents and bank account numbers, which the
-- vocabulary has no name for, nor e-mail, civil state, partner, children,
-- possessions, employers or tax data. Refusals name the field's path, never
-- its value.
-- @module axlink.formats.iwize

local common = require "axlink.formats.common"

local NAME = "iwize-json"
local r = common.reader(NAME)
local refuse = r.refuse
local at, is_null, is_object = common.at, common.is_null, common.is_object

-- A real file is well under a megabyte (five years of UWV slips included);
-- the bound keeps a hostile file from costing memory twice (detect, decode).
local MAX_BYTES = 16 * 1024 * 1024

local format = {
  name = NAME,
  description = "iWize-style JSON, one person per file, values wrapped as {val, meta{bron, datum}}, no person "
    .. "key (pass opts.person_id); modelled on a public non-HDN export, not on an iWize specification",
  -- HDN's DataleverancierNaam code list is members-only: "02 Ockto" is public,
  -- iWize's code is not. A plain label rather than a made-up code; a host that
  -- knows the code sets it here (never written into the AX by default).
  supplier = "iWize",
}

-- The sources a `bron` can name: the code axlink puts in `sources` (the
-- file's own word, upper-cased, as Ockto's DataSources are), the register a
-- fact from it names as its `source`, and what the source delivers.
local BRON = {
  moh = { code = "MOH", register = "BRP", product = "MijnOverheid: BRP persoonsgegevens" },
  mbd = { code = "MBD", register = "BD", product = "MijnBelastingdienst: vooraf ingevulde aangifte" },
  uwv = { code = "UWV", register = "UWV", product = "UWV: verzekeringsbericht" },
  mpo = { code = "MPO", register = "MPO", product = "Mijnpensioenoverzicht" },
  duo = { code = "DUO", register = "DUO", product = "DUO: studieschuld" },
}
local BRON_ORDER = { "moh", "mbd", "uwv", "mpo", "duo" }

-- {======================================================================
-- iWize's words in the vocabulary's
-- =======================================================================

-- Countries by their Dutch name (`geboorteland`, for a file without
-- `geboortelandCode`) and nationalities by BRP's adjective (`nationaliteit`),
-- to ISO 3166-1 alpha-2. "Nederland" and "Nederlandse" are in the public
-- example; the other spellings are *assumed* (iWize's are not public). A
-- word without an entry is left out, never guessed.
local COUNTRY_NAME = {
  nederland = "NL", ["belgië"] = "BE", duitsland = "DE", frankrijk = "FR", ["verenigd koninkrijk"] = "GB",
  spanje = "ES", ["italië"] = "IT", polen = "PL", turkije = "TR", marokko = "MA", suriname = "SR",
  ["indonesië"] = "ID",
}
local NATIONALITY = {
  nederlandse = "NL", belgische = "BE", duitse = "DE", franse = "FR", britse = "GB", spaanse = "ES",
  italiaanse = "IT", poolse = "PL", turkse = "TR", marokkaanse = "MA", surinaamse = "SR", indonesische = "ID",
}

-- "Man" and "Vrouw" are in the public example; "Onbekend" (BRP's O) is
-- *assumed*. Any other word is left out.
local GENDER = { man = "male", vrouw = "female", onbekend = "unknown" }

-- DUO's scheme (the project's `regeling` extension) in the vocabulary's
-- words: the loan system of 2015 or the studiefinanciering before it; the
-- same words as the ockto-json format's modelled shape.
local REGIME = { studievoorschot = "SF15", studiefinanciering = "pre-2015" }

-- An ISO alpha-2 code as written ("NL", "nl"), else the word through
-- `names`; nil when neither fits (BRP's own four-digit codes included).
local function iso_country(word, names)
  if not word then return nil end
  if word:match("^%a%a$") then return word:upper() end
  return names[word:lower()]
end

-- Letters only ("IJ.W." -> "IJW"), as HDN writes VoorLetters and as linking
-- compares them; nil when BRP gave none.
local function initials_of(text)
  if not text then return nil end
  local letters = text:gsub("[%s%.]", "")
  return letters ~= "" and letters or nil
end

-- BRP writes 9721TB; "9721 TB" and lower case are normalised to that,
-- anything else (a foreign postcode) is kept as given.
local function postcode_of(text)
  if not text then return nil end
  local digits, letters = text:upper():match("^(%d%d%d%d)%s?(%u%u)$")
  return digits and digits .. letters or text
end

-- {======================================================================
-- Typed access to iWize's own shapes
-- =======================================================================

-- A dd-mm-yyyy date as ISO; partial_ok allows BRP's unknown parts (00).
local function dutch_date(obj, key, path, partial_ok)
  local v = obj[key]
  if is_null(v) or v == "" then return nil end
  local d, m, y
  if type(v) == "string" then d, m, y = v:match("^(%d%d)%-(%d%d)%-(%d%d%d%d)$") end
  local iso = d and ("%s-%s-%s"):format(y, m, d)
  if not iso or not common.valid_date(iso, partial_ok) then refuse(at(path, key), "dd-mm-yyyy date expected") end
  return iso
end

-- Is t a {val, meta} wrapper? Only these two keys, and a meta table.
local function is_wrapper(t)
  if type(t) ~= "table" or type(t.meta) ~= "table" then return false end
  for k in pairs(t) do
    if k ~= "val" and k ~= "meta" then return false end
  end
  return true
end

-- The wrapper at obj[key] (nil when absent) and its path.
local function wrapped(obj, key, path)
  local p = at(path, key)
  local w = obj and obj[key]
  if is_null(w) then return nil, p end
  if not is_wrapper(w) then refuse(p, "a {val, meta} object expected") end
  return w, p
end

-- The register and the retrieval day of a wrapper (its meta was checked by
-- `survey` before any fact is read).
local function stamp(w)
  local b = BRON[w.meta.bron]
  local d, m, y = w.meta.datum:match("^(%d%d)%-(%d%d)%-(%d%d%d%d)$")
  return b and b.register or w.meta.bron:upper(), ("%s-%s-%s"):format(y, m, d)
end

-- A top-level section of the file (nil when absent).
local function section(data, key)
  local v = data[key]
  if is_null(v) then return nil end
  if not is_object(v) then refuse(key, "object expected") end
  return v
end

-- A fact from a wrapper's register and date, or nil when it says nothing
-- (a fact of only `source` and `date` tells nothing).
local function fact(w, fields)
  if next(fields) == nil then return nil end
  fields.source, fields.date = stamp(w)
  return fields
end

-- Calls f(item, item_path) for each object of a list; a null element is
-- skipped as an absent one.
local function each_object(list, path, f)
  for i, item in ipairs(list or {}) do
    if not is_null(item) then
      local p = at(path, i)
      if not is_object(item) then refuse(p, "object expected") end
      f(item, p)
    end
  end
end

-- {======================================================================
-- persoonsgegevens (BRP via MijnOverheid): identity and the current address
-- =======================================================================

local PERSON = "persoonsgegevens.aanvrager"

-- The person's wrapped fields, read and typed. The fact's register is the
-- first field's, its date the latest retrieval among them.
local function identity_fact(a)
  local fields, source, date = {}, nil, nil
  local function get(key, read, ...)
    local w, p = wrapped(a, key, PERSON)
    if not w then return nil end
    local v = read(w, "val", p, ...)
    if v ~= nil then
      local s, d = stamp(w)
      source = source or s
      if not date or d > date then date = d end
    end
    return v
  end
  fields.first_names = get("voornamen", r.text)
  fields.initials = initials_of(get("initialen", r.text))
  fields.prefix = get("voorvoegselsGeslachtsnaam", r.text)
  fields.surname = get("geslachtsnaam", r.text)
  fields.birth_date = get("geboortedatum", dutch_date, true)
  local gender = get("geslacht", r.text)
  fields.gender = gender and GENDER[gender:lower()]
  fields.birth_place = get("geboorteplaats", r.text)
  local code, name = get("geboortelandCode", r.text), get("geboorteland", r.text)
  fields.birth_country = iso_country(code, {}) or iso_country(name, COUNTRY_NAME)
  local nationality = iso_country(get("nationaliteit", r.text), NATIONALITY)
  fields.nationalities = nationality and { nationality } or nil
  if next(fields) == nil then return nil end
  fields.source, fields.date = source, date
  return fields
end

-- A house number as digits ("31"); some exports write it as a JSON number.
-- Text with more than digits in it is left out: BRP keeps letter and
-- addition apart, and this format does not guess where they split.
local function house_number(a, p)
  local v = a.huisnummer
  if math.type(v) == "float" then v = math.tointeger(v) or v end
  if math.type(v) == "integer" and v > 0 then return tostring(v) end
  if type(v) == "number" then refuse(at(p, "huisnummer"), "house number expected") end
  local text = r.text(a, "huisnummer", p)
  return text and text:match("^%d+$") and text or nil
end

-- Exactly one address flagged `huidig`; none or two are ambiguous and give
-- no address fact. Every address is checked, the current one kept.
local function current_address(list, path)
  local current, count = nil, 0
  each_object(list, path, function(a, p)
    local address = {
      street = r.text(a, "straat", p),
      number = house_number(a, p),
      letter = r.text(a, "huisletter", p),
      addition = r.text(a, "huisnummerToevoeging", p),
      postcode = postcode_of(r.text(a, "postcode", p)),
      city = r.text(a, "woonplaatsnaam", p),
      country = iso_country(r.text(a, "landcode", p), COUNTRY_NAME),
      -- BRP may write a partial date here; only a complete one is a fact.
      since = common.complete_date(dutch_date(a, "vanafDatum", p, true)),
    }
    if r.boolean(a, "huidig", p) then
      current, count = address, count + 1
    end
  end)
  if count ~= 1 then return nil end
  return current
end

-- The current address. Its country is the address's own `landcode` (the
-- project's extension), else the person's `landcode`, which the public
-- example has next to the birth country and nationality: *assumed* to be the
-- country of residence.
local function address_fact(pg, person_country)
  local w, p = wrapped(pg, "adressen", "persoonsgegevens")
  if not w then return nil end
  local current = current_address(r.array(w, "val", p), at(p, "val"))
  if not current then return nil end
  current.country = current.country or person_country
  return fact(w, current)
end

-- Identity and address facts, and the joined name ("de Boer"), which is
-- read for verification only: it is no vocabulary name.
local function person_facts(data, facts)
  local pg = section(data, "persoonsgegevens")
  if not pg then return nil end
  local a = r.object(pg, "aanvrager", "persoonsgegevens")
  local country, joined_name
  if a then
    facts.identity = identity_fact(a)
    local w, p = wrapped(a, "achternaam", PERSON)
    joined_name = w and r.text(w, "val", p)
    w, p = wrapped(a, "landcode", PERSON)
    country = w and iso_country(r.text(w, "val", p), COUNTRY_NAME)
  end
  facts.address = address_fact(pg, country)
  return joined_name
end

-- {======================================================================
-- pensioenen (Mijnpensioenoverzicht): AOW and old-age pensions
-- =======================================================================

local AOW_AMOUNTS = { "opgebouwdSamenwonend", "teBereikenSamenwonend", "opgebouwdAlleenstaand",
  "teBereikenAlleenstaand", "uitkeringSamenwonend", "uitkeringAlleenstaand" }

-- A block's AOW amounts, all checked. The vocabulary's amounts are the ones
-- reached at the AOW start ("te bereiken"); once AOW is paid, the amount in
-- payment ("uitkering") stands in when the reached one is absent.
local function aow_amounts(aow, p)
  local v = {}
  for _, key in ipairs(AOW_AMOUNTS) do v[key] = r.amount(aow, key, p) end
  return {
    yearly_single = v.teBereikenAlleenstaand or v.uitkeringAlleenstaand,
    yearly_couple = v.teBereikenSamenwonend or v.uitkeringSamenwonend,
  }
end

local function age_of(obj, years_key, months_key, path)
  local years, months = r.integer(obj, years_key, path), r.integer(obj, months_key, path)
  if years == nil then return nil end
  return { years = years, months = months or 0 }
end

-- An age block: from (a date, else an age) until death or until (a date,
-- else an age). A block that is not lifelong may still give neither.
local function block_of(b, p)
  local block = {
    start = dutch_date(b, "vanafDatum", p),
    from = age_of(b, "vanafLeeftijdJaren", "vanafLeeftijdMaanden", p),
    lifelong = r.boolean(b, "totOverlijden", p) == true,
    ["end"] = dutch_date(b, "totDatum", p),
    to = age_of(b, "totLeeftijdJaren", "totLeeftijdMaanden", p),
  }
  if block.lifelong then block["end"], block.to = nil, nil end
  return block
end

-- The three lists a block holds arrangements in; the indicative ones are
-- marked as such.
local LISTS = { { key = "pensioenen" }, { key = "pensioenenIndicatief", indicative = true },
  { key = "pensioenUitkeringen" } }

-- MPO lists old-age pension in age blocks (in age order, as the public
-- example has them), each with every arrangement paying in it, so one
-- arrangement (by herkenningsNummer; the n-th time a number occurs in a
-- block pairs with its n-th time in the others) appears in several blocks:
-- it becomes one entry that starts with its first block and ends with its
-- last (lifelong when any of its blocks runs until death), with the amounts
-- of that last block. An arrangement without a number is an entry of its own.
-- The first block with AOW amounts gives them.
local function read_blocks(blocks, path)
  local entries, order, amounts = {}, {}, nil
  each_object(blocks, path, function(b, p)
    local block, seen = block_of(b, p), {}
    local aow = r.object(b, "aow", p)
    if aow and not amounts then amounts = aow_amounts(aow, at(p, "aow")) end
    for _, list in ipairs(LISTS) do
      local lp = at(p, list.key)
      each_object(r.array(b, list.key, p), lp, function(a, ap)
        local arrangement = {
          id = r.text(a, "herkenningsNummer", ap),
          provider = r.text(a, "pensioenUitvoerder", ap),
          accrued = r.amount(a, "opgebouwd", ap),
          prospective = r.amount(a, "teBereiken", ap),
          indicative = list.indicative,
        }
        local key
        if arrangement.id then
          seen[arrangement.id] = (seen[arrangement.id] or 0) + 1
          key = arrangement.id .. "\0" .. seen[arrangement.id]
        end
        local e = key and entries[key]
        if not e then
          e = { first = block }
          if key then entries[key] = e end
          order[#order + 1] = e
        end
        e.last, e.arrangement, e.lifelong = block, arrangement, e.lifelong or block.lifelong
      end)
    end
  end)
  return order, amounts
end

-- One fact per arrangement. An entry that is not lifelong and whose last
-- block gives no end is left out: without an end it would read as lifelong.
local function pension_facts(w, entries)
  local out = {}
  for _, e in ipairs(entries) do
    local a, first, last = e.arrangement, e.first, e.last
    local fields = {
      provider = a.provider, kind = "old_age", id = a.id,
      start = first.start, start_age = not first.start and first.from or nil,
      yearly_accrued = a.accrued, yearly_prospective = a.prospective, indicative = a.indicative,
    }
    if not e.lifelong then
      fields["end"], fields.end_age = last["end"], not last["end"] and last.to or nil
    end
    if e.lifelong or fields["end"] or fields.end_age then out[#out + 1] = fact(w, fields) end
  end
  return out[1] and out or nil
end

-- `algemeen` gives the AOW date and the years of reduction (living abroad):
-- none means a full build-up.
local function general_of(pe)
  local w, p = wrapped(pe, "algemeen", "pensioenen")
  if not w then return nil end
  local alg = r.object(w, "val", p)
  if not alg then return nil end
  local vp = at(p, "val")
  local shortfall = r.number(alg, "aowKortingsjaren", vp)
  if shortfall and shortfall < 0 then refuse(at(vp, "aowKortingsjaren"), "a non-negative number expected") end
  local full
  if shortfall ~= nil then full = shortfall == 0 end
  return { wrapper = w, aow_start = dutch_date(alg, "aowDatum", vp), full_accrual = full }
end

local function pension_overview(data, facts)
  local pe = section(data, "pensioenen")
  if not pe then return end
  local general = general_of(pe)
  local details = r.object(pe, "pensioenDetails", "pensioenen")
  local w, p = wrapped(details, "ouderdomPensioenDetails", "pensioenen.pensioenDetails")
  local blocks = w and r.array(w, "val", p)
  local amounts
  if blocks then
    local entries
    entries, amounts = read_blocks(blocks, at(p, "val"))
    facts.pensions = pension_facts(w, entries)
  end
  -- The AOW fact is dated by the amounts' retrieval, else by `algemeen`'s.
  local dated_by = (amounts and w) or (general and general.wrapper)
  if not dated_by then return end
  local aow = amounts or {}
  aow.start = general and general.aow_start
  aow.full_accrual = general and general.full_accrual
  facts.aow = fact(dated_by, aow)
end

-- {======================================================================
-- schulden (DUO) and inkomens (UWV)
-- =======================================================================

-- DUO's study debt. A debt of zero is a fact ("no debt": "0.00"); an absent
-- block is none. `beginstand` and `startdatum` (of the studies) have no
-- vocabulary name.
local function study_loan_facts(data, facts)
  local s = section(data, "schulden")
  local w, p = wrapped(s, "studieschuld", "schulden")
  local duo = w and r.object(w, "val", p)
  if not duo then return end
  local vp = at(p, "val")
  local scheme = r.text(duo, "regeling", vp)
  local loan = fact(w, {
    debt = r.amount(duo, "huidigeStand", vp),
    monthly = r.amount(duo, "wettelijkMaandbedrag", vp),
    repayment_start = dutch_date(duo, "startdatumAflosfase", vp),
    regime = scheme and (REGIME[scheme:lower()] or "other"),
    remaining_months = r.integer(duo, "resterendeLooptijdInMaanden", vp),
  })
  facts.study_loans = loan and { loan } or nil
end

-- UWV's toetsinkomen with the validity of the UWV signature. Nothing in
-- the file says it is the official IBL tool's result, so `official` is not
-- set: the mapping proposes it, never fills it.
local function income_facts(data, facts)
  local ink = section(data, "inkomens")
  local w, p = wrapped(ink, "toetsinkomen", "inkomens")
  local t = w and r.object(w, "val", p)
  if not t then return end
  local vp = at(p, "val")
  facts.income_statement = fact(w, {
    yearly = r.amount(t, "toetsinkomen", vp),
    signed = r.boolean(t, "signatureGeldig", vp),
  })
end

-- {======================================================================
-- The whole file: parse, survey, key
-- =======================================================================

local function parse(bytes)
  if #bytes > MAX_BYTES then refuse("(file)", "larger than 16 MiB") end
  local t, err = common.json.decode(common.strip_bom(bytes))   -- a UTF-8 BOM: Windows exports
  if t == nil then
    -- cjson names the token kind and position, never the text; keep the position only.
    local pos = type(err) == "string" and err:match("at character (%d+)")
    refuse("(file)", "not valid JSON" .. (pos and (" (at character " .. pos .. ")") or ""))
  end
  if not is_object(t) or next(t) == nil then refuse("(file)", "a JSON object expected") end
  return t
end

local function meta_of(meta, path)
  if type(meta.bron) ~= "string" or not meta.bron:match("^%l+$") or #meta.bron > 32 then
    refuse(path .. ".meta.bron", "a source code (moh, mbd, uwv, mpo, duo) expected")
  end
  if not dutch_date(meta, "datum", path .. ".meta") then refuse(path .. ".meta.datum", "dd-mm-yyyy date expected") end
end

-- Walks the whole tree but BSN-named fields and top-level comments ("_..."):
-- checks every wrapper's meta and collects, per bron, the latest retrieval
-- date. Keys are visited in sorted order so that the first refusal is the
-- same in every run.
local function survey(t, path, seen)
  if is_wrapper(t) then
    meta_of(t.meta, path)
    local _, date = stamp(t)
    seen.count = seen.count + 1
    local bron = t.meta.bron
    if not seen.dates[bron] or seen.dates[bron] < date then seen.dates[bron] = date end
    t = { val = t.val }   -- values inside a wrapper may hold wrappers too; meta is done
  end
  local keys = {}
  for k, v in pairs(t) do
    if type(v) == "table" and not common.names_bsn(k) and not (path == "" and type(k) == "string" and
        k:sub(1, 1) == "_") then
      keys[#keys + 1] = k
    end
  end
  table.sort(keys, function(a, b)
    if type(a) == type(b) then return a < b end
    return type(a) == "number"
  end)
  for _, k in ipairs(keys) do
    local sub = math.type(k) == "integer" and ("%s[%d]"):format(path, k) or (path == "" and k or path .. "." .. k)
    survey(t[k], sub, seen)
  end
end

-- The person's sources: the file's own bron codes in a fixed order, each
-- with the latest day it was retrieved (one file is one person, so the
-- person's sources are the file's); and the latest of those days, the
-- closest honest answer to "collected at", as the file carries no stamp.
local function sources_of(dates)
  local names, rank = {}, {}
  for b in pairs(dates) do names[#names + 1] = b end
  for i, b in ipairs(BRON_ORDER) do rank[b] = i end
  table.sort(names, function(a, b)
    local ra, rb = rank[a] or math.huge, rank[b] or math.huge
    if ra ~= rb then return ra < rb end
    return a < b
  end)
  local codes, sources, collected = {}, {}, nil
  for _, b in ipairs(names) do
    local info = BRON[b]
    local code = info and info.code or b:upper()
    codes[#codes + 1] = code
    sources[#sources + 1] = { code = code, product = info and info.product, retrieved_at = dates[b],
      available = true }
    if not collected or collected < dates[b] then collected = dates[b] end
  end
  return codes, sources, collected
end

-- A key with blanks at its ends or a line break breaks rule AXL-R06 after
-- linking; refusing it here names the culprit.
local function bad_key(k)
  return k:find("%c") or k:match("^%s") or k:match("%s$") or #k > 256
end

local function check_opts(opts)
  local pid = opts.person_id
  if pid ~= nil and (type(pid) ~= "string" or pid == "" or bad_key(pid)) then
    refuse("opts.person_id", "a non-empty string without spaces at its ends or control characters expected")
  end
  if opts.role ~= nil and opts.role ~= "aanvrager" and opts.role ~= "partner" then
    refuse("opts.role", '"aanvrager" or "partner" expected')
  end
end

local function file_key(t)
  if t.consumerData ~= nil then refuse("consumerData", "an Ockto-style envelope, not an iWize-style file") end
  if type(t.uuid) ~= "string" or t.uuid == "" then refuse("uuid", "a non-empty string expected") end
  if bad_key(t.uuid) then refuse("uuid", "a key without spaces at its ends or control characters expected") end
  return t.uuid
end

local function decode_file(bytes, opts)
  check_opts(opts)
  local t = parse(bytes)
  local id = file_key(t)
  local seen = { count = 0, dates = {} }
  survey(t, "", seen)
  if seen.count == 0 then refuse("(file)", "no {val, meta} values: not an iWize-style file") end
  local facts = {}
  local joined_name = person_facts(t, facts)
  pension_overview(t, facts)
  study_loan_facts(t, facts)
  income_facts(t, facts)
  local codes, sources, collected = sources_of(seen.dates)
  local identity = facts.identity or {}
  local surname = identity.surname
  -- Only the joined name ("de Boer"): better than none for verification.
  if not surname and not identity.prefix then surname = joined_name end
  return {
    id = id,
    supplier = format.supplier,
    format = NAME,
    collected_at = collected,
    sources = codes,
    persons = { {
      id = opts.person_id,
      role = opts.role,
      birth_date = identity.birth_date,
      initials = identity.initials,
      surname = surname,
      prefix = identity.prefix,
      sources = sources,
      facts = facts,
    } },
  }
end

-- {======================================================================
-- detect and decode
-- =======================================================================

-- Is there a {val, meta{bron}} object anywhere? (detect's question; whether
-- its meta is right is decode's, which names the field.)
local function has_wrapper(t)
  if type(t.meta) == "table" and t.meta.bron ~= nil then return true end
  for _, v in pairs(t) do
    if type(v) == "table" and has_wrapper(v) then return true end
  end
  return false
end

--- Ours when the content is a JSON object with a top-level `uuid` and
-- {val, meta{bron, datum}}-wrapped values. Plain searches first, so that
-- XML, an Ockto envelope (`consumerData`) or unrelated JSON costs no decode.
-- A file that carries every mark but is not valid JSON (truncated, say) is
-- claimed too, so that decode can say what is wrong with it instead of
-- "no format recognises this file".
-- @param bytes the file's content
-- @return boolean
function format.detect(bytes)
  if type(bytes) ~= "string" or #bytes > MAX_BYTES then return false end
  if not bytes:match("^\239\187\191%s*{") and not bytes:match("^%s*{") then return false end
  for _, s in ipairs { '"uuid"', '"val"', '"meta"', '"bron"' } do
    if not bytes:find(s, 1, true) then return false end
  end
  if bytes:find('"consumerData"', 1, true) then return false end
  local ok, t = pcall(parse, bytes)
  if not ok then return true end
  return t.uuid ~= nil and t.consumerData == nil and has_wrapper(t)
end

--- Decodes an iWize-style file into a delivery (DESIGN 4.1) whose one
-- person carries the facts (DESIGN 7.2) on `person.facts`: identity and the
-- current address (BRP), AOW and old-age pensions (MPO), study debt (DUO)
-- and UWV's toetsinkomen as an income statement.
-- @param bytes the file's content
-- @param path the file's path (unused: the content decides)
-- @param opts optional: person_id (the CDL's person key, which the host got
--   outside the file; never invented), role ("aanvrager" or "partner", a hint)
-- @return delivery, or nil, "AXL-C20 iwize-json: <field path>: <what>"
function format.decode(bytes, _, opts)
  if type(bytes) ~= "string" then return nil, ("AXL-C20 %s: (file): bytes expected"):format(NAME) end
  return common.protect(decode_file, bytes, opts or {})
end

return format
