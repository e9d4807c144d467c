--- Filling an AX from a CDL delivery (DESIGN 7.3), with provenance.
-- The mapping (axlink.mapping) and, rarely, a format's own
-- `fill(ctx, person, delivery, opts)` say what they would write through
-- `ctx`; this module decides what is written: only for persons
-- linked to the delivery and verified, never over an existing value unless
-- `opts.overwrite`, never a placeholder, and never the fields HDN's practice
-- keeps for the adviser (they become proposals). Every change carries its
-- source and date.
-- @module axlink.fill

local core = require "axlink.core"
local mapping = require "axlink.mapping"
local values = require "axlink.values"
local profiles = require "axlink.profile"
local valid_date = require("axlink.formats.common").valid_date

local M = {}

-- Never filled automatically: at most proposed (DESIGN 7.3; the profile's
-- never list).
local function never(profile, field, value)
  for _, f in ipairs(profile.never.fields) do
    if field == f then return true end
  end
  -- "No study loan" is the adviser's statement, not a fact a CDL can prove.
  if field == profile.mapping.applicant.study_loan_inventory and type(value) == "string" and
      (value:lower():find("geen", 1, true) or value:lower():match("^%w*%s*nee")) then
    return true
  end
  for _, p in ipairs(profile.never.prefixes) do
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

local function path_of(profile, parts)
  return "/" .. profile.names.root .. "/" .. table.concat(parts, "/")
end

-- A refusal raised through a fill (what was asked for is not AX); M.fill
-- turns it into nil, message, info with its code.
local Refusal = {}

local function refuse_fill(code, text, field)
  error(setmetatable({ code = code, text = text, field = field }, Refusal), 0)
end

-- The model's path of the entity `parts` name: no indices, root first.
local function model_path(profile, parts)
  local names = { profile.names.root }
  for i, p in ipairs(parts) do names[i + 1] = p:match("^[^%[]+") end
  return table.concat(names, "/")
end

-- The type of a field: the profile's, else HDN's naming habit.
local function type_of(profile, field)
  local t = profile.fields[field]
  if t then return t end
  if field:match("Dt$") then return "date" end
  if field:match("JN$") then return "jn" end
  return "text"
end

-- What a value of each type must look like (AXL-C23); the reason, or nil.
local TYPE_CHECK = {
  date = function(v) return not valid_date(v) and "not an ISO date (YYYY-MM-DD)" or nil end,
  jn = function(v) return v ~= "J Ja" and v ~= "N Nee" and "neither \"J Ja\" nor \"N Nee\"" or nil end,
  amount = function(v) return not v:match("^%-?%d+%.%d%d$") and "not an amount with two decimals" or nil end,
  integer = function(v) return not v:match("^%d+$") and "not a whole number" or nil end,
}

-- A field written must be one the AX has there (AXL-C22), with a value of
-- its field's type (AXL-C23). Messages name the path and field, never the
-- value. Returns why a value does not fit its field, for the mapping, which
-- proposes such a value instead (DESIGN 7.3).
local function check_field(profile, parts, field, value, lenient)
  local where = path_of(profile, parts) .. "/" .. tostring(field)
  if type(field) ~= "string" or core._model_child(model_path(profile, parts), field) ~= "leaf" then
    refuse_fill("AXL-C22", where .. ": not a field the AX profile knows there", field)
  end
  local check = TYPE_CHECK[type_of(profile, field)]
  local why = check and check(value)
  if why and lenient then return why end
  if why then refuse_fill("AXL-C23", where .. ": " .. why, field) end
  return nil
end

local function index_of(list, item)
  for i, v in ipairs(list or {}) do
    if v == item then return i end
  end
end

local function idref(v)
  return type(v) == "table" and v.IDREF or nil
end

-- {======================================================================
-- Who is linked
-- =======================================================================

--- The persons of a delivery that the tables link, with their Hypotheekgever
-- and PartijNAWData tables and grades.
function M.linked(t, delivery, profile)
  profile = profile or profiles.default()
  local N = profile.names
  local dl_key = {}
  for _, d in ipairs(t[N.supplier] or {}) do
    if d.ID then dl_key[d.ID] = d[N.file_key] end
  end
  local partij = {}
  for i, p in ipairs(t[N.party] or {}) do
    if p.ID then partij[p.ID] = { table = p, index = i } end
  end
  local found = {}
  for hi, hg in ipairs(t[N.applicant] or {}) do
    local ident = hg[N.identification]
    for _, ext in ipairs(type(ident) == "table" and ident[N.external_id] or {}) do
      local ref = idref(ext[N.supplier_ref])
      for pi, person in ipairs(delivery.persons) do
        if person.id and ext[N.person_key] == person.id and ref and dl_key[ref] == delivery.id then
          local pref = idref(hg[N.party_ref])
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
-- The context the mapping and a format's fill write through
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

function Ctx:_touch(tbl)
  if tbl == self.link.hypotheekgever then self.touched.applicant = true end
  if tbl == self.link.partij then self.touched.party = true end
end

-- Writes one field of a table, or records why it did not.
function Ctx:_put(tbl, parts, field, value, meta, owner)
  local profile = self.profile
  local path = path_of(profile, parts) .. "/" .. tostring(field)
  if value ~= nil and type(value) ~= "string" then
    refuse_fill("AXL-C23", ("%s: a %s, where AX fields are strings as HDN writes them (amounts: axlink.amount)")
      :format(path, type(value)), field)
  end
  if never(profile, field, value) then return self:_propose(path, value, meta, "never filled automatically") end
  if placeholder(value) then return end
  local misfit = check_field(profile, parts, field, value, self.lenient)
  if misfit then return self:_propose(path, value, meta, "does not fit the field: " .. misfit) end
  local old = tbl[field]
  local text = type(old) == "table" and old[1] or old   -- { [1] = text, Attr = ... }: the text is the value
  if text == value then return end
  local source, date, kind = meta_of(meta)
  if text ~= nil and not self.opts.overwrite then
    self.result.conflicts[#self.result.conflicts + 1] = {
      path = path, source = source, ax_value = text, cdl_value = value,
    }
    return
  end
  if type(old) == "table" then old[1] = value else tbl[field] = value end
  self:_touch(owner or tbl)
  self.result.changes[#self.result.changes + 1] = {
    path = path, source = source, source_date = date, old = text, new = value, kind = kind,
  }
end

-- The person's table and path part for an entity name (PartijNAWData or
-- Hypotheekgever, as the profile names them).
function Ctx:_own(entity)
  local N = self.profile.names
  if entity == N.party then
    return self.link.partij, self.link.partij_index and ("%s[%d]"):format(N.party, self.link.partij_index)
  elseif entity == N.applicant then
    return self.link.hypotheekgever, ("%s[%d]"):format(N.applicant, self.link.hg_index)
  end
  error(("fill: ctx entity must be %s or %s"):format(N.party, N.applicant), 3)
end

--- Sets a field of the person's PartijNAWData or Hypotheekgever.
function Ctx:set(entity, field, value, meta)
  local tbl, part = self:_own(entity)
  if not tbl then return end   -- no PartijNAWData to write into
  return self:_put(tbl, { part }, field, value, meta)
end

--- The current value of a field of the person's PartijNAWData or
-- Hypotheekgever (read only; nil when absent).
function Ctx:get(entity, field)
  local tbl = self:_own(entity)
  local v = tbl and tbl[field]
  if type(v) == "table" then return v[1] end
  return v
end

--- Records a proposal only (the host decides).
function Ctx:propose(entity, field, value, meta, reason)
  local tbl, part = self:_own(entity)
  if not tbl then return end
  self:_propose(path_of(self.profile, { part }) .. "/" .. field, value, meta, reason or "proposed by the format")
end

--- Finds (by key) or creates a repeating entity under the Hypotheekgever
-- (where the profile's model places it: Uitkering, Pensioen,
-- InkomensbepalingLoondienst under Inkomsten; Verplichtingen directly) and
-- fills its fields.
-- @param kind the entity's element name
-- @param key fields identifying an existing entity, e.g. { SoortUitkering = "09 AOW" }
-- @param fields the values to write
-- @param meta { source =, source_date =, kind = "copied"|"derived", official_ibl = bool }
function Ctx:entity(kind, key, fields, meta)
  local profile = self.profile
  local parent_name = type(kind) == "string" and profiles.parent_of(profile, kind)
  if parent_name == false or core._model_child(model_path(profile, { profile.names.applicant,
      parent_name or nil }), kind) ~= "repeating" then
    refuse_fill("AXL-C22", ("entity %s: not a repeating entity the AX profile has under %s")
      :format(tostring(kind), profile.names.applicant), kind)
  end
  local hg = self.link.hypotheekgever
  local parts = { ("%s[%d]"):format(profile.names.applicant, self.link.hg_index) }
  if parent_name then parts[#parts + 1] = parent_name .. "[1]" end
  -- Field names sorted: change and proposal lists come out the same each run.
  local names = values.sorted_keys(fields or {})
  local ibl = profile.mapping.income_statement.entity
  if never(profile, kind) or (kind == ibl and not (meta and meta.official_ibl)) then
    local where = path_of(profile, parts) .. "/" .. kind
    for _, f in ipairs(names) do
      self:_propose(where .. "/" .. f, fields[f], meta, kind == ibl
        and "IBL only from an official, signed IBL result" or "never filled automatically")
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
          local ev = type(e[k]) == "table" and e[k][1] or e[k]
          if ev ~= v then same = false end
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
  local keys = values.sorted_keys(key or {})
  if fresh then
    for _, k in ipairs(keys) do self:_put(target, parts, k, key[k], meta, hg) end
  end
  for _, f in ipairs(names) do self:_put(target, parts, f, fields[f], meta, hg) end
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

--- A fill context over one linked person's tables.
-- @param link { person, hypotheekgever = table, hg_index, partij = table|nil, partij_index }
-- @param profile the AX profile
-- @param opts the fill options (checked)
-- @param result { changes, proposals, conflicts } the context appends to
-- @param codes the code tables for opts (mapping.codes), made once per call
function M.context(link, profile, opts, result, codes)
  return setmetatable({ link = link, profile = profile, opts = opts, result = result,
    codes = codes, touched = {} }, Ctx)
end

--- Fills one linked, verified person: the mapping for the facts, then the
-- format's own fill when it has one (what the vocabulary cannot say).
-- @return true, or nil, message, info
function M.person(ctx, person, delivery, format)
  -- The mapping's values come from checked facts: one that still does not
  -- fit its field is proposed. A format's own fill is code, and refused.
  ctx.lenient = true
  local done, err = pcall(mapping.fill_person, ctx, person, ctx.opts)
  ctx.lenient = false
  if done and format and format.fill then done, err = pcall(format.fill, ctx, person, delivery, ctx.opts) end
  if done then return true end
  local who = format and format.fill and ("format " .. format.name) or "mapping"
  if getmetatable(err) == Refusal then
    return nil, ("%s %s: %s"):format(err.code, who, err.text),
      { code = err.code, format = format and format.name, field = err.field }
  end
  return nil, ("AXL-C12 %s: fill raised: %s"):format(who, type(err) == "string" and err or "a " .. type(err)),
    { code = "AXL-C12", format = format and format.name }
end

-- {======================================================================
-- fill
-- =======================================================================

--- Fills the tables for every linked, verified person of the delivery.
-- @param t the message's tables (from msg:totable()); changed in place
-- @param delivery a delivery read by axlink.cdl.read
-- @param opts overwrite, household, pension_basis, today, codes, ax_version
-- @param format the delivery's format table, or nil
-- @return { changes, proposals, conflicts, skipped }, or nil, message, info
function M.fill(t, delivery, opts, format)
  local profile, perr, pinfo = profiles.choose(opts)
  if not profile then return nil, perr, pinfo end
  local ok, msg, info = mapping.check_options(opts, profile)
  if not ok then return nil, msg, info end
  local result = { changes = {}, proposals = {}, conflicts = {}, skipped = {} }
  local codes = mapping.codes(profile, opts)
  for _, link in ipairs(M.linked(t, delivery, profile)) do
    if link.grade ~= "verified" then
      result.skipped[#result.skipped + 1] = { person = link.person, grade = link.grade,
        reason = "not verified against the PartijNAWData: nothing filled" }
    else
      local done, err, einfo = M.person(M.context(link, profile, opts, result, codes), delivery.persons[link.person],
        delivery, format)
      if not done then return nil, err, einfo end
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
