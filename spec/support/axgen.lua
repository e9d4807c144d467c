-- axgen: deterministic generator of AX-shaped XML documents for the specs.
--
-- Why it exists: the property round-trip tests need many varied documents
-- (serialize(parse(x)) a fixed point, totable/fromtable, document order kept,
-- escapes and UTF-8 preserved), and the benchmarks need large realistic inputs.
-- Storing such files would bloat the repository, so they are generated from a
-- seed. The generator has its own PRNG (xorshift64* seeded through
-- splitmix64, integer arithmetic only) instead of math.random, so a seed gives
-- the same bytes on every machine and Lua build.
--
-- API:
--   M.document(seed [, opts]) -> xml string: a random AX-shaped OfferteAanvraag
--       (known entities and leaves, unknown names, repeats, attributes, escapes,
--       UTF-8, random whitespace style). opts.max_depth (default 6, min 2):
--       element levels including the root; opts.max_elements (default 400):
--       rough element budget; opts.comments (default true): allow a few XML
--       comments between elements.
--   M.tree(seed [, opts]) -> the decoded tree M.document(seed, opts) renders:
--       node = { name = "...", attrs = { {name = "...", value = "..."}, ... },
--                children = { node, ... } (element content) or nil,
--                text = "..." (text-only or empty element) or nil }.
--   M.sized(target_bytes, seed) -> xml string of about target_bytes (within
--       10% for targets from about 1 KB; never below the empty document's
--       175 bytes, never above the target from there on): realistic AX
--       content in HDN's canonical style (tabs, LF, trailing newline,
--       entities grouped in HDN order, IDs unique, every IDREF resolves),
--       for benchmarks. 16 MB take well under a second with lua5.4.
--
-- Every document respects what axlink's parser requires: well-formed XML 1.0
-- in UTF-8, no DOCTYPE, no namespaced elements (only xmlns:xsi/xmlns:xsd on
-- the root, and at times xsi:nil="true" on an empty element), no mixed
-- content, no attribute named like a child of the same element, unique ID
-- values, no CR anywhere, no control characters but TAB/LF in text, no TAB/LF
-- in attribute values, comments only between elements.

local M = {}

local concat, format, rep = table.concat, string.format, string.rep
local utf8char, utf8codes = utf8.char, utf8.codes
local tointeger = math.tointeger


-- {======================================================================
-- PRNG: xorshift64* with a splitmix64-mixed seed. Lua 5.4 integers are
-- 64-bit two's complement: + and * wrap, >> is a logical shift.
-- =======================================================================

local function splitmix64(x)
  x = x + 0x9E3779B97F4A7C15
  x = (x ~ (x >> 30)) * 0xBF58476D1CE4E5B9
  x = (x ~ (x >> 27)) * 0x94D049BB133111EB
  return x ~ (x >> 31)
end

local Rng = {}
Rng.__index = Rng

local function new_rng(seed, stream)
  local s = splitmix64(seed ~ (stream or 0) * 0x632BE59BD9B4E019)
  if s == 0 then s = 0x2545F4914F6CDD1D end
  return setmetatable({ s = s }, Rng)
end

-- Next 53-bit non-negative integer.
function Rng:next()
  local x = self.s
  x = x ~ (x >> 12)
  x = x ~ (x << 25)
  x = x ~ (x >> 27)
  self.s = x
  return (x * 0x2545F4914F6CDD1D) >> 11
end

-- Integer in [lo, hi].
function Rng:int(lo, hi)
  return lo + self:next() % (hi - lo + 1)
end

-- True with probability pct/100.
function Rng:chance(pct)
  return self:next() % 100 < pct
end

function Rng:pick(list)
  return list[1 + self:next() % #list]
end

-- Fisher-Yates, in place.
function Rng:shuffle(list)
  for i = #list, 2, -1 do
    local j = 1 + self:next() % i
    list[i], list[j] = list[j], list[i]
  end
  return list
end

local function check_seed(seed, fname)
  local s = tointeger(seed)
  if not s then
    error(format("axgen.%s: seed must be an integer, got %s", fname, tostring(seed)), 3)
  end
  return s
end

-- }======================================================================


-- {======================================================================
-- The AX model, as in the AX profile (lua/axlink/profiles/v24_0.lua): children in HDN order. A suffix
-- marks the kind: "*" repeating entity, "!" single entity, "@" reference
-- (empty element with IDREF); no suffix is a leaf.
-- =======================================================================

local RAW_MODEL = {
  OfferteAanvraag = { "HuidigObject*", "Hypotheekgever*", "PartijNAWData*", "Dataleverancier*",
    "TussenPersoon*", "Object*", "Lening*" },
  Dataleverancier = { "DataMijNr", "DataleverancierID", "GegevensVerzoekVersie",
    "DataleverancierOntvangerNaam" },
  HuidigObject = { "ObjectSoort", "StraatNaam", "HuisNr", "Postcode", "PlaatsNaam", "Land", "TeVerkopenJN",
    "VerkochtJN", "MarktWaarde", "OverbruggingJN", "HuidigeFinancieringJN", "HuidigeFinanciering*" },
  HuidigeFinanciering = { "AflossenJN", "FinancierBestaandeHypotheek", "FinancierOmschr",
    "BestaandeHypotheekSaldo", "BedragInschrijving", "BestaandeHypotheekNr", "Eigenwoningschuld",
    "RangOrde" },
  Hypotheekgever = { "RefPartijNAWData@", "TelefoonNrPrive", "TelefoonNrWerk", "TelefoonNrMobiel",
    "E-mailadres", "BurgerlijkeStaat", "HuwelijkOntbondenJN", "WeduweWeduwnaarJN",
    "HoofdelijkAansprakelijkJN",
    "AfwijkendKlantProfielJN", "FiscaalInwonerVanNederlandJN", "UitsluitendOfMedeFiscaalInwonerBuitenNedJN",
    "StudieleningInventarisatie", "Inkomsten*", "Verplichtingen*", "Identificatie!" },
  Identificatie = { "LegitimatieSoort", "LegitimatieNr", "LegitimatieAfgifteDt", "LegitimatieAfgiftePlaats",
    "LegitimatieAfgifteLand", "LegitimatieEindDt", "ExterneIdentificatie*" },
  ExterneIdentificatie = { "PersoonsID", "RefDataleverancier@" },
  Inkomsten = { "Dienstbetrekking*", "InkomensbepalingLoondienst*", "Uitkering*", "Pensioen*" },
  Dienstbetrekking = { "SoortDienstbetrekking", "IngangsDt", "BrutoJaarSalaris" },
  InkomensbepalingLoondienst = { "Toetsinkomen", "BerekeningsID", "BerekeningsDt", "RekenregelsVersie",
    "Dienstbetrekking*" },
  Pensioen = { "PensioenInkomen", "IngangsDtPensioen", "PensioenLeeftijd" },
  Uitkering = { "SoortUitkering", "BrutoJaarUitkering", "IngangsDt", "AOWVolledigeOpbouwJN" },
  Verplichtingen = { "SoortVerplichting", "VerplichtingBedrag", "MaandBedrag", "VerplichtingInMnd" },
  Lening = { "HypotheekBedrag", "HypothecaireInschrijving", "Financier", "Regeling", "RangOrde",
    "CodeLeningMij", "PasseerDt", "IngebrachtEigenMiddelen", "NettoAdvieskosten", "BemiddelingsKosten",
    "BoeteRente", "NHGJN", "Mutatie", "HypotheekAkteKostenSpec", "AankoopWoningJN", "Leningdeel*" },
  Leningdeel = { "CodeLeningDeel", "BelastingBox", "CodeDeelMij", "VasteEindDtLeningdeelJN", "DuurInMnd",
    "LeningDeelBedrag", "AflossingsVorm", "RenteAfspraak", "RenteVastInMnd", "RenteBedenkTijd",
    "BetalingsTermijn", "BetalingAchterafJN", "RentePct", "RenteAfspraakOmschr", "RentePctBovenMarge",
    "RentePctOnderMarge" },
  Object = { "ObjectSoort", "GarageJN", "RecreatieveBewoningJN", "Onderpand", "StraatNaam", "HuisNr",
    "Postcode", "PlaatsNaam", "Land", "EigenBewoningJN", "ErfpachtJN", "BouwJaar", "AppartementsrechtJN",
    "TaxatieDt", "KostenTaxatie", "MarktWaarde", "Koopsom", "WOZWaarde", "VerduurzamingBesprokenJN",
    "VerduurzamingToepassen", "BedragKwaliteitsverbeteringEBV", "OpleveringsDt" },
  PartijNAWData = { "SoortPartij", "VoorNamen", "GeboorteAchternaam", "CorrespondentieNaam",
    "CorrespondentieTussenvoegsels", "Nationaliteit", "GeboortePlaats", "GeboorteLand", "VoorLetters",
    "GeboorteDt", "Geslacht", "StraatNaam", "HuisNr", "HuisNrToevoeging", "Postcode", "PlaatsNaam", "Land",
    "RekeningNr" },
  TussenPersoon = { "RefContactPersoonData@", "BedrijfsNaam", "TussenpersoonNr", "TelefoonNrWerk",
    "E-mailadres", "TelefoonNrMobiel", "AFMRegistratieNr", "InitieelPakket" },
}

local KIND_SUFFIX = { ["*"] = "rep", ["!"] = "single", ["@"] = "ref" }

-- MODEL[entity] = { {name = ..., kind = "leaf"|"rep"|"single"|"ref"}, ... }
local MODEL = {}
-- Every name the model knows (entities, leaves, references): random names avoid them.
local KNOWN = { OfferteAanvraag = true, Volgnummer = true, ID = true, IDREF = true }
local KNOWN_LEAVES = {}
for entity, list in pairs(RAW_MODEL) do
  local children = {}
  for i, raw in ipairs(list) do
    local name, suffix = raw:match("^(.-)([%*!@]?)$")
    children[i] = { name = name, kind = KIND_SUFFIX[suffix] or "leaf" }
    KNOWN[name] = true
    if children[i].kind == "leaf" and not KNOWN_LEAVES[name] then
      KNOWN_LEAVES[name] = true
      KNOWN_LEAVES[#KNOWN_LEAVES + 1] = name
    end
  end
  MODEL[entity] = children
  KNOWN[entity] = true
end
table.sort(KNOWN_LEAVES) -- pairs order above is not deterministic
-- Drop the name->true entries so that KNOWN_LEAVES is a plain array.
for i = 1, #KNOWN_LEAVES do KNOWN_LEAVES[KNOWN_LEAVES[i]] = nil end

-- HEIGHT[entity]: the fewest element levels it needs (itself plus a leaf, or
-- plus a sub-entity for those without leaves, such as Inkomsten).
local HEIGHT = {}
local function height(entity)
  if HEIGHT[entity] then return HEIGHT[entity] end
  local best = math.huge
  for _, c in ipairs(MODEL[entity]) do
    if c.kind == "leaf" or c.kind == "ref" then
      best = 2
    elseif best > 2 and c.name ~= entity then
      best = math.min(best, 1 + height(c.name))
    end
  end
  HEIGHT[entity] = best
  return best
end
for entity in pairs(MODEL) do height(entity) end

-- Entities that carry an ID, and what each reference points at.
local ID_ENTITY = { PartijNAWData = true, Dataleverancier = true }
local REF_TARGET = {
  RefPartijNAWData = "PartijNAWData",
  RefContactPersoonData = "PartijNAWData",
  RefDataleverancier = "Dataleverancier",
}

-- }======================================================================


-- {======================================================================
-- HDN-like leaf values. Code values are those of HDN's public samples where
-- they show one; the others are plausible stand-ins.
-- =======================================================================

local CODES = {
  ObjectSoort = { "01 Vrijstaande woning", "06 Tussenwoning" },
  Land = { "NL Nederland", "NL Nederland", "NL Nederland", "BE België", "DE Duitsland" },
  Nationaliteit = { "NL Nederland", "NL Nederland", "BE België", "TR Turkije", "MA Marokko" },
  GeboorteLand = { "NL Nederland", "NL Nederland", "TR Turkije", "SR Suriname", "PL Polen" },
  LegitimatieAfgifteLand = { "NL Nederland" },
  FinancierBestaandeHypotheek = { "ZZ Anders", "AE AEGON Verzekeringen" },
  BurgerlijkeStaat = { "03 Alleenstaand", "01 Gehuwd gemeenschap van goederen" },
  StudieleningInventarisatie = { "02 Ja, maar geen sprake van een studielening" },
  SoortUitkering = { "09 AOW" },
  LegitimatieSoort = { "PP Paspoort", "ID Identiteitskaart" },
  SoortPartij = { "01 natuurlijk persoon" },
  Financier = { "AE AEGON Verzekeringen" },
  Regeling = { "08 oversluiting andere geldgever" },
  CodeLeningMij = { "AE011 Aegon Hypotheek" },
  Mutatie = { "32 Oversluiten zonder verhoging" },
  CodeLeningDeel = { "1 Nieuw" },
  BelastingBox = { "01 Box 1", "03 Box 3" },
  CodeDeelMij = { "AE002 Aegon Annuïteitenhypotheek" },
  AflossingsVorm = { "01 Annuiteit" },
  RenteAfspraak = { "01 rentevast" },
  RenteBedenkTijd = { "01 geen" },
  BetalingsTermijn = { "01 per maand" },
  Onderpand = { "01 bestaand" },
  VerduurzamingToepassen = { "01 Nee" },
  SoortVerplichting = { "12 Studielening" },
  SoortDienstbetrekking = { "01 Loondienst vast" },
  Geslacht = { "M Man", "V Vrouw" },
  GegevensVerzoekVersie = { "ABC-OSN006" },
  DataleverancierOntvangerNaam = { "ZFL" },
  RekenregelsVersie = { "2025.1" },
  InitieelPakket = { "Adviespakket", "Testpakket" },
  HuisNrToevoeging = { "A", "bis", "2" },
}

local AMOUNT = {}
for name in ("MarktWaarde BestaandeHypotheekSaldo BedragInschrijving Eigenwoningschuld BrutoJaarUitkering "
    .. "HypotheekBedrag HypothecaireInschrijving IngebrachtEigenMiddelen NettoAdvieskosten "
    .. "BemiddelingsKosten "
    .. "BoeteRente HypotheekAkteKostenSpec LeningDeelBedrag KostenTaxatie Koopsom WOZWaarde "
    .. "BedragKwaliteitsverbeteringEBV BrutoJaarSalaris Toetsinkomen PensioenInkomen VerplichtingBedrag "
    .. "MaandBedrag"):gmatch("%S+") do
  AMOUNT[name] = true
end

local INTEGER = {
  HuisNr = { 1, 250 }, BouwJaar = { 1890, 2024 }, DuurInMnd = { 120, 360 }, RenteVastInMnd = { 12, 360 },
  RangOrde = { 1, 2 }, TussenpersoonNr = { 1, 99999 }, AFMRegistratieNr = { 10000000, 12999999 },
  PensioenLeeftijd = { 65, 68 }, VerplichtingInMnd = { 1, 420 }, BestaandeHypotheekNr = { 100000, 999999 },
}

local FIRST_NAMES = { "Jan", "Anna", "Pieter", "Sanne", "Hüseyin", "Zoë", "Noël", "Anaïs", "Thijs", "Fenna",
  "IJsbrand", "Theodorus", "José", "Björn", "Inès", "Mohammed", "Fatima", "Daan", "Lotte", "Siham",
  "Wei", "Ngozi", "Krzysztof", "Maëlle" }
local SURNAMES = { "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Çelik", "Yılmaz", "Boer", "Vries", "Berg",
  "Dijk", "Mulder", "Bouwman", "Groot", "Brouwer", "Wit", "El Amrani", "Nguyễn", "Kowalczyk", "Hoekstra",
  "Oudshoorn", "Ruïs" }
local TUSSENVOEGSELS = { "van", "de", "van den", "van der", "ter", "in 't", "den" }
local STREETS = { "Kastanjelaan", "Dorpsstraat", "Esdoornstraat", "Kerkweg", "Molenstraat", "Stationsweg",
  "Hoofdstraat", "Prinses Irenestraat", "Ruïnelaan", "Curaçaostraat", "Oude Gracht" }
local PLACES = { "Deventer", "Groningen", "Zwolle", "Utrecht", "Den Haag", "'s-Hertogenbosch", "Zutphen",
  "Leeuwarden", "Maastricht", "Assen", "Kayseri", "Almere" }
local COMPANIES = { "Hypotheekadvies Vecht en IJssel B.V.", "Van Dijk & Zonen Hypotheken",
  "Adviesbureau Noorderhaven B.V.", "Financieel Huis <Noord>", "Eigen Huis & Co", "Geldzaken \"De Linde\"" }

local HEX = "0123456789abcdef"
local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

local function uuid(rng)
  local t = {}
  for i = 1, 32 do
    local k = rng:int(1, 16)
    t[i] = HEX:sub(k, k)
  end
  t[13] = "4"
  local s = concat(t)
  return format("%s-%s-%s-%s-%s", s:sub(1, 8), s:sub(9, 12), s:sub(13, 16), s:sub(17, 20), s:sub(21, 32))
end

local function base64(s)
  local out, n = {}, 0
  for i = 1, #s, 3 do
    local a, b, c = s:byte(i, i + 2)
    local v = a * 65536 + (b or 0) * 256 + (c or 0)
    local k1, k2, k3, k4 = v >> 18, (v >> 12) & 63, (v >> 6) & 63, v & 63
    n = n + 1
    out[n] = B64:sub(k1 + 1, k1 + 1) .. B64:sub(k2 + 1, k2 + 1)
      .. (b and B64:sub(k3 + 1, k3 + 1) or "=") .. (c and B64:sub(k4 + 1, k4 + 1) or "=")
  end
  return concat(out)
end

-- An Ockto-shaped data-file key (opaque to axlink).
local function dataleverancier_id(rng)
  return base64(format('{"consumerData":{"DataSources":["MOH","UWV","UPO","DUO"],"Id":"%s",'
    .. '"OdmVersion":"V4_4"}}', uuid(rng)))
end

local function amount(rng, lo, hi)
  return format("%d.%02d", rng:int(lo, hi), rng:chance(70) and 0 or rng:int(0, 99))
end

local function date(rng, y0, y1)
  return format("%04d-%02d-%02d", rng:int(y0, y1), rng:int(1, 12), rng:int(1, 28))
end

local function postcode(rng)
  return format("%04d%s%s", rng:int(1000, 9999), string.char(rng:int(65, 90)), string.char(rng:int(65, 90)))
end

local function initials(first)
  if first:sub(1, 2) == "IJ" then return "IJ" end
  if first:sub(1, 2) == "Th" then return "Th" end
  return first:sub(1, 1)
end

-- A plausible value for a known leaf (raw text, not escaped).
local function known_value(rng, name)
  local codes = CODES[name]
  if codes then return rng:pick(codes) end
  if name:sub(-2) == "JN" then return rng:chance(50) and "J Ja" or "N Nee" end
  if AMOUNT[name] then return amount(rng, 0, 500000) end
  local range = INTEGER[name]
  if range then return tostring(rng:int(range[1], range[2])) end
  if name:find("Dt", 1, true) then return date(rng, 1940, 2030) end
  if name:sub(1, 7) == "RentePct" then return format("%d.%02d", rng:int(0, 6), rng:int(0, 99)) end
  if name == "VoorNamen" then return rng:pick(FIRST_NAMES) end
  if name == "VoorLetters" then return initials(rng:pick(FIRST_NAMES)) end
  if name == "GeboorteAchternaam" or name == "CorrespondentieNaam" then return rng:pick(SURNAMES) end
  if name:find("Tussenvoegsels", 1, true) then return rng:pick(TUSSENVOEGSELS) end
  if name == "StraatNaam" then return rng:pick(STREETS) end
  if name:find("Plaats", 1, true) then return rng:pick(PLACES) end
  if name == "Postcode" then return postcode(rng) end
  if name:sub(1, 10) == "TelefoonNr" then return format("06%08d", rng:int(0, 99999999)) end
  if name == "E-mailadres" then return format("klant%d@example.nl", rng:int(1, 99999)) end
  if name == "RekeningNr" then return format("NL%02dTEST%010d", rng:int(10, 99), rng:int(0, 9999999999)) end
  if name == "LegitimatieNr" then return format("NX%04dK%d", rng:int(0, 9999), rng:int(1, 9)) end
  if name == "PersoonsID" or name == "DataMijNr" or name == "BerekeningsID" then return uuid(rng) end
  if name == "DataleverancierID" then return dataleverancier_id(rng) end
  if name == "BedrijfsNaam" then return rng:pick(COMPANIES) end
  return rng:pick({ "Doe", "svn", "Omschrijving", "Testwaarde", "Zie bijlage" })
end

-- }======================================================================


-- {======================================================================
-- Random names and texts for M.document.
-- =======================================================================

-- Name pieces: each starts with a letter (ASCII or not) or "_", so any of
-- them can start a name. Non-ASCII letters are name characters under both
-- the 4th and 5th edition rules of XML 1.0 (U+0132 "Ĳ" is not, so it stays
-- in text only).
local NAME_PARTS = { "X", "Foo", "bar", "Extra", "Veld", "Straatnaamé", "Naam", "Bedrag", "code", "Omschr",
  "info", "Data", "Aanvul", "meta", "Élan", "IJssel", "Øre", "中文", "Größe", "Zoë", "Ångström", "_tmp",
  "Ref", "Bron", "Periode", "Waarde", "ïnfo", "Δelta", "Şehir" }
local NAME_SEPS = { "", "", "-", ".", "_" }

local function xml_reserved(name)
  return name:sub(1, 3):lower() == "xml"
end

-- A random NCName that the model does not know and that is not reserved.
local function random_name(rng)
  while true do
    local t = { rng:pick(NAME_PARTS) }
    for _ = 1, rng:int(0, 2) do
      t[#t + 1] = rng:pick(NAME_SEPS)
      t[#t + 1] = rng:pick(NAME_PARTS)
    end
    if rng:chance(30) then
      t[#t + 1] = rng:pick(NAME_SEPS)
      t[#t + 1] = tostring(rng:int(0, 99))
    end
    local name = concat(t)
    if not KNOWN[name] and not xml_reserved(name) then return name end
  end
end

local ATTR_NAMES = { "lang", "code", "bron", "x-attr", "data.v", "_id2", "Soort", "versie", "é-attr",
  "中", "Status" }

local function random_attr_name(rng)
  if rng:chance(50) then return rng:pick(ATTR_NAMES) end
  return random_name(rng)
end

-- Text pieces: never whitespace-only, never a control character.
local TEXT_PIECES = { "Straatnaam", "é", "ï", "€", "中", "😀", "𝄞", "&", "<", ">", "\"", "'", "Zoë", "Çelik",
  "a&b", "<tag>", "x > y", "]]>", "[1]", "01 natuurlijk persoon", "J Ja", "145000.00", "ß", "ø", "Ĳ",
  "e\u{301}", "\u{A0}nbsp", "&amp;", "&#233;", "100%", "a;b", "--", "?>", "O'Neil", "say \"hi\"", "0",
  "Ünïcödé", "ﬁ", "\u{FFFD}", "tab" }

-- A text value: empty (rarely) or containing at least one non-blank piece.
-- allow_ws: may contain TAB/LF inside and blanks around (text); attribute
-- values get spaces only.
local function random_text(rng, allow_ws)
  local t = {}
  if rng:chance(12) then
    t[1] = allow_ws and rng:pick({ " ", "  ", "\t", "\n", " \n " }) or rng:pick({ " ", "  " })
  end
  for i = 1, rng:int(1, 5) do
    if i > 1 then
      if allow_ws and rng:chance(5) then
        t[#t + 1] = rng:pick({ "\t", "\n", "\n\t" })
      elseif rng:chance(70) then
        t[#t + 1] = " "
      end
    end
    t[#t + 1] = rng:pick(TEXT_PIECES)
  end
  if rng:chance(12) then
    t[#t + 1] = allow_ws and rng:pick({ " ", "   ", "\t", "\n" }) or rng:pick({ " ", "  " })
  end
  return concat(t)
end

-- }======================================================================


-- {======================================================================
-- Tree building (M.tree).
-- =======================================================================

local function add_attr(node, name, value, first)
  local a = { name = name, value = value }
  if first then table.insert(node.attrs, 1, a) else node.attrs[#node.attrs + 1] = a end
  return a
end

local function child_names(node)
  local set = {}
  for _, c in ipairs(node.children or {}) do set[c.name] = true end
  return set
end

local function new_id(ctx, kind)
  ctx.id_count = ctx.id_count + 1
  local k = ctx.id_count
  local rng = ctx.rng
  local id
  if kind == "PartijNAWData" and rng:chance(80) then
    id = format("NA%02d", k)
  elseif kind == "Dataleverancier" and rng:chance(80) then
    id = format("DL%02d", k)
  else
    id = format(rng:pick({ "ID%d", "x-%d", "Dl.%d_a", "é%d", "N%d.中" }), k)
  end
  ctx.ids[#ctx.ids + 1] = id
  local by = ctx.ids_by[kind or ""] or {}
  ctx.ids_by[kind or ""] = by
  by[#by + 1] = id
  return id
end

-- A few random attributes, none named like a child or an existing attribute.
local function random_attrs(ctx, node, count)
  local rng = ctx.rng
  local taken = child_names(node)
  for _, a in ipairs(node.attrs) do taken[a.name] = true end
  for _ = 1, count do
    for _ = 1, 5 do
      local name = random_attr_name(rng)
      if not taken[name] and not KNOWN[name] then
        taken[name] = true
        add_attr(node, name, rng:chance(5) and "" or random_text(rng, false))
        break
      end
    end
  end
end

-- Give nodes distinct Volgnummer labels (not positions), each with
-- probability pct; the attribute goes first.
local function label(ctx, nodes, pct)
  local rng = ctx.rng
  local v = rng:chance(15) and rng:int(100, 900) or rng:int(1, 9)
  local values = {}
  for i = 1, #nodes do
    values[i] = v
    v = v + rng:int(1, 4)
  end
  if rng:chance(15) then rng:shuffle(values) end
  for i, node in ipairs(nodes) do
    if rng:chance(pct) then add_attr(node, "Volgnummer", tostring(values[i]), true) end
  end
end

local function leaf(ctx, name, text)
  ctx.budget = ctx.budget - 1
  return { name = name, attrs = {}, text = text }
end

local function ref(ctx, name, target)
  local node = leaf(ctx, name, "")
  ctx.refs[#ctx.refs + 1] = { attr = add_attr(node, "IDREF", false), target = target }
  return node
end

local entity -- forward declaration

-- Unknown children under node (a known entity or an unknown container) at
-- level; names never clash with a sibling of another kind.
local function unknown_children(ctx, node, level, count, allow_known_leaves)
  local rng, kids = ctx.rng, node.children
  local used = child_names(node)
  for _ = 1, count do
    local container = level + 2 <= ctx.max_depth and ctx.budget > 0 and rng:chance(35)
    local is_ref = not container and ctx.max_depth >= 3 and rng:chance(6)
    local name, from_known
    repeat
      from_known = false
      if is_ref then
        name = "Ref" .. random_name(rng)
      elseif not container and allow_known_leaves and rng:chance(15) then
        name, from_known = rng:pick(KNOWN_LEAVES), true
      else
        name = random_name(rng)
      end
    until not used[name]
    used[name] = true
    local n = rng:chance(20) and rng:int(2, 4) or 1
    local made = {}
    for i = 1, n do
      local c
      if container then
        c = { name = name, attrs = {}, children = {} }
        ctx.budget = ctx.budget - 1
        unknown_children(ctx, c, level + 1, rng:int(1, 5), true)
        if rng:chance(10) then add_attr(c, "ID", new_id(ctx, nil)) end
      elseif is_ref then
        c = ref(ctx, name, nil)
      else
        local text
        if from_known and rng:chance(60) then
          text = known_value(rng, name)
        else
          text = rng:chance(10) and "" or random_text(rng, true)
        end
        c = leaf(ctx, name, text)
        if text == "" and rng:chance(15) then add_attr(c, "xsi:nil", "true") end
      end
      if not is_ref and rng:chance(15) then random_attrs(ctx, c, rng:int(1, 2)) end
      made[i] = c
      kids[#kids + 1] = c
    end
    if n > 1 then
      label(ctx, made, rng:pick({ 0, 100, 100, 60 }))
      -- Sometimes the repeats are not adjacent.
      if rng:chance(30) then rng:shuffle(kids) end
    end
  end
end

-- A known entity at level (the root is level 1); the caller makes sure that
-- level + HEIGHT[name] - 1 <= max_depth.
function entity(ctx, name, level, force_id)
  local rng = ctx.rng
  local node = { name = name, attrs = {}, children = {} }
  local kids = node.children
  ctx.budget = ctx.budget - 1
  local leaves_ok = level + 1 <= ctx.max_depth
  for _, c in ipairs(MODEL[name]) do
    local kind = c.kind
    if kind == "leaf" then
      if leaves_ok and rng:chance(60) then
        local text
        if rng:chance(85) then text = known_value(rng, c.name) else text = random_text(rng, true) end
        local l = leaf(ctx, c.name, text)
        if rng:chance(3) then random_attrs(ctx, l, 1) end
        kids[#kids + 1] = l
      end
    elseif kind == "ref" then
      if leaves_ok and ctx.max_depth >= 3 and rng:chance(85) then
        kids[#kids + 1] = ref(ctx, c.name, REF_TARGET[c.name])
      end
    elseif level + HEIGHT[c.name] <= ctx.max_depth and ctx.budget > 0 and rng:chance(45) then
      local n = (kind == "rep" and rng:chance(25)) and rng:int(2, 3) or 1
      local made = {}
      for i = 1, n do
        made[i] = entity(ctx, c.name, level + 1)
        kids[#kids + 1] = made[i]
      end
      if kind == "rep" then label(ctx, made, 85) end
    end
  end
  if #kids == 0 then
    -- An entity always has content: its first leaf, or for an entity without
    -- leaves its first sub-entity that fits (the caller checked HEIGHT).
    for _, c in ipairs(MODEL[name]) do
      if c.kind == "leaf" then
        kids[1] = leaf(ctx, c.name, known_value(rng, c.name))
        break
      elseif c.kind ~= "ref" and level + HEIGHT[c.name] <= ctx.max_depth then
        kids[1] = entity(ctx, c.name, level + 1)
        if c.kind == "rep" then label(ctx, kids, 85) end
        break
      end
    end
  end
  if ctx.budget > 0 and rng:chance(20) then unknown_children(ctx, node, level, rng:int(1, 3), false) end
  if rng:chance(8) then rng:shuffle(kids) end
  if force_id or (ID_ENTITY[name] and rng:chance(90)) or rng:chance(3) then
    add_attr(node, "ID", new_id(ctx, name))
  end
  if rng:chance(8) then random_attrs(ctx, node, rng:int(1, 2)) end
  return node
end

local ROOT_WEIGHTS = { "HuidigObject", "Hypotheekgever", "Hypotheekgever", "Hypotheekgever", "PartijNAWData",
  "PartijNAWData", "PartijNAWData", "Dataleverancier", "TussenPersoon", "Object", "Lening", "Lening" }
local ROOT_ORDER = {}
for i, c in ipairs(MODEL.OfferteAanvraag) do ROOT_ORDER[c.name] = i end

local function build(seed, opts)
  opts = opts or {}
  local max_depth = tointeger(opts.max_depth or 6)
  if not max_depth or max_depth < 2 then error("axgen: opts.max_depth must be an integer >= 2", 3) end
  local ctx = {
    rng = new_rng(seed, 1),
    max_depth = max_depth,
    budget = tointeger(opts.max_elements or 400) or 400,
    ids = {}, ids_by = {}, refs = {}, id_count = 0,
  }
  local rng = ctx.rng
  local root = { name = "OfferteAanvraag", attrs = {}, children = {} }
  add_attr(root, "xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance")
  add_attr(root, "xmlns:xsd", "http://www.w3.org/2001/XMLSchema")
  local kids = root.children
  if max_depth >= 3 then
    -- At least one PartijNAWData with an ID, so that references resolve.
    kids[1] = entity(ctx, "PartijNAWData", 2, true)
    for _ = 1, rng:int(1, 8) do
      if ctx.budget <= 0 then break end
      kids[#kids + 1] = entity(ctx, rng:pick(ROOT_WEIGHTS), 2)
    end
    if rng:chance(60) then
      -- Mostly HDN order (stable sort by model position).
      for i, k in ipairs(kids) do k.pos = i end
      table.sort(kids, function(a, b)
        local oa, ob = ROOT_ORDER[a.name], ROOT_ORDER[b.name]
        if oa ~= ob then return oa < ob end
        return a.pos < b.pos
      end)
      for _, k in ipairs(kids) do k.pos = nil end
    else
      rng:shuffle(kids)
    end
    -- Volgnummer labels per top-level entity name.
    local groups, order = {}, {}
    for _, k in ipairs(kids) do
      if not groups[k.name] then groups[k.name] = {}; order[#order + 1] = k.name end
      local g = groups[k.name]
      g[#g + 1] = k
    end
    for _, name in ipairs(order) do label(ctx, groups[name], 85) end
  end
  local n_unknown = max_depth >= 3 and rng:int(0, 3) or rng:int(1, 6)
  if n_unknown > 0 then
    local before = #kids
    unknown_children(ctx, root, 1, n_unknown, false)
    -- Move the new unknown elements to random places among the entities.
    for i = before + 1, #kids do
      local k = table.remove(kids, i)
      table.insert(kids, rng:int(1, i), k)
    end
  end
  if rng:chance(10) then random_attrs(ctx, root, 1) end
  -- Resolve references now that every ID exists.
  for _, r in ipairs(ctx.refs) do
    local pool = r.target and ctx.ids_by[r.target]
    if not pool or #pool == 0 then pool = ctx.ids end
    r.attr.value = #pool > 0 and rng:pick(pool) or "NA00"
  end
  return root
end

function M.tree(seed, opts)
  return build(check_seed(seed, "tree"), opts)
end

-- }======================================================================


-- {======================================================================
-- Rendering (M.document): random but valid escapes and whitespace.
-- =======================================================================

local function escape_text(rng, s)
  local out, n, prev = {}, 0, 0
  for _, cp in utf8codes(s) do
    local e
    if cp == 38 then
      e = rng:pick({ "&amp;", "&amp;", "&#38;", "&#x26;" })
    elseif cp == 60 then
      e = rng:pick({ "&lt;", "&lt;", "&#60;", "&#x3C;" })
    elseif cp == 62 then
      -- "]]>" may not appear raw in text.
      e = (prev == 93 or rng:chance(50)) and "&gt;" or ">"
    elseif cp == 34 then
      e = rng:chance(30) and "&quot;" or "\""
    elseif cp == 39 then
      e = rng:chance(30) and "&apos;" or "'"
    elseif cp == 9 then
      e = rng:chance(25) and "&#9;" or "\t"
    elseif cp == 10 then
      e = rng:chance(25) and rng:pick({ "&#10;", "&#xA;" }) or "\n"
    elseif cp >= 128 then
      local r = rng:int(1, 100)
      e = r <= 70 and utf8char(cp) or r <= 85 and format("&#%d;", cp) or format("&#x%X;", cp)
    else
      e = rng:chance(2) and format("&#%d;", cp) or string.char(cp)
    end
    n = n + 1
    out[n] = e
    prev = cp
  end
  return concat(out)
end

local function escape_attr(rng, s, quote)
  local out, n = {}, 0
  for _, cp in utf8codes(s) do
    local e
    if cp == 38 then
      e = rng:pick({ "&amp;", "&#38;" })
    elseif cp == 60 then
      e = rng:pick({ "&lt;", "&#60;" })
    elseif cp == 62 then
      e = rng:chance(50) and "&gt;" or ">"
    elseif cp == 34 then
      e = (quote == "\"" or rng:chance(30)) and rng:pick({ "&quot;", "&#34;" }) or "\""
    elseif cp == 39 then
      e = (quote == "'" or rng:chance(30)) and rng:pick({ "&apos;", "&#39;" }) or "'"
    elseif cp >= 128 then
      local r = rng:int(1, 100)
      e = r <= 70 and utf8char(cp) or r <= 85 and format("&#%d;", cp) or format("&#x%X;", cp)
    else
      e = string.char(cp)
    end
    n = n + 1
    out[n] = e
  end
  return concat(out)
end

-- Comment texts never contain "--" nor end with "-".
local COMMENT_TEXTS = { " invented ", "note", " Zoë & co < > ", " a - b ", " 中 ", "" }

local function render(root, rng, opts)
  local out, n = {}, 0
  local function put(s) n = n + 1; out[n] = s end
  local style = rng:pick({ "tabs", "tabs", "spaces", "none", "messy" })
  local unit = style == "spaces" and rep(" ", rng:int(1, 4)) or "\t"
  local comments = opts.comments ~= false and rng:chance(30)

  local function ws(level)
    if style == "none" then return "" end
    if style == "messy" then return rng:pick({ "", " ", "\n", "\t", "\n  ", " \n\t", "\n\n" }) end
    return "\n" .. rep(unit, level - 1)
  end
  local function attr_sep()
    if style == "messy" and rng:chance(20) then return rng:pick({ "  ", "\t", "\n", "\n\t " }) end
    return " "
  end

  local decl = rng:pick({
    '<?xml version="1.0" encoding="utf-8"?>', '<?xml version="1.0" encoding="utf-8"?>',
    '<?xml version="1.0" encoding="UTF-8"?>', "<?xml version='1.0' encoding='utf-8' standalone='yes'?>",
    '<?xml version="1.0"?>', "" })
  if decl ~= "" then put(decl); put(style == "none" and rng:chance(50) and "" or "\n") end

  local function emit(node, level)
    local name = node.name
    put("<"); put(name)
    for _, a in ipairs(node.attrs) do
      local q = rng:chance(80) and "\"" or "'"
      put(attr_sep()); put(a.name)
      put((style == "messy" and rng:chance(10)) and " = " or "=")
      put(q); put(escape_attr(rng, a.value, q)); put(q)
    end
    local tail = (style == "messy" and rng:chance(20)) and " " or ""
    local kids = node.children
    if kids then
      put(tail); put(">")
      for _, c in ipairs(kids) do
        put(ws(level + 1))
        if comments and rng:chance(5) then
          put("<!--"); put(rng:pick(COMMENT_TEXTS)); put("-->"); put(ws(level + 1))
        end
        emit(c, level + 1)
      end
      put(ws(level)); put("</"); put(name); put(tail); put(">")
    elseif node.text == "" then
      local r = rng:int(1, 100)
      if r <= 85 then put(tail); put("/>")
      elseif r <= 92 then put(" />")
      else put(">"); put("</"); put(name); put(">") end
    else
      put(tail); put(">"); put(escape_text(rng, node.text)); put("</"); put(name); put(">")
    end
  end

  emit(root, 1)
  if rng:chance(90) then put("\n") end
  return concat(out)
end

function M.document(seed, opts)
  seed = check_seed(seed, "document")
  opts = opts or {}
  return render(build(seed, opts), new_rng(seed, 2), opts)
end

-- }======================================================================


-- {======================================================================
-- M.sized: large realistic documents in HDN's canonical style.
-- =======================================================================

-- Escape a raw value for text content (the pools hold a few & < >).
local function esc(s)
  if s:find("[&<>]") then
    return (s:gsub("[&<>]", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;" }))
  end
  return s
end

local SIZED_HEAD = '<?xml version="1.0" encoding="utf-8"?>\n<OfferteAanvraag '
  .. 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">\n'
local SIZED_TAIL = "</OfferteAanvraag>\n"
local SIZED_ORDER = { "HuidigObject", "Hypotheekgever", "PartijNAWData", "Dataleverancier", "TussenPersoon",
  "Object", "Lening" }

function M.sized(target_bytes, seed)
  seed = check_seed(seed, "sized")
  if type(target_bytes) ~= "number" then error("axgen.sized: target_bytes must be a number", 2) end
  local rng = new_rng(seed, 3)
  local limit = target_bytes - #SIZED_HEAD - #SIZED_TAIL

  -- One buffer per top-level entity name, joined in HDN order at the end.
  local bufs, counts = {}, {}
  for _, name in ipairs(SIZED_ORDER) do bufs[name], counts[name] = {}, 0 end
  local size = 0
  local cur, cn -- buffer being written and its count
  local function open(name)
    cur, cn = bufs[name], counts[name]
  end
  local function close(name)
    counts[name] = cn
  end
  local function put(s)
    cn = cn + 1
    cur[cn] = s
    size = size + #s
  end
  local function field(indent, name, value)
    put(format("%s<%s>%s</%s>\n", indent, name, value, name))
  end
  -- Rollback support: remember every buffer's count and the size.
  local function mark()
    local m = { size = size }
    for _, name in ipairs(SIZED_ORDER) do m[name] = counts[name] end
    return m
  end
  local function rollback(m)
    for _, name in ipairs(SIZED_ORDER) do
      local b = bufs[name]
      for i = counts[name], m[name] + 1, -1 do b[i] = nil end
      counts[name] = m[name]
    end
    size = m.size
  end

  local vn = { HuidigObject = 0, Hypotheekgever = 0, PartijNAWData = 0, Dataleverancier = 0,
    TussenPersoon = 0, Object = 0, Lening = 0, Inkomsten = 0, Uitkering = 0, ExterneIdentificatie = 0 }
  local function volg(name)
    vn[name] = vn[name] + 1
    return vn[name]
  end
  local id_count = 0
  local function id(prefix)
    id_count = id_count + 1
    return format("%s%06d", prefix, id_count)
  end
  local function jn() return rng:chance(50) and "J Ja" or "N Nee" end

  local function person_naw(pid, street, huisnr, pc, place)
    local first = rng:pick(FIRST_NAMES)
    local surname = rng:pick(SURNAMES)
    local tv = rng:chance(30) and rng:pick(TUSSENVOEGSELS) or nil
    open("PartijNAWData")
    put(format('\t<PartijNAWData Volgnummer="%d" ID="%s">\n', volg("PartijNAWData"), pid))
    field("\t\t", "SoortPartij", "01 natuurlijk persoon")
    field("\t\t", "VoorNamen", rng:chance(40) and first .. " " .. rng:pick(FIRST_NAMES) or first)
    field("\t\t", "GeboorteAchternaam", surname)
    field("\t\t", "CorrespondentieNaam", surname)
    if tv then field("\t\t", "CorrespondentieTussenvoegsels", tv) end
    field("\t\t", "Nationaliteit", rng:pick(CODES.Nationaliteit))
    field("\t\t", "GeboortePlaats", esc(rng:pick(PLACES)))
    field("\t\t", "GeboorteLand", rng:pick(CODES.GeboorteLand))
    field("\t\t", "VoorLetters", initials(first))
    field("\t\t", "GeboorteDt", date(rng, 1940, 2004))
    field("\t\t", "StraatNaam", street)
    field("\t\t", "HuisNr", huisnr)
    field("\t\t", "Postcode", pc)
    field("\t\t", "PlaatsNaam", place)
    field("\t\t", "Land", "NL Nederland")
    field("\t\t", "RekeningNr", format("NL%02dTEST%010d", rng:int(10, 99), rng:int(0, 9999999999)))
    put("\t</PartijNAWData>\n")
    close("PartijNAWData")
  end

  local function company_naw(pid)
    open("PartijNAWData")
    put(format('\t<PartijNAWData Volgnummer="%d" ID="%s">\n', volg("PartijNAWData"), pid))
    field("\t\t", "SoortPartij", "02 rechtspersoon")
    field("\t\t", "VoorNamen", esc(rng:pick(COMPANIES)))
    field("\t\t", "CorrespondentieNaam", rng:pick(SURNAMES))
    field("\t\t", "GeboortePlaats", esc(rng:pick(PLACES)))
    field("\t\t", "VoorLetters", "R")
    field("\t\t", "StraatNaam", rng:pick(STREETS))
    field("\t\t", "HuisNr", tostring(rng:int(1, 250)))
    field("\t\t", "Postcode", postcode(rng))
    field("\t\t", "PlaatsNaam", esc(rng:pick(PLACES)))
    field("\t\t", "Land", "NL Nederland")
    put("\t</PartijNAWData>\n")
    close("PartijNAWData")
  end

  local function minimal_naw(pid)
    open("PartijNAWData")
    put(format('\t<PartijNAWData Volgnummer="%d" ID="%s">\n', volg("PartijNAWData"), pid))
    field("\t\t", "SoortPartij", "02 rechtspersoon")
    field("\t\t", "VoorNamen", esc(rng:pick(COMPANIES)))
    put("\t</PartijNAWData>\n")
    close("PartijNAWData")
  end

  local function dataleverancier(did, key)
    open("Dataleverancier")
    put(format('\t<Dataleverancier Volgnummer="%d" ID="%s">\n', volg("Dataleverancier"), did))
    field("\t\t", "DataMijNr", uuid(rng))
    field("\t\t", "DataleverancierID", key or dataleverancier_id(rng))
    field("\t\t", "GegevensVerzoekVersie", "ABC-OSN006")
    field("\t\t", "DataleverancierOntvangerNaam", "ZFL")
    put("\t</Dataleverancier>\n")
    close("Dataleverancier")
  end

  local function hypotheekgever(pid, did, staat)
    open("Hypotheekgever")
    put(format('\t<Hypotheekgever Volgnummer="%d">\n', volg("Hypotheekgever")))
    put(format('\t\t<RefPartijNAWData IDREF="%s"/>\n', pid))
    field("\t\t", "TelefoonNrPrive", format("0%09d", rng:int(100000000, 599999999)))
    if rng:chance(50) then field("\t\t", "TelefoonNrWerk", format("0%09d", rng:int(100000000, 599999999))) end
    field("\t\t", "TelefoonNrMobiel", format("06%08d", rng:int(0, 99999999)))
    field("\t\t", "E-mailadres", format("klant%d@example.nl", rng:int(1, 999999)))
    field("\t\t", "BurgerlijkeStaat", staat)
    field("\t\t", "HuwelijkOntbondenJN", "N Nee")
    field("\t\t", "WeduweWeduwnaarJN", "N Nee")
    field("\t\t", "HoofdelijkAansprakelijkJN", "J Ja")
    field("\t\t", "AfwijkendKlantProfielJN", "N Nee")
    field("\t\t", "FiscaalInwonerVanNederlandJN", "J Ja")
    field("\t\t", "UitsluitendOfMedeFiscaalInwonerBuitenNedJN", "N Nee")
    field("\t\t", "StudieleningInventarisatie", "02 Ja, maar geen sprake van een studielening")
    put(format('\t\t<Inkomsten Volgnummer="%d">\n', volg("Inkomsten")))
    put(format('\t\t\t<Uitkering Volgnummer="%d">\n', volg("Uitkering")))
    field("\t\t\t\t", "SoortUitkering", "09 AOW")
    field("\t\t\t\t", "BrutoJaarUitkering", format("%d.00", rng:int(9000, 16000)))
    field("\t\t\t\t", "IngangsDt", date(rng, 2005, 2030))
    field("\t\t\t\t", "AOWVolledigeOpbouwJN", jn())
    put("\t\t\t</Uitkering>\n")
    put("\t\t</Inkomsten>\n")
    put("\t\t<Identificatie>\n")
    field("\t\t\t", "LegitimatieSoort", rng:pick(CODES.LegitimatieSoort))
    field("\t\t\t", "LegitimatieNr", format("NX%04dK%d", rng:int(0, 9999), rng:int(1, 9)))
    if did then
      put(format('\t\t\t<ExterneIdentificatie Volgnummer="%d">\n', volg("ExterneIdentificatie")))
      field("\t\t\t\t", "PersoonsID", uuid(rng))
      put(format('\t\t\t\t<RefDataleverancier IDREF="%s"/>\n', did))
      put("\t\t\t</ExterneIdentificatie>\n")
    end
    put("\t\t</Identificatie>\n")
    put("\t</Hypotheekgever>\n")
    close("Hypotheekgever")
  end

  local function huidig_object(street, huisnr, pc, place)
    open("HuidigObject")
    put(format('\t<HuidigObject Volgnummer="%d">\n', volg("HuidigObject")))
    field("\t\t", "ObjectSoort", rng:pick(CODES.ObjectSoort))
    field("\t\t", "StraatNaam", street)
    field("\t\t", "HuisNr", huisnr)
    field("\t\t", "Postcode", pc)
    field("\t\t", "PlaatsNaam", place)
    field("\t\t", "Land", "NL Nederland")
    field("\t\t", "TeVerkopenJN", "N Nee")
    field("\t\t", "VerkochtJN", "N Nee")
    field("\t\t", "MarktWaarde", amount(rng, 150000, 900000))
    field("\t\t", "OverbruggingJN", "N Nee")
    field("\t\t", "HuidigeFinancieringJN", "J Ja")
    put('\t\t<HuidigeFinanciering Volgnummer="1">\n')
    local saldo = amount(rng, 50000, 400000)
    field("\t\t\t", "AflossenJN", "J Ja")
    field("\t\t\t", "FinancierBestaandeHypotheek", "ZZ Anders")
    field("\t\t\t", "FinancierOmschr", esc(rng:pick(COMPANIES)))
    field("\t\t\t", "BestaandeHypotheekSaldo", saldo)
    field("\t\t\t", "BedragInschrijving", saldo)
    field("\t\t\t", "BestaandeHypotheekNr", tostring(rng:int(100000, 999999)))
    field("\t\t\t", "Eigenwoningschuld", saldo)
    field("\t\t\t", "RangOrde", "1")
    put("\t\t</HuidigeFinanciering>\n")
    put("\t</HuidigObject>\n")
    close("HuidigObject")
  end

  local function tussenpersoon(pid)
    open("TussenPersoon")
    put(format('\t<TussenPersoon Volgnummer="%d">\n', volg("TussenPersoon")))
    put(format('\t\t<RefContactPersoonData IDREF="%s"/>\n', pid))
    field("\t\t", "BedrijfsNaam", esc(rng:pick(COMPANIES)))
    field("\t\t", "TussenpersoonNr", tostring(rng:int(1, 99999)))
    field("\t\t", "TelefoonNrWerk", format("0%09d", rng:int(100000000, 599999999)))
    field("\t\t", "E-mailadres", format("advies%d@example.nl", rng:int(1, 9999)))
    field("\t\t", "TelefoonNrMobiel", format("06%08d", rng:int(0, 99999999)))
    field("\t\t", "AFMRegistratieNr", tostring(rng:int(10000000, 12999999)))
    field("\t\t", "InitieelPakket", rng:pick(CODES.InitieelPakket))
    put("\t</TussenPersoon>\n")
    close("TussenPersoon")
  end

  local function object(street, huisnr, pc, place)
    open("Object")
    put(format('\t<Object Volgnummer="%d">\n', volg("Object")))
    field("\t\t", "ObjectSoort", rng:pick(CODES.ObjectSoort))
    field("\t\t", "GarageJN", jn())
    field("\t\t", "RecreatieveBewoningJN", "N Nee")
    field("\t\t", "Onderpand", "01 bestaand")
    field("\t\t", "StraatNaam", street)
    field("\t\t", "HuisNr", huisnr)
    field("\t\t", "Postcode", pc)
    field("\t\t", "PlaatsNaam", place)
    field("\t\t", "Land", "NL Nederland")
    field("\t\t", "EigenBewoningJN", "J Ja")
    field("\t\t", "ErfpachtJN", "N Nee")
    field("\t\t", "BouwJaar", tostring(rng:int(1890, 2024)))
    field("\t\t", "AppartementsrechtJN", "N Nee")
    field("\t\t", "TaxatieDt", date(rng, 2023, 2025))
    field("\t\t", "KostenTaxatie", amount(rng, 300, 900))
    local waarde = amount(rng, 150000, 900000)
    field("\t\t", "MarktWaarde", waarde)
    field("\t\t", "Koopsom", "0.00")
    field("\t\t", "WOZWaarde", waarde)
    field("\t\t", "VerduurzamingBesprokenJN", jn())
    field("\t\t", "VerduurzamingToepassen", "01 Nee")
    field("\t\t", "BedragKwaliteitsverbeteringEBV", "0.00")
    put("\t</Object>\n")
    close("Object")
  end

  local function lening()
    local parts = rng:int(1, 3)
    local amounts, total = {}, 0
    for i = 1, parts do
      amounts[i] = rng:int(20, 250) * 1000
      total = total + amounts[i]
    end
    open("Lening")
    put(format('\t<Lening Volgnummer="%d">\n', volg("Lening")))
    field("\t\t", "HypotheekBedrag", format("%d.00", total))
    field("\t\t", "HypothecaireInschrijving", format("%d.00", total + rng:int(0, 50) * 1000))
    field("\t\t", "Financier", "AE AEGON Verzekeringen")
    field("\t\t", "Regeling", "08 oversluiting andere geldgever")
    field("\t\t", "RangOrde", "1")
    field("\t\t", "CodeLeningMij", "AE011 Aegon Hypotheek")
    field("\t\t", "PasseerDt", date(rng, 2024, 2026))
    field("\t\t", "IngebrachtEigenMiddelen", amount(rng, 0, 50000))
    field("\t\t", "NettoAdvieskosten", amount(rng, 0, 4000))
    field("\t\t", "BemiddelingsKosten", "0.00")
    field("\t\t", "BoeteRente", amount(rng, 0, 10000))
    field("\t\t", "NHGJN", jn())
    field("\t\t", "Mutatie", "32 Oversluiten zonder verhoging")
    field("\t\t", "HypotheekAkteKostenSpec", amount(rng, 500, 1500))
    field("\t\t", "AankoopWoningJN", "N Nee")
    for i = 1, parts do
      put(format('\t\t<Leningdeel Volgnummer="%d">\n', i))
      field("\t\t\t", "CodeLeningDeel", "1 Nieuw")
      field("\t\t\t", "BelastingBox", rng:pick(CODES.BelastingBox))
      field("\t\t\t", "CodeDeelMij", "AE002 Aegon Annuïteitenhypotheek")
      field("\t\t\t", "VasteEindDtLeningdeelJN", "N Nee")
      field("\t\t\t", "DuurInMnd", tostring(rng:int(10, 30) * 12))
      field("\t\t\t", "LeningDeelBedrag", format("%d.00", amounts[i]))
      field("\t\t\t", "AflossingsVorm", "01 Annuiteit")
      field("\t\t\t", "RenteAfspraak", "01 rentevast")
      field("\t\t\t", "RenteVastInMnd", tostring(rng:pick({ 60, 120, 180, 240, 360 })))
      field("\t\t\t", "RenteBedenkTijd", "01 geen")
      field("\t\t\t", "BetalingsTermijn", "01 per maand")
      field("\t\t\t", "BetalingAchterafJN", "J Ja")
      field("\t\t\t", "RentePct", format("%d.%02d", rng:int(2, 5), rng:int(0, 99)))
      field("\t\t\t", "RentePctBovenMarge", "0.00")
      field("\t\t\t", "RentePctOnderMarge", "0.00")
      put("\t\t</Leningdeel>\n")
    end
    put("\t</Lening>\n")
    close("Lening")
  end

  -- One application's worth of entities (one or two applicants). A third of
  -- them carry CDL keys; two applicants then share one bundled file (the
  -- Dataleverancier included twice with the same key) or have one file each.
  local function household()
    local street, huisnr = rng:pick(STREETS), tostring(rng:int(1, 250))
    local pc, place = postcode(rng), esc(rng:pick(PLACES))
    local two = rng:chance(60)
    local staat = two and rng:pick(CODES.BurgerlijkeStaat) or "03 Alleenstaand"
    local cdl = rng:chance(30)
    local shared_key = cdl and two and rng:chance(50) and dataleverancier_id(rng) or nil
    for _ = 1, two and 2 or 1 do
      local pid, did = id("NA"), nil
      if cdl then
        did = id("DL")
        dataleverancier(did, shared_key)
      end
      hypotheekgever(pid, did, staat)
      person_naw(pid, street, huisnr, pc, place)
    end
    if rng:chance(30) then huidig_object(street, huisnr, pc, place) end
    if rng:chance(25) then
      local cid = id("NA")
      company_naw(cid)
      tussenpersoon(cid)
    end
    object(street, huisnr, pc, place)
    lening()
  end

  while true do
    local m = mark()
    household()
    if size > limit then rollback(m); break end
  end
  -- Fill the rest with small entities: rechtspersoon PartijNAWData, full
  -- and then minimal (about 440 and 150 bytes).
  for _, filler in ipairs({ company_naw, minimal_naw }) do
    while true do
      local m = mark()
      filler(id("NA"))
      if size > limit then rollback(m); break end
    end
  end

  local out = { SIZED_HEAD }
  for _, name in ipairs(SIZED_ORDER) do out[#out + 1] = concat(bufs[name], "", 1, counts[name]) end
  out[#out + 1] = SIZED_TAIL
  return concat(out)
end

-- }======================================================================

return M
