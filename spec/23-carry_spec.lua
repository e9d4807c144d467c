-- A new requestVersion (carry, links_diff) and the lender's identity check (DESIGN 10.4).
local axlink = require "axlink"
local carry = require "axlink.carry"

local AX = "examples/data/aanvraag.xml"   -- Hypotheekgever 2 (de Boer, NA01), 4 (Brouwer, NA02)
local BOER = { id = "38f98901-6889-4b76-b25a-d962a4b12bba", birth_date = "1954-07-03", initials = "IJW",
  prefix = "de", surname = "Boer" }
local BROUWER = { id = "d9bf10df-5a51-40f0-b4d9-3754914ca7c3", birth_date = "1955-02-17", initials = "ZN",
  surname = "Brouwer" }

local slurp = require("support.files").slurp

-- The old version: both applicants linked, each to a data file of their own.
local function old_version()
  local msg = assert(axlink.read(AX, { name = "old.xml" }))
  assert(msg:link({ id = "file-boer", persons = { BOER } }, { fields = { DataMijNr = "mij-1" } }))
  assert(msg:link({ id = "file-brouwer", persons = { BROUWER } }))
  return msg
end

-- The new version: the applicants swapped in order and renumbered (2 -> 8, 4 -> 1), no links;
-- `edit` may change the text further.
local function new_version(edit)
  local xml = slurp(AX)
  local a1, a2 = xml:find('\t<Hypotheekgever Volgnummer="2">.-\t</Hypotheekgever>\n')
  local b1, b2 = xml:find('\t<Hypotheekgever Volgnummer="4">.-\t</Hypotheekgever>\n', a2)
  local first, second = xml:sub(a1, a2), xml:sub(b1, b2)
  first = first:gsub('Volgnummer="2"', 'Volgnummer="8"', 1)
  second = second:gsub('Volgnummer="4"', 'Volgnummer="1"', 1)
  xml = xml:sub(1, a1 - 1) .. second .. first .. xml:sub(b2 + 1)
  if edit then xml = edit(xml) end
  return assert(axlink.parse(xml, { name = "new.xml" }))
end

local function link_set(msg)
  local out = {}
  for _, l in ipairs(msg:links()) do
    out[#out + 1] = ("%s %s %s"):format(l.hypotheekgever, l.persoons_id, l.dataleverancier_id)
  end
  table.sort(out)
  return out
end

describe("carry", function()
  it("keeps every link when the applicants' Volgnummers and order change", function()
    local old, new = old_version(), new_version()
    local r = assert(carry.carry(new, old))
    assert.are.same({ { old = 2, new = 8 }, { old = 4, new = 1 } }, r.matches)
    assert.are.same({ "1 " .. BROUWER.id .. " file-brouwer", "8 " .. BOER.id .. " file-boer" }, link_set(new))
    assert.are.equal(2, #r.links)
    -- The host's Dataleverancier fields came along.
    local t = new:totable()
    local mij
    for _, d in ipairs(t.Dataleverancier) do
      if d.DataleverancierID == "file-boer" then mij = d.DataMijNr end
    end
    assert.are.equal("mij-1", mij)
    assert.is_true(new:check({ mode = "send" }).ok)
    -- Nothing differs between the versions now, though every Volgnummer did.
    assert.are.same({ added = {}, removed = {}, changed = {} }, carry.links_diff(old, new))
    -- Carrying again changes nothing.
    local before = new:serialize()
    assert(carry.carry(new, old))
    assert.are.equal(before, new:serialize())
  end)

  it("refuses when an applicant cannot be verified, and changes nothing", function()
    local old = old_version()
    local new = new_version(function(xml) return (xml:gsub("1955%-02%-17", "1955-03-17")) end)
    local before = new:serialize()
    local r, err, info = carry.carry(new, old)
    assert.is_nil(r)
    assert.are.equal("AXL-L30", info.code, err)
    assert.are.equal(4, info.hypotheekgever)
    assert.truthy(#info.grades > 0)
    assert.is_nil(err:find("1955", 1, true))
    assert.is_nil(err:find("Brouwer", 1, true))
    assert.are.equal(before, new:serialize())
  end)

  it("is all or nothing when a later link fails", function()
    local old = old_version()
    local new = new_version(function(xml) return (xml:gsub("1955%-02%-17", "1955-03-17")) end)
    local before = new:serialize()
    -- Brouwer named explicitly: still checked on the birth date by link, after de Boer's link succeeded.
    local r, err, info = carry.carry(new, old, { match = { [4] = 1 } })
    assert.is_nil(r)
    assert.are.equal("AXL-L02", info.code, err)
    assert.are.equal(before, new:serialize())
  end)

  it("takes an explicit match for a changed name", function()
    local old = old_version()
    -- birth name and name of use both changed
    local new = new_version(function(xml) return (xml:gsub(">Brouwer<", ">Jansen<")) end)
    local r, _, info = carry.carry(new, old)
    assert.is_nil(r)
    assert.are.equal("AXL-L30", info.code)
    assert(carry.carry(new, old, { match = { ["4"] = "1" } }))
    assert.are.same({ "1 " .. BROUWER.id .. " file-brouwer", "8 " .. BOER.id .. " file-boer" }, link_set(new))
  end)

  it("refuses a link that misses its key, and messages that are not an AX", function()
    local old = old_version()
    assert(old:update(function(t) t.Hypotheekgever[1].Identificatie.ExterneIdentificatie[1].PersoonsID = nil end))
    local r, err, info = carry.carry(new_version(), old)
    assert.is_nil(r)
    assert.are.equal("AXL-L33", info.code, err)
    local brp = assert(axlink.read("spec/fixtures/hdn/bronaanvraag-25.0-ockto-brp-sample.xml"))
    r, err, info = carry.carry(brp, old_version())
    assert.is_nil(r)
    assert.are.equal("AXL-L32", info.code, err)
  end)
end)

describe("links_diff", function()
  it("lists added, removed and moved links", function()
    local old = old_version()
    local new = new_version()
    -- de Boer's file linked to Brouwer (moved), Brouwer's file gone, a new one added
    assert(new:link({ id = "file-boer", persons = { { id = BOER.id, birth_date = BROUWER.birth_date,
      initials = "ZN", surname = "Brouwer" } } }))
    assert(new:link({ id = "file-new", persons = { BOER } }))
    local d = assert(carry.links_diff(old, new))
    assert.are.same({ { persoons_id = BOER.id, dataleverancier_id = "file-new", hypotheekgever = 8 } }, d.added)
    assert.are.same({ { persoons_id = BROUWER.id, dataleverancier_id = "file-brouwer", hypotheekgever = 4 } },
      d.removed)
    assert.are.equal(1, #d.changed)
    assert.are.same({ BOER.id, "file-boer", 2, 1 }, { d.changed[1].persoons_id, d.changed[1].dataleverancier_id,
      d.changed[1].old_hypotheekgever, d.changed[1].new_hypotheekgever })
    assert.are_not.equal("verified", d.changed[1].grade)
  end)
end)

describe("verify_identity", function()
  local function linked()
    local msg = assert(axlink.read(AX))
    assert(msg:link({ id = "brp-file", persons = { BOER, BROUWER } }))
    return msg
  end

  local function results(entry)
    local out = {}
    for _, f in ipairs(entry.fields) do out[f.field] = f.result end
    return out
  end

  it("compares identity facts with the linked applicant, without values", function()
    local delivery = { id = "brp-file", persons = {
      { id = BOER.id, facts = { identity = { source = "BRP", surname = "Boer", prefix = "de", initials = "I.J.W.",
        first_names = "IJsbrand Willem", birth_date = "1954-07-03", birth_place = "Leeuwarden",
        birth_country = "NL", nationalities = { "NL" } } } },
      -- today's formats: identity on the person itself; a partial BRP date
      { id = BROUWER.id, birth_date = "1955-02-00", initials = "ZN", surname = "Bröuwer" },
    } }
    local r = assert(carry.verify_identity(linked(), delivery))
    assert.are.equal(2, #r)
    assert.are.same({ 2, BOER.id, "verified" }, { r[1].hypotheekgever, r[1].persoons_id, r[1].grade })
    assert.are.same({ surname = "same", prefix = "same", initials = "same", first_names = "same",
      birth_date = "same", birth_place = "same", birth_country = "same", nationalities = "same" }, results(r[1]))
    assert.are.same({ surname = "same", prefix = "absent", initials = "same", first_names = "absent",
      birth_date = "same", birth_place = "absent", birth_country = "absent", nationalities = "absent" },
      results(r[2]))
    for _, e in ipairs(r) do
      for _, f in ipairs(e.fields) do assert.is_nil(f.ax or f.cdl) end
    end
  end)

  it("says which field differs, and shows values only when asked", function()
    local delivery = { id = "brp-file", persons = {
      { id = BOER.id, facts = { identity = { source = "BRP", surname = "Visser", initials = "IJW",
        birth_date = "1954-07-03" } } },
    } }
    local r = assert(carry.verify_identity(linked(), delivery))
    assert.are.equal(1, #r)
    assert.are.equal("differs", results(r[1]).surname)
    assert.are.equal("same", results(r[1]).birth_date)
    assert.are_not.equal("verified", r[1].grade)
    r = assert(carry.verify_identity(linked(), delivery, { show_values = true }))
    assert.are.same({ field = "surname", result = "differs", ax = "Boer", cdl = "Visser" }, r[1].fields[1])
  end)

  it("refuses an answer about no linked person, and a bad delivery", function()
    local r, err, info = carry.verify_identity(linked(), { id = "other-file", persons = { BOER } })
    assert.is_nil(r)
    assert.are.equal("AXL-L34", info.code, err)
    r, err, info = carry.verify_identity(linked(), { id = "brp-file", persons = {} })
    assert.is_nil(r)
    assert.are.equal("AXL-C02", info.code, err)
  end)
end)
