-- luacheck: std +busted
-- Helpers for HDN field values (DESIGN.md 3.1, "Helpers"): code, jn, JN, amount.
-- Run from the repository root: busted --lua=lua5.4 spec/03-values_spec.lua
package.path = "lua/?.lua;lua/?/init.lua;" .. package.path

local values = require "axlink.values"

local AMOUNT_MESSAGE = "AXL-T10 amount: not a finite decimal number"

-- A readable name for a case's input in the test title (%q keeps "" and
-- leading spaces visible; floats are shown with all the digits that matter).
local function show(x)
  if type(x) == "string" then return string.format("%q", x) end
  if math.type(x) == "float" then return string.format("%.17g", x) end
  return tostring(x)
end

describe("axlink.values", function()

  describe("code", function()
    -- { input, expected code, expected description }
    local cases = {
      { "01 natuurlijk persoon", "01", "natuurlijk persoon" },
      { "ZZ", "ZZ", nil },
      { "AE011 Aegon Hypotheek", "AE011", "Aegon Hypotheek" },
      { "J Ja", "J", "Ja" },
      -- Only the first space separates; the rest is kept as written.
      { "01  natuurlijk persoon", "01", " natuurlijk persoon" },
      { "01 natuurlijk persoon ", "01", "natuurlijk persoon " },
      -- An empty description is no description.
      { "01 ", "01", nil },
      -- Only U+0020 separates, not a tab.
      { "01\tnatuurlijk", "01\tnatuurlijk", nil },
      -- No code: nil, never raises.
      { "", nil, nil },
      { " 01 natuurlijk persoon", nil, nil },
      { " ", nil, nil },
    }
    for _, case in ipairs(cases) do
      it("splits " .. show(case[1]), function()
        local c, description = values.code(case[1])
        assert.are.equal(case[2], c)
        assert.are.equal(case[3], description)
      end)
    end

    it("returns nothing but nil for an empty string", function()
      assert.are.equal(1, select("#", values.code("")))
      assert.is_nil((values.code("")))
    end)

    local wrong = {
      { nil, "nil" }, { 1, "number" }, { true, "boolean" }, { {}, "table" },
      { print, "function" },
    }
    for _, case in ipairs(wrong) do
      it("raises for a " .. case[2] .. " argument", function()
        assert.has_error(function() values.code(case[1]) end,
          "bad argument #1 to 'code' (string expected, got " .. case[2] .. ")")
      end)
    end
  end)

  describe("jn", function()
    local truth = {
      { "J Ja", true },
      { "N Nee", false },
    }
    for _, case in ipairs(truth) do
      it("reads " .. show(case[1]), function()
        assert.are.equal(case[2], values.jn(case[1]))
      end)
    end

    local other = {
      "J", "N", "ja", "nee", "j ja", "J ja", "J Ja ", " J Ja", "N  Nee", "", "true",
      1, 0, true, false, {}, print,
    }
    for _, s in ipairs(other) do
      it("gives nil for " .. show(s), function()
        assert.is_nil(values.jn(s))
      end)
    end

    it("gives nil for nil and for no argument", function()
      assert.is_nil(values.jn(nil))
      assert.is_nil(values.jn())
    end)

    it("does not raise for a table with an __eq metamethod", function()
      local t = setmetatable({}, { __eq = function() error("called") end })
      assert.is_nil(values.jn(t))
    end)
  end)

  describe("JN", function()
    it("writes true as \"J Ja\"", function()
      assert.are.equal("J Ja", values.JN(true))
    end)

    it("writes false as \"N Nee\"", function()
      assert.are.equal("N Nee", values.JN(false))
    end)

    it("round-trips through jn", function()
      assert.are.equal(true, values.jn(values.JN(true)))
      assert.are.equal(false, values.jn(values.JN(false)))
    end)

    local wrong = {
      { nil, "nil" }, { "J Ja", "string" }, { 1, "number" }, { 0, "number" },
      { {}, "table" },
    }
    for _, case in ipairs(wrong) do
      it("raises for a " .. case[2] .. " argument " .. show(case[1]), function()
        assert.has_error(function() values.JN(case[1]) end,
          "bad argument #1 to 'JN' (boolean expected, got " .. case[2] .. ")")
      end)
    end
  end)

  describe("amount", function()
    -- { input, expected }
    local cases = {
      -- Half away from zero from the decimal value, not from the binary float.
      { 1.005, "1.01" },
      { 2.675, "2.68" },
      { -1.005, "-1.01" },
      { -2.675, "-2.68" },
      { 0.125, "0.13" },
      { -0.125, "-0.13" },
      { 0.005, "0.01" },
      { -0.005, "-0.01" },
      { 0.004999, "0.00" },
      { 123.455, "123.46" },
      { 0.995, "1.00" },
      { 99.995, "100.00" },
      { -999.995, "-1000.00" },
      { 1.004, "1.00" },
      { 0.1, "0.10" },
      { 0.1 + 0.2, "0.30" },
      { 1.5, "1.50" },
      { 12.34, "12.34" },
      -- Zero and values that round to zero are never "-0.00".
      { 0, "0.00" },
      { 0.0, "0.00" },
      { -0.0, "0.00" },
      { -0.001, "0.00" },
      { -0.004999, "0.00" },
      { 1.5e-7, "0.00" },
      { -1.5e-7, "0.00" },
      { 5e-324, "0.00" },
      -- Large values and exponents in the shortest representation.
      { 145000, "145000.00" },
      { 145000.0, "145000.00" },
      { -145000, "-145000.00" },
      { 1e20, "100000000000000000000.00" },
      { -1e20, "-100000000000000000000.00" },
      { 1e15 + 0.5, "1000000000000000.50" },
      -- 1e15 + 0.25 reads back from 17 digits as "1000000000000000.2": the
      -- shortest decimal, not the binary value, is what gets rounded.
      { 1e15 + 0.25, "1000000000000000.20" },
      { -(1e15 + 0.5), "-1000000000000000.50" },
      { 2^53, "9007199254740992.00" },
      { -2^53, "-9007199254740992.00" },
      { 1e22, "10000000000000000000000.00" },
      { 1e300, "1" .. string.rep("0", 300) .. ".00" },
      { -1e300, "-1" .. string.rep("0", 300) .. ".00" },
      -- A float far beyond 2^53 is written from its shortest decimal form.
      { -2.0^63, "-9223372036854776000.00" },
      -- Integers are written exactly.
      { 1, "1.00" },
      { -1, "-1.00" },
      { 9007199254740993, "9007199254740993.00" },
      { math.maxinteger, "9223372036854775807.00" },
      { math.mininteger, "-9223372036854775808.00" },
      -- Strings are rounded from their own digits.
      { "1.005", "1.01" },
      { "2.675", "2.68" },
      { "-1.005", "-1.01" },
      { "+1.005", "1.01" },
      { "0", "0.00" },
      { "-0", "0.00" },
      { "-0.00", "0.00" },
      { "-0.004", "0.00" },
      { "-0.005", "-0.01" },
      { "145000", "145000.00" },
      { "0145000.10", "145000.10" },
      { "1.5e-7", "0.00" },
      { "1.5E2", "150.00" },
      { "1e+20", "100000000000000000000.00" },
      { "1e-2", "0.01" },
      { "5e-3", "0.01" },
      { "4.999e-3", "0.00" },
      { "0.0e999", "0.00" },
      { "1e-99999999999999999999", "0.00" },
      -- Digits a float could not hold decide the rounding.
      { "0.00499999999999999999999", "0.00" },
      { "9007199254740993.125", "9007199254740993.13" },
      { "99999999999999999999.995", "100000000000000000000.00" },
      { "123456789012345678901234567890", "123456789012345678901234567890.00" },
      { "0.001e3", "1.00" },
      { "12345e-2", "123.45" },
      { "12345e-4", "1.23" },
      { "12355e-4", "1.24" },
    }
    for _, case in ipairs(cases) do
      it("writes " .. show(case[1]) .. " as " .. case[2], function()
        assert.are.equal(case[2], values.amount(case[1]))
      end)
    end

    local refused = {
      "1,00", "abc", "", "1e", "--1", " 12 ", " 12", "12 ", ".5", "1.", "1.e5",
      "+-1", "1e+", "1e5.5", "0x10", "1_000", "1 000", "inf", "-inf", "nan",
      "NaN", "1e400", "-1e400", "12,345.67", "€ 12",
      0/0, -(0/0), math.huge, -math.huge,
    }
    for _, x in ipairs(refused) do
      it("refuses " .. show(x), function()
        local result, message, info = values.amount(x)
        assert.is_nil(result)
        assert.are.equal(AMOUNT_MESSAGE, message)
        assert.are.same({ code = "AXL-T10" }, info)
      end)
    end

    it("returns a fresh info table for each refusal", function()
      local _, _, first = values.amount("abc")
      first.code = "changed"
      local _, _, second = values.amount("abc")
      assert.are.equal("AXL-T10", second.code)
    end)

    -- Privacy: amounts are personal data, so a refusal quotes nothing.
    local personal = { "1234,56", "987654321 EUR", "-4.5e999", "7e400", "0x1F4" }
    for _, x in ipairs(personal) do
      it("quotes no digit of " .. show(x) .. " in its refusal", function()
        local result, message = values.amount(x)
        assert.is_nil(result)
        -- The code is the only place a digit may appear.
        local text = message:gsub("^AXL%-T%d+ ", "")
        assert.is_nil(text:find("%d"))
        assert.is_nil(message:find(x, 1, true))
      end)
    end

    local wrong = {
      { true, "boolean" }, { false, "boolean" }, { {}, "table" }, { nil, "nil" },
      { print, "function" },
    }
    for _, case in ipairs(wrong) do
      it("raises for a " .. case[2] .. " argument", function()
        assert.has_error(function() values.amount(case[1]) end,
          "bad argument #1 to 'amount' (number expected, got " .. case[2] .. ")")
      end)
    end

    it("raises for a missing argument", function()
      assert.has_error(function() values.amount() end,
        "bad argument #1 to 'amount' (number expected, got nil)")
    end)
  end)

  describe("list", function()
    it("gives a repeating entity as an array, whichever shape the tables have", function()
      local one = { Volgnummer = "1" }
      local many = { { Volgnummer = "1" }, { Volgnummer = "2" } }
      assert.are.same({}, values.list(nil))
      assert.are.same({}, values.list("text"))
      assert.are.equal(one, values.list(one)[1])
      assert.are.equal(1, #values.list(one))
      assert.are.equal(many, values.list(many))
    end)
  end)

  describe("sorted_keys", function()
    it("gives the keys in one order, compared as strings, whatever pairs() does", function()
      assert.are.same({}, values.sorted_keys({}))
      assert.are.same({ 1, 10, 2, "a", "b" }, values.sorted_keys { b = 1, a = 2, [2] = 3, [10] = 4, [1] = 5 })
      local t = {}
      for i = 1, 50 do t["k" .. i] = i end
      local keys = values.sorted_keys(t)
      assert.are.equal(50, #keys)
      for i = 2, #keys do assert.is_true(keys[i - 1] < keys[i]) end
    end)
  end)
end)
