--- Filling an AX from a CDL delivery (DESIGN 7.3), with provenance.
-- A format's `fill(ctx, person, delivery, opts)` says what it would write
-- through `ctx`; this module decides what is written: only for persons
-- linked to the delivery and verified, never over an existing value unless
-- `opts.overwrite`, never a placeholder, and never the fields HDN's practice
-- keeps for the adviser (they become proposals). Every change carries its
-- source and date.
-- @module axlink.fill

local core = require "axlink.core"

local M = {}

-- Fields never filled automatically: at most proposed (DESIGN 7.3).
local NEVER = {
  BSN = true, BurgerlijkeStaat = true, KinderenAantal = true, RekeningNr = true,
  ["E-mailadres"] = true, Dienstbetrekking = true,
}
local NEVER_PREFIX = { "Legitimatie", "VerblijfsVergunning", "TelefoonNr" }

local function never(field, value)
  if NEVER[field] then return true end
  -- "No study loan" is the adviser's statement, not a fact a CDL can prove.
  if field == "StudieleningInventarisatie" and type(value) == "string" and
      (value:lower():find("geen", 1, true) or value:lower():match("^%w*%s*nee")) then
    return true
  end
  for _, p in ipairs(NEVER_PREFIX) do
    if field:sub(1, #p) == p then return true end
  end
  return false
end

-- Values that only stand in for missing data (nil: the CDL had none).
local function placeholder(v)
  if v == nil then return true end
  if v:match("^%s*$") then return true end
  local l = v:lower()
  if l == "onbekend" or l == "unknown" or l == "n.v.t." or l == "nvt" or l == "-" then return true end
  if v:match("^%d%d%d%d%-%d%d%-%d%d$") and (v:sub(6, 7) == "00" or v:sub(9, 10) == "00" or v:sub(1, 4) == "0000") then
    return true
  end
  return false
end

-- Where each entity a format may create lives, under the Hypotheekgever.
local ENTITY_PARENT = {
  Uitkering = "Inkomsten", Pensioen = "Inkomsten", InkomensbepalingLoondienst = "Inkomsten",
  Dienstbetrekking = "Inkomsten", Verplichtingen = false,
}

local function path_of(parts)
  return "/OfferteAanvraag/" .. table.concat(parts, "/")
end

-- A refusal raised through a format's fill (what the format asked for is
-- not AX); M.fill turns it into nil, message, info with its code.
local Refusal = {}

local function refuse_fill(code, text, field)
  error(setmetatable({ code = code, text = text, field = field }, Refusal), 0)
end

-- The model's path of the entity `parts` name: no indices, root first.
local function model_path(parts)
  local names = { "OfferteAanvraag" }
  for i, p in ipairs(parts) do names[i + 1] = p:match("^[^%[]+") end
  return table.concat(names, "/")
end

local function iso_date(v)
  local y, m, d = v:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)$")
  if not y then return false end
  y, m, d = tonumber(y), tonumber(m), tonumber(d)
  local days = { 31, (y % 4 == 0 and (y % 100 ~= 0 or y % 400 == 0)) and 29 or 28, 31, 30, 31, 30, 31, 31, 30,
    31, 30, 31 }
  return m >= 1 and m <= 12 and d >= 1 and d <= days[m]
end

-- A field a format writes must be one the AX has there (AXL-C22), with a
-- value of its field's type (AXL-C23): a string; an ISO date in a field
-- ending in Dt; "J Ja" or "N Nee" in one ending in JN (HDN's conventions).
-- Messages name the path and field, never the value.
local function check_field(parts, field, value)
  local where = path_of(parts) .. "/" .. tostring(field)
  if type(field) ~= "string" or core._model_child(model_path(parts), field) ~= "leaf" then
    refuse_fill("AXL-C22", where .. ": not a field the AX profile knows there", field)
  end
  if field:match("Dt$") and not iso_date(value) then
    refuse_fill("AXL-C23", where .. ": not an ISO date (YYYY-MM-DD)", field)
  end
  if field:match("JN$") and value ~= "J Ja" and value ~= "N Nee" then
    refuse_fill("AXL-C23", where .. ": neither \"J Ja\" nor \"N Nee\"", field)
  end
end

local function index_of(list, item)
  for i, v in ipairs(list or {}) do
    if v == item then return i end
  end
end

-- {======================================================================
-- Who is linked
-- =======================================================================

--- The persons of a delivery that the tables link, with their Hypotheekgever
-- and PartijNAWData tables and grades.
function M.linked(t, delivery)
  local dl_key = {}
  for _, d in ipairs(t.Dataleverancier or {}) do
    if d.ID then dl_key[d.ID] = d.DataleverancierID end
  end
  local partij = {}
  for i, p in ipairs(t.PartijNAWData or {}) do
    if p.ID then partij[p.ID] = { table = p, index = i } end
  end
  local found = {}
  for hi, hg in ipairs(t.Hypotheekgever or {}) do
    local ident = hg.Identificatie
    for _, ext in ipairs(type(ident) == "table" and ident.ExterneIdentificatie or {}) do
      local ref = type(ext.RefDataleverancier) == "table" and ext.RefDataleverancier.IDREF
      for pi, person in ipairs(delivery.persons) do
        if person.id and ext.PersoonsID == person.id and ref and dl_key[ref] == delivery.id then
          local pref = type(hg.RefPartijNAWData) == "table" and hg.RefPartijNAWData.IDREF
          local p = pref and partij[pref]
          found[#found + 1] = {
            person = pi, hypotheekgever = hg, hg_index = hi,
            partij = p and p.table, partij_index = p and p.index,
            grade = p and core.grade(person, p.table) or "unverifiable",
          }
        end
      end
    end
  end
  return found
end

-- {======================================================================
-- The context a format's fill writes through
-- =======================================================================

local Ctx = {}
Ctx.__index = Ctx

local function meta_of(meta)
  meta = meta or {}
  return meta.source, meta.source_date, meta.kind or "copied"
end

function Ctx:_propose(path, value, meta, reason)
  local source, date = meta_of(meta)
  self.result.proposals[#self.result.proposals + 1] = {
    path = path, source = source, source_date = date, value = value, reason = reason,
  }
end

-- Writes one field of a table, or records why it did not.
function Ctx:_put(tbl, parts, field, value, meta)
  local path = path_of(parts) .. "/" .. tostring(field)
  if value ~= nil and type(value) ~= "string" then
    refuse_fill("AXL-C23", ("%s: a %s, where AX fields are strings as HDN writes them (amounts: axlink.amount)")
      :format(path, type(value)), field)
  end
  if never(field, value) then return self:_propose(path, value, meta, "never filled automatically") end
  if placeholder(value) then return end
  check_field(parts, field, value)
  local old = tbl[field]
  if type(old) == "table" then   -- { [1] = text, Attr = ... }: the text is the value
    if old[1] == value then return end
    if old[1] ~= nil and not self.opts.overwrite then
      local source = meta_of(meta)
      self.result.conflicts[#self.result.conflicts + 1] = {
        path = path, source = source, ax_value = old[1], cdl_value = value,
      }
      return
    end
    local source, date, kind = meta_of(meta)
    local was = old[1]
    old[1] = value
    self.result.changes[#self.result.changes + 1] = {
      path = path, source = source, source_date = date, old = was, new = value, kind = kind,
    }
    return
  end
  if old == value then return end
  local source, date, kind = meta_of(meta)
  if old ~= nil and not self.opts.overwrite then
    self.result.conflicts[#self.result.conflicts + 1] = {
      path = path, source = source, ax_value = old, cdl_value = value,
    }
    return
  end
  tbl[field] = value
  self.result.changes[#self.result.changes + 1] = {
    path = path, source = source, source_date = date, old = old, new = value, kind = kind,
  }
end

--- Sets a field of the person's PartijNAWData or Hypotheekgever.
-- @param entity "PartijNAWData" or "Hypotheekgever"
function Ctx:set(entity, field, value, meta)
  if entity == "PartijNAWData" then
    if not self.link.partij then return end
    return self:_put(self.link.partij, { ("PartijNAWData[%d]"):format(self.link.partij_index) }, field, value, meta)
  elseif entity == "Hypotheekgever" then
    return self:_put(self.link.hypotheekgever, { ("Hypotheekgever[%d]"):format(self.link.hg_index) }, field, value,
      meta)
  end
  error("fill: ctx:set entity must be PartijNAWData or Hypotheekgever", 2)
end

--- The current value of a field of the person's PartijNAWData or
-- Hypotheekgever (read only; nil when absent).
function Ctx:get(entity, field)
  local t = entity == "PartijNAWData" and self.link.partij or entity == "Hypotheekgever" and self.link.hypotheekgever
  local v = t and t[field]
  if type(v) == "table" then return v[1] end
  return v
end

--- Records a proposal only (the host decides).
function Ctx:propose(entity, field, value, meta, reason)
  local base = ("Hypotheekgever[%d]"):format(self.link.hg_index)
  if entity == "PartijNAWData" then
    if not self.link.partij_index then return end   -- no PartijNAWData to propose for
    base = ("PartijNAWData[%d]"):format(self.link.partij_index)
  end
  self:_propose(path_of { base } .. "/" .. field, value, meta, reason or "proposed by the format")
end

--- Finds (by key) or creates a repeating entity under the Hypotheekgever
-- (Uitkering, Pensioen, InkomensbepalingLoondienst under Inkomsten;
-- Verplichtingen directly) and fills its fields.
-- @param kind the entity's element name
-- @param key fields identifying an existing entity, e.g. { SoortUitkering = "09 AOW" }
-- @param fields the values to write
-- @param meta { source =, source_date =, kind = "copied"|"derived", official_ibl = bool }
function Ctx:entity(kind, key, fields, meta)
  local parent_name = ENTITY_PARENT[kind]
  if parent_name == nil then
    refuse_fill("AXL-C22", ("entity %s: not one a fill may create (Uitkering, Pensioen, InkomensbepalingLoondienst, "
      .. "Dienstbetrekking, Verplichtingen)"):format(tostring(kind)), kind)
  end
  local hg = self.link.hypotheekgever
  local parts = { ("Hypotheekgever[%d]"):format(self.link.hg_index) }
  if parent_name then parts[#parts + 1] = parent_name .. "[1]" end
  -- Field names sorted: change and proposal lists come out the same each run.
  local names = {}
  for f in pairs(fields or {}) do names[#names + 1] = f end
  table.sort(names)
  if kind == "Dienstbetrekking" or (kind == "InkomensbepalingLoondienst" and not (meta and meta.official_ibl)) then
    local where = path_of(parts) .. "/" .. kind
    for _, f in ipairs(names) do
      self:_propose(where .. "/" .. f, fields[f], meta, kind == "Dienstbetrekking"
        and "never filled automatically" or "IBL only from an official, signed IBL result")
    end
    return
  end
  local parent = hg
  if parent_name then parent = (hg[parent_name] or {})[1] or {} end
  local list = parent[kind] or {}
  local target
  -- An empty key asks for a new entity (a format may add several); a key
  -- finds its entity under any Inkomsten, not only the first.
  if next(key or {}) ~= nil then
    local parents = parent_name and hg[parent_name] or { hg }
    for pi, p in ipairs(parents or {}) do
      for _, e in ipairs(p[kind] or {}) do
        local same = true
        for k, v in pairs(key) do
          if e[k] ~= v then same = false end
        end
        if same then
          target, parent, list = e, p, p[kind]
          if parent_name then parts[#parts] = ("%s[%d]"):format(parent_name, pi) end
          break
        end
      end
      if target then break end
    end
  end
  local fresh = target == nil
  if fresh then target = {} end
  local index = fresh and #list + 1 or index_of(list, target)
  parts[#parts + 1] = ("%s[%d]"):format(kind, index)
  local before = #self.result.changes
  local keys = {}
  for k in pairs(key or {}) do keys[#keys + 1] = k end
  table.sort(keys)
  if fresh then
    for _, k in ipairs(keys) do self:_put(target, parts, k, key[k], meta) end
  end
  for _, f in ipairs(names) do self:_put(target, parts, f, fields[f], meta) end
  -- A new entity is attached only when something beyond its key was written.
  if fresh and #self.result.changes > before + #keys then
    list[#list + 1] = target
    parent[kind] = list
    if parent_name and not (hg[parent_name] and hg[parent_name][1]) then
      hg[parent_name] = hg[parent_name] or {}
      hg[parent_name][1] = parent
    end
  elseif fresh then
    for i = #self.result.changes, before + 1, -1 do table.remove(self.result.changes, i) end
  end
end

-- {======================================================================
-- fill
-- =======================================================================

--- Runs the delivery's format's fill for every linked, verified person.
-- @param t the message's tables (from msg:totable()); changed in place
-- @param delivery a delivery read by axlink.cdl.read
-- @param opts overwrite, household, pension_basis, today, format, codes...
-- @return { changes, proposals, conflicts, skipped }, or nil, message, info
function M.fill(t, delivery, opts, registry)
  opts = opts or {}
  if type(t) ~= "table" then error("bad argument #1 to 'fill' (table expected)", 2) end
  local ok, msg, info = registry.validate(delivery)
  if not ok then return nil, msg, info end
  local format = registry.get(opts.format or delivery.format or "")
  if not format then
    return nil, "AXL-C13 no format named " .. tostring(opts.format or delivery.format), { code = "AXL-C13" }
  end
  if not format.fill then
    return nil, ("AXL-C19 format %s cannot fill"):format(format.name), { code = "AXL-C19" }
  end
  local result = { changes = {}, proposals = {}, conflicts = {}, skipped = {} }
  for _, link in ipairs(M.linked(t, delivery)) do
    local person = delivery.persons[link.person]
    if link.grade ~= "verified" then
      result.skipped[#result.skipped + 1] = { person = link.person, grade = link.grade,
        reason = "not verified against the PartijNAWData: nothing filled" }
    else
      local ctx = setmetatable({ link = link, opts = opts, result = result }, Ctx)
      local done, err = pcall(format.fill, ctx, person, delivery, opts)
      if not done and getmetatable(err) == Refusal then
        return nil, ("%s format %s: %s"):format(err.code, format.name, err.text),
          { code = err.code, format = format.name, field = err.field }
      elseif not done then
        return nil, ("AXL-C12 format %s: fill raised: %s"):format(format.name, tostring(err)),
          { code = "AXL-C12", format = format.name }
      end
    end
  end
  return result
end

-- {======================================================================
-- Provenance sidecar
-- =======================================================================

local function json_string(s)
  return '"' .. tostring(s):gsub('[%c"\\]', function(c)
    local map = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }
    return map[c] or ("\\u%04x"):format(c:byte())
  end) .. '"'
end

--- The change list as JSON, keys in a fixed order (byte-identical runs).
function M.provenance(result, fields)
  fields = fields or { "path", "source", "source_date", "kind", "old", "new" }
  local rows = {}
  for _, c in ipairs(result.changes) do
    local parts = {}
    for _, f in ipairs(fields) do
      if c[f] ~= nil then parts[#parts + 1] = json_string(f) .. ":" .. json_string(c[f]) end
    end
    rows[#rows + 1] = "{" .. table.concat(parts, ",") .. "}"
  end
  return '{"changes":[' .. table.concat(rows, ",\n") .. "]}\n"
end

return M
