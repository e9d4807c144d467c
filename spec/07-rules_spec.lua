-- The ketenafspraak rules (DESIGN 5): every rule triggered by a minimal
-- message, in both modes, against the oracle in spec/fixtures/rules/cases.lua
-- (complete problem lists, in order), and the correct messages clean.
local axlink = require "axlink"
local cases = dofile("spec/fixtures/rules/cases.lua")

local DIR = "spec/fixtures/rules/"

local function run(file, opts, mode)
  local msg = assert(axlink.read(DIR .. file))
  local o = { mode = mode }
  for k, v in pairs(opts or {}) do o[k] = v end
  return msg:check(o), msg
end

local slurp = require("support.files").slurp

describe("msg:check", function()
  for _, file in ipairs(cases.ok) do
    it("finds nothing in " .. file, function()
      for _, mode in ipairs { "send", "receive" } do
        local report = run(file, nil, mode)
        assert.are.same({}, report.problems, mode)
        assert.is_true(report.ok)
      end
    end)
  end

  for _, case in ipairs(cases) do
    for _, mode in ipairs { "send", "receive" } do
      it(("reports %s in %s mode"):format(case.file, mode), function()
        local report = run(case.file, case.opts, mode)
        local got, want = {}, {}
        local has_error = false
        for i, p in ipairs(report.problems) do
          got[i] = { code = p.code, severity = p.severity, path = p.path }
        end
        for i, p in ipairs(case.problems) do
          want[i] = { code = p.code, severity = p[mode], path = p.path }
          has_error = has_error or p[mode] == "error"
        end
        assert.are.same(want, got)
        assert.are.equal(not has_error, report.ok)
      end)
    end
  end

  it("gives every problem a line, a fixed message and no value from the data", function()
    for _, case in ipairs(cases) do
      local report, msg = run(case.file, case.opts, "send")
      local t = msg:totable()
      -- Every text value in the message (names, keys, dates) is a sentinel.
      local values = {}
      local function collect(x)
        for k, v in pairs(x) do
          if type(v) == "table" then collect(v)
          elseif type(v) == "string" and #v >= 4 and k ~= "Volgnummer" then values[#values + 1] = v end
        end
      end
      collect(t)
      for _, p in ipairs(report.problems) do
        assert.is_number(p.line, case.file)
        assert.is_string(p.message)
        for _, v in ipairs(values) do
          assert.falsy(p.message:find(v, 1, true), case.file .. ": " .. p.message)
        end
      end
    end
  end)

  it("never changes the message", function()
    for _, case in ipairs(cases) do
      local msg = assert(axlink.read(DIR .. case.file))
      msg:check { mode = "send" }
      msg:check { mode = "receive", limits = { ExterneIdentificatie = 0, Dataleverancier = 0 } }
      msg:links()
      assert.are.equal(slurp(DIR .. case.file), msg:serialize())
    end
  end)

  it("refuses a bad mode or limit as a Lua error", function()
    local msg = assert(axlink.read(DIR .. cases.ok[1]))
    assert.has_error(function() msg:check { mode = "lender" } end)
    assert.has_error(function() msg:check { limits = { ExterneIdentificatie = "9" } } end)
    assert.has_error(function() msg:check { limits = { ExterneIdentificatie = 2.5 } } end)
  end)
end)

describe("msg:check says what it found", function()
  local function message_of(report, code)
    for _, p in ipairs(report.problems) do
      if p.code == code then return p.message end
    end
  end

  it("gives a message whose root is not OfferteAanvraag one AXL-R18 error, naming the root", function()
    for root, xml in pairs { Foo = "<Foo><Bar/></Foo>",
        BronAanvraagBericht = slurp(DIR .. "R18-bronaanvraag.xml") } do
      local report = assert(axlink.parse(xml)):check()
      assert.is_false(report.ok)
      assert.are.equal(1, #report.problems)
      assert.are.same({ code = "AXL-R18", severity = "error", path = "/" .. root, line = report.problems[1].line,
        message = "not an AX OfferteAanvraag: root is " .. root }, report.problems[1])
    end
  end)

  it("states the limit that was broken and the count (R01, R02)", function()
    local report = run("R01-ten-files.xml")
    assert.are.equal("10 ExterneIdentificatie under one Hypotheekgever, over the limit of 9",
      message_of(report, "AXL-R01"))
    assert.are.equal("10 CDL Dataleverancier entities in the message, over the limit of 9",
      message_of(report, "AXL-R02"))
    assert.are.equal("3 ExterneIdentificatie under one Hypotheekgever, over 2 (the least a conforming lender " ..
      "accepts; the most any accepts is 9)", message_of(run("R01-three-files.xml"), "AXL-R01"))
    assert.are.equal("2 ExterneIdentificatie under one Hypotheekgever, over the receiver's limit of 1",
      message_of(run("R01-receiver-limit.xml", { limits = { ExterneIdentificatie = 1 } }), "AXL-R01"))
    assert.are.equal("10 CDL Dataleverancier entities in the message, over the receiver's limit of 8",
      message_of(run("R02-ten-dataleverancier.xml", { limits = { Dataleverancier = 8 } }), "AXL-R02"))
  end)

  it("reads as lines with tostring, and stays a plain table", function()
    local report = run("R01-ten-files.xml")
    local lines = {}
    for line in tostring(report):gmatch("[^\n]+") do lines[#lines + 1] = line end
    assert.are.equal(#report.problems + 1, #lines)
    local p = report.problems[1]
    assert.are.equal(("%s %s %s:%d %s"):format(p.severity, p.code, p.path, p.line, p.message), lines[1])
    assert.are.equal("errors: 2 errors, 0 warnings, 0 info", lines[#lines])
    assert.are.equal("ok: 0 errors, 0 warnings, 0 info", tostring(run(cases.ok[1])))
    -- Only ok and problems: nothing else reachable with next or pairs.
    local keys = {}
    for k in pairs(report) do keys[#keys + 1] = k end
    table.sort(keys)
    assert.are.same({ "ok", "problems" }, keys)
    assert.are.equal("table", type(report))
  end)
end)
