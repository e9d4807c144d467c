-- The examples (examples/*.lua, examples/embed/): each runs from the repo
-- root, prints what it promises and no personal value, and exits as the CLI
-- does. The embedding programs are built here with cc; `direct` also runs
-- under valgrind memcheck.
local axlink = require "axlink"

-- Children use the plain build, whatever pass busted runs in: an inherited
-- LD_PRELOAD of the sanitizer runtime would break cc and valgrind.
local CLEAN = "env -u LD_PRELOAD -u ASAN_OPTIONS -u UBSAN_OPTIONS "
local ENV = CLEAN .. "LUA_PATH='lua/?.lua;lua/?/init.lua;;' LUA_CPATH='build/?.so;;' "

local AX = "examples/data/aanvraag.xml"
local OCKTO = "examples/data/ockto-bundled.json"
local CSV = "examples/formats/household.csv"
local CSV_PERSONS = {
  "--person 7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d,1954-07-03,IJW,Boer,de",
  "--person 2a3b4c5d-6e7f-4081-92a3-b4c5d6e7f809,1955-02-17,ZN,Brouwer",
}

-- Values from the example data that no output may show: names, birth
-- dates, addresses, amounts (in the AX, in the CDL files, and what fill
-- writes).
local SENTINELS = { "Boer", "Brouwer", "IJsbrand", "Zo\u{eb}", "1954", "1955", "Esdoornstraat", "Ebbingestraat",
  "9721TB", "9712NL", "Groningen", "Leeuwarden", "13522", "13104", "12156", "15383", "6912", "185000", "455000" }

local slurp = require("support.files").slurp

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end

local tmpdir = require("support.files").tmpdir

-- Runs a shell command line; returns exit code, stdout, stderr.
local function sh(cmd)
  local out, err = os.tmpname(), os.tmpname()
  local _, _, code = os.execute(cmd .. " >" .. out .. " 2>" .. err)
  local o, e = slurp(out), slurp(err)
  os.remove(out)
  os.remove(err)
  return code, o, e
end

local function lua(script, args)
  return sh(ENV .. "lua5.4 " .. script .. (args and (" " .. args) or ""))
end

local function has_line(text, line)
  for l in (text .. "\n"):gmatch("([^\n]*)\n") do
    if l == line then return true end
  end
  return false
end

local function assert_lines(text, lines)
  for _, line in ipairs(lines) do
    assert.is_true(has_line(text, line), ("line not found: %q in\n%s"):format(line, text))
  end
end

local function assert_no_values(...)
  for _, text in ipairs { ... } do
    for _, s in ipairs(SENTINELS) do
      assert.is_nil(text:find(s, 1, true), ("personal value %q printed:\n%s"):format(s, text))
    end
  end
end

local built = {}
local function build(name)
  if not built[name] then
    assert(os.execute("mkdir -p build/embed"))
    local code, out, err = sh(CLEAN .. "cc -std=c99 -Wall -Wextra -Werror -O2 -g -Isrc/core examples/embed/" ..
      name .. ".c -o build/embed/" .. name .. " build/libaxlink.a" ..
      " $(pkg-config --cflags --libs lua5.4 libxml-2.0) -lpthread -lm")
    assert.are.equal(0, code, out .. err)
    built[name] = "build/embed/" .. name
  end
  return built[name]
end

describe("examples #subprocess", function()
  describe("embed/host.c running embed/mapping.lua", function()
    it("links, fills and checks, prints the verdict and exits with the script's status", function()
      local host = build("host")
      local code, out, err = sh(CLEAN .. host .. " examples/embed/mapping.lua " .. AX .. " " .. OCKTO)
      assert.are.equal(0, code, err)
      assert_lines(out, {
        "link: person 1 -> Hypotheekgever 2, Dataleverancier DL1 (verified)",
        "link: person 2 -> Hypotheekgever 4, Dataleverancier DL2 (verified)",
        "warning: AXL-L20",
        "fill: 4 change(s), 3 proposal(s), 2 conflict(s)",
        "check: ok",
        "host: returned: 0, 2 linked, 4 filled, check ok",
      })
      assert_no_values(out, err)
    end)

    it("finds the checkout through AXLINK_ROOT or -r from another directory", function()
      local host = build("host")
      local root = assert(io.popen("pwd")):read("l")
      local args = (" %s/examples/embed/mapping.lua %s/%s %s/%s"):format(root, root, AX, root, OCKTO)
      local code, out = sh("cd /tmp && " .. CLEAN .. "AXLINK_ROOT=" .. root .. " " .. root .. "/" .. host .. args)
      assert.are.equal(0, code)
      assert.is_true(has_line(out, "host: returned: 0, 2 linked, 4 filled, check ok"))
      code, out = sh("cd /tmp && " .. CLEAN .. root .. "/" .. host .. " -r " .. root .. args)
      assert.are.equal(0, code)
      assert.is_true(has_line(out, "check: ok"))
      -- Without a root the modules are not found: the error, exit 2.
      local _, e
      code, _, e = sh("cd /tmp && " .. CLEAN .. "-u AXLINK_ROOT " .. root .. "/" .. host .. args)
      assert.are.equal(2, code)
      assert.truthy(e:find("module 'axlink' not found", 1, true))
    end)

    it("maps bad input, a raising script and other statuses to the CLI's exit codes", function()
      local host = build("host")
      local code, out, err = sh(CLEAN .. host .. " examples/embed/mapping.lua " .. AX .. " " .. AX)
      assert.are.equal(2, code)
      assert.is_true(has_line(out, "host: returned: 2, bad input"))
      assert.truthy(err:find("AXL-C15", 1, true))
      code, out = sh(CLEAN .. host .. " examples/embed/mapping.lua " .. AX)
      assert.are.equal(2, code)
      assert.is_true(has_line(out, "host: returned: 2, usage"))
      local script = os.tmpname()
      local f = assert(io.open(script, "w"))
      f:write("return tonumber(arg[1]), 'as asked'\n")
      f:close()
      code, out = sh(CLEAN .. host .. " " .. script .. " 1")
      assert.are.equal(1, code)
      assert.is_true(has_line(out, "host: returned: 1, as asked"))
      code = sh(CLEAN .. host .. " " .. script .. " 7")
      assert.are.equal(2, code)
      f = assert(io.open(script, "w"))
      f:write("error('boom')\n")
      f:close()
      local _
      code, _, err = sh(CLEAN .. host .. " " .. script)
      os.remove(script)
      assert.are.equal(2, code)
      assert.truthy(err:find("boom", 1, true))
      assert.are.equal(2, (sh(CLEAN .. host)))
    end)
  end)

  describe("embed/direct.c (the C API alone)", function()
    local run = function(args, wrapper)
      return sh(CLEAN .. (wrapper or "") .. build("direct") .. " " .. args)
    end

    it("links automatically, checks, lists the links and writes what Lua would write", function()
      local dir = tmpdir()
      local out_path = dir .. "/linked.xml"
      local code, out, err = run(AX .. " --dataleverancier-id HH-2026-0042 " .. table.concat(CSV_PERSONS, " ") ..
        " -o " .. out_path)
      assert.are.equal(0, code, err)
      assert_lines(out, {
        "read: OfferteAanvraag (axlink 0.1.0, libxml2 " .. axlink.libxml2_version .. ")",
        "linked: person 1 -> Hypotheekgever 2, Dataleverancier DL1 (verified)",
        "linked: person 2 -> Hypotheekgever 4, Dataleverancier DL2 (verified)",
        "check (send): ok, 0 problem(s)",
        "links: 2",
        "  Hypotheekgever 2: PersoonsID 7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d -> DataleverancierID HH-2026-0042 " ..
          "(ref DL1, Dataleverancier Volgnummer 1, supplier unknown)",
        "  Hypotheekgever 4: PersoonsID 2a3b4c5d-6e7f-4081-92a3-b4c5d6e7f809 -> DataleverancierID HH-2026-0042 " ..
          "(ref DL2, Dataleverancier Volgnummer 2, supplier unknown)",
      })
      assert_no_values(out, err)
      -- The same delivery through the Lua API gives the same bytes.
      assert(axlink.cdl.load("examples/formats/household-csv.lua"))
      local msg = assert(axlink.read(AX))
      assert(msg:link(assert(axlink.cdl.read(CSV))))
      local written = slurp(out_path)
      assert.are.equal(msg:serialize(), written)
      assert.is_true(has_line(out, ("written: %s (%d bytes)"):format(out_path, #written)))
      os.remove(out_path)
      os.remove(dir)
    end)

    it("takes an explicit match by Volgnummer and a skip", function()
      local code, out = run(AX .. " --dataleverancier-id K1 --person p-1 --person p-2 --match p-1=4 --skip p-2")
      assert.are.equal(0, code)
      assert_lines(out, {
        "linked: person 1 -> Hypotheekgever 4, Dataleverancier DL1 (unverifiable)",
        "skipped: person 2 (not an applicant in this AX)",
        "links: 1",
      })
    end)

    it("refuses unverified automatic matching with the grades (exit 2), never echoing the data", function()
      local code, out, err = run(AX .. " --dataleverancier-id K1 --person p-1,1954-07-03,,Boersma")
      assert.are.equal(2, code)
      assert.truthy(err:find("link refused: AXL-L03", 1, true))
      assert.truthy(err:find("person 1 vs Hypotheekgever 2: probable", 1, true), err)
      assert.truthy(err:find("person 1 vs Hypotheekgever 4: mismatch", 1, true), err)
      assert_no_values(out, err)
      local _
      code, _, err = run(AX .. " --dataleverancier-id K1 --person p-1,1960-01-01,,Boer --match p-1=2")
      assert.are.equal(2, code)
      assert.truthy(err:find("AXL-L02", 1, true))
      assert_no_values(err)
    end)

    it("writes nothing on rule errors (exit 1) and prints the problems' codes and paths", function()
      local out_path = os.tmpname()
      os.remove(out_path)
      local code, out = run("spec/fixtures/rules/R11-empty.xml --dataleverancier-id K1 --person p-1 --match p-1=3" ..
        " -o " .. out_path)
      assert.are.equal(1, code)
      assert_lines(out, {
        "check (send): errors, 1 problem(s)",
        "  AXL-R11 error /OfferteAanvraag/Hypotheekgever[2]/Identificatie/LegitimatieNr:18 " ..
          "empty or whitespace-only element",
        "rule errors: nothing written",
      })
      assert.is_false(exists(out_path))
    end)

    it("gives exit 2 on unreadable input and on usage errors", function()
      local code, _, err = run("/nonexistent/ax.xml --dataleverancier-id K1 --person p")
      assert.are.equal(2, code)
      assert.truthy(err:find("AXL-P14", 1, true))
      assert.are.equal(2, (run(AX)))
      assert.are.equal(2, (run(AX .. " --dataleverancier-id K1 --person p --match q=2")))
    end)

    it("is clean under valgrind memcheck, on success and on refusal", function()
      -- make test installs valgrind (tools/deps.sh): never skipped.
      assert.is_true(os.execute("command -v valgrind >/dev/null 2>&1"), "valgrind is not installed")
      local vg = "valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite "
      local out_path = os.tmpname()
      local code, _, err = run(AX .. " --dataleverancier-id HH-2026-0042 " .. table.concat(CSV_PERSONS, " ") ..
        " -o " .. out_path, vg)
      os.remove(out_path)
      assert.are.equal(0, code, err)
      code, _, err = run(AX .. " --dataleverancier-id K1 --person p-1,1954-07-03", vg)
      assert.are.equal(2, code, err)
      code, _, err = run("spec/fixtures/rules/R11-empty.xml --dataleverancier-id K1 --person p-1 --match p-1=3", vg)
      assert.are.equal(1, code, err)
    end)
  end)

  describe("examples/adviser.lua", function()
    it("writes a linked, filled and checked AX to the path given", function()
      local dir = tmpdir()
      local out_path = dir .. "/out.xml"
      local code, out, err = lua("examples/adviser.lua", out_path)
      assert.are.equal(0, code, err)
      assert_lines(out, {
        "AX aanvraag.xml: OfferteAanvraag, 2 Hypotheekgever",
        "CDL ockto-bundled.json: format ockto-json, supplier 02 Ockto, 2 person(s)",
        "linked: person 1 -> Hypotheekgever 2, Dataleverancier DL1 (verified)",
        "linked: person 2 -> Hypotheekgever 4, Dataleverancier DL2 (verified)",
        "fill (household couple, pension basis accrued): 4 change(s), 3 proposal(s), 2 conflict(s)",
        "  changed  /OfferteAanvraag/Hypotheekgever[1]/Inkomsten[1]/Pensioen[1]/PensioenInkomen <- MPO (derived)",
        "  conflict /OfferteAanvraag/Hypotheekgever[2]/Inkomsten[1]/Uitkering[1]/BrutoJaarUitkering " ..
          "(MPO differs; not overwritten)",
        "check (send): ok, 0 problem(s)",
        "written: " .. out_path,
      })
      assert_no_values(out, err)
      local msg = assert(axlink.read(out_path))
      assert.are.equal(2, #msg:links())
      assert.is_true(msg:check().ok)
      assert.truthy(msg:serialize():find("<PensioenInkomen>", 1, true))
      os.remove(out_path)
      os.remove(dir)
    end)

    it("uses the example data and $TMPDIR by default; bad input exits 2", function()
      local dir = tmpdir()
      local code, out = sh("TMPDIR=" .. dir .. " " .. ENV .. "lua5.4 examples/adviser.lua")
      assert.are.equal(0, code)
      assert.is_true(has_line(out, "written: " .. dir .. "/axlink-adviser-aanvraag.xml"))
      assert.is_true(exists(dir .. "/axlink-adviser-aanvraag.xml"))
      os.remove(dir .. "/axlink-adviser-aanvraag.xml")
      local _, err
      code, _, err = lua("examples/adviser.lua", dir .. "/x.xml /nonexistent.xml")
      assert.are.equal(2, code)
      assert.truthy(err:find("AXL-P14", 1, true))
      assert.is_false(exists(dir .. "/x.xml"))
      os.remove(dir)
    end)
  end)

  describe("examples/lender/", function()
    local RUN, RECEIVE = "examples/lender/run.lua", "examples/lender/receive.lua"
    -- The invented person of examples/lender/data/antwoord-brp.xml: never printed either.
    local ANSWER_VALUES = { "Proefpersoon", "Testa", "1988" }
    local function assert_no_answer_values(...)
      assert_no_values(...)
      for _, text in ipairs { ... } do
        for _, s in ipairs(ANSWER_VALUES) do
          assert.is_nil(text:find(s, 1, true), ("answer value %q printed:\n%s"):format(s, text))
        end
      end
    end
    -- A platform record around bytes, as an adviser's package sends it.
    local function record(bytes)
      return assert(axlink.platform.wrap(bytes, { receiver = "000001", requestVersion = "1",
        requestSchema = { messageType = "AX OfferteAanvraag", receiverCode = "XX Voorbeeld Geldverstrekker",
          schemaVersion = "24.0", contentType = "XML", environment = "acceptatie" } }))
    end
    local P1, P2 = "2a04c935-7420-4725-882b-0e4621a283ca", "1f95315c-3cca-4288-bad8-4edcc1aac03f"
    local BRP = "26 Basis Registratie Personen"

    it("run.lua: a wrapped AX in, requests out, the answers in the ledger (exact bytes archived)", function()
      local dir = tmpdir()
      assert.are.equal(0, (lua("examples/adviser.lua", dir .. "/incoming.xml")))
      local sent = slurp(dir .. "/incoming.xml")
      local rec = require("support.files").spit(dir .. "/record.json", record(sent))
      local code, out, err = lua(RUN, rec .. " --keep")
      assert.are.equal(0, code, err)
      local key = assert(axlink.cdl.read(OCKTO)).id
      assert_lines(out, {
        "record record.json: header.requestSchema messageType AX OfferteAanvraag, schemaVersion 24.0, " ..
          "environment acceptatie; requestVersion 1",
        ("unwrapped: OfferteAanvraag, %d bytes, archived as received.xml"):format(#sent),
        "check (receive): ok, 0 problems",
        "links: 2",
        "  1. Hypotheekgever 2: persoons_id " .. P1,
        "     dataleverancier_id " .. key,
        "  2. Hypotheekgever 4: persoons_id " .. P2,
        "archive unchanged, equal to the record's message.data: yes (never re-serialised)",
        "bronaanvragen: 2 requests (DataMijNr, GegevensVerzoekVersie, DataleverancierOntvangerNaam from the options)",
        "     externalSource 02 Ockto / 26 Basis Registratie Personen / 11 Mijnoverheid.nl; " ..
          "answer BasisRegistratiePersonenBericht",
        "  no signing key here: a host passes opts.sign = function(bytes) return value, key_uuid end",
        "ledger.json: 2 rows requested",
        "  answer-2.json: parentRecord 7e9a1c00-0000-4000-8000-000000000002, ValidatieMelding: validatiemelding, " ..
          "consent_expired (MeldingSoort 99: Consent for consumer data has expired)",
        "due: 1",
        "  persoons_id " .. P2 .. ", " .. BRP .. ": new_journey (ask the adviser for a new CDL journey by the " ..
          "consumer; never retried)",
      })
      assert_no_answer_values(out, err)
      local work = assert(out:match("\nwork directory kept: (%S+)\n"), out)
      -- The archive is the record's bytes, exactly.
      assert.are.equal(sent, slurp(work .. "/received.xml"))
      assert.are.equal(sent, (axlink.platform.unwrap(slurp(rec))))
      -- The ledger file: one received, one consent expired, due a new journey.
      local ledger = assert(axlink.brondata.ledger(work .. "/ledger.json"))
      local states = {}
      for _, r in ipairs(ledger:rows()) do states[#states + 1] = { r.persoons_id, r.product, r.state, r.attempts } end
      assert.are.same({ { P1, BRP, "received", 1 }, { P2, BRP, "consent_expired", 1 } }, states)
      local due = assert(ledger:due())
      assert.are.same({ { P2, "new_journey" } }, { { due[1].persoons_id, due[1].action } })
      assert.are.equal(1, #due)
      -- A request record holds a BronAanvraagBericht for the first link.
      local bytes, req = axlink.platform.unwrap(slurp(work .. "/request-1.json"))
      assert.are.equal("BronAanvraagBericht", req.header.requestSchema.messageType)
      assert.is_nil(req.message.signature)
      local t = assert(axlink.parse(bytes)):totable()
      assert.are.equal(P1, t.Product[1].BasisRegistratiePersonen[1].PersoonsID)
      os.execute("rm -rf '" .. work .. "' '" .. dir .. "'")
    end)

    it("run.lua makes its own record when given none, and cleans up", function()
      local code, out, err = lua(RUN)
      assert.are.equal(0, code, err)
      assert_lines(out, {
        "no record given: an adviser's package record was made from examples/data (aanvraag.xml + " ..
          "ockto-bundled.json), unsigned",
        "check (receive): ok, 0 problems",
        "archive unchanged, equal to the record's message.data: yes (never re-serialised)",
        "ledger.json: 2 rows requested",
        "due: 1",
      })
      assert.is_nil(out:find("work directory kept", 1, true))
      assert_no_answer_values(out, err)
    end)

    it("run.lua: rule errors in receive mode exit 1; bad input exits 2", function()
      local dir = tmpdir()
      local spit = require("support.files").spit
      local r03 = spit(dir .. "/r03.json", record(slurp("spec/fixtures/rules/R03-dangling.xml")))
      local code, out = lua(RUN, r03)
      assert.are.equal(1, code)
      assert.truthy(out:find("AXL-R03 error ", 1, true))
      assert.is_true(has_line(out, "rule errors in receive mode: no requests built"))
      assert.are.equal(2, (lua(RUN, "/nonexistent.json")))
      local _, err
      code, _, err = lua(RUN, AX)                                  -- not a record
      assert.are.equal(2, code)
      assert.truthy(err:find("AXL-E01", 1, true), err)
      local vm = spit(dir .. "/vm.json", record(slurp("examples/lender/data/validatiemelding-consent.xml")))
      code, _, err = lua(RUN, vm)                                  -- a record, not of an AX
      assert.are.equal(2, code)
      assert.truthy(err:find("not an AX", 1, true), err)
      local b64 = spit(dir .. "/b64.json", '{"message":{"data":"PHg+@@"}}')
      code, _, err = lua(RUN, b64)
      assert.are.equal(2, code)
      assert.truthy(err:find("AXL-E05", 1, true), err)
      assert.are.equal(2, (lua(RUN, "--nonsense")))
      os.execute("rm -rf '" .. dir .. "'")
    end)

    it("receive.lua lists the links to request and the receive-mode verdict, leaving the bytes unchanged", function()
      local dir = tmpdir()
      local incoming = dir .. "/incoming.xml"
      assert.are.equal(0, (lua("examples/adviser.lua", incoming)))
      local before = slurp(incoming)
      local code, out, err = lua(RECEIVE, incoming)
      assert.are.equal(0, code, err)
      local key = assert(axlink.cdl.read(OCKTO)).id
      assert_lines(out, {
        ("incoming incoming.xml: OfferteAanvraag, %d bytes"):format(#before),
        "links to request: 2",
        "  1. Hypotheekgever 2: persoons_id " .. P1,
        "     dataleverancier_id " .. key,
        "     supplier 02 Ockto (inferred from the key), ref DL1, Dataleverancier Volgnummer 1",
        "  2. Hypotheekgever 4: persoons_id " .. P2,
        "     supplier 02 Ockto (inferred from the key), ref DL2, Dataleverancier Volgnummer 2",
        "check (receive): ok, 0 problem(s)",
        ("bytes unchanged after links() and check(): yes (file %d bytes before, %d after; never re-serialised)")
          :format(#before, #before),
      })
      assert_no_values(out, err)
      assert.are.equal(before, slurp(incoming))   -- byte for byte
      os.remove(incoming)
      os.remove(dir)
    end)

    it("receive.lua receives a message it made itself when given none", function()
      local code, out = lua(RECEIVE)
      assert.are.equal(0, code)
      assert.truthy(out:find("no AX given", 1, true))
      assert.is_true(has_line(out, "links to request: 2"))
      assert.is_true(has_line(out, "check (receive): ok, 0 problem(s)"))
      assert_no_values(out)
    end)

    it("receive.lua downgrades in receive mode what a lender can work around, keeps errors errors", function()
      local f = "spec/fixtures/rules/R04-shared-entity.xml"
      local before = slurp(f)
      local code, out = lua(RECEIVE, f)
      assert.are.equal(0, code)
      assert.truthy(out:find("AXL-R04 warning ", 1, true))
      assert.are.equal(before, slurp(f))
      code, out = lua(RECEIVE, "spec/fixtures/rules/R03-dangling.xml")
      assert.are.equal(1, code)
      assert.truthy(out:find("AXL-R03 error ", 1, true))
      assert.truthy(out:find("missing: entity", 1, true))
      assert.are.equal(2, (lua(RECEIVE, "/nonexistent.xml")))
    end)
  end)

  describe("examples/custom-format.lua", function()
    it("loads the format by path, links and fills the example AX", function()
      local dir = tmpdir()
      local out_path = dir .. "/out.xml"
      local code, out, err = lua("examples/custom-format.lua", CSV .. " " .. AX .. " " .. out_path)
      assert.are.equal(0, code, err)
      assert_lines(out, {
        "format household-csv loaded from household-csv.lua: " ..
          "Example: semicolon-separated persons, one line each (doc/mapping.md)",
        "registered formats: ockto-json, iwize-json, hdn-brondata-xml, household-csv",
        "CDL household.csv: format household-csv, 2 person(s)",
        "linked: person 1 -> Hypotheekgever 2, Dataleverancier DL1 (verified)",
        "linked: person 2 -> Hypotheekgever 4, Dataleverancier DL2 (verified)",
        "fill: 0 change(s), 0 proposal(s), 6 conflict(s)",
        "  conflict /OfferteAanvraag/PartijNAWData[1]/StraatNaam (household-csv differs; not overwritten)",
        "  conflict /OfferteAanvraag/PartijNAWData[2]/Postcode (household-csv differs; not overwritten)",
        "check (send): ok, 0 problem(s)",
        "written: " .. out_path,
      })
      assert_no_values(out, err)
      local links = assert(axlink.read(out_path)):links()
      assert.are.equal(2, #links)
      assert.are.equal("HH-2026-0042", links[1].dataleverancier_id)
      os.remove(out_path)
      os.remove(dir)
      -- The defaults, and nothing written without OUT.
      code, out = lua("examples/custom-format.lua")
      assert.are.equal(0, code)
      assert.is_nil(out:find("written:", 1, true))
    end)
  end)
end)
