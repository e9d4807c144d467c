--- Built-in CDL format `ockto-json`: an Ockto-like ODM JSON result, one file
-- per delivery, holding one person (per-person journey) or two (bundled).
--
-- Ockto publishes no ODM field list. What is public is the envelope, seen in
-- the data-file key of HDN's own BronAanvraagBericht sample: base64 of
-- `{"consumerData":{"DataSources":[...],"Id":"<uuid>","OdmVersion":"V4_4"}}`.
-- Everything below the envelope is the project's own modelled shape
-- (research/cdl-formats.md, "Format A"), PascalCase to match the envelope:
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
-- `decode` copies only the fields it knows (a whitelist) into the delivery,
-- so a BSN (the BRP block's `Burgerservicenummer`, a partner's, or one under
-- any other name) never enters it; nor do children, former partners, travel
-- documents, IBANs or document links, which fill has no use for.
-- @module axlink.formats.ockto

local cjson = require "cjson.safe"
local values = require "axlink.values"

-- An instance of our own: its settings do not leak into other users of cjson.
local json = cjson.new()
json.decode_max_depth(64)            -- the shape is about 7 levels deep
json.decode_invalid_numbers(false)   -- no NaN, Infinity or hexadecimal

local NULL = json.null

local NAME = "ockto-json"
local MAX_BYTES = 64 * 1024 * 1024           -- as axlink.cdl.read's cap
local DETECT_HEAD = 64 * 1024                -- detect looks for the envelope here
local DETECT_DECODE_MAX = 8 * 1024 * 1024    -- and decodes files up to this size to be sure

local format = {
  name = NAME,
  description = "Ockto-like ODM JSON (consumerData envelope; bundled or per person); modelled, not Ockto's spec",
}

-- Code tables from the CDL's codes to HDN code lists ("code omschrijving").
-- A host overrides single entries with `opts.codes` (e.g.
-- `{ country = { BE = "BE België" } }`); entries missing here are proposed,
-- never guessed. Kept small on purpose: a wrong description would make the
-- AX invalid for the receiver's schema.
format.codes = {
  -- BRP/ISO country codes -> HDN Land (ISO 3166 alpha-2 + description, as in
  -- HDN's sample). 6030 is BRP table 34's code for the Netherlands.
  country = { NL = "NL Nederland", ["6030"] = "NL Nederland" },
  -- Nationality -> HDN Nationaliteit; 0001 is BRP table 32's "Nederlandse".
  nationality = { NL = "NL Nederland", ["0001"] = "NL Nederland" },
  -- BRP geslacht -> HDN Geslacht. Empty: HDN's list is not public here, and
  -- BRP "O" (onbekend) must never be forced into a code. Hosts add e.g. M/V.
  gender = {},
  -- DUO scheme -> HDN SoortVerplichting (older HDN datacatalogus).
  study_loan = { Studiefinanciering = "12 Studielening", Studievoorschot = "14 Studievoorschot" },
  study_loan_default = "12 Studielening",
  -- HDN's StudieleningInventarisatie value for "there is a study loan": its
  -- code list is not public here, so none by default (the proposal then
  -- carries no value, only the reason). Only ever proposed, never written.
  study_loan_present = nil,
  aow = "09 AOW",
}

-- {======================================================================
-- Small helpers: refusals, JSON kinds, dates, base64
-- =======================================================================

-- Refusals travel as a tagged table through error() inside decode and are
-- turned into `nil, message` at its edge; any other error is a bug and is
-- re-raised (axlink.cdl turns it into AXL-C12).
local Refusal = {}

local function refuse(path, what)
  error(setmetatable({ msg = ("AXL-C20 %s: %s: %s"):format(NAME, path, what) }, Refusal), 0)
end

local function is_null(v)
  return v == nil or v == NULL
end

-- cjson decodes [] and {} alike, so an empty table passes as either.
local function is_array(v)
  if type(v) ~= "table" then return false end
  local n = 0
  for k in pairs(v) do
    if math.type(k) ~= "integer" then return false end
    n = n + 1
  end
  return n == #v
end

local function is_object(v)
  if type(v) ~= "table" then return false end
  for k in pairs(v) do
    if type(k) ~= "string" then return false end
  end
  return true
end

local function days_in_month(y, m)
  if m == 2 and y % 4 == 0 and (y % 100 ~= 0 or y % 400 == 0) then return 29 end
  return ({ 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 })[m]
end

-- YYYY-MM-DD; with partial_ok, BRP's unknown month and/or day as 00.
local function valid_date(s, partial_ok)
  local y, m, d = s:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)$")
  if not y then return false end
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  if y == 0 or m > 12 then return false end
  if m == 0 then return partial_ok and d == 0 end
  if d == 0 then return partial_ok end
  return d <= days_in_month(y, m)
end

local function complete_date(s)
  return type(s) == "string" and valid_date(s, false)
end

-- Days since 1970-01-01 (proleptic Gregorian), and back (H. Hinnant's
-- algorithms): exact, and free of the host's time zone, unlike os.time.
local function days_from_civil(y, m, d)
  y = m <= 2 and y - 1 or y
  local era = y // 400
  local yoe = y - era * 400
  local doy = (153 * (m + (m > 2 and -3 or 9)) + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end

local function civil_from_days(z)
  z = z + 719468
  local era = z // 146097
  local doe = z - era * 146097
  local yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
  local doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
  local mp = (5 * doy + 2) // 153
  local d = doy - (153 * mp + 2) // 5 + 1
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400 + (m <= 2 and 1 or 0)
  return y, m, d
end

-- An ISO date-time with a zone (Z or +hh:mm) -> UTC "YYYY-MM-DDThh:mm:ssZ".
-- A date-time without a zone is refused: guessing Dutch local time or UTC
-- could move it to another day.
local function utc_datetime(s)
  local date, hh, mi, ss, zone = s:match("^(%d%d%d%d%-%d%d%-%d%d)T(%d%d):(%d%d):(%d%d)%.?%d*(.*)$")
  if not date or not valid_date(date) then return nil end
  hh, mi, ss = tonumber(hh), tonumber(mi), tonumber(ss)
  if hh > 23 or mi > 59 or ss > 59 then return nil end
  local offset
  if zone == "Z" then
    offset = 0
  else
    local sign, oh, om = zone:match("^([+-])(%d%d):?(%d%d)$")
    if not sign or tonumber(oh) > 14 or tonumber(om) > 59 then return nil end
    offset = (tonumber(oh) * 60 + tonumber(om)) * (sign == "+" and 1 or -1)
  end
  local y, m, d = date:match("^(%d+)%-(%d+)%-(%d+)$")
  local minutes = days_from_civil(tonumber(y), tonumber(m), tonumber(d)) * 1440 + hh * 60 + mi - offset
  local yy, mm, dd = civil_from_days(minutes // 1440)
  local rest = minutes % 1440
  return ("%04d-%02d-%02dT%02d:%02d:%02dZ"):format(yy, mm, dd, rest // 60, rest % 60, ss)
end

-- The date `years` and `months` after a complete birth date (the day a
-- person reaches that age; the 31st becomes the month's last day).
local function add_age(birth, age)
  if not complete_date(birth) or not age or not age.years then return nil end
  local y, m, d = birth:match("^(%d+)%-(%d+)%-(%d+)$")
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  local months = (m - 1) + (age.months or 0)
  y = y + age.years + months // 12
  m = months % 12 + 1
  return ("%04d-%02d-%02d"):format(y, m, math.min(d, days_in_month(y, m)))
end

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

local function base64(s)
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = s:byte(i, i + 2)
    local n = (a << 16) | ((b or 0) << 8) | (c or 0)
    local q = {}
    for j = 1, 4 do
      local k = (n >> (6 * (4 - j))) & 63
      q[j] = B64:sub(k + 1, k + 1)
    end
    if not b then q[3] = "=" end
    if not c then q[4] = "=" end
    out[#out + 1] = table.concat(q)
  end
  return table.concat(out)
end

local function strip_bom(bytes)
  if bytes:sub(1, 3) == "\239\187\191" then return bytes:sub(4) end
  return bytes
end

-- {======================================================================
-- Typed field access: every refusal names the path, never the value
-- =======================================================================

local function at(path, key)
  if math.type(key) == "integer" then return ("%s[%d]"):format(path, key) end
  return path .. "." .. key
end

-- Trims spaces in linear time (a pattern like "^%s*(.-)%s*$" is quadratic
-- on a long run of inner spaces, which a hostile file can supply).
local function trim(s)
  local i = s:find("[^ ]")
  if not i then return "" end
  local j = #s
  while j > i and s:byte(j) == 32 do j = j - 1 end
  return s:sub(i, j)
end

-- Text: UTF-8, no control characters, trimmed; "" becomes nil.
local function text(obj, key, path)
  local v = obj[key]
  if is_null(v) then return nil end
  local p = at(path, key)
  if type(v) ~= "string" then refuse(p, "string expected") end
  if not utf8.len(v) then refuse(p, "not valid UTF-8") end
  if v:find("[\0-\31\127]") then refuse(p, "control character in text") end
  v = trim(v)
  if v == "" then return nil end
  return v
end

-- A key: text without any whitespace (a key with spaces or a line break is
-- AXL-R06 in the AX, so it is refused here, at the source).
local function key_text(obj, key, path, pattern)
  local v = obj[key]
  if is_null(v) then return nil end
  local p = at(path, key)
  if type(v) ~= "string" then refuse(p, "string expected") end
  if v == "" then return nil end
  if not v:match(pattern) or #v > 200 then refuse(p, "not a valid key") end
  return v
end

local function number(obj, key, path)
  local v = obj[key]
  if is_null(v) then return nil end
  local p = at(path, key)
  if type(v) == "string" and v:match("^%-?%d+%.?%d*$") then v = tonumber(v) end
  if type(v) ~= "number" or v ~= v or v == math.huge or v == -math.huge then refuse(p, "number expected") end
  return v
end

local function amount(obj, key, path)
  local v = number(obj, key, path)
  if v and v < 0 then refuse(at(path, key), "negative amount") end
  return v
end

local function integer(obj, key, path)
  local v = number(obj, key, path)
  if v == nil then return nil end
  local i = math.tointeger(v)
  if not i or i < 0 then refuse(at(path, key), "non-negative whole number expected") end
  return i
end

local function boolean(obj, key, path)
  local v = obj[key]
  if is_null(v) then return nil end
  if type(v) ~= "boolean" then refuse(at(path, key), "true or false expected") end
  return v
end

local function date(obj, key, path, partial_ok)
  local v = obj[key]
  if is_null(v) or v == "" then return nil end
  local p = at(path, key)
  if type(v) ~= "string" then refuse(p, "date string expected") end
  if not valid_date(v, partial_ok) then refuse(p, "YYYY-MM-DD date expected") end
  return v
end

local function datetime(obj, key, path)
  local v = obj[key]
  if is_null(v) or v == "" then return nil end
  local p = at(path, key)
  if type(v) ~= "string" then refuse(p, "date-time string expected") end
  local utc = utc_datetime(v)
  if not utc then refuse(p, "ISO date-time with a time zone expected") end
  return utc
end

-- A date, or a date-time reduced to UTC.
local function date_or_datetime(obj, key, path)
  local v = obj[key]
  if type(v) == "string" and v:find("T", 1, true) then return datetime(obj, key, path) end
  return date(obj, key, path)
end

local function object(obj, key, path)
  local v = obj[key]
  if is_null(v) then return nil end
  if not is_object(v) then refuse(at(path, key), "object expected") end
  return v
end

local function array(obj, key, path)
  local v = obj[key]
  if is_null(v) then return nil end
  if not is_array(v) then refuse(at(path, key), "array expected") end
  return v
end

-- Calls f(item, item_path) for each element of an array of objects and
-- collects what it returns.
local function each_object(list, path, f)
  local out = {}
  for i, item in ipairs(list or {}) do
    local p = at(path, i)
    if not is_object(item) then refuse(p, "object expected") end
    out[#out + 1] = f(item, p)
  end
  return out
end

-- {======================================================================
-- decode: the source blocks, whitelisted
-- =======================================================================

local ROLES = { applicant = "aanvrager", aanvrager = "aanvrager", partner = "partner" }

local function age_of(obj, key, path)
  local a = object(obj, key, path)
  if not a then return nil end
  local p = at(path, key)
  local years = integer(a, "Jaren", p)
  if not years then return nil end   -- {"Event": "Overlijden"}: no age
  return { years = years, months = integer(a, "Maanden", p) or 0 }
end

local function current_address(moh, path)
  local list = array(moh, "Adressen", path)
  if not list then return nil end
  local lp = at(path, "Adressen")
  local current, unflagged = {}, {}
  for i, a in ipairs(list) do
    local p = at(lp, i)
    if not is_object(a) then refuse(p, "object expected") end
    local flag = boolean(a, "Huidig", p)
    if flag then current[#current + 1] = { a, p } elseif flag == nil then unflagged[#unflagged + 1] = { a, p } end
  end
  -- Exactly one address flagged current, or a single unflagged one; anything
  -- else is ambiguous and gives no address (fill then writes none).
  local pick = #current == 1 and current[1] or (#current == 0 and #list == 1 and unflagged[1]) or nil
  if not pick then return nil end
  local a, p = pick[1], pick[2]
  local number_v = a.Huisnummer
  local house
  if math.type(number_v) == "float" then number_v = math.tointeger(number_v) end
  if math.type(number_v) == "integer" and number_v > 0 then
    house = tostring(number_v)
  elseif type(number_v) == "string" and number_v:match("^%d+$") then
    house = number_v
  elseif not is_null(number_v) then
    refuse(at(p, "Huisnummer"), "house number expected")
  end
  local postcode = text(a, "Postcode", p)
  if postcode then
    -- BRP writes 9721TB; 9721 TB and lower case are normalised to that,
    -- anything else (a foreign postcode) is kept as given.
    local digits, letters = postcode:upper():match("^(%d%d%d%d)%s?(%u%u)$")
    postcode = digits and digits .. letters or postcode
  end
  return {
    street = text(a, "Straat", p), number = house, letter = text(a, "Huisletter", p),
    addition = text(a, "Huisnummertoevoeging", p), postcode = postcode, city = text(a, "Woonplaats", p),
    country = text(a, "Land", p), since = date(a, "DatumVanaf", p, true),
  }
end

local function decode_moh(moh, path)
  local nationalities = {}
  for i in ipairs(array(moh, "Nationaliteiten", path) or {}) do
    nationalities[#nationalities + 1] = text(moh.Nationaliteiten, i, at(path, "Nationaliteiten"))
  end
  -- Burgerservicenummer, BurgerlijkeStaat, Partner, Kinderen,
  -- VoormaligePartners and Reisdocumenten are deliberately not copied.
  return {
    first_names = text(moh, "Voornamen", path),
    initials = text(moh, "Voorletters", path),
    prefix = text(moh, "Voorvoegsel", path),
    surname = text(moh, "Geslachtsnaam", path),
    gender = text(moh, "Geslacht", path),
    birth_date = date(moh, "Geboortedatum", path, true),
    birth_place = text(moh, "Geboorteplaats", path),
    birth_country = text(moh, "Geboorteland", path),
    nationalities = nationalities,
    address = current_address(moh, path),
  }
end

local function decode_uwv(uwv, path)
  return {
    version = text(uwv, "VzbVersie", path),
    downloaded = date(uwv, "Downloaddatum", path),
    employments = each_object(array(uwv, "Dienstverbanden", path), at(path, "Dienstverbanden"), function(e, p)
      local insured = {}
      for i in ipairs(array(e, "VerzekerdeWetten", p) or {}) do
        insured[#insured + 1] = text(e.VerzekerdeWetten, i, at(p, "VerzekerdeWetten"))
      end
      return {
        employer = text(e, "WerkgeverNaam", p),
        payroll_tax_number = text(e, "Loonheffingennummer", p),
        contract = text(e, "Contractvorm", p),
        insured = insured,
        start_date = date(e, "Begindatum", p),
        end_date = date(e, "Einddatum", p),
        periods = each_object(array(e, "Loonperioden", p), at(p, "Loonperioden"), function(l, lp)
          return {
            from = date(l, "Van", lp), to = date(l, "Tot", lp), hours = number(l, "Uren", lp),
            sv_wage = number(l, "SvLoon", lp), car_contribution = number(l, "EigenBijdrageAuto", lp),
            car_private_use = number(l, "WaardePrivegebruikAuto", lp),
          }
        end),
      }
    end),
  }
end

local function decode_mpo(upo, path)
  local aow
  local a = object(upo, "Aow", path)
  if a then
    local p = at(path, "Aow")
    aow = {
      age = age_of(upo, "AowLeeftijd", path),
      start_date = date(a, "Ingangsdatum", p),
      incl_holiday_pay = boolean(a, "InclusiefVakantietoeslag", p),
      shortfall_years = number(a, "Kortingsjaren", p),
      accrued_couple = amount(a, "OpgebouwdSamenwonend", p),
      accrued_single = amount(a, "OpgebouwdAlleenstaand", p),
      reachable_couple = amount(a, "TeBereikenSamenwonend", p),
      reachable_single = amount(a, "TeBereikenAlleenstaand", p),
    }
  end
  return {
    as_of = date(upo, "StandPer", path),
    aow = aow,
    old_age = each_object(array(upo, "OuderdomsPensioen", path), at(path, "OuderdomsPensioen"), function(b, p)
      return {
        from = age_of(b, "Van", p),
        to = age_of(b, "Tot", p),   -- nil: lifelong
        arrangements = each_object(array(b, "Regelingen", p), at(p, "Regelingen"), function(r, rp)
          return {
            id = text(r, "HerkenningsNummer", rp), provider = text(r, "PensioenUitvoerder", rp),
            accrued = amount(r, "Opgebouwd", rp), reachable = amount(r, "TeBereiken", rp),
            as_of = date(r, "StandPer", rp), indicative = boolean(r, "Indicatief", rp) or false,
          }
        end),
      }
    end),
    -- Kept as facts; a partner's pension is never income, so fill ignores it.
    partner_pensions = each_object(array(upo, "PartnerPensioen", path), at(path, "PartnerPensioen"), function(r, rp)
      return { provider = text(r, "PensioenUitvoerder", rp), insured = amount(r, "VerzekerdBedrag", rp),
        accrued = amount(r, "OpgebouwdBedrag", rp) }
    end),
  }
end

local function decode_duo(duo, path)
  return {
    scheme = text(duo, "Regeling", path),
    debt = amount(duo, "Schuldsaldo", path),
    interest_rate = number(duo, "Rentepercentage", path),
    rate_fixed_until = date(duo, "RenteVastTot", path),
    statutory_monthly = amount(duo, "WettelijkMaandbedrag", path),
    means_tested_monthly = amount(duo, "MaandbedragDraagkracht", path),
    repayment_start = date(duo, "AflosfaseStart", path),
    remaining_months = integer(duo, "ResterendeLooptijdMaanden", path),
    as_of = date(duo, "Peildatum", path),
  }
end

local function decode_via(via, path)
  -- Account numbers (IBAN, loan numbers) are not copied: RekeningNr is never
  -- filled, and the figures are last year's, for cross-checks only.
  return {
    tax_year = integer(via, "Belastingjaar", path),
    incomes = each_object(array(via, "Inkomsten", path), at(path, "Inkomsten"), function(i, p)
      return { payer = text(i, "Inhoudingsplichtige", p), wage = number(i, "Loon", p) }
    end),
    bank_balances = each_object(array(via, "Bankrekeningen", path), at(path, "Bankrekeningen"), function(b, p)
      return { institution = text(b, "Instelling", p), balance = number(b, "Saldo", p),
        as_of = date(b, "Peildatum", p) }
    end),
    own_home_debts = each_object(array(via, "EigenWoningSchulden", path), at(path, "EigenWoningSchulden"),
      function(s, p)
        return { lender = text(s, "Geldverstrekker", p), debt = amount(s, "Schuld", p),
          interest_paid = amount(s, "BetaaldeRente", p) }
      end),
    aggregate_income = number(via, "Verzamelinkomen", path),
  }
end

local BLOCKS = {
  { key = "MOH", data = "brp", decode = decode_moh },
  { key = "UWV", data = "uwv", decode = decode_uwv },
  { key = "UPO", data = "mpo", decode = decode_mpo },
  { key = "DUO", data = "duo", decode = decode_duo },
  { key = "VIA", data = "via", decode = decode_via },
}

local function decode_person(p, path)
  local person = {
    id = key_text(p, "PersonId", path, "^[%w][%w%-]*$"),   -- nil stays nil: never invented
    data = {},
  }
  local role = text(p, "Role", path)
  person.role = role and ROLES[role:lower()] or nil   -- a hint: an unknown role is simply absent
  person.sources = each_object(array(p, "Sources", path), at(path, "Sources"), function(s, sp)
    local code = text(s, "Code", sp)
    if not code then refuse(at(sp, "Code"), "missing") end
    local available = boolean(s, "Available", sp)
    if available == nil then available = true end   -- listed without a flag: collected
    return { code = code, product = text(s, "Product", sp), retrieved_at = datetime(s, "RetrievedAt", sp),
      available = available }
  end)
  for _, b in ipairs(BLOCKS) do
    local block = object(p, b.key, path)
    if block then person.data[b.data] = b.decode(block, at(path, b.key)) end
  end
  local brp = person.data.brp
  if brp then
    person.birth_date = brp.birth_date
    person.surname = brp.surname
    person.prefix = brp.prefix
    -- For verification: letters only ("IJ.W." -> "IJW"); nil when BRP gave none.
    local letters = brp.initials and brp.initials:gsub("[%s%.]", "")
    person.initials = letters ~= "" and letters or nil
  end
  return person
end

local function envelope_of(doc)
  if not is_object(doc) then return nil end
  local env = doc.consumerData
  if is_null(env) then env = doc.ConsumerData end
  return env, doc.consumerData ~= nil and "consumerData" or "ConsumerData"
end

local function decode_document(doc)
  if not is_object(doc) or (next(doc) ~= nil and is_array(doc)) then refuse("(root)", "JSON object expected") end
  local env, path = envelope_of(doc)
  if is_null(env) then refuse("consumerData", "missing") end
  if not is_object(env) then refuse(path, "object expected") end
  local id = key_text(env, "Id", path, "^[%w][%w%-]*$")
  if not id then refuse(at(path, "Id"), "missing") end
  local odm = key_text(env, "OdmVersion", path, "^[%w][%w_%.]*$")
  if not odm then refuse(at(path, "OdmVersion"), "missing") end
  local list = array(env, "DataSources", path)
  if not list then refuse(at(path, "DataSources"), "missing") end
  local sources, quoted = {}, {}
  for i in ipairs(list) do
    local code = key_text(list, i, at(path, "DataSources"), "^[%w_]+$")
    if not code then refuse(at(at(path, "DataSources"), i), "missing") end
    sources[i] = code
    quoted[i] = '"' .. code .. '"'
  end
  -- Ids, versions and codes are refused above unless they are letters,
  -- digits, '-', '_' or '.', so no JSON escaping is needed here.
  local key_json = ('{"consumerData":{"DataSources":[%s],"Id":"%s","OdmVersion":"%s"}}')
    :format(table.concat(quoted, ","), id, odm)
  local persons = array(env, "Persons", path)
  if not persons or #persons == 0 then refuse(at(path, "Persons"), "at least one person expected") end
  return {
    id = base64(key_json),
    supplier = "02 Ockto",
    format = NAME,
    collected_at = datetime(env, "CollectedAt", path),
    valid_until = date_or_datetime(env, "ConsentValidUntil", path),
    sources = sources,
    persons = each_object(persons, at(path, "Persons"), decode_person),
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
  local head = strip_bom(bytes:sub(1, DETECT_HEAD))
  if not head:match("^%s*{") then return false end
  if not (head:find('"consumerData"%s*:') or head:find('"ConsumerData"%s*:')) then return false end
  if #bytes > DETECT_DECODE_MAX then return true end
  local doc = json.decode(strip_bom(bytes))
  local env = envelope_of(doc)
  return is_object(env) and type(env.Id) == "string" and type(env.OdmVersion) == "string"
end

--- Decodes one Ockto-style file into a delivery (DESIGN 4.1).
-- Refusals read `AXL-C20 ockto-json: <field path>: <what is wrong>` and
-- never quote a value.
-- @param bytes the file's content
-- @return delivery, or nil and a message
function format.decode(bytes)
  if type(bytes) ~= "string" then return nil, ("AXL-C20 %s: input: string expected"):format(NAME) end
  if #bytes > MAX_BYTES then return nil, ("AXL-C20 %s: file larger than 64 MiB"):format(NAME) end
  bytes = strip_bom(bytes)
  if not bytes:match("^%s*{") then return nil, ("AXL-C20 %s: (root): JSON object expected"):format(NAME) end
  local doc, err = json.decode(bytes)
  if doc == nil then
    -- cjson names the token kind and a position, never the text; we keep
    -- only the position.
    local where = type(err) == "string" and err:match("character (%d+)")
    return nil, ("AXL-C20 %s: not valid JSON%s"):format(NAME, where and (" (near byte " .. where .. ")") or "")
  end
  local ok, result = pcall(decode_document, doc)
  if ok then return result end
  if getmetatable(result) == Refusal then return nil, result.msg end
  error(result, 0)
end

-- {======================================================================
-- fill
-- =======================================================================

-- format.codes with opts.codes laid over it, one table deep; copies, so
-- neither table is changed.
local function codes_for(opts)
  local merged = {}
  for _, layer in ipairs { format.codes, type(opts.codes) == "table" and opts.codes or {} } do
    for k, v in pairs(layer) do
      if type(v) == "table" then
        local t = type(merged[k]) == "table" and merged[k] or {}
        for code, hdn in pairs(v) do t[code] = hdn end
        merged[k] = t
      else
        merged[k] = v
      end
    end
  end
  -- Sub-tables fill reads even when a host's override removed them.
  for _, k in ipairs { "country", "nationality", "gender", "study_loan" } do
    if type(merged[k]) ~= "table" then merged[k] = {} end
  end
  return merged
end

-- The retrieval date (YYYY-MM-DD, UTC) of the person's source with this
-- code, else the file's collection date.
local function source_date(person, delivery, code)
  for _, s in ipairs(person.sources or {}) do
    if s.code == code and s.available ~= false and s.retrieved_at then return s.retrieved_at:sub(1, 10) end
  end
  return delivery.collected_at and delivery.collected_at:sub(1, 10) or nil
end

local function fmt_amount(x)
  if x == nil then return nil end
  return (values.amount(x))
end

local function cents(x)
  return math.tointeger(tonumber((fmt_amount(x):gsub("%.", ""))))
end

local function from_cents(c)
  return values.amount(("%d.%02d"):format(c // 100, c % 100))
end

-- What the AX holds now in the linked PartijNAWData (nil when absent).
local function current(ctx, field)
  return ctx:get("PartijNAWData", field)
end

local function has_partij(ctx)
  return ctx:get("PartijNAWData", "SoortPartij") ~= nil
end

local function fill_brp(ctx, person, delivery, codes)
  local brp = person.data.brp
  local meta = { source = "BRP", source_date = source_date(person, delivery, "MOH"), kind = "copied" }
  local function set(field, value, m)
    if value ~= nil then ctx:set("PartijNAWData", field, value, m or meta) end
  end
  set("VoorNamen", brp.first_names)
  set("GeboorteAchternaam", brp.surname)   -- without the voorvoegsel
  set("GeboorteTussenvoegsels", brp.prefix)   -- the voorvoegsel in its own field
  -- Initials only as BRP gave them (never derived from the first names,
  -- which gets "Th" and "IJ" wrong), written as HDN does: letters only.
  if person.initials then set("VoorLetters", person.initials) end
  if complete_date(brp.birth_date) then set("GeboorteDt", brp.birth_date) end
  if brp.gender and codes.gender[brp.gender] then set("Geslacht", codes.gender[brp.gender]) end

  local born_here = brp.birth_country and codes.country[brp.birth_country] == "NL Nederland"
  if brp.birth_country then
    local land = codes.country[brp.birth_country]
    if land then
      set("GeboorteLand", land)
    else
      ctx:propose("PartijNAWData", "GeboorteLand", brp.birth_country, meta, "country code not in format.codes.country")
    end
  end
  if brp.birth_place then
    -- A Dutch place name is plain text; a foreign one may need the
    -- receiver's spelling, so the adviser decides.
    if born_here then
      set("GeboortePlaats", brp.birth_place)
    else
      ctx:propose("PartijNAWData", "GeboortePlaats", brp.birth_place, meta, "born abroad: check the spelling")
    end
  end
  local nats = brp.nationalities or {}
  if #nats == 1 and codes.nationality[nats[1]] then
    set("Nationaliteit", codes.nationality[nats[1]])
  else
    for _, n in ipairs(nats) do
      ctx:propose("PartijNAWData", "Nationaliteit", codes.nationality[n] or n, meta,
        #nats > 1 and "several nationalities: the adviser chooses" or "nationality not in format.codes.nationality")
    end
  end

  local a = brp.address
  if a and a.street and a.number and a.postcode and a.city then
    -- AX has one field for BRP's huisletter and huisnummertoevoeging
    -- (integrator review 5.8): joined with a space, "14 B 2" stays readable.
    local addition = a.letter and a.addition and (a.letter .. " " .. a.addition) or a.letter or a.addition
    local land = codes.country[a.country or "NL"]
    local fields = {
      { "StraatNaam", a.street }, { "HuisNr", a.number }, { "HuisNrToevoeging", addition },
      { "Postcode", a.postcode }, { "PlaatsNaam", a.city }, { "Land", land },
    }
    -- The address is one unit: when the AX already holds another address
    -- (a correspondence address, a household about to move), writing the
    -- missing parts from BRP would mix two addresses. Then only propose.
    local other = false
    if has_partij(ctx) then
      for _, f in ipairs { { "StraatNaam", a.street }, { "HuisNr", a.number }, { "Postcode", a.postcode } } do
        local now = current(ctx, f[1])
        if now and now:gsub("%s", ""):upper() ~= f[2]:gsub("%s", ""):upper() then other = true end
      end
    end
    if not land then
      other = true   -- a foreign or RNI address we cannot code: never forced
    end
    for _, f in ipairs(fields) do
      if f[2] ~= nil then
        if other then
          ctx:propose("PartijNAWData", f[1], f[2], meta, land and "the AX holds another address: not mixed"
            or "address country not in format.codes.country")
        else
          set(f[1], f[2])
        end
      end
    end
  end
end

local function fill_aow(ctx, person, delivery, opts, codes)
  local mpo = person.data.mpo
  local aow = mpo and mpo.aow
  if not aow then return end
  local meta = { source = "MPO", source_date = source_date(person, delivery, "UPO"), kind = "copied" }
  -- AOW accrues by residence, so MPO's "te bereiken" is the usual figure
  -- (for a pensioner both are equal); opts.aow_basis = "accrued" takes the
  -- accrued one instead.
  local basis = opts.aow_basis or "reachable"
  if basis ~= "reachable" and basis ~= "accrued" then error("opts.aow_basis: 'accrued' or 'reachable' expected", 0) end
  local function pick(h)
    if basis == "accrued" then return aow["accrued_" .. h] end
    return aow["reachable_" .. h] or aow["accrued_" .. h]
  end
  local key = { SoortUitkering = codes.aow }
  local start, start_kind = aow.start_date, "copied"
  if not start then start, start_kind = add_age(person.birth_date, aow.age), "derived" end
  local start_meta = { source = "MPO", source_date = meta.source_date, kind = start_kind }
  local full = aow.shortfall_years and values.JN(aow.shortfall_years == 0) or nil
  local full_meta = { source = "MPO", source_date = meta.source_date, kind = "derived" }

  local household = opts.household
  if household ~= nil and household ~= "single" and household ~= "couple" then
    error("opts.household: 'single' or 'couple' expected", 0)
  end
  -- HDN's BrutoJaarUitkering excludes holiday pay: an amount that includes
  -- it is not converted by guesswork, only proposed.
  local amount_ok = aow.incl_holiday_pay ~= true
  local value = household and pick(household)
  if value and amount_ok then
    ctx:entity("Uitkering", key, { BrutoJaarUitkering = fmt_amount(value) }, meta)
    if start then ctx:entity("Uitkering", key, { IngangsDt = start }, start_meta) end
    if full then ctx:entity("Uitkering", key, { AOWVolledigeOpbouwJN = full }, full_meta) end
    return
  end
  -- Without a household both figures are proposed; with one that MPO gives
  -- no figure for, none.
  local why = not amount_ok and "MPO amount includes holiday pay; BrutoJaarUitkering excludes it" or nil
  for _, h in ipairs { "couple", "single" } do
    local v = pick(h)
    if v and (household == nil or household == h) then
      ctx:propose("Hypotheekgever", "Inkomsten/Uitkering/BrutoJaarUitkering", fmt_amount(v), meta,
        why or ("AOW if the household after the purchase is %s: pass opts.household"):format(
          h == "couple" and "a couple" or "single"))
    end
  end
  if start then ctx:propose("Hypotheekgever", "Inkomsten/Uitkering/IngangsDt", start, start_meta, "AOW start") end
  if full then
    ctx:propose("Hypotheekgever", "Inkomsten/Uitkering/AOWVolledigeOpbouwJN", full, full_meta, "AOW accrual")
  end
end

local function age_before(a, b)
  return a.years * 12 + a.months < b.years * 12 + b.months
end

local function fill_pensions(ctx, person, delivery, opts)
  local mpo = person.data.mpo
  if not mpo or #(mpo.old_age or {}) == 0 then return end
  local meta_date = source_date(person, delivery, "UPO")
  local basis = opts.pension_basis
  if basis ~= nil and basis ~= "accrued" and basis ~= "reachable" then
    error("opts.pension_basis: 'accrued' or 'reachable' expected", 0)
  end
  -- One entry per arrangement (by HerkenningsNummer, else per occurrence):
  -- its earliest start age over all blocks, and its amounts in a lifelong
  -- block (no end age). Arrangements only in blocks with an end age are
  -- temporary and only proposed.
  local entries, order = {}, {}
  for bi, block in ipairs(mpo.old_age) do
    for ri, r in ipairs(block.arrangements) do
      local id = r.id or ("#" .. bi .. "." .. ri)
      local e = entries[id]
      if not e then
        e = { id = id }
        entries[id] = e
        order[#order + 1] = e
      end
      if block.from and (not e.from or age_before(block.from, e.from)) then e.from = block.from end
      if block.to == nil then
        e.lifelong, e.r = true, r
      elseif not e.lifelong then
        e.r, e.to = r, block.to
      end
    end
  end
  -- Lifelong, non-indicative arrangements starting on the same date make one
  -- Pensioen entity (the model has no field for the provider to tell several
  -- apart). Its changes are marked derived: the start date (the entity's
  -- key, recorded with the same meta) is computed from the birth date and
  -- the start age, and the amount may be a sum.
  local groups, gorder = {}, {}
  for _, e in ipairs(order) do
    local m = { source = "MPO", source_date = meta_date, kind = "copied" }
    local r = e.r
    local start = e.from and add_age(person.birth_date, e.from)
    if not e.lifelong then
      local v = r.accrued or r.reachable
      if v then
        ctx:propose("Hypotheekgever", "Inkomsten/Pensioen/PensioenInkomen", fmt_amount(v), m,
          ("temporary pension (ends at %d years %d months): not filled"):format(e.to.years, e.to.months))
      end
    elseif r.indicative or not start or not basis then
      local reason = r.indicative and "indicative amount: not filled"
        or not start and "start date unknown (birth date incomplete or no start age)"
        or "pension amounts need opts.pension_basis (accrued or reachable)"
      for _, b in ipairs { { "accrued", r.accrued }, { "reachable", r.reachable } } do
        if b[2] and (basis == nil or basis == b[1]) then
          ctx:propose("Hypotheekgever", "Inkomsten/Pensioen/PensioenInkomen", fmt_amount(b[2]), m,
            b[1] .. " amount; " .. reason)
        end
      end
      if start then
        ctx:propose("Hypotheekgever", "Inkomsten/Pensioen/IngangsDtPensioen", start,
          { source = "MPO", source_date = meta_date, kind = "derived" }, reason)
      end
    else
      local v = basis == "accrued" and r.accrued or basis == "reachable" and r.reachable or nil
      if v == nil then
        ctx:propose("Hypotheekgever", "Inkomsten/Pensioen/PensioenInkomen", fmt_amount(r.accrued or r.reachable), m,
          "MPO gives no " .. basis .. " amount for this arrangement")
      else
        local g = groups[start]
        if not g then
          g = { start = start, cents = 0 }
          groups[start] = g
          gorder[#gorder + 1] = g
        end
        g.cents = g.cents + cents(v)
      end
    end
  end
  for _, g in ipairs(gorder) do
    ctx:entity("Pensioen", { IngangsDtPensioen = g.start }, { PensioenInkomen = from_cents(g.cents) },
      { source = "MPO", source_date = meta_date, kind = "derived" })
  end
end

local function fill_duo(ctx, person, delivery, codes)
  local duo = person.data.duo
  -- No debt, or DUO not collected: nothing at all. Missing data is not a
  -- negative fact, so StudieleningInventarisatie is never set to "no loan".
  if not duo or not duo.debt or cents(duo.debt) == 0 then return end
  local meta = { source = "DUO", source_date = source_date(person, delivery, "DUO"), kind = "copied" }
  local kind = duo.scheme and codes.study_loan[duo.scheme] or codes.study_loan_default
  local fields = { VerplichtingBedrag = fmt_amount(duo.debt) }
  -- The statutory monthly amount only once repayment has started; before
  -- that there is no term and the field stays absent (no "0.00"). The
  -- means-tested amount and any lender factor are not the AX's business.
  local as_of = duo.as_of or source_date(person, delivery, "DUO")
  local repaying = duo.repayment_start and as_of and duo.repayment_start <= as_of
  if repaying and duo.statutory_monthly then
    fields.MaandBedrag = fmt_amount(duo.statutory_monthly)
    if duo.remaining_months then fields.VerplichtingInMnd = tostring(duo.remaining_months) end
  end
  ctx:entity("Verplichtingen", { SoortVerplichting = kind }, fields, meta)
  ctx:propose("Hypotheekgever", "StudieleningInventarisatie", codes.study_loan_present, meta,
    "DUO shows a study debt: the adviser's inventory decides")
end

--- Says what goes into the AX for one linked, verified person (axlink.fill
-- decides what is written). BRP: names, initials (only as delivered), a
-- complete birth date, birth country/place and nationality through
-- `format.codes`, the current address as a unit. MPO: AOW into
-- Uitkering "09 AOW" only with `opts.household` ("single"|"couple"),
-- pensions into Pensioen only with `opts.pension_basis`
-- ("accrued"|"reachable"); otherwise proposals. DUO: a Verplichtingen entry
-- with the debt and, once repayment started, the statutory monthly amount.
-- UWV and VIA: nothing (no IBL from SV-loon; VIA is last year's).
-- @param ctx the fill context (axlink.fill)
-- @param person the delivery's person
-- @param delivery the delivery
-- @param opts household, pension_basis, aow_basis, codes
function format.fill(ctx, person, delivery, opts)
  opts = opts or {}
  local codes = codes_for(opts)
  if type(person.data) ~= "table" then return end
  if person.data.brp then fill_brp(ctx, person, delivery, codes) end
  fill_aow(ctx, person, delivery, opts, codes)
  fill_pensions(ctx, person, delivery, opts)
  fill_duo(ctx, person, delivery, codes)
end

--- Standard padded base64, as used for the data-file key (exposed for
-- tests; not part of the format contract).
-- @function _base64
format._base64 = base64

return format
