-- bench/run.lua: `make bench`, the driver behind doc/performance.md.
--
-- Times, in one run, against bare libxml2 parse+serialise of the same
-- bytes:
--   bare libxml2   xmlReadMemory + xmlSaveDoc + free, a C program
--                  (bench/c_round_trip.c bare): the floor axlink builds on
--   C API          axl_parse + axl_serialize + free, the same C program
--                  (bench/c_round_trip.c axlink): axlink without Lua
--   serialize      axlink.parse(xml), msg:serialize(), msg:close()
--   check          axlink.parse(xml), msg:check(), msg:close()
--   link           axlink.parse(xml), msg:link(delivery), msg:serialize():
--                  one bundled CDL delivery of two persons
--   fill           parse, axlink.cdl.apply (link, fill, check: the
--                  adviser's one call), msg:serialize()
--                  (issue 14 calls it `apply`, which does not exist yet)
--   links          axlink.parse(xml), msg:links() of the linked message
--   totable        axlink.parse(xml), msg:totable(), msg:close()
--   lxp.lom        lua-expat's tree builder, lom.parse(xml)
-- on HDN's AX sample and on AX messages of about 64 KiB, 1 MiB, 16 MiB and
-- 50 MiB (the pipeline inputs, see "Inputs" below), every sample a process
-- of its own. Then, in one Lua process per input, totable against lxp.lom
-- with the tables kept alive as a script holds them (and dropped, and kept
-- with the collector stopped, to show where the difference goes); the
-- peak resident memory of `axlink check`, `axlink link` and `axlink link
-- --fill` run as the CLI runs them, beside bare libxml2 building its DOM of
-- the same file (bench/c_round_trip.c dom); the memory of a 16 MiB message
-- turned into tables (bench/peak.lua). It checks the targets of issues 2
-- and 14 and rewrites doc/performance.md.
--
-- Method (lua-cjson's tests/bench.lua, adapted): a first sample of one call
-- per contender sets how many calls make one of its samples (about
-- SAMPLE_SECONDS); then rounds, each taking one sample of every contender
-- in turn. Every sample is a process of its own (sample_child), which runs
-- the calls once untimed and once timed, a full collection before each.
-- Times are medians over the rounds; ratios between contenders are
-- medians of the per-round ratios, so that a slow spell of the machine
-- falls on both sides of a ratio. Time is CPU time of the process
-- (os.clock, user + system; the C program reports
-- CLOCK_PROCESS_CPUTIME_ID): Lua has no monotonic wall clock, and every
-- contender is single-threaded, so CPU time is its cost.
--
-- Timing runs with malloc told to keep what it frees (TUNABLES): see
-- reexec_tuned below. Memory runs with malloc at its defaults.
--
-- Run from the repository root after `make all build/bench/c_round_trip`.

package.path = "lua/?.lua;lua/?/init.lua;spec/support/?.lua;" .. package.path
package.cpath = "build/?.so;" .. package.cpath

local clock = os.clock
local format = string.format
local concat = table.concat

local SEED = 20240         -- axgen seed of the generated inputs
local INPUT_VERSION = 1    -- of the transformation below; in the file names
local SAMPLE_SECONDS = 0.1
local OUT_DIR = "build/bench"
local C_PROGRAM = OUT_DIR .. "/c_round_trip"
local DOC = "doc/performance.md"
local LUA = arg and arg[-1] or "lua5.4"
local AANVRAAG = "examples/data/aanvraag.xml"
local CDL = "examples/data/ockto-bundled.json"
local FILL_OPTS = { fill = true, household = "couple", pension_basis = "accrued" }
-- The Lua contenders parse with limits that admit 50 MiB; the CLI runs get
-- --max-bytes and --max-elements fitted to each file (cli_limits).
local PARSE_OPTS = { max_bytes = 1 << 30, max_elements = 1 << 26 }
-- How the CLI finds the modules of the checkout (as `make test` runs it).
local RUN_ENV = "LUA_PATH='lua/?.lua;lua/?/init.lua;;' LUA_CPATH='build/?.so;;'"
-- Freed memory stays in the process (no trimming; blocks up to 32 MiB from
-- the heap, not from mmap), for this process and the C program alike.
local TUNABLES = "glibc.malloc.trim_threshold=1073741824:"
                 .. "glibc.malloc.mmap_threshold=33554432"

-- Issue 2's targets (still checked).
local MAX_SERIALIZE_RATIO = 1.25   -- axlink parse+serialise / bare libxml2
local MIN_LOM_RATIO = 3            -- lxp.lom / parse+totable, per process
local MAX_MEMORY_RATIO = 10        -- 16 MiB to tables: peak bytes / input
-- Issue 14's targets.
local MAX_LINK_RATIO = 2.5         -- parse+link+serialise / bare
local MAX_CHECK_RATIO = 1.5        -- parse+check / bare
local MAX_CHECK_MEMORY = 1.15      -- axlink check peak RSS / libxml2 DOM
local MAX_LINK_MEMORY = 1.4        -- axlink link (and --fill) / libxml2 DOM
local MIN_LOM_ONE_PROCESS = 4      -- lxp.lom / totable, one process, kept
local MAX_SCALING = 1.5            -- time per byte, 50 MiB / 64 KiB

local MIB = 1024 * 1024
local INPUTS = {
  { key = "hdn", label = "HDN AX sample",
    path = "spec/fixtures/hdn/ax-24.0-sample.xml", samples = 21,
    only = { "bare", "capi", "serialize", "check", "totable", "lom" },
    one_process = 15 },
  { key = "64k", label = "AX 64 KiB", target = 64 * 1024, samples = 21,
    one_process = 15 },
  { key = "1m", label = "AX 1 MiB", target = MIB, samples = 15,
    one_process = 9, memory = true },
  { key = "16m", label = "AX 16 MiB", target = 16 * MIB, samples = 7,
    one_process = 5, memory = true },
  { key = "50m", label = "AX 50 MiB", target = 50 * MIB, samples = 5,
    memory = true },
}
local MEMORY_ROUNDS = 3

local CONTENDERS = {
  { key = "bare", label = "bare libxml2 parse+serialise" },
  { key = "capi", label = "axlink C API parse+serialise" },
  { key = "serialize", label = "axlink parse + :serialize()" },
  { key = "check", label = "axlink parse + :check()" },
  { key = "link", label = "parse + :link() + :serialize()" },
  { key = "fill", label = "parse + apply (link, fill, check) + :serialize()" },
  { key = "links", label = "axlink parse + :links()", linked = true },
  { key = "totable", label = "axlink parse + :totable()" },
  { key = "lom", label = "lxp.lom.parse" },
}

--[[
** With glibc's defaults, what a 16 MiB parse frees is in part given back
** to the kernel (heap trimming, and large blocks served and returned by
** mmap), and the next call faults it in again page by page. How much
** depends on what the previous call left behind, so on the order the
** contenders run in: on this machine a 16 MiB parse + serialise moved
** between 220 and 650 ms with the page faults alone, and a fresh C process
** paid them on every call. Telling malloc to keep its memory measures each
** contender at its steady state, as in a long-running process; the memory
** figures are taken apart, with malloc at its defaults (bench/peak.lua,
** cli_peak). The setting must be in the environment before the process
** starts, hence the re-execution.
--]]
local function reexec_tuned()
  if os.getenv("GLIBC_TUNABLES") == TUNABLES then return end
  local ok, _, code = os.execute(format("GLIBC_TUNABLES=%s %s %s", TUNABLES,
                                        LUA, concat(arg, " ", 0)))
  os.exit(ok and 0 or (code or 1))
end

reexec_tuned()

local axlink = require "axlink"
local lxp = require "lxp"
local lom = require "lxp.lom"

-- {======================================================================
-- Small helpers
-- =======================================================================

local function progress(...)
  io.stderr:write(..., "\n")
end

local function sorted(xs)
  local s = {}
  for i = 1, #xs do s[i] = xs[i] end
  table.sort(s)
  return s
end

local function median(xs)
  local s = sorted(xs)
  local n = #s
  if n % 2 == 1 then return s[(n + 1) // 2] end
  return (s[n // 2] + s[n // 2 + 1]) / 2
end

-- Interquartile range over the median, in percent: how much the samples
-- moved (nearest-rank quartiles; rough with 5 or 7 samples).
local function spread(xs)
  local s = sorted(xs)
  local n = #s
  local q1 = s[math.max(1, math.ceil(n / 4))]
  local q3 = s[math.max(1, math.ceil(3 * n / 4))]
  return (q3 - q1) / median(xs) * 100
end

local function read_file(path)
  local f = assert(io.open(path, "rb"))
  local data = f:read("a")
  f:close()
  return data
end

local function write_file(path, data)
  local f = assert(io.open(path, "wb"))
  assert(f:write(data))
  assert(f:close())
end

-- First line of a shell command's output, or nil.
local function shell_line(cmd)
  local p = io.popen(cmd .. " 2>/dev/null")
  if not p then return nil end
  local line = p:read("l")
  p:close()
  return line
end

local function size_label(n)
  if n >= 1024 * 1024 then return format("%.1f MiB", n / 1048576) end
  if n >= 1024 then return format("%.1f KiB", n / 1024) end
  return format("%d B", n)
end

local function seconds_label(s)
  if s >= 1 then return format("%.3f s", s) end
  if s >= 1e-3 then return format("%.2f ms", s * 1e3) end
  return format("%.1f us", s * 1e6)
end

local function mb_label(bytes)
  return format("%.1f MB", bytes / 1e6)
end

-- Field of /proc/self/status in bytes (kB figures).
local function status_bytes(field)
  for line in io.lines("/proc/self/status") do
    local kb = line:match("^" .. field .. ":%s*(%d+)%s*kB")
    if kb then return tonumber(kb) * 1024 end
  end
  return -1
end

-- Minor page faults of this process so far (/proc/self/stat, field 10).
local function minor_faults()
  local stat = read_file("/proc/self/stat")
  local rest = stat:match("%) (.*)$")  -- after the command name
  local fields = {}
  for w in rest:gmatch("%S+") do fields[#fields + 1] = w end
  return tonumber(fields[8]) or 0       -- field 10 counted from pid
end

local function has(input, key)
  if not input.only then return true end
  for _, k in ipairs(input.only) do
    if k == key then return true end
  end
  return false
end

-- }======================================================================

-- {======================================================================
-- Timing
-- =======================================================================

-- Calls per sample so that one sample takes about SAMPLE_SECONDS.
local function reps_for(seconds)
  if seconds >= SAMPLE_SECONDS then return 1 end
  return math.max(1, math.ceil(SAMPLE_SECONDS / math.max(seconds, 1e-6)))
end

-- Seconds per call of fn(xml) over reps calls; a full collection first,
-- outside the timing.
local function sample_lua(fn, xml, reps)
  collectgarbage()
  local start = clock()
  for _ = 1, reps do fn(xml) end
  return (clock() - start) / reps
end

local function parse(xml)
  local msg, err = axlink.parse(xml, PARSE_OPTS)
  if not msg then error("bench: parse: " .. tostring(err)) end
  return msg
end

-- Read once per process, outside the timing (link, fill).
local delivery

local lua_contenders = {
  serialize = function(xml)
    local msg = parse(xml)
    local out = msg:serialize()
    msg:close()
    return out
  end,
  check = function(xml)
    local msg = parse(xml)
    local report = msg:check()
    msg:close()
    return report
  end,
  link = function(xml)
    local msg = parse(xml)
    assert(msg:link(delivery))
    local out = msg:serialize()
    msg:close()
    return out
  end,
  fill = function(xml)
    local msg = parse(xml)
    assert(axlink.cdl.apply(msg, delivery, FILL_OPTS))
    local out = msg:serialize()
    msg:close()
    return out
  end,
  links = function(xml)
    local msg = parse(xml)
    local l = msg:links()
    msg:close()
    return l
  end,
  totable = function(xml)
    local msg = parse(xml)
    local t = msg:totable()
    msg:close()
    return t
  end,
  lom = function(xml)
    return lom.parse(xml)
  end,
}

--[[
** Every sample runs in a process of its own, the Lua contenders' like the
** C program's: one untimed iteration of reps calls warms the heap and the
** caches, then one timed iteration. In one shared process a contender paid
** for what the one before it left in malloc: after lxp.lom's millions of
** small blocks were collected, the next large allocations (a 16 MiB
** serialise's output buffer) sorted glibc's free lists first, and that
** call took 335 ms instead of 59. (`lua5.4 bench/run.lua --sample KEY FILE
** REPS` is that child.)
--]]
local function sample_child(key, path, reps)
  local cmd = format("%s %s --sample %s %s %d", LUA, arg[0], key, path, reps)
  local p = assert(io.popen(cmd))
  local line = p:read("l") or ""
  local ok = p:close()
  local t, faults = line:match("^(%S+) (%S+)$")
  t, faults = tonumber(t), tonumber(faults)
  if not ok or not t then error("bench: " .. cmd .. " failed") end
  return t, faults
end

-- Runs the C baseline in a process of its own: one warm-up iteration (a
-- fresh process has cold caches and an empty heap), then one iteration of
-- reps round trips. Returns that iteration's seconds per round trip.
local function sample_c(mode, path, reps)
  local cmd = format("%s %s %s 2 %d", C_PROGRAM, mode, path, reps)
  local p = assert(io.popen(cmd))
  local times = {}
  for line in p:lines() do times[#times + 1] = tonumber(line) end
  local ok = p:close()
  if not ok or #times ~= 2 then error("bench: " .. cmd .. " failed") end
  return times[2]
end

local function take_sample(c, input, reps)
  if c.key == "bare" then return sample_c("bare", input.path, reps), 0 end
  if c.key == "capi" then return sample_c("axlink", input.path, reps), 0 end
  return sample_child(c.key, c.linked and input.linked_path or input.path,
                      reps)
end

-- The child of sample_child: prints the timed iteration's seconds and
-- minor page faults per call.
if arg[1] == "--sample" then
  local key = arg[2]
  if key == "link" or key == "fill" then
    delivery = assert(axlink.cdl.read({ CDL }))
  end
  local fn, xml, reps = lua_contenders[key], read_file(arg[3]),
                        tonumber(arg[4])
  sample_lua(fn, xml, reps)
  local f0 = minor_faults()
  local t = sample_lua(fn, xml, reps)
  io.write(format("%.9f %.1f\n", t, (minor_faults() - f0) / reps))
  os.exit(0)
end

--[[
** Parse to tables in ONE process, as a script does it: `--one FILE ROUNDS
** TT_REPS LOM_REPS MODE` runs ROUNDS rounds of TT_REPS calls of totable and
** LOM_REPS calls of lxp.lom (the order alternating round by round), in
** one Lua process, with no collection forced between them. MODE keep
** holds every result to the end, as a script holds its tables; drop lets
** each go; stopped holds them with the collector stopped. Prints per round
** "seconds_totable seconds_lom faults_totable faults_lom" per call, then
** "rss BYTES" (VmRSS at the end).
--]]
if arg[1] == "--one" then
  local xml = read_file(arg[2])
  local rounds, mode = tonumber(arg[3]), arg[6]
  local fns = { lua_contenders.totable, lua_contenders.lom }
  local reps = { tonumber(arg[4]), tonumber(arg[5]) }
  local kept, n = {}, 0
  collectgarbage()
  if mode == "stopped" then collectgarbage("stop") end
  for r = 1, rounds do
    local t, f = {}, {}
    for _, i in ipairs(r % 2 == 1 and { 1, 2 } or { 2, 1 }) do
      local fn, k = fns[i], reps[i]
      local f0, start = minor_faults(), clock()
      for _ = 1, k do
        local v = fn(xml)
        if mode ~= "drop" then n = n + 1; kept[n] = v end
      end
      t[i] = (clock() - start) / k
      f[i] = (minor_faults() - f0) / k
    end
    io.write(format("%.9f %.9f %.1f %.1f\n", t[1], t[2], f[1], f[2]))
  end
  io.write(format("rss %d %d\n", status_bytes("VmRSS"), #kept))
  os.exit(0)
end

-- Median over the rounds of times[a][i] / times[b][i].
local function paired_ratio(times, a, b)
  local r = {}
  for i = 1, #times[a] do r[i] = times[a][i] / times[b][i] end
  return median(r)
end

-- Times every contender of an input: a first sample of one call sets its
-- calls per sample; then the timed rounds go round the contenders in turn.
local function time_input(input)
  local results, times, faults, cs = {}, {}, {}, {}
  for _, c in ipairs(CONTENDERS) do
    if has(input, c.key) then cs[#cs + 1] = c end
  end
  for _, c in ipairs(cs) do
    results[c.key] = { reps = reps_for((take_sample(c, input, 1))) }
    times[c.key], faults[c.key] = {}, {}
  end
  for i = 1, input.samples do
    for _, c in ipairs(cs) do
      times[c.key][i], faults[c.key][i] =
        take_sample(c, input, results[c.key].reps)
    end
  end
  input.ratio = {}
  for _, c in ipairs(cs) do
    local r = results[c.key]
    r.median = median(times[c.key])
    r.spread = spread(times[c.key])
    r.faults = median(faults[c.key])
    input.ratio[c.key] = paired_ratio(times, c.key, "bare")
  end
  input.ratio_lom = paired_ratio(times, "lom", "totable")
  return results
end

-- The one-process figures of an input, for each MODE of the --one child.
local ONE_MODES = {
  { key = "keep", label = "one process, tables kept" },
  { key = "drop", label = "one process, tables dropped" },
  { key = "stopped", label = "one process, kept, collector stopped" },
}

local function one_process(input, mode)
  local cmd = format("%s %s --one %s %d %d %d %s", LUA, arg[0], input.path,
                     input.one_process, input.results.totable.reps,
                     input.results.lom.reps, mode)
  local p = assert(io.popen(cmd))
  local tt, lm, ratio, ftt, flom, rss = {}, {}, {}, {}, {}, -1
  for line in p:lines() do
    local a, b, c, d = line:match("^(%S+) (%S+) (%S+) (%S+)$")
    if a then
      tt[#tt + 1], lm[#lm + 1] = tonumber(a), tonumber(b)
      ratio[#ratio + 1] = tonumber(b) / tonumber(a)
      ftt[#ftt + 1], flom[#flom + 1] = tonumber(c), tonumber(d)
    else
      rss = tonumber(line:match("^rss (%d+)")) or rss
    end
  end
  if not p:close() or #tt ~= input.one_process then
    error("bench: " .. cmd .. " failed")
  end
  return { totable = median(tt), lom = median(lm), ratio = median(ratio),
           faults_tt = median(ftt), faults_lom = median(flom), rss = rss }
end

-- }======================================================================

-- {======================================================================
-- Inputs
-- =======================================================================

--[[
** The generated inputs (64 KiB to 50 MiB) are axgen.sized's AX of the
** seed, made into an adviser's message before linking:
** - the CDL keys the generator gives a third of its households
**   (ExterneIdentificatie and their Dataleverancier entities) are taken
**   out: ketenafspraak allows 9 Dataleverancier in a message, and `axlink
**   link` writes nothing when check finds an error after the link;
** - the two applicants of examples/data/aanvraag.xml (their Hypotheekgever
**   and PartijNAWData, Volgnummers moved to 900000 + n so that none is
**   used twice) go before the generated ones, so that
**   examples/data/ockto-bundled.json links to them as it does to
**   aanvraag.xml.
** The keys are about 4% of the bytes: the generator is asked once more
** for that much more, so the input is about the size named. Generation
** (about 2 s for 50 MiB) is cached in build/bench/ by size, seed and
** INPUT_VERSION, and redone when axgen.lua or aanvraag.xml is newer.
--]]
local function applicants()
  local a = read_file(AANVRAAG)
  local function renumber(block)
    return (block:gsub('Volgnummer="(%d+)"', function(v)
      return format('Volgnummer="%d"', 900000 + tonumber(v))
    end))
  end
  local hg, naw = {}, {}
  for b in a:gmatch("\t<Hypotheekgever .-\n\t</Hypotheekgever>\n") do
    hg[#hg + 1] = renumber(b)
  end
  for b in a:gmatch("\t<PartijNAWData .-\n\t</PartijNAWData>\n") do
    naw[#naw + 1] = renumber(b)
  end
  assert(#hg >= 2 and #naw >= 2, AANVRAAG .. ": two applicants expected")
  return concat(hg, "", 1, 2), concat(naw, "", 1, 2)
end

local function insert_before(xml, mark, block)
  local i = assert(xml:find(mark, 1, true), mark)
  return xml:sub(1, i - 1) .. block .. xml:sub(i)
end

local function generate(target)
  local axgen = require "axgen"
  local hg, naw = applicants()
  local function make(n)
    local xml = axgen.sized(n, SEED)
    xml = xml:gsub("\t\t\t<ExterneIdentificatie .-</ExterneIdentificatie>\n",
                   "")
    xml = xml:gsub("\t<Dataleverancier .-</Dataleverancier>\n", "")
    xml = insert_before(xml, "\t<Hypotheekgever ", hg)
    return insert_before(xml, "\t<PartijNAWData ", naw)
  end
  local xml = make(target)
  if #xml < target then xml = make(target * target // #xml) end
  return xml
end

-- True when path is missing or older than one of the files it is made of.
local function stale(path)
  for _, src in ipairs({ "spec/support/axgen.lua", AANVRAAG }) do
    if os.execute(format("test ! -e %s -o %s -nt %s", path, src, path)) then
      return true
    end
  end
  return false
end

-- Reads or generates an input, writes it where the C program reads it,
-- writes its linked form (for links) and checks that every contender
-- accepts it.
local function prepare(input)
  local xml
  if input.target then
    input.path = format("%s/ax-%d-s%d-v%d.xml", OUT_DIR, input.target, SEED,
                        INPUT_VERSION)
    if stale(input.path) then
      local t0 = os.time()
      xml = generate(input.target)
      write_file(input.path, xml)
      progress(format("bench: generated %s (%d s)", input.path,
                      os.time() - t0))
    else
      xml = read_file(input.path)
    end
  else
    xml = read_file(input.path)
  end
  input.bytes = #xml
  input.elements = select(2, xml:gsub("<[%a_]", "<"))
  local msg = parse(xml)
  input.round_trip = msg:serialize() == xml
  input.problems = #msg:check().problems
  if has(input, "link") then
    local d = assert(axlink.cdl.read({ CDL }))
    local result, err = msg:link(d)
    if not result then error(format("bench: %s: link: %s", input.label, err)) end
    local grades = {}
    for i, l in ipairs(result.links) do grades[i] = l.grade end
    input.grades = concat(grades, ", ")
    input.linked_path = input.path:gsub("%.xml$", "-linked.xml")
    write_file(input.linked_path, msg:serialize())
  end
  msg:close()
  msg = nil -- luacheck: ignore 311
  collectgarbage()
  local tree, lerr = lom.parse(xml)
  if not tree then error(format("bench: %s: lxp.lom: %s", input.label, lerr)) end
end

-- }======================================================================

-- {======================================================================
-- Memory (child processes: bench/peak.lua, and the CLI)
-- =======================================================================

local function run_peak(path, env)
  local p = assert(io.popen(format("%s %s bench/peak.lua %s", env, LUA, path)))
  local r = {}
  for line in p:lines() do
    local k, v = line:match("^(%S+)%s+(%-?%d+)$")
    if k then r[k] = tonumber(v) end
  end
  if not p:close() or not r.input then error("bench: bench/peak.lua failed") end
  return r
end

-- Heap figures with every block up to 32 MiB counted by mallinfo2; the
-- resident high-water mark with malloc at its defaults.
local function measure_memory(path)
  local heap = run_peak(path, "GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432")
  local rss = run_peak(path, "env -u GLIBC_TUNABLES")
  heap.rss_peak = rss.rss_peak
  return heap
end

-- --max-bytes: the size rounded up to a whole MiB; --max-elements: the
-- element count rounded up to the next 100 000 (what link and fill add
-- is a few dozen).
local function cli_limits(input)
  return format("--max-bytes %dM --max-elements %d",
                (input.bytes + MIB - 1) // MIB,
                (input.elements // 100000 + 1) * 100000)
end

local CLI_RUNS = {
  { key = "dom", label = "bare libxml2 DOM, blanks dropped" },
  { key = "check", label = "axlink check" },
  { key = "link", label = "axlink link" },
  { key = "fill", label = "axlink link --fill" },
}

-- The command of a CLI run, as a user types it (paths of this checkout).
local function cli_command(key, input)
  local out = OUT_DIR .. "/cli-out.xml"
  if key == "dom" then return format("%s dom %s", C_PROGRAM, input.path) end
  if key == "check" then
    return format("lua5.4 bin/axlink check %s %s", input.path, cli_limits(input))
  end
  local fill = key == "fill" and " --fill --household couple --pension-basis accrued" or ""
  return format("lua5.4 bin/axlink link %s %s%s -o %s %s", input.path, CDL,
                fill, out, cli_limits(input))
end

-- Peak resident memory (ru_maxrss, /usr/bin/time -f %M), wall and CPU
-- seconds of one run, malloc at its defaults. Exit status 0 is required:
-- a refused link or a rule error writes nothing and would measure less.
local function cli_peak(key, input)
  local stats = OUT_DIR .. "/cli-time.txt"
  local cmd = format("env -u GLIBC_TUNABLES %s /usr/bin/time -f '%%M %%e %%U %%S' "
                     .. "-o %s %s >/dev/null 2>&1", RUN_ENV, stats,
                     cli_command(key, input))
  if not os.execute(cmd) then error("bench: failed: " .. cmd) end
  local kb, wall, user, sys = read_file(stats):match("(%d+) (%S+) (%S+) (%S+)")
  os.remove(stats)
  return { rss = tonumber(kb) * 1024, wall = tonumber(wall),
           cpu = tonumber(user) + tonumber(sys) }
end

-- MEMORY_ROUNDS rounds of every CLI run; medians, and the per-round ratios
-- to bare libxml2's DOM.
local function measure_cli(input)
  local runs = {}
  for _, c in ipairs(CLI_RUNS) do runs[c.key] = { rss = {}, wall = {}, cpu = {} } end
  for i = 1, MEMORY_ROUNDS do
    for _, c in ipairs(CLI_RUNS) do
      local r = cli_peak(c.key, input)
      runs[c.key].rss[i], runs[c.key].wall[i], runs[c.key].cpu[i] =
        r.rss, r.wall, r.cpu
    end
  end
  os.remove(OUT_DIR .. "/cli-out.xml")
  local out = {}
  for _, c in ipairs(CLI_RUNS) do
    local r = runs[c.key]
    local ratio = {}
    for i = 1, MEMORY_ROUNDS do ratio[i] = r.rss[i] / runs.dom.rss[i] end
    out[c.key] = { rss = median(r.rss), wall = median(r.wall),
                   cpu = median(r.cpu), ratio = median(ratio) }
  end
  return out
end

-- }======================================================================

-- {======================================================================
-- Machine
-- =======================================================================

-- libxml2 reports its version as a number, 20914 for 2.9.14.
local function libxml2_version(v)
  local n = math.tointeger(tonumber(v))
  if not n then return tostring(v) end
  return format("%d.%d.%d", n // 10000, n // 100 % 100, n % 100)
end

local function machine(load)
  local model
  for line in io.lines("/proc/cpuinfo") do
    model = line:match("^model name%s*:%s*(.-)%s*$")
    if model then break end
  end
  return {
    cpus = shell_line("nproc") or "?",
    model = model or "?",
    kernel = shell_line("uname -sr") or "?",
    cc = shell_line("cc --version") or "?",
    libxml2 = libxml2_version(axlink.libxml2_version),
    lua = (shell_line(LUA .. " -v") or _VERSION):match("^Lua %S+") or _VERSION,
    lxp = format("%s (%s)", lxp._VERSION, lxp._EXPAT_VERSION),
    axlink = axlink._VERSION,
    date = os.date("!%Y-%m-%d %H:%M UTC"),
    load = load,
    load_end = read_file("/proc/loadavg"):match("^(%S+ %S+ %S+)") or "?",
    mem = shell_line("free -g | awk '/^Mem/ {print $2}'") or "?",
  }
end

-- }======================================================================

-- {======================================================================
-- Targets
-- =======================================================================

local function verdict(ok) return ok and "met" or "NOT MET" end

local function by_key(inputs)
  local by = {}
  for _, input in ipairs(inputs) do by[input.key] = input end
  return by
end

-- Nanoseconds per input byte of a contender's median.
local function per_byte(input, key)
  return input.results[key].median / input.bytes * 1e9
end

-- Worst of value(input) over the inputs that have it: the value, the
-- label of its input, and all values joined (for the "measured" column).
local function worst(inputs, value, higher_is_worse)
  local w, at, all = nil, nil, {}
  for _, input in ipairs(inputs) do
    local v = value(input)
    if v then
      all[#all + 1] = format("%s %.2f", input.key, v)
      if not w or (higher_is_worse and v > w) or (not higher_is_worse and v < w) then
        w, at = v, input.label
      end
    end
  end
  return w, at, concat(all, ", ")
end

local function ratio_target(inputs, key, limit, text)
  local w, at, all = worst(inputs, function(i)
    return i.ratio and i.ratio[key]
  end, true)
  return { key = key, text = text,
           value = format("worst **%.2fx** (%s); %s", w, at, all),
           ok = w <= limit }
end

local function memory_target(inputs, key, limit, text)
  local w, at, all = worst(inputs, function(i)
    return i.cli and i.cli[key].ratio
  end, true)
  return { key = "mem_" .. key, text = text,
           value = format("worst **%.2fx** (%s); %s", w, at, all),
           ok = w <= limit }
end

-- Each target: its wording, its measured value and whether it is met.
local function check_targets(inputs, mem)
  local by = by_key(inputs)
  local t14, t2 = {}, {}

  t14[#t14 + 1] = ratio_target(inputs, "link", MAX_LINK_RATIO, format(
    "parse + link + serialise <= %.1fx bare libxml2 parse+serialise",
    MAX_LINK_RATIO))
  t14[#t14 + 1] = ratio_target(inputs, "check", MAX_CHECK_RATIO, format(
    "parse + check <= %.1fx bare libxml2 parse+serialise", MAX_CHECK_RATIO))
  t14[#t14 + 1] = memory_target(inputs, "check", MAX_CHECK_MEMORY, format(
    "peak memory of `axlink check` <= %.2fx bare libxml2's DOM",
    MAX_CHECK_MEMORY))
  t14[#t14 + 1] = memory_target(inputs, "link", MAX_LINK_MEMORY, format(
    "peak memory of `axlink link` <= %.1fx bare libxml2's DOM",
    MAX_LINK_MEMORY))
  t14[#t14 + 1] = memory_target(inputs, "fill", MAX_LINK_MEMORY, format(
    "peak memory of `axlink link --fill` (apply) <= %.1fx bare libxml2's DOM",
    MAX_LINK_MEMORY))
  local w, at, all = worst(inputs, function(i)
    return i.one and i.one.keep.ratio
  end, false)
  t14[#t14 + 1] = {
    key = "lom_one",
    text = format("parse to tables >= %gx faster than lxp.lom, one process, "
                  .. "tables kept", MIN_LOM_ONE_PROCESS),
    value = format("worst **%.2fx** (%s); %s", w, at, all),
    ok = w >= MIN_LOM_ONE_PROCESS,
  }
  local small, big = by["64k"], by["50m"]
  local scale = {}
  for _, key in ipairs({ "serialize", "check" }) do
    scale[key] = per_byte(big, key) / per_byte(small, key)
  end
  t14[#t14 + 1] = {
    key = "scaling",
    text = format("time per byte at 50 MiB within %.1fx of 64 KiB",
                  MAX_SCALING),
    value = format("parse+serialise **%.2fx**, parse+check **%.2fx** (bare "
                   .. "libxml2 itself %.2fx)", scale.serialize, scale.check,
                   per_byte(big, "bare") / per_byte(small, "bare")),
    ok = scale.serialize <= MAX_SCALING and scale.check <= MAX_SCALING,
  }

  t2[#t2 + 1] = ratio_target(inputs, "serialize", MAX_SERIALIZE_RATIO, format(
    "axlink parse+serialise within %.2fx of bare libxml2",
    MAX_SERIALIZE_RATIO))
  t2[#t2 + 1] = ratio_target(inputs, "capi", MAX_SERIALIZE_RATIO, format(
    "the C API's parse+serialise within %.2fx of bare libxml2",
    MAX_SERIALIZE_RATIO))
  w, at, all = worst(inputs, function(i) return i.ratio_lom end, false)
  t2[#t2 + 1] = {
    key = "lom",
    text = format("parse to tables at least %gx faster than lxp.lom, a "
                  .. "process per sample", MIN_LOM_RATIO),
    value = format("worst **%.2fx** (%s); %s", w, at, all),
    ok = w >= MIN_LOM_RATIO,
  }
  local heap_ratio = mem.heap_peak / mem.input
  local rss_ratio = mem.rss_peak >= 0 and mem.rss_peak / mem.input or nil
  t2[#t2 + 1] = {
    key = "memory",
    text = format("peak memory, 16 MiB message to tables, under %dx its size",
                  MAX_MEMORY_RATIO),
    value = format("heap %.2fx, resident %s", heap_ratio,
                   rss_ratio and format("%.2fx", rss_ratio) or "n/a"),
    ok = heap_ratio < MAX_MEMORY_RATIO and
         (rss_ratio == nil or rss_ratio < MAX_MEMORY_RATIO),
  }
  return t14, t2
end

-- }======================================================================

-- {======================================================================
-- Report: stdout and doc/performance.md
-- =======================================================================

-- Why a target falls short, from profiling this code. Printed in the
-- document only for a target that failed in the run.
local WHY = {
  link = [[
`msg:link` now writes into the tree in place, with an undo log for
all-or-nothing (no whole-document copy); beyond bare's parse and serialise
it walks the tree for its view of the message (Hypotheekgevers,
PartijNAWData, the links already there). Compare the link row of the time
per byte table for where that walk grows with size.]],
  check = [[
The rules walk the tree and build views of it (Hypotheekgevers, IDs and
IDREFs, Volgnummers per sibling group); compare the check row of the time
per byte table for where the walk grows with size.]],
  mem_check = [[
Met at 16 and 50 MiB, where the target is about memory that grows with
the message: `axlink.read` streams the file through its pre-scan into
libxml2 in 64 KiB chunks (the input is never held whole), and the rules'
records are sized exactly and sorted in place. At 1 MiB the Lua
interpreter's own few MB (the same at every size) are a large share of a
7 MB DOM, which is what the ratio measures there.]],
  mem_link = [[
At its peak `axlink link` holds the tree, the view the link builds and
the output on its way to the file; the whole-document copy is gone (the
link is in place, with an undo log) and the input is read in chunks.]],
  mem_fill = [[
The link is in place now (compare `axlink link`'s row); `--fill` adds
`msg:totable()`'s tables and `msg:settable(t)`, which builds a new tree from
them while the old one is still held (the tables keep it alive): at the
peak two trees and the tables, about 1.3x the DOM more than link. An
`axlink.cdl.apply` that fills the DOM in place does not exist yet.]],
  lom_one = [[
See "Parse to tables: one process against a process per sample" below:
with the tables kept every call lands in fresh memory, about as many bytes
for totable (tree plus tables) as for lxp.lom, and that cost weighs most
on the faster call. Closing the gap means keeping fewer bytes per call:
tables that do not hold libxml2's tree alive, or no tree behind them.]],
  scaling = [[
Bare libxml2 grows about as much (its own ratio is in the measured
column): beyond the caches every pass over a tree of about 6.5x the input
reads it back from memory, and a fresh process faults its pages in.
axlink adds little to that; a target on time per byte that bare libxml2
itself misses on this machine needs a smaller tree, not a faster walk.]],
  serialize = [[
In instructions (callgrind, 1 MiB input) axlink's C API does less work than
bare libxml2, since it builds no whitespace text nodes. What the Lua
contender adds is the output copied into a Lua string and the collector's
work. A miss of this target in a run is memory behaviour or the machine's
noise (see IQR); compare the C API's ratio in the same run.]],
  capi = [[
See the serialise target: a miss is memory behaviour or the machine's
noise (see IQR).]],
  lom = [[
axlink builds two trees: libxml2's DOM, then the Lua tables walked from it
(`src/lua/totable.c`); lxp.lom builds its tables once, from expat's
callbacks. The ratio moves with the machine's load (see the IQR of the
two rows).]],
  memory = [[
libxml2's tree dominates: an element node is 120 bytes, its text node as
much again, plus malloc's overhead, for every `<Leaf>value</Leaf>` of 20-40
bytes of input. The tables keep the tree alive through their order record.]],
}

local function label_of(key)
  for _, c in ipairs(CONTENDERS) do
    if c.key == key then return c.label end
  end
  return key
end

local function results_rows(input)
  local rows = {}
  for _, c in ipairs(CONTENDERS) do
    local r = input.results[c.key]
    if r then
      rows[#rows + 1] = {
        c.label, seconds_label(r.median),
        format("%.1f", input.bytes / r.median / 1048576),
        c.key == "bare" and "1.00" or format("%.2f", input.ratio[c.key]),
        format("%.0f%%", r.spread),
        format("%d x %d", input.samples, r.reps),
      }
    end
  end
  return rows
end

local RESULTS_HEADER = { "contender", "median per call", "MiB/s",
                         "x bare (per round)", "IQR", "rounds x calls" }

-- Rows of the time-per-byte table: ns per input byte at each generated
-- size, and the 50 MiB / 64 KiB ratio.
local PER_BYTE = { "bare", "serialize", "check", "link", "fill", "totable" }
local function per_byte_rows(inputs)
  local by, rows = by_key(inputs), {}
  for _, key in ipairs(PER_BYTE) do
    local row = { label_of(key) }
    for _, k in ipairs({ "64k", "1m", "16m", "50m" }) do
      row[#row + 1] = format("%.2f", per_byte(by[k], key))
    end
    row[#row + 1] = format("**%.2fx**", per_byte(by["50m"], key)
                                      / per_byte(by["64k"], key))
    rows[#rows + 1] = row
  end
  return rows
end

local function one_rows(inputs)
  local rows = {}
  for _, input in ipairs(inputs) do
    if input.one then
      local function fresh(faults)
        return format("%.2f", faults * 4096 / input.bytes)
      end
      rows[#rows + 1] = { input.label, "a process per sample",
        seconds_label(input.results.totable.median),
        seconds_label(input.results.lom.median),
        format("**%.2fx**", input.ratio_lom),
        fresh(input.results.totable.faults), fresh(input.results.lom.faults),
        "" }
      for _, m in ipairs(ONE_MODES) do
        local o = input.one[m.key]
        rows[#rows + 1] = { "", m.label, seconds_label(o.totable),
          seconds_label(o.lom), format("**%.2fx**", o.ratio),
          fresh(o.faults_tt), fresh(o.faults_lom), mb_label(o.rss) }
      end
    end
  end
  return rows
end

local ONE_HEADER = { "input", "how", "totable", "lxp.lom", "lom / totable",
                     "new pages, totable", "new pages, lom",
                     "resident at end" }

local function cli_rows(inputs)
  local rows = {}
  for _, input in ipairs(inputs) do
    if input.cli then
      for _, c in ipairs(CLI_RUNS) do
        local r = input.cli[c.key]
        rows[#rows + 1] = {
          c.key == "dom" and format("%s (%s)", input.label, mb_label(input.bytes))
          or "", c.label, mb_label(r.rss),
          format("%.2f", r.rss / input.bytes),
          c.key == "dom" and "1.00" or format("**%.2f**", r.ratio),
          format("%.2f s", r.wall), format("%.2f s", r.cpu),
        }
      end
    end
  end
  return rows
end

local CLI_HEADER = { "input", "run", "peak resident", "x input",
                     "x libxml2 DOM", "wall", "CPU" }

local function print_table(header, rows)
  local w = {}
  for i, h in ipairs(header) do w[i] = #h end
  for _, r in ipairs(rows) do
    for i, cell in ipairs(r) do
      cell = cell:gsub("%*", "")
      r[i] = cell
      if #cell > (w[i] or 0) then w[i] = #cell end
    end
  end
  local function line(cells)
    local out = {}
    for i, cell in ipairs(cells) do
      out[i] = format(i <= 2 and "%-" .. w[i] .. "s" or "%" .. w[i] .. "s", cell)
    end
    print("  " .. concat(out, "  "))
  end
  line(header)
  for _, r in ipairs(rows) do line(r) end
end

local function print_report(inputs, t14, t2, mem, elapsed)
  for _, input in ipairs(inputs) do
    print(format("%s (%s, %d bytes)%s", input.label, size_label(input.bytes),
                 input.bytes, input.round_trip and "" or
                 "  [axlink output differs from input]"))
    print_table(RESULTS_HEADER, results_rows(input))
    print(format("  lom / totable %.2fx", input.ratio_lom))
    print()
  end
  print("time per byte (ns):")
  print_table({ "contender", "64 KiB", "1 MiB", "16 MiB", "50 MiB",
                "50M / 64K" }, per_byte_rows(inputs))
  print()
  print("parse to tables, lxp.lom / totable:")
  print_table(ONE_HEADER, one_rows(inputs))
  print()
  print("peak resident memory, CLI runs:")
  print_table(CLI_HEADER, cli_rows(inputs))
  print()
  print(format("memory, 16 MiB to tables (bench/peak.lua): heap peak %.2fx, "
               .. "resident peak %s", mem.heap_peak / mem.input,
               mem.rss_peak >= 0 and format("%.2fx", mem.rss_peak / mem.input)
               or "n/a"))
  print()
  for _, t in ipairs(t14) do
    print(format("%-7s  %s: %s", verdict(t.ok), t.text, (t.value:gsub("%*", ""))))
  end
  for _, t in ipairs(t2) do
    print(format("%-7s  %s: %s", verdict(t.ok), t.text, (t.value:gsub("%*", ""))))
  end
  print()
  print(format("bench took %d s (wall); wrote %s", elapsed, DOC))
end

-- align: a letter per column, "l", "c" or "r" (default: l, then r).
local function md_table(header, rows, align)
  local out = { "| " .. concat(header, " | ") .. " |" }
  local sep = {}
  for i = 1, #header do
    local a = align and align:sub(i, i) or (i == 1 and "l" or "r")
    sep[i] = a == "r" and "---:" or a == "c" and ":---:" or "---"
  end
  out[#out + 1] = "| " .. concat(sep, " | ") .. " |"
  for _, r in ipairs(rows) do out[#out + 1] = "| " .. concat(r, " | ") .. " |" end
  return concat(out, "\n")
end

local INTRO = [[
# Performance

How fast axlink reads, checks, links and writes HDN AX messages, and how
much memory it takes, against the two things it can be measured by: bare
libxml2, which it is built on, and lua-expat's `lxp.lom`, the usual way to
get XML into Lua tables. Issue 2 set the first targets, issue 14 the
pipeline's (check, link, fill, memory, scaling to 50 MiB). The numbers are
regenerated by `make bench` (`bench/run.lua`); edit the generator, not this
file.

What they mean: axlink's parse is libxml2's tree builder with checks on top
(no DTD, limits, no mixed content, whitespace dropped), so its ratio to bare
libxml2 parse+serialise is the price of those checks; every other contender
is parse plus one more step of the adviser's or the lender's work, on the
same bytes, so its ratio says what that step costs in units of "reading and
writing the message once". The figures come from a small shared virtual
machine and move from run to run with whatever else it is doing: the IQR
column shows how much they moved within this run, and the ratios, taken
round by round, move least.
]]

local METHOD = [[
- Inputs: `spec/fixtures/hdn/ax-24.0-sample.xml`, and AX messages of about
  64 KiB, 1 MiB, 16 MiB and 50 MiB from `spec/support/axgen.lua` (`sized`,
  seed %d) made into an adviser's message before linking: the CDL keys the
  generator gives a third of its households (ExterneIdentificatie and
  their Dataleverancier) taken out, since ketenafspraak allows 9
  Dataleverancier in a message and `axlink link` writes nothing after a
  rule error; and the two applicants of `examples/data/aanvraag.xml` put
  before the generated ones (Volgnummers moved to 900000 + n), so that
  `examples/data/ockto-bundled.json` (two persons, one bundled file) links
  to them, both verified. They are cached in `build/bench/` by size and
  seed (`ax-SIZE-sSEED-vN.xml`), so the C program reads the same bytes.
- Contenders, each given the whole document in memory:
  - *bare libxml2*: `xmlReadMemory` (NONET, NOERROR, NOWARNING), then
    `xmlSaveToBuffer(buf, "utf-8", XML_SAVE_FORMAT)` + `xmlSaveDoc`, then
    everything freed (`bench/c_round_trip.c bare`, `cc -O2`). It keeps the
    whitespace text nodes and checks nothing. Every "x bare" is against it.
  - *C API*: `axl_parse`, `axl_serialize`, `axl_free` and
    `axl_message_free` in the same C program (`bench/c_round_trip.c
    axlink`): axlink's checks without the Lua binding.
  - *serialize*: `axlink.parse(xml)`, `msg:serialize()` (a Lua string),
    `msg:close()`.
  - *check*: `axlink.parse(xml)`, `msg:check()` (send mode), `msg:close()`.
  - *link*: `axlink.parse(xml)`, `msg:link(delivery)` of
    `ockto-bundled.json` (read once per process, outside the timing),
    `msg:serialize()`, `msg:close()`.
  - *fill*, the adviser's one call: parse, `axlink.cdl.apply(msg,
    delivery, { fill = true, household = "couple", pension_basis =
    "accrued" })` (link, fill of the linked persons' entities, check, in
    one journal), `msg:serialize()`.
  - *links*: `axlink.parse(xml)`, `msg:links()`, `msg:close()`, on the
    same message after the link (written once by the driver, some 700
    bytes longer).
  - *totable*: `axlink.parse(xml)`, `msg:totable()`, `msg:close()`.
  - *lxp.lom*: `lom.parse(xml)`.
  The Lua contenders parse with `max_bytes` and `max_elements` raised so
  that 50 MiB is admitted.
- Time is CPU time of the process, user + system: `os.clock()` for the Lua
  contenders, `CLOCK_PROCESS_CPUTIME_ID` in the C program. Lua has no
  monotonic wall clock; every contender is single-threaded, so its CPU time
  is its cost, page faults included.
- A first sample of one call sets how many calls make a contender's sample
  (about %.1f s). Then rounds: each takes one sample of every contender in
  turn. Every sample is a process of its own, Lua and C alike: it runs its
  calls once untimed (caches, heap) and once timed, the Lua ones with a full
  `collectgarbage()` before each, outside the timing (the collector's work
  during the calls is counted, as a program would see it). Rounds: %s.
- A time is the median over the rounds, MiB/s is input bytes (2^20) per
  second of it, IQR is the interquartile range of the samples over the
  median. A ratio between two contenders is the median of the per-round
  ratios, so a slow spell of the machine falls on both sides of it. Time
  per byte compares medians of two inputs.
- The timing runs with `GLIBC_TUNABLES=%s` (set by `bench/run.lua`
  itself, inherited by the C program): malloc keeps what it frees, so every
  contender runs on a warm heap, as in a long-running process. With glibc's
  defaults part of a 16 MiB parse's memory goes back to the kernel after
  each call and is faulted in again on the next, by an amount that depends
  on what ran before.
- Parse to tables in one process: for each input one Lua process runs
  rounds of the same calls per sample as above, totable then lxp.lom (the
  order alternating), with no collection forced and every result kept
  (`bench/run.lua --one`), as a script that reads messages into tables
  holds them; and the same with the results dropped, and kept with the
  collector stopped. Rounds: %s.
- Peak memory: `/usr/bin/time -f %%M` (the child's `ru_maxrss`) of the
  commands below, run as a user runs them (`lua5.4 bin/axlink` with the
  checkout's modules on `LUA_PATH`/`LUA_CPATH`, malloc at its defaults,
  `--max-bytes` the size rounded up to a MiB, `--max-elements` the element
  count rounded up to the next 100 000), each exiting 0 (a refusal or rule
  error writes nothing and would measure less), %d rounds, medians; beside
  bare libxml2 building its DOM of the same file with blanks dropped
  (`bench/c_round_trip.c dom`: `xmlReadFile` with `XML_PARSE_NOBLANKS |
  XML_PARSE_NONET | XML_PARSE_HUGE`, then `xmlFreeDoc`). Whole processes:
  the CLI's figure includes the Lua interpreter (about 2 MB); axlink and
  libxml2 alike read the file in chunks.
- Memory of a 16 MiB message turned into tables (`bench/peak.lua`, issue
  2's figure): *heap* is malloc's bytes in use (`mallinfo2().uordblks`)
  with the message and the tables held, minus the figure before the parse,
  mmap threshold at 32 MiB so large blocks count; *resident* is the
  kernel's high-water mark (`VmHWM`, reset after the input was read) minus
  `VmRSS` before the parse, malloc at its defaults. The input string is
  excluded from both.
]]

-- Why the one-process figures differ from the per-process ones; the $names
-- are filled from the run (one_text).
local ONE_TEXT = [[
Per process (the first row of each input, and the tables above) every
sample is a fresh Lua process that runs its calls once untimed and then
times them, a full collection first: each result is garbage by the next
call, and with malloc keeping what it frees (the tunables) the timed calls
mostly reuse memory the untimed ones already touched (*new pages*: minor
page faults per call times 4 KiB, over the input's size; totable takes
almost none). A script that reads messages into tables and keeps them
(*kept*) runs every call in a heap that holds all earlier results: each
result lands in memory the process never touched, page by page (page
faults and cold caches, all in the call's CPU time), and each cycle of
Lua's collector marks every live object, so the cycles grow with the
kept heap. Both costs go with the bytes a call keeps, not with its time:
$tt_pages the input for totable (libxml2's tree plus the tables) and
$lom_pages for lxp.lom (Lua tables), so they weigh most on the faster
contender. At $size totable went from $tt_pp per process to $tt_keep
kept, lxp.lom from $lom_pp to $lom_keep. *stopped* (kept, collector
stopped) separates the two: lxp.lom's result is all Lua objects for the
collector to mark, while most of totable's bytes are in libxml2's tree,
outside Lua's heap, which the collector neither marks nor counts. That is
also why *dropped* (one process, results let go) is not the per-process
figure at large sizes: the collector sees only the Lua side of a dropped
totable (about 1.2x the input) and frees its tree (about 6x) when a cycle
comes round, so new trees keep landing in fresh memory. In this run, at
$size, lxp.lom / totable: per process **$r_pp**, dropped $r_drop, kept
**$r_keep**, kept with the collector stopped $r_stop. Both are right for
what they measure: per process is one message in a server that reads one
per request and lets it go; one process, kept, is a batch script that
holds every message it read, and is the figure issue 14's target names.]]

local function one_text(input)
  local o = input.one
  local v = {
    size = input.label,
    tt_pages = format("%.1fx", o.keep.faults_tt * 4096 / input.bytes),
    lom_pages = format("%.1fx", o.keep.faults_lom * 4096 / input.bytes),
    tt_pp = seconds_label(input.results.totable.median),
    tt_keep = seconds_label(o.keep.totable),
    lom_pp = seconds_label(input.results.lom.median),
    lom_keep = seconds_label(o.keep.lom),
    r_pp = format("%.2fx", input.ratio_lom),
    r_drop = format("%.2fx", o.drop.ratio),
    r_keep = format("%.2fx", o.keep.ratio),
    r_stop = format("%.2fx", o.stopped.ratio),
  }
  return (ONE_TEXT:gsub("%$([%w_]+)", v))
end

local function rounds_text(key)
  local parts = {}
  for _, input in ipairs(INPUTS) do
    local n = input[key]
    if n then parts[#parts + 1] = format("%d at %s", n, input.label) end
  end
  return concat(parts, ", ")
end

local function write_doc(inputs, t14, t2, mem, m)
  local out = { INTRO }
  local function add(s) out[#out + 1] = s end
  local by = by_key(inputs)

  add("## Machine\n")
  add(format("- %s CPUs, %s; %s GB memory; %s", m.cpus, m.model, m.mem,
             m.kernel))
  add(format("- %s, libxml2 %s, %s, lua-expat %s", m.lua, m.libxml2, m.cc,
             m.lxp))
  add(format("- axlink %s; run %s, load average %s at the start and %s "
             .. "at the end; the run took %d s (wall)\n", m.axlink, m.date,
             m.load, m.load_end, m.elapsed))

  add("## Command\n")
  add("```sh\nmake bench\n```\n")
  add("It builds `build/axlink/core.so` and `build/bench/c_round_trip`, then "
      .. "runs `lua5.4 bench/run.lua`, which prints the same tables. The "
      .. "memory runs are these commands (the 50 MiB input's, run from the "
      .. "repository root with `LUA_PATH='lua/?.lua;lua/?/init.lua;;' "
      .. "LUA_CPATH='build/?.so;;'`, each under `/usr/bin/time -f %M`):\n")
  local cmds = {}
  for _, c in ipairs(CLI_RUNS) do cmds[#cmds + 1] = cli_command(c.key, by["50m"]) end
  add("```sh\n" .. concat(cmds, "\n") .. "\n```\n")

  add("## Method\n")
  add(format(METHOD, SEED, SAMPLE_SECONDS, rounds_text("samples"), TUNABLES,
             rounds_text("one_process"), MEMORY_ROUNDS))

  add("## Targets\n")
  local rows = {}
  for _, t in ipairs(t14) do
    rows[#rows + 1] = { t.text, t.value, "**" .. verdict(t.ok) .. "**" }
  end
  add(md_table({ "target (issue 14)", "measured in this run", "result" },
               rows, "llc"))
  add("")
  rows = {}
  for _, t in ipairs(t2) do
    rows[#rows + 1] = { t.text, t.value, "**" .. verdict(t.ok) .. "**" }
  end
  add(md_table({ "target (issue 2)", "measured in this run", "result" },
               rows, "llc"))
  add("\nSizes in the measured column: hdn is HDN's sample; the times are "
      .. "ratios of the per-round ratios' medians, the memory ones of peak "
      .. "resident memory.\n")
  local failed = false
  for _, list in ipairs({ t14, t2 }) do
    for _, t in ipairs(list) do
      if not t.ok then
        if not failed then add("### Where targets fall short\n") end
        failed = true
        add(format("**%s.** %s\n", t.text, (WHY[t.key]:gsub("\n", " "))))
      end
    end
  end

  add("## Results\n")
  for _, input in ipairs(inputs) do
    add(format("### %s (%d bytes, %d elements)\n", input.label, input.bytes,
               input.elements))
    add(md_table(RESULTS_HEADER, results_rows(input)))
    add(format("\nlxp.lom / totable, a process per sample: **%.2fx**. "
               .. "axlink's output %s the input; check finds %d "
               .. "problem(s)%s.\n", input.ratio_lom,
               input.round_trip and "equals" or "differs from",
               input.problems, input.grades and
               format("; link: %s", input.grades) or ""))
  end

  add("### Time per byte\n")
  add("Nanoseconds of CPU time per input byte, the medians above:\n")
  add(md_table({ "contender", "64 KiB", "1 MiB", "16 MiB", "50 MiB",
                 "50 MiB / 64 KiB" }, per_byte_rows(inputs)))
  add("")

  add("### Parse to tables: one process against a process per sample\n")
  add(md_table(ONE_HEADER, one_rows(inputs)))
  local big
  for _, input in ipairs(inputs) do
    if input.one then big = input end
  end
  add("\n" .. one_text(big) .. "\n")

  add("### Peak memory, as the CLI runs\n")
  add(md_table(CLI_HEADER, cli_rows(inputs)))
  add("\n*x libxml2 DOM* is the median of the per-round ratios. The wall "
      .. "and CPU columns are those runs' (the CLI's start, the file read, "
      .. "the check after a link and the file written included).\n")

  add(format("### Memory, %s to tables\n", by["16m"].label))
  add(md_table({ "measure", "bytes", "x input" }, {
    { "input (excluded)", tostring(mem.input), "1.00" },
    { "heap after parse (the tree)", tostring(mem.heap_doc),
      format("%.2f", mem.heap_doc / mem.input) },
    { "heap with tree and tables (peak state)", tostring(mem.heap_peak),
      format("%.2f", mem.heap_peak / mem.input) },
    { "heap after msg:close(), tables held", tostring(mem.heap_tables),
      format("%.2f", mem.heap_tables / mem.input) },
    { "Lua's own count of the tables", tostring(mem.lua_tables),
      format("%.2f", mem.lua_tables / mem.input) },
    { "resident high-water mark", mem.rss_peak >= 0 and tostring(mem.rss_peak)
      or "n/a", mem.rss_peak >= 0 and format("%.2f", mem.rss_peak / mem.input)
      or "n/a" },
  }))
  add("\nThe tables keep the libxml2 tree alive (their order record refers "
      .. "to it, for `fromtable`), so closing the message frees nothing "
      .. "while the tables are held.\n")

  -- The host figures are measured by hand (a server and a load generator):
  -- kept in bench/host.md and carried into every regenerated page.
  add(read_file("bench/host.md"))
  write_file(DOC, concat(out, "\n"))
end

-- }======================================================================

local function main()
  local start = os.time()
  local load = read_file("/proc/loadavg"):match("^(%S+ %S+ %S+)") or "?"
  os.execute("mkdir -p " .. OUT_DIR)
  local f = io.open(C_PROGRAM, "rb")
  if not f then
    error("bench: " .. C_PROGRAM .. " missing; run `make bench`")
  end
  f:close()

  for _, input in ipairs(INPUTS) do
    prepare(input)
    progress(format("bench: %s, %d bytes", input.label, input.bytes))
    input.results = time_input(input)
    if input.one_process then
      progress(format("bench: %s, one process", input.label))
      input.one = {}
      for _, m in ipairs(ONE_MODES) do input.one[m.key] = one_process(input, m.key) end
    end
    if input.memory then
      progress(format("bench: %s, memory of the CLI", input.label))
      input.cli = measure_cli(input)
    end
    collectgarbage()
  end

  progress("bench: memory to tables")
  local mem = measure_memory(by_key(INPUTS)["16m"].path)
  local t14, t2 = check_targets(INPUTS, mem)
  local m = machine(load)
  m.elapsed = os.time() - start
  write_doc(INPUTS, t14, t2, mem, m)
  print_report(INPUTS, t14, t2, mem, m.elapsed)
end

main()
