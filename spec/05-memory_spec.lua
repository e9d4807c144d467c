-- Nothing grows: thousands of parse / totable / fromtable / serialize
-- cycles leave malloc's count where it was. malloc is what is measured
-- (glibc's mallinfo2), not collectgarbage("count"): libxml2's memory is
-- invisible to Lua's collector.
local axlink = require "axlink"
local core = require "axlink.core"

local slurp = require("support.files").slurp

local function settle()
  collectgarbage("collect")
  collectgarbage("collect")
  return core._heap()
end

describe("memory #nosan", function()
  local src = slurp("spec/fixtures/ax/two-applicants.xml")

  local function cycle()
    local msg = assert(axlink.parse(src))
    local t = msg:totable()
    local back = assert(axlink.fromtable(t))
    assert(#back:serialize() == #src)
    assert(msg:update(function(u) u.Lening = nil end))
    assert(axlink.parse("<a>x<b/></a>") == nil)           -- refusal path
    assert(axlink.fromtable({ a = true }) == nil)         -- refusal path
    msg:close()
  end

  it("stays flat over 3000 messages", function()
    for _ = 1, 200 do cycle() end       -- warm up: string table, allocator
    local before = settle()
    for _ = 1, 3000 do cycle() end
    local after = settle()
    -- 3000 leaked documents would be megabytes; allow allocator noise.
    assert.is_true(after - before < 256 * 1024,
      ("heap grew by %d bytes"):format(after - before))
  end)

  it("frees a message's document when the message is collected", function()
    local before = settle()
    do
      local msgs = {}
      for i = 1, 50 do msgs[i] = assert(axlink.parse(src)) end
      assert.are.equal(50, #msgs)
      assert.is_true(core._heap() - before > 50 * #src)  -- the documents are there
    end
    assert.is_true(settle() - before < 64 * 1024)
  end)

  it("frees the order record with the last table that uses it", function()
    local before = settle()
    do
      local msg = assert(axlink.parse(src))
      local t = msg:totable()
      msg:close()                      -- the record keeps the document alive
      assert.are.equal(src, assert(axlink.fromtable(t)):serialize())
    end
    assert.is_true(settle() - before < 64 * 1024)
  end)
end)
