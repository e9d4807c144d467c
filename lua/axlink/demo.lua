--- The demo: the main job on the bundled example data.
-- Until linking lands it reads the example AX and summarises each applicant
-- by structure only: Volgnummers, references and counts, never a name, a
-- date or an amount.
-- @module axlink.demo

local axlink = require "axlink"

local M = {}

-- The AX elements the summary counts, by role: names from the AX profile
-- (DESIGN 7.3), never spelled here.
local N = require("axlink.profile").default().names

--- The folder holding the example data: next to this module when installed
-- as a rock, or examples/data in a source checkout (found relative to this
-- file, not to the working directory).
function M.data_dir()
  local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."
  for _, dir in ipairs { here .. "/data", here .. "/../../examples/data" } do
    local f = io.open(dir .. "/aanvraag.xml", "rb")
    if f then
      f:close()
      return dir
    end
  end
  return nil, "axlink demo: example data not found next to " .. here
end

local function count(list)
  return list and #list or 0
end

--- Summary lines for one message, without personal values.
function M.summary(msg)
  local t = msg:totable()
  local lines = {}
  local by_id = {}
  for _, p in ipairs(t[N.party] or {}) do
    if p.ID then by_id[p.ID] = p end
  end
  for _, hg in ipairs(t[N.applicant] or {}) do
    local ref = hg[N.party_ref] and hg[N.party_ref].IDREF
    local partij = ref and by_id[ref]
    local soort = partij and select(2, axlink.code(partij[N.party_kind] or "")) or "unknown"
    local incomes = {}
    for _, ink in ipairs(hg[N.incomes] or {}) do
      for name, v in pairs(ink) do
        if type(v) == "table" then incomes[#incomes + 1] = name .. " x" .. #v end
      end
    end
    table.sort(incomes)
    local ident = hg[N.identification]
    lines[#lines + 1] = ("Hypotheekgever %s -> PartijNAWData %s (%s); income: %s; "
      .. "ExterneIdentificatie: %d")
      :format(hg.Volgnummer or "?", ref or "none", soort,
        #incomes > 0 and table.concat(incomes, ", ") or "none",
        count(ident and ident[N.external_id]))
  end
  lines[#lines + 1] = ("Dataleverancier entities: %d; Lening: %d with %d Leningdeel")
    :format(count(t[N.supplier]), count(t[N.loan]),
      (function()
        local n = 0
        for _, l in ipairs(t[N.loan] or {}) do n = n + count(l[N.loan_part]) end
        return n
      end)())
  return lines
end

--- Runs the demo, writing to out (a file handle, default io.stdout): the
-- example AX, the bundled two-person Ockto file read through the format
-- registry, linked and filled, the change list, the check report, and the
-- result written to a file it names. Values only with opts.show_values.
-- @return true, or nil and a message
function M.run(out, opts)
  out, opts = out or io.stdout, opts or {}
  local dir, err = M.data_dir()
  if not dir then return nil, err end
  local path = dir .. "/aanvraag.xml"
  local msg, perr = axlink.read(path)
  if not msg then return nil, perr end
  out:write(("axlink %s (libxml2 %s): %s, %s\n")
    :format(axlink._VERSION, axlink.libxml2_version, "aanvraag.xml", msg:root()))
  for _, line in ipairs(M.summary(msg)) do
    out:write("  ", line, "\n")
  end
  local delivery, derr = axlink.cdl.read(dir .. "/ockto-bundled.json")
  if not delivery then return nil, derr end
  out:write(("\nCDL file ockto-bundled.json: format %s, %d persons, one data-file key\n")
    :format(delivery.format, #delivery.persons))
  local result, lerr = msg:link(delivery)
  if not result then return nil, lerr end
  for _, l in ipairs(result.links) do
    out:write(("  person %d -> Hypotheekgever %d: ExterneIdentificatie + own Dataleverancier %s (%s)\n")
      :format(l.person, l.hypotheekgever, l.ref, l.grade))
  end
  local t = msg:totable()
  local filled, ferr = axlink.cdl.fill(t, delivery, { household = "couple", pension_basis = "accrued" })
  if not filled then return nil, ferr end
  out:write(("fill (household couple, pension basis accrued): %d change(s), %d proposal(s), %d conflict(s)\n")
    :format(#filled.changes, #filled.proposals, #filled.conflicts))
  for _, c in ipairs(filled.changes) do
    out:write(("  changed  %s <- %s %s%s\n"):format(c.path, c.source or "?", c.source_date or "",
      opts.show_values and (" = " .. tostring(c.new)) or ""))
  end
  for _, c in ipairs(filled.conflicts) do
    out:write(("  conflict %s (%s differs; not overwritten)%s\n"):format(c.path, c.source or "?",
      opts.show_values and (": AX " .. tostring(c.ax_value) .. ", CDL " .. tostring(c.cdl_value)) or ""))
  end
  local ok, uerr = msg:settable(t)
  if not ok then return nil, uerr end
  local report = msg:check()
  out:write(("check (send): %s, %d problem(s)\n"):format(report.ok and "ok" or "errors", #report.problems))
  for _, p in ipairs(report.problems) do
    out:write(("  %s %s %s: %s\n"):format(p.code, p.severity, p.path, p.message))
  end
  local links = msg:links()
  local first = links[1] or {}
  out:write(("lender's view: %d link(s), supplier %s%s\n"):format(#links, first.supplier or "?",
    first.supplier_inferred and " (inferred from the key)" or ""))
  local target = (os.getenv("TMPDIR") or "/tmp") .. "/axlink-demo-aanvraag.xml"
  local written, werr = msg:write(target)
  if not written then return nil, werr end
  out:write("written: ", target, "\n")
  return true
end

return M
