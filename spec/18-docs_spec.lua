-- The words match the code: every example in README.md and doc/*.md runs.
--
-- Convention for code in these files (this spec enforces it):
--  * Every code block is fenced with a label; an indented code block, or a
--    fence without a label, fails. Labels:
--      lua         a complete chunk, run with lua5.4; it must exit 0.
--      sh          shell commands. Each command that starts with `axlink`
--                  runs (as `lua5.4 bin/axlink ...` from this checkout) and
--                  must exit 0, or N when its line's comment says `# exit N`.
--                  A line ending in `\` continues on the next. Other
--                  commands (make, luarocks, cc) are shown, not run.
--      text        output, usage synopses, file contents: not run.
--      json xml c  content in that language: not run.
--  * Blocks of one file run one after another in a scratch directory of that
--    file (a shell block sees what an earlier one wrote, as a reader would),
--    and each gets the files it names: a name of a file in examples/data/
--    (`aanvraag.xml`, `ockto-bundled.json`, `brondata/brp.xml`) is copied
--    there under that name, and so is a path in the checkout
--    (`examples/formats/household.csv`). Names that stand for the reader's
--    own files are provided from STAND_INS below.
--  * No doc points outside the repository (`../shared/...`): the contract is
--    doc/architecture.md.
--
-- The module is the one under test: AXLINK_CPATH, else the first relative
-- entry of package.cpath (busted's --cpath), else build/?.so.
local files = require "support.files"

local ROOT = assert(io.popen("pwd")):read("l")
local LUA_ROOT = ROOT .. "/lua/?.lua;" .. ROOT .. "/lua/?/init.lua"

local function module_cpath()
  local env = os.getenv("AXLINK_CPATH")
  if env and env ~= "" then return env end
  for entry in package.cpath:gmatch("[^;]+") do
    if entry:find("?.so", 1, true) and not entry:match("^/") then return entry end
  end
  return "build/?.so"
end
local CPATH = module_cpath()
if not CPATH:match("^/") then CPATH = ROOT .. "/" .. CPATH end

local function q(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local ENV = "LUA_PATH=" .. q(LUA_ROOT .. ";;") .. " LUA_CPATH=" .. q(CPATH .. ";;") .. " "

local LABELS = { lua = true, sh = true, text = true, json = true, xml = true, c = true }

-- Files the docs name for the reader's own (a lender's schema, a message as a
-- lender receives it): what plays their part here.
local STAND_INS = {
  ["org.xsd"] = { copy = "spec/fixtures/schemas/org-externe-9.xsd" },
  ["organisatieschema.xsd"] = { copy = "spec/fixtures/schemas/org-externe-9.xsd" },
  -- An AX as a lender receives it: the example AX linked to the example CDL file.
  ["incoming.xml"] = { lua = [[
local axlink = require "axlink"
local msg = assert(axlink.read("]] .. ROOT .. [[/examples/data/aanvraag.xml"))
assert(msg:link(assert(axlink.cdl.read("]] .. ROOT .. [[/examples/data/ockto-bundled.json"))))
assert(msg:write("incoming.xml"))
]] },
}

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end

-- Runs a shell command; returns its exit code and what it printed.
local function sh(cmd)
  local out = os.tmpname()
  local _, _, code = os.execute(cmd .. " >" .. out .. " 2>&1")
  local o = files.slurp(out)
  os.remove(out)
  return code, o
end

-- {======================================================================
-- Reading the documents
-- =======================================================================

--- The code blocks of a Markdown text, and the convention's violations.
-- Block: { line = n, label = "lua", text = "..." }.
local function blocks(md)
  local out, bad = {}, {}
  local n, fence, in_list, prev_blank = 0, nil, false, true
  for line in (md:gsub("\r\n", "\n") .. (md:sub(-1) == "\n" and "" or "\n")):gmatch("([^\n]*)\n") do
    n = n + 1
    if fence then
      if line:match("^%s*```%s*$") then
        out[#out + 1] = fence
        fence = nil
      else
        fence.lines[#fence.lines + 1] = line
      end
    elseif line:match("^%s*```") then
      local label = line:match("^%s*```%s*(%S*)")
      if not LABELS[label] then
        bad[#bad + 1] = ("line %d: fence labelled %q (use lua, sh, text, json, xml or c)"):format(n, label)
      end
      fence = { line = n, label = label, lines = {} }
    elseif line:match("^%s*$") then
      prev_blank = true
    else
      local indented = line:match("^    ") or line:match("^\t")
      if line:match("^%s*[-*+] ") or line:match("^%s*%d+[.)] ") then
        in_list = true
      elseif not indented and prev_blank then
        in_list = false
      end
      if indented and prev_blank and not in_list then
        bad[#bad + 1] = ("line %d: indented code block (fence it, with a label)"):format(n)
      end
      prev_blank = false
    end
  end
  if fence then bad[#bad + 1] = ("line %d: fence never closed"):format(fence.line) end
  for _, b in ipairs(out) do b.text = table.concat(b.lines, "\n") .. "\n" end
  return out, bad
end

--- The commands of a sh block that start with `axlink`: { line, args, exit }.
local function axlink_commands(block)
  local cmds, cur, first = {}, nil, nil
  for i, line in ipairs(block.lines) do
    local l = cur and (cur .. " " .. line:match("^%s*(.-)$")) or line
    first = first or block.line + i
    if l:match("\\%s*$") then
      cur = l:gsub("%s*\\%s*$", "")
    else
      cur = nil
      local cmd, comment = l:match("^%s*(.-)%s*#(.*)$")
      if not cmd then cmd, comment = l:match("^%s*(.-)%s*$"), "" end
      local args = cmd:match("^axlink%s+(.*)$") or (cmd == "axlink" and "" or nil)
      if args then
        cmds[#cmds + 1] = { line = first, args = args, exit = tonumber(comment:match("exit%s+(%d+)")) or 0 }
      end
      first = nil
    end
  end
  return cmds
end

-- {======================================================================
-- Running them
-- =======================================================================

-- Copies into dir every file that the text names (see the convention).
local function provide(dir, text)
  local done = {}
  for word in text:gmatch("[%w_%.%-/]+") do
    word = word:gsub("^%./", ""):gsub("[%.]+$", "")
    if not done[word] and word ~= "" and not word:match("^/") and not word:find("..", 1, true) then
      done[word] = true
      local from
      if exists(ROOT .. "/examples/data/" .. word) then
        from = ROOT .. "/examples/data/" .. word
      elseif word:find("/", 1, true) and exists(ROOT .. "/" .. word) then
        from = ROOT .. "/" .. word
      end
      local stand_in = STAND_INS[word]
      if stand_in and stand_in.copy then from = ROOT .. "/" .. stand_in.copy end
      if from and not exists(dir .. "/" .. word) then
        local sub = word:match("^(.*)/[^/]*$")
        if sub then assert(os.execute("mkdir -p " .. q(dir .. "/" .. sub))) end
        assert(os.execute("cp -R " .. q(from) .. " " .. q(dir .. "/" .. word)))
      elseif stand_in and stand_in.lua and not exists(dir .. "/" .. word) then
        local script = files.spit(dir .. "/.stand-in.lua", stand_in.lua)
        local code, out = sh("cd " .. q(dir) .. " && " .. ENV .. "lua5.4 " .. q(script))
        assert(code == 0, "stand-in " .. word .. ": " .. out)
        os.remove(script)
      end
    end
  end
end

--- Runs one block in dir. Returns true, or false and why.
local function run(block, dir)
  provide(dir, block.text)
  if block.label == "lua" then
    local script = files.spit(dir .. "/.block.lua", block.text)
    local code, out = sh("cd " .. q(dir) .. " && " .. ENV .. "lua5.4 " .. q(script))
    os.remove(script)
    if code ~= 0 then return false, ("exit %d:\n%s"):format(code, out) end
  elseif block.label == "sh" then
    for _, c in ipairs(axlink_commands(block)) do
      local code, out = sh("cd " .. q(dir) .. " && " .. ENV .. "lua5.4 " .. q(ROOT .. "/bin/axlink") .. " " .. c.args)
      if code ~= c.exit then
        return false, ("line %d: axlink %s: exit %d, expected %d:\n%s"):format(c.line, c.args, code, c.exit, out)
      end
    end
  end
  return true
end

local DOCS = { "README.md" }
for path in assert(io.popen("ls doc/*.md")):lines() do DOCS[#DOCS + 1] = path end

describe("docs #subprocess", function()
  local dirs = {}
  teardown(function()
    for _, d in pairs(dirs) do os.execute("rm -rf " .. q(d)) end
  end)

  it("finds the documents and their runnable blocks", function()
    local lua, cmds = 0, 0
    for _, doc in ipairs(DOCS) do
      for _, b in ipairs((blocks(files.slurp(doc)))) do
        if b.label == "lua" then lua = lua + 1 end
        if b.label == "sh" then cmds = cmds + #axlink_commands(b) end
      end
    end
    assert.is_true(#DOCS >= 10)
    assert.is_true(lua >= 6, "lua blocks: " .. lua)
    assert.is_true(cmds >= 10, "axlink commands: " .. cmds)
  end)

  for _, doc in ipairs(DOCS) do
    local md = files.slurp(doc)
    local list, bad = blocks(md)

    it(doc .. " keeps the code block convention", function()
      assert.are.same({}, bad)
    end)

    it(doc .. " points nowhere outside the repository", function()
      assert.is_nil(md:find("shared/", 1, true), "a reference to ../shared: use doc/architecture.md")
    end)

    for _, b in ipairs(list) do
      if b.label == "lua" or (b.label == "sh" and #axlink_commands(b) > 0) then
        it(("%s:%d (%s) runs"):format(doc, b.line, b.label), function()
          dirs[doc] = dirs[doc] or files.tmpdir()
          local ok, why = run(b, dirs[doc])
          assert(ok, ("%s:%d: %s"):format(doc, b.line, why))
        end)
      end
    end
  end
end)

describe("docs: the runner itself #subprocess", function()
  local dir
  before_each(function() dir = files.tmpdir() end)
  after_each(function() os.execute("rm -rf " .. q(dir)) end)

  local function doc(md)
    local list, bad = blocks(md)
    return list, bad
  end

  it("fails a lua block that raises, and passes one that runs", function()
    local list = doc("```lua\nlocal axlink = require 'axlink'\nassert(axlink.read('aanvraag.xml'))\n```\n" ..
      "```lua\nlocal axlink = require 'axlink'\nassert(axlink.read('missing.xml'))\n```\n")
    assert.is_true((run(list[1], dir)))
    local ok, why = run(list[2], dir)
    assert.is_false(ok)
    assert.truthy(why:find("AXL-P14", 1, true), why)
  end)

  it("fails an axlink command whose exit status differs from the one the block states", function()
    local list = doc("```sh\nmake demo\naxlink check aanvraag.xml          # exit 0\n" ..
      "axlink check nothing.xml                   # exit 2: no such file\n```\n" ..
      "```sh\naxlink check aanvraag.xml --mode \\\n    nonsense\n```\n")
    local cmds = axlink_commands(list[1])
    assert.are.same({ 0, 2 }, { cmds[1].exit, cmds[2].exit })
    assert.is_true((run(list[1], dir)))
    assert.are.equal("check aanvraag.xml --mode nonsense", axlink_commands(list[2])[1].args)
    local ok, why = run(list[2], dir)
    assert.is_false(ok)
    assert.truthy(why:find("expected 0", 1, true), why)
  end)

  it("refuses unlabelled fences, unknown labels and indented code, not list continuations", function()
    local _, bad = doc("Text:\n\n    axlink demo\n\n```\nx\n```\n```shell\ny\n```\n" ..
      "- a list item\n\n    its second paragraph\n")
    assert.are.same({
      "line 3: indented code block (fence it, with a label)",
      'line 5: fence labelled "" (use lua, sh, text, json, xml or c)',
      'line 8: fence labelled "shell" (use lua, sh, text, json, xml or c)',
    }, bad)
  end)
end)
