--- The demo: the main job on the bundled example data.
-- Until linking lands it reads the example AX and summarises each applicant
-- by structure only: Volgnummers, references and counts, never a name, a
-- date or an amount.
-- @module axlink.demo

local axlink = require "axlink"

local M = {}

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
  for _, p in ipairs(t.PartijNAWData or {}) do
    if p.ID then by_id[p.ID] = p end
  end
  for _, hg in ipairs(t.Hypotheekgever or {}) do
    local ref = hg.RefPartijNAWData and hg.RefPartijNAWData.IDREF
    local partij = ref and by_id[ref]
    local soort = partij and select(2, axlink.code(partij.SoortPartij or "")) or "unknown"
    local incomes = {}
    for _, ink in ipairs(hg.Inkomsten or {}) do
      for name, v in pairs(ink) do
        if type(v) == "table" then incomes[#incomes + 1] = name .. " x" .. #v end
      end
    end
    table.sort(incomes)
    local ident = hg.Identificatie
    lines[#lines + 1] = ("Hypotheekgever %s -> PartijNAWData %s (%s); income: %s; "
      .. "ExterneIdentificatie: %d")
      :format(hg.Volgnummer or "?", ref or "none", soort,
        #incomes > 0 and table.concat(incomes, ", ") or "none",
        count(ident and ident.ExterneIdentificatie))
  end
  lines[#lines + 1] = ("Dataleverancier entities: %d; Lening: %d with %d Leningdeel")
    :format(count(t.Dataleverancier), count(t.Lening),
      (function()
        local n = 0
        for _, l in ipairs(t.Lening or {}) do n = n + count(l.Leningdeel) end
        return n
      end)())
  return lines
end

--- Runs the demo, writing to out (a file handle, default io.stdout).
-- @return true, or nil and a message
function M.run(out)
  out = out or io.stdout
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
  local same = msg:serialize() == assert(io.open(path, "rb")):read("a")
  out:write(("  canonical form: %s\n")
    :format(same and "byte-identical to the file" or "differs from the file"))
  return true
end

return M
