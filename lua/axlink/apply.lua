--- The adviser's one call (DESIGN 7.4): link, fill and check a message in
-- one all-or-nothing step, on the message itself. It links in place, takes
-- only the linked persons' entities as tables (their Hypotheekgever and
-- PartijNAWData), fills them through the one mapping and puts them back,
-- then checks. Every change is made inside the message's journal: on any
-- refusal, and on a rule error the step introduced, the journal is rolled
-- back and the message is byte-identical to before.
-- @module axlink.apply

local fill = require "axlink.fill"
local mapping = require "axlink.mapping"
local profiles = require "axlink.profile"

local M = {}

-- The options msg:link understands (DESIGN 4.2).
local LINK_OPTS = { "match", "force", "replace", "fields", "today", "schema" }
-- The options msg:check understands (DESIGN 5).
local CHECK_OPTS = { "mode", "schema", "today", "limits" }

local function pick(opts, names)
  local out = {}
  for _, k in ipairs(names) do out[k] = opts[k] end
  return out
end

-- Every error of a report, by code, path and message: what the message
-- already had. The message takes part because an error can grow (AXL-R02
-- "3 Dataleverancier" where it said 2): that is the step's doing too.
local function problem_key(p)
  return p.code .. "\0" .. (p.path or "") .. "\0" .. (p.message or "")
end

local function errors_of(problems)
  local set = {}
  for _, p in ipairs(problems) do
    if p.severity == nil or p.severity == "error" then set[problem_key(p)] = true end
  end
  return set
end

-- The schema the step is judged against: the caller's, else the message's.
local function schema_of(msg, opts)
  return opts.schema or msg:schema()
end

-- Rule errors, and validation problems when there is a schema.
local function judge(msg, opts)
  local report = msg:check(pick(opts, CHECK_OPTS))
  local invalid = {}
  local schema = schema_of(msg, opts)
  if schema then
    local ok, problems = msg:validate(schema)
    if not ok then invalid = problems end
  end
  return report, invalid
end

-- True when a Hypotheekgever's tables hold this link: an
-- ExterneIdentificatie with the person's key referencing the link's
-- Dataleverancier.
local function holds(hg, N, persoons_id, ref)
  local ident = hg[N.identification]
  for _, ext in ipairs(type(ident) == "table" and ident[N.external_id] or {}) do
    local r = ext[N.supplier_ref]
    local key = type(ext[N.person_key]) == "table" and ext[N.person_key][1] or ext[N.person_key]
    if key == persoons_id and type(r) == "table" and r.IDREF == ref then return true end
  end
  return false
end

-- The Hypotheekgever the link was written into, found by the link itself:
-- by its Volgnummer first (one element), else by walking them in document
-- order (a Volgnummer written "01", or one that two Hypotheekgevers share).
local function applicant_of(msg, N, path, link, persoons_id)
  local hg, index = msg:_entity(path, "Volgnummer", tostring(link.hypotheekgever))
  if hg and holds(hg, N, persoons_id, link.ref) then return hg, index end
  for i = 1, math.huge do
    hg = msg:_entity(path, i)
    if not hg then return nil end
    if holds(hg, N, persoons_id, link.ref) then return hg, i end
  end
end

-- The linked person's entities as tables: its Hypotheekgever and the
-- PartijNAWData it references.
local function entities_of(msg, profile, link, persoons_id)
  local N = profile.names
  local hg_path = N.root .. "/" .. N.applicant
  local hg, hg_index = applicant_of(msg, N, hg_path, link, persoons_id)
  if not hg then return nil end
  local entry = { hypotheekgever = hg, hg_index = hg_index, hg_path = hg_path, person = link.person }
  local ref = type(hg[N.party_ref]) == "table" and hg[N.party_ref].IDREF
  if ref then
    entry.party_path = N.root .. "/" .. N.party
    entry.partij, entry.partij_index = msg:_entity(entry.party_path, "ID", ref)
  end
  return entry
end

-- Fills every verified link; puts back what changed. Returns the fill
-- result, or nil, message, info.
local function fill_links(msg, delivery, opts, format, profile, links)
  local result = { changes = {}, proposals = {}, conflicts = {}, skipped = {} }
  local codes = mapping.codes(profile, opts)
  for _, link in ipairs(links) do
    local person = delivery.persons[link.person]
    if link.grade ~= "verified" then
      result.skipped[#result.skipped + 1] = { person = link.person, grade = link.grade,
        reason = "not verified against the PartijNAWData: nothing filled" }
    else
      local entry = entities_of(msg, profile, link, person.id)
      -- The link was just written or found: not finding it again is a bug,
      -- never a reason to fill nothing quietly.
      if not entry then error("apply: the linked Hypotheekgever cannot be found again", 0) end
      local ctx = fill.context(entry, profile, opts, result, codes)
      local ok, err, info = fill.person(ctx, person, delivery, format)
      if not ok then return nil, err, info end
      if ctx.touched.applicant then
        ok, err, info = msg:_replace(entry.hg_path, entry.hg_index, entry.hypotheekgever)
        if not ok then return nil, err, info end
      end
      if ctx.touched.party and entry.partij then
        ok, err, info = msg:_replace(entry.party_path, entry.partij_index, entry.partij)
        if not ok then return nil, err, info end
      end
    end
  end
  return result
end

-- The step itself, inside the journal. Returns the result, or nil,
-- message, info.
local function step(msg, delivery, opts, format, profile, before)
  local linked, err, info = msg:link(delivery, pick(opts, LINK_OPTS))
  if not linked then return nil, err, info end
  local result = { links = linked.links, skipped = linked.skipped, warnings = linked.warnings,
    changes = {}, proposals = {}, conflicts = {} }
  if opts.fill then
    local filled
    filled, err, info = fill_links(msg, delivery, opts, format, profile, linked.links)
    if not filled then return nil, err, info end
    result.changes, result.proposals, result.conflicts = filled.changes, filled.proposals, filled.conflicts
    for _, s in ipairs(filled.skipped) do result.skipped[#result.skipped + 1] = s end
  end
  local report, invalid = judge(msg, opts)
  result.report = report
  -- Errors the message already had are reported, not blocking, unless
  -- opts.strict; an error this step introduced refuses the step. So does a
  -- validation problem it introduced (a filled entity the schema does not
  -- allow there), as a link's own is refused (DESIGN 4.2).
  local introduced = {}
  for _, list in ipairs { report.problems, invalid } do
    for _, p in ipairs(list) do
      if (p.severity == nil or p.severity == "error") and (opts.strict or not before[problem_key(p)]) then
        introduced[#introduced + 1] = p
      end
    end
  end
  if #introduced > 0 then
    local name = msg:_name() or "input"
    return nil, ("%s: AXL-C25 %d rule or validation error(s) after link%s: %s; nothing changed")
      :format(name, #introduced, opts.fill and " and fill" or "", introduced[1].code),
      { code = "AXL-C25", report = report, problems = introduced }
  end
  return result
end

--- Links, fills (with opts.fill) and checks, all or nothing (DESIGN 7.4).
-- @param msg the Message, changed in place on success
-- @param delivery a delivery from axlink.cdl.read (or one built by hand: validated)
-- @param opts link's (match, force, replace, fields, today), fill's (fill, household, pension_basis,
--   overwrite, codes, ax_version), check's (mode, schema, limits) and strict
-- @param cdl the axlink.cdl module (its delivery check and formats)
-- @return { links, skipped, warnings, changes, proposals, conflicts, report }, or nil, message, info
--   (info.report when the check refused)
function M.apply(msg, delivery, opts, cdl)
  if opts ~= nil and type(opts) ~= "table" then
    error(("bad argument #3 to 'apply' (table expected, got %s)"):format(type(opts)), 3)
  end
  opts = opts or {}
  local format, err, info = cdl._prepare(delivery, opts)
  if format == nil then return nil, err, info end
  local profile
  profile, err, info = profiles.choose(opts)
  if not profile then return nil, err, info end
  local ok
  ok, err, info = mapping.check_options(opts, profile)
  if not ok then return nil, err, info end
  local report, invalid = judge(msg, opts)
  local before = errors_of(report.problems)
  for k in pairs(errors_of(invalid)) do before[k] = true end
  msg:_begin()
  local ran, result
  ran, result, err, info = pcall(step, msg, delivery, opts, format or nil, profile, before)
  if ran and result then
    msg:_commit()
    return result
  end
  msg:_rollback()
  if not ran then error(result, 0) end
  return nil, err, info
end

return M
