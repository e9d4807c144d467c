--- The adviser's job: an AX and the consumer's CDL file(s) in, a linked,
-- filled and checked AX out, ready to be signed and sent.
--
--     lua5.4 examples/adviser.lua [OUT.xml [AX.xml [CDL...]]]
--
-- Defaults: OUT is $TMPDIR/axlink-adviser-aanvraag.xml, AX and CDL are
-- examples/data/aanvraag.xml and examples/data/ockto-bundled.json (found next
-- to this script). From the repo root:
--
--     LUA_PATH='lua/?.lua;lua/?/init.lua;;' LUA_CPATH='build/?.so;;' lua5.4 examples/adviser.lua out.xml
--
-- It prints structure only (Volgnummers, references, paths, codes): never a
-- name, a birth date, an amount or a key. Exit status as the CLI's: 0 written,
-- 1 rule errors (nothing written), 2 bad input or a refused link.

local axlink = require "axlink"

local here = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
local out_path = arg[1] or ((os.getenv("TMPDIR") or "/tmp") .. "/axlink-adviser-aanvraag.xml")
local ax_path = arg[2] or (here .. "/data/aanvraag.xml")
local cdl_paths = { table.unpack(arg, 3) }
if #cdl_paths == 0 then cdl_paths = { here .. "/data/ockto-bundled.json" } end

local function basename(p)
  return p:match("([^/]+)$") or p
end

-- Bad input: the message (axlink's, free of data values) on stderr, exit 2.
local function bad(err)
  io.stderr:write("adviser: ", tostring(err), "\n")
  os.exit(2)
end

-- 1. Read the AX and the CDL file(s); the format is recognised by content.
local msg, err = axlink.read(ax_path)
if not msg then bad(err) end
local t = msg:totable()
print(("AX %s: %s, %d Hypotheekgever"):format(basename(ax_path), msg:root(), #(t.Hypotheekgever or {})))

local delivery, derr = axlink.cdl.read(cdl_paths)
if not delivery then bad(derr) end
print(("CDL %s: format %s, supplier %s, %d person(s)"):format(basename(cdl_paths[1]), delivery.format,
  delivery.supplier or "unknown", #delivery.persons))

-- 2. Link: who is who. Automatic matching links only "verified" persons;
-- a host that knows better passes opts.match = { [person_id] = volgnummer }.
local result, lerr, linfo = msg:link(delivery)
if not result then
  for _, g in ipairs(linfo and linfo.grades or {}) do
    io.stderr:write(("  person %d vs Hypotheekgever %d: %s\n"):format(g.person, g.hypotheekgever, g.grade))
  end
  bad(lerr)
end
for _, l in ipairs(result.links) do
  print(("linked: person %d -> Hypotheekgever %d, Dataleverancier %s (%s%s)"):format(l.person, l.hypotheekgever,
    l.ref, l.grade, l.created and "" or ", already linked"))
end
for _, s in ipairs(result.skipped) do
  print(("skipped: person %d (%s)"):format(s.person, s.reason))
end
for _, w in ipairs(result.warnings) do
  print(("warning: %s %s"):format(w.code, w.message))
end

-- 3. Fill from the CDL data. The AOW amount depends on the household after
-- the purchase and pension amounts on the lender's basis: the host says.
local opts = { household = "couple", pension_basis = "accrued" }
t = msg:totable()
local filled, ferr = axlink.cdl.fill(t, delivery, opts)
if not filled then bad(ferr) end
print(("fill (household %s, pension basis %s): %d change(s), %d proposal(s), %d conflict(s)"):format(
  opts.household, opts.pension_basis, #filled.changes, #filled.proposals, #filled.conflicts))
for _, c in ipairs(filled.changes) do
  print(("  changed  %s <- %s (%s)"):format(c.path, c.source or "?", c.kind or "?"))
end
for _, c in ipairs(filled.proposals) do
  print(("  proposed %s <- %s (%s)"):format(c.path or "?", c.source or "?", c.reason or "for the adviser"))
end
for _, c in ipairs(filled.conflicts) do
  print(("  conflict %s (%s differs; not overwritten)"):format(c.path, c.source or "?"))
end
local ok, uerr = msg:settable(t)   -- the filled tables back into the message
if not ok then bad(uerr) end

-- 4. Check the ketenafspraak rules as a sender (strict), then write.
local report = msg:check { mode = "send" }
print(("check (send): %s, %d problem(s)"):format(report.ok and "ok" or "errors", #report.problems))
for _, p in ipairs(report.problems) do
  print(("  %s %s %s: %s"):format(p.code, p.severity, p.path or "", p.message))
end
if not report.ok then
  print("rule errors: nothing written")
  os.exit(1)
end
local written, werr = msg:write(out_path)
if not written then bad(werr) end
print("written: " .. out_path)
os.exit(0)
