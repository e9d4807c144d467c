--- A mapping script for examples/embed/host.c: the host embeds Lua, sets
-- package.path/cpath to the checkout and runs this file with the AX path and
-- the CDL path as arguments (in `arg` and as `...`).
--
--     build/embed/host examples/embed/mapping.lua examples/data/aanvraag.xml examples/data/ockto-bundled.json
--
-- It reads both files, links, fills (household and pension basis chosen by
-- the host's policy here), checks, and prints the links and the verdict by
-- structure only: never a name, a birth date, an amount or a key. It returns
-- a status the host turns into its exit code (0 all well, 1 rule errors,
-- 2 bad input or a refused link) and a one-line summary.

local axlink = require "axlink"

local ax_path, cdl_path = arg and arg[1], arg and arg[2]
if not ax_path or not cdl_path then
  io.stderr:write("usage: host mapping.lua AX.xml CDL-FILE\n")
  return 2, "usage"
end

local function refused(err)
  io.stderr:write("mapping: ", tostring(err), "\n")
  return 2, "bad input"
end

local msg, err = axlink.read(ax_path)
if not msg then return refused(err) end
local delivery, derr = axlink.cdl.read(cdl_path)
if not delivery then return refused(derr) end

local result, lerr = msg:link(delivery)
if not result then return refused(lerr) end
for _, l in ipairs(result.links) do
  print(("link: person %d -> Hypotheekgever %d, Dataleverancier %s (%s)"):format(l.person, l.hypotheekgever,
    l.ref, l.grade))
end
for _, s in ipairs(result.skipped) do
  print(("skipped: person %d (%s)"):format(s.person, s.reason))
end
for _, w in ipairs(result.warnings) do
  print(("warning: %s"):format(w.code))
end

local t = msg:totable()
local filled, ferr = axlink.cdl.fill(t, delivery, { household = "couple", pension_basis = "accrued" })
if not filled then return refused(ferr) end
local ok, uerr = msg:settable(t)   -- the filled tables back into the message
if not ok then return refused(uerr) end
print(("fill: %d change(s), %d proposal(s), %d conflict(s)"):format(#filled.changes, #filled.proposals,
  #filled.conflicts))

local report = msg:check()
for _, p in ipairs(report.problems) do
  print(("problem: %s %s %s"):format(p.code, p.severity, p.path or ""))
end
print(("check: %s"):format(report.ok and "ok" or "errors"))

local summary = ("%d linked, %d filled, check %s"):format(#result.links, #filled.changes,
  report.ok and "ok" or "errors")
return report.ok and 0 or 1, summary
