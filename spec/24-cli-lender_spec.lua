-- The lender's commands (DESIGN 8, 10): bronaanvraag, wrap/unwrap, status,
-- carry, verify-identity: what they write, their exit codes, nothing
-- clobbered, --json on the error path.
local cjson = require "cjson"
local axlink = require "axlink"
local files = require "support.files"
local slurp, tmpdir = files.slurp, files.tmpdir

local ENV = "LUA_PATH='lua/?.lua;lua/?/init.lua;;' LUA_CPATH='" .. (os.getenv("AXLINK_CPATH") or "build/?.so") .. ";;' "

local function run(args)
  local out, err = os.tmpname(), os.tmpname()
  local _, _, code = os.execute(ENV .. "lua5.4 bin/axlink " .. args .. " >" .. out .. " 2>" .. err)
  local o, e = slurp(out), slurp(err)
  os.remove(out)
  os.remove(err)
  return code, o, e
end

local function ls(dir)
  local p = io.popen("ls -A " .. dir)
  local names = {}
  for l in p:lines() do names[#names + 1] = l end
  p:close()
  return names
end

-- The example AX with the bundled Ockto file linked (both applicants).
local function linked(dir)
  local msg = assert(axlink.read("examples/data/aanvraag.xml"))
  assert(msg:link(assert(axlink.cdl.read("examples/data/ockto-bundled.json"))))
  assert(msg:write(dir .. "/linked.xml"))
  return dir .. "/linked.xml", msg
end

local REQ = "--data-mij-nr REF-1 --versie 1.0 --ontvanger 'Bank NV' --use-inferred-supplier"

describe("lender CLI #subprocess", function()
  it("bronaanvraag writes one request per link, the API's bytes, and never replaces a file", function()
    local d = tmpdir()
    local ax, msg = linked(d)
    local code, out, err = run(("bronaanvraag %s %s -o %s"):format(ax, REQ, d))
    assert.are.equal(0, code, err)
    assert.are.same({ "2-1-26.xml", "4-1-26.xml", "linked.xml" }, ls(d))
    local list = assert(msg:bronaanvragen { data_mij_nr = "REF-1", gegevens_verzoek_versie = "1.0",
      ontvanger_naam = "Bank NV", use_inferred_supplier = true })
    assert.are.equal(list[1].message:serialize(), slurp(d .. "/2-1-26.xml"))
    assert.truthy(out:find(d .. "/4-1-26.xml: Hypotheekgever 4", 1, true), out)
    -- Again into the same folder: refused, nothing replaced.
    local before = slurp(d .. "/2-1-26.xml")
    local _
    code, _, err = run(("bronaanvraag %s %s -o %s"):format(ax, REQ, d))
    assert.are.equal(2, code)
    assert.truthy(err:find("exists: refused, nothing written", 1, true), err)
    assert.are.equal(before, slurp(d .. "/2-1-26.xml"))
    -- Without a supplier (only inferred), or a required option: exit 2, in JSON too.
    code, out = run(("--json bronaanvraag %s --data-mij-nr R --versie 1 --ontvanger B -o %s"):format(ax, d))
    assert.are.equal(2, code)
    assert.are.equal("AXL-B05", cjson.decode(out).error.code)
    assert.are.equal(2, (run(("bronaanvraag %s --versie 1 --ontvanger B"):format(ax))))
    os.execute("rm -rf " .. d)
  end)

  it("bronaanvraag writes all its requests or none", function()
    local d = tmpdir()
    local ax = linked(d)
    -- The second target cannot be written (a dangling symlink): the first is taken back.
    os.execute(("mkdir %s/req && ln -s %s/nowhere/x %s/req/4-1-26.xml"):format(d, d, d))
    local code, _, err = run(("bronaanvraag %s %s -o %s/req"):format(ax, REQ, d))
    assert.are.equal(2, code)
    assert.truthy(err:find("AXL-W01", 1, true), err)
    assert.are.same({ "4-1-26.xml" }, ls(d .. "/req"))
    os.execute("rm -rf " .. d)
  end)

  it("wrap and unwrap give back the exact bytes; a bad record is refused, nothing written", function()
    local d = tmpdir()
    local ax = linked(d)
    local code, _, err = run(("wrap %s --receiver AG --request-version 1 --message-type OfferteAanvraag " ..
      "--receiver-code AG --schema-version 24.0 --environment acceptatie -o %s/rec.json"):format(ax, d))
    assert.are.equal(0, code, err)
    local record = cjson.decode(slurp(d .. "/rec.json"))
    assert.are.equal("1", record.header.requestVersion)
    local out
    code, out = run("unwrap " .. d .. "/rec.json")
    assert.are.equal(0, code)
    assert.are.equal(slurp(ax), out)
    code, out = run("unwrap --json " .. ax .. " -o " .. d .. "/x.xml")
    assert.are.equal(2, code)
    assert.are.equal("AXL-E01", cjson.decode(out).error.code)
    assert.is_nil(io.open(d .. "/x.xml"))
    code, _, err = run("unwrap " .. d .. "/rec.json -o " .. d .. "/rec.json")
    assert.are.equal(2, code)
    assert.truthy(err:find("one of the input files", 1, true), err)
    os.execute("rm -rf " .. d)
  end)

  it("status records a read-back answer and says what is due", function()
    local d = tmpdir()
    local ledger = assert(axlink.brondata.ledger(d .. "/ledger.json"))
    assert(ledger:requested({ persoons_id = "p-1", dataleverancier_id = "k-1",
      product = "26 Basis Registratie Personen", resource_uuid = "req-uuid-1" }, "2026-11-01"))
    -- The platform's ValidatieMelding "consent expired", read back as a record.
    local bytes = slurp("spec/fixtures/lender/" .. (function()
      for _, n in ipairs(ls("spec/fixtures/lender")) do
        if slurp("spec/fixtures/lender/" .. n):find("Consent for consumer data has expired", 1, true) then return n end
      end
    end)())
    local rec = axlink.platform.wrap(bytes, { receiver = "L", requestVersion = "1", requestSchema = {
      messageType = "ValidatieMelding", receiverCode = "L", schemaVersion = "25.0", contentType = "XML",
      environment = "acceptatie" } })
    local t = cjson.decode(rec)
    t.parentRecord = "req-uuid-1"
    files.spit(d .. "/answer.json", cjson.encode(t))
    -- A good record then a bad one: refused, and the ledger is as it was.
    local before = slurp(d .. "/ledger.json")
    files.spit(d .. "/bad.json", "{ not json")
    local code, out = run(("status %s/ledger.json %s/answer.json %s/bad.json --at 2026-11-03 --json")
      :format(d, d, d))
    assert.are.equal(2, code)
    assert.are.equal("AXL-E01", cjson.decode(out).error.code)
    assert.are.equal(before, slurp(d .. "/ledger.json"))
    local err
    code, out, err = run(("status %s/ledger.json %s/answer.json --at 2026-11-03 --json"):format(d, d))
    assert.are.equal(0, code, err)
    local j = cjson.decode(out)
    assert.are.equal("consent_expired", j.rows[1].state)
    assert.are.equal("new_journey", j.due[1].action)
    os.execute("rm -rf " .. d)
  end)

  it("carry copies the links onto a new version; verify-identity compares an answer", function()
    local d = tmpdir()
    local ax = linked(d)
    local code, _, err = run(("carry %s examples/data/aanvraag.xml -o %s/v2.xml"):format(ax, d))
    assert.are.equal(0, code, err)
    assert.truthy(err:find("carried: Hypotheekgever 2 -> 2", 1, true), err)
    local v2 = assert(axlink.read(d .. "/v2.xml"))
    assert.are.equal(2, #v2:links())
    -- An answer about nobody linked here: exit 2, and the code in JSON.
    local out
    code, out = run("verify-identity --json " .. ax .. " examples/data/brondata/brp.xml")
    assert.are.equal(2, code)
    assert.are.equal("AXL-L34", cjson.decode(out).error.code)
    os.execute("rm -rf " .. d)
  end)
end)
