--- Helpers for HDN field values: "code omschrijving" strings, J/N booleans
-- and amounts with two decimals (DESIGN.md 3.1, "Helpers").
--
-- `totable` hands out every text value exactly as the XML has it, so these
-- helpers are where a caller turns those strings into Lua values and back.
-- They are pure Lua and hold no state; `axlink` re-exports them.
-- @module axlink.values

local error = error
local format = string.format
local math_type = math.type
local rep = string.rep
local tonumber = tonumber
local type = type

local M = {}

-- The wording of luaL_argerror/luaL_typeerror, so that these functions fail
-- like the C core's functions do. Level 3 blames the caller of the exported
-- function, not this helper or the function itself.
local function typeerror(fname, expected, value)
  error(format("bad argument #1 to '%s' (%s expected, got %s)",
    fname, expected, type(value)), 3)
end

--- Split an HDN "code omschrijving" value into its code and its description.
--
-- HDN writes enumerated values as the code, one space and the description
-- ("01 natuurlijk persoon"); some lists carry the bare code ("ZZ"). Only the
-- first U+0020 separates: the description is returned exactly as it follows
-- that space, further spaces included ("AE011 Aegon Hypotheek" gives "AE011",
-- "Aegon Hypotheek"); a tab or newline does not separate.
--
-- A string never raises. When there is no code (the empty string, or a value
-- that starts with a space) the result is nil, so a caller cannot mistake ""
-- for a code. An empty description ("01 ") gives nil, as a bare code does.
-- @tparam string s the value as `totable` gives it
-- @treturn string|nil the code, or nil when the value has none
-- @treturn string|nil the description, or nil when the value has none
-- @raise when `s` is not a string (as luaL_argerror)
function M.code(s)
  if type(s) ~= "string" then typeerror("code", "string", s) end
  local space = s:find(" ", 1, true)
  if not space then
    if s == "" then return nil end
    return s, nil
  end
  if space == 1 then return nil end
  local description = s:sub(space + 1)
  if description == "" then description = nil end
  return s:sub(1, space - 1), description
end

--- Read an HDN J/N value ("J Ja" / "N Nee") as a boolean.
--
-- Only the two exact spellings HDN prescribes count; anything else ("J",
-- "ja", a number, nil, a table) gives nil rather than a guess, so that a
-- malformed value stays visible to the caller. Never raises.
-- @param s any value, normally a string from `totable`
-- @treturn boolean|nil true for "J Ja", false for "N Nee", nil otherwise
function M.jn(s)
  -- Comparing with a string never calls __eq, so no argument can raise here.
  if s == "J Ja" then return true end
  if s == "N Nee" then return false end
  return nil
end

--- Write a boolean as an HDN J/N value.
-- @tparam boolean b the value to write
-- @treturn string "J Ja" for true, "N Nee" for false
-- @raise when `b` is not a boolean (as luaL_argerror): nil and other
-- "falsy" values are refused so that a missing field is not written as "N Nee"
function M.JN(b)
  if type(b) ~= "boolean" then typeerror("JN", "boolean", b) end
  return b and "J Ja" or "N Nee"
end

--[[ ==================================================================
** Amounts
** =================================================================== ]]

-- The refusal message quotes no value: amounts are personal data (DESIGN.md 3).
local AMOUNT_CODE = "AXL-T10"
local AMOUNT_MESSAGE = AMOUNT_CODE .. " amount: not a finite decimal number"

local function refuse_amount()
  -- A fresh info table per call: the caller may keep or change it.
  return nil, AMOUNT_MESSAGE, { code = AMOUNT_CODE }
end

-- Add one to a string of decimal digits ("" counts as 0). Trailing nines
-- become zeros and carry into the digit before them, or into a new leading 1.
local function increment(digits)
  local before, nines = digits:match("^(.-)(9*)$")
  if before == "" then return "1" .. rep("0", #nines) end
  local last = before:byte(-1) + 1
  return before:sub(1, -2) .. string.char(last) .. rep("0", #nines)
end

-- Round a decimal number given as its parts (sign, integer digits, fraction
-- digits, exponent sign and digits; all strings, already checked to be
-- digits) to two decimals, half away from zero, and write it.
-- The work is done on the digit string because a binary float cannot hold
-- 1.005 or 2.675: rounding x * 100 in floating point would give 1.00 and 2.67.
local function round_decimal(sign, int, frac, exp_sign, exp_digits)
  local digits = int .. frac
  local zeros = #digits:match("^0*")
  -- Zero in any spelling ("0", "-0", "0.000e5") is written unsigned.
  if zeros == #digits then return "0.00" end
  exp_digits = exp_digits:match("^0*(.*)$")
  -- A finite value (the callers make sure of that) with an exponent of 16 or
  -- more digits must have a negative exponent: a positive one would need more
  -- leading zeros than any string can hold to stay finite. Such a value lies
  -- far below 0.005, and stopping here keeps the arithmetic in integers.
  if #exp_digits > 15 then return "0.00" end
  local exponent = tonumber(exp_digits) or 0
  if exp_sign == "-" then exponent = -exponent end
  digits = digits:sub(zeros + 1)
  -- point: how many of `digits` stand before the decimal point (can be
  -- negative, or more than #digits when the exponent appends zeros).
  local point = #int + exponent - zeros
  -- keep: the digits that make up the value in cents; the digit after them
  -- decides the rounding. Working on the magnitude, "5 or more rounds up" is
  -- exactly half away from zero.
  local keep = point + 2
  if keep < 0 then return "0.00" end
  local cents = digits:sub(1, keep)
  cents = cents .. rep("0", keep - #cents)
  local next_digit = digits:byte(keep + 1)
  if next_digit and next_digit >= 53 then -- 53 is "5"
    cents = increment(cents)
  end
  -- `digits` starts with a non-zero digit, so `cents` is zero only when it is
  -- empty: the value rounded to 0.00, which is never written "-0.00".
  if cents == "" then return "0.00" end
  cents = rep("0", 3 - #cents) .. cents
  return (sign == "-" and "-" or "") .. cents:sub(1, -3) .. "." .. cents:sub(-2)
end

-- Split a plain decimal number: optional sign, digits, optional "." and at
-- least one digit, optional exponent. Anything else (whitespace, ",", ".5",
-- "1.", hex, "inf", "nan") gives nil. [0-9] rather than %d: %d follows the C
-- locale's isdigit.
local function split_decimal(s)
  local sign, int, rest = s:match("^([+-]?)([0-9]+)(.*)$")
  if not sign then return nil end
  local frac = ""
  local digits, after = rest:match("^%.([0-9]+)(.*)$")
  if digits then frac, rest = digits, after end
  local exp_sign, exp_digits = "", "0"
  if rest ~= "" then
    exp_sign, exp_digits = rest:match("^[eE]([+-]?)([0-9]+)$")
    if not exp_sign then return nil end
  end
  return sign, int, frac, exp_sign, exp_digits
end

--- Write an amount with exactly two decimals, as HDN amounts are written.
--
-- Rounds half away from zero from the *decimal* value: a float is first
-- written with the fewest significant digits (15, 16 or 17) that read back as
-- the same float, so `amount(1.005)` is "1.01" and `amount(2.675)` is "2.68",
-- as the person who typed them expects. Integers are written exactly
-- (`math.mininteger` and `math.maxinteger` included). A result that rounds to
-- zero is "0.00", never "-0.00".
--
-- A string is read as the decimal it spells and rounded from its own digits
-- (`amount("1.005")` is "1.01"). It must be a plain decimal number: an
-- optional sign, digits, optionally "." and digits, optionally an exponent
-- ("1.5e-7"). Whitespace, a decimal comma, ".5", "1." and hexadecimal are
-- refused rather than guessed at. So is a string whose value lies outside the
-- range of a Lua float ("1e400"): it would be infinite as a number, and the
-- bound keeps "1e999999999" from building a gigabyte of zeros.
--
-- NaN and the infinities are refused. The refusal message quotes no value
-- (amounts are personal data).
-- @tparam number|string x the amount
-- @treturn[1] string the amount, e.g. "145000.00" or "-1.01"
-- @treturn[2] nil when `x` is not a finite decimal number
-- @treturn[2] string "AXL-T10 amount: not a finite decimal number"
-- @treturn[2] table `{ code = "AXL-T10" }`
-- @raise when `x` is neither a number nor a string (as luaL_argerror)
function M.amount(x)
  local kind = math_type(x)
  if kind == "integer" then
    return round_decimal(split_decimal(format("%d", x)))
  elseif kind == "float" then
    -- x ~= x only for NaN.
    if x ~= x or x == math.huge or x == -math.huge then return refuse_amount() end
    local s
    for precision = 15, 17 do
      s = format("%." .. precision .. "g", x)
      if tonumber(s) == x then break end -- 17 digits always read back
    end
    -- A host that called os.setlocale may get "1,005" from %g; any run of
    -- characters that %g writes for the decimal point becomes ".".
    s = s:gsub("[^0-9eE+-]+", ".")
    return round_decimal(split_decimal(s))
  elseif type(x) == "string" then
    local sign, int, frac, exp_sign, exp_digits = split_decimal(x)
    if not sign then return refuse_amount() end
    local value = tonumber(x)
    if not value or value == math.huge or value == -math.huge then
      return refuse_amount()
    end
    return round_decimal(sign, int, frac, exp_sign, exp_digits)
  end
  typeerror("amount", "number", x)
end

--- A repeating entity from tables as an array, whichever shape it has: an
-- element the model does not know to repeat, met once without Volgnummer,
-- comes as one table (DESIGN 3.1); absent gives an empty list.
function M.list(v)
  if type(v) ~= "table" then return {} end
  if v[1] ~= nil or next(v) == nil then return v end
  return { v }
end

--- The keys of a table in a fixed order (compared as strings), so that
-- what is built from a table comes out the same in every run.
function M.sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  return keys
end

return M
