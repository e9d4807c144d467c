--- The built-in CDL format `iwize-json`: an iWize-style JSON data file.
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
-- dd-mm-yyyy. One file holds one person and carries **no person key**: the
-- consumer's journey tells the host whose file it is, so the host passes the
-- key it got elsewhere as `axlink.cdl.read(path, { person_id = "..." })`.
-- Without it the person's `id` is nil and `msg:link` refuses (AXL-L05):
-- axlink never invents a key.
--
-- Three fields are this project's extension of the public shape, because the
-- example's `studieschuld` lacks what DUO supplies for a mortgage (research
-- 3.3): `wettelijkMaandbedrag`, `resterendeLooptijdInMaanden`,
-- `rentepercentage`.
--
-- Any BSN (a key named bsn, burgerservicenummer, sofinummer, ...) is dropped
-- while decoding, wherever it sits, before anything else looks at the data.
-- Errors name the field's path, never its value.
-- @module axlink.formats.iwize

local cjson = require "cjson.safe"
local values = require "axlink.values"

local amount = values.amount
local math_type = math.type
local sort = table.sort

-- Our own decoder instance: the shared cjson.safe settings belong to whoever
-- else uses it, and we want strict numbers (no NaN, Infinity or hex, which a
-- real export never contains) and a depth bound far above the real one (~8).
local json = cjson.new()
json.decode_invalid_numbers(false)
json.decode_max_depth(100)

-- A real file is well under a megabyte (five years of UWV slips included);
-- the bound keeps a hostile file from costing memory twice (detect, decode).
local MAX_BYTES = 16 * 1024 * 1024

-- The sources a `bron` can name: the code axlink puts in `sources` (the
-- file's own word, upper-cased, as Ockto's DataSources are), the label a
-- change's provenance carries, and what the source delivers.
local BRON = {
  moh = { code = "MOH", label = "BRP", product = "MijnOverheid: BRP persoonsgegevens" },
  mbd = { code = "MBD", label = "Belastingdienst", product = "MijnBelastingdienst: vooraf ingevulde aangifte" },
  uwv = { code = "UWV", label = "UWV", product = "UWV: verzekeringsbericht" },
  mpo = { code = "MPO", label = "MPO", product = "Mijnpensioenoverzicht" },
  duo = { code = "DUO", label = "DUO", product = "DUO: studieschuld" },
}
local BRON_ORDER = { "moh", "mbd", "uwv", "mpo", "duo" }

local format = {
  name = "iwize-json",
  description = "iWize-style JSON, one person per file, values wrapped as {val, meta{bron, datum}}, no person "
    .. "key (pass opts.person_id); modelled on a public non-HDN export, not on an iWize specification",
  -- HDN's DataleverancierNaam code list is members-only: "02 Ockto" is public,
  -- iWize's code is not. A plain label rather than a made-up code; a host that
  -- knows the code sets it here (never written into the AX by default).
  supplier = "iWize",
}

-- Code tables from the CDL's words to HDN "code omschrijving" values. Only
-- "NL Nederland" is seen in HDN's public sample; the rest are plausible
-- stand-ins (ISO 3166 codes, as the older datacatalogus' LandType has). A
-- host replaces or extends any table here, or per call through `opts.codes`
-- (merged over these entry by entry). A value without an entry is proposed,
-- never guessed.
format.codes = {
  -- ISO 3166 alpha-2 (iWize `geboortelandCode`, `landcode`) to HDN LandType.
  land = {
    NL = "NL Nederland", BE = "BE België", DE = "DE Duitsland", FR = "FR Frankrijk",
    GB = "GB Verenigd Koninkrijk", ES = "ES Spanje", IT = "IT Italië", PL = "PL Polen",
    TR = "TR Turkije", MA = "MA Marokko", SR = "SR Suriname", ID = "ID Indonesië",
  },
  -- BRP nationality wording (adjective) to the LandType value HDN's
  -- Nationaliteit uses in the public sample ("NL Nederland").
  nationaliteit = {
    Nederlandse = "NL Nederland", ["Belgische"] = "BE België", Duitse = "DE Duitsland",
    Franse = "FR Frankrijk", Britse = "GB Verenigd Koninkrijk", Spaanse = "ES Spanje",
    Italiaanse = "IT Italië", Poolse = "PL Polen", Turkse = "TR Turkije", Marokkaanse = "MA Marokko",
    Surinaamse = "SR Suriname",
  },
  -- Assumed HDN codes for Geslacht (not in the public sample): proposed only.
  geslacht = { Man = "01 Man", Vrouw = "02 Vrouw" },
  -- iWize `soortDocument` to LegitimatieSoort ("PP Paspoort" and
  -- "ID Identiteitskaart" as the example AX uses them): proposed only.
  legitimatie = { paspoort = "PP Paspoort", idKaart = "ID Identiteitskaart", rijbewijs = "RB Rijbewijs" },
}

-- {======================================================================
-- Small helpers
-- =======================================================================

local function fail(path, what)
  return nil, ("AXL-C20 iwize-json: %s: %s"):format(path, what)
end

local function is_array(t)
  if type(t) ~= "table" then return false end
  local n = 0
  for k in pairs(t) do
    if math_type(k) ~= "integer" or k < 1 then return false end
    n = n + 1
  end
  return n == #t
end

local function is_object(t)
  if type(t) ~= "table" then return false end
  return next(t) == nil or not is_array(t)
end

local DAYS = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }

--- Converts a dd-mm-yyyy date to ISO yyyy-mm-dd.
-- BRP allows unknown parts (00) in birth dates only: `partial` says whether
-- they are allowed here. The day is checked against the month's length.
-- @return the ISO date, or nil
local function iso_date(s, partial)
  if type(s) ~= "string" then return nil end
  local d, m, y = s:match("^(%d%d)%-(%d%d)%-(%d%d%d%d)$")
  if not d then return nil end
  local dn, mn, yn = tonumber(d), tonumber(m), tonumber(y)
  if yn == 0 or mn > 12 then return nil end
  if mn == 0 or dn == 0 then
    -- A known day in an unknown month is not a BRP partial date.
    if not partial or (mn == 0 and dn ~= 0) then return nil end
  else
    local leap = (yn % 4 == 0 and yn % 100 ~= 0) or yn % 400 == 0
    local max = (mn == 2 and leap) and 29 or DAYS[mn]
    if dn > max then return nil end
  end
  return ("%s-%s-%s"):format(y, m, d)
end

local function complete(date)
  return date and date:sub(6, 7) ~= "00" and date:sub(9, 10) ~= "00"
end

-- A field name that says BSN. Wider than axlink.cdl.scrub's list on purpose
-- ("bsnPartner", "partner_bsn"): this is the first line, scrub the safety net.
local function bsn_key(k)
  if type(k) ~= "string" then return false end
  local n = k:lower():gsub("[%s%-_%.]", "")
  return n:find("burgerservicenummer", 1, true) ~= nil or n:find("sofinummer", 1, true) ~= nil
    or n == "sofi" or n == "citizenservicenumber" or n:match("^bsn") ~= nil or n:match("bsn$") ~= nil
end

-- Drops every BSN-named field and every JSON null, in place, depth first.
-- Nulls go because "no value" is simply an absent field to every reader; a
-- null inside an array closes the gap so the array stays a sequence.
local function clean(t)
  local drop, n = {}, 0
  for k, v in pairs(t) do
    if bsn_key(k) or v == cjson.null then
      drop[#drop + 1] = k
    elseif type(v) == "table" then
      clean(v)
    end
    if math_type(k) == "integer" and k > n then n = k end
  end
  local holes = false
  for _, k in ipairs(drop) do
    t[k] = nil
    if math_type(k) == "integer" then holes = true end
  end
  if holes then
    local j = 0
    for i = 1, n do
      local v = t[i]
      t[i] = nil
      if v ~= nil then j = j + 1; t[j] = v end
    end
  end
end

-- {======================================================================
-- Wrapped values
-- =======================================================================

-- Is t a {val, meta} wrapper? Only these two keys, and a meta table.
local function is_wrapper(t)
  if type(t) ~= "table" or type(t.meta) ~= "table" then return false end
  for k in pairs(t) do
    if k ~= "val" and k ~= "meta" then return false end
  end
  return true
end

-- Checks a wrapper's meta.
local function check_meta(meta, path)
  if type(meta.bron) ~= "string" or not meta.bron:match("^%l+$") or #meta.bron > 32 then
    return fail(path .. ".meta.bron", "a source code (moh, mbd, uwv, mpo, duo) expected")
  end
  if not iso_date(meta.datum) then
    return fail(path .. ".meta.datum", "dd-mm-yyyy date expected")
  end
  return true
end

-- Walks the whole tree: checks every wrapper's meta and collects, per bron,
-- the latest retrieval date. Keys are visited in sorted order so that the
-- first error reported is the same in every run.
local function survey(t, path, seen)
  if is_wrapper(t) then
    local ok, err = check_meta(t.meta, path)
    if not ok then return nil, err end
    seen.count = seen.count + 1
    local date, dates = iso_date(t.meta.datum), seen.dates
    if not dates[t.meta.bron] or dates[t.meta.bron] < date then dates[t.meta.bron] = date end
    t = { val = t.val }   -- values inside a wrapper may hold wrappers too; meta is done
  end
  local keys = {}
  for k, v in pairs(t) do
    if type(v) == "table" then keys[#keys + 1] = k end
  end
  sort(keys, function(a, b)
    if type(a) == type(b) then return a < b end
    return type(a) == "number"
  end)
  for _, k in ipairs(keys) do
    local sub = math_type(k) == "integer" and ("%s[%d]"):format(path, k) or (path == "" and k or path .. "." .. k)
    local ok, err = survey(t[k], sub, seen)
    if not ok then return nil, err end
  end
  return true
end

-- Reads the wrapped value at `obj[key]`.
-- @return val, meta (both nil when absent), or false, error
local function wrapped(obj, key, path)
  local w = obj and obj[key]
  if w == nil then return nil end
  if not is_wrapper(w) then return false, select(2, fail(path, "a {val, meta} object expected")) end
  return w.val, w.meta
end

-- The typed readers below return the value (nil when absent) or false, err.

local function want_string(v, path)
  if v == nil then return nil end
  if type(v) ~= "string" then return false, select(2, fail(path, "string expected")) end
  if v == "" then return nil end
  return v
end

local function want_number(v, path, integer)
  if v == nil then return nil end
  if type(v) ~= "number" or v ~= v or v < 0 or v >= 1e12 then
    return false, select(2, fail(path, "a non-negative number expected"))
  end
  if integer and not math.tointeger(v) then return false, select(2, fail(path, "a whole number expected")) end
  return integer and math.tointeger(v) or v
end

local function want_boolean(v, path)
  if v == nil or type(v) == "boolean" then return v end
  return false, select(2, fail(path, "true or false expected"))
end

local function want_date(v, path, partial)
  if v == nil then return nil end
  local d = iso_date(v, partial)
  if not d then return false, select(2, fail(path, "dd-mm-yyyy date expected")) end
  return d
end

local function want_object(v, path)
  if v == nil then return nil end
  if not is_object(v) then return false, select(2, fail(path, "object expected")) end
  return v
end

local function want_array(v, path)
  if v == nil then return nil end
  if not is_array(v) then return false, select(2, fail(path, "array expected")) end
  return v
end

-- {======================================================================
-- Facts: what fill uses, typed and checked (decode runs this, so a bad
-- field is refused when the file is read, not half-way through a fill)
-- =======================================================================

-- The provenance of a wrapped value, for ctx (DESIGN 7.3).
local function provenance(meta, kind)
  local b = BRON[meta.bron]
  return { source = b and b.label or meta.bron:upper(), source_date = iso_date(meta.datum), kind = kind or "copied" }
end

-- A reader that stops at the first error: r(f, ...) returns f's value or
-- records the error; r.err holds it afterwards.
local function reader()
  return setmetatable({}, { __call = function(self, f, ...)
    if self.err then return nil end
    local a, b = f(...)
    if a == false and type(b) == "string" then
      self.err = b
      return nil
    end
    return a, b
  end })
end

local PERSON_FIELDS = {
  "voornamen", "initialen", "geslachtsnaam", "voorvoegselsGeslachtsnaam", "achternaam", "geslacht",
  "geboorteplaats", "geboorteland", "geboortelandCode", "nationaliteit", "bankrekeningnummer",
}

local function person_facts(r, pg, f)
  local path = "persoonsgegevens.aanvrager"
  local a = r(want_object, pg.aanvrager, path)
  if not a then return end
  for _, name in ipairs(PERSON_FIELDS) do
    local p = path .. "." .. name
    local val, meta = r(wrapped, a, name, p)
    if meta then
      local v = r(want_string, val, p .. ".val")
      if v then f[name] = { value = v, meta = meta } end
    end
  end
  local val, meta = r(wrapped, a, "geboortedatum", path .. ".geboortedatum")
  if meta then
    local d = r(want_date, val, path .. ".geboortedatum.val", true)
    if d then f.geboortedatum = { value = d, meta = meta } end
  end
end

local function address_facts(r, pg, f)
  local path = "persoonsgegevens.adressen"
  local val, meta = r(wrapped, pg, "adressen", path)
  local list = r(want_array, val, path .. ".val")
  if not list then return end
  f.adressen = { meta = meta }
  for i, a in ipairs(list) do
    local p = ("%s.val[%d]"):format(path, i)
    if not r(want_object, a, p) then return end
    local huisnummer = a.huisnummer
    if math_type(huisnummer) == "float" and math.tointeger(huisnummer) then
      huisnummer = tostring(math.tointeger(huisnummer))   -- some exports write the number as a number
    end
    f.adressen[i] = {
      straat = r(want_string, a.straat, p .. ".straat"),
      huisnummer = r(want_string, huisnummer, p .. ".huisnummer"),
      huisletter = r(want_string, a.huisletter, p .. ".huisletter"),
      toevoeging = r(want_string, a.huisnummerToevoeging, p .. ".huisnummerToevoeging"),
      postcode = r(want_string, a.postcode, p .. ".postcode"),
      woonplaats = r(want_string, a.woonplaatsnaam, p .. ".woonplaatsnaam"),
      landcode = r(want_string, a.landcode, p .. ".landcode"),
      vanaf = r(want_date, a.vanafDatum, p .. ".vanafDatum", true),
      huidig = r(want_boolean, a.huidig, p .. ".huidig"),
    }
  end
end

local function document_facts(r, pg, f)
  local path = "persoonsgegevens.identificatiedocumenten"
  local val, meta = r(wrapped, pg, "identificatiedocumenten", path)
  local list = r(want_array, val, path .. ".val")
  if not list then return end
  f.documenten = { meta = meta }
  for i, d in ipairs(list) do
    local p = ("%s.val[%d]"):format(path, i)
    if not r(want_object, d, p) then return end
    f.documenten[i] = {
      nummer = r(want_string, d.nummer, p .. ".nummer"),
      soort = r(want_string, d.soortDocument, p .. ".soortDocument"),
      geldig_tot = r(want_date, d.geldigTot, p .. ".geldigTot"),
      afgifte = r(want_date, d.afgifteDatum, p .. ".afgifteDatum"),
      geldig = r(want_boolean, d.geldigOpVergaarDatum, p .. ".geldigOpVergaarDatum"),
    }
  end
end

local PENSION_LISTS = { "pensioenen", "pensioenenIndicatief", "pensioenUitkeringen" }
local AOW_FIELDS = { "opgebouwdSamenwonend", "teBereikenSamenwonend", "opgebouwdAlleenstaand",
  "teBereikenAlleenstaand", "uitkeringSamenwonend", "uitkeringAlleenstaand" }

local function pension_facts(r, data, f)
  local pe = r(want_object, data.pensioenen, "pensioenen")
  if not pe then return end
  local val, meta = r(wrapped, pe, "algemeen", "pensioenen.algemeen")
  local alg = r(want_object, val, "pensioenen.algemeen.val")
  if alg then
    local p = "pensioenen.algemeen.val."
    f.algemeen = {
      meta = meta,
      aow_datum = r(want_date, alg.aowDatum, p .. "aowDatum"),
      pensioen_datum = r(want_date, alg.pensioenDatum, p .. "pensioenDatum"),
      kortingsjaren = r(want_number, alg.aowKortingsjaren, p .. "aowKortingsjaren"),
    }
  end
  local details = r(want_object, pe.pensioenDetails, "pensioenen.pensioenDetails")
  if not details then return end
  local path = "pensioenen.pensioenDetails.ouderdomPensioenDetails"
  val, meta = r(wrapped, details, "ouderdomPensioenDetails", path)
  local periods = r(want_array, val, path .. ".val")
  if not periods then return end
  f.perioden = { meta = meta }
  for i, per in ipairs(periods) do
    local p = ("%s.val[%d]"):format(path, i)
    if not r(want_object, per, p) then return end
    local period = {
      vanaf_jaren = r(want_number, per.vanafLeeftijdJaren, p .. ".vanafLeeftijdJaren", true),
      vanaf_maanden = r(want_number, per.vanafLeeftijdMaanden, p .. ".vanafLeeftijdMaanden", true),
      levenslang = r(want_boolean, per.totOverlijden, p .. ".totOverlijden"),
      regelingen = {},
    }
    for _, list_name in ipairs(PENSION_LISTS) do
      local list = r(want_array, per[list_name], p .. "." .. list_name)
      for j, reg in ipairs(list or {}) do
        local q = ("%s.%s[%d]"):format(p, list_name, j)
        if not r(want_object, reg, q) then return end
        period.regelingen[#period.regelingen + 1] = {
          uitvoerder = r(want_string, reg.pensioenUitvoerder, q .. ".pensioenUitvoerder"),
          opgebouwd = r(want_number, reg.opgebouwd, q .. ".opgebouwd"),
          te_bereiken = r(want_number, reg.teBereiken, q .. ".teBereiken"),
        }
      end
    end
    local aow = r(want_object, per.aow, p .. ".aow")
    if aow then
      period.aow = {}
      for _, name in ipairs(AOW_FIELDS) do
        period.aow[name] = r(want_number, aow[name], p .. ".aow." .. name)
      end
    end
    f.perioden[i] = period
  end
end

local function debt_facts(r, data, f)
  local s = r(want_object, data.schulden, "schulden")
  if not s then return end
  local path = "schulden.studieschuld"
  local val, meta = r(wrapped, s, "studieschuld", path)
  local duo = r(want_object, val, path .. ".val")
  if not duo then return end
  local p = path .. ".val."
  f.studieschuld = {
    meta = meta,
    stand = r(want_number, duo.huidigeStand, p .. "huidigeStand"),
    maandbedrag = r(want_number, duo.wettelijkMaandbedrag, p .. "wettelijkMaandbedrag"),
    looptijd = r(want_number, duo.resterendeLooptijdInMaanden, p .. "resterendeLooptijdInMaanden", true),
  }
end

local function income_facts(r, data, f)
  local ink = r(want_object, data.inkomens, "inkomens")
  if not ink then return end
  local path = "inkomens.toetsinkomen"
  local val, meta = r(wrapped, ink, "toetsinkomen", path)
  local t = r(want_object, val, path .. ".val")
  if not t then return end
  f.toetsinkomen = {
    meta = meta,
    bedrag = r(want_number, t.toetsinkomen, path .. ".val.toetsinkomen"),
    geldig = r(want_boolean, t.signatureGeldig, path .. ".val.signatureGeldig"),
  }
end

--- The typed facts fill uses, read from a decoded (and cleaned) tree.
-- @return facts, or nil, "AXL-C20 ..." naming the first bad field
local function facts(data)
  if type(data) ~= "table" then return fail("(data)", "object expected") end
  local r, f = reader(), {}
  local pg = r(want_object, data.persoonsgegevens, "persoonsgegevens")
  if pg then
    person_facts(r, pg, f)
    address_facts(r, pg, f)
    document_facts(r, pg, f)
  end
  pension_facts(r, data, f)
  debt_facts(r, data, f)
  income_facts(r, data, f)
  if r.err then return nil, r.err end
  return f
end

-- {======================================================================
-- detect and decode
-- =======================================================================

local function parse(bytes)
  if #bytes > MAX_BYTES then return fail("(file)", "larger than 16 MiB") end
  if bytes:sub(1, 3) == "\239\187\191" then bytes = bytes:sub(4) end   -- a UTF-8 BOM (Windows exports)
  local t, err = json.decode(bytes)
  if t == nil then
    -- cjson names the token kind and position, never the text; keep the position only.
    local at = type(err) == "string" and err:match("at character (%d+)")
    return fail("(file)", "not valid JSON" .. (at and (" (at character " .. at .. ")") or ""))
  end
  if not is_object(t) or next(t) == nil then return fail("(file)", "a JSON object expected") end
  return t
end

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
  local t = parse(bytes)
  if not t then return true end
  return t.uuid ~= nil and t.consumerData == nil and has_wrapper(t)
end

--- Decodes an iWize-style file into a delivery (DESIGN 4.1).
-- @param bytes the file's content
-- @param path the file's path (unused: the content decides)
-- @param opts optional: person_id (the CDL's person key, which the host got
--   outside the file; never invented), role ("aanvrager" or "partner", a hint)
-- @return delivery, or nil, "AXL-C20 iwize-json: <field path>: <what>"
function format.decode(bytes, _, opts)
  opts = opts or {}
  if type(bytes) ~= "string" then return fail("(file)", "bytes expected") end
  -- A key with blanks at its ends or a line break breaks rule AXL-R06 after
  -- linking; refusing it here names the culprit (the host's argument).
  local function bad_key(k)
    return k:find("%c") or k:match("^%s") or k:match("%s$") or #k > 256
  end
  local pid = opts.person_id
  if pid ~= nil and (type(pid) ~= "string" or pid == "" or bad_key(pid)) then
    return fail("opts.person_id", "a non-empty string without spaces at its ends or control characters expected")
  end
  if opts.role ~= nil and opts.role ~= "aanvrager" and opts.role ~= "partner" then
    return fail("opts.role", '"aanvrager" or "partner" expected')
  end
  local t, err = parse(bytes)
  if not t then return nil, err end
  if t.consumerData ~= nil then return fail("consumerData", "an Ockto-style envelope, not an iWize-style file") end
  if type(t.uuid) ~= "string" or t.uuid == "" then return fail("uuid", "a non-empty string expected") end
  if bad_key(t.uuid) then
    return fail("uuid", "a key without spaces at its ends or control characters expected")
  end
  local id = t.uuid
  -- What stays is the consumer's data: no file key (it is delivery.id), no
  -- comments (top-level "_..." keys), no BSN, no nulls.
  t.uuid = nil
  for k in pairs(t) do
    if type(k) == "string" and k:sub(1, 1) == "_" then t[k] = nil end
  end
  clean(t)
  local seen = { count = 0, dates = {} }
  local ok, serr = survey(t, "", seen)
  if not ok then return nil, serr end
  if seen.count == 0 then return fail("(file)", "no {val, meta} values: not an iWize-style file") end
  local f, ferr = facts(t)
  if not f then return nil, ferr end

  -- Sources: the file's own bron codes, in a fixed order, each with the
  -- latest date it was retrieved. One file is one person, so the person's
  -- sources are the file's.
  local codes, person_sources, collected = {}, {}, nil
  local names = {}
  local dates = seen.dates
  for b in pairs(dates) do names[#names + 1] = b end
  local rank = {}
  for i, b in ipairs(BRON_ORDER) do rank[b] = i end
  sort(names, function(a, b)
    local ra, rb = rank[a] or math.huge, rank[b] or math.huge
    if ra ~= rb then return ra < rb end
    return a < b
  end)
  for _, b in ipairs(names) do
    local info = BRON[b]
    codes[#codes + 1] = info and info.code or b:upper()
    person_sources[#person_sources + 1] = {
      code = info and info.code or b:upper(), product = info and info.product,
      retrieved_at = dates[b], available = true,
    }
    -- The file carries no collection stamp: the latest retrieval is the
    -- closest honest answer.
    if not collected or collected < dates[b] then collected = dates[b] end
  end

  local function v(name) return f[name] and f[name].value end
  local initials = v("initialen")
  -- "IJ.W." -> "IJW": HDN writes VoorLetters without dots (its sample: "V",
  -- the catalogus: "ThJC"); matching reads letters only anyway.
  if initials then
    initials = initials:gsub("[%.%s]", "")
    if initials == "" then initials = nil end
  end
  local surname, prefix = v("geslachtsnaam"), v("voorvoegselsGeslachtsnaam")
  if not surname and not prefix then surname = v("achternaam") end   -- only the joined name: better than none

  return {
    id = id,
    supplier = format.supplier,
    format = format.name,
    collected_at = collected,
    sources = codes,
    persons = { {
      id = opts.person_id,
      role = opts.role,
      birth_date = v("geboortedatum"),
      initials = initials,
      surname = surname,
      prefix = prefix,
      sources = person_sources,
      data = t,
    } },
  }
end

-- {======================================================================
-- fill
-- =======================================================================

-- format.codes with opts.codes merged over it, entry by entry.
local function code_tables(opts)
  local merged = {}
  for name, tbl in pairs(format.codes) do
    merged[name] = {}
    for k, val in pairs(tbl) do merged[name][k] = val end
  end
  if type(opts.codes) == "table" then
    for name, tbl in pairs(opts.codes) do
      if type(tbl) == "table" then
        merged[name] = merged[name] or {}
        for k, val in pairs(tbl) do merged[name][k] = val end
      end
    end
  end
  return merged
end

-- A country by ISO code, else by its name ("Nederland" matches "NL Nederland").
-- Codes in sorted order, so that a table with two equal names answers the
-- same in every run.
local function land(codes, code, name)
  if code and codes.land[code] then return codes.land[code] end
  if not name then return nil end
  local keys = {}
  for k in pairs(codes.land) do keys[#keys + 1] = tostring(k) end
  sort(keys)
  for _, k in ipairs(keys) do
    local val = codes.land[k]
    if type(val) == "string" and val:match("^%S+ (.*)$") == name then return val end
  end
end

local function fill_names(ctx, f, codes)
  local function copy(field, fact, value)
    if f[fact] then ctx:set("PartijNAWData", field, value or f[fact].value, provenance(f[fact].meta)) end
  end
  copy("VoorNamen", "voornamen")
  copy("GeboorteAchternaam", "geslachtsnaam")
  -- Only when the BRP has one: an absent voorvoegsel says nothing about the AX's.
  copy("GeboorteTussenvoegsels", "voorvoegselsGeslachtsnaam")
  if f.initialen then
    local letters = f.initialen.value:gsub("[%.%s]", "")
    if letters ~= "" then copy("VoorLetters", "initialen", letters) end
  end
  -- A partial BRP date is never completed by a guess.
  if f.geboortedatum and complete(f.geboortedatum.value) then copy("GeboorteDt", "geboortedatum") end
  copy("GeboortePlaats", "geboorteplaats")
  local c = f.geboortelandCode or f.geboorteland
  if c then
    local value = land(codes, f.geboortelandCode and f.geboortelandCode.value, f.geboorteland and f.geboorteland.value)
    if value then
      ctx:set("PartijNAWData", "GeboorteLand", value, provenance(c.meta))
    else
      ctx:propose("PartijNAWData", "GeboorteLand", c.value, provenance(c.meta), "no code for this country")
    end
  end
  if f.nationaliteit then
    local value = codes.nationaliteit[f.nationaliteit.value]
    if value then
      ctx:set("PartijNAWData", "Nationaliteit", value, provenance(f.nationaliteit.meta))
    else
      ctx:propose("PartijNAWData", "Nationaliteit", f.nationaliteit.value, provenance(f.nationaliteit.meta),
        "no code for this nationality")
    end
  end
  -- HDN's Geslacht codes are not public: a proposal, so nothing unverified
  -- reaches a lender's schema.
  if f.geslacht then
    ctx:propose("PartijNAWData", "Geslacht", codes.geslacht[f.geslacht.value] or f.geslacht.value,
      provenance(f.geslacht.meta), "HDN code for Geslacht assumed")
  end
end

local function fill_address(ctx, f, codes)
  if not f.adressen then return end
  local current
  for _, a in ipairs(f.adressen) do
    if a.huidig then
      if current then return end   -- two "current" addresses: no guessing which
      current = a
    end
  end
  if not current then return end
  local meta = provenance(f.adressen.meta)
  local postcode = current.postcode and current.postcode:gsub("%s", ""):upper()
  local country
  if current.landcode then
    country = codes.land[current.landcode]
  elseif postcode and postcode:match("^[1-9]%d%d%d[A-Z][A-Z]$") then
    country = codes.land.NL   -- a BRP address with a Dutch postcode lies in the Netherlands
  end
  if not country then
    -- A foreign or RNI address that cannot be mapped: none of it is written.
    ctx:propose("PartijNAWData", "Land", current.landcode, meta, "address abroad without a code: not filled")
    return
  end
  local toevoeging = current.huisletter
  if current.toevoeging then toevoeging = (toevoeging and toevoeging .. " " or "") .. current.toevoeging end
  ctx:set("PartijNAWData", "StraatNaam", current.straat, meta)
  ctx:set("PartijNAWData", "HuisNr", current.huisnummer, meta)
  ctx:set("PartijNAWData", "HuisNrToevoeging", toevoeging, meta)
  ctx:set("PartijNAWData", "Postcode", postcode, meta)
  ctx:set("PartijNAWData", "PlaatsNaam", current.woonplaats, meta)
  ctx:set("PartijNAWData", "Land", country, provenance(f.adressen.meta, current.landcode and "copied" or "derived"))
end

-- Identification rests on the document actually shown (Wwft): proposals only.
local function propose_documents(ctx, f, codes)
  if not f.documenten then return end
  local meta = provenance(f.documenten.meta)
  for _, d in ipairs(f.documenten) do
    if d.geldig and d.nummer then
      local why = "identification rests on the document shown"
      ctx:propose("Hypotheekgever", "Identificatie/LegitimatieSoort", d.soort and codes.legitimatie[d.soort] or d.soort,
        meta, why)
      ctx:propose("Hypotheekgever", "Identificatie/LegitimatieNr", d.nummer, meta, why)
      if d.afgifte then ctx:propose("Hypotheekgever", "Identificatie/LegitimatieAfgifteDt", d.afgifte, meta, why) end
      if d.geldig_tot then ctx:propose("Hypotheekgever", "Identificatie/LegitimatieEindDt", d.geldig_tot, meta, why) end
    end
  end
end

-- The AOW block of the overview: in payment (uitkering...) when it is, else
-- what the person reaches at AOW age if still living here (teBereiken...).
local function aow_amounts(f)
  for _, per in ipairs(f.perioden or {}) do
    local a = per.aow
    if a then
      return {
        couple = a.uitkeringSamenwonend or a.teBereikenSamenwonend,
        single = a.uitkeringAlleenstaand or a.teBereikenAlleenstaand,
      }
    end
  end
end

local HOUSEHOLD = { couple = "couple", samenwonend = "couple", single = "single", alleenstaand = "single" }

local function fill_aow(ctx, f, opts)
  local amounts = aow_amounts(f)
  if not amounts then return end
  local meta = provenance(f.perioden.meta)
  local datum = f.algemeen and f.algemeen.aow_datum
  local full = f.algemeen and f.algemeen.kortingsjaren
  local household = HOUSEHOLD[opts.household]
  -- The amount depends on the household after the purchase: only the host
  -- knows it. Whether MPO's figure includes holiday pay (BrutoJaarUitkering
  -- excludes it in the catalogus) is the host's to check: copied as given.
  if not household then
    local why = "AOW depends on the household: pass opts.household (\"couple\" or \"single\")"
    local p = "Inkomsten/Uitkering/"
    if amounts.couple then ctx:propose("Hypotheekgever", p .. "BrutoJaarUitkering", amount(amounts.couple), meta,
      why .. "; amount for a couple") end
    if amounts.single then ctx:propose("Hypotheekgever", p .. "BrutoJaarUitkering", amount(amounts.single), meta,
      why .. "; amount for a single person") end
    if datum then ctx:propose("Hypotheekgever", p .. "IngangsDt", datum, meta, why) end
    return
  end
  local key = { SoortUitkering = "09 AOW" }
  local value = amounts[household]
  if not value and not datum then return end   -- no entity with nothing but its kind
  ctx:entity("Uitkering", key, { BrutoJaarUitkering = value and amount(value), IngangsDt = datum }, meta)
  if full then
    -- Years of reduction (living abroad) mean an incomplete build-up.
    ctx:entity("Uitkering", key, { AOWVolledigeOpbouwJN = values.JN(full == 0) },
      provenance(f.algemeen.meta, "derived"))
  end
end

local BASIS = { accrued = "opgebouwd", opgebouwd = "opgebouwd", reachable = "te_bereiken", te_bereiken = "te_bereiken" }

-- The old-age pension for life: the lifelong period (totOverlijden) that
-- starts last holds every arrangement still paying then; partner's and
-- orphan's pensions are never income and are not read.
local function lifelong(f)
  local best
  for _, per in ipairs(f.perioden or {}) do
    if per.levenslang then
      local age = (per.vanaf_jaren or 0) * 12 + (per.vanaf_maanden or 0)
      if not best or age >= best.age then best = { age = age, period = per } end
    end
  end
  return best and best.period
end

local function pension_sum(period, basis)
  local sum, any = 0, false
  for _, reg in ipairs(period.regelingen) do
    local v = reg[basis]
    if v then sum, any = sum + v, true end
  end
  return any and sum or nil
end

local function fill_pension(ctx, f, opts)
  local period = lifelong(f)
  if not period then return end
  local meta = provenance(f.perioden.meta, "derived")   -- a sum over the arrangements
  local start = f.algemeen and f.algemeen.pensioen_datum
  local basis = BASIS[opts.pension_basis]
  if not basis then
    -- Accrued or reachable is lender policy or advice: both proposed.
    local why = "pension basis is lender policy: pass opts.pension_basis (\"accrued\" or \"reachable\")"
    for _, b in ipairs { "opgebouwd", "te_bereiken" } do
      local sum = pension_sum(period, b)
      if sum then
        ctx:propose("Hypotheekgever", "Inkomsten/Pensioen/PensioenInkomen", amount(sum), meta,
          why .. (b == "opgebouwd" and "; accrued" or "; reachable"))
      end
    end
    return
  end
  local sum = pension_sum(period, basis)
  if not sum or sum == 0 then return end   -- no pension is not a "0.00" pension
  -- One Pensioen entity with the total: the AX entity has no field that tells
  -- one arrangement from another, so ctx:entity could not keep several apart.
  -- An empty key makes a new entity; the start date goes into that same one,
  -- found again by its amount, with its own provenance.
  ctx:entity("Pensioen", {}, { PensioenInkomen = amount(sum) }, meta)
  if start then
    ctx:entity("Pensioen", { PensioenInkomen = amount(sum) }, { IngangsDtPensioen = start },
      provenance(f.algemeen.meta))
  end
end

-- DUO: the current debt, the statutory monthly amount (not the means-tested
-- one, and no lender factor) and the remaining term. Before repayment starts
-- DUO gives no monthly amount and none is written. No DUO data, or a zero
-- debt, writes nothing: missing data is not "no study loan".
local function fill_duo(ctx, f)
  local s = f.studieschuld
  if not s or not s.stand or s.stand == 0 then return end
  ctx:entity("Verplichtingen", { SoortVerplichting = "12 Studielening" }, {
    VerplichtingBedrag = amount(s.stand),
    MaandBedrag = s.maandbedrag and s.maandbedrag > 0 and amount(s.maandbedrag) or nil,
    VerplichtingInMnd = s.looptijd and s.looptijd > 0 and tostring(s.looptijd) or nil,
  }, provenance(s.meta))
end

-- An IBL result goes into the AX only from the official, signed tool output
-- and only where the receiver supports IBL: a proposal here, never a fill.
local function propose_ibl(ctx, f)
  local t = f.toetsinkomen
  if not t or not t.bedrag then return end
  ctx:propose("Hypotheekgever", "Inkomsten/InkomensbepalingLoondienst/Toetsinkomen", amount(t.bedrag),
    provenance(t.meta), t.geldig and "signed IBL result: the receiver's IBL variant decides"
      or "IBL result without a valid signature: never filled")
end

--- Says what the person's data would write into the AX, through ctx
-- (axlink.fill decides what is really written: only for a linked, verified
-- person, never over a value without opts.overwrite, never a placeholder).
-- Names, initials (only when supplied), a complete birth date, birth place,
-- country and nationality (through `codes`) and the current address into
-- PartijNAWData; AOW into Inkomsten/Uitkering "09 AOW" with opts.household,
-- pension into Pensioen with opts.pension_basis, otherwise proposals; DUO
-- debt into Verplichtingen "12 Studielening". Geslacht, identification
-- documents, the account number and an IBL result are only proposed;
-- phone, e-mail and civil state are never touched.
-- @param ctx the fill context (axlink.fill)
-- @param person the delivery's person
-- @param delivery the delivery (unused: one file is one person)
-- @param opts household ("couple" | "single"), pension_basis ("accrued" |
--   "reachable"), codes (tables merged over format.codes)
function format.fill(ctx, person, _, opts)
  opts = opts or {}
  local f, err = facts(person.data)
  if not f then error(err, 0) end   -- a host changed data after decode; the message names no value
  local codes = code_tables(opts)
  fill_names(ctx, f, codes)
  fill_address(ctx, f, codes)
  if f.bankrekeningnummer then
    ctx:propose("PartijNAWData", "RekeningNr", f.bankrekeningnummer.value, provenance(f.bankrekeningnummer.meta),
      "the direct-debit account is the consumer's choice; tax data is last year's")
  end
  propose_documents(ctx, f, codes)
  fill_aow(ctx, f, opts)
  fill_pension(ctx, f, opts)
  fill_duo(ctx, f)
  propose_ibl(ctx, f)
end

return format
