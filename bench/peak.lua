-- bench/peak.lua: memory to turn one AX message into Lua tables.
--
-- Usage: lua5.4 bench/peak.lua FILE   (run from the repository root)
-- The parse admits up to 1 GiB and 2^26 elements, like bench/run.lua's
-- Lua contenders, so a generated "16 MiB" input a little over is read.
--
-- Run by bench/run.lua in a child process of its own, so that nothing the
-- driver allocated before (other inputs, other contenders, malloc's free
-- lists) is in the figures. Prints "key value" lines, sizes in bytes:
--
--   input        size of FILE (the Lua string holding it is the baseline,
--                not counted in anything below)
--   heap_doc     malloc bytes in use after axlink.parse, minus the baseline:
--                libxml2's tree and axlink's message
--   heap_peak    the same after msg:totable() with both the message and the
--                tables held: the state with the most memory live
--   heap_tables  the same after msg:close() and a full collection: what a
--                caller keeps who holds only the tables
--   lua_tables   Lua's own count (collectgarbage "count") of what totable
--                added: tables and strings, without libxml2
--   rss_peak     VmHWM minus VmRSS, both from /proc/self/status: the
--                high-water mark is reset (clear_refs 5) right after the
--                input is read, so this is the most resident memory the
--                parse + totable added, transients included, page-rounded
--   mmap_counted 1 when GLIBC_TUNABLES raised malloc's mmap threshold
--
-- Why two measures: the heap figures come from mallinfo2().uordblks
-- (axlink.core._heap), which glibc keeps for its arenas only; a block malloc
-- serves by mmap (128 KiB and up, by default) is not in it. bench/run.lua
-- therefore runs this script with glibc.malloc.mmap_threshold at 32 MiB, so
-- that every block up to 32 MiB is counted. uordblks is a snapshot, not a
-- peak: glibc has no peak counter, so heap_peak is sampled at the state that
-- holds the most. rss_peak catches transients too, but counts pages, not
-- bytes, and includes memory malloc has freed and not yet given back.

package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
package.cpath = "build/?.so;" .. package.cpath

local axlink = require "axlink"
local core = require "axlink.core"

local path = arg[1]
if not path then
  io.stderr:write("usage: lua5.4 bench/peak.lua FILE\n")
  os.exit(2)
end

-- kB figure of one field of /proc/self/status, in bytes.
local function status_bytes(field)
  for line in io.lines("/proc/self/status") do
    local kb = line:match("^" .. field .. ":%s*(%d+)%s*kB")
    if kb then return tonumber(kb) * 1024 end
  end
  error("no " .. field .. " in /proc/self/status")
end

local function full_gc()
  collectgarbage()
  collectgarbage()
end

local f = assert(io.open(path, "rb"))
local xml = f:read("a")
f:close()
full_gc()

-- Reset the high-water mark to the current RSS: reading the file grew a
-- buffer that is already gone and must not count.
local reset = io.open("/proc/self/clear_refs", "w")
local hwm_reset = reset ~= nil and reset:write("5") ~= nil
if reset then reset:close() end
local rss0 = status_bytes("VmRSS")
local heap0 = core._heap()
local lua0 = collectgarbage("count") * 1024

local msg, err = axlink.parse(xml, { max_bytes = 1 << 30, max_elements = 1 << 26 })
if not msg then
  io.stderr:write("peak.lua: ", path, ": ", tostring(err), "\n")
  os.exit(1)
end
local heap_doc = core._heap() - heap0

local t = msg:totable()
full_gc()
local heap_peak = core._heap() - heap0
local lua_tables = collectgarbage("count") * 1024 - lua0
local rss_peak = status_bytes("VmHWM") - rss0

msg:close()
msg = nil  -- luacheck: ignore 311
full_gc()
local heap_tables = core._heap() - heap0
assert(type(t) == "table")

local tunables = os.getenv("GLIBC_TUNABLES") or ""
print("input", #xml)
print("heap_doc", heap_doc)
print("heap_peak", heap_peak)
print("heap_tables", heap_tables)
print("lua_tables", math.floor(lua_tables))
print("rss_peak", hwm_reset and rss_peak or -1)
print("mmap_counted", tunables:find("mmap_threshold", 1, true) and 1 or 0)
