--- A CDL format of your own, loaded by path: examples/formats/household-csv.lua
-- (written step by step in doc/mapping.md) reads examples/formats/household.csv,
-- and the delivery is linked to and filled into examples/data/aanvraag.xml.
--
--     lua5.4 examples/custom-format.lua [CSV [AX.xml [OUT.xml]]]
--
-- The format file and the default data are found next to this script. With
-- OUT the result is written there (atomically) when the rules allow it.
-- Prints structure only: never a name, a birth date, an address or a key.
-- Exit status: 0 all well, 1 rule errors (nothing written), 2 bad input or a
-- refused link.

local axlink = require "axlink"

local here = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
local format_path = here .. "/formats/household-csv.lua"
local csv_path = arg[1] or (here .. "/formats/household.csv")
local ax_path = arg[2] or (here .. "/data/aanvraag.xml")
local out_path = arg[3]

local function basename(p)
  return p:match("([^/]+)$") or p
end

local function bad(err)
  io.stderr:write("custom-format: ", tostring(err), "\n")
  os.exit(2)
end

-- 1. Load the format file: it returns a format table, which is registered
-- beside the built-in ones and found by content from then on.
local format, ferr = axlink.cdl.load(format_path)
if not format then bad(ferr) end
print(("format %s loaded from %s: %s"):format(format.name, basename(format_path), format.description))
local names = {}
for i, f in ipairs(axlink.cdl.formats()) do names[i] = f.name end
print("registered formats: " .. table.concat(names, ", "))

-- 2. Read the CSV: detected by its header line.
local delivery, derr = axlink.cdl.read(csv_path)
if not delivery then bad(derr) end
print(("CDL %s: format %s, %d person(s)"):format(basename(csv_path), delivery.format, #delivery.persons))

-- 3. Link to the AX (automatic matching: birth date, surname, initials).
local msg, err = axlink.read(ax_path)
if not msg then bad(err) end
local result, lerr, linfo = msg:link(delivery)
if not result then
  for _, g in ipairs(linfo and linfo.grades or {}) do
    io.stderr:write(("  person %d vs Hypotheekgever %d: %s\n"):format(g.person, g.hypotheekgever, g.grade))
  end
  bad(lerr)
end
for _, l in ipairs(result.links) do
  print(("linked: person %d -> Hypotheekgever %d, Dataleverancier %s (%s)"):format(l.person, l.hypotheekgever,
    l.ref, l.grade))
end
for _, s in ipairs(result.skipped) do
  print(("skipped: person %d (%s)"):format(s.person, s.reason))
end

-- 4. Fill through the format's fill(): the address goes into PartijNAWData,
-- but an existing, different value is a conflict, never overwritten.
local t = msg:totable()
local filled, fillerr = axlink.cdl.fill(t, delivery, { household = "couple", pension_basis = "accrued" })
if not filled then bad(fillerr) end
print(("fill: %d change(s), %d proposal(s), %d conflict(s)"):format(#filled.changes, #filled.proposals,
  #filled.conflicts))
for _, c in ipairs(filled.changes) do
  print(("  changed  %s <- %s"):format(c.path, c.source or "?"))
end
for _, c in ipairs(filled.conflicts) do
  print(("  conflict %s (%s differs; not overwritten)"):format(c.path, c.source or "?"))
end
local ok, uerr = msg:settable(t)   -- the filled tables back into the message
if not ok then bad(uerr) end

-- 5. Check, and write when asked and allowed.
local report = msg:check()
print(("check (send): %s, %d problem(s)"):format(report.ok and "ok" or "errors", #report.problems))
for _, p in ipairs(report.problems) do
  print(("  %s %s %s: %s"):format(p.code, p.severity, p.path or "", p.message))
end
if not report.ok then os.exit(1) end
if out_path then
  local written, werr = msg:write(out_path)
  if not written then bad(werr) end
  print("written: " .. out_path)
end
os.exit(0)
