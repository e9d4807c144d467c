-- The hostile-input corpus through the Lua binding (spec/fixtures/hostile/
-- cases.txt). spec/c/test_hostile.c runs it through the C API with a
-- loopback listener, a watched file, captured stderr and a CPU bound; here
-- each file must give, from axlink.parse and from axlink.read alike, the
-- exact code cases.txt names as nil, a string and an info table, and no
-- error may carry the sentinel or any 12-byte run of the input.
local axlink = require "axlink"

local SENTINEL = "ZXQSENTINEL"

local slurp = require("support.files").slurp

local function cases()
  local list = {}
  for line in io.lines("spec/fixtures/hostile/cases.txt") do
    local file, code = line:match("^([^#%s]%S*)%s+(%S+)")
    if file then list[#list + 1] = { file = file, code = code } end
  end
  return list
end

-- Why a text leaks the input, or nil (runs of one repeated byte excepted,
-- as in the C test: "------------" says nothing).
local function leak(text, input)
  if text:find(SENTINEL, 1, true) then return "the sentinel" end
  for i = 1, #text - 11 do
    local run = text:sub(i, i + 11)
    if not run:match("^(.)%1*$") and input:find(run, 1, true) then
      return "a 12-byte run of the input: " .. run
    end
  end
  return nil
end

-- What an entry point answered, as "OK" or the code; a wrong shape raises.
local function outcome(what, input, msg, err, info)
  if msg then
    msg:close()
    return "OK"
  end
  assert(type(err) == "string", what .. ": error is not a string")
  assert(type(info) == "table" and type(info.code) == "string", what .. ": no info.code")
  assert(err:find(info.code, 1, true), what .. ": the code is not in the message")
  local why = leak(err, input)
  assert(not why, what .. ": the error leaks " .. tostring(why))
  return info.code
end

describe("the hostile corpus through the Lua binding", function()
  it("gives every file its code from parse and read, and no error leaks the input", function()
    local list = cases()
    assert.is_true(#list > 100)
    local tmp = os.tmpname()
    local watched = os.tmpname()
    local wrong = {}
    for _, c in ipairs(list) do
      -- The placeholders as the C test fills them, with nothing listening
      -- (the C test is the one that watches the port and the file).
      local input = slurp(c.file):gsub("@PORT@", "9"):gsub("@FILE@", watched)
      local parsed = outcome(c.file .. " (parse)", input, axlink.parse(input))
      require("support.files").spit(tmp, input)
      local read = outcome(c.file .. " (read)", input, axlink.read(tmp))
      if parsed ~= c.code or read ~= c.code then
        wrong[#wrong + 1] = ("%s: expected %s, parse %s, read %s"):format(c.file, c.code, parsed, read)
      end
    end
    os.remove(tmp)
    os.remove(watched)
    assert.are.same({}, wrong)
  end)
end)
