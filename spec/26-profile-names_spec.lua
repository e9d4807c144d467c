-- DESIGN 7.3: no Lua file outside the AX profile names an AX element that the profile holds; it asks the
-- profile (`names`, `mapping`) instead, so that a new AX version is one data file. A CDL format may name its
-- own input's elements (an Ockto JSON key that happens to be spelled like an AX field is the supplier's
-- name, not the AX's).
local cjson = require "cjson"
local profile = require "axlink.profile"

-- {======================================================================
-- The scanner: a small Lua lexer (comments dropped, strings kept whole),
-- then the ways a source can name an element, read off the tokens.
-- =======================================================================

-- The end of a long bracket `[==[` opened at `i` (nil: not one), and its level.
local function long_open(src, i)
  local eqs = src:match("^%[(=*)%[", i)
  if eqs then return i + #eqs + 2, eqs end
end

local function count_lines(s)
  local _, n = s:gsub("\n", "")
  return n
end

-- Skips a long bracket's body from `from`; returns its content and the
-- position after the closing bracket (the end of the source if unclosed).
local function long_body(src, from, eqs)
  local close = "]" .. eqs .. "]"
  local s, e = src:find(close, from, true)
  if not s then return src:sub(from), #src + 1 end
  return src:sub(from, s - 1), e + 1
end

local OPS3 = { ["..."] = true }
local OPS2 = { ["=="] = true, ["~="] = true, ["<="] = true, [">="] = true, ["//"] = true, ["::"] = true,
  ["<<"] = true, [">>"] = true, [".."] = true }

--- The tokens of a Lua source: { kind = "name"|"string"|"number"|"op", value, line }.
-- Comments are gone; a string's value is its raw content (escapes not
-- decoded, a long string without its leading newline, as Lua reads it).
local function lex(src)
  local tokens, i, line = {}, 1, 1
  local function emit(kind, value, at) tokens[#tokens + 1] = { kind = kind, value = value, line = at } end
  while i <= #src do
    local c = src:sub(i, i)
    if c == "\n" then
      line, i = line + 1, i + 1
    elseif c:match("%s") then
      i = i + 1
    elseif src:sub(i, i + 1) == "--" then
      local body, eqs = long_open(src, i + 2)
      if body then
        local text, after = long_body(src, body, eqs)
        line, i = line + count_lines(text), after
      else
        i = (src:find("\n", i, true) or #src + 1)
      end
    elseif c == "[" and long_open(src, i) then
      local body, eqs = long_open(src, i)
      local text, after = long_body(src, body, eqs)
      emit("string", (text:gsub("^\r?\n", "")), line)
      line, i = line + count_lines(text), after
    elseif c == '"' or c == "'" then
      local j, start = i + 1, line
      while j <= #src do
        local d = src:sub(j, j)
        if d == "\\" then
          if src:sub(j + 1, j + 1) == "\n" then line = line + 1 end
          j = j + 2
        elseif d == c or d == "\n" then
          break
        else
          j = j + 1
        end
      end
      emit("string", src:sub(i + 1, j - 1), start)
      i = j + 1
    elseif c:match("%d") or (c == "." and src:sub(i + 1, i + 1):match("%d")) then
      local j = i
      repeat
        local e = src:match("^[%w_.]*[eEpP][+-]", j)
        j = e and j + #e or j + #src:match("^[%w_.]*", j)
      until not e
      emit("number", src:sub(i, j - 1), line)
      i = j
    elseif c:match("[%a_]") then
      local name = src:match("^[%a_][%w_]*", i)
      emit("name", name, line)
      i = i + #name
    else
      local op = (OPS3[src:sub(i, i + 2)] and src:sub(i, i + 2)) or (OPS2[src:sub(i, i + 1)] and src:sub(i, i + 1))
        or c
      emit("op", op, line)
      i = i + #op
    end
  end
  return tokens
end

-- What opens and closes a context: brackets, and the blocks whose `end`
-- (or `until`) closes them (while and for open theirs with `do`).
local OPEN = { ["{"] = "{", ["("] = "(", ["["] = "[", ["function"] = "block", ["if"] = "block", ["do"] = "block",
  ["repeat"] = "block" }
local CLOSE = { ["}"] = true, [")"] = true, ["]"] = true, ["end"] = true, ["until"] = true }

local function is_op(tok, value) return tok ~= nil and tok.kind == "op" and tok.value == value end

local function is_call_start(tok)
  return tok ~= nil and (tok.kind == "string" or is_op(tok, "(") or is_op(tok, "{"))
end

--- Where `src` names an element of `names` (a set), except those in
-- `allowed` (a set or nil): { { line, name, form } } in source order, form
-- one of "string" (a literal that is exactly the name), "index"
-- (["Name"]), "field" (.Name), "key" (Name = in a table constructor),
-- "method" (:Name(...)).
local function scan(src, names, allowed)
  allowed = allowed or {}
  local tokens, stack, found = lex(src), {}, {}
  for k, tok in ipairs(tokens) do
    local prev, after = tokens[k - 1], tokens[k + 1]
    local form
    if tok.kind == "string" and names[tok.value] then
      form = (is_op(prev, "[") and is_op(after, "]")) and "index" or "string"
    elseif tok.kind == "name" and names[tok.value] then
      if is_op(prev, ".") then
        form = "field"
      elseif is_op(prev, ":") and is_call_start(after) then
        form = "method"
      elseif is_op(after, "=") and stack[#stack] == "{" then
        form = "key"
      end
    end
    if form and not allowed[tok.value] then
      found[#found + 1] = { line = tok.line, name = tok.value, form = form }
    end
    local opener = (tok.kind == "op" or tok.kind == "name") and OPEN[tok.value]
    if opener then
      stack[#stack + 1] = opener
    elseif (tok.kind == "op" or tok.kind == "name") and CLOSE[tok.value] then
      stack[#stack] = nil
    end
  end
  return found
end

-- {======================================================================
-- What a format's own input names
-- =======================================================================

-- (busted's assert returns more than its argument: this raises by itself.)
local function slurp(path)
  local f = io.open(path, "rb")
  if not f then error("cannot read " .. path) end
  local s = f:read("a")
  f:close()
  return s
end

-- The files matching shell globs, sorted; a glob that matches nothing adds nothing.
local function glob(...)
  local out = {}
  for _, pattern in ipairs { ... } do
    local p = io.popen("ls -1 " .. pattern .. " 2>/dev/null")
    for path in p:lines() do out[#out + 1] = path end
    p:close()
  end
  table.sort(out)
  return out
end

local function json_keys(v, into)
  if type(v) == "table" then
    for k, x in pairs(v) do
      if type(k) == "string" then into[k] = true end
      json_keys(x, into)
    end
  end
  return into
end

local function json_input(...)
  local keys = {}
  for _, path in ipairs(glob(...)) do
    json_keys(cjson.decode(slurp(path)), keys)
  end
  return keys
end

local function xml_input(...)
  local elements = {}
  for _, path in ipairs(glob(...)) do
    for name in slurp(path):gmatch("</?([%a_][%w_.:-]*)") do
      elements[name:match("[^:]*$")] = true
    end
  end
  return elements
end

-- The file a format reads, by format module: names there are its input's.
-- common.lua has no input of its own, so it is allowed nothing.
local FORMAT_INPUT = {
  ["lua/axlink/formats/ockto.lua"] = function()
    return json_input("examples/data/ockto-*.json", "spec/fixtures/same-person/ockto.json")
  end,
  ["lua/axlink/formats/iwize.lua"] = function()
    return json_input("examples/data/iwize-*.json", "spec/fixtures/same-person/iwize.json")
  end,
  ["lua/axlink/formats/hdn_brondata.lua"] = function()
    return xml_input("examples/data/brondata/*.xml", "spec/fixtures/same-person/brondata/*.xml")
  end,
}

local function lua_files()
  local out = {}
  local p = io.popen("find lua/axlink -type f -name '*.lua' -not -path 'lua/axlink/profiles/*' | sort")
  for path in p:lines() do out[#out + 1] = path end
  p:close()
  return out
end

-- {======================================================================
-- The specs
-- =======================================================================

describe("AX element names (DESIGN 7.3)", function()
  local names = profile.element_names(profile.default())

  it("are named by no Lua file outside the profile, save a format's own input", function()
    local files = lua_files()
    assert.is_true(#files >= 10, "the scan found the Lua sources")
    local offences = {}
    for _, path in ipairs(files) do
      local allowed = FORMAT_INPUT[path] and FORMAT_INPUT[path]()
      for _, f in ipairs(scan(slurp(path), names, allowed)) do
        offences[#offences + 1] = ("%s:%d:%s (%s)"):format(path, f.line, f.name, f.form)
      end
    end
    assert(#offences == 0, ("%d place(s) name an AX element; ask axlink.profile instead:\n  %s")
      :format(#offences, table.concat(offences, "\n  ")))
  end)

  it("are found by the scanner in every form, and only there", function()
    local src = table.concat({
      '-- Hypotheekgever, in a comment',                           -- 1
      '--[[ t.PartijNAWData in a block comment',                  -- 2
      '     "Lening" ]] local a = "OfferteAanvraag"',             -- 3 string (after the block)
      "local b = 'Lening' .. [[Leningdeel]] .. [==[Land]==]",     -- 4 three strings
      'local c = t.Hypotheekgever or x..Lening',                  -- 5 field; concatenation is not one
      'local d = { PartijNAWData = 1, y = a == b }',               -- 6 key; == is no key
      "local e = t[\"PersoonsID\"] or t['Inkomsten']",             -- 7 two indexes
      'x:Identificatie(1); x:Uitkering "s"',                       -- 8 two methods
      'error("the link of Hypotheekgever %s misses its key")',     -- 9 prose: nothing
      'if Lening == x then Product = 1 end',                       -- 10 a variable, an assignment: nothing
      'local s = "-- Uitkering" .. "Pensioen"',                    -- 11 "--" in a string: Pensioen is found
      'local v = t.ID and t.IDREF and t.Volgnummer',               -- 12 attributes: nothing
      'local f = { [[',                                            -- 13 a long string from here
      'Verplichtingen]], g = function() local Object = 1 end,',   -- 14 a local in a function: nothing
      '  Postcode = 2 }',                                          -- 15 key
      '--[==[ Land ]] still a comment ]==] local i = "BronNaam"',  -- 16 string after a level-2 comment
      'local j = "Object\\"" .. \'Land\\\'\' .. 1.5e+3 .. Land',    -- 17 escapes: nothing
    }, "\n")
    local found = scan(src, names)
    local got = {}
    for _, f in ipairs(found) do got[#got + 1] = ("%d:%s:%s"):format(f.line, f.name, f.form) end
    assert.are.same({
      "3:OfferteAanvraag:string",
      "4:Lening:string", "4:Leningdeel:string", "4:Land:string",
      "5:Hypotheekgever:field",
      "6:PartijNAWData:key",
      "7:PersoonsID:index", "7:Inkomsten:index",
      "8:Identificatie:method", "8:Uitkering:method",
      "11:Pensioen:string",
      "13:Verplichtingen:string",
      "15:Postcode:key",
      "16:BronNaam:string",
    }, got)
    -- A format's own input is allowed, and only that.
    assert.are.same({ { line = 1, name = "Lening", form = "field" } },
      scan('local x = t.Land or t.Lening', names, { Land = true }))
  end)
end)
