--- The lender's first look at an incoming AX, outside the platform record:
-- an AX file in, the CDL data to request out.
--
--     lua5.4 examples/lender/receive.lua [INCOMING.xml]
--
-- examples/lender/run.lua is the whole journey (the platform record, the
-- BronAanvraagBerichten, the answers and the ledger); this script is its
-- receive step alone, for an AX that arrives as a plain file (a test
-- message, an export from your own intake). doc/lender.md walks through both.
--
-- On the HDN platform the AX arrives signed over its exact bytes, so the
-- lender reads the bytes, archives them as they are and never re-serialises
-- them: axlink parses them into a message only to look at it (links() and
-- check() never change a message). The example shows it by comparing the
-- file's bytes before and after.
--
-- Without an argument it first makes an incoming message the way an adviser
-- would (examples/data/aanvraag.xml linked to examples/data/ockto-bundled.json,
-- written to a temporary file) and then receives that.
--
-- It prints the keys to request (PersoonsID, DataleverancierID: they are its
-- output) and the supplier inferred from the key's shape; never a name, a
-- birth date or an amount. Exit status: 0 all well (warnings and infos may
-- have been reported), 1 rule errors in receive mode or changed bytes, 2 bad
-- input.

local axlink = require "axlink"

local here = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
local EXAMPLES = here .. "/../data/"   -- the example AX and CDL file

local function basename(p)
  return p:match("([^/]+)$") or p
end

local function bad(err)
  io.stderr:write("lender: ", tostring(err), "\n")
  os.exit(2)
end

local function slurp(path)
  local f, err = io.open(path, "rb")
  if not f then bad(err) end
  local bytes = f:read("a")
  f:close()
  return bytes
end

-- The adviser's side, only when no file is given: link and write.
local function make_incoming()
  local msg = assert(axlink.read(EXAMPLES .. "aanvraag.xml"))
  local delivery = assert(axlink.cdl.read(EXAMPLES .. "ockto-bundled.json"))
  assert(msg:link(delivery))
  local path = os.tmpname()
  assert(msg:write(path))
  return path
end

local path, temporary = arg[1], false
if not path then
  path, temporary = make_incoming(), true
  print("no AX given: an adviser's message was made from examples/data (aanvraag.xml + ockto-bundled.json)")
end
local name = temporary and "incoming.xml" or basename(path)

-- 1. The bytes as received: these are what gets archived (and were signed).
local received = slurp(path)

-- 2. Parse them to look at; the message is never serialised.
local msg, err = axlink.parse(received, { name = name })
if not msg then bad(err) end
print(("incoming %s: %s, %d bytes"):format(name, msg:root(), #received))

-- 3. Which data to request: one entry per ExterneIdentificatie.
local links = msg:links()
print(("links to request: %d"):format(#links))
for i, l in ipairs(links) do
  local supplier = l.supplier and (l.supplier .. (l.supplier_inferred and " (inferred from the key)" or ""))
    or "unknown"
  print(("  %d. Hypotheekgever %s: persoons_id %s"):format(i, tostring(l.hypotheekgever or "?"),
    l.persoons_id or "(none)"))
  print(("     dataleverancier_id %s"):format(l.dataleverancier_id or "(none)"))
  print(("     supplier %s, ref %s, Dataleverancier Volgnummer %s%s"):format(supplier, l.ref or "none",
    tostring(l.dataleverancier_volgnummer or "?"),
    #l.missing > 0 and (", missing: " .. table.concat(l.missing, ", ")) or ""))
end

-- 4. The rules as a receiver: what a lender can work around is downgraded.
local report = msg:check { mode = "receive" }
print(("check (receive): %s, %d problem(s)"):format(report.ok and "ok" or "errors", #report.problems))
for _, p in ipairs(report.problems) do
  print(("  %s %s %s: %s"):format(p.code, p.severity, p.path or "", p.message))
end

-- 5. Nothing changed the bytes: the file is read again and compared with
-- what was received (the input is only ever opened for reading).
local after = slurp(path)
local unchanged = after == received
print(("bytes unchanged after links() and check(): %s (file %d bytes before, %d after; never re-serialised)")
  :format(unchanged and "yes" or "NO", #received, #after))
if temporary then os.remove(path) end

if not unchanged then os.exit(1) end
os.exit(report.ok and 0 or 1)
