--- What every CDL format needs while decoding, written once (DESIGN 7.1):
-- refusals that name a field and never its value, typed access to decoded
-- JSON, ISO dates (BRP's partial ones too) and date-times reduced to UTC,
-- ages added to birth dates, amounts as two-decimal strings, base64, and the
-- BSN test. Pure Lua; no state.
-- @module axlink.formats.common

local cjson = require "cjson.safe"
local values = require "axlink.values"

local M = {}

-- One decoder instance of our own, so a host that changes cjson's global
-- settings changes nothing here. Numbers stay as JSON has them up to 17
-- digits (amounts are re-rounded by values.amount anyway).
local json = cjson.new()
json.decode_max_depth(64)
json.decode_invalid_numbers(false)
M.json = json
M.NULL = json.null

-- {======================================================================
-- Refusals
-- =======================================================================

local Refusal = {}

--- Raises a format's refusal: "AXL-C20 NAME: PATH: WHAT". Only inside a
-- function run by `protect`, which turns it into nil, message.
function M.refuse(name, path, what)
  error(setmetatable({ msg = ("AXL-C20 %s: %s: %s"):format(name, path, what) }, Refusal), 0)
end

--- Runs f(...) and turns a refusal into nil, message; any other error is
-- a bug in the format and is raised again (cdl.read reports it as AXL-C12).
function M.protect(f, ...)
  local ok, result, extra = pcall(f, ...)
  if ok then return result, extra end
  if getmetatable(result) == Refusal then return nil, result.msg end
  error(result, 0)
end

-- {======================================================================
-- Dates
-- =======================================================================

local function days_in_month(y, m)
  if m == 2 and y % 4 == 0 and (y % 100 ~= 0 or y % 400 == 0) then return 29 end
  return ({ 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 })[m]
end
M.days_in_month = days_in_month

--- True for YYYY-MM-DD; with partial_ok, also BRP's unknown month and/or day
-- written as 00 ("1958-00-00", "1958-12-00").
function M.valid_date(s, partial_ok)
  if type(s) ~= "string" then return false end
  local y, m, d = s:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)$")
  if not y then return false end
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  if y == 0 or m > 12 then return false end
  if m == 0 then return partial_ok and d == 0 or false end
  if d == 0 then return partial_ok or false end
  return d <= days_in_month(y, m)
end

--- The date when it is complete (no 00 parts), else nil.
function M.complete_date(s)
  if M.valid_date(s, false) then return s end
  return nil
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

--- An ISO date-time with a zone (Z or +hh:mm) as UTC "YYYY-MM-DDThh:mm:ssZ",
-- or nil. A date-time without a zone gives nil: guessing Dutch local time or
-- UTC could move it to another day.
function M.utc_datetime(s)
  if type(s) ~= "string" then return nil end
  local date, hh, mi, ss, zone = s:match("^(%d%d%d%d%-%d%d%-%d%d)T(%d%d):(%d%d):(%d%d)%.?%d*(.*)$")
  if not date or not M.valid_date(date) then return nil end
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

--- The day a person born on `birth` (complete) reaches `years` and `months`
-- (the 31st becomes the month's last day), or nil.
function M.add_age(birth, years, months)
  if not M.complete_date(birth) or math.type(years) ~= "integer" then return nil end
  local y, m, d = birth:match("^(%d+)%-(%d+)%-(%d+)$")
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  local total = (m - 1) + (months or 0)
  y = y + years + total // 12
  m = total % 12 + 1
  return ("%04d-%02d-%02d"):format(y, m, math.min(d, days_in_month(y, m)))
end

--- The date part (YYYY-MM-DD) of a date or date-time, or nil.
function M.day_of(s)
  if type(s) ~= "string" then return nil end
  local d = s:sub(1, 10)
  if M.valid_date(d) then return d end
  return nil
end

-- {======================================================================
-- Amounts, text, base64, BSN
-- =======================================================================

--- An amount (number or decimal string) as the vocabulary writes it: a
-- decimal string with two decimals ("1234.50"); nil stays nil.
function M.amount(x)
  if x == nil then return nil end
  return (values.amount(x))
end

--- Trims spaces in linear time (a pattern like "^%s*(.-)%s*$" is quadratic
-- on a long run of inner spaces, which a hostile file can supply).
function M.trim(s)
  local i = s:find("[^ ]")
  if not i then return "" end
  local j = #s
  while j > i and s:byte(j) == 32 do j = j - 1 end
  return s:sub(i, j)
end

function M.strip_bom(bytes)
  if bytes:sub(1, 3) == "\239\187\191" then return bytes:sub(4) end
  return bytes
end

local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local B64_VALUE = {}
for i = 1, 64 do B64_VALUE[B64:byte(i)] = i - 1 end

--- Standard padded base64.
function M.base64(s)
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

--- Strict padded base64 decoding: nil for anything else (wrong length,
-- a character outside the alphabet, padding inside, non-zero pad bits).
function M.unbase64(s)
  if type(s) ~= "string" or #s % 4 ~= 0 then return nil end
  local out = {}
  for i = 1, #s, 4 do
    local a, b, c, d = s:byte(i, i + 3)
    local va, vb = B64_VALUE[a], B64_VALUE[b]
    local last = i + 3 == #s
    local vc = B64_VALUE[c] or (last and c == 61 and d == 61 and 0)
    local vd = B64_VALUE[d] or (last and d == 61 and 0)
    if not (va and vb and vc and vd) then return nil end
    local n = (va << 18) | (vb << 12) | (vc << 6) | vd
    if d == 61 and c == 61 then
      if n & 0xFFFF ~= 0 then return nil end
      out[#out + 1] = string.char(n >> 16)
    elseif d == 61 then
      if n & 0xFF ~= 0 then return nil end
      out[#out + 1] = string.char(n >> 16, (n >> 8) & 255)
    else
      out[#out + 1] = string.char(n >> 16, (n >> 8) & 255, n & 255)
    end
  end
  return table.concat(out)
end

--- True when a field name says BSN: lower-cased and without separators it
-- contains burgerservice, sofinummer, citizenservicenumber or bsn
-- (bsnPartner, partner_bsn, klantBsnNr, burgerservicenr).
function M.names_bsn(key)
  if type(key) ~= "string" then return false end
  local k = key:lower():gsub("[%s%-_%.]", "")
  return (k:find("burgerservice", 1, true) or k:find("sofinummer", 1, true) or k:find("bsn", 1, true) or
    k:find("citizenservicenumber", 1, true) or k == "sofi" or k:sub(1, 3) == "bsn" or k:sub(-3) == "bsn") and true
    or false
end

-- {======================================================================
-- Typed access to decoded JSON: every refusal names the path, never the value
-- =======================================================================

local NULL = json.null

local function is_null(v) return v == nil or v == NULL end
M.is_null = is_null

--- cjson decodes [] and {} alike, so an empty table passes as either.
function M.is_array(v)
  if type(v) ~= "table" then return false end
  local n = 0
  for k in pairs(v) do
    if math.type(k) ~= "integer" then return false end
    n = n + 1
  end
  return n == #v
end

function M.is_object(v)
  if type(v) ~= "table" then return false end
  for k in pairs(v) do
    if type(k) ~= "string" then return false end
  end
  return true
end

--- The path of a member or an array element, for refusals.
function M.at(path, key)
  if math.type(key) == "integer" then return ("%s[%d]"):format(path, key) end
  return path .. "." .. key
end

--- A reader for one format: typed getters `r.text(obj, key, path)`,
-- `r.number`, `r.amount` (a two-decimal string), `r.integer`, `r.boolean`,
-- `r.date(obj, key, path, partial_ok)`, `r.datetime` (UTC), `r.day` (a date,
-- or the UTC day of a date-time), `r.object`, `r.array`,
-- `r.each_object(list, path, f)`, `r.key_text(obj, key, path, pattern)`;
-- each refuses with "AXL-C20 NAME: path: what" (run them inside `protect`).
function M.reader(name)
  local r = {}
  local at = M.at
  local function refuse(p, what) M.refuse(name, p, what) end
  r.refuse = refuse

  function r.text(obj, key, path)
    local v = obj[key]
    if is_null(v) then return nil end
    local p = at(path, key)
    if type(v) ~= "string" then refuse(p, "string expected") end
    if not utf8.len(v) then refuse(p, "not valid UTF-8") end
    if v:find("[\0-\31\127]") then refuse(p, "control character in text") end
    v = M.trim(v)
    if v == "" then return nil end
    return v
  end

  -- A key: text without any whitespace (a key with spaces or a line break
  -- is AXL-R06 in the AX, so it is refused here, at the source).
  function r.key_text(obj, key, path, pattern)
    local v = obj[key]
    if is_null(v) then return nil end
    local p = at(path, key)
    if type(v) ~= "string" then refuse(p, "string expected") end
    if v == "" then return nil end
    if not v:match(pattern) or #v > 200 then refuse(p, "not a valid key") end
    return v
  end

  function r.number(obj, key, path)
    local v = obj[key]
    if is_null(v) then return nil end
    if type(v) == "string" and v:match("^%-?%d+%.?%d*$") then v = tonumber(v) end
    if type(v) ~= "number" or v ~= v or v == math.huge or v == -math.huge then
      refuse(at(path, key), "number expected")
    end
    return v
  end

  function r.amount(obj, key, path)
    local v = r.number(obj, key, path)
    if v == nil then return nil end
    if v < 0 then refuse(at(path, key), "negative amount") end
    local ok, s = pcall(values.amount, v)
    if not ok then refuse(at(path, key), "not an amount") end
    return s
  end

  function r.integer(obj, key, path)
    local v = r.number(obj, key, path)
    if v == nil then return nil end
    local i = math.tointeger(v)
    if not i or i < 0 then refuse(at(path, key), "non-negative whole number expected") end
    return i
  end

  function r.boolean(obj, key, path)
    local v = obj[key]
    if is_null(v) then return nil end
    if type(v) ~= "boolean" then refuse(at(path, key), "true or false expected") end
    return v
  end

  function r.date(obj, key, path, partial_ok)
    local v = obj[key]
    if is_null(v) or v == "" then return nil end
    local p = at(path, key)
    if type(v) ~= "string" then refuse(p, "date string expected") end
    if not M.valid_date(v, partial_ok) then refuse(p, "YYYY-MM-DD date expected") end
    return v
  end

  function r.datetime(obj, key, path)
    local v = obj[key]
    if is_null(v) or v == "" then return nil end
    local p = at(path, key)
    if type(v) ~= "string" then refuse(p, "date-time string expected") end
    local utc = M.utc_datetime(v)
    if not utc then refuse(p, "ISO date-time with a time zone expected") end
    return utc
  end

  -- A date, or the UTC day of a date-time.
  function r.day(obj, key, path)
    local v = obj[key]
    if type(v) == "string" and v:find("T", 1, true) then
      local utc = r.datetime(obj, key, path)
      return utc and utc:sub(1, 10)
    end
    return r.date(obj, key, path)
  end

  function r.object(obj, key, path)
    local v = obj[key]
    if is_null(v) then return nil end
    if not M.is_object(v) then refuse(at(path, key), "object expected") end
    return v
  end

  function r.array(obj, key, path)
    local v = obj[key]
    if is_null(v) then return nil end
    if not M.is_array(v) then refuse(at(path, key), "array expected") end
    return v
  end

  -- Calls f(item, item_path) for each element of an array of objects and
  -- collects what it returns.
  function r.each_object(list, path, f)
    local out = {}
    for i, item in ipairs(list or {}) do
      local p = at(path, i)
      if not M.is_object(item) then refuse(p, "object expected") end
      out[#out + 1] = f(item, p)
    end
    return out
  end

  return r
end

return M
