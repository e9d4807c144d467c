--- CDL formats: the registry, reading deliveries, and checking them.
-- A format is a Lua table:
--
--     {
--       name = "ockto-json", description = "...",
--       detect = function(bytes, path) -> boolean,          -- by content, cheap
--       decode = function(bytes, path, opts) -> delivery | nil, err,
--       join   = function(deliveries, opts) -> delivery | nil, err,   -- optional
--       fill   = function(ctx, person, delivery, opts),     -- optional, rare (axlink.fill)
--     }
--
-- `decode` returns the delivery of DESIGN 4.1, each person's facts on
-- `person.facts` (DESIGN 7.2); the one mapping (axlink.mapping) fills the AX
-- from them, so a format needs no fill of its own. `join` merges the deliveries of
-- several files into one (HDN brondata answers come one message per product);
-- without it a format reads one file at a time. A format that raises is
-- caught: its error becomes `nil, message, info` like any bad input.
-- No BSN ever enters a delivery: formats drop it while decoding, and `read`
-- removes any field that still looks like one before the delivery is checked.
-- @module axlink.cdl

local M = {}

local registry = {}   -- in registration order
local by_name = {}

local MAX_FILE = 64 * 1024 * 1024

-- Deliveries read (and so validated) here: fill and apply trust them, and
-- validate only one built by hand (DESIGN 7.1: validated once).
local validated = setmetatable({}, { __mode = "k" })

local function refuse(code, text, extra)
  local info = { code = code }
  for k, v in pairs(extra or {}) do info[k] = v end
  return nil, ("%s %s"):format(code, text), info
end

--- Registers a format (or replaces the one of the same name).
-- @return true, or nil, message, info for a table that is not a format
function M.register(format)
  if type(format) ~= "table" then
    error(("bad argument #1 to 'register' (table expected, got %s)"):format(type(format)), 2)
  end
  if type(format.name) ~= "string" or not format.name:match("^[%w][%w%-_%.]*$") then
    return refuse("AXL-C10", "format.name: a name of letters, digits, '-', '_' or '.' expected")
  end
  for _, f in ipairs { "detect", "decode" } do
    if type(format[f]) ~= "function" then
      return refuse("AXL-C10", ("format.%s: function expected"):format(f))
    end
  end
  for _, f in ipairs { "join", "fill" } do
    if format[f] ~= nil and type(format[f]) ~= "function" then
      return refuse("AXL-C10", ("format.%s: function expected"):format(f))
    end
  end
  if format.description ~= nil and type(format.description) ~= "string" then
    return refuse("AXL-C10", "format.description: string expected")
  end
  if by_name[format.name] then
    for i, f in ipairs(registry) do
      if f.name == format.name then registry[i] = format end
    end
  else
    registry[#registry + 1] = format
  end
  by_name[format.name] = format
  return true
end

--- The registered formats, in registration order.
-- @return { {name = ..., description = ...}, ... }
function M.formats()
  local list = {}
  for i, f in ipairs(registry) do
    list[i] = { name = f.name, description = f.description or "" }
  end
  return list
end

--- The format table registered under name, or nil.
function M.get(name)
  return by_name[name]
end

--- Loads a user's format file (a Lua file returning a format table) and
-- registers it. The file runs with the ordinary environment: it is code the
-- integrator wrote, like any module.
-- @return the format table, or nil, message, info
function M.load(path)
  if type(path) ~= "string" then
    error(("bad argument #1 to 'load' (string expected, got %s)"):format(type(path)), 2)
  end
  local chunk, err = loadfile(path)
  if not chunk then return refuse("AXL-C11", "format file cannot be loaded: " .. err) end
  local ok, format = pcall(chunk)
  if not ok then return refuse("AXL-C11", "format file raised: " .. tostring(format)) end
  local done, msg, info = M.register(format)
  if not done then return nil, msg, info end
  return format
end

-- {======================================================================
-- The delivery check (DESIGN 4.1)
-- =======================================================================

local names_bsn = require("axlink.formats.common").names_bsn
local facts = require "axlink.facts"

--- Removes every field whose name says BSN, anywhere in the delivery
-- (formats must already have dropped it; this is the safety net).
-- @return the number of fields removed
function M.scrub(x, seen)
  seen = seen or {}
  if type(x) ~= "table" or seen[x] then return 0 end
  seen[x] = true
  local removed, drop = 0, {}
  for k, v in pairs(x) do
    if type(k) == "string" and names_bsn(k) then
      drop[#drop + 1] = k
    else
      removed = removed + M.scrub(v, seen)
    end
  end
  for _, k in ipairs(drop) do x[k] = nil end
  return removed + #drop
end

local DATE = "^%d%d%d%d%-%d%d%-%d%d$"

local function check_date(v, field, partial_ok)
  if v == nil then return true end
  if type(v) ~= "string" or not (v:match(DATE) or v:match("^%d%d%d%d%-%d%d%-%d%dT")) then
    return false, field
  end
  if not partial_ok and (v:sub(6, 7) == "00" or v:sub(9, 10) == "00") then return false, field end
  return true
end

--- Checks a delivery's shape. Messages name the field, never its value.
-- @return true, or nil, message, info (AXL-C01..C04)
function M.validate(d)
  if type(d) ~= "table" then return refuse("AXL-C01", "delivery: table expected") end
  if type(d.id) ~= "string" or d.id == "" then
    return refuse("AXL-C01", "delivery.id: wrong or missing", { field = "id" })
  end
  for _, f in ipairs { "supplier", "format" } do
    if d[f] ~= nil and type(d[f]) ~= "string" then
      return refuse("AXL-C01", ("delivery.%s: wrong or missing"):format(f), { field = f })
    end
  end
  for _, f in ipairs { "collected_at", "valid_until" } do
    local ok, field = check_date(d[f], f)
    if not ok then return refuse("AXL-C01", ("delivery.%s: wrong or missing"):format(field), { field = field }) end
  end
  if d.sources ~= nil then
    if type(d.sources) ~= "table" then return refuse("AXL-C01", "delivery.sources: wrong or missing") end
    for i, s in ipairs(d.sources) do
      if type(s) ~= "string" then
        return refuse("AXL-C01", ("delivery.sources[%d]: wrong or missing"):format(i), { field = "sources" })
      end
    end
  end
  if type(d.persons) ~= "table" or #d.persons < 1 then
    return refuse("AXL-C02", "delivery.persons: wrong or missing", { field = "persons" })
  end
  local ids = {}
  for i, p in ipairs(d.persons) do
    local where = ("delivery.persons[%d]"):format(i)
    if type(p) ~= "table" then return refuse("AXL-C03", where .. ": wrong or missing", { person = i }) end
    for _, f in ipairs { "id", "role", "initials", "surname", "prefix" } do
      if p[f] ~= nil and (type(p[f]) ~= "string" or p[f] == "") then
        return refuse("AXL-C03", ("%s.%s: wrong or missing"):format(where, f), { person = i, field = f })
      end
    end
    local ok = check_date(p.birth_date, "birth_date", true)
    if not ok then
      return refuse("AXL-C03", where .. ".birth_date: wrong or missing", { person = i, field = "birth_date" })
    end
    if p.sources ~= nil and type(p.sources) ~= "table" then
      return refuse("AXL-C03", where .. ".sources: wrong or missing", { person = i, field = "sources" })
    end
    if p.facts ~= nil then
      local why = facts.check(p.facts, where .. ".facts")
      if why then return refuse("AXL-C03", why, { person = i, field = "facts" }) end
    end
    if p.data ~= nil and type(p.data) ~= "table" then
      return refuse("AXL-C03", where .. ".data: wrong or missing", { person = i, field = "data" })
    end
    if p.id then
      if ids[p.id] then
        return refuse("AXL-C04", where .. ".id: not unique in the delivery", { person = i, field = "id" })
      end
      ids[p.id] = true
    end
  end
  return true
end

-- {======================================================================
-- Reading
-- =======================================================================

-- Reads a regular file up to the cap: a FIFO, a device or /dev/zero is
-- refused before it is opened, and a file that grows is caught by the cap.
local function slurp(path)
  if not require("axlink.core")._regular_file(path) then return nil, "not a regular file" end
  local f, err = io.open(path, "rb")
  if not f then return nil, err end
  local bytes = f:read(MAX_FILE + 1)
  f:close()
  if bytes and #bytes > MAX_FILE then return nil, "file larger than 64 MiB" end
  return bytes or ""
end

local function basename(path)
  return (path:match("([^/]+)$")) or path
end

--- A format's refusal as the error triple: its own AXL code is kept (an
-- AXL-P code from the C parser too), anything else becomes AXL-C17; the file
-- name is put in front once.
function M.qualify(name, err, format)
  local msg = type(err) == "string" and err or "decode failed"
  local code = msg:match("(AXL%-%u%d+)")
  if not code then
    code = "AXL-C17"
    msg = "AXL-C17 " .. msg
  end
  if name and msg:sub(1, #name) ~= name then msg = name .. ": " .. msg end
  return msg, { code = code, file = name, format = format }
end

-- Calls a format's function, turning a raise into the error triple.
local function call(format, what, ...)
  local ok, a, b, c = pcall(format[what], ...)
  if not ok then
    return refuse("AXL-C12", ("format %s: %s raised: %s"):format(format.name, what, tostring(a)),
      { format = format.name })
  end
  return a, b, c
end

local function detect(bytes, path)
  for _, f in ipairs(registry) do
    local ok, yes = pcall(f.detect, bytes, path)
    if ok and yes then return f end
  end
  return nil
end

--- Reads a CDL delivery from a file or a list of files.
-- @param paths a path or a list of paths
-- @param opts optional: format (force a format by name), plus whatever the
--   format's decode understands (e.g. person_id for a file without keys)
-- @return delivery, or nil, message, info
function M.read(paths, opts)
  opts = opts or {}
  if type(paths) == "string" then paths = { paths } end
  if type(paths) ~= "table" or #paths == 0 then
    error("bad argument #1 to 'read' (path or list of paths expected)", 2)
  end
  if opts.format ~= nil and not by_name[opts.format] then
    return refuse("AXL-C13", ("no format named %s"):format(tostring(opts.format)))
  end
  -- Every file is detected on its own, so files of two formats in one
  -- delivery are refused (AXL-C16), not read with the first one's format.
  local deliveries, forced, format = {}, by_name[opts.format or ""], nil
  for _, path in ipairs(paths) do
    local name = basename(path)
    local bytes, err = slurp(path)
    if not bytes then return refuse("AXL-C14", name .. ": cannot read: " .. tostring(err), { file = name }) end
    local f = forced or detect(bytes, path)
    if not f then
      local tried = {}
      for i, r in ipairs(registry) do tried[i] = r.name end
      return refuse("AXL-C15", ("%s: no format recognises this file (tried: %s)")
        :format(name, table.concat(tried, ", ")), { file = name, tried = tried })
    end
    if format and f ~= format then
      return refuse("AXL-C16", ("%s: files of different formats in one delivery (%s, then %s)")
        :format(name, format.name, f.name), { file = name })
    end
    format = f
    local d, derr, dinfo = call(f, "decode", bytes, path, opts)
    if not d then
      if type(dinfo) == "table" and dinfo.code then return nil, derr, dinfo end   -- already a triple
      return nil, M.qualify(name, derr, f.name)
    end
    deliveries[#deliveries + 1] = d
  end
  local delivery = deliveries[1]
  if #deliveries > 1 then
    if not format.join then
      return refuse("AXL-C18", ("format %s reads one file at a time"):format(format.name))
    end
    local d, err, jinfo = call(format, "join", deliveries, opts)
    if not d then
      if type(jinfo) == "table" and jinfo.code then return nil, err, jinfo end
      return nil, M.qualify(nil, err, format.name)
    end
    delivery = d
  end
  M.scrub(delivery)
  delivery.format = delivery.format or format.name
  local ok, msg, info = M.validate(delivery)
  if not ok then return nil, msg, info end
  validated[delivery] = true
  return delivery
end

-- {======================================================================
-- fill, apply and provenance (axlink.fill, axlink.apply), built-in formats
-- =======================================================================

local fill = require "axlink.fill"

--- The delivery checked once, and the format that may add a fill of its
-- own (nil for none).
-- @return format|false, or nil, message, info
function M._prepare(delivery, opts)
  if not validated[delivery] then
    local ok, msg, info = M.validate(delivery)
    if not ok then return nil, msg, info end
    validated[delivery] = true
  end
  if opts.format ~= nil and not by_name[opts.format] then
    return refuse("AXL-C13", ("no format named %s"):format(tostring(opts.format)))
  end
  return by_name[opts.format or delivery.format or ""] or false
end

--- Fills the tables from a delivery's facts: see axlink.fill.
function M.fill(t, delivery, opts)
  if type(t) ~= "table" then error("bad argument #1 to 'fill' (table expected)", 2) end
  if opts ~= nil and type(opts) ~= "table" then
    error(("bad argument #3 to 'fill' (table expected, got %s)"):format(type(opts)), 2)
  end
  opts = opts or {}
  local format, msg, info = M._prepare(delivery, opts)
  if format == nil then return nil, msg, info end
  return fill.fill(t, delivery, opts, format or nil)
end

--- Links, fills and checks in one all-or-nothing step: see axlink.apply.
function M.apply(msg, delivery, opts)
  return require("axlink.apply").apply(msg, delivery, opts, M)
end

M.provenance = fill.provenance

-- Built-in formats, in detection order. One that fails to load is an
-- error here, never a format silently missing from detection.
for _, name in ipairs { "axlink.formats.ockto", "axlink.formats.iwize", "axlink.formats.hdn_brondata" } do
  assert(M.register(require(name)))
end

return M
