-- Lender schemas (DESIGN 6): limits, conformance, validation, hostile
-- schemas, and linked output that validates.
local axlink = require "axlink"

local DIR = "spec/fixtures/schemas/"
local INF = math.huge

local function limits(file)
  return assert(axlink.schema.load(DIR .. file)):limits()
end

describe("schema:limits and schema:conformance", function()
  local expected = {
    -- file, ExterneIdentificatie, Dataleverancier, conformance codes
    { "org-externe-2.xsd", { min = 0, max = 2 }, { min = 0, max = 9 }, {} },
    { "org-externe-5.xsd", { min = 0, max = 5 }, { min = 0, max = 9 }, {} },          -- xs:include + xs:group
    { "org-externe-9.xsd", { min = 0, max = 9 }, { min = 0, max = 9 }, {} },          -- element refs
    { "org-externe-product-9.xsd", { min = 0, max = 9 }, { min = 0, max = 9 }, {} },  -- 3 x 3
    { "org-externe-1.xsd", { min = 0, max = 1 }, { min = 0, max = 9 }, { "AXL-S20" } }, -- extension
    { "org-externe-10.xsd", { min = 0, max = 10 }, { min = 0, max = 9 }, { "AXL-S20" } },
    { "org-externe-sum-10.xsd", { min = 0, max = 10 }, { min = 0, max = 9 }, { "AXL-S20" } }, -- 5 + 5
    { "org-externe-unbounded.xsd", { min = 0, max = INF }, { min = 0, max = 9 }, { "AXL-S20" } },
    { "org-externe-undeclared.xsd", { min = 0, max = 0 }, { min = 0, max = 9 }, { "AXL-S20" } },
    { "org-externe-wrong-place.xsd", { min = 0, max = 0 }, { min = 0, max = 9 }, { "AXL-S20" } },
    { "org-dataleverancier-8.xsd", { min = 0, max = 3 }, { min = 0, max = 8 }, { "AXL-S21" } },
    { "org-dataleverancier-unbounded.xsd", { min = 0, max = 2 }, { min = 0, max = INF }, { "AXL-S21" } },
    { "ax-base.xsd", { min = 0, max = INF }, { min = 0, max = INF }, { "AXL-S21", "AXL-S20" } },
  }
  for _, e in ipairs(expected) do
    it(e[1], function()
      local s = assert(axlink.schema.load(DIR .. e[1]))
      assert.are.same({ ExterneIdentificatie = e[2], Dataleverancier = e[3] }, s:limits())
      local report = s:conformance()
      local codes = {}
      for i, p in ipairs(report.problems) do
        codes[i] = p.code
        assert.is_string(p.file)
        assert.is_number(p.line)
        assert.are.equal("error", p.severity)
      end
      assert.are.same(e[4], codes)
      assert.are.equal(#e[4] == 0, report.ok)
    end)
  end

  it("points a conformance problem at the declaration, in the file that has it", function()
    local p = assert(axlink.schema.load(DIR .. "org-externe-10.xsd")):conformance().problems[1]
    assert.are.equal("org-externe-10.xsd", p.file)
    local f = assert(io.open(DIR .. "org-externe-10.xsd"))
    local n, line = 0, nil
    for l in f:lines() do
      n = n + 1
      if n == p.line then line = l end
    end
    f:close()
    assert.truthy(line:find("ExterneIdentificatie", 1, true), line)
  end)

  for _, u in ipairs { { "unsupported-any.xsd", "xs:any" }, { "unsupported-substitution.xsd", "substitutionGroup" },
      { "org-externe-choice-9.xsd", "several choice branches" } } do
    it("reports " .. u[2] .. " as an unsupported construct, never a guess", function()
      local s = assert(axlink.schema.load(DIR .. u[1]))
      local l = s:limits()
      assert.is_true(l.unsupported)
      assert.is_nil(l.ExterneIdentificatie)
      assert.are.same({ min = 0, max = 9 }, l.Dataleverancier)
      local p = s:conformance().problems
      assert.are.equal(1, #p)
      assert.are.equal("AXL-S22", p[1].code)
      assert.truthy(p[1].message:find(u[2], 1, true))
    end)
  end

  it("leaves both limits undecided under xs:redefine", function()
    local l = limits("unsupported-redefine.xsd")
    assert.are.same({ unsupported = true }, l)
  end)
end)

describe("hostile schemas", function()
  local cases = {
    { "remote-include.xsd", "AXL-S03", "xs:include refused: http://127.0.0.1:9/x.xsd" },
    { "import-remote.xsd", "AXL-S03", "xs:import refused: http://127.0.0.1:9/x.xsd" },
    { "absolute-include.xsd", "AXL-S03", "xs:include refused: /etc/hostname (absolute path)" },
    { "dotdot-include.xsd", "AXL-S03", "xs:include refused: ../ax-base.xsd (outside the schema's directory)" },
    { "redefine-dotdot.xsd", "AXL-S03", "xs:redefine refused: ../ax-base.xsd" },
    { "doctype.xsd", "AXL-S02", "DOCTYPE" },
    { "doctype-include.xsd", "AXL-S03", "included-with-doctype.xsd (carries a DOCTYPE)" },
  }
  for _, c in ipairs(cases) do
    it("refuses " .. c[1], function()
      local s, err, info = axlink.schema.load(DIR .. "hostile/" .. c[1])
      assert.is_nil(s)
      assert.are.equal(c[2], info.code)
      assert.truthy(err:find(c[3], 1, true), err)
    end)
  end

  it("compiles from a string with includes under its base only", function()
    local f = assert(io.open(DIR .. "org-externe-5.xsd"))
    local xsd = f:read("a")
    f:close()
    local s = assert(axlink.schema.parse(xsd, { base = DIR }))
    assert.are.same({ min = 0, max = 5 }, s:limits().ExterneIdentificatie)
    local none, _, info = axlink.schema.parse(xsd)          -- no base: the include is refused
    assert.is_nil(none)
    assert.are.equal("AXL-S03", info.code)
  end)
end)

describe("msg:validate", function()
  local base = assert(axlink.schema.load(DIR .. "ax-base.xsd"))

  it("accepts HDN's sample and the project's own messages", function()
    for _, f in ipairs { "spec/fixtures/hdn/ax-24.0-sample.xml", "spec/fixtures/ax/two-applicants.xml",
        "examples/data/aanvraag.xml" } do
      local ok, problems = assert(axlink.read(f)):validate(base)
      assert.is_true(ok, f)
      assert.are.same({}, problems)
    end
  end)

  it("reports problems with path, line and kind, never a value, and changes nothing", function()
    local msg = assert(axlink.read("spec/fixtures/ax/two-applicants.xml"))
    assert(msg:update(function(t) t.PartijNAWData[1].GeboorteDt = "1956-13-45" end))
    local before = msg:serialize()
    local ok, problems = msg:validate(base)
    assert.is_false(ok)
    assert.are.equal(1, #problems)
    assert.are.equal("AXL-V02", problems[1].code)
    assert.are.equal("/OfferteAanvraag/PartijNAWData[1]/GeboorteDt", problems[1].path)
    assert.falsy(problems[1].message:find("1956", 1, true))
    assert.are.equal(before, msg:serialize())
  end)
end)

describe("linking with a schema", function()
  local delivery = { id = "bundel", persons = {
    { id = "a", birth_date = "1956-04-23", initials = "H", surname = "Celik" },
    { id = "b", birth_date = "1957-11-08", initials = "Th", prefix = "van den", surname = "Berg" } } }

  it("gives output that validates against the base and every conforming organisation schema", function()
    for _, f in ipairs { "ax-base.xsd", "org-externe-2.xsd", "org-externe-5.xsd", "org-externe-9.xsd",
        "org-externe-product-9.xsd" } do
      local s = assert(axlink.schema.load(DIR .. f))
      local msg = assert(axlink.read("spec/fixtures/ax/two-applicants.xml", { schema = s }))
      assert(msg:link(delivery))
      assert(msg:link({ id = "tweede", persons = { delivery.persons[1] } }))
      local ok, problems = msg:validate(s)
      assert.is_true(ok, f .. ": " .. (problems[1] and problems[1].message or ""))
      assert.is_true(msg:check().ok)
    end
  end)

  it("takes the remembered schema's limits in check and link", function()
    local s = assert(axlink.schema.load(DIR .. "org-externe-2.xsd"))
    local msg = assert(axlink.read("spec/fixtures/ax/two-applicants.xml", { schema = s }))
    assert.are.equal(s, msg:schema())
    assert(msg:link({ id = "f1", persons = { delivery.persons[1] } }))
    assert(msg:link({ id = "f2", persons = { delivery.persons[1] } }))
    local ok, _, info = msg:link({ id = "f3", persons = { delivery.persons[1] } })
    assert.is_nil(ok)
    assert.are.equal("AXL-L06", info.code)
    -- A copy without the schema uses the defaults: the third is a warning only.
    local plain = assert(axlink.parse(msg:serialize()))
    assert(plain:link({ id = "f3", persons = { delivery.persons[1] } }))
    assert.are.equal("warning", plain:check().problems[1].severity)
    assert.are.equal("error", plain:check({ schema = s }).problems[1].severity)
  end)

  it("refuses a receiver that allows no ExterneIdentificatie, and output failing the schema", function()
    local none = assert(axlink.schema.load(DIR .. "org-externe-undeclared.xsd"))
    local msg = assert(axlink.read("spec/fixtures/ax/two-applicants.xml", { schema = none }))
    local _, _, info = msg:link(delivery)
    assert.are.equal("AXL-L07", info.code)
    local base = assert(axlink.schema.load(DIR .. "ax-base.xsd"))
    msg = assert(axlink.read("spec/fixtures/ax/two-applicants.xml", { schema = base }))
    assert(msg:update(function(t) t.Object[1].BouwJaar = "negentienhonderd" end))
    local before = msg:serialize()
    _, _, info = msg:link(delivery)
    assert.are.equal("AXL-L08", info.code)
    assert.are.equal("AXL-V02", info.problems[1].code)
    assert.are.equal(before, msg:serialize())
  end)
end)

describe("the schema's element order", function()
  local delivery = { id = "bundel", persons = {
    { id = "a", birth_date = "1956-04-23", initials = "H", surname = "Celik" },
    { id = "b", birth_date = "1957-11-08", initials = "Th", prefix = "van den", surname = "Berg" } } }

  -- two-applicants.xml without its Identificatie elements: valid in either order.
  local function without_identificatie(opts)
    local msg = assert(axlink.read("spec/fixtures/ax/two-applicants.xml", opts))
    assert(msg:update(function(t)
      for _, h in ipairs(t.Hypotheekgever) do h.Identificatie = nil end
    end))
    return msg
  end

  it("places what link adds where the message's schema says, not the model", function()
    local other = assert(axlink.schema.load(DIR .. "order-other.xsd"))
    local msg = without_identificatie({ schema = other })
    assert.is_true((msg:validate(other)))
    assert(msg:link(delivery))       -- refused (AXL-L08) if placed by the model
    local ok, problems = msg:validate(other)
    assert.is_true(ok, problems[1] and problems[1].message)
    local xml = msg:serialize()
    assert.truthy(xml:find('<Hypotheekgever Volgnummer="3">\n\t\t<Identificatie>\n\t\t\t<ExterneIdentificatie', 1, true))
    assert.truthy(xml:find("</Lening>\n\t<Dataleverancier", 1, true))
  end)

  it("leaves the model to decide where the message has no schema", function()
    local base = assert(axlink.schema.load(DIR .. "ax-base.xsd"))
    local msg = without_identificatie()
    assert(msg:link(delivery))
    local xml = msg:serialize()
    assert.truthy(xml:find("\t\t</Inkomsten>\n\t\t<Identificatie>", 1, true))
    assert.falsy(xml:find("</Lening>\n\t<Dataleverancier", 1, true))
    assert.is_true((msg:validate(base)))
  end)

  it("places a new table field where the schema says, also one the model does not know", function()
    local other = assert(axlink.schema.load(DIR .. "order-other.xsd"))
    local function add_field(msg)
      assert(msg:update(function(t) t.PartijNAWData[1].TweedeNationaliteit = "TR Turkije" end))
      return msg:serialize()
    end
    local with = add_field(without_identificatie({ schema = other }))
    assert.truthy(with:find("<Nationaliteit>NL Nederland</Nationaliteit>\n\t\t<TweedeNationaliteit>", 1, true))
    assert.is_true((assert(axlink.parse(with)):validate(other)))
    -- Without a schema the model decides, and it does not know the field: last.
    local without = add_field(without_identificatie())
    assert.truthy(without:find("</RekeningNr>\n\t\t<TweedeNationaliteit>", 1, true))
    -- fromtable takes opts.schema as well.
    local t = without_identificatie():totable()
    t.PartijNAWData[1].TweedeNationaliteit = "TR Turkije"
    assert.are.equal(with, assert(axlink.fromtable(t, { schema = other })):serialize())
  end)
end)

describe("a schema's string form", function()
  it("names the type and whether it is closed, never the path or the content", function()
    local s = assert(axlink.schema.load(DIR .. "ax-base.xsd"))
    assert.are.equal("axlink.Schema", tostring(s))
    s:close()
    assert.are.equal("axlink.Schema (closed)", tostring(s))
    s:close()   -- closing twice is harmless
    assert.has_error(function() s:limits() end)
  end)
end)

describe("refusals that say why", function()
  local XS = "<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'>\n"

  it("gives a sentence per compile error with the XSD's file and line, never a bare number", function()
    local dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir " .. dir))
    local function write(name, text)
      local f = assert(io.open(dir .. "/" .. name, "w"))
      f:write(text)
      f:close()
    end
    write("lender.xsd", XS .. "  <xs:include schemaLocation='types.xsd'/>\n" ..
      "  <xs:element name='OfferteAanvraag' type='Missing'/>\n</xs:schema>\n")
    write("types.xsd", XS .. "  <xs:complexType name='T'><xs:sequence>\n" ..
      "    <xs:element ref='Nope'/>\n  </xs:sequence></xs:complexType>\n</xs:schema>\n")
    local s, err, info = axlink.schema.load(dir .. "/lender.xsd")
    os.remove(dir .. "/lender.xsd")
    os.remove(dir .. "/types.xsd")
    os.remove(dir)
    assert.is_nil(s)
    assert.are.equal("AXL-S05", info.code)
    assert.falsy(err:find("libxml2 error", 1, true), err)
    assert.are.equal(2, #info.problems)
    local by_file = {}
    for _, p in ipairs(info.problems) do by_file[p.file] = p end
    assert.are.same({ code = "AXL-S05", severity = "error", file = "lender.xsd", line = 3,
      message = "xs:element OfferteAanvraag: attribute 'type': The QName value 'Missing' does not resolve to a(n) " ..
        "type definition." }, by_file["lender.xsd"])
    assert.are.equal(3, by_file["types.xsd"].line)
    assert.truthy(by_file["types.xsd"].message:find("'Nope' does not resolve", 1, true))
    assert.truthy(err:find("schema does not compile: ", 1, true), err)
    assert.truthy(err:find("xsd:3: xs:element", 1, true), err)
  end)

  it("names what the schema expected, by element names, never a value", function()
    local xsd = XS .. [[
  <xs:element name="R"><xs:complexType><xs:sequence>
    <xs:element name="Identificatie" type="xs:string" minOccurs="0"/>
    <xs:element name="TelefoonNrPrive" type="xs:string"/>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>]]
    local schema = assert(axlink.schema.parse(xsd))
    local ok, problems = assert(axlink.parse("<R><Naam>Jansen</Naam></R>")):validate(schema)
    assert.is_false(ok)
    assert.are.equal(1, #problems)
    assert.are.equal("AXL-V01", problems[1].code)
    assert.are.equal("element not expected here; expected one of: Identificatie, TelefoonNrPrive",
      problems[1].message)
    ok, problems = assert(axlink.parse("<R><Identificatie>NX8R2KT51</Identificatie></R>")):validate(schema)
    assert.is_false(ok)
    assert.are.equal("child element missing; expected one of: TelefoonNrPrive", problems[1].message)
    assert.falsy(problems[1].message:find("NX8R2KT51", 1, true))
  end)
end)
