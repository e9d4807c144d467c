--- Answers to BronAanvraagBerichten and their status (DESIGN 10.2): what
-- one received message says, and a ledger per (PersoonsID,
-- DataleverancierID, product) of what was asked and what came back.
--
-- Public (HDN's platform client tests, BronBerichtTest.java and
-- DesktoptaxatieBerichtCalcasaTest.java): a ValidatieMelding with
-- SysteemMelding/MeldingSoort "02 Server of dienst niet bereikbaar" (and a
-- MeldingToelichting), or "99 Specifieke melding" with MeldingSpecifiek
-- "Consent for consumer data has expired"; an answer with SysteemMelding/
-- MeldingSoort "01 Verzoek is met succes verwerkt" and Bron/{BronNaam,
-- SoortProduct}. On the platform an answer carries no PersoonsID: it is
-- matched to its request by the record's parentRecord, which is the
-- request record's resourceUuid.
-- @module axlink.brondata

local cjson = require "cjson.safe"
local core = require "axlink.core"
local platform = require "axlink.platform"
local bronaanvraag = require "axlink.bronaanvraag"

local M = {}

-- The request's elements an answer repeats, by role: names from the AX
-- profile (DESIGN 7.3), never spelled here. The answer's own elements
-- (SysteemMelding, Bron) are not the profile's.
local N = require("axlink.profile").default().names

local CONSENT_EXPIRED = "Consent for consumer data has expired"

local function refuse(name, code, text, extra)
  local info = { code = code }
  for k, v in pairs(extra or {}) do info[k] = v end
  return nil, ("%s: %s %s"):format(name or "ledger", code, text), info
end

local function first(v)
  if type(v) == "table" and v[1] ~= nil and type(v[1]) == "table" then return v[1] end
  return v
end

local function text(v)
  if type(v) == "table" then v = v[1] end
  if type(v) == "string" and v ~= "" then return v end
end

-- "99 Specifieke melding" -> "99", "Specifieke melding"
local function split_code(s)
  if not s then return nil end
  local code, rest = s:match("^(%S+)%s*(.*)$")
  return code, rest ~= "" and rest or nil
end

local function trim(s)
  return s and (s:gsub("^%s+", ""):gsub("%s+$", ""))
end

-- The product's code, from the answer's root when it names none (the
-- product table's `answer` column).
local function product_of_root(root)
  for code, row in pairs(bronaanvraag.PRODUCTS) do
    if row.answer == root then return code end
  end
end

-- The one PersoonsID an answer holds, when it holds exactly one (an answer
-- read from the platform holds none; the modelled ones hold one per person).
local function persoons_id_of(t)
  local found
  for _, holder in ipairs { first(t.Bron), first(t[N.product]) } do
    if type(holder) == "table" then
      for _, entries in pairs(holder) do
        if type(entries) == "table" then
          for _, e in ipairs(entries[1] and entries or { entries }) do
            local id = type(e) == "table" and text(e[N.person_key])
            if id then
              if found and found ~= id then return nil end
              found = id
            end
          end
        end
      end
    end
  end
  return found
end

--- Classifies one received message.
-- @param msg_or_path a Message, or the path of a file to read
-- @param opts table or nil: passed to axlink.read for a path (limits, name)
-- @return { kind = "answer"|"validatiemelding", status =
--   "received"|"consent_expired"|"unreachable"|"other", melding = { soort,
--   text, toelichting } | nil, product, persoons_id }, or nil, message, info
function M.status(msg_or_path, opts)
  local msg = msg_or_path
  if type(msg_or_path) == "string" then
    local err, info
    msg, err, info = core.read(msg_or_path, opts)
    if not msg then return nil, err, info end
  elseif type(msg_or_path) ~= "userdata" then
    error(("bad argument #1 to 'status' (Message or path expected, got %s)"):format(type(msg_or_path)), 2)
  end
  local root = msg:root()
  local name = (opts and opts.name) or msg:_name() or "input"
  local t = msg:totable()
  local sm = first(t.SysteemMelding)
  local soort_text = type(sm) == "table" and text(sm.MeldingSoort) or nil
  local soort, omschrijving = split_code(soort_text)
  local melding
  if soort then
    local specifiek = text(sm.MeldingSpecifiek)
    melding = { soort = soort, text = specifiek or omschrijving, toelichting = text(sm.MeldingToelichting) }
  end
  if root == "ValidatieMelding" then
    local status = "other"
    if soort == "02" then
      status = "unreachable"
    elseif soort == "99" and trim(melding.text) == CONSENT_EXPIRED then
      status = "consent_expired"
    end
    return { kind = "validatiemelding", status = status, melding = melding }
  end
  local bron = first(t.Bron)
  if soort == "01" or type(bron) == "table" then
    local externe = first(t[N.external_source])
    local product = (type(bron) == "table" and text(bron[N.product_kind]))
      or (type(externe) == "table" and text(externe[N.product_kind])) or product_of_root(root)
    return { kind = "answer", status = "received", melding = melding, product = product,
      persoons_id = persoons_id_of(t) }
  end
  return refuse(name, "AXL-E20", ("not an answer or a ValidatieMelding: root is %s%s"):format(root,
    soort and (", MeldingSoort " .. soort) or ""), { root = root })
end

-- {======================================================================
-- The ledger
-- =======================================================================

local STATES = { requested = true, received = true, consent_expired = true, unreachable = true, refused = true }
local FROM_STATUS = { received = "received", consent_expired = "consent_expired", unreachable = "unreachable",
  other = "refused" }
local MAX_LEDGER_BYTES = 64 * 1024 * 1024

local Ledger = {}
Ledger.__index = Ledger

local function key_of(p, d, product)
  return p .. "\0" .. d .. "\0" .. product
end

local function check_at(at, name)
  if at == nil then return os.date("!%Y-%m-%d") end
  if type(at) == "string" and (at:match("^%d%d%d%d%-%d%d%-%d%d$")
    or at:match("^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%d[%.%d]*Z?$")) then
    return at
  end
  return refuse(name, "AXL-E23", "the time must be an ISO date or UTC date-time (YYYY-MM-DD[Thh:mm:ssZ])")
end

local function copy_row(r)
  local c = {}
  for k, v in pairs(r) do
    if type(v) == "table" then
      local l = {}
      for i, x in ipairs(v) do l[i] = x end
      c[k] = l
    else
      c[k] = v
    end
  end
  return c
end

local function write_atomic(path, bytes)
  if core._write_file then return core._write_file(path, bytes) end
  -- Without the binding's writer: a temporary file beside the target, then
  -- rename (atomic on one file system; no fsync from plain Lua).
  local tmp = ("%s.tmp%d"):format(path, math.random(1, 1 << 30))
  local f, err = io.open(tmp, "wb")
  if not f then return nil, err end
  local ok, werr = f:write(bytes)
  local cok = f:close()
  if not ok or not cok then
    os.remove(tmp)
    return nil, werr or "write failed"
  end
  local rok, rerr = os.rename(tmp, path)
  if not rok then
    os.remove(tmp)
    return nil, rerr
  end
  return true
end

local function validate_rows(doc, name)
  if type(doc) ~= "table" or doc.version ~= 1 or type(doc.rows) ~= "table" then
    return refuse(name, "AXL-E21", "not an axlink ledger (version 1 with rows expected)")
  end
  for i, r in ipairs(doc.rows) do
    -- lua-cjson gives every number as a float.
    if type(r) == "table" and type(r.attempts) == "number" then r.attempts = math.tointeger(r.attempts) end
    local ok = type(r) == "table" and type(r.persoons_id) == "string" and type(r.dataleverancier_id) == "string"
      and type(r.product) == "string" and STATES[r.state] and type(r.since) == "string"
      and math.type(r.attempts) == "integer" and type(r.requests or {}) == "table"
    if not ok then
      return refuse(name, "AXL-E21", ("row %d of the ledger is malformed"):format(i), { row = i })
    end
  end
  return true
end

--- Opens a ledger file; one that does not exist yet is an empty ledger,
-- written at its first change.
-- @param path the JSON file
-- @return a ledger, or nil, message, info
function M.ledger(path)
  if type(path) ~= "string" then
    error(("bad argument #1 to 'ledger' (string expected, got %s)"):format(type(path)), 2)
  end
  local name = path:match("[^/]*$")
  local self = setmetatable({ path = path, name = name, rows_ = {}, index = {} }, Ledger)
  local f, _, errno = io.open(path, "rb")
  if not f then
    if errno == 2 then return self end   -- ENOENT: a new ledger
    return refuse(name, "AXL-E21", "the ledger cannot be read (no permission?)")
  end
  local bytes = f:read(MAX_LEDGER_BYTES + 1)
  f:close()
  if bytes == nil then return refuse(name, "AXL-E21", "the ledger cannot be read (not a regular file?)") end
  if #bytes > MAX_LEDGER_BYTES then
    return refuse(name, "AXL-E21", "the ledger is over 64 MiB", { limit = "max_bytes", value = MAX_LEDGER_BYTES })
  end
  local doc = cjson.decode(bytes)
  local ok, err, info = validate_rows(doc, name)
  if not ok then return nil, err, info end
  for _, r in ipairs(doc.rows) do
    local row = copy_row(r)
    row.requests = row.requests or {}
    self.rows_[#self.rows_ + 1] = row
    self.index[key_of(row.persoons_id, row.dataleverancier_id, row.product)] = row
  end
  return self
end

function Ledger:_save(rows)
  local out = {}
  for i, r in ipairs(rows) do
    local c = copy_row(r)
    c.requests = setmetatable(c.requests or {}, cjson.array_mt)
    out[i] = c
  end
  local json = platform._encode_json({ version = 1, rows = setmetatable(out, cjson.array_mt) }) .. "\n"
  local ok, err = write_atomic(self.path, json)
  if not ok then
    -- The writer's text starts with the path, which the caller chose.
    return refuse(self.name, "AXL-E22", "the ledger cannot be written: " .. tostring(err):gsub("^.-: ", ""),
      { cause = tostring(err):match("AXL%-%u%d+") })
  end
  return true
end

-- Applies `change` to a copy of the rows, writes, and keeps the copy only
-- when the write succeeded: a failed write leaves the ledger as it was.
function Ledger:_commit(change)
  local rows, index = {}, {}
  for i, r in ipairs(self.rows_) do
    rows[i] = copy_row(r)
    index[key_of(r.persoons_id, r.dataleverancier_id, r.product)] = rows[i]
  end
  local row, err, info = change(rows, index)
  if not row then return nil, err, info end
  local ok
  ok, err, info = self:_save(rows)
  if not ok then return nil, err, info end
  self.rows_, self.index = rows, index
  return copy_row(row)
end

--- Records a request sent. `entry` is one of bronaanvragen's entries (or
-- any table with persoons_id, dataleverancier_id, product) plus
-- `resource_uuid`, the request record's uuid on the platform (or `record`,
-- the record read back), by which its answer is matched.
-- @return the row, or nil, message, info
function Ledger:requested(entry, at)
  if type(entry) ~= "table" then
    error(("bad argument #1 to 'requested' (table expected, got %s)"):format(type(entry)), 2)
  end
  local when, err, info = check_at(at, self.name)
  if not when then return nil, err, info end
  for _, k in ipairs { "persoons_id", "dataleverancier_id", "product" } do
    if type(entry[k]) ~= "string" or entry[k] == "" then
      return refuse(self.name, "AXL-E24", ("the entry needs %s"):format(k), { field = k })
    end
  end
  local uuid = entry.resource_uuid or (type(entry.record) == "table" and entry.record.resourceUuid) or nil
  if uuid ~= nil and (type(uuid) ~= "string" or uuid == "") then
    return refuse(self.name, "AXL-E24", "the entry's resource_uuid must be a string", { field = "resource_uuid" })
  end
  return self:_commit(function(rows, index)
    local k = key_of(entry.persoons_id, entry.dataleverancier_id, entry.product)
    local row = index[k]
    if not row then
      row = { persoons_id = entry.persoons_id, dataleverancier_id = entry.dataleverancier_id,
        product = entry.product, attempts = 0, requests = {} }
      rows[#rows + 1] = row
      index[k] = row
    end
    row.state, row.since, row.attempts = "requested", when, row.attempts + 1
    row.melding = nil
    if uuid then row.requests[#row.requests + 1] = uuid end
    return row
  end)
end

-- The status and request uuid behind what `received` was given: a record
-- (JSON text or unwrap's table), or a status from brondata.status with
-- `parent_record` set, or an entry with the three keys and a status.
local function answer_of(x)
  if type(x) == "string" then
    local bytes, record, info = platform.unwrap(x)
    if not bytes then return nil, record, info end
    x = record
  end
  if type(x) ~= "table" then return nil end
  if type(x.message) == "table" and type(x.message.data) == "string" then
    local rec = x
    local rs = type(rec.status) == "table" and rec.status.value
    if rs == "rejected" then
      return { status = "refused", parent = rec.parentRecord, platform_status = rs }
    end
    local bytes, bad = platform.base64_decode(rec.message.data)
    if not bytes then
      return nil, "message.data is not strict base64", { code = "AXL-E05", offset = bad }
    end
    local msg, err, info = core.parse(bytes, { name = "record" })
    if not msg then return nil, err, info end
    local st
    st, err, info = M.status(msg)
    msg:close()
    if not st then return nil, err, info end
    return { status = FROM_STATUS[st.status], parent = rec.parentRecord, st = st }
  end
  if x.status and FROM_STATUS[x.status] or STATES[x.status] then
    return { status = FROM_STATUS[x.status] or x.status, parent = x.parent_record or x.parentRecord, st = x }
  end
end

--- Records what came back for a request.
-- @param entry_or_status a read-back record (JSON text or unwrap's table:
--   matched by parentRecord; a record with platform status "rejected" is
--   "refused"), a status from brondata.status with `parent_record` (the
--   request record's uuid), or a table with persoons_id, dataleverancier_id,
--   product and status
-- @param at ISO date or date-time, default today (UTC)
-- @return the row, or nil, message, info
function Ledger:received(entry_or_status, at)
  local when, err, info = check_at(at, self.name)
  if not when then return nil, err, info end
  local a
  a, err, info = answer_of(entry_or_status)
  if not a then
    if err then return nil, err, info end
    return refuse(self.name, "AXL-E24", "received takes a record, a status with parent_record, or an entry")
  end
  local state = a.status
  if state == "requested" then
    return refuse(self.name, "AXL-E24", "received needs an answer's status, not \"requested\"")
  end
  return self:_commit(function(_, index)
    local row
    local e = type(entry_or_status) == "table" and entry_or_status or {}
    if type(a.parent) == "string" and a.parent ~= "" then
      for _, r in pairs(index) do
        for _, u in ipairs(r.requests) do
          if u == a.parent then row = r end
        end
      end
      if not row then
        return refuse(self.name, "AXL-E25", "no request in the ledger has the answer's parentRecord")
      end
    elseif type(e.persoons_id) == "string" and type(e.dataleverancier_id) == "string"
      and type(e.product) == "string" then
      row = index[key_of(e.persoons_id, e.dataleverancier_id, e.product)]
      if not row then return refuse(self.name, "AXL-E25", "no request in the ledger for that entry") end
    else
      return refuse(self.name, "AXL-E25", "the answer names no parentRecord and no entry: it cannot be matched")
    end
    row.state, row.since = state, when
    local m = a.st and a.st.melding
    row.melding = (state ~= "received" and m and m.soort) or nil
    return row
  end)
end

--- The ledger's rows, in the order they were first requested (copies).
function Ledger:rows()
  local out = {}
  for i, r in ipairs(self.rows_) do out[i] = copy_row(r) end
  return out
end

local function day_number(iso)
  local y, m, d = iso:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)")
  if not y then return nil end
  return os.time { year = tonumber(y), month = tonumber(m), day = tonumber(d), hour = 12 } // 86400
end

--- What to do next, per row that needs something: `action = "retry"`
-- (unreachable: ask again, once `opts.retry_after_days` (default 1) have
-- passed since), "new_journey" (consent expired: the adviser asks the
-- consumer for a new CDL journey; never retried) or "review" (refused by
-- the platform or by a ValidatieMelding axlink does not know).
-- @param today ISO date, default today (UTC)
-- @param opts table or nil: retry_after_days
-- @return a list of rows with `action`, or nil, message, info
function Ledger:due(today, opts)
  local when, err, info = check_at(today, self.name)
  if not when then return nil, err, info end
  local wait = (opts and opts.retry_after_days) or 1
  local now = day_number(when)
  local out = {}
  for _, r in ipairs(self.rows_) do
    local action
    if r.state == "unreachable" then
      local since = day_number(r.since)
      if not since or now - since >= wait then action = "retry" end
    elseif r.state == "consent_expired" then
      action = "new_journey"
    elseif r.state == "refused" then
      action = "review"
    end
    if action then
      local c = copy_row(r)
      c.action = action
      out[#out + 1] = c
    end
  end
  return out
end

return M
