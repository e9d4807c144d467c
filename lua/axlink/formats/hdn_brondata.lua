--- The built-in CDL format `hdn-brondata-xml`: HDN brondata answers.
--
-- A lender that asked a CDL for brondata with a BronAanvraagBericht gets the
-- answers back one message per product: BasisRegistratiePersonenBericht
-- (BRP), LoondienstInkomstenBericht (UWV verzekeringsbericht),
-- PensioenOverzichtBericht (Mijnpensioenoverzicht) and StudieLeningBericht
-- (DUO). `decode` reads one answer; `join` merges the answers of one data
-- file into one delivery; `fill` maps the facts onto the AX (doc/mapping.md).
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
-- and every element name inside a person entry (Voornamen, Adres,
-- Dienstbetrekking/Periode/SVLoon, AOW/OpgebouwdSamenwonend,
-- Pensioenregeling, Schuldsaldo, OphaalDt, ToestemmingEindDt, ...), which are
-- INVENTED here in HDN's style (PascalCase Dutch, Volgnummer on repeating
-- entities, "code omschrijving" values) after the sources' public
-- vocabularies. They live in this file only, so that a real schema can
-- replace them in one place. examples/data/brondata-README.md says the same.
--
-- No BSN enters a delivery: decode drops every element whose name says BSN
-- (BRP answers carry a Burgerservicenummer) and, as a second net, any value
-- of nine digits that passes the BSN eleven-test, wherever it stands.
-- @module axlink.formats.hdn_brondata

local values = require "axlink.values"

local NAME = "hdn-brondata-xml"

local M = {
  name = NAME,
  description = "HDN brondata answers (BRP, UWV, Mijnpensioenoverzicht, DUO), one XML message per product; "
    .. "inner field names modelled, not official",
}

-- The four answers this format reads, keyed by root element (public names). `entity` is the
-- per-person element under Product; `source` the short code used in
-- delivery.sources and as the provenance source; `key` the name of the
-- product's facts in person.data; `rank` the merge order (BRP first, as it
-- is the one that names the person); `date` the field holding the date the
-- facts hold for (provenance), OphaalDt when it is missing; `product` the
-- SoortProduct used when the answer names none: "26 Basis Registratie
-- Personen" is public, 27, 28 and 29 are ASSUMED (HDN's code list is not).
local PRODUCTS = {
  BasisRegistratiePersonenBericht = { entity = "BasisRegistratiePersonen", source = "BRP", key = "brp", rank = 1,
    date = "OphaalDt", product = "26 Basis Registratie Personen" },
  LoondienstInkomstenBericht = { entity = "LoondienstInkomsten", source = "UWV", key = "loondienst", rank = 2,
    date = "DownloadDt", product = "27 Loondienst Inkomsten" },
  PensioenOverzichtBericht = { entity = "PensioenOverzicht", source = "MPO", key = "pensioen", rank = 3,
    date = "StandPerDt", product = "28 Pensioen Overzicht" },
  StudieLeningBericht = { entity = "StudieLening", source = "DUO", key = "studielening", rank = 4,
    date = "PeilDt", product = "29 Studie Lening" },
}
local BY_SOURCE = {}
for root, p in pairs(PRODUCTS) do
  p.root = root
  BY_SOURCE[p.source] = p
end

-- Elements inside a product entry that may repeat. totable makes an
-- element an array only when it carries a Volgnummer or occurs twice, so a
-- sender that omits the Volgnummer on a single one would otherwise change
-- the shape of person.data.
local REPEATING = { Adres = true, Dienstbetrekking = true, Periode = true, Pensioenregeling = true, Kind = true }

--- Code values the fill writes or proposes. A host replaces entries here
-- (`format.codes.aow = ...`) or per call with `opts.codes`; entries marked
-- INVENTED are not from an HDN code list.
M.codes = {
  aow = "09 AOW",                                         -- Uitkering/SoortUitkering (DESIGN 7.3)
  studielening = "12 Studielening",                       -- Verplichtingen/SoortVerplichting (DESIGN 7.3)
  studielening_geen = "02 Ja, maar geen sprake van een studielening",  -- as in examples/data/aanvraag.xml
  studielening_wel = "03 Ja, er is sprake van een studielening",       -- INVENTED
  ouderdomspensioen = "01",   -- code of SoortPensioen for old-age pension in the (INVENTED) PensioenOverzicht
  melding_ok = "01",          -- SysteemMelding/MeldingSoort "01 Verzoek is met succes verwerkt" (public)
}

-- {======================================================================
-- Small helpers
-- =======================================================================

local function basename(path)
  return type(path) == "string" and path:match("([^/]+)$") or "input"
end

-- An element's text: a string, or the [1] of a text element with attributes;
-- nil for an empty one (HDN forbids empty fields, so it says nothing).
local function text(v)
  if type(v) == "table" then v = v[1] end
  if type(v) ~= "string" or v:match("^%s*$") then return nil end
  return v
end

local list = values.list

local function code_of(v)
  v = text(v)
  if not v then return nil end
  return (values.code(v))
end

local function complete_date(v)
  v = text(v)
  if not v or not v:match("^%d%d%d%d%-%d%d%-%d%d$") then return nil end
  if v:sub(1, 4) == "0000" or v:sub(6, 7) == "00" or v:sub(9, 10) == "00" then return nil end
  return v
end

-- A date as BRP may give it (unknown parts as 00), for verification only.
local function any_date(v)
  v = text(v)
  if v and v:match("^%d%d%d%d%-%d%d%-%d%d$") then return v end
  return nil
end

-- The BSN eleven-test ("elfproef"): 9 digits, weights 9..2 and -1.
local function elfproef(s)
  if not s:match("^%d%d%d%d%d%d%d%d%d$") then return false end
  local sum = 0
  for i = 1, 8 do sum = sum + (10 - i) * tonumber(s:sub(i, i)) end
  sum = sum - tonumber(s:sub(9, 9))
  return sum % 11 == 0 and s ~= "000000000"
end

local function bsn_name(k)
  local l = k:lower():gsub("[%s%-_%.]", "")
  return l:find("bsn", 1, true) or l:find("burgerservicenummer", 1, true) or l:find("sofinummer", 1, true)
end

-- A copy of a parsed entry for person.data: BSN fields and BSN-like values
-- dropped, repeating entities as arrays. totable's tables are plain, but a
-- copy keeps the delivery independent of the parsed message.
local function clean(v)
  if type(v) == "string" then
    if elfproef(v) then return nil end
    return v
  end
  if type(v) ~= "table" then return nil end
  local out = {}
  for k, x in pairs(v) do
    if type(k) == "number" then
      out[k] = clean(x)
    elseif not bsn_name(k) then
      local c = clean(x)
      if REPEATING[k] and type(c) == "table" then c = list(c) end
      out[k] = c
    end
  end
  return out
end

-- Integer cents of an amount string ("1874.20"), or nil. Sums are made in
-- cents so that no binary float ever stands between two decimal amounts.
local function cents(v)
  v = text(v)
  if not v then return nil end
  local a = values.amount(v)
  if not a then return nil end
  local sign, int, frac = a:match("^(%-?)(%d+)%.(%d%d)$")
  local c = tonumber(int) * 100 + tonumber(frac)
  return sign == "-" and -c or c
end

-- The code tables for one call: format.codes, then opts.codes over them.
local function codes_for(opts)
  local c = {}
  for k, v in pairs(M.codes) do c[k] = v end
  for k, v in pairs(type(opts.codes) == "table" and opts.codes or {}) do c[k] = v end
  return c
end

local function from_cents(c)
  local sign = c < 0 and "-" or ""
  c = math.abs(c)
  return values.amount(("%s%d.%02d"):format(sign, c // 100, c % 100))
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
  local head = bytes:sub(1, 4096):gsub("^\239\187\191", "")
  if not head:match("^%s*<") then return false end
  local root = head:gsub("<!%-%-.-%-%->", ""):match("<([%a_][%w_%.%-]*)")
  return root ~= nil and PRODUCTS[root] ~= nil
end

-- {======================================================================
-- decode
-- =======================================================================

local function refuse(path, what)
  return nil, ("AXL-C20 %s: %s"):format(path, what)
end

-- A key goes into the AX as it is, and a key with surrounding whitespace or
-- a line break breaks the rules there (AXL-R06): refused here, not trimmed,
-- because the lender sends it back to the CDL byte for byte.
local BAD_KEY = "leading or trailing whitespace or a line break"
local function clean_key(k)
  return not (k:match("^%s") or k:match("%s$") or k:find("[\r\n]"))
end

-- Person fields a product can vouch for, for verification (DESIGN 4.1).
local function identity(product, entry)
  if product.source == "BRP" then
    return {
      birth_date = any_date(entry.GeboorteDt),
      initials = text(entry.Voorletters),
      surname = text(entry.Geslachtsnaam),
      prefix = text(entry.Voorvoegsel),
    }
  elseif product.source == "MPO" then
    -- Mijnpensioenoverzicht shows the birth date, not the name.
    return { birth_date = any_date(entry.GeboorteDt) }
  end
  return {}
end

--- Reads one brondata answer into a delivery with one entry per person.
-- The delivery carries `id` (Dataleverancier/DataleverancierID), `supplier`
-- (ExterneBron/DataleverancierNaam), `collected_at` (the latest OphaalDt),
-- `valid_until` (Dataleverancier/ToestemmingEindDt), `sources` (one code:
-- BRP, UWV, MPO or DUO) and per person `id` (PersoonsID), what the product
-- tells about who it is, one entry in `sources` (its `product` from
-- ExterneBron/SoortProduct, else Bron/SoortProduct), and the product's facts
-- in `data[brp|loondienst|pensioen|studielening]`, without any BSN. Person
-- entries are read under Product and under Bron (see the module comment).
-- @param bytes the file's content
-- @param path the file's path (its basename names the message in errors)
-- @param opts optional: codes (overrides format.codes)
-- @return delivery, or nil, message (AXL-C20 naming the element path, or
--   the parser's AXL-P message)
function M.decode(bytes, path, opts)
  -- Required here, not at load time: axlink (the public module) requires
  -- axlink.cdl, which requires this file; keeping the C module out of the
  -- load path keeps that chain free of cycles.
  local core = require "axlink.core"
  -- <close> frees the parsed document as soon as its tables are taken.
  local msg <close>, err, info = core.parse(bytes, { name = basename(path) })
  if not msg then return nil, err, info end
  local ok_code = codes_for(opts or {}).melding_ok
  local root = msg:root()
  local product = PRODUCTS[root]
  if not product then
    return refuse("/" .. root, "not a brondata answer this format reads")
  end
  local t = msg:totable()
  local base = "/" .. root

  local melding = type(t.SysteemMelding) == "table" and list(t.SysteemMelding)[1]
  if melding and code_of(melding.MeldingSoort) ~= ok_code then
    return refuse(base .. "/SysteemMelding/MeldingSoort", "the answer reports no success")
  end

  local id, supplier, valid_until
  for i, dl in ipairs(list(t.Dataleverancier)) do
    local key = text(dl.DataleverancierID)
    local where = ("%s/Dataleverancier[%d]"):format(base, i)
    if key == nil then return refuse(where .. "/DataleverancierID", "missing or empty") end
    if not clean_key(key) then return refuse(where .. "/DataleverancierID", BAD_KEY) end
    if id and key ~= id then return refuse(where .. "/DataleverancierID", "differs within one answer") end
    id = key
    if dl.ToestemmingEindDt ~= nil then
      valid_until = complete_date(dl.ToestemmingEindDt)
      if not valid_until then return refuse(where .. "/ToestemmingEindDt", "not a complete date") end
    end
  end
  if not id then return refuse(base .. "/Dataleverancier/DataleverancierID", "missing") end
  -- The source and product: ExterneBron as in the request (ASSUMED to be
  -- repeated), or Bron {BronNaam, SoortProduct} as in HDN's public answer.
  local externe, bron = list(t.ExterneBron), list(t.Bron)
  for _, eb in ipairs(externe) do
    supplier = supplier or text(eb.DataleverancierNaam)
  end
  local product_code = text((externe[1] or {}).SoortProduct) or text((bron[1] or {}).SoortProduct)
    or product.product

  local delivery = {
    id = id, supplier = supplier, format = NAME, valid_until = valid_until,
    sources = { product.source }, persons = {},
  }
  -- Person entries under Product (ASSUMED, as in the request) and under
  -- Bron (ASSUMED, where the public answer holds its product's content).
  local holders = {}
  for pi, prod in ipairs(list(t.Product)) do holders[#holders + 1] = { ("%s/Product[%d]"):format(base, pi), prod } end
  for bi, b in ipairs(bron) do holders[#holders + 1] = { ("%s/Bron[%d]"):format(base, bi), b } end
  local seen = {}
  for _, h in ipairs(holders) do
    local at, prod = h[1], h[2]
    if type(prod) ~= "table" then return refuse(at, "not an entity") end
    for ei, entry in ipairs(list(prod[product.entity])) do
      local where = ("%s/%s[%d]"):format(at, product.entity, ei)
      if type(entry) ~= "table" then return refuse(where, "not an entity") end
      local pid = text(entry.PersoonsID)
      if pid == nil then return refuse(where .. "/PersoonsID", "missing or empty") end
      if not clean_key(pid) then return refuse(where .. "/PersoonsID", BAD_KEY) end
      if seen[pid] then return refuse(where .. "/PersoonsID", "the same person twice in one answer") end
      seen[pid] = true
      local retrieved = complete_date(entry.OphaalDt)
      if entry.OphaalDt ~= nil and not retrieved then return refuse(where .. "/OphaalDt", "not a complete date") end
      if retrieved and (not delivery.collected_at or retrieved > delivery.collected_at) then
        delivery.collected_at = retrieved
      end
      local data = clean(entry)
      data.PersoonsID, data.Volgnummer = nil, nil
      local person = identity(product, entry)
      person.id = pid
      person.sources = { { code = product.source, product = product_code, retrieved_at = retrieved,
        available = true } }
      person.data = { [product.key] = data }
      delivery.persons[#delivery.persons + 1] = person
    end
  end
  if #delivery.persons == 0 then
    return refuse(("%s/Product/%s"):format(base, product.entity), "no person in the answer")
  end
  return delivery
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
-- `data` and `sources` combined. The result does not depend on the order
-- of the files: answers are merged BRP, UWV, MPO, DUO.
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
        into = { id = person.id, sources = {}, data = {} }
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
      for k, v in pairs(person.data or {}) do into.data[k] = v end
    end
  end
  return out
end

-- {======================================================================
-- fill
-- =======================================================================

local HOUSEHOLD = { couple = "Samenwonend", samenwonend = "Samenwonend", single = "Alleenstaand",
  alleenstaand = "Alleenstaand" }
local BASIS = { accrued = "Opgebouwd", opgebouwd = "Opgebouwd", reachable = "TeBereiken", te_bereiken = "TeBereiken" }


local function meta(p, data, kind)
  return { source = p.source, source_date = any_date(data[p.date]) or any_date(data.OphaalDt), kind = kind or "copied" }
end

local function fill_brp(ctx, brp)
  local m = meta(BY_SOURCE.BRP, brp)
  -- Names and initials only as BRP gives them: initials are never derived
  -- from the first names (Th, IJ and Chr are the person's own choice).
  ctx:set("PartijNAWData", "VoorNamen", text(brp.Voornamen), m)
  ctx:set("PartijNAWData", "VoorLetters", text(brp.Voorletters), m)
  ctx:set("PartijNAWData", "GeboorteTussenvoegsels", text(brp.Voorvoegsel), m)
  ctx:set("PartijNAWData", "GeboorteAchternaam", text(brp.Geslachtsnaam), m)
  -- A partial BRP birth date (00 for an unknown part) is good for matching,
  -- never for the AX.
  ctx:set("PartijNAWData", "GeboorteDt", complete_date(brp.GeboorteDt), m)

  -- The current address: the one flagged current, else the latest one that
  -- has not ended. Address lines of an older address are never mixed in.
  local current
  for _, a in ipairs(list(brp.Adres)) do
    if values.jn(text(a.HuidigAdresJN)) == true then current = a break end
    if a.EindDt == nil and values.jn(text(a.HuidigAdresJN)) == nil
      and (not current or (text(a.IngangsDt) or "") > (text(current.IngangsDt) or "")) then
      current = a
    end
  end
  if current then
    local postcode = text(current.Postcode)
    -- A Dutch postcode is written as HDN writes it: 1234AB, no space.
    if postcode and postcode:match("^%d%d%d%d%s*%a%a$") then postcode = postcode:gsub("%s", ""):upper() end
    ctx:set("PartijNAWData", "StraatNaam", text(current.StraatNaam), m)
    ctx:set("PartijNAWData", "HuisNr", text(current.HuisNr), m)
    ctx:set("PartijNAWData", "HuisNrToevoeging", text(current.HuisNrToevoeging), m)
    ctx:set("PartijNAWData", "Postcode", postcode, m)
    ctx:set("PartijNAWData", "PlaatsNaam", text(current.PlaatsNaam), m)
    ctx:set("PartijNAWData", "Land", text(current.Land), m)
  end
  -- BRP knows the civil state but not the marital property regime the AX
  -- code list asks for: the adviser chooses (never filled automatically).
  local staat = text(brp.BurgerlijkeStaat)
  if staat then
    ctx:propose("Hypotheekgever", "BurgerlijkeStaat", staat, m,
      "BRP gives the civil state, not the property regime; never filled automatically")
  end
end

-- The 12 months before the download date, as the VZB shows them.
local function year_before(date)
  local y, rest = date:match("^(%d%d%d%d)(%-%d%d%-%d%d)$")
  return y and ("%04d%s"):format(tonumber(y) - 1, rest)
end

local function fill_loondienst(ctx, uwv)
  local m = meta(BY_SOURCE.UWV, uwv)
  local ref = any_date(uwv.DownloadDt) or any_date(uwv.OphaalDt)
  local from = ref and year_before(ref)
  for _, db in ipairs(list(uwv.Dienstbetrekking)) do
    local ended = any_date(db.EindDt)
    if not ended or (ref and ended >= ref) then
      -- Income from a verzekeringsbericht is never an AX income entity:
      -- Dienstbetrekking needs the employer's statement and
      -- InkomensbepalingLoondienst the signed IBL result. ctx:entity turns
      -- both into proposals; one call per field keeps their order fixed.
      ctx:entity("Dienstbetrekking", {}, { IngangsDt = complete_date(db.IngangsDt) }, m)
      local sum, n = 0, 0
      for _, per in ipairs(list(db.Periode)) do
        local e, c = any_date(per.EindDt), cents(per.SVLoon)
        if c and e and (not from or e > from) then sum, n = sum + c, n + 1 end
      end
      if n > 0 then
        ctx:entity("Dienstbetrekking", {}, { BrutoJaarSalaris = from_cents(sum) },
          { source = m.source, source_date = m.source_date, kind = "derived" })
      end
    end
  end
  local toets = text(uwv.Toetsinkomen) or (type(uwv.Toetsinkomen) == "table" and text(uwv.Toetsinkomen.Bedrag))
  if toets and values.amount(toets) then
    -- No official_ibl: a figure inside a brondata answer is not the signed
    -- result of the IBL tool, so this stays a proposal.
    ctx:entity("InkomensbepalingLoondienst", {}, { Toetsinkomen = values.amount(toets) }, m)
  end
end

local function fill_aow(ctx, aow, m, codes, opts)
  local household = HOUSEHOLD[opts.household]
  -- AOW builds up by residence: "te bereiken" is what the SVB will pay if
  -- the person stays, and for someone already drawing AOW both are equal.
  local basis = BASIS[opts.pension_basis] or "TeBereiken"
  local full
  local pct = text(aow.OpbouwPct)
  if pct and tonumber(pct) then full = values.JN(tonumber(pct) >= 100) end
  local start = complete_date(aow.IngangsDt)
  if not household then
    -- The amount depends on the household after the purchase, which only
    -- the adviser knows: offer both.
    for _, h in ipairs { { "Samenwonend", "couple" }, { "Alleenstaand", "single" } } do
      local c = cents(aow[basis .. h[1]])
      if c then
        ctx:propose("Hypotheekgever", "Inkomsten/Uitkering/BrutoJaarUitkering", from_cents(c), m,
          ("AOW %s: set opts.household = \"%s\" to fill"):format(h[1]:lower(), h[2]))
      end
    end
    return
  end
  local c = cents(aow[basis .. household])
  if not c then return end
  local key = { SoortUitkering = codes.aow }
  ctx:entity("Uitkering", key, { BrutoJaarUitkering = from_cents(c), IngangsDt = start }, m)
  if full then
    ctx:entity("Uitkering", key, { AOWVolledigeOpbouwJN = full },
      { source = m.source, source_date = m.source_date, kind = "derived" })
  end
end

local function fill_pensioen(ctx, mpo, codes, opts)
  local m = meta(BY_SOURCE.MPO, mpo)
  if type(mpo.AOW) == "table" then fill_aow(ctx, mpo.AOW, m, codes, opts) end
  -- Old-age pension only (partner pension is not income), grouped by start
  -- date: one Pensioen entity per date, keyed by IngangsDtPensioen, holding
  -- the sum of the regelingen that start then. The AX has no field for the
  -- provider, so one entity per regeling could not be found again.
  local groups, dates = {}, {}
  for _, r in ipairs(list(mpo.Pensioenregeling)) do
    if code_of(r.SoortPensioen) == codes.ouderdomspensioen then
      local d = complete_date(r.IngangsDt) or ""
      if not groups[d] then
        groups[d] = { n = 0, Opgebouwd = 0, TeBereiken = 0, years = text(r.VanLeeftijdJaren),
          months = text(r.VanLeeftijdMaanden) }
        dates[#dates + 1] = d
      end
      local g = groups[d]
      g.n = g.n + 1
      for _, b in ipairs { "Opgebouwd", "TeBereiken" } do
        local c = cents(r[b])
        if c and g[b] then g[b] = g[b] + c else g[b] = nil end
      end
    end
  end
  table.sort(dates)
  local basis = BASIS[opts.pension_basis]
  for _, d in ipairs(dates) do
    local g = groups[d]
    if not basis or d == "" then
      -- Accrued or reachable is lender policy (and a regeling without a
      -- start date cannot be placed): offer both.
      for _, b in ipairs { "Opgebouwd", "TeBereiken" } do
        if g[b] then
          ctx:propose("Hypotheekgever", "Inkomsten/Pensioen/PensioenInkomen", from_cents(g[b]), m,
            ("pension %s%s: set opts.pension_basis = \"%s\" to fill"):format(b == "Opgebouwd" and "accrued" or
              "reachable", d ~= "" and "" or " (no start date)", b == "Opgebouwd" and "accrued" or "reachable"))
        end
      end
    elseif g[basis] then
      local key = { IngangsDtPensioen = d }
      ctx:entity("Pensioen", key, { PensioenInkomen = from_cents(g[basis]) },
        { source = m.source, source_date = m.source_date, kind = g.n > 1 and "derived" or "copied" })
      -- PensioenLeeftijd holds whole years; a start at 66 years and 4
      -- months has no faithful value there, so it is left out.
      if g.years and g.years:match("^%d+$") and (g.months == nil or g.months:match("^0+$")) then
        ctx:entity("Pensioen", key, { PensioenLeeftijd = g.years }, m)
      end
    end
  end
end

local function fill_studielening(ctx, duo, codes)
  local m = meta(BY_SOURCE.DUO, duo)
  local debt = cents(duo.Schuldsaldo)
  local has = values.jn(text(duo.StudieschuldJN))
  if has == nil then has = debt ~= nil and debt > 0 end
  if not has then
    -- "No loan" is never filled automatically (DESIGN 7.3): DUO's answer
    -- does not cover loans elsewhere (abroad, private).
    ctx:propose("Hypotheekgever", "StudieleningInventarisatie", codes.studielening_geen, m,
      "DUO reports no study debt; never filled automatically")
    return
  end
  if not debt then return end
  -- The statutory monthly amount, empty before repayment starts; no lender
  -- factor applied (lenders apply their own).
  local started = complete_date(duo.AanvangAflosfaseDt)
  local peil = any_date(duo.PeilDt) or any_date(duo.OphaalDt)
  local monthly = started and peil and started <= peil and cents(duo.WettelijkMaandbedrag)
  local months = text(duo.ResterendeLooptijdMnd)
  ctx:entity("Verplichtingen", { SoortVerplichting = codes.studielening }, {
    VerplichtingBedrag = from_cents(debt),
    MaandBedrag = monthly and from_cents(monthly) or nil,
    VerplichtingInMnd = months and months:match("^%d+$") and tostring(math.tointeger(tonumber(months))) or nil,
  }, m)
  ctx:propose("Hypotheekgever", "StudieleningInventarisatie", codes.studielening_wel, m,
    "DUO reports a study debt; the inventory answer is the adviser's")
end

--- Maps one verified person's brondata onto the AX through ctx (axlink.fill
-- decides what is really written). Writes: names and initials as BRP gives
-- them, a complete birth date and the current address into PartijNAWData;
-- AOW into Inkomsten/Uitkering "09 AOW" with opts.household ("couple" or
-- "single"); old-age pension into Inkomsten/Pensioen with opts.pension_basis
-- ("accrued" or "reachable"); DUO debt into Verplichtingen "12
-- Studielening". Proposes only: BurgerlijkeStaat, StudieleningInventarisatie,
-- AOW and pension without their option, and everything from the UWV answer
-- (Dienstbetrekking, InkomensbepalingLoondienst).
-- @param ctx the fill context (axlink.fill)
-- @param person the delivery's person
-- @param delivery the delivery (unused: everything is per person)
-- @param opts household, pension_basis, codes (overrides format.codes)
function M.fill(ctx, person, delivery, opts) -- luacheck: ignore delivery
  opts = opts or {}
  local data = person.data or {}
  local codes = codes_for(opts)
  if type(data.brp) == "table" then fill_brp(ctx, data.brp) end
  if type(data.loondienst) == "table" then fill_loondienst(ctx, data.loondienst) end
  if type(data.pensioen) == "table" then fill_pensioen(ctx, data.pensioen, codes, opts) end
  if type(data.studielening) == "table" then fill_studielening(ctx, data.studielening, codes) end
end

return M
