--- A new requestVersion and the lender's identity check (DESIGN 10.4).
--
-- carry copies the links of an earlier version of an application onto the
-- Hypotheekgevers of a new one; links_diff says what changed between two
-- versions; verify_identity compares a BRP answer's identity facts with the
-- linked applicant. Persons are matched by the grading of DESIGN 4.2
-- (axlink.core's grade) against their PartijNAWData, never by position or
-- Volgnummer: a new version may renumber and reorder its applicants.
-- @module axlink.carry

local core = require "axlink.core"
local cdl = require "axlink.cdl"

local M = {}

-- The AX elements this file reads, by role: names from the AX profile
-- (DESIGN 7.3), never spelled here.
local P = require("axlink.profile").default()
local N, PARTY = P.names, P.mapping.party
-- Dataleverancier fields the host set (DESIGN 4.2's opts.fields), carried along.
local DL_FIELDS = { N.requester_ref, N.request_version, N.receiver_name }

local function refuse(name, code, text, extra)
  local info = { code = code }
  for k, v in pairs(extra or {}) do info[k] = v end
  return nil, ("%s: %s %s"):format(name, code, text), info
end

local function text(v)
  if type(v) == "table" then v = v[1] end
  if type(v) == "string" and v ~= "" then return v end
end

local list = require("axlink.values").list

local function name_of(msg)
  return msg:_name() or "input"
end

-- Volgnummer (as the string in the XML) -> PartijNAWData table, for each
-- Hypotheekgever in document order.
local function applicants(t)
  local partij = {}
  for _, p in ipairs(list(t[N.party])) do
    if type(p) == "table" and p.ID then partij[p.ID] = p end
  end
  local out = {}
  for _, hg in ipairs(list(t[N.applicant])) do
    local ref = type(hg[N.party_ref]) == "table" and hg[N.party_ref].IDREF
    out[#out + 1] = { volgnummer = hg.Volgnummer, partij = ref and partij[ref] or nil }
  end
  return out
end

local function partij_of(apps, vn)
  for _, a in ipairs(apps) do
    if a.volgnummer == tostring(vn) then return a.partij end
  end
end

-- A PartijNAWData as a delivery person, for grading another one against it.
local function as_person(p)
  if type(p) ~= "table" then return {} end
  return { birth_date = text(p[PARTY.birth_date]), initials = text(p[PARTY.initials]),
    surname = text(p[PARTY.surname]), prefix = text(p[PARTY.prefix]) }
end

local function grade(person, partij)
  if type(partij) ~= "table" then return "unverifiable" end
  return core.grade(person, partij)
end

local function vn_value(v)
  return math.tointeger(tonumber(v)) or v
end

-- {======================================================================
-- carry
-- =======================================================================

-- old Hypotheekgever Volgnummer -> new one, by grading; or a refusal.
local function match_applicants(old_apps, new_apps, wanted, opts, name)
  local map, grades, taken = {}, {}, {}
  for _, vn in ipairs(wanted) do
    local person = as_person(partij_of(old_apps, vn))
    local explicit = opts.match and (opts.match[vn] or opts.match[tostring(vn)])
    local candidates = {}
    for _, a in ipairs(new_apps) do
      local g = grade(person, a.partij)
      grades[#grades + 1] = { old = vn, new = vn_value(a.volgnummer), grade = g }
      if explicit == nil and g == "verified" then candidates[#candidates + 1] = vn_value(a.volgnummer) end
    end
    local target
    if explicit ~= nil then
      local exists = false
      for _, a in ipairs(new_apps) do
        if a.volgnummer == tostring(explicit) then exists = true end
      end
      if not exists then
        return refuse(name, "AXL-L01", ("opts.match names Hypotheekgever %s, which the new message does not have")
          :format(tostring(explicit)), { hypotheekgever = explicit })
      end
      target = vn_value(explicit)
    elseif #candidates == 1 then
      target = candidates[1]
    else
      return refuse(name, "AXL-L30", ("Hypotheekgever %s of the old message matches %s in the new one; "
        .. "name it in opts.match (old Volgnummer = new Volgnummer)"):format(tostring(vn),
        #candidates == 0 and "no verified Hypotheekgever" or "several verified Hypotheekgevers"),
        { hypotheekgever = vn, grades = grades })
    end
    if taken[tostring(target)] then
      return refuse(name, "AXL-L31", ("Hypotheekgevers %s and %s of the old message resolve to one in the new one")
        :format(tostring(taken[tostring(target)]), tostring(vn)), { hypotheekgever = vn, grades = grades })
    end
    taken[tostring(target)] = vn
    map[tostring(vn)] = target
  end
  return map, grades
end

-- The Dataleverancier fields to carry for a reference, from the old tables.
local function dl_fields(old_t, ref)
  for _, d in ipairs(list(old_t[N.supplier])) do
    if type(d) == "table" and d.ID == ref then
      local f = {}
      for _, k in ipairs(DL_FIELDS) do f[k] = text(d[k]) end
      return next(f) and f or nil
    end
  end
end

--- Copies the links of `old` onto the Hypotheekgevers of `new` (DESIGN
-- 10.4). Each old Hypotheekgever that has links is graded against every new
-- one; exactly one `verified` match carries its links, else the whole
-- carry is refused. `opts.match = { [old Volgnummer] = new Volgnummer }`
-- names a match (still checked on the birth date by link). All or nothing.
-- @param new the new version (changed only on success)
-- @param old the earlier version (read only)
-- @param opts table or nil: match, today
-- @return { links, matches = { { old, new } }, grades, warnings }, or nil, message, info
function M.carry(new, old, opts)
  opts = opts or {}
  if type(opts) ~= "table" then error("bad argument #2 to 'carry' (table or nil expected)", 2) end
  local name = name_of(new)
  for _, m in ipairs { new, old } do
    if m:root() ~= N.root then
      return refuse(name_of(m), "AXL-L32", ("not an AX OfferteAanvraag: root is %s"):format(m:root()))
    end
  end
  local old_links = old:links()
  local wanted, seen = {}, {}
  for _, l in ipairs(old_links) do
    if #(l.missing or {}) > 0 or not l.persoons_id or not l.dataleverancier_id then
      return refuse(name_of(old), "AXL-L33", ("the link of Hypotheekgever %s misses its %s: it cannot be carried")
        :format(tostring(l.hypotheekgever), table.concat(l.missing or { "key" }, ", ")),
        { hypotheekgever = l.hypotheekgever, missing = l.missing })
    end
    if not seen[l.hypotheekgever] then
      seen[l.hypotheekgever] = true
      wanted[#wanted + 1] = l.hypotheekgever
    end
  end
  if #old_links == 0 then return { links = {}, matches = {}, grades = {}, warnings = {} } end

  local old_t, new_t = old:totable(), new:totable()
  local old_apps, new_apps = applicants(old_t), applicants(new_t)
  local map, grades, why = match_applicants(old_apps, new_apps, wanted, opts, name)
  if not map then return nil, grades, why end

  -- One delivery per data file (DataleverancierID), one person per link.
  local deliveries, by_id = {}, {}
  for _, l in ipairs(old_links) do
    local d = by_id[l.dataleverancier_id]
    if not d then
      d = { delivery = { id = l.dataleverancier_id, persons = {} }, match = {}, fields = dl_fields(old_t, l.ref) }
      by_id[l.dataleverancier_id] = d
      deliveries[#deliveries + 1] = d
    end
    local target = map[tostring(l.hypotheekgever)]
    if d.match[l.persoons_id] ~= nil then
      if d.match[l.persoons_id] ~= target then
        return refuse(name_of(old), "AXL-L33", ("a PersoonsID is linked under two Hypotheekgevers (%s): "
          .. "it cannot be carried"):format(tostring(l.hypotheekgever)), { hypotheekgever = l.hypotheekgever })
      end
    else
      local p = as_person(partij_of(old_apps, l.hypotheekgever))
      p.id = l.persoons_id
      d.delivery.persons[#d.delivery.persons + 1] = p
      d.match[l.persoons_id] = target
    end
  end

  local work = new:clone()
  local result = { links = {}, matches = {}, grades = grades, warnings = {} }
  for _, d in ipairs(deliveries) do
    local r, err, info = work:link(d.delivery, { match = d.match, fields = d.fields, today = opts.today })
    if not r then
      work:close()
      return nil, err, info
    end
    for _, l in ipairs(r.links or {}) do result.links[#result.links + 1] = l end
    for _, w in ipairs(r.warnings or {}) do result.warnings[#result.warnings + 1] = w end
  end
  new:_adopt(work)
  for _, vn in ipairs(wanted) do
    result.matches[#result.matches + 1] = { old = vn, new = map[tostring(vn)] }
  end
  return result
end

-- {======================================================================
-- links_diff
-- =======================================================================

--- The links that differ between two versions: `added` (only in new),
-- `removed` (only in old), `changed` (in both, but the person it sits on in
-- new does not grade `verified` against the one in old: it moved). A link is
-- identified by PersoonsID and DataleverancierID.
-- @return { added, removed, changed }, or nil, message, info
function M.links_diff(old, new)
  for _, m in ipairs { old, new } do
    if m:root() ~= N.root then
      return refuse(name_of(m), "AXL-L32", ("not an AX OfferteAanvraag: root is %s"):format(m:root()))
    end
  end
  local function keyed(msg)
    local out, order = {}, {}
    for _, l in ipairs(msg:links()) do
      if l.persoons_id and l.dataleverancier_id then
        local k = l.persoons_id .. "\0" .. l.dataleverancier_id
        if not out[k] then
          out[k] = l
          order[#order + 1] = k
        end
      end
    end
    return out, order
  end
  local old_l, old_order = keyed(old)
  local new_l, new_order = keyed(new)
  local old_apps, new_apps = applicants(old:totable()), applicants(new:totable())
  local diff = { added = {}, removed = {}, changed = {} }
  for _, k in ipairs(new_order) do
    local l = new_l[k]
    local o = old_l[k]
    if not o then
      diff.added[#diff.added + 1] = { persoons_id = l.persoons_id, dataleverancier_id = l.dataleverancier_id,
        hypotheekgever = l.hypotheekgever }
    else
      local g = grade(as_person(partij_of(old_apps, o.hypotheekgever)), partij_of(new_apps, l.hypotheekgever))
      if g ~= "verified" then
        diff.changed[#diff.changed + 1] = { persoons_id = l.persoons_id, dataleverancier_id = l.dataleverancier_id,
          old_hypotheekgever = o.hypotheekgever, new_hypotheekgever = l.hypotheekgever, grade = g }
      end
    end
  end
  for _, k in ipairs(old_order) do
    if not new_l[k] then
      local l = old_l[k]
      diff.removed[#diff.removed + 1] = { persoons_id = l.persoons_id, dataleverancier_id = l.dataleverancier_id,
        hypotheekgever = l.hypotheekgever }
    end
  end
  return diff
end

-- {======================================================================
-- verify_identity
-- =======================================================================

-- Lower case, Latin-1 letters folded to ASCII, separators removed: enough
-- to say "same" or "differs" for one field. (The grade does the full
-- comparison of DESIGN 4.2; this only says which field differs.)
local FOLD = {}
do
  local from = { "àáâãäå", "ç", "èéêë", "ìíîï", "ñ", "òóôõöø", "ùúûü", "ýÿ", "ÀÁÂÃÄÅ", "Ç", "ÈÉÊË", "ÌÍÎÏ", "Ñ",
    "ÒÓÔÕÖØ", "ÙÚÛÜ", "Ý" }
  local to = { "a", "c", "e", "i", "n", "o", "u", "y", "a", "c", "e", "i", "n", "o", "u", "y" }
  for i, s in ipairs(from) do
    for _, c in utf8.codes(s) do FOLD[utf8.char(c)] = to[i] end
  end
  FOLD["ß"], FOLD["æ"], FOLD["Æ"] = "ss", "ae", "ae"
end

local function fold(s)
  return (s:gsub("[\xC0-\xDF][\x80-\xBF]", FOLD):lower():gsub("[%s%-'%.]", ""))
end

-- The comparison per field; `ax` is the PartijNAWData field.
local FIELDS = {
  { field = "surname", ax = PARTY.surname, same = function(a, b) return fold(a) == fold(b) end },
  { field = "prefix", ax = PARTY.prefix, same = function(a, b) return fold(a) == fold(b) end },
  { field = "initials", ax = PARTY.initials, same = function(a, b)
    return fold(a):gsub("%A", "") == fold(b):gsub("%A", "") end },
  { field = "first_names", ax = PARTY.first_names, same = function(a, b) return fold(a) == fold(b) end },
  { field = "birth_date", ax = PARTY.birth_date, same = function(a, b)
    -- A BRP date may be partial ("1958-00-00"): its known parts must agree.
    local c = a:sub(1, 10)
    for _, r in ipairs { { 1, 4 }, { 6, 7 }, { 9, 10 } } do
      local x, y = c:sub(r[1], r[2]), b:sub(r[1], r[2])
      if not x:match("^0+$") and x ~= y then return false end
    end
    return #c == 10 and #b == 10
  end },
  { field = "birth_place", ax = PARTY.birth_place, same = function(a, b) return fold(a) == fold(b) end },
  -- Facts use ISO 3166 alpha-2; the AX has HDN's "NL Nederland".
  { field = "birth_country", ax = PARTY.birth_country, same = function(a, b)
    return a:upper() == (b:match("^(%S+)") or ""):upper() end },
  { field = "nationalities", ax = PARTY.nationality, same = function(a, b)
    local code = (b:match("^(%S+)") or ""):upper()
    for _, n in ipairs(a) do if type(n) == "string" and n:upper() == code then return true end end
    return false
  end },
}

local function identity_of(person)
  local id = type(person.facts) == "table" and type(person.facts.identity) == "table" and person.facts.identity or {}
  local out = {}
  for _, f in ipairs(FIELDS) do
    local v = id[f.field]
    if v == nil and person[f.field] ~= nil then v = person[f.field] end   -- today's formats: on the person
    out[f.field] = v
  end
  return out
end

--- Compares the identity facts of a received answer (a delivery, any
-- format) with the applicants its persons are linked to in `msg`: per link
-- of a delivery person (PersoonsID and DataleverancierID both equal), the
-- grade of DESIGN 4.2 and each field's result. Values only with
-- `opts.show_values` (`ax` and `cdl` on each field).
-- @return { { hypotheekgever, persoons_id, grade, fields = { { field,
--   result = "same"|"differs"|"absent" } } } }, or nil, message, info
function M.verify_identity(msg, delivery, opts)
  opts = opts or {}
  local name = name_of(msg)
  if msg:root() ~= N.root then
    return refuse(name, "AXL-L32", ("not an AX OfferteAanvraag: root is %s"):format(msg:root()))
  end
  local ok, err, info = cdl.validate(delivery)
  if not ok then return nil, err, info end
  local persons = {}
  for _, p in ipairs(delivery.persons) do
    if p.id then persons[p.id] = p end
  end
  local apps = applicants(msg:totable())
  local out = {}
  for _, l in ipairs(msg:links()) do
    local person = l.persoons_id and persons[l.persoons_id]
    if person and l.dataleverancier_id == delivery.id then
      local partij = partij_of(apps, l.hypotheekgever)
      local id = identity_of(person)
      local entry = { hypotheekgever = l.hypotheekgever, persoons_id = l.persoons_id,
        grade = grade({ birth_date = id.birth_date, initials = id.initials, surname = id.surname,
          prefix = id.prefix }, partij or false), fields = {} }
      for _, f in ipairs(FIELDS) do
        local a = type(partij) == "table" and text(partij[f.ax]) or nil
        local c = id[f.field]
        if type(c) == "table" and #c == 0 then c = nil end
        if c ~= nil and type(c) ~= "string" and type(c) ~= "table" then c = nil end
        local result = "absent"
        if a and c and c ~= "" then
          local good, same = pcall(f.same, c, a)
          result = (good and same) and "same" or "differs"
        end
        local row = { field = f.field, result = result }
        if opts.show_values then row.ax, row.cdl = a, c end
        entry.fields[#entry.fields + 1] = row
      end
      out[#out + 1] = entry
    end
  end
  if #out == 0 then
    return refuse(name, "AXL-L34", "no person of the answer is linked in this message "
      .. "(PersoonsID and DataleverancierID compared)")
  end
  return out
end

return M
