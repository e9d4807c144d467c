-- Answers, ValidatieMeldingen and the ledger (DESIGN 10.2).
local axlink = require "axlink"
local brondata = require "axlink.brondata"
local platform = require "axlink.platform"
local cjson = require "cjson"

local LENDER = "spec/fixtures/lender/"
local P1, P2 = "38f98901-6889-4b76-b25a-d962a4b12bba", "d9bf10df-5a51-40f0-b4d9-3754914ca7c3"
local KEY = "eyJjb25zdW1lckRhdGEiOnsiSWQiOiJ4In19"
local BRP = "26 Basis Registratie Personen"

local files = require "support.files"
local slurp, tmpdir = files.slurp, files.tmpdir

-- A record as the platform gives it back: the answer's bytes, its parentRecord and status.
local function record(file, parent, status)
  local json = assert(platform.wrap(slurp(LENDER .. file), { receiver = "123456", requestVersion = "1",
    requestSchema = { messageType = "ValidatieMelding", receiverCode = "HDN", schemaVersion = "25.0",
      contentType = "XML", environment = "stage" } }))
  local t = cjson.decode(json)
  t.parentRecord, t.resourceUuid = parent, "answer-of-" .. parent
  t.status = { value = status or "new", modifiedTimestamp = "2026-11-20T10:00:00Z" }
  return cjson.encode(t)
end

describe("brondata.status", function()
  it("classifies HDN's expired-consent ValidatieMelding", function()
    local st = assert(brondata.status(LENDER .. "validatiemelding-99-consent.xml"))
    assert.are.same({ kind = "validatiemelding", status = "consent_expired",
      melding = { soort = "99", text = "Consent for consumer data has expired" } }, st)
  end)

  it("classifies HDN's unreachable ValidatieMelding", function()
    local st = assert(brondata.status(assert(axlink.read(LENDER .. "validatiemelding-02-unreachable.xml"))))
    assert.are.same({ kind = "validatiemelding", status = "unreachable", melding = { soort = "02",
      text = "Server of dienst niet bereikbaar", toelichting = "Geen antwoord ontvangen van externe bron" } }, st)
  end)

  it("calls any other ValidatieMelding other", function()
    local st = assert(brondata.status(LENDER .. "validatiemelding-99-other.xml"))
    assert.are.equal("other", st.status)
    assert.are.equal("99", st.melding.soort)
    st = assert(brondata.status(assert(axlink.parse("<ValidatieMelding><X>1</X></ValidatieMelding>"))))
    assert.are.same({ kind = "validatiemelding", status = "other" }, st)
  end)

  it("reads an answer in the public shape (Bron, no PersoonsID)", function()
    local st = assert(brondata.status(LENDER .. "antwoord-brp-bron.xml"))
    assert.are.same({ kind = "answer", status = "received", product = BRP,
      melding = { soort = "01", text = "Verzoek is met succes verwerkt" } }, st)
  end)

  it("takes the PersoonsID from an answer that holds exactly one", function()
    local st = assert(brondata.status(assert(axlink.parse(([[<BasisRegistratiePersonenBericht>
      <Bron><BronNaam>11 Mijnoverheid.nl</BronNaam><SoortProduct>26 Basis Registratie Personen</SoortProduct>
      <BasisRegistratiePersonen Volgnummer="1"><PersoonsID>%s</PersoonsID></BasisRegistratiePersonen></Bron>
      </BasisRegistratiePersonenBericht>]]):format(P1)))))
    assert.are.equal(P1, st.persoons_id)
    -- only a SysteemMelding "01": an answer; the product from its root
    st = assert(brondata.status(assert(axlink.parse([[<StudieLeningBericht><SysteemMelding>
      <MeldingSoort>01 Verzoek is met succes verwerkt</MeldingSoort></SysteemMelding></StudieLeningBericht>]]))))
    assert.are.equal("answer", st.kind)
    assert.are.equal("29 Studie Lening", st.product)
  end)

  it("refuses what is neither", function()
    local st, err, info = brondata.status("examples/data/aanvraag.xml")
    assert.is_nil(st)
    assert.are.equal("AXL-E20", info.code, err)
    st, err, info = brondata.status(LENDER .. "missing.xml")
    assert.is_nil(st)
    assert.are.equal("AXL-P14", info.code, err)
    assert.has_error(function() brondata.status(42) end)
  end)
end)

describe("brondata.ledger", function()
  local dir
  before_each(function() dir = tmpdir() end)
  after_each(function() os.execute("rm -rf " .. dir) end)

  local function requests(l)
    assert(l:requested({ persoons_id = P1, dataleverancier_id = KEY, product = BRP, resource_uuid = "req-1" },
      "2026-11-18"))
    assert(l:requested({ persoons_id = P2, dataleverancier_id = KEY, product = BRP, resource_uuid = "req-2" },
      "2026-11-18"))
    assert(l:requested({ persoons_id = P1, dataleverancier_id = KEY, product = "29 Studie Lening",
      resource_uuid = "req-3" }, "2026-11-18"))
  end

  it("follows requests and answers matched by parentRecord, in a JSON file", function()
    local path = dir .. "/ledger.json"
    local l = assert(brondata.ledger(path))
    assert.are.same({}, l:rows())
    requests(l)
    local row = assert(l:received(record("antwoord-brp-bron.xml", "req-1"), "2026-11-20"))
    assert.are.same({ P1, "received", "2026-11-20", 1 }, { row.persoons_id, row.state, row.since, row.attempts })
    assert(l:received(record("validatiemelding-99-consent.xml", "req-2"), "2026-11-20"))
    assert(l:received(record("validatiemelding-02-unreachable.xml", "req-3"), "2026-11-20"))
    local states = {}
    for _, r in ipairs(l:rows()) do states[#states + 1] = r.state end
    assert.are.same({ "received", "consent_expired", "unreachable" }, states)

    -- The file reads back to the same rows, and is byte-stable.
    local again = assert(brondata.ledger(path))
    assert.are.same(l:rows(), again:rows())
    local bytes = slurp(path)
    assert.are.same(1, cjson.decode(bytes).version)
    assert(again:requested({ persoons_id = P1, dataleverancier_id = KEY, product = BRP, resource_uuid = "req-1b" },
      "2026-11-21"))
    assert(again:received(record("antwoord-brp-bron.xml", "req-1b"), "2026-11-20"))
    local twice = assert(brondata.ledger(path))
    local r1 = twice:rows()[1]
    assert.are.equal(2, r1.attempts)
    assert.are.same({ "req-1", "req-1b" }, r1.requests)
  end)

  it("says what is due: retry the unreachable, a new journey for expired consent, never a retry", function()
    local l = assert(brondata.ledger(dir .. "/l.json"))
    requests(l)
    assert(l:received(record("validatiemelding-99-consent.xml", "req-2"), "2026-11-20"))
    assert(l:received(record("validatiemelding-02-unreachable.xml", "req-3"), "2026-11-20"))
    assert.are.same({ { P2, "new_journey" } }, (function()
      local out = {}
      for _, r in ipairs(assert(l:due("2026-11-20"))) do out[#out + 1] = { r.persoons_id, r.action } end
      return out
    end)())
    local due = assert(l:due("2026-11-21"))
    assert.are.equal(2, #due)
    assert.are.same({ "new_journey", "retry" }, { due[1].action, due[2].action })
    assert.are.equal("29 Studie Lening", due[2].product)
  end)

  it("takes a rejected record as refused, a status with parent_record, or an entry", function()
    local l = assert(brondata.ledger(dir .. "/l.json"))
    requests(l)
    local row = assert(l:received(record("antwoord-brp-bron.xml", "req-1", "rejected"), "2026-11-20"))
    assert.are.equal("refused", row.state)
    local st = assert(brondata.status(LENDER .. "validatiemelding-99-consent.xml"))
    st.parent_record = "req-2"
    assert.are.equal("consent_expired", assert(l:received(st, "2026-11-20")).state)
    row = assert(l:received({ persoons_id = P1, dataleverancier_id = KEY, product = "29 Studie Lening",
      status = "received" }, "2026-11-20T10:00:00Z"))
    assert.are.equal("received", row.state)
    local other = assert(brondata.status(LENDER .. "validatiemelding-99-other.xml"))
    other.parent_record = "req-1"
    row = assert(l:received(other))
    assert.are.equal("refused", row.state)
    assert.are.equal("99", row.melding)
    assert.are.equal("review", assert(l:due())[1].action)
  end)

  describe("refuses, leaving the ledger as it was", function()
    it("an answer that matches no request", function()
      local path = dir .. "/l.json"
      local l = assert(brondata.ledger(path))
      requests(l)
      local before = slurp(path)
      local row, err, info = l:received(record("antwoord-brp-bron.xml", "req-unknown"))
      assert.is_nil(row)
      assert.are.equal("AXL-E25", info.code, err)
      assert.is_nil(err:find("req-unknown", 1, true))
      assert.are.equal(before, slurp(path))
      row, err, info = l:received(assert(brondata.status(LENDER .. "antwoord-brp-bron.xml")))
      assert.is_nil(row)
      assert.are.equal("AXL-E25", info.code, err)
    end)

    it("a bad record, a bad date, a bad entry", function()
      local l = assert(brondata.ledger(dir .. "/l.json"))
      requests(l)
      local _, err, info = l:received('{"message":')
      assert.are.equal("AXL-E01", info.code, err)
      _, err, info = l:received(record("antwoord-brp-bron.xml", "req-1"), "20-11-2026")
      assert.are.equal("AXL-E23", info.code, err)
      _, err, info = l:requested({ persoons_id = P1, product = BRP })
      assert.are.equal("AXL-E24", info.code, err)
      _, err, info = l:received({ status = "requested", persoons_id = P1, dataleverancier_id = KEY, product = BRP })
      assert.are.equal("AXL-E24", info.code, err)
    end)

    it("a file that is not a ledger", function()
      local path = dir .. "/bad.json"
      local f = assert(io.open(path, "wb"))
      f:write('{"version":1,"rows":[{"persoons_id":5}]}')
      f:close()
      local l, err, info = brondata.ledger(path)
      assert.is_nil(l)
      assert.are.equal("AXL-E21", info.code, err)
      f = assert(io.open(path, "wb"))
      f:write("not json")
      f:close()
      l, err, info = brondata.ledger(path)
      assert.is_nil(l)
      assert.are.equal("AXL-E21", info.code, err)
    end)

    it("a write that fails", function()
      local l = assert(brondata.ledger(dir .. "/no/such/dir/l.json"))
      local row, err, info = l:requested({ persoons_id = P1, dataleverancier_id = KEY, product = BRP })
      assert.is_nil(row)
      assert.are.equal("AXL-E22", info.code, err)
      assert.are.same({}, l:rows())
    end)
  end)
end)
