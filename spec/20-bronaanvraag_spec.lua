-- BronAanvraagBericht from the links (DESIGN 10.1), golden against HDN's own sample.
local axlink = require "axlink"
local bronaanvraag = require "axlink.bronaanvraag"

local GOLDEN = "spec/fixtures/hdn/bronaanvraag-25.0-ockto-brp-sample.xml"
local AX = "examples/data/aanvraag.xml"   -- Hypotheekgever 2 (de Boer, NA01), 4 (Brouwer, NA02)
-- The sample's keys and option values (HDN's BronBerichtTest.java).
local PERSOON = "d0228eea-b818-4303-9357-aa043d24b452"
local KEY = "eyJjb25zdW1lckRhdGEiOnsiRGF0YVNvdXJjZXMiOlsiTU9IIiwiVVdWIiwiVklBIiwiVVBPIiwiRFVPIiwiUkJSIiwi" ..
  "SUtCIiwiSURJTiJdLCJJZCI6IjhiZWU1OTA1LTljMmMtNGEyYS1iZDZjLWIzZjM2YWYzYTNlYyIsIk9kbVZlcnNpb24iOiJWNF80In19"
local PARTNER = "5f0c2a8e-61d4-4f0b-9b7e-2c1f0e9d8a77"

local slurp = require("support.files").slurp

local function sample_opts(extra)
  local o = { data_mij_nr = "9155605c-1307-476b-b512-b3aa9ac1bb26", gegevens_verzoek_versie = "ABC-OSN006",
    ontvanger_naam = "ZFL", volgnummer = 745, supplier = "02 Ockto" }
  for k, v in pairs(extra or {}) do o[k] = v end
  return o
end

-- The AX linked with the sample's PersoonsID (on de Boer) and data-file key.
local function linked(with_partner)
  local msg = assert(axlink.read(AX))
  local persons = { { id = PERSOON, birth_date = "1954-07-03", initials = "IJW", prefix = "de", surname = "Boer" } }
  if with_partner then
    persons[2] = { id = PARTNER, birth_date = "1955-02-17", initials = "ZN", surname = "Brouwer" }
  end
  assert(msg:link({ id = KEY, persons = persons }))
  return msg
end

local function no_keys(s)
  assert.is_nil(s:find(PERSOON, 1, true))
  assert.is_nil(s:find(KEY:sub(1, 20), 1, true))
  assert.is_nil(s:find("Boer", 1, true))
end

describe("bronaanvragen", function()
  it("gives HDN's sample byte for byte from the linked AX and the sample's options", function()
    local list = assert(bronaanvraag.build(linked(), sample_opts()))
    assert.are.equal(1, #list)
    assert.are.equal(slurp(GOLDEN), list[1].message:serialize())
    -- The public name, a Message method (DESIGN 10.1), gives the same bytes.
    local public = assert(linked():bronaanvragen(sample_opts()))
    assert.are.equal(slurp(GOLDEN), public[1].message:serialize())
    local e = list[1]
    assert.are.equal(PERSOON, e.persoons_id)
    assert.are.equal(KEY, e.dataleverancier_id)
    assert.are.equal("26 Basis Registratie Personen", e.product)
    assert.are.equal(2, e.hypotheekgever)
    assert.are.equal("BasisRegistratiePersonenBericht", e.answer)
    assert.are.same({ provider = "02 Ockto", document = "26 Basis Registratie Personen",
      source = "11 Mijnoverheid.nl" }, e.external_source)
  end)

  it("uses the inferred supplier only when asked", function()
    local msg = linked()
    local opts = sample_opts()
    opts.supplier = nil
    local list, err, info = bronaanvraag.build(msg, opts)
    assert.is_nil(list)
    assert.are.equal("AXL-B05", info.code)
    assert.truthy(err:find("AXL-B05", 1, true))
    no_keys(err)
    opts.use_inferred_supplier = true
    list = assert(bronaanvraag.build(msg, opts))
    assert.are.equal(slurp(GOLDEN), list[1].message:serialize())
  end)

  it("builds one message per link and product, the product element from the table", function()
    local msg = linked(true)
    local opts = sample_opts {
      products = { "26 Basis Registratie Personen", "29 Studie Lening" },
      data_mij_nr = function(link) return "ref-" .. link.hypotheekgever end,
    }
    opts.volgnummer = nil   -- the default, 1
    local list = assert(bronaanvraag.build(msg, opts))
    assert.are.equal(4, #list)
    local seen = {}
    for _, e in ipairs(list) do
      local t = e.message:totable()
      assert.are.equal("BronAanvraagBericht", e.message:root())
      assert.are.equal("1", t.ExterneBron[1].Volgnummer)
      assert.are.equal("ref-" .. e.hypotheekgever, t.Dataleverancier[1].DataMijNr)
      local element = bronaanvraag.PRODUCTS[e.product].element
      assert.are.equal(e.persoons_id, t.Product[1][element][1].PersoonsID)
      seen[#seen + 1] = e.hypotheekgever .. " " .. e.product
    end
    assert.are.same({ "2 26 Basis Registratie Personen", "2 29 Studie Lening", "4 26 Basis Registratie Personen",
      "4 29 Studie Lening" }, seen)
    assert.are.same({ "2-1-26.xml", "2-2-29.xml", "4-1-26.xml", "4-2-29.xml" }, bronaanvraag.file_names(list))
    -- Every message reads back to the same bytes (canonical form).
    for _, e in ipairs(list) do
      local xml = e.message:serialize()
      assert.are.equal(xml, assert(axlink.parse(xml)):serialize())
    end
  end)

  it("marks every product row but BRP as assumed, and takes a host's table", function()
    for code, row in pairs(bronaanvraag.PRODUCTS) do
      assert.are.equal(code ~= "26 Basis Registratie Personen", row.assumed == true, code)
    end
    local list = assert(bronaanvraag.build(linked(), sample_opts {
      products = { "99 Eigen" },
      product_table = { ["99 Eigen"] = { bron_naam = "01 Eigen bron", element = "EigenProduct" } },
    }))
    local t = list[1].message:totable()
    assert.are.equal("01 Eigen bron", t.ExterneBron[1].BronNaam)
    assert.are.equal(PERSOON, t.Product[1].EigenProduct[1].PersoonsID)
  end)

  it("asks only for opts.links, which must be the message's own", function()
    local msg = linked(true)
    local links = msg:links()
    local list = assert(bronaanvraag.build(msg, sample_opts { links = { links[2] } }))
    assert.are.equal(1, #list)
    assert.are.equal(4, list[1].hypotheekgever)
    local foreign = { persoons_id = "x", dataleverancier_id = "y", hypotheekgever = 2 }
    local none, err, info = bronaanvraag.build(msg, sample_opts { links = { foreign } })
    assert.is_nil(none)
    assert.are.equal("AXL-B08", info.code, err)
  end)

  it("escapes what it writes", function()
    local list = assert(bronaanvraag.build(linked(), sample_opts { data_mij_nr = "a<b&c>\"d'" }))
    local xml = list[1].message:serialize()
    assert.truthy(xml:find("<DataMijNr>a&lt;b&amp;c&gt;\"d'</DataMijNr>", 1, true), xml)
    assert.are.equal("a<b&c>\"d'", assert(axlink.parse(xml)):totable().Dataleverancier[1].DataMijNr)
  end)

  describe("refuses, with an AXL-B code, never raising, nothing built", function()
    local function refused(code, msg, opts)
      local list, err, info = bronaanvraag.build(msg, opts)
      assert.is_nil(list)
      assert.are.equal("string", type(err))
      assert.are.equal(code, info.code, err)
      assert.truthy(err:find(code, 1, true), err)
      no_keys(err)
      return err, info
    end

    it("a missing required option", function()
      for _, k in ipairs { "data_mij_nr", "gegevens_verzoek_versie", "ontvanger_naam" } do
        local o = sample_opts()
        o[k] = nil
        local _, info = refused("AXL-B01", linked(), o)
        assert.are.equal(k, info.option)
      end
      refused("AXL-B01", linked(), nil)
      refused("AXL-B01", linked(), sample_opts { ontvanger_naam = "" })
    end)

    it("an option of the wrong kind", function()
      refused("AXL-B02", linked(), sample_opts { volgnummer = 0 })
      refused("AXL-B02", linked(), sample_opts { volgnummer = 1.5 })
      refused("AXL-B02", linked(), sample_opts { products = "26 Basis Registratie Personen" })
      refused("AXL-B02", linked(), sample_opts { gegevens_verzoek_versie = 6 })
      refused("AXL-B02", linked(), sample_opts { data_mij_nr = true })
    end)

    it("an unknown product", function()
      local _, info = refused("AXL-B03", linked(), sample_opts { products = { "77 Onbekend" } })
      assert.are.equal("77 Onbekend", info.product)
    end)

    it("a link that misses its reference", function()
      local msg = linked()
      assert(msg:update(function(t)
        t.Hypotheekgever[1].Identificatie.ExterneIdentificatie[1].RefDataleverancier = nil
        -- a second CDL file, so the missing reference is ambiguous
        t.Dataleverancier[2] = { ID = "DL9", DataleverancierID = "ander-bestand" }
      end))
      local _, info = refused("AXL-B04", msg, sample_opts())
      assert.are.equal(2, info.hypotheekgever)
      assert.are.same({ "ref" }, info.missing)
    end)

    it("a data_mij_nr function that raises or gives no string", function()
      refused("AXL-B06", linked(), sample_opts { data_mij_nr = function() error("secret " .. PERSOON) end })
      refused("AXL-B06", linked(), sample_opts { data_mij_nr = function() return 7 end })
    end)

    it("a value with whitespace at an end or a line break", function()
      refused("AXL-B07", linked(), sample_opts { data_mij_nr = "ref\n" })
      refused("AXL-B07", linked(), sample_opts { ontvanger_naam = " ZFL" })
    end)

    it("a value XML cannot hold", function()
      local _, info = refused("AXL-B09", linked(), sample_opts { data_mij_nr = "a\1b" })
      assert.are.equal("AXL-T09", info.cause.code)
    end)

    it("a message without links, or not an AX", function()
      refused("AXL-B10", assert(axlink.read(AX)), sample_opts())
      refused("AXL-B11", assert(axlink.read(GOLDEN)), sample_opts())
    end)

    it("raises only for an opts that is not a table", function()
      assert.has_error(function() bronaanvraag.build(linked(), "opts") end)
    end)
  end)
end)
