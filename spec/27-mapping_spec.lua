-- One mapping path (DESIGN 7.1-7.4): the same facts give the same AX,
-- whichever CDL delivered them; a user's format with only decode and
-- person.facts fills the same fields; cdl.apply is all or nothing; the old
-- route (totable, fill, settable) gives the same bytes as apply.

local axlink = require "axlink"

local DIR = "spec/fixtures/same-person/"
local AANVRAAG = DIR .. "aanvraag.xml"

local FILES = {
  ["ockto-json"] = { DIR .. "ockto.json" },
  ["iwize-json"] = { DIR .. "iwize.json" },
}

local function brondata_files()
  local list = {}
  local p = io.popen("ls " .. DIR .. "brondata/*.xml 2>/dev/null")
  for line in p:lines() do list[#list + 1] = line end
  p:close()
  return list
end
FILES["hdn-brondata-xml"] = brondata_files()

-- iWize files carry no person key: the host supplies it (DESIGN 4.1).
local READ_OPTS = { ["iwize-json"] = { person_id = "c6a1f9e2-5b7d-4e3a-9f10-2d8c4b6a7e51" } }

-- The invented person's facts (/tmp/vocab.md, doc/mapping.md), as each
-- format must decode them.
local FACTS = require("support.same_person")()

-- What the mapping writes for these facts with household "couple" and
-- pension basis "accrued": written out, not computed.
local HG = "/OfferteAanvraag/Hypotheekgever[1]/"
local NAW = "/OfferteAanvraag/PartijNAWData[1]/"
local EXPECTED = {
  { NAW .. "VoorNamen", "Johanna Maria", "BRP" },
  { NAW .. "GeboorteLand", "NL Nederland", "BRP" },
  { NAW .. "GeboortePlaats", "Utrecht", "BRP" },
  { NAW .. "Nationaliteit", "NL Nederland", "BRP" },
  { NAW .. "StraatNaam", "Lindelaan", "BRP" },
  { NAW .. "HuisNr", "12", "BRP" },
  { NAW .. "HuisNrToevoeging", "A", "BRP" },
  { NAW .. "Postcode", "3521AB", "BRP" },
  { NAW .. "PlaatsNaam", "Utrecht", "BRP" },
  { NAW .. "Land", "NL Nederland", "BRP" },
  { HG .. "Inkomsten[1]/Uitkering[1]/SoortUitkering", "09 AOW", "MPO" },
  { HG .. "Inkomsten[1]/Uitkering[1]/BrutoJaarUitkering", "13300.00", "MPO" },
  { HG .. "Inkomsten[1]/Uitkering[1]/IngangsDt", "2053-06-15", "MPO" },
  { HG .. "Inkomsten[1]/Uitkering[1]/AOWVolledigeOpbouwJN", "J Ja", "MPO" },
  { HG .. "Inkomsten[1]/Pensioen[1]/IngangsDtPensioen", "2053-06-15", "MPO" },
  { HG .. "Inkomsten[1]/Pensioen[1]/PensioenInkomen", "8200.00", "MPO" },
  { HG .. "Verplichtingen[1]/SoortVerplichting", "12 Studielening", "DUO" },
  { HG .. "Verplichtingen[1]/MaandBedrag", "142.37", "DUO" },
  { HG .. "Verplichtingen[1]/VerplichtingBedrag", "18450.00", "DUO" },
  { HG .. "Verplichtingen[1]/VerplichtingInMnd", "180", "DUO" },
}

local OPTS = { fill = true, household = "couple", pension_basis = "accrued", today = "2026-11-20" }

local function with(opts, extra)
  local o = {}
  for k, v in pairs(opts) do o[k] = v end
  for k, v in pairs(extra or {}) do o[k] = v end
  return o
end

local function changes_of(result)
  local list = {}
  for i, c in ipairs(result.changes) do list[i] = { c.path, c.new, c.source } end
  return list
end

-- The AX of the filled person without the link itself (the keys differ by
-- CDL): its PartijNAWData and its Hypotheekgever's Inkomsten/Verplichtingen.
local function filled_part(msg)
  local t = msg:totable()
  local hg = t.Hypotheekgever[1]
  return { t.PartijNAWData[1], hg.Inkomsten, hg.Verplichtingen }
end

local function apply_file(paths, format)
  local delivery = assert(axlink.cdl.read(paths, READ_OPTS[format]))
  local msg = assert(axlink.read(AANVRAAG))
  local result, err = axlink.cdl.apply(msg, delivery, with(OPTS, { match = { [delivery.persons[1].id] = 1 } }))
  assert(result, err)
  return delivery, msg, result
end

describe("one mapping path", function()
  describe("the same person from three CDLs", function()
    for _, name in ipairs { "ockto-json", "iwize-json", "hdn-brondata-xml" } do
      it(name .. " decodes the invented person's facts", function()
        assert.is_true(#FILES[name] > 0)
        local d = assert(axlink.cdl.read(FILES[name], READ_OPTS[name]))
        assert.are.equal(name, d.format)
        assert.are.equal(1, #d.persons)
        assert.are.same(FACTS, d.persons[1].facts)
      end)

      it(name .. " fills exactly the expected fields and values", function()
        local _, msg, result = apply_file(FILES[name], name)
        assert.are.same(EXPECTED, changes_of(result))
        assert.are.equal(0, #result.conflicts)
        assert.is_true(result.report.ok)
        assert.is_true(msg:check().ok)
      end)
    end

    it("gives identical AX fields and change lists whichever CDL delivered the facts", function()
      local first_part, first_changes
      for _, name in ipairs { "ockto-json", "iwize-json", "hdn-brondata-xml" } do
        local _, msg, result = apply_file(FILES[name], name)
        local full = {}
        for i, c in ipairs(result.changes) do
          full[i] = { c.path, c.new, c.source, c.source_date, c.kind, c.old }
        end
        if not first_part then
          first_part, first_changes = filled_part(msg), full
        else
          assert.are.same(first_part, filled_part(msg))
          assert.are.same(first_changes, full)
        end
      end
    end)
  end)

  describe("a user's format with only decode and person.facts", function()
    local path = os.tmpname()
    setup(function()
      local f = assert(io.open(path, "w"))
      f:write("# facts-only v1\n")
      f:close()
      assert(axlink.cdl.register {
        name = "facts-only",
        detect = function(bytes) return bytes:sub(1, 16) == "# facts-only v1\n" end,
        decode = function()
          return { id = "FACTS-ONLY-1", persons = { { id = "fo-1", birth_date = "1985-03-15", initials = "JM",
            surname = "Vries", prefix = "de", facts = FACTS } } }
        end,
      })
    end)
    teardown(function() os.remove(path) end)

    it("fills the same fields with the same values", function()
      local _, msg, result = apply_file({ path })
      assert.are.same(EXPECTED, changes_of(result))
      local _, ockto_msg = apply_file(FILES["ockto-json"])
      assert.are.same(filled_part(ockto_msg), filled_part(msg))
    end)
  end)

  describe("apply is all or nothing", function()
    local function unchanged_after(opts, delivery, code)
      local msg = assert(axlink.read(AANVRAAG))
      local before = msg:serialize()
      local result, err, info = axlink.cdl.apply(msg, delivery, opts)
      assert.is_nil(result)
      assert.are.equal(code, info.code, err)
      assert.are.equal(before, msg:serialize())
      assert.are.same({}, msg:links())
      return info
    end

    local function hand_delivery(facts, extra)
      local p = { id = "h-1", birth_date = "1985-03-15", initials = "JM", surname = "Vries", prefix = "de",
        facts = facts }
      for k, v in pairs(extra or {}) do p[k] = v end
      return { id = "HAND-1", persons = { p } }
    end

    it("leaves the bytes as they were when the link refuses (a birth-date conflict)", function()
      unchanged_after(OPTS, hand_delivery(FACTS, { birth_date = "1985-03-16" }), "AXL-L03")
    end)

    it("leaves the bytes as they were when the fill refuses (a format's fill writes a field AX lacks)", function()
      assert(axlink.cdl.register {
        name = "bad-fill", detect = function() return false end, decode = function() end,
        fill = function(ctx) ctx:set("PartijNAWData", "Schoenmaat", "43", { source = "X" }) end,
      })
      local d = hand_delivery(FACTS)
      d.format = "bad-fill"
      local info = unchanged_after(OPTS, d, "AXL-C22")
      assert.are.equal("Schoenmaat", info.field)
    end)

    it("leaves the bytes as they were when the check finds an error the step introduced", function()
      local info = unchanged_after(with(OPTS, { limits = { ExterneIdentificatie = { max = 0 } } }),
        hand_delivery(FACTS), "AXL-C25")
      assert.is_table(info.report)
      assert.is_true(#info.problems > 0)
      assert.are.equal("error", info.problems[1].severity)
    end)

    it("refuses bad options before it changes anything", function()
      unchanged_after(with(OPTS, { pension_basis = "reachable" }), hand_delivery(FACTS), "AXL-C26")
      unchanged_after(with(OPTS, { household = "both" }), hand_delivery(FACTS), "AXL-C26")
    end)

    it("rolls back a first person's filled entities when the second one's fill refuses", function()
      assert(axlink.cdl.register {
        name = "second-refuses", detect = function() return false end, decode = function() end,
        fill = function(ctx, person)
          if person.id == "h-2" then ctx:set("PartijNAWData", "Schoenmaat", "43", { source = "X" }) end
        end,
      })
      local msg = assert(axlink.read("examples/data/aanvraag.xml"))
      local before = msg:serialize()
      local pension = { source = "MPO", date = "2026-11-02", kind = "old_age", start = "2030-01-01",
        yearly_accrued = "1000.00" }
      local d = { id = "TWO-1", format = "second-refuses", persons = {
        { id = "h-1", birth_date = "1954-07-03", initials = "IJW", prefix = "de", surname = "Boer",
          facts = { pensions = { pension } } },
        { id = "h-2", birth_date = "1955-02-17", initials = "ZN", surname = "Brouwer",
          facts = { pensions = { pension } } } } }
      local result, _, info = axlink.cdl.apply(msg, d, OPTS)
      assert.is_nil(result)
      assert.are.equal("AXL-C22", info.code)
      assert.are.equal(before, msg:serialize())
      -- The same delivery without the refusing fill goes through, for both.
      d.format = nil
      result = assert(axlink.cdl.apply(msg, d, OPTS))
      assert.are.equal(2, #result.links)
      assert.are.equal(4, #result.changes)
    end)

    it("reports errors the message already had without blocking, and blocks on them with opts.strict", function()
      -- Two Hypotheekgevers with one Volgnummer: AXL-R16, an error before the step.
      local xml = assert(io.open(AANVRAAG)):read("a")
      xml = xml:gsub('(<Lening Volgnummer="1">)', '<Hypotheekgever Volgnummer="1"><RefPartijNAWData IDREF="NA01"/>'
        .. '</Hypotheekgever>%1')
      local msg = assert(axlink.parse(xml))
      assert.is_false(msg:check().ok)
      local before = msg:serialize()
      local _, _, info = axlink.cdl.apply(msg, hand_delivery(FACTS), with(OPTS, { strict = true, match = { ["h-1"] = 1 } }))
      assert.are.equal("AXL-C25", info.code)
      assert.are.equal(before, msg:serialize())
      local result = assert(axlink.cdl.apply(msg, hand_delivery(FACTS), with(OPTS, { match = { ["h-1"] = 1 } })))
      assert.is_false(result.report.ok)
      assert.are.equal(1, #result.links)
    end)

    it("finds the linked Hypotheekgever by the link, not by a Volgnummer spelled otherwise", function()
      local xml = assert(io.open(AANVRAAG)):read("a"):gsub('<Hypotheekgever Volgnummer="1">',
        '<Hypotheekgever Volgnummer="01">')
      local msg = assert(axlink.parse(xml))
      local result = assert(axlink.cdl.apply(msg, hand_delivery(FACTS), OPTS))
      assert.are.same(EXPECTED, changes_of(result))
    end)

    it("changes nothing when the same delivery is applied again", function()
      local msg = assert(axlink.read(AANVRAAG))
      local first = assert(axlink.cdl.apply(msg, hand_delivery(FACTS), OPTS))
      assert.are.equal(#EXPECTED, #first.changes)
      local once = msg:serialize()
      local again = assert(axlink.cdl.apply(msg, hand_delivery(FACTS), OPTS))
      assert.are.same({}, again.changes)
      assert.are.same({}, again.conflicts)
      assert.is_false(again.links[1].created)
      assert.are.equal(once, msg:serialize())
    end)

    it("chooses the AX profile by opts.ax_version or the platform header's schemaVersion", function()
      local msg = assert(axlink.read(AANVRAAG))
      assert(axlink.cdl.apply(msg, hand_delivery(FACTS), with(OPTS, { schema_version = "24.0.1.1" })))
      local info = unchanged_after(with(OPTS, { schema_version = "25.0.1.1" }), hand_delivery(FACTS), "AXL-C24")
      assert.is_nil(info.field)
      local _, err = axlink.cdl.apply(assert(axlink.read(AANVRAAG)), hand_delivery(FACTS),
        with(OPTS, { ax_version = "23.0" }))
      assert.are.equal("AXL-C24 no AX profile for version 23.0 (known: 24.0)", err)
      unchanged_after(with(OPTS, { schema_version = "latest" }), hand_delivery(FACTS), "AXL-C24")
    end)

    it("links without filling when opts.fill is not set", function()
      local msg = assert(axlink.read(AANVRAAG))
      local result = assert(axlink.cdl.apply(msg, hand_delivery(FACTS), { today = "2026-11-20" }))
      assert.are.equal(1, #result.links)
      assert.are.same({}, result.changes)
      assert.is_nil(msg:totable().Hypotheekgever[1].Inkomsten)
    end)
  end)

  describe("the facts check", function()
    local function refused(facts)
      local d = { id = "HAND-1", persons = { { id = "h-1", facts = facts } } }
      local ok, err, info = axlink.cdl.validate(d)
      assert.is_nil(ok)
      assert.are.equal("AXL-C03", info.code)
      assert.are.equal("facts", info.field)
      return err
    end

    it("accepts every built-in format's facts and refuses a wrong shape with its path, never its value", function()
      assert.is_true(axlink.cdl.validate { id = "X", persons = { { id = "h", facts = FACTS } } })
      assert.are.equal("AXL-C03 delivery.persons[1].facts.idenity: not a name of the vocabulary",
        refused { idenity = { source = "BRP", surname = "Vries" } })
      assert.are.equal("AXL-C03 delivery.persons[1].facts.aow.yearly_coupel: not a name of the vocabulary",
        refused { aow = { source = "MPO", yearly_coupel = "13300.00" } })
      local err = refused { aow = { source = "MPO", yearly_couple = 13300 } }
      assert.are.equal("AXL-C03 delivery.persons[1].facts.aow.yearly_couple: an amount: a string with two decimals " ..
        "(\"1234.50\") expected", err)
      assert.is_nil(err:find("13300", 1, true))
      assert.are.equal("AXL-C03 delivery.persons[1].facts.pensions: a list expected",
        refused { pensions = { kind = "old_age" } })
      assert.are.equal("AXL-C03 delivery.persons[1].facts.pensions[1].start_age: { years = N, months = 0..11 } expected",
        refused { pensions = { { source = "MPO", kind = "old_age", start_age = { years = 67, months = 12 } } } })
      assert.are.equal("AXL-C03 delivery.persons[1].facts.identity.nationalities: a list of ISO 3166-1 alpha-2 countries " ..
        "expected",
        refused { identity = { source = "BRP", nationalities = { "Nederlandse" } } })
      assert.are.equal("AXL-C03 delivery.persons[1].facts.address.source: the register is missing",
        refused { address = { street = "Lindelaan" } })
      assert.are.equal("AXL-C03 delivery.persons[1].facts.address.number: a house number of digits (\"12\") expected",
        refused { address = { source = "BRP", number = "12-14" } })
      assert.are.equal("AXL-C03 delivery.persons[1].facts.identity.gender: one of male, female, unknown expected",
        refused { identity = { source = "BRP", gender = "V" } })
    end)

    it("is applied to a delivery built by hand before apply changes anything", function()
      local msg = assert(axlink.read(AANVRAAG))
      local before = msg:serialize()
      local _, _, info = axlink.cdl.apply(msg, { id = "HAND-1", persons = { { id = "h-1", birth_date = "1985-03-15",
        facts = { study_loans = { { source = "DUO", debt = "a lot" } } } } } }, OPTS)
      assert.are.equal("AXL-C03", info.code)
      assert.are.equal(before, msg:serialize())
    end)
  end)

  describe("facts the mapping only proposes", function()
    local function apply_facts(facts, extra)
      local msg = assert(axlink.read(AANVRAAG))
      local d = { id = "HAND-2", persons = { { id = "h-2", birth_date = "1985-03-15", initials = "JM",
        surname = "Vries", prefix = "de", facts = facts } } }
      return msg, assert(axlink.cdl.apply(msg, d, with(OPTS, extra)))
    end

    local function reasons(result)
      local out = {}
      for i, p in ipairs(result.proposals) do out[i] = { p.path, p.reason } end
      return out
    end

    it("several study loans: each proposed, no Verplichtingen written", function()
      local loan = { source = "DUO", date = "2026-11-02", debt = "1000.00", regime = "SF15" }
      local other = { source = "DUO", date = "2026-11-02", debt = "2000.00", regime = "pre-2015" }
      local msg, r = apply_facts { study_loans = { loan, other } }
      assert.are.same({}, r.changes)
      assert.are.same({
        { HG .. "Verplichtingen/VerplichtingBedrag", "several study loans: the adviser enters them" },
        { HG .. "Verplichtingen/VerplichtingBedrag", "several study loans: the adviser enters them" },
      }, reasons(r))
      assert.is_nil(msg:totable().Hypotheekgever[1].Verplichtingen)
    end)

    it("a benefit whose amount includes holiday pay, even with a host's code", function()
      local ww = { source = "UWV", date = "2026-11-02", kind = "WW", yearly = "12000.00", start = "2026-01-01",
        includes_holiday_pay = true }
      local _, r = apply_facts({ benefits = { ww } }, { codes = { benefit = { WW = "01 WW" } } })
      assert.are.same({}, r.changes)
      assert.are.same({
        { HG .. "Inkomsten/Uitkering/BrutoJaarUitkering", "the amount includes holiday pay; HDN's excludes it" },
        { HG .. "Inkomsten/Uitkering/IngangsDt", "the amount includes holiday pay; HDN's excludes it" },
      }, reasons(r))
      ww.includes_holiday_pay = nil
      _, r = apply_facts({ benefits = { ww } }, { codes = { benefit = { WW = "01 WW" } } })
      assert.are.same({ HG .. "Inkomsten[1]/Uitkering[1]/SoortUitkering", "01 WW", "UWV" }, changes_of(r)[1])
    end)

    it("an address beside another one in the AX: every part proposed, never mixed", function()
      local msg = assert(axlink.parse((assert(io.open(AANVRAAG)):read("a"):gsub("<GeboorteDt>",
        "<PlaatsNaam>Amsterdam</PlaatsNaam><GeboorteDt>"))))
      local d = { id = "HAND-3", persons = { { id = "h-3", birth_date = "1985-03-15", initials = "JM",
        surname = "Vries", prefix = "de", facts = { address = FACTS.address } } } }
      local r = assert(axlink.cdl.apply(msg, d, OPTS))
      assert.are.same({}, r.changes)
      assert.are.equal(6, #r.proposals)
      for _, p in ipairs(r.proposals) do assert.are.equal("the AX holds another address: not mixed", p.reason) end
    end)
  end)

  describe("the old route", function()
    it("gives the same bytes as apply: link, totable, fill, settable", function()
      local delivery = assert(axlink.cdl.read(FILES["ockto-json"]))
      local match = { [delivery.persons[1].id] = 1 }
      local a = assert(axlink.read(AANVRAAG))
      assert(axlink.cdl.apply(a, delivery, with(OPTS, { match = match })))
      local b = assert(axlink.read(AANVRAAG))
      assert(b:link(delivery, { match = match }))
      local t = b:totable()
      local r = assert(axlink.cdl.fill(t, delivery, OPTS))
      assert(b:settable(t))
      assert.are.same(EXPECTED, changes_of(r))
      assert.are.equal(a:serialize(), b:serialize())
    end)
  end)
end)
