--- axlink: HDN AX messages and Consumenten Data Leverancier links.
-- The public Lua API (DESIGN 3). The C core does the XML; this file adds
-- what is easier said in Lua and keeps the one table users require.
-- @module axlink

local core = require "axlink.core"
local values = require "axlink.values"

local M = {
  _VERSION = core._VERSION,
  libxml2_version = core.libxml2_version,
  parse = core.parse,
  read = core.read,
  fromtable = core.fromtable,
  code = values.code,
  jn = values.jn,
  JN = values.JN,
  amount = values.amount,
}

M.schema = core.schema
M.cdl = require "axlink.cdl"
M.grade = core.grade

-- The lender's side and the HDN platform (DESIGN 10).
local bronaanvraag = require "axlink.bronaanvraag"
local carry = require "axlink.carry"
M.brondata = require "axlink.brondata"
M.platform = require "axlink.platform"
M.links_diff = carry.links_diff
M.verify_identity = carry.verify_identity

local Message = core.Message

--- BronAanvraagBericht messages, one per link and product (DESIGN 10.1).
Message.bronaanvragen = bronaanvraag.build

--- Copies the links of an earlier version onto this one (DESIGN 10.4).
Message.carry = carry.carry

-- Tables taken before a later change of this message (link, unlink,
-- settable, update) would silently drop that change when written back
-- (DESIGN 3.1): refused, unless the caller forces it.
local function refuse_stale(self)
  local name = self:_name() or "input"
  return nil, ("%s: AXL-T16 tables taken before a later change of this message (link, unlink or settable): "
    .. "writing them back would drop that change; take them again with totable(), or pass opts.force")
    :format(name), { code = "AXL-T16" }
end

--- Edits a message through its tables: totable, f(t), fromtable.
-- All or nothing: when f raises or the tables are refused, the message is
-- unchanged and the error comes back as nil, message, info. When f itself
-- changes the message (a link), its tables are stale: AXL-T16.
-- @param f function receiving the message's tables
-- @return true, or nil, message, info
function Message:update(f)
  if type(f) ~= "function" then
    error(("bad argument #1 to 'update' (function expected, got %s)")
      :format(type(f)), 2)
  end
  local t = self:totable()
  local ok, err = pcall(f, t)
  if not ok then
    local name = self:_name() or "input"
    return nil, ("%s: AXL-T11 update function raised: %s"):format(name, tostring(err)),
      { code = "AXL-T11" }
  end
  if self:_stale(t) then return refuse_stale(self) end
  local new, msg, info = core.fromtable(t, { root = self:root() })
  if not new then return nil, msg, info end
  self:_adopt(new, t)
  return true
end

--- Replaces the message's content with tables (typically its own, filled by
-- axlink.cdl.fill): fromtable with the message's root and schema, all or
-- nothing. The order record of t keeps document order. Tables taken
-- before a later change of this message (a link, unlink or another
-- settable) are refused with AXL-T16 unless opts.force: writing them back
-- would drop that change. Tables of another message, copies and literals
-- are accepted.
-- @param t tables, from this message's totable()
-- @param[opt] opts { force = true } writes stale tables all the same
-- @return true, or nil, message, info
function Message:settable(t, opts)
  if type(t) ~= "table" then
    error(("bad argument #1 to 'settable' (table expected, got %s)"):format(type(t)), 2)
  end
  if opts ~= nil and type(opts) ~= "table" then
    error(("bad argument #2 to 'settable' (table expected, got %s)"):format(type(opts)), 2)
  end
  if not (opts and opts.force) and self:_stale(t) then return refuse_stale(self) end
  local new, msg, info = core.fromtable(t, { root = self:root(), schema = self:schema() })
  if not new then return nil, msg, info end
  self:_adopt(new, t)
  return true
end

return M
