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

-- Base64, for the demo's Ockto-shaped data-file key only.
local B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function base64(s)
  return ((s:gsub(".", function(c)
    local b, bits = c:byte(), {}
    for i = 8, 1, -1 do bits[#bits + 1] = (b >> (i - 1)) & 1 end
    return table.concat(bits)
  end) .. "0000"):gsub("%d%d%d?%d?%d?%d?", function(x)
    if #x < 6 then return "" end
    return B64:sub(tonumber(x, 2) + 1, tonumber(x, 2) + 1)
  end) .. ({ "", "==", "=" })[#s % 3 + 1])
end

--- The bundled two-person CDL delivery of the demo: invented people, the
-- shape modelled on Ockto's public key (base64 of consumerData JSON).
function M.delivery()
  local key = base64('{"consumerData":{"DataSources":["MOH","UWV","UPO"],' ..
    '"Id":"3f6f0c1e-5a7b-4c2d-9e8f-0a1b2c3d4e5f","OdmVersion":"V4_4"}}')
  return {
    id = key, supplier = "02 Ockto", format = "demo", sources = { "MOH", "UWV", "UPO" },
    persons = {
      { id = "c9a1e3f2-0b4d-4e6a-8c2f-1d3e5a7b9c01", role = "aanvrager", birth_date = "1954-07-03",
        initials = "IJW", prefix = "de", surname = "Boer" },
      { id = "4e8b2d6a-7c1f-4a3e-b5d9-2f0e6c8a1b02", role = "partner", birth_date = "1955-02-00",
        initials = "Z", surname = "Brouwer" },
    },
  }
end

--- Runs the demo, writing to out (a file handle, default io.stdout): the
-- example AX linked with a bundled two-person delivery, the links, the
-- check report, and the result written to a file it names. No personal
-- values are printed.
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
  local delivery = M.delivery()
  out:write(("\nLinking a bundled CDL file (%d persons, one data-file key):\n"):format(#delivery.persons))
  local result, lerr = msg:link(delivery)
  if not result then return nil, lerr end
  for _, l in ipairs(result.links) do
    out:write(("  person %d -> Hypotheekgever %d: ExterneIdentificatie + own Dataleverancier %s (%s)\n")
      :format(l.person, l.hypotheekgever, l.ref, l.grade))
  end
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
  local ok, werr = msg:write(target)
  if not ok then return nil, werr end
  out:write("written: ", target, "\n")
  return true
end

return M
