-- Layer 3: properties over generated AX-shaped documents. Each seed gives a
-- different mix of known and unknown elements, repeats, attributes, escapes,
-- UTF-8 and whitespace styles (spec/support/axgen.lua).
local axlink = require "axlink"
local axgen = require "support.axgen"

local SEEDS = 300

-- True when value (from totable) holds exactly what the generator wrote.
local function same(node, value, where)
  local function fail(why) error(where .. ": " .. why, 0) end
  local attrs = {}
  for _, a in ipairs(node.attrs or {}) do
    if not a.name:find(":", 1, true) then attrs[#attrs + 1] = a end
  end
  if node.children and #node.children > 0 then
    if type(value) ~= "table" then fail("entity is not a table") end
    local groups, order = {}, {}
    for _, c in ipairs(node.children) do
      if not groups[c.name] then
        groups[c.name] = {}
        order[#order + 1] = c.name
      end
      table.insert(groups[c.name], c)
    end
    local expected_keys = #attrs + #order
    local n = 0
    for _ in next, value do n = n + 1 end
    if n ~= expected_keys then fail(("%d keys, expected %d"):format(n, expected_keys)) end
    for _, name in ipairs(order) do
      local list, v = groups[name], value[name]
      local only_one = type(v) == "table" and rawlen(v) == 1 and next(v, next(v)) == nil and next(v) == 1
      if #list > 1 or only_one then
        if type(v) ~= "table" or rawlen(v) ~= #list then fail(name .. ": array length") end
        for i, c in ipairs(list) do same(c, v[i], where .. "/" .. name .. "[" .. i .. "]") end
      else
        same(list[1], v, where .. "/" .. name)
      end
    end
  elseif #attrs > 0 then
    if type(value) ~= "table" then fail("element with attributes is not a table") end
    local text = node.text or ""
    if (value[1] or "") ~= text then fail("text differs") end
  else
    if value ~= (node.text or "") then fail("text differs") end
  end
  for _, a in ipairs(attrs) do
    if type(value) ~= "table" or value[a.name] ~= a.value then fail("attribute " .. a.name) end
  end
  return true
end

describe("generated documents", function()
  it("parse, and serialize(parse(x)) is a fixed point, for " .. SEEDS .. " seeds", function()
    for seed = 1, SEEDS do
      local xml = axgen.document(seed)
      local msg, err = axlink.parse(xml)
      assert(msg, ("seed %d: %s"):format(seed, tostring(err)))
      local once = msg:serialize()
      local twice = assert(axlink.parse(once)):serialize()
      assert.are.equal(once, twice, "seed " .. seed)
      assert.are.equal(once, msg:serialize(), "seed " .. seed)
    end
  end)

  it("come back byte for byte through totable and fromtable", function()
    for seed = 1, SEEDS do
      local msg = assert(axlink.parse(axgen.document(seed)))
      local back, err = axlink.fromtable(msg:totable())
      assert(back, ("seed %d: %s"):format(seed, tostring(err)))
      assert.are.equal(msg:serialize(), back:serialize(), "seed " .. seed)
    end
  end)

  it("give tables holding exactly the generated names, attributes and text", function()
    for seed = 1, SEEDS do
      local t = assert(axlink.parse(axgen.document(seed))):totable()
      assert.is_true(same(axgen.tree(seed), t, "seed " .. seed))
    end
  end)

  it("(the checker itself notices one changed value)", function()
    local t = assert(axlink.parse(axgen.document(1))):totable()
    local function first_string(x)
      for k, v in pairs(x) do
        if type(v) == "string" then return x, k end
        if type(v) == "table" then
          local holder, key = first_string(v)
          if holder then return holder, key end
        end
      end
    end
    local holder, key = first_string(t)
    holder[key] = holder[key] .. "!"
    assert.has_error(function() same(axgen.tree(1), t, "seed 1") end)
  end)

  it("survive other depths and no whitespace at all", function()
    for seed = 1, 100 do
      for _, opts in ipairs { { max_depth = 2 }, { max_depth = 10 }, { comments = false } } do
        local msg = assert(axlink.parse(axgen.document(seed, opts)))
        local back = assert(axlink.fromtable(msg:totable()))
        assert.are.equal(msg:serialize(), back:serialize())
      end
    end
  end)

  it("include every input the fuzzers once broke (fuzz/regressions)", function()
    local p = io.popen("ls fuzz/regressions/parse-* fuzz/regressions/tables-* 2>/dev/null")
    local n = 0
    for path in p:lines() do
      local f = assert(io.open(path, "rb"))
      local bytes = f:read("a")
      f:close()
      local msg = axlink.parse(bytes)
      if msg then
        local once = msg:serialize()
        assert.are.equal(once, assert(axlink.parse(once), path):serialize(), path)
        assert.are.equal(once, assert(axlink.fromtable(msg:totable()), path):serialize(), path)
      end
      n = n + 1
    end
    p:close()
    assert.is_true(n >= 5)
  end)

  it("round-trip a 1 MB realistic message", function()
    local xml = axgen.sized(1024 * 1024, 7)
    local msg = assert(axlink.parse(xml))
    assert.are.equal(xml, msg:serialize())
    assert.are.equal(xml, assert(axlink.fromtable(msg:totable())):serialize())
  end)
end)
