--- File helpers the specs share.
local M = {}

--- The whole file, as bytes; a missing file fails the test.
function M.slurp(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

--- Writes bytes to path, replacing it.
function M.spit(path, content)
  local f = assert(io.open(path, "wb"))
  f:write(content)
  f:close()
  return path
end

--- A new temporary file holding content; the caller removes it.
function M.tmpfile(content)
  return M.spit(os.tmpname(), content)
end

--- A new empty temporary directory; the caller removes it.
function M.tmpdir()
  local d = os.tmpname()
  os.remove(d)
  assert(os.execute("mkdir " .. d))
  return d
end

return M
