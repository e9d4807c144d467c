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

local Message = core.Message

--- Edits a message through its tables: totable, f(t), fromtable.
-- All or nothing: when f raises or the tables are refused, the message is
-- unchanged and the error comes back as nil, message, info.
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
  local new, msg, info = core.fromtable(t, { root = self:root() })
  if not new then return nil, msg, info end
  self:_adopt(new)
  return true
end

--- Replaces the message's content with tables (typically its own, filled by
-- axlink.cdl.fill): fromtable with the message's root and schema, all or
-- nothing. The order record of t keeps document order.
-- @param t tables, from this message's totable()
-- @return true, or nil, message, info
function Message:settable(t)
  if type(t) ~= "table" then
    error(("bad argument #1 to 'settable' (table expected, got %s)"):format(type(t)), 2)
  end
  local new, msg, info = core.fromtable(t, { root = self:root(), schema = self:schema() })
  if not new then return nil, msg, info end
  self:_adopt(new)
  return true
end

return M
