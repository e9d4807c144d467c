-- Layer 1: reading and writing AX through the Lua API (DESIGN 3, 3.2).
local axlink = require "axlink"

local slurp = require("support.files").slurp

local AX = "spec/fixtures/hdn/ax-24.0-sample.xml"
local BRON = "spec/fixtures/hdn/bronaanvraag-25.0-ockto-brp-sample.xml"

describe("axlink.parse / serialize", function()
  it("gives HDN's own bytes back for both public samples", function()
    for _, path in ipairs { AX, BRON } do
      local src = slurp(path)
      local msg = assert(axlink.parse(src))
      assert.are.equal(src, msg:serialize())
    end
  end)

  it("is a fixed point for the project's own fixture", function()
    local src = slurp("spec/fixtures/ax/two-applicants.xml")
    local msg = assert(axlink.parse(src))
    local once = msg:serialize()
    assert.are.equal(src, once)
    assert.are.equal(once, assert(axlink.parse(once)):serialize())
  end)

  it("names the root", function()
    assert.are.equal("OfferteAanvraag", assert(axlink.read(AX)):root())
    assert.are.equal("BronAanvraagBericht", assert(axlink.read(BRON)):root())
  end)

  it("exposes the versions", function()
    assert.are.equal("0.1.0", axlink._VERSION)
    assert.are.equal("20914", axlink.libxml2_version)
  end)

  it("clones into an independent message", function()
    local msg = assert(axlink.read(AX))
    local copy = msg:clone()
    msg:close()
    assert.are.equal(slurp(AX), copy:serialize())
  end)
end)

describe("errors", function()
  it("returns nil, 'NAME:LINE: AXL-CODE text', info", function()
    local msg, err, info = axlink.parse("<a>\n<b>\n</c>", { name = "in.xml" })
    assert.is_nil(msg)
    assert.are.equal("in.xml:3: AXL-P01 opening and ending tag mismatch", err)
    assert.are.same({ code = "AXL-P01", line = 3, xml_error = 76 }, info)
  end)

  it("reports lines past 65535 (libxml2 2.9.14 caps its own at 65535)", function()
    local xml = "<a>\n" .. string.rep("<b/>\n", 70000) .. "<c>x<d/></c></a>"
    local _, err, info = axlink.parse(xml, { name = "big.xml" })
    assert.are.equal(70002, info.line)
    assert.are.equal("big.xml:70002: AXL-P10 mixed content: text beside child elements", err)
  end)

  it("uses the basename of a path read", function()
    local _, err, info = axlink.read("spec/fixtures/missing.xml")
    assert.are.equal("missing.xml: AXL-P14 file not found", err)
    assert.are.equal("AXL-P14", info.code)
  end)

  local refusals = {
    { "<!DOCTYPE a><a/>", "AXL-P02" },
    { "<!DOCTYPE lolz [<!ENTITY lol 'lol'><!ENTITY lol2 '&lol;&lol;&lol;'>]><a>&lol2;</a>", "AXL-P02" },
    { "<a>x<b/></a>", "AXL-P10" },
    { "<a ID='1'><ID/></a>", "AXL-P11" },
    { "<?xml version='1.1'?><a/>", "AXL-P09" },
    { "<?xml version='1.0' encoding='windows-1252'?><a/>", "AXL-P08" },
    { "<a xmlns='urn:x'/>", "AXL-P13" },
    { "", "AXL-P12" },
    { "<a", "AXL-P01" },
  }
  for _, case in ipairs(refusals) do
    it("refuses " .. case[1]:sub(1, 40) .. " with " .. case[2], function()
      local msg, err, info = axlink.parse(case[1])
      assert.is_nil(msg)
      assert.are.equal(case[2], info.code)
      assert.truthy(err:find(case[2], 1, true))
    end)
  end

  it("enforces the limits given in opts", function()
    local xml = "<a><b>12345</b><c x='1' y='2'/></a>"
    local cases = {
      { { max_bytes = 10 }, "AXL-P03" },
      { { max_depth = 1 }, "AXL-P04" },
      { { max_attributes = 1 }, "AXL-P05" },
      { { max_elements = 2 }, "AXL-P06" },
      { { max_text = 4 }, "AXL-P07" },
    }
    for _, c in ipairs(cases) do
      local _, _, info = axlink.parse(xml, c[1])
      assert.are.equal(c[2], info.code)
    end
    assert.is_not_nil(axlink.parse(xml, { max_text = 5, max_depth = 2 }))
  end)

  it("says which limit refused, its value and the measured figure (DESIGN 3.4), never data", function()
    local xml = "<a><b>12345</b><c x='1' y='2'/></a>"
    local cases = {
      { { max_bytes = 10 }, "max_bytes", 10, #xml, ("AXL-P03 input is %d bytes, over max_bytes (10 bytes)"):format(#xml) },
      { { max_depth = 1 }, "max_depth", 1, 2, "AXL-P04 elements nested at least 2 deep, over max_depth (1)" },
      { { max_attributes = 1 }, "max_attributes", 1, 2, "AXL-P05 an element with 2 attributes, over max_attributes (1)" },
      { { max_elements = 2 }, "max_elements", 2, 3, "AXL-P06 at least 3 elements, over max_elements (2)" },
      { { max_text = 4 }, "max_text", 4, 5, "AXL-P07 a text or attribute value of at least 5 bytes, over max_text (4 bytes)" },
    }
    for _, c in ipairs(cases) do
      local _, err, info = axlink.parse(xml, c[1])
      assert.are.equal(c[2], info.limit)
      assert.are.equal(c[3], info.value)
      assert.are.equal(c[4], info.actual)
      assert.are.equal("input: " .. c[5], err:gsub("^input:%d+:", "input:"))
      assert.falsy(err:find("12345", 1, true))
    end
    local long = "<OfferteAanvraag>" .. ("<Naam>x</Naam>"):rep(50000) .. "</OfferteAanvraag>"
    local _, err, info = axlink.parse(long, { max_seconds = 1e-6 })
    assert.are.equal("AXL-P16", info.code)
    assert.are.equal("max_seconds", info.limit)
    assert.are.equal(1e-6, info.value)
    assert.is_true(info.actual >= info.value)
    assert.truthy(err:find("over max_seconds (1e-06 s)", 1, true), err)
  end)

  it("refuses a 70 MiB input by default, saying by how much", function()
    local size = 73610035   -- 70.2 MiB
    local msg, err, info = axlink.parse("<a>" .. ("x"):rep(size - 7) .. "</a>")
    assert.is_nil(msg)
    assert.are.equal("input: AXL-P03 input is 70.2 MiB, over max_bytes (16 MiB)", err)
    assert.are.same({ code = "AXL-P03", limit = "max_bytes", value = 16 * 1024 * 1024, actual = size }, info)
    collectgarbage()
    -- The defaults of DESIGN 3.4: 16 MB parses, a million elements do not.
    assert(axlink.parse("<a>" .. ("<b>" .. ("x"):rep(1000) .. "</b>"):rep(16000) .. "</a>"))
    local _, _, over = axlink.parse("<a>" .. ("<b/>"):rep(1000000) .. "</a>")
    assert.are.equal("AXL-P06", over.code)
    assert.are.equal(1000000, over.value)
  end)

  it("stops at a deadline (max_seconds), and takes none by default", function()
    local xml = "<OfferteAanvraag>" .. ("<Naam>x</Naam>"):rep(50000) .. "</OfferteAanvraag>"
    local msg, err, info = axlink.parse(xml, { max_seconds = 1e-6 })
    assert.is_nil(msg)
    assert.are.equal("AXL-P16", info.code)
    assert.truthy(err:find("max_seconds", 1, true))
    assert.is_not_nil(axlink.parse(xml))
    assert.is_not_nil(axlink.parse(xml, { max_seconds = 60 }))
    assert.has_error(function() axlink.parse(xml, { max_seconds = 0 }) end)
    assert.has_error(function() axlink.parse(xml, { max_seconds = "soon" }) end)
  end)

  it("raises for a wrong argument type", function()
    assert.has_error(function() axlink.parse(nil) end)
    assert.has_error(function() axlink.parse("<a/>", 3) end)
    assert.has_error(function() axlink.parse("<a/>", { max_bytes = "x" }) end)
    assert.has_error(function() axlink.parse("<a/>", { name = 1 }) end)
  end)

  it("never quotes a value from the data", function()
    -- Each broken document carries the sentinel where libxml2 would quote it.
    local sentinel = "Zeldzaamnaam123"
    local docs = {
      "<a><b>" .. sentinel .. "</b><c>" .. sentinel .. "</d></a>",
      "<a x='" .. sentinel .. "' x='" .. sentinel .. "'/>",
      "<a>" .. sentinel .. "<b/></a>",
      "<a>&" .. sentinel .. ";</a>",
      "<a><" .. sentinel .. " " .. sentinel .. "/></a>",
      "<a>" .. sentinel .. "\1</a>",
      "<!DOCTYPE a [<!ENTITY " .. sentinel .. " 'x'>]><a/>",
      "<a>" .. sentinel .. "</a><b/>",
    }
    for _, doc in ipairs(docs) do
      local msg, err, info = axlink.parse(doc)
      assert.is_nil(msg)
      assert.falsy(err:find(sentinel, 1, true), err)
      for _, v in pairs(info) do
        assert.falsy(tostring(v):find(sentinel, 1, true))
      end
    end
  end)

  it("prints nothing on stderr, whatever the input", function()
    local script = os.tmpname()
    local f = assert(io.open(script, "w"))
    f:write([[
package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
package.cpath = (os.getenv("AXLINK_CPATH") or "build/?.so") .. ";" .. package.cpath
local axlink = require "axlink"
for _, doc in ipairs {
  "<a><b>geheim</b></c>", "<a>\1</a>", "<!DOCTYPE a SYSTEM 'file:///etc/passwd'><a/>",
  "<a xmlns:p='x'><q:b/></a>", "<a>&#0;</a>", "\255\254<", "<a b='<'/>",
  "<?xml version='1.0' encoding='nope'?><a/>",
} do axlink.parse(doc) end
]])
    f:close()
    local err = os.tmpname()
    assert.is_true(os.execute("lua5.4 " .. script .. " 2>" .. err))
    assert.are.equal("", slurp(err))
    os.remove(script)
    os.remove(err)
  end)
end)

describe("Message lifetime", function()
  it("raises 'message is closed' after close", function()
    local msg = assert(axlink.read(AX))
    msg:close()
    assert.has_error(function() msg:serialize() end, "message is closed")
    assert.are.equal("axlink.Message (closed)", tostring(msg))
  end)

  it("closes with <close>", function()
    local keep
    do
      local msg <close> = assert(axlink.read(AX))
      keep = msg
    end
    assert.has_error(function() keep:root() end, "message is closed")
  end)

  it("tostring shows the root and the caller's name, no data", function()
    local msg = assert(axlink.read(AX))
    assert.are.equal("axlink.Message (OfferteAanvraag, ax-24.0-sample.xml)", tostring(msg))
  end)
end)

describe("msg:write", function()
  it("writes the canonical bytes atomically and keeps the mode", function()
    local dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir " .. dir))
    local path = dir .. "/out.xml"
    local msg = assert(axlink.read(AX))
    assert.is_true(msg:write(path))
    assert.are.equal(slurp(AX), slurp(path))
    assert(os.execute("chmod 640 " .. path))
    assert.is_true(msg:write(path))
    local p = io.popen("stat -c %a " .. path)
    assert.are.equal("640", p:read("l"))
    p:close()
    -- Nothing else is left in the directory (no temp files).
    p = io.popen("ls -A " .. dir)
    assert.are.equal("out.xml", p:read("a"):gsub("%s+$", ""))
    p:close()
    os.remove(path)
    os.remove(dir)
  end)

  it("returns nil, message, info when it cannot write", function()
    local msg = assert(axlink.read(AX))
    local ok, err, info = msg:write("/nonexistent-dir/x.xml")
    assert.is_nil(ok)
    assert.are.equal("AXL-W01", info.code)
    assert.truthy(err:find("AXL-W01", 1, true))
  end)
end)
