--- AX profiles: what axlink knows about one AX version, as data
-- (DESIGN 7.3). `get(version)` gives the profile table of
-- `lua/axlink/profiles/`, newest by default; a host registers its own
-- (a lender's version, corrected code lists) with `register`. The Lua side
-- names AX elements only through a profile's `names` and `mapping`.
-- @module axlink.profile

local M = {}

-- Built-in versions, oldest first: the last is the default.
local BUILT_IN = { { "24.0", "axlink.profiles.v24_0" } }

local registered = {}

M.newest = BUILT_IN[#BUILT_IN][1]

--- Registers a profile table (replaces the one of its version).
-- @return true, or nil, message, info (AXL-C24) for a table that is no profile
function M.register(profile)
  if type(profile) ~= "table" or type(profile.version) ~= "string" then
    return nil, "AXL-C24 profile: a table with a version string expected", { code = "AXL-C24" }
  end
  for _, section in ipairs { "model", "names", "mapping", "fields", "codes", "never" } do
    if type(profile[section]) ~= "table" then
      return nil, ("AXL-C24 profile %s: section %s missing"):format(profile.version, section),
        { code = "AXL-C24", field = section }
    end
  end
  registered[profile.version] = profile
  return true
end

--- The profile of an AX version ("24.0"; nil: the newest).
-- @return the profile table, or nil, message, info (AXL-C24)
function M.get(version)
  version = version or M.newest
  if type(version) ~= "string" then
    return nil, "AXL-C24 ax_version: a version string such as \"24.0\" expected", { code = "AXL-C24" }
  end
  if registered[version] then return registered[version] end
  for _, v in ipairs(BUILT_IN) do
    if v[1] == version then
      local profile = require(v[2])
      registered[version] = profile
      return profile
    end
  end
  local seen, known = {}, {}
  for _, v in ipairs(BUILT_IN) do seen[v[1]] = true end
  for v in pairs(registered) do seen[v] = true end
  for v in pairs(seen) do known[#known + 1] = v end
  table.sort(known)
  return nil, ("AXL-C24 no AX profile for version %s (known: %s)"):format(version, table.concat(known, ", ")),
    { code = "AXL-C24" }
end

--- The profile for an HDN platform record's `schemaVersion` (DESIGN 10.3:
-- "24.0.1.1" is AX 24.0; its major and minor version choose).
-- @return the profile table, or nil, message, info (AXL-C24)
function M.for_schema_version(v)
  local version = type(v) == "string" and v:match("^(%d+%.%d+)")
  if not version then
    return nil, "AXL-C24 schemaVersion: a version such as \"24.0.1.1\" expected", { code = "AXL-C24" }
  end
  return M.get(version)
end

--- The profile a fill or apply uses (DESIGN 7.3): opts.ax_version, else the
-- platform header's opts.schema_version, else the newest.
-- @return the profile table, or nil, message, info (AXL-C24)
function M.choose(opts)
  if opts.ax_version == nil and opts.schema_version ~= nil then return M.for_schema_version(opts.schema_version) end
  return M.get(opts.ax_version)
end

--- The default profile (raises only if the built-in one is broken).
function M.default()
  return assert(M.get())
end

--- The element under the applicant that holds `entity` (nil: directly
-- under the applicant; false: the model does not place it there), read
-- from the model, so a profile change moves it.
function M.parent_of(profile, entity)
  local base = profile.names.root .. "/" .. profile.names.applicant
  local node = profile.model[base]
  for _, c in ipairs(node and node.children or {}) do
    if c[1] == entity then return nil end
  end
  for _, c in ipairs(node and node.children or {}) do
    local sub = profile.model[base .. "/" .. c[1]]
    for _, cc in ipairs(sub and sub.children or {}) do
      if cc[1] == entity then return c[1] end
    end
  end
  return false
end

--- Every element name the profile holds (its model's entities and fields,
-- the mapping's and the never-list's fields), as a set.
function M.element_names(profile)
  local names = {}
  for path, entity in pairs(profile.model) do
    for part in path:gmatch("[^/]+") do names[part] = true end
    for _, c in ipairs(entity.children) do names[c[1]] = true end
  end
  for _, section in pairs(profile.mapping) do
    for _, field in pairs(section) do names[field] = true end
  end
  for _, f in ipairs(profile.never.fields) do names[f] = true end
  return names
end

return M
