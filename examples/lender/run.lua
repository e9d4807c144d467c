--- A lender's side of an application, end to end: an AX record in from the
-- HDN platform, BronAanvraagBericht records out, the answers followed in a
-- ledger. doc/lender.md walks through it step by step.
--
--     lua5.4 examples/lender/run.lua [RECORD.json] [--keep]
--
-- (from the checkout, with LUA_PATH='lua/?.lua;lua/?/init.lua;;' and
-- LUA_CPATH='build/?.so;;'). Without RECORD.json it first makes one the way an
-- adviser's package would send it: examples/data/aanvraag.xml linked with
-- examples/data/ockto-bundled.json, serialised once and wrapped in a platform
-- record. Then, as the lender:
--
--   1. unwrap the record: the exact bytes, archived as they are (never
--      re-serialised: the sender's signature covers exactly these bytes);
--   2. check the AX in receive mode and list its links;
--   3. build one BronAanvraagBericht per link (msg:bronaanvragen) and wrap
--      each in a platform record (unsigned here: no key; see SIGN below);
--   4. record the requests in a ledger under the uuids the platform gave
--      their records (made up here: nothing is sent);
--   5. read back one answer and one ValidatieMelding ("Consent for consumer
--      data has expired") as the platform returns them, matched to their
--      requests by parentRecord, and show the ledger and what is due.
--
-- Everything is written to a new temporary directory, removed at the end
-- (kept, and named, with --keep). Data files: examples/lender/data/ (the
-- answer and the ValidatieMelding, modelled: see the README there).
--
-- It prints structure, codes and keys (PersoonsID and DataleverancierID are
-- its output); never a name, a birth date or an amount. Exit status: 0 all
-- well, 1 rule errors in receive mode, 2 bad input (an unreadable file, a
-- record that is not one, a message that is not an AX).

local axlink = require "axlink"
local cjson = require "cjson.safe"

local platform, brondata = axlink.platform, axlink.brondata

local here = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
local DATA = here .. "/data/"            -- this example's answers
local EXAMPLES = here .. "/../data/"     -- the example AX and CDL file

-- {======================================================================
-- The lender's settings. All made up: yours come from your platform account
-- and your agreement with the CDL.
-- =======================================================================

local SETTINGS = {
  -- msg:bronaanvragen's options (DESIGN 10.1). GegevensVerzoekVersie and
  -- DataleverancierOntvangerNaam are the values of HDN's public sample.
  bronaanvraag = {
    data_mij_nr = function(link) return ("LENDER-DOSSIER-0001-HG%s"):format(link.hypotheekgever) end,
    gegevens_verzoek_versie = "ABC-OSN006",
    ontvanger_naam = "ZFL",
    use_inferred_supplier = true,   -- the example AX's links state no supplier; the key's shape says Ockto
  },
  -- The request records' header (DESIGN 10.3); made up.
  platform = { receiver = "000000", receiver_code = "HDN", environment = "acceptatie", schema_version = "25.0",
    answer_schema_version = "25.0.1.1" },
  miscellaneous = { senderName = "Voorbeeld Geldverstrekker (made up)", receiverName = "HDN",
    sendingApplication = { applicationName = "axlink examples/lender/run.lua", applicationVersion = axlink._VERSION } },
}

-- Signing is the host's: axlink holds no key. SIGN goes to platform.wrap as
-- opts.sign; a host sets it to
--   function(bytes) return base64(SHA256withRSA(private_key, bytes)), key_uuid end
-- (key_uuid: the uuid under which the platform knows the public key; doc/lender.md
-- step 3 has one with lua-luaossl), and the record then carries
-- message.signature = { publicKey = { uuid }, value }. This example has no
-- key, so its records are unsigned.
local SIGN = nil

-- {======================================================================
-- Helpers
-- =======================================================================

local workdir, keep, written = nil, false, {}

-- Removes what the example wrote (unless --keep) and exits.
local function finish(code)
  if workdir then
    if keep then
      print("work directory kept: " .. workdir)
    else
      for i = #written, 1, -1 do os.remove(written[i]) end
      os.remove(workdir)
    end
  end
  os.exit(code)
end

-- Bad input: axlink's message (free of data values) on stderr, exit 2.
local function bad(err)
  io.stderr:write("lender: ", tostring(err), "\n")
  finish(2)
end

local function slurp(path)
  local f, err = io.open(path, "rb")
  if not f then bad(err) end
  local bytes = f:read("a")
  f:close()
  if not bytes then bad(path .. ": cannot be read (a directory?)") end
  return bytes
end

local function spit(name, bytes)
  local path = workdir .. "/" .. name
  local f = assert(io.open(path, "wb"))
  assert(f:write(bytes))
  assert(f:close())
  written[#written + 1] = path
  return path
end

local function plural(n, word)
  return ("%d %s%s"):format(n, word, n == 1 and "" or "s")
end

-- {======================================================================
-- Arguments and the work directory
-- =======================================================================

local record_path
for _, a in ipairs(arg) do
  if a == "--keep" then
    keep = true
  elseif a == "-h" or a == "--help" then
    print("usage: lua5.4 examples/lender/run.lua [RECORD.json] [--keep]")
    os.exit(0)
  elseif a:sub(1, 1) == "-" or record_path then
    io.stderr:write("usage: lua5.4 examples/lender/run.lua [RECORD.json] [--keep]\n")
    os.exit(2)
  else
    record_path = a
  end
end

do
  local dir = os.tmpname()
  os.remove(dir)
  if not os.execute("mkdir -m 700 '" .. dir:gsub("'", "'\\''") .. "'") then bad("cannot make a work directory") end
  workdir = dir
end

-- {======================================================================
-- 0. The adviser's package (only without RECORD.json): link, serialise
-- once, wrap. These bytes are what gets signed and sent.
-- =======================================================================

local function adviser_record()
  local msg = assert(axlink.read(EXAMPLES .. "aanvraag.xml"))
  assert(msg:link(assert(axlink.cdl.read(EXAMPLES .. "ockto-bundled.json"))))
  local bytes = msg:serialize()
  local header = {
    receiver = "000001",                                   -- the lender's platform code (made up)
    requestVersion = platform.next_version(nil, "AX OfferteAanvraag"),   -- "1": the first version
    requestSchema = { messageType = "AX OfferteAanvraag", receiverCode = "XX Voorbeeld Geldverstrekker",
      schemaVersion = "24.0", contentType = "XML", environment = "acceptatie" },
  }
  return assert(platform.wrap(bytes, header, { miscellaneous = { senderName = "Voorbeeld Advies (made up)" } }))
end

if not record_path then
  record_path = spit("received.json", adviser_record())
  print("no record given: an adviser's package record was made from examples/data " ..
    "(aanvraag.xml + ockto-bundled.json), unsigned")
end

-- {======================================================================
-- 1. Receive: unwrap to the exact bytes and archive them as they are.
-- =======================================================================

local json = slurp(record_path)
local received, record, info = platform.unwrap(json, { name = record_path:match("[^/]*$") })
if not received then bad(record .. (info and info.path and (" (" .. info.path .. ")") or "")) end
local h = record.header or {}
local rs = type(h.requestSchema) == "table" and h.requestSchema or {}
print(("record %s: header.requestSchema messageType %s, schemaVersion %s, environment %s; requestVersion %s")
  :format(record_path:match("[^/]*$"), tostring(rs.messageType), tostring(rs.schemaVersion),
    tostring(rs.environment), tostring(h.requestVersion)))
local sig = type(record.message.signature) == "table" and record.message.signature or nil
if sig and type(sig.value) == "string" then
  print("  signed: check it with axlink.platform.verify(bytes, message.signature.value, the sender's public key PEM)")
else
  print("  unsigned (a record on the platform is signed: axlink.platform.verify checks it with the sender's key)")
end

-- The archive holds the bytes exactly as they came out of message.data.
local archive = spit("received.xml", received)

local msg, perr = axlink.parse(received, { name = "received.xml" })
if not msg then bad(perr) end
print(("unwrapped: %s, %d bytes, archived as received.xml"):format(msg:root(), #received))
if msg:root() ~= "OfferteAanvraag" then
  bad(("received.xml: not an AX: the root is %s"):format(msg:root()))
end

-- {======================================================================
-- 2. Check as a receiver, and the links: the data to request.
-- =======================================================================

local report = msg:check { mode = "receive" }
print(("check (receive): %s, %s"):format(report.ok and "ok" or "errors", plural(#report.problems, "problem")))
for _, p in ipairs(report.problems) do
  print(("  %s %s %s: %s"):format(p.code, p.severity, p.path or "", p.message))
end

local links = msg:links()
print(("links: %d"):format(#links))
for i, l in ipairs(links) do
  print(("  %d. Hypotheekgever %s: persoons_id %s"):format(i, tostring(l.hypotheekgever or "?"),
    l.persoons_id or "(none)"))
  print(("     dataleverancier_id %s"):format(l.dataleverancier_id or "(none)"))
  print(("     supplier %s, ref %s%s"):format(l.supplier and (l.supplier ..
    (l.supplier_inferred and " (inferred from the key)" or "")) or "unknown", l.ref or "none",
    #l.missing > 0 and (", missing: " .. table.concat(l.missing, ", ")) or ""))
end

-- Neither links() nor check() changed anything: the archive still holds the
-- received bytes, and their base64 is the record's message.data, so the
-- sender's signature still covers them.
local same = slurp(archive) == received and platform.base64_encode(slurp(archive)) == record.message.data
print(("archive unchanged, equal to the record's message.data: %s (never re-serialised)"):format(
  same and "yes" or "NO"))
if not same then finish(1) end

if not report.ok then
  print("rule errors in receive mode: no requests built")
  finish(1)
end
if #links == 0 then
  print("no links: nothing to request")
  finish(0)
end

-- {======================================================================
-- 3. The BronAanvraagBerichten, each wrapped in a platform record.
-- =======================================================================

local requests, berr = msg:bronaanvragen(SETTINGS.bronaanvraag)
if not requests then bad(berr) end
print(("bronaanvragen: %s (DataMijNr, GegevensVerzoekVersie, DataleverancierOntvangerNaam from the options)")
  :format(plural(#requests, "request")))

local P = SETTINGS.platform
-- A BronAanvraagBericht keeps the dossier's requestVersion (only AX, KX,
-- LX and WX start a new one).
local version = platform.next_version(h.requestVersion and h or nil, "BronAanvraagBericht")
local misc = {}
for k, v in pairs(SETTINGS.miscellaneous) do misc[k] = v end

-- The uuid the platform gives each request record when it is sent (sending
-- is the host's: an HTTP client and HDN credentials). Made up here.
local function platform_uuid(kind, i)
  return ("%s-0000-4000-8000-%012d"):format(kind == "request" and "7e9a1c00" or "a5b20d00", i)
end

for i, e in ipairs(requests) do
  local bytes = e.message:serialize()
  local header = {
    receiver = P.receiver, requestVersion = version,
    requestSchema = { messageType = "BronAanvraagBericht", receiverCode = P.receiver_code,
      schemaVersion = P.schema_version, contentType = "XML", environment = P.environment },
    responseSchemas = { { messageType = e.answer, receiverCode = P.receiver_code,
      schemaVersion = P.answer_schema_version, contentType = "XML" } },
    externalSource = e.external_source,
  }
  local rec, werr = platform.wrap(bytes, header, { sign = SIGN, miscellaneous = misc })
  if not rec then bad(werr) end
  local name = ("request-%d.json"):format(i)
  spit(name, rec)
  e.resource_uuid = platform_uuid("request", i)
  print(("  %d. Hypotheekgever %s, %s: %s, requestVersion %s, %s, %d bytes"):format(i, tostring(e.hypotheekgever),
    e.product, name, version, SIGN and "signed" or "unsigned", #bytes))
  print(("     externalSource %s / %s / %s; answer %s"):format(e.external_source.provider,
    e.external_source.document, e.external_source.source, e.answer))
  print(("     sent: resourceUuid %s (made up: the platform's)"):format(e.resource_uuid))
end
if not SIGN then
  print("  no signing key here: a host passes opts.sign = function(bytes) return value, key_uuid end")
end

-- {======================================================================
-- 4. The ledger: one row per (PersoonsID, DataleverancierID, product).
-- =======================================================================

local ledger_path = workdir .. "/ledger.json"
written[#written + 1] = ledger_path
local ledger, lerr = brondata.ledger(ledger_path)
if not ledger then bad(lerr) end
for _, e in ipairs(requests) do
  local ok, rerr = ledger:requested(e)
  if not ok then bad(rerr) end
end
print(("ledger.json: %s requested"):format(plural(#ledger:rows(), "row")))

-- {======================================================================
-- 5. Read back what came: the platform returns each answer as a record
-- whose parentRecord is the request's uuid (an answer carries no
-- PersoonsID). The first request gets an answer, the second HDN's
-- ValidatieMelding "Consent for consumer data has expired".
-- =======================================================================

-- The platform's part, made up: a record as read back (its own uuid, a
-- status, parentRecord).
local function read_back(file, message_type, parent, i)
  local rec = assert(platform.wrap(slurp(DATA .. file), {
    receiver = "000001", sender = P.receiver, requestVersion = version, requestTraceNr = ("trace-%d"):format(i),
    requestSchema = { messageType = message_type, receiverCode = P.receiver_code,
      schemaVersion = P.answer_schema_version, contentType = "XML", environment = P.environment },
  }))
  local t = assert(cjson.decode(rec))
  t.resourceUuid, t.parentRecord = platform_uuid("answer", i), parent
  t.status = { value = "new", modifiedTimestamp = os.date("!%Y-%m-%dT%H:%M:%SZ") }
  return spit(("answer-%d.json"):format(i), assert(cjson.encode(t)))
end

local back = {
  read_back("antwoord-brp.xml", "BasisRegistratiePersonenBericht", requests[1].resource_uuid, 1),
}
if requests[2] then
  back[2] = read_back("validatiemelding-consent.xml", "ValidatieMelding", requests[2].resource_uuid, 2)
end

-- The lender's part: unwrap, classify, record.
print(("read back: %s"):format(plural(#back, "record")))
for _, path in ipairs(back) do
  local text = slurp(path)
  local bytes, rec = platform.unwrap(text, { name = path:match("[^/]*$") })
  if not bytes then bad(rec) end
  local m, merr = axlink.parse(bytes, { name = path:match("[^/]*$") })
  if not m then bad(merr) end
  local st, serr = brondata.status(m)
  if not st then bad(serr) end
  print(("  %s: parentRecord %s, %s: %s, %s%s"):format(path:match("[^/]*$"), rec.parentRecord, m:root(), st.kind,
    st.status, st.melding and st.kind == "validatiemelding"
      and (" (MeldingSoort %s: %s)"):format(st.melding.soort, st.melding.text) or
      (st.product and (", product " .. st.product) or "")))
  local row, rerr = ledger:received(rec)
  if not row then bad(rerr) end
end

print("ledger rows:")
for _, r in ipairs(ledger:rows()) do
  print(("  persoons_id %s, %s: %s%s, %s, requests %s"):format(r.persoons_id, r.product, r.state,
    r.melding and (" (MeldingSoort " .. r.melding .. ")") or "", plural(r.attempts, "attempt"),
    table.concat(r.requests, " ")))
end
local keys = {}
for k in pairs(assert(cjson.decode(slurp(ledger_path))).rows[1]) do keys[#keys + 1] = k end
table.sort(keys)
print(("  (ledger.json: {\"rows\":[...],\"version\":1}, a row's keys: %s)"):format(table.concat(keys, ", ")))

local due, derr = ledger:due()
if not due then bad(derr) end
local WHAT = { new_journey = "ask the adviser for a new CDL journey by the consumer; never retried",
  retry = "ask again", review = "look at it: refused" }
print(("due: %d"):format(#due))
for _, r in ipairs(due) do
  print(("  persoons_id %s, %s: %s (%s)"):format(r.persoons_id, r.product, r.action, WHAT[r.action] or r.action))
end

finish(0)
