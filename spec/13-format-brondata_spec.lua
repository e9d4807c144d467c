-- The built-in format hdn-brondata-xml (DESIGN 4.1, 7): HDN brondata answers,
-- one message per product, joined into one delivery, linked and filled.
local axlink = require "axlink"
local cdl = axlink.cdl
local format = require "axlink.formats.hdn_brondata"

local DIR = "examples/data/brondata/"
local BRP, UWV, MPO, DUO = DIR .. "brp.xml", DIR .. "loondienst.xml", DIR .. "pensioen.xml", DIR .. "studielening.xml"
local ALL = { BRP, UWV, MPO, DUO }
local AX = "examples/data/aanvraag.xml"
local TODAY = "2026-11-24"

local KEY = "eyJjb25zdW1lckRhdGEiOnsiRGF0YVNvdXJjZXMiOlsiTU9IIiwiVVdWIiwiVVBPIiwiRFVPIl0sIklkIjoiNmExZjNjOWUtMmI3ZC00" ..
  "YzU4LThlNDEtOWQwYjVhN2MzZTI2IiwiT2RtVmVyc2lvbiI6IlY0XzQifX0="
local IJSBRAND = "38f98901-6889-4b76-b25a-d962a4b12bba"
local ZOE = "d9bf10df-5a51-40f0-b4d9-3754914ca7c3"
local BSNS = { "999990019", "999990032" }   -- the BRP answer's, never in a delivery

local slurp = require("support.files").slurp

local tmpfiles = {}
local function tmpfile(content)
  local path = require("support.files").tmpfile(content)
  tmpfiles[#tmpfiles + 1] = path
  return path
end

-- A sample file with one literal substitution (plain text, not a pattern).
local function variant(path, old, new)
  local s = slurp(path)
  local i, j = s:find(old, 1, true)
  assert(i, "variant: text not found")
  return tmpfile(s:sub(1, i - 1) .. new .. s:sub(j + 1))
end

-- Every key and string value anywhere in x, for the BSN sentinel.
local function strings(x, out, seen)
  out, seen = out or {}, seen or {}
  if type(x) == "string" then out[#out + 1] = x end
  if type(x) ~= "table" or seen[x] then return out end
  seen[x] = true
  for k, v in pairs(x) do
    strings(k, out, seen)
    strings(v, out, seen)
  end
  return out
end

local function contains_any(x, needles)
  for _, s in ipairs(strings(x)) do
    for _, n in ipairs(needles) do
      if s:find(n, 1, true) then return true end
    end
  end
  return false
end

local function count(list, pred)
  local n = 0
  for _, v in ipairs(list) do
    if pred(v) then n = n + 1 end
  end
  return n
end

teardown(function()
  for _, p in ipairs(tmpfiles) do os.remove(p) end
end)

describe("hdn-brondata-xml: detect and decode", function()
  it("is a registered built-in format", function()
    assert.are.equal(format, cdl.get("hdn-brondata-xml"))
    assert.are.equal("hdn-brondata-xml", format.name)
    assert.is_string(format.description)
    assert.is_function(format.join)
    assert.is_function(format.fill)
  end)

  it("detects the four answers and nothing else", function()
    for _, p in ipairs(ALL) do assert.is_true(format.detect(slurp(p), p), p) end
    assert.is_false(format.detect(slurp("spec/fixtures/hdn/ax-24.0-sample.xml")))
    assert.is_false(format.detect(slurp("spec/fixtures/hdn/bronaanvraag-25.0-ockto-brp-sample.xml")))
    assert.is_false(format.detect('{"consumerData":{"Id":"x"},"BasisRegistratiePersonenBericht":{}}'))
    assert.is_false(format.detect("<?xml version=\"1.0\"?>\n<!-- <StudieLeningBericht> -->\n<Other/>"))
    assert.is_false(format.detect(""))
    assert.is_true(format.detect("\239\187\191<StudieLeningBericht/>"))
  end)

  it("decodes each file into a delivery of two persons with their PersoonsIDs", function()
    local keys = { [BRP] = "brp", [UWV] = "loondienst", [MPO] = "pensioen", [DUO] = "studielening" }
    local codes = { [BRP] = "BRP", [UWV] = "UWV", [MPO] = "MPO", [DUO] = "DUO" }
    for _, p in ipairs(ALL) do
      local d = assert(format.decode(slurp(p), p))
      assert.are.equal(KEY, d.id)
      assert.are.equal("02 Ockto", d.supplier)
      assert.are.equal("hdn-brondata-xml", d.format)
      assert.are.equal("2026-11-20", d.collected_at)
      assert.are.equal("2027-01-19", d.valid_until)
      assert.are.same({ codes[p] }, d.sources)
      assert.are.equal(2, #d.persons)
      assert.are.equal(IJSBRAND, d.persons[1].id)
      assert.are.equal(ZOE, d.persons[2].id)
      for _, person in ipairs(d.persons) do
        assert.are.same({ keys[p] }, (function()
          local n = {}
          for k in pairs(person.data) do n[#n + 1] = k end
          return n
        end)())
        assert.is_nil(person.data[keys[p]].PersoonsID)
      end
      assert.is_true(cdl.validate(d))
    end
  end)

  it("takes identity from BRP (names) and the pension overview (birth date only)", function()
    local brp = assert(format.decode(slurp(BRP), BRP))
    assert.are.same({ "1954-07-03", "IJW", "Boer", "de" }, { brp.persons[1].birth_date, brp.persons[1].initials,
      brp.persons[1].surname, brp.persons[1].prefix })
    assert.are.same({ "1955-02-17", "ZN", "Brouwer" }, { brp.persons[2].birth_date, brp.persons[2].initials,
      brp.persons[2].surname })
    assert.is_nil(brp.persons[2].prefix)
    local mpo = assert(format.decode(slurp(MPO), MPO))
    assert.are.equal("1954-07-03", mpo.persons[1].birth_date)
    assert.is_nil(mpo.persons[1].surname)
    local uwv = assert(format.decode(slurp(UWV), UWV))
    assert.is_nil(uwv.persons[1].birth_date)
  end)

  it("reads one file alone through axlink.cdl.read", function()
    local d = assert(cdl.read(DUO))
    assert.are.equal("hdn-brondata-xml", d.format)
    assert.are.equal("1874.20", d.persons[1].data.studielening.Schuldsaldo)
    assert.are.equal("N Nee", d.persons[2].data.studielening.StudieschuldJN)
  end)
end)

describe("hdn-brondata-xml: join", function()
  it("joins the four answers into one delivery with two persons", function()
    local d = assert(cdl.read(ALL))
    local function src(code, product)
      return { code = code, product = product, retrieved_at = "2026-11-20", available = true }
    end
    local sources = { src("BRP", "26 Basis Registratie Personen"), src("UWV", "27 Loondienst Inkomsten"),
      src("MPO", "28 Pensioen Overzicht"), src("DUO", "29 Studie Lening") }
    local shape = { id = d.id, supplier = d.supplier, format = d.format, collected_at = d.collected_at,
      valid_until = d.valid_until, sources = d.sources, persons = {} }
    for i, p in ipairs(d.persons) do
      local data = {}
      for k in pairs(p.data) do data[#data + 1] = k end
      table.sort(data)
      shape.persons[i] = { id = p.id, birth_date = p.birth_date, initials = p.initials, surname = p.surname,
        prefix = p.prefix, role = p.role, sources = p.sources, data = data }
    end
    assert.are.same({
      id = KEY, supplier = "02 Ockto", format = "hdn-brondata-xml", collected_at = "2026-11-20",
      valid_until = "2027-01-19", sources = { "BRP", "UWV", "MPO", "DUO" },
      persons = {
        { id = IJSBRAND, birth_date = "1954-07-03", initials = "IJW", surname = "Boer", prefix = "de",
          sources = sources, data = { "brp", "loondienst", "pensioen", "studielening" } },
        { id = ZOE, birth_date = "1955-02-17", initials = "ZN", surname = "Brouwer",
          sources = sources, data = { "brp", "loondienst", "pensioen", "studielening" } },
      },
    }, shape)
    -- Facts of each product stay under their own key, repeating entities as arrays.
    local z = d.persons[2].data
    assert.are.equal("Zoë Noëlle", z.brp.Voornamen)
    assert.are.equal(1, #z.brp.Adres)
    assert.are.equal(12, #z.loondienst.Dienstbetrekking[1].Periode)
    assert.are.equal("98.00", z.pensioen.AOW.OpbouwPct)
    assert.are.equal(3, #d.persons[1].data.pensioen.Pensioenregeling)
  end)

  it("gives the same delivery whatever the order of the files", function()
    assert.are.same(assert(cdl.read(ALL)), assert(cdl.read({ DUO, MPO, BRP, UWV })))
  end)

  it("joins a subset: persons without BRP keep the pension overview's birth date", function()
    local d = assert(cdl.read({ DUO, MPO }))
    assert.are.same({ "MPO", "DUO" }, d.sources)
    assert.are.equal("1955-02-17", d.persons[2].birth_date)
    assert.is_nil(d.persons[2].surname)
  end)

  it("refuses files of different data files (AXL-C21), naming no key", function()
    local other = variant(UWV, "IjoiNmExZjNjOWUt", "IjoiN2IyMDRkMGYt")   -- another inner Id
    local d, err = cdl.read({ BRP, other, MPO })
    assert.is_nil(d)
    assert.truthy(err:match("^AXL%-C21 "), err)
    assert.truthy(err:find("files 1 and 2", 1, true), err)
    assert.truthy(err:find("DataleverancierID", 1, true))
    assert.is_nil(err:find("eyJ", 1, true))
  end)

  it("refuses the same product twice and products that disagree on a birth date (AXL-C21)", function()
    local d, err = cdl.read({ BRP, DUO, variant(DUO, "<PeilDt>2026-11-01", "<PeilDt>2026-10-01") })
    assert.is_nil(d)
    assert.truthy(err:match("^AXL%-C21 files 2 and 3: two StudieLeningBericht answers"), err)
    local wrong = variant(MPO, "<GeboorteDt>1955-02-17", "<GeboorteDt>1955-02-18")
    d, err = cdl.read({ BRP, wrong })
    assert.is_nil(d)
    assert.truthy(err:match("^AXL%-C21 file 2: PensioenOverzichtBericht/Product/PensioenOverzicht: the birth date"),
      err)
    assert.is_nil(err:find("1955", 1, true))
    -- A BRP date with unknown parts agrees with a complete one, which wins.
    local partial = variant(BRP, "<GeboorteDt>1955-02-17", "<GeboorteDt>1955-00-00")
    d = assert(cdl.read({ partial, MPO }))
    assert.are.equal("1955-02-17", d.persons[2].birth_date)
  end)
end)

-- HDN's one public answer (a DesktoptaxatieBericht in HDN's platform client
-- tests) carries Bron {BronNaam, SoortProduct} with its content under Bron;
-- that brondata answers repeat the request's ExterneBron and Product is
-- assumed. Both forms are read; nothing else changes.
describe("hdn-brondata-xml: answers that carry Bron", function()
  local BRON = "spec/fixtures/brondata/brp-bron.xml"
  local EXTERNE_BRON = "\t<ExterneBron Volgnummer=\"1\">\n\t\t<SoortProduct>26 Basis Registratie Personen</SoortProduct>\n" ..
    "\t\t<DataleverancierNaam>02 Ockto</DataleverancierNaam>\n\t\t<BronNaam>11 Mijnoverheid.nl</BronNaam>\n" ..
    "\t</ExterneBron>\n"
  local function bron(code)
    return "\t<Bron>\n\t\t<BronNaam>11 Mijnoverheid.nl</BronNaam>\n\t\t<SoortProduct>" .. code ..
      "</SoortProduct>\n\t</Bron>\n"
  end

  it("detects and decodes an answer with its entries under Bron, as brp.xml's", function()
    assert.is_true(format.detect(slurp(BRON), BRON))
    local d = assert(format.decode(slurp(BRON), BRON))
    local want = assert(format.decode(slurp(BRP), BRP))
    assert.is_nil(d.supplier)                       -- Bron names no DataleverancierNaam
    want.supplier = nil
    assert.are.same(want, d)                        -- persons, keys, sources, facts: the same
    assert.are.equal("26 Basis Registratie Personen", d.persons[1].sources[1].product)
    assert.is_false(contains_any(d, BSNS))
    assert.is_true(cdl.validate(d))
    local read = assert(cdl.read(BRON))              -- detected among the registered formats
    assert.are.equal("hdn-brondata-xml", read.format)
  end)

  it("joins and links a Bron answer with the other products", function()
    local d = assert(cdl.read({ BRON, UWV, MPO, DUO }))
    assert.are.same(assert(cdl.read(ALL)), d)       -- the supplier comes from the other answers
    local msg = assert(axlink.read(AX))
    local result = assert(msg:link(d, { today = TODAY }))
    assert.are.same({ "verified", "verified" }, { result.links[1].grade, result.links[2].grade })
  end)

  it("reads SoortProduct from Bron in place of ExterneBron, entries under Product", function()
    local uwv_bron = "\t<ExterneBron Volgnummer=\"1\">\n\t\t<SoortProduct>27 Loondienst Inkomsten</SoortProduct>\n" ..
      "\t\t<DataleverancierNaam>02 Ockto</DataleverancierNaam>\n\t\t<BronNaam>12 Mijn UWV</BronNaam>\n\t</ExterneBron>\n"
    local path = variant(UWV, uwv_bron, bron("31 Verzekeringsbericht"))
    assert.is_true(format.detect(slurp(path), path))
    local d = assert(format.decode(slurp(path), path))
    assert.are.equal("31 Verzekeringsbericht", d.persons[1].sources[1].product)
    assert.is_nil(d.supplier)
    assert.are.same({ IJSBRAND, ZOE }, { d.persons[1].id, d.persons[2].id })
  end)

  it("keeps ExterneBron's SoortProduct when both are present", function()
    local path = variant(BRP, EXTERNE_BRON, EXTERNE_BRON .. bron("36 Desktoptaxatie"))
    local d = assert(format.decode(slurp(path), path))
    assert.are.equal("26 Basis Registratie Personen", d.persons[1].sources[1].product)
    assert.are.equal("02 Ockto", d.supplier)
  end)

  it("still refuses a Bron answer without the data file's key, or one that reports no success", function()
    local key = "\t\t<DataleverancierID>" .. KEY .. "</DataleverancierID>\n"
    local d, err = cdl.read(variant(BRON, key, ""))
    assert.is_nil(d)
    assert.truthy(err:find("AXL-C20 /BasisRegistratiePersonenBericht/Dataleverancier[1]/DataleverancierID: missing",
      1, true), err)
    d, err = cdl.read(variant(BRON, "\n\t\t\t<PersoonsID>" .. ZOE .. "</PersoonsID>", ""))
    assert.is_nil(d)
    assert.truthy(err:find("AXL-C20 /BasisRegistratiePersonenBericht/Bron[1]/BasisRegistratiePersonen[2]/PersoonsID: "
      .. "missing", 1, true), err)
    d, err = cdl.read(variant(BRON, "01 Verzoek is met succes verwerkt", "99 Specifieke melding"))
    assert.is_nil(d)
    assert.truthy(err:find("SysteemMelding/MeldingSoort: the answer reports no success", 1, true), err)
  end)
end)

describe("hdn-brondata-xml: refusals", function()
  it("passes the parser's refusal of malformed XML on, cleanly", function()
    local bad = tmpfile('<?xml version="1.0" encoding="utf-8"?>\n<StudieLeningBericht>\n\t<Product>\n' ..
      "\t\t<StudieLening><PersoonsID>geheim-123</PersoonsID>\n</StudieLeningBericht>\n")
    local d, err, info = cdl.read(bad)
    assert.is_nil(d)
    assert.truthy(err:find("AXL-P01", 1, true), err)
    assert.is_table(info)
    assert.is_nil(err:find("geheim", 1, true))
  end)

  it("refuses a DOCTYPE / external entity in the C parser, loading nothing", function()
    local canary = tmpfile("CANARY-7f3e")
    local xxe = tmpfile('<?xml version="1.0" encoding="utf-8"?>\n' ..
      '<!DOCTYPE StudieLeningBericht [ <!ENTITY xxe SYSTEM "file://' .. canary .. '"> ]>\n' ..
      "<StudieLeningBericht><Dataleverancier><DataleverancierID>&xxe;</DataleverancierID></Dataleverancier>" ..
      "<Product><StudieLening><PersoonsID>a</PersoonsID></StudieLening></Product></StudieLeningBericht>\n")
    assert.is_true(format.detect(slurp(xxe)))   -- reaches the parser rather than "unknown format"
    local d, err = cdl.read(xxe)
    assert.is_nil(d)
    assert.truthy(err:find("AXL-P02", 1, true), err)
    assert.is_nil(err:find("CANARY", 1, true))
    local direct, derr = format.decode(slurp(xxe), xxe)
    assert.is_nil(direct)
    assert.truthy(derr:find("AXL-P02", 1, true))
  end)

  local cases = {
    { "a missing PersoonsID", DUO, "<PersoonsID>" .. ZOE .. "</PersoonsID>", "",
      "/StudieLeningBericht/Product[1]/StudieLening[2]/PersoonsID: missing" },
    { "the same person twice", DUO, "<PersoonsID>" .. ZOE, "<PersoonsID>" .. IJSBRAND,
      "/StudieLeningBericht/Product[1]/StudieLening[2]/PersoonsID: the same person twice" },
    { "a missing DataleverancierID", BRP, "<DataleverancierID>" .. KEY .. "</DataleverancierID>", "",
      "/BasisRegistratiePersonenBericht/Dataleverancier[1]/DataleverancierID: missing" },
    { "an answer that reports failure", MPO, "01 Verzoek is met succes verwerkt", "99 Specifieke melding",
      "/PensioenOverzichtBericht/SysteemMelding/MeldingSoort: the answer reports no success" },
    { "a PersoonsID with a line break", UWV, "<PersoonsID>" .. IJSBRAND, "<PersoonsID>\n" .. IJSBRAND,
      "/LoondienstInkomstenBericht/Product[1]/LoondienstInkomsten[1]/PersoonsID: leading or trailing whitespace" },
    { "a bad consent date", UWV, "<ToestemmingEindDt>2027-01-19", "<ToestemmingEindDt>19-01-2027",
      "/LoondienstInkomstenBericht/Dataleverancier[1]/ToestemmingEindDt: not a complete date" },
  }
  for _, c in ipairs(cases) do
    it("refuses " .. c[1] .. " with AXL-C20 naming the element, not the value", function()
      local path = variant(c[2], c[3], c[4])
      local d, err, info = cdl.read(path)
      assert.is_nil(d)
      assert.are.equal("AXL-C20", info.code)
      assert.truthy(err:find("AXL-C20 " .. c[5], 1, true), err)
      for _, v in ipairs { KEY, IJSBRAND, ZOE, "2027", "Specifieke" } do assert.is_nil(err:find(v, 1, true)) end
    end)
  end

  it("refuses another message forced through the format", function()
    local d, err, info = cdl.read(AX, { format = "hdn-brondata-xml" })
    assert.is_nil(d)
    assert.are.equal("AXL-C20", info.code)
    assert.truthy(err:find("AXL-C20 /OfferteAanvraag: not a brondata answer", 1, true), err)
  end)

  it("refuses an answer without persons", function()
    local s = slurp(DUO)
    local path = tmpfile((s:gsub("\t\t<StudieLening Volgnummer.-</StudieLening>\n", "")))
    local d, err = cdl.read(path)
    assert.is_nil(d)
    assert.truthy(err:find("AXL-C20 /StudieLeningBericht/Product/StudieLening: no person in the answer", 1, true))
  end)
end)

describe("hdn-brondata-xml: no BSN", function()
  it("drops the BRP answer's BSN: the value appears nowhere in the joined delivery", function()
    assert.truthy(slurp(BRP):find("<Burgerservicenummer>" .. BSNS[1], 1, true))   -- the sentinel is there
    local d = assert(cdl.read(ALL))
    assert.is_false(contains_any(d, BSNS))
    assert.is_nil(d.persons[1].data.brp.Burgerservicenummer)
    assert.are.equal(0, cdl.scrub(d))   -- nothing left for the safety net
  end)

  it("drops a BSN under another name, and a nine-digit value passing the eleven-test", function()
    local path = variant(BRP, "<Partner>\n", "<Partner>\n\t\t\t\t<BSNPartner>999990032</BSNPartner>\n" ..
      "\t\t\t\t<Burger_Service_Nummer>999990044</Burger_Service_Nummer>\n\t\t\t\t<Kenmerk>999990056</Kenmerk>\n" ..
      "\t\t\t\t<Referentie>123456780</Referentie>\n\t\t\t\t<Telnr>0503012345</Telnr>\n")
    local d = assert(format.decode(slurp(path), path))
    local partner = d.persons[1].data.brp.Partner
    assert.are.same({ PersoonsID = ZOE, SoortVerbintenis = "01 Huwelijk", IngangsDt = "1979-06-22",
      Referentie = "123456780", Telnr = "0503012345" }, partner)
    assert.is_false(contains_any(d, { "999990032", "999990044", "999990056", BSNS[1] }))
  end)

  it("never writes a BSN into the AX", function()
    local msg = assert(axlink.read(AX))
    local d = assert(cdl.read(ALL))
    assert(msg:link(d, { today = TODAY }))
    local t = msg:totable()
    assert(cdl.fill(t, d, { household = "couple", pension_basis = "accrued", overwrite = true }))
    local xml = assert(axlink.fromtable(t)):serialize()
    for _, b in ipairs(BSNS) do assert.is_nil(xml:find(b, 1, true)) end
  end)
end)

describe("hdn-brondata-xml: link and fill end to end", function()
  local OPTS = { household = "couple", pension_basis = "accrued" }

  local function linked()
    local msg = assert(axlink.read(AX))
    local d = assert(cdl.read(ALL))
    local r = assert(msg:link(d, { today = TODAY }))
    return msg, d, r
  end

  it("links both persons automatically, both verified", function()
    local msg, _, r = linked()
    assert.are.same({
      { person = 1, persoons_id = IJSBRAND, hypotheekgever = 2, ref = "DL1", grade = "verified", created = true },
      { person = 2, persoons_id = ZOE, hypotheekgever = 4, ref = "DL2", grade = "verified", created = true },
    }, r.links)
    assert.are.same({}, r.skipped)
    assert.are.same({}, r.warnings)
    local links = msg:links()
    assert.are.equal(2, #links)
    assert.are.equal(KEY, links[1].dataleverancier_id)
    assert.are.equal("02 Ockto", links[1].supplier)   -- inferred from the Ockto-shaped key
    assert.is_true(msg:check().ok)
  end)

  it("fills AOW, pension and DUO; proposes the rest; conflicts instead of overwrites", function()
    local msg, d = linked()
    local before = msg:totable()
    local t = msg:totable()
    local result = assert(cdl.fill(t, d, OPTS))
    local H1, H2 = "/OfferteAanvraag/Hypotheekgever[1]", "/OfferteAanvraag/Hypotheekgever[2]"
    local MPO_DATE, DUO_DATE, BRP_DATE = "2026-10-01", "2026-11-01", "2026-11-20"
    local function change(path, new, source, date, kind)
      return { path = path, new = new, source = source, source_date = date, kind = kind }
    end
    assert.are.same({
      -- A new entity's key fields are changes of their own, checked like any other field.
      change(H1 .. "/Inkomsten[1]/Pensioen[1]/IngangsDtPensioen", "2020-11-03", "MPO", MPO_DATE, "derived"),
      -- two regelingen that start on one date: one entity, their sum
      change(H1 .. "/Inkomsten[1]/Pensioen[1]/PensioenInkomen", "20596.68", "MPO", MPO_DATE, "derived"),
      change(H1 .. "/Verplichtingen[1]/SoortVerplichting", "12 Studielening", "DUO", DUO_DATE, "copied"),
      change(H1 .. "/Verplichtingen[1]/MaandBedrag", "98.64", "DUO", DUO_DATE, "copied"),
      change(H1 .. "/Verplichtingen[1]/VerplichtingBedrag", "1874.20", "DUO", DUO_DATE, "copied"),
      change(H1 .. "/Verplichtingen[1]/VerplichtingInMnd", "19", "DUO", DUO_DATE, "copied"),
      change(H2 .. "/Inkomsten[1]/Pensioen[1]/IngangsDtPensioen", "2020-02-17", "MPO", MPO_DATE, "copied"),
      change(H2 .. "/Inkomsten[1]/Pensioen[1]/PensioenInkomen", "6318.24", "MPO", MPO_DATE, "copied"),
      change(H2 .. "/Inkomsten[1]/Pensioen[1]/PensioenLeeftijd", "65", "MPO", MPO_DATE, "copied"),
    }, result.changes)
    assert.are.same({
      { path = H1 .. "/Inkomsten[1]/Uitkering[1]/BrutoJaarUitkering", source = "MPO", ax_value = "13522.00",
        cdl_value = "14135.28" },
      { path = H2 .. "/Inkomsten[1]/Uitkering[1]/BrutoJaarUitkering", source = "MPO", ax_value = "13104.00",
        cdl_value = "13852.57" },
      -- 98 % AOW build-up: not "volledig"
      { path = H2 .. "/Inkomsten[1]/Uitkering[1]/AOWVolledigeOpbouwJN", source = "MPO", ax_value = "J Ja",
        cdl_value = "N Nee" },
    }, result.conflicts)
    local proposed = {}
    for i, p in ipairs(result.proposals) do proposed[i] = { p.path, p.value, p.source } end
    assert.are.same({
      { H1 .. "/BurgerlijkeStaat", "01 Gehuwd", "BRP" },
      { H1 .. "/StudieleningInventarisatie", "03 Ja, er is sprake van een studielening", "DUO" },
      { H2 .. "/BurgerlijkeStaat", "01 Gehuwd", "BRP" },
      -- UWV income is never an income entity: at most proposed
      { H2 .. "/Inkomsten[1]/Dienstbetrekking/IngangsDt", "2022-09-01", "UWV" },
      { H2 .. "/Inkomsten[1]/Dienstbetrekking/BrutoJaarSalaris", "7901.25", "UWV" },   -- 11 x 612.50 + 1163.75
      { H2 .. "/StudieleningInventarisatie", "02 Ja, maar geen sprake van een studielening", "DUO" },
    }, proposed)
    assert.are.equal(BRP_DATE, result.proposals[1].source_date)
    assert.are.same({}, result.skipped)

    -- The tables make a message that passes the rules, with the new entities in model order.
    local filled = assert(axlink.fromtable(t))
    assert.is_true(filled:check().ok)
    local xml = filled:serialize()
    assert.truthy(xml:find(table.concat({
      "\t\t\t</Uitkering>",
      "\t\t\t<Pensioen Volgnummer=\"1\">",
      "\t\t\t\t<PensioenInkomen>20596.68</PensioenInkomen>",
      "\t\t\t\t<IngangsDtPensioen>2020-11-03</IngangsDtPensioen>",
      "\t\t\t</Pensioen>",
      "\t\t</Inkomsten>",
      "\t\t<Verplichtingen Volgnummer=\"1\">",
      "\t\t\t<SoortVerplichting>12 Studielening</SoortVerplichting>",
      "\t\t\t<VerplichtingBedrag>1874.20</VerplichtingBedrag>",
      "\t\t\t<MaandBedrag>98.64</MaandBedrag>",
      "\t\t\t<VerplichtingInMnd>19</VerplichtingInMnd>",
      "\t\t</Verplichtingen>",
      "\t\t<Identificatie>" }, "\n"), 1, true))
    assert.are.equal(1, select(2, xml:gsub("<Verplichtingen ", "")))   -- Zoë has no study debt

    -- Never-fill fields untouched; no income entity from UWV data.
    for i = 1, 2 do
      local a, b = before.Hypotheekgever[i], t.Hypotheekgever[i]
      for _, f in ipairs { "BurgerlijkeStaat", "StudieleningInventarisatie", "TelefoonNrPrive", "TelefoonNrWerk",
        "TelefoonNrMobiel", "E-mailadres" } do
        assert.are.equal(a[f], b[f], f)
      end
      assert.are.equal(a.Identificatie.LegitimatieSoort, b.Identificatie.LegitimatieSoort)
      assert.are.equal(a.Identificatie.LegitimatieNr, b.Identificatie.LegitimatieNr)
      assert.is_nil(b.Inkomsten[1].Dienstbetrekking)
      assert.is_nil(b.Inkomsten[1].InkomensbepalingLoondienst)
      assert.are.same(before.PartijNAWData[i], t.PartijNAWData[i])   -- BRP agrees with the AX
      assert.are.same(a.Inkomsten[1].Uitkering, b.Inkomsten[1].Uitkering)   -- conflicts only
    end
  end)

  it("is idempotent: filling the filled tables again changes nothing", function()
    local msg, d = linked()
    local t = msg:totable()
    assert(cdl.fill(t, d, OPTS))
    local again = assert(cdl.fill(t, d, OPTS))
    assert.are.same({}, again.changes)
    assert.are.equal(3, #again.conflicts)
  end)

  it("overwrites the AOW only with opts.overwrite, with the old value in the change", function()
    local msg, d = linked()
    local t = msg:totable()
    local result = assert(cdl.fill(t, d, { household = "couple", pension_basis = "accrued", overwrite = true }))
    assert.are.same({}, result.conflicts)
    assert.are.same({ path = "/OfferteAanvraag/Hypotheekgever[1]/Inkomsten[1]/Uitkering[1]/BrutoJaarUitkering",
      source = "MPO", source_date = "2026-10-01", old = "13522.00", new = "14135.28", kind = "copied" },
      result.changes[1])
    assert.are.equal("N Nee", t.Hypotheekgever[2].Inkomsten[1].Uitkering[1].AOWVolledigeOpbouwJN)
    assert.is_true(assert(axlink.fromtable(t)):check().ok)
  end)

  it("only proposes AOW without opts.household and pension without opts.pension_basis", function()
    local msg, d = linked()
    local before = msg:totable()
    local t = msg:totable()
    local result = assert(cdl.fill(t, d))
    assert.are.same({}, result.conflicts)
    assert.are.equal(4, #result.changes)   -- the DUO entity and its three fields
    assert.are.same(before.Hypotheekgever[1].Inkomsten, t.Hypotheekgever[1].Inkomsten)
    assert.are.same(before.Hypotheekgever[2].Inkomsten, t.Hypotheekgever[2].Inkomsten)
    local H1 = "/OfferteAanvraag/Hypotheekgever[1]"
    local function find(path, value)
      for _, p in ipairs(result.proposals) do
        if p.path == path and p.value == value then return p end
      end
    end
    assert.truthy(find(H1 .. "/Inkomsten/Uitkering/BrutoJaarUitkering", "14135.28"))   -- couple
    assert.truthy(find(H1 .. "/Inkomsten/Uitkering/BrutoJaarUitkering", "20866.32"))   -- single
    assert.truthy(find(H1 .. "/Inkomsten/Uitkering/BrutoJaarUitkering", "20866.32").reason:find("single", 1, true))
    assert.truthy(find(H1 .. "/Inkomsten/Pensioen/PensioenInkomen", "20596.68"))
    assert.are.equal(2, count(result.proposals, function(p)
      return p.path == H1 .. "/Inkomsten/Pensioen/PensioenInkomen"
    end))   -- accrued and reachable
  end)

  it("completes missing PartijNAWData fields from BRP, with provenance", function()
    local msg, d = linked()
    local t = msg:totable()
    local p = t.PartijNAWData[2]
    p.VoorNamen, p.StraatNaam, p.HuisNr, p.Postcode = nil, nil, nil, nil
    local result = assert(cdl.fill(t, d, OPTS))
    local mine = {}
    for _, c in ipairs(result.changes) do
      if c.path:find("PartijNAWData", 1, true) then mine[#mine + 1] = c end
    end
    local P = "/OfferteAanvraag/PartijNAWData[2]/"
    assert.are.same({
      { path = P .. "VoorNamen", source = "BRP", source_date = "2026-11-20", new = "Zoë Noëlle", kind = "copied" },
      { path = P .. "StraatNaam", source = "BRP", source_date = "2026-11-20", new = "Esdoornstraat", kind = "copied" },
      { path = P .. "HuisNr", source = "BRP", source_date = "2026-11-20", new = "31", kind = "copied" },
      { path = P .. "Postcode", source = "BRP", source_date = "2026-11-20", new = "9721TB", kind = "copied" },
    }, mine)
    assert.is_true(assert(axlink.fromtable(t)):check().ok)
  end)
end)

describe("hdn-brondata-xml: fill rules (format level)", function()
  -- A recording ctx: what the format asks for, before axlink.fill decides.
  local function recorder()
    local log = { set = {}, propose = {}, entity = {} }
    local ctx = {}
    function ctx.set(_, entity, field, value, meta)
      log.set[#log.set + 1] = { entity, field, value, meta.source, meta.kind }
    end
    function ctx.propose(_, entity, field, value)
      log.propose[#log.propose + 1] = { entity, field, value }
    end
    function ctx.entity(_, kind, key, fields, meta)
      log.entity[#log.entity + 1] = { kind = kind, key = key, fields = fields, meta = meta }
    end
    return ctx, log
  end

  local function person(n)
    return assert(cdl.read(ALL)).persons[n]
  end

  local function set_value(log, field)
    for _, s in ipairs(log.set) do
      if s[2] == field then return s[3], s end
    end
  end

  it("writes a complete birth date only, and initials only when BRP gives them", function()
    local p = person(1)
    p.data.brp.GeboorteDt = "1954-07-00"
    p.data.brp.Voorletters = nil
    local ctx, log = recorder()
    format.fill(ctx, p, {}, {})
    assert.is_nil(set_value(log, "GeboorteDt"))
    assert.is_nil(set_value(log, "VoorLetters"))
    assert.are.equal("IJsbrand Willem", set_value(log, "VoorNamen"))
    assert.are.equal("de", set_value(log, "GeboorteTussenvoegsels"))
    -- The current address, never the old one's toevoeging.
    assert.are.equal("Esdoornstraat", set_value(log, "StraatNaam"))
    assert.is_nil(set_value(log, "HuisNrToevoeging"))
  end)

  it("normalises a Dutch postcode and picks the latest open address without a flag", function()
    local p = person(2)
    p.data.brp.Adres = {
      { StraatNaam = "Oud", IngangsDt = "1980-01-01", EindDt = "1988-03-31" },
      { StraatNaam = "Esdoornstraat", Postcode = "9721 tb", IngangsDt = "1988-04-01" },
    }
    local ctx, log = recorder()
    format.fill(ctx, p, {}, {})
    assert.are.equal("Esdoornstraat", set_value(log, "StraatNaam"))
    assert.are.equal("9721TB", set_value(log, "Postcode"))
  end)

  it("uses the reachable pension with pension_basis = reachable, and the code tables", function()
    local p = person(1)
    p.data.pensioen.Pensioenregeling[2].TeBereiken = "2500.00"
    local ctx, log = recorder()
    format.fill(ctx, p, {}, { household = "single", pension_basis = "reachable",
      codes = { aow = "09 AOW-uitkering" } })
    local uitkering, pensioen
    for _, e in ipairs(log.entity) do
      if e.kind == "Uitkering" and e.fields.BrutoJaarUitkering then uitkering = e end
      if e.kind == "Pensioen" then pensioen = e end
    end
    assert.are.same({ SoortUitkering = "09 AOW-uitkering" }, uitkering.key)
    assert.are.same({ BrutoJaarUitkering = "20866.32", IngangsDt = "2020-11-03" }, uitkering.fields)
    assert.are.same({ IngangsDtPensioen = "2020-11-03" }, pensioen.key)
    assert.are.same({ PensioenInkomen = "20932.60" }, pensioen.fields)   -- 18432.60 + 2500.00
    assert.are.equal("derived", pensioen.meta.kind)
    assert.are.equal("09 AOW", format.codes.aow)   -- opts.codes overrides per call only
  end)

  it("sends an IBL figure from a brondata answer only as an unofficial IBL (a proposal)", function()
    local p = person(2)
    p.data.loondienst.Toetsinkomen = "7500.00"
    local ctx, log = recorder()
    format.fill(ctx, p, {}, {})
    local ibl
    for _, e in ipairs(log.entity) do
      if e.kind == "InkomensbepalingLoondienst" then ibl = e end
      assert.is_not.equal("Uitkering", e.kind)   -- no household: AOW proposed only
    end
    assert.are.same({ Toetsinkomen = "7500.00" }, ibl.fields)
    assert.is_falsy(ibl.meta.official_ibl)
  end)

  it("leaves the monthly DUO amount empty before repayment starts", function()
    local p = person(1)
    p.data.studielening.AanvangAflosfaseDt = "2028-01-01"
    local ctx, log = recorder()
    format.fill(ctx, p, {}, {})
    local v
    for _, e in ipairs(log.entity) do
      if e.kind == "Verplichtingen" then v = e end
    end
    assert.are.same({ SoortVerplichting = "12 Studielening" }, v.key)
    assert.are.same({ VerplichtingBedrag = "1874.20", VerplichtingInMnd = "19" }, v.fields)
  end)
end)
