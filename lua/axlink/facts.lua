--- The fact vocabulary (DESIGN 7.2, doc/mapping.md) as data, and the check
-- of a person's facts against it. A delivery is checked once, by
-- axlink.cdl.read (or by fill/apply for one built by hand): a fact of the
-- wrong shape, an unknown name (a typo would otherwise be silently
-- ignored) or a value of the wrong type is refused with its path, never its
-- value (AXL-C03).
-- @module axlink.facts

local common = require "axlink.formats.common"

local M = {}

-- Field types: what each value must be.
local function is_text(v) return type(v) == "string" and v ~= "" end
local function is_date(v) return common.valid_date(v) end
-- Up to a trillion euros: an amount stays exact in integer cents.
local function is_amount(v)
  return type(v) == "string" and v:match("^%d+%.%d%d$") ~= nil and #v <= 15
end
local function is_country(v) return type(v) == "string" and v:match("^%u%u$") ~= nil end
local function is_bool(v) return type(v) == "boolean" end
local function is_count(v) return math.type(v) == "integer" and v >= 0 end
local function is_number(v) return type(v) == "number" and v >= 0 and v == v and v ~= math.huge end
local function is_age(v)
  if type(v) ~= "table" or not is_count(v.years) then return false end
  if v.months ~= nil and not (is_count(v.months) and v.months < 12) then return false end
  for k in pairs(v) do
    if k ~= "years" and k ~= "months" then return false end
  end
  return true
end
-- What a refusal says each check expects (never the value it got).
local EXPECTED = setmetatable({}, { __mode = "k" })

local function one_of(...)
  local set = {}
  for _, w in ipairs { ... } do set[w] = true end
  local check = function(v) return set[v] == true end
  EXPECTED[check] = "one of " .. table.concat({ ... }, ", ")
  return check
end
local function countries(v)
  if type(v) ~= "table" or #v == 0 then return false end
  for k, c in pairs(v) do
    if math.type(k) ~= "integer" or not is_country(c) then return false end
  end
  return true
end

-- BRP allows unknown parts of a birth date (1958-00-00).
local function is_birth_date(v) return common.valid_date(v, true) end
EXPECTED[is_birth_date] = "an ISO date, unknown parts as 00"

-- BRP's huisnummer: digits only (letter and addition have fields of their own).
local function is_house_number(v) return type(v) == "string" and v:match("^%d+$") ~= nil and #v <= 5 end

EXPECTED[is_text] = "a non-empty string"
EXPECTED[is_date] = "an ISO date (YYYY-MM-DD)"
EXPECTED[is_amount] = "an amount: a string with two decimals (\"1234.50\")"
EXPECTED[is_country] = "an ISO 3166-1 alpha-2 country (\"NL\")"
EXPECTED[is_bool] = "true or false"
EXPECTED[is_count] = "a whole number, 0 or more"
EXPECTED[is_number] = "a number, 0 or more"
EXPECTED[is_age] = "{ years = N, months = 0..11 }"
EXPECTED[countries] = "a list of ISO 3166-1 alpha-2 countries"
EXPECTED[is_house_number] = "a house number of digits (\"12\")"

-- What every fact carries.
local COMMON = { source = is_text, date = is_date }

--- The vocabulary: fact name -> { list = true when it is a list of facts,
-- fields = { name = check } }.
M.VOCABULARY = {
  identity = { fields = { first_names = is_text, initials = is_text, prefix = is_text, surname = is_text,
    birth_date = is_birth_date,
    gender = one_of("male", "female", "unknown"), birth_country = is_country, birth_place = is_text,
    nationalities = countries } },
  address = { fields = { street = is_text, number = is_house_number, letter = is_text, addition = is_text,
    postcode = is_text, city = is_text, country = is_country, since = is_date } },
  employments = { list = true, fields = { employer = is_text, start = is_date, ["end"] = is_date,
    contract = one_of("permanent", "temporary", "on_call", "other"), hours_per_week = is_number,
    yearly_wage = is_amount, holiday_pay = is_amount, year_end_bonus = is_amount, includes_holiday_pay = is_bool } },
  income_statement = { fields = { official = is_bool, signed = is_bool, yearly = is_amount, period_start = is_date,
    period_end = is_date, document = is_text } },
  benefits = { list = true, fields = { kind = one_of("WW", "WIA", "WAO", "ANW", "WAJONG", "other"),
    yearly = is_amount, start = is_date, ["end"] = is_date, includes_holiday_pay = is_bool } },
  aow = { fields = { start = is_date, start_age = is_age, yearly_single = is_amount, yearly_couple = is_amount,
    includes_holiday_pay = is_bool, full_accrual = is_bool, accrued_years = is_number } },
  pensions = { list = true, fields = { provider = is_text,
    kind = one_of("old_age", "partner", "orphan", "disability"),
    id = is_text, start = is_date, ["end"] = is_date, start_age = is_age, end_age = is_age,
    yearly_accrued = is_amount, yearly_prospective = is_amount, indicative = is_bool,
    includes_holiday_pay = is_bool } },
  study_loans = { list = true, fields = { debt = is_amount, monthly = is_amount, repayment_start = is_date,
    regime = one_of("SF15", "pre-2015", "other"), remaining_months = is_count } },
}

-- Keys in a fixed order: the same bad facts give the same message each run.
local sorted = require("axlink.values").sorted_keys

local function check_fact(fact, spec, where)
  if type(fact) ~= "table" then return where .. ": a table expected" end
  if fact.source == nil then return where .. ".source: the register is missing" end
  for _, k in ipairs(sorted(fact)) do
    local v = fact[k]
    local check = type(k) == "string" and (spec.fields[k] or COMMON[k])
    if not check then return ("%s.%s: not a name of the vocabulary"):format(where, tostring(k)) end
    if not check(v) then return ("%s.%s: %s expected"):format(where, k, EXPECTED[check] or "another value") end
  end
  return nil
end

--- Checks one person's facts.
-- @param facts the person's facts table
-- @param where the path for messages ("delivery.persons[1].facts")
-- @return nil when they are right, else the reason (path and what, no value)
function M.check(facts, where)
  if type(facts) ~= "table" then return where .. ": a table expected" end
  for _, name in ipairs(sorted(facts)) do
    local value = facts[name]
    local spec = type(name) == "string" and M.VOCABULARY[name]
    if not spec then return ("%s.%s: not a name of the vocabulary"):format(where, tostring(name)) end
    local at = where .. "." .. name
    if spec.list then
      if type(value) ~= "table" then return at .. ": a list expected" end
      local n = 0
      for _ in pairs(value) do n = n + 1 end
      if n ~= #value then return at .. ": a list expected" end
      for i, fact in ipairs(value) do
        local why = check_fact(fact, spec, ("%s[%d]"):format(at, i))
        if why then return why end
      end
    else
      local why = check_fact(value, spec, at)
      if why then return why end
    end
  end
  return nil
end

return M
