--- The axlink command line (DESIGN 8).
-- Exit status: 0 all well, 1 rule or validation errors found, 2 bad input or
-- usage, 130/143 interrupted by SIGINT/SIGTERM. Data values (names, dates,
-- amounts) are printed only with --show-values; `links` prints the keys,
-- which are its output. Nothing is written when a run fails, and no output
-- path may be one of the inputs. `--json` answers on every path, errors
-- included.
-- @module axlink.cli

local argparse = require "argparse"
local axlink = require "axlink"
local core = require "axlink.core"

-- AX element names, from the AX profile (DESIGN 7.3).
local N = require("axlink.profile").default().names

local M = {}

local EXIT_OK, EXIT_FINDINGS, EXIT_BAD = 0, 1, 2
local EXIT_SIGNAL = { SIGINT = 130, SIGTERM = 143 }

-- {======================================================================
-- Output
-- =======================================================================

local function is_tty(fd)
  return core._isatty(fd)
end

local function painter(enabled)
  local codes = { error = "31", warning = "33", info = "36", ok = "32", dim = "2" }
  return function(kind, text)
    if not enabled or not codes[kind] then return text end
    return "\27[" .. codes[kind] .. "m" .. text .. "\27[0m"
  end
end

-- JSON with keys in a fixed, sorted order: the same bytes in every run.
local function to_json(v, indent)
  indent = indent or ""
  local t = type(v)
  if t == "nil" then return "null" end
  if t == "boolean" then return tostring(v) end
  if t == "number" then
    if v == math.huge then return "null" end
    if math.type(v) == "integer" then return tostring(v) end
    return ("%.17g"):format(v)
  end
  if t == "string" then
    return '"' .. v:gsub('[%c"\\]', function(c)
      local map = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }
      return map[c] or ("\\u%04x"):format(c:byte())
    end) .. '"'
  end
  local inner = indent .. "  "
  if #v > 0 or next(v) == nil and getmetatable(v) == "array" then
    local parts = {}
    for i, x in ipairs(v) do parts[i] = inner .. to_json(x, inner) end
    if #parts == 0 then return "[]" end
    return "[\n" .. table.concat(parts, ",\n") .. "\n" .. indent .. "]"
  end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = tostring(k) end
  table.sort(keys)
  if #keys == 0 then return "{}" end
  local parts = {}
  for i, k in ipairs(keys) do parts[i] = inner .. to_json(k) .. ": " .. to_json(v[k], inner) end
  return "{\n" .. table.concat(parts, ",\n") .. "\n" .. indent .. "}"
end
M.to_json = to_json

-- An empty list that encodes as [] (not {}).
local function array(t)
  return setmetatable(t or {}, { __metatable = "array" })
end

-- {======================================================================
-- Failures
-- =======================================================================

-- Raises a failure the main loop turns into its exit status and, with
-- --json, into { ok = false, error = { code, message, path, line, ... } }.
-- info: the API's error info (code, line, path, grades, problems), or a
-- table with the code of a CLI refusal (AXL-U..., doc/cli.md).
local function fail(text, exit, info)
  error({ exit = exit or EXIT_BAD, text = text, info = info }, 0)
end

-- Usage errors: bad arguments, an output onto an input, ... (exit 2).
local function usage(code, text)
  fail(text, EXIT_BAD, { code = code })
end

-- {======================================================================
-- Inputs and outputs
-- =======================================================================

local Run = {}
Run.__index = Run

function Run:progress(text)
  if is_tty(2) and not self.args.quiet and not self.args.json then io.stderr:write(text, "\n") end
end

-- The limits given on the command line, for every command that reads AX.
function Run:limits(extra)
  local o = { max_bytes = self.args.max_bytes, max_elements = self.args.max_elements }
  for k, v in pairs(extra or {}) do o[k] = v end
  return o
end

function Run:read_message(path, opts)
  opts = self:limits(opts)
  if path == "-" then
    if self.stdin_used then usage("AXL-U01", "standard input can be read only once") end
    self.stdin_used = true
    opts.name = "stdin"
    return axlink.parse(io.stdin:read("a"), opts)
  end
  return axlink.read(path, opts)
end

-- The bytes of an input file, or of standard input for "-".
function Run:read_bytes(path, code)
  if path == "-" then
    if self.stdin_used then usage("AXL-U01", "standard input can be read only once") end
    self.stdin_used = true
    return io.stdin:read("a")
  end
  local f, err = io.open(path, "rb")
  if not f then fail(("%s: cannot read: %s"):format(path, err), EXIT_BAD, { code = code }) end
  local bytes = f:read("a")
  f:close()
  return bytes
end

-- A file that a CDL format recognises, or nil: to say what a file is when
-- it is given where an AX belongs.
local function cdl_format_of(path)
  if path == "-" then return nil end
  local d = axlink.cdl.read(path)
  return d and d.format
end

-- Reads an AX for check, links, link and the rest: a CDL file is named for what it is
-- and pointed at `show`; another XML root is AXL-R18 (exit 2).
function Run:read_ax(path, opts)
  local msg, err, info = self:read_message(path, opts)
  local root = msg and msg:root()
  if not msg or root ~= N.root then
    local format = cdl_format_of(path)
    if format then
      fail(("%s is a CDL file (format %s), not an AX message: `axlink show %s` summarises it")
        :format(path, format, path), EXIT_BAD, { code = "AXL-R18" })
    end
  end
  if not msg then fail(err, EXIT_BAD, info) end
  return msg
end

function Run.load_schema(_, path)
  if not path then return nil end
  local s, err, info = axlink.schema.load(path)
  if not s then fail(err, EXIT_BAD, info) end
  return s
end

-- Two paths naming one file: the same device and inode when both exist,
-- else the same absolute path once "." and ".." are resolved.
local function absolute(path)
  if path:sub(1, 1) ~= "/" then path = (os.getenv("PWD") or ".") .. "/" .. path end
  local parts = {}
  for part in path:gmatch("[^/]+") do
    if part == ".." then parts[#parts] = nil
    elseif part ~= "." then parts[#parts + 1] = part end
  end
  return "/" .. table.concat(parts, "/")
end

-- The directory part of a path ("." for a bare name).
local function dir_of(path)
  return path:match("^(.*)/[^/]*$") or "."
end

local function same_file(a, b)
  if core._same_file(a, b) or absolute(a) == absolute(b) then return true end
  -- Not there yet: the same name in the same directory, however the
  -- directory is reached (a symlink, another spelling).
  local dir_a, dir_b = dir_of(a), dir_of(b)
  return a:match("[^/]*$") == b:match("[^/]*$") and core._same_file(dir_a == "" and "/" or dir_a,
    dir_b == "" and "/" or dir_b)
end

-- The paths given, in order, without the ones not given (nil would end an
-- ipairs walk early and leave the inputs after it unchecked).
local function paths(...)
  local list = {}
  for i = 1, select("#", ...) do
    local p = select(i, ...)
    if p then list[#list + 1] = p end
  end
  return list
end

-- Refuses, before anything is read, an output onto an input or onto another
-- output, and two outputs on standard output at once (exit 2).
-- outputs: list of { flag = "-o", path = ... } (path nil: not asked for).
local function check_outputs(outputs, inputs)
  local on_stdout = {}
  for i, o in ipairs(outputs) do
    if o.path == "-" then
      on_stdout[#on_stdout + 1] = o.flag
    elseif o.path then
      for _, p in ipairs(inputs) do
        if p ~= "-" and same_file(o.path, p) then
          usage("AXL-U02", ("%s %s is one of the input files: refused, nothing read or written"):format(o.flag, o.path))
        end
      end
      for j = 1, i - 1 do
        local q = outputs[j]
        if q.path and q.path ~= "-" and same_file(o.path, q.path) then
          usage("AXL-U02", ("%s and %s name the same file %s: refused"):format(q.flag, o.flag, o.path))
        end
      end
    end
  end
  if #on_stdout > 1 then
    usage("AXL-U03", ("two outputs on standard output (%s): give one of them a file")
      :format(table.concat(on_stdout, " and ")))
  end
end

-- Refuses to write once a signal came: the run is interrupted.
local function not_interrupted()
  local sig = core._caught()
  if sig then error("interrupted by " .. sig, 0) end
end

-- What has been written, so an interruption after it says so.
local written = {}

-- One write and its record, with signals held back meanwhile: a signal
-- raised when the write returns would lose the record of a file that was
-- written. A signal that came is raised after the record (not_interrupted).
local function write_recorded(path, write)
  not_interrupted()
  core._defer_signals(true)
  local ok, err, info = write()
  if ok then written[#written + 1] = path end
  core._defer_signals(false)
  not_interrupted()
  if not ok then fail(err, EXIT_BAD, info) end
end

local function write_output(out, msg)
  write_recorded(out or "-", function()
    if not out or out == "-" then return io.stdout:write(msg:serialize()) end
    return msg:write(out)
  end)
end

local function write_text(path, text)
  write_recorded(path, function()
    if path == "-" then return io.stdout:write(text) end
    local ok, err = core._write_file(path, text)
    return ok, err, { code = err and err:match("AXL%-%u%d+") }
  end)
end

-- {======================================================================
-- Reports
-- =======================================================================

-- One line per problem: severity, code, where (path:line or file:line), why.
local function problem_line(p, paint)
  local where = p.path or p.file or ""
  if p.line then where = where .. ":" .. p.line end
  return ("%s %s %s %s"):format(paint(p.severity or "error", p.severity or "error"), p.code, where, p.message)
end

function Run.print_problems(_, problems, paint, out)
  out = out or io.stdout
  for _, p in ipairs(problems) do out:write(problem_line(p, paint), "\n") end
end

local function worst(problems)
  for _, p in ipairs(problems) do
    if p.code == "AXL-R18" then return EXIT_BAD end   -- not an AX at all
  end
  for _, p in ipairs(problems) do
    if p.severity == "error" then return EXIT_FINDINGS end
  end
  return EXIT_OK
end

-- {======================================================================
-- Commands
-- =======================================================================

local commands = {}

function commands.check(run, a)
  local schema = run:load_schema(a.schema)
  local msg = run:read_ax(a.file)
  local opts = { mode = a.mode, schema = schema }
  if a.max_externe or a.max_dataleverancier then
    opts.limits = { [N.external_id] = a.max_externe, [N.supplier] = a.max_dataleverancier }
  end
  local report = msg:check(opts)
  local exit = worst(report.problems)
  if a.json then
    io.stdout:write(to_json({ file = a.file, mode = a.mode or "send", ok = report.ok,
      problems = array(report.problems) }), "\n")
  elseif not a.quiet or exit ~= EXIT_OK then
    run:print_problems(report.problems, run.paint)
    io.stdout:write(report.ok and run.paint("ok", "ok") or run.paint("error", "errors"),
      (" (%d problem%s)\n"):format(#report.problems, #report.problems == 1 and "" or "s"))
  end
  return exit
end

local MISSING_TEXT = { ref = "no RefDataleverancier", entity = "no Dataleverancier entity", key = "no key" }

-- The lender's view, grouped by Hypotheekgever in document order. A link
-- without its reference, entity or key makes the exit status 1.
function commands.links(run, a)
  local msg = run:read_ax(a.file)
  local report_r18 = msg:root() ~= N.root and msg:check() or nil
  if report_r18 then
    if a.json then
      io.stdout:write(to_json({ file = a.file, ok = false, links = array(), problems = array(report_r18.problems) }),
        "\n")
    else
      run:print_problems(report_r18.problems, run.paint, io.stderr)
    end
    return EXIT_BAD
  end
  local links = msg:links()
  local exit = EXIT_OK
  for _, l in ipairs(links) do
    if #l.missing > 0 then exit = EXIT_FINDINGS end
    if not a.show_values then l.partij = nil end   -- names and dates only with the flag
  end
  if a.json then
    for _, l in ipairs(links) do l.missing = array(l.missing) end
    io.stdout:write(to_json({ file = a.file, ok = exit == EXIT_OK, links = array(links) }), "\n")
    return exit
  end
  local current
  for _, l in ipairs(links) do
    if l.hypotheekgever ~= current then
      current = l.hypotheekgever
      local extra = ""
      if l.partij then extra = (" [%s, %s]"):format(l.partij.surname or "?", l.partij.birth_date or "?") end
      io.stdout:write(("Hypotheekgever %s%s\n"):format(tostring(l.hypotheekgever or "?"), extra))
    end
    local supplier = l.supplier and (l.supplier .. (l.supplier_inferred and " (inferred from the key)" or ""))
      or "supplier unknown"
    if l.by_r10 then supplier = supplier .. ", by R10, unreferenced" end
    local line = ("  PersoonsID %s -> DataleverancierID %s (ref %s, Dataleverancier %s), %s"):format(
      l.persoons_id or "(none)", l.dataleverancier_id or "(none)", l.ref or "none",
      l.dataleverancier_volgnummer and tostring(l.dataleverancier_volgnummer) or "none", supplier)
    if #l.missing > 0 then
      local why = {}
      for i, m in ipairs(l.missing) do why[i] = MISSING_TEXT[m] or m end
      line = line .. run.paint("error", "; missing: " .. table.concat(why, ", "))
    end
    io.stdout:write(line, "\n")
  end
  if #links == 0 and not a.quiet then io.stdout:write("no ExterneIdentificatie\n") end
  return exit
end

-- --match and --skip into the API's opts.match; an id the delivery does not
-- hold is a usage error naming it (it is a key the caller typed, not data).
local function parse_match(list, skips, delivery)
  local known = {}
  for _, p in ipairs(delivery.persons) do
    if p.id then known[p.id] = true end
  end
  local match = {}
  local function person(flag, id)
    if not known[id] then
      usage("AXL-U04", ("%s %s: the delivery holds no person with this id"):format(flag, id))
    end
  end
  for _, m in ipairs(list or {}) do
    local id, target = m:match("^(.-)=(.+)$")
    if not id or id == "" then
      usage("AXL-U01", ("--match %s: PERSON_ID=VOLGNUMMER or PERSON_ID=PARTIJ_ID expected"):format(m))
    end
    person("--match", id)
    match[id] = math.tointeger(tonumber(target)) or target
  end
  for _, id in ipairs(skips or {}) do
    person("--skip", id)
    match[id] = false
  end
  return match
end

-- A refused link in words: each grade and problem the refusal rests on.
local function explain_refusal(run, info)
  local lines = {}
  for _, g in ipairs(info and info.grades or {}) do
    lines[#lines + 1] = ("  person %d vs Hypotheekgever %s: %s"):format(g.person, tostring(g.hypotheekgever),
      g.grade)
  end
  for _, p in ipairs(info and info.problems or {}) do lines[#lines + 1] = "  " .. problem_line(p, run.paint) end
  return lines
end

function commands.link(run, a)
  local inputs = paths(a.file, a.format_file, a.schema, table.unpack(a.cdl))
  for _, c in ipairs(a.cdl) do
    if c == "-" then
      usage("AXL-U01", "CDL files are read from files, not standard input (a delivery may be several)")
    end
  end
  local xml_out = a.output or (not a.json and "-" or nil)
  check_outputs({ { flag = "-o", path = xml_out },
    { flag = "--json", path = a.json and a.output ~= "-" and "-" or nil },
    { flag = "--provenance", path = a.provenance } }, inputs)
  if a.provenance and not a.fill then usage("AXL-U01", "--provenance needs --fill (it records fill's changes)") end
  if a.format_file then
    local ok, err, info = axlink.cdl.load(a.format_file)
    if not ok then fail(err, EXIT_BAD, info) end
  end
  local msg = run:read_ax(a.file, { schema = run:load_schema(a.schema) })
  run:progress(("reading %d CDL file(s)"):format(#a.cdl))
  local delivery, derr, dinfo = axlink.cdl.read(a.cdl, { format = a.format, person_id = a.person_id })
  if not delivery then fail(derr, EXIT_BAD, dinfo) end
  local match = parse_match(a.match, a.skip, delivery)
  -- One all-or-nothing step (DESIGN 7.4): link, fill, check on the message.
  local result, lerr, linfo = axlink.cdl.apply(msg, delivery, { match = match, force = a.force,
    replace = a.replace, fill = a.fill, household = a.household, pension_basis = a.pension_basis,
    overwrite = a.overwrite })
  local report, refused
  if result then
    report = result.report
  elseif linfo and linfo.code == "AXL-C25" then
    -- Rule or validation errors the step would introduce: reported like any
    -- rule error (exit 1, nothing written); the message is as it was. The
    -- blocking problems a rule report does not hold (validation's) join it.
    local problems, seen = {}, {}
    for _, p in ipairs(linfo.report.problems) do
      problems[#problems + 1] = p
      seen[p] = true
    end
    for _, p in ipairs(linfo.problems) do
      if not seen[p] then
        problems[#problems + 1] = { code = p.code, severity = "error", path = p.path, line = p.line,
          message = p.message }
      end
    end
    report, result = { ok = false, problems = problems }, { links = {}, skipped = {}, warnings = {} }
    refused = true
  else
    run.details = explain_refusal(run, linfo)
    if linfo and linfo.code == "AXL-L05" and not a.person_id then
      -- A file without person keys (iWize's): the host knows the key.
      lerr = lerr .. "; give it with --person-id"
    end
    fail(lerr, EXIT_BAD, linfo)
  end
  local filled = a.fill and result.changes and result or nil
  local exit = worst(report.problems)
  if refused and exit == EXIT_OK then exit = EXIT_FINDINGS end
  if exit == EXIT_OK then
    if xml_out then write_output(xml_out, msg) end
    if a.provenance and filled then write_text(a.provenance, axlink.cdl.provenance(filled)) end
  end
  if a.json then
    local out = { ok = exit == EXIT_OK, links = array(result.links), skipped = array(result.skipped),
      warnings = array(result.warnings), problems = array(report.problems) }
    if filled then
      local function strip(list)
        if a.show_values then return array(list) end
        local r = array()
        for i, c in ipairs(list) do r[i] = { path = c.path, source = c.source, source_date = c.source_date,
          kind = c.kind, reason = c.reason } end
        return r
      end
      out.fill = { changes = strip(filled.changes), proposals = strip(filled.proposals),
        conflicts = strip(filled.conflicts) }
    end
    -- With -o - standard output is the XML's; when nothing was written it
    -- is free again, and the report goes there.
    if a.output ~= "-" or exit ~= EXIT_OK then io.stdout:write(to_json(out), "\n") end
  elseif not a.quiet or exit ~= EXIT_OK then
    for _, l in ipairs(result.links) do
      io.stderr:write(("linked: person %d -> Hypotheekgever %d, Dataleverancier %s (%s%s)\n"):format(
        l.person, l.hypotheekgever, l.ref, l.grade, l.created and "" or ", already linked"))
    end
    for _, s in ipairs(result.skipped) do
      io.stderr:write(("skipped: person %d (%s)\n"):format(s.person, s.reason))
    end
    for _, w in ipairs(result.warnings) do
      io.stderr:write(run.paint("warning", "warning: ") .. w.code .. " " .. w.message .. "\n")
    end
    if filled then
      io.stderr:write(("fill: %d change(s), %d proposal(s), %d conflict(s)\n"):format(#filled.changes,
        #filled.proposals, #filled.conflicts))
      for _, c in ipairs(filled.changes) do
        io.stderr:write(("  %s <- %s%s\n"):format(c.path, c.source or "?",
          a.show_values and (" = " .. tostring(c.new)) or ""))
      end
      for _, c in ipairs(filled.conflicts) do
        io.stderr:write(("  conflict %s (%s differs; not overwritten%s)\n"):format(c.path, c.source or "?",
          a.show_values and (": AX " .. tostring(c.ax_value) .. ", CDL " .. tostring(c.cdl_value)) or ""))
      end
      for _, c in ipairs(filled.proposals) do
        io.stderr:write(("  proposal %s (%s)\n"):format(c.path, c.reason or "proposed"))
      end
    end
    run:print_problems(report.problems, run.paint, io.stderr)
    if exit ~= EXIT_OK then io.stderr:write("axlink: rule errors: nothing written\n") end
  end
  return exit
end

function commands.unlink(run, a)
  check_outputs({ { flag = "-o", path = a.output or "-" } }, { a.file })
  local msg = run:read_ax(a.file)
  local ok, uerr, uinfo = msg:unlink { persoons_id = a.persoons_id, dataleverancier_id = a.dataleverancier_id }
  if not ok then fail(uerr, EXIT_BAD, uinfo) end
  write_output(a.output, msg)
  return EXIT_OK
end

commands["schema-check"] = function(run, a)
  local s = run:load_schema(a.xsd)
  local report = s:conformance()
  local limits = s:limits()
  if a.json then
    io.stdout:write(to_json({ file = a.xsd, ok = report.ok, limits = limits, problems = array(report.problems) }),
      "\n")
  elseif not a.quiet or not report.ok then
    local function fmt(o)
      if not o then return "undecided" end
      return ("%s..%s"):format(o.min, o.max == math.huge and "unbounded" or o.max)
    end
    io.stdout:write(("ExterneIdentificatie per Hypotheekgever: %s\nDataleverancier: %s\n"):format(
      fmt(limits[N.external_id]), fmt(limits[N.supplier])))
    run:print_problems(report.problems, run.paint)
    io.stdout:write(report.ok and run.paint("ok", "conforms to the ketenafspraak\n")
      or run.paint("error", "does not conform\n"))
  end
  return worst(report.problems)
end

function commands.validate(run, a)
  local schema = run:load_schema(a.schema)
  local msg, err, info = run:read_message(a.file)
  if not msg then fail(err, EXIT_BAD, info) end
  local ok, problems = msg:validate(schema)
  if a.json then
    io.stdout:write(to_json({ file = a.file, ok = ok, problems = array(problems) }), "\n")
  elseif not a.quiet or not ok then
    run:print_problems(problems, run.paint)
    io.stdout:write(ok and run.paint("ok", "valid\n") or run.paint("error", "not valid\n"))
  end
  return ok and EXIT_OK or EXIT_FINDINGS
end

-- A CDL file's structure: format, key present, persons and their sources.
-- The names of a person's facts in vocabulary order, a list's with its
-- length ("pensions (2)"): what the CDL said, without a value.
local FACT_ORDER = { "identity", "address", "employments", "income_statement", "benefits", "aow", "pensions",
  "study_loans" }

local function fact_names(facts)
  local names = array()
  for _, name in ipairs(FACT_ORDER) do
    local f = type(facts) == "table" and facts[name]
    if f then names[#names + 1] = f[1] and ("%s (%d)"):format(name, #f) or name end
  end
  return names
end

local function show_delivery(a, d)
  local persons = array()
  for i, p in ipairs(d.persons) do
    local sources = array()
    for j, s in ipairs(p.sources or {}) do sources[j] = s.code end
    persons[i] = { person = i, role = p.role, has_key = p.id ~= nil, sources = sources,
      facts = fact_names(p.facts), values = a.show_values and p.facts or nil }
  end
  if a.json then
    io.stdout:write(to_json({ file = a.file, format = d.format, supplier = d.supplier,
      sources = array(d.sources), persons = persons }), "\n")
    return EXIT_OK
  end
  io.stdout:write(("CDL delivery (%s%s): %d person(s), file sources %s\n"):format(d.format,
    d.supplier and (", " .. d.supplier) or "", #d.persons, table.concat(d.sources or {}, ", ")))
  for _, p in ipairs(persons) do
    io.stdout:write(("  person %d (%s): %s, sources %s\n    facts: %s\n"):format(p.person, p.role or "role unknown",
      p.has_key and "has a PersoonsID" or "no PersoonsID", table.concat(p.sources, ", "),
      #p.facts > 0 and table.concat(p.facts, ", ") or "none"))
  end
  return EXIT_OK
end

function commands.show(run, a)
  if a.format_file then
    local ok, err, info = axlink.cdl.load(a.format_file)
    if not ok then fail(err, EXIT_BAD, info) end
  end
  local msg, err, info = run:read_message(a.file)
  if (not msg or a.format) and a.file ~= "-" then
    local d, derr, dinfo = axlink.cdl.read(a.file, { format = a.format })
    if d then return show_delivery(a, d) end
    if a.format then fail(derr, EXIT_BAD, dinfo) end
  end
  if not msg then fail(err, EXIT_BAD, info) end
  local demo = require "axlink.demo"
  if a.json then
    io.stdout:write(to_json({ file = a.file, root = msg:root(), summary = array(demo.summary(msg)) }), "\n")
    return EXIT_OK
  end
  io.stdout:write(msg:root(), "\n")
  for _, line in ipairs(demo.summary(msg)) do io.stdout:write("  ", line, "\n") end
  return EXIT_OK
end

function commands.demo(_, a)
  local done, err = require("axlink.demo").run(io.stdout, { show_values = a.show_values })
  if not done then fail(err) end
  return EXIT_OK
end

-- {======================================================================
-- The lender's side (DESIGN 10)
-- =======================================================================

-- bronaanvraag: one BronAanvraagBericht per link and product, one file
-- each in -o DIR (default the current directory), named
-- <hypotheekgever>-<n>-<product code>.xml. Nothing is written unless every
-- request could be built, and no existing file is replaced.
commands.bronaanvraag = function(run, a)
  local msg = run:read_ax(a.file)
  local list, err, info = msg:bronaanvragen {
    data_mij_nr = a.data_mij_nr, gegevens_verzoek_versie = a.versie, ontvanger_naam = a.ontvanger,
    supplier = a.supplier, use_inferred_supplier = a.use_inferred_supplier,
    volgnummer = a.volgnummer, products = #a.product > 0 and a.product or nil,
  }
  if not list then fail(err, EXIT_BAD, info) end
  local dir = a.output or "."
  local names = require("axlink.bronaanvraag").file_names(list)
  local targets = {}
  for i, n in ipairs(names) do
    targets[i] = dir .. "/" .. n
    local existing = io.open(targets[i], "rb")
    if existing then
      existing:close()
      usage("AXL-U02", ("%s exists: refused, nothing written (choose another -o DIR)"):format(targets[i]))
    end
    if same_file(targets[i], a.file) then
      usage("AXL-U02", ("%s is the input: refused, nothing written"):format(targets[i]))
    end
  end
  -- All or nothing: the files did not exist, so removing the ones this run
  -- wrote when a later one fails (or a signal comes) loses nothing.
  local done, why = pcall(function()
    for i, e in ipairs(list) do write_output(targets[i], e.message) end
  end)
  if not done then
    for _, p in ipairs(targets) do
      for k = #written, 1, -1 do
        if written[k] == p then
          os.remove(p)
          table.remove(written, k)
        end
      end
    end
    error(why, 0)
  end
  if a.json then
    local out = array()
    for i, e in ipairs(list) do
      out[i] = { file = targets[i], hypotheekgever = e.hypotheekgever, persoons_id = e.persoons_id,
        dataleverancier_id = e.dataleverancier_id, product = e.product }
    end
    io.stdout:write(to_json({ ok = true, requests = out }), "\n")
  elseif not a.quiet then
    for i, e in ipairs(list) do
      io.stdout:write(("%s: Hypotheekgever %s, PersoonsID %s, %s\n"):format(targets[i], tostring(e.hypotheekgever),
        e.persoons_id, e.product))
    end
  end
  return EXIT_OK
end

-- status: records read-back answer records into the ledger, then shows
-- every row and what is due.
commands.status = function(run, a)
  local ledger, err, info = axlink.brondata.ledger(a.ledger)
  if not ledger then fail(err, EXIT_BAD, info) end
  -- All or nothing: the ledger is saved after each record, so it is put
  -- back as it was (or removed, when it did not exist) if one fails.
  local records = {}
  for i, path in ipairs(a.record) do records[i] = run:read_bytes(path, "AXL-E02") end
  local f = io.open(a.ledger, "rb")
  local before = f and f:read("a")
  if f then f:close() end
  local done, why = pcall(function()
    for _, json in ipairs(records) do
      not_interrupted()
      local row, rerr, rinfo = ledger:received(json, a.at)
      if not row then fail(rerr, EXIT_BAD, rinfo) end
    end
  end)
  if not done then
    if before then core._write_file(a.ledger, before) elseif #a.record > 0 then os.remove(a.ledger) end
    error(why, 0)
  end
  local rows = ledger:rows()
  local due, derr, dinfo = ledger:due(a.at)
  if not due then fail(derr, EXIT_BAD, dinfo) end
  if a.json then
    io.stdout:write(to_json({ ok = true, ledger = a.ledger, rows = array(rows), due = array(due) }), "\n")
    return EXIT_OK
  end
  for _, r in ipairs(rows) do
    io.stdout:write(("%s %s %s: %s since %s (%d attempt%s)\n"):format(r.persoons_id, r.product,
      a.show_values and r.dataleverancier_id or "(file key)", r.state, tostring(r.since), r.attempts or 0,
      r.attempts == 1 and "" or "s"))
  end
  for _, r in ipairs(due) do
    io.stdout:write(("due: %s %s: %s\n"):format(r.persoons_id, r.product, r.action))
  end
  if #rows == 0 and not a.quiet then io.stdout:write("no requests in ", a.ledger, "\n") end
  return EXIT_OK
end

-- carry: the links of OLD onto NEW, matched by grading (never position).
commands.carry = function(run, a)
  check_outputs({ { flag = "-o", path = a.output or "-" } }, { a.old, a.new })
  local old = run:read_ax(a.old)
  local new = run:read_ax(a.new)
  local result, err, info = new:carry(old)
  if not result then
    run.details = explain_refusal(run, info)
    fail(err, EXIT_BAD, info)
  end
  write_output(a.output, new)
  if a.json then
    if a.output and a.output ~= "-" then
      io.stdout:write(to_json({ ok = true, links = array(result.links), matches = array(result.matches) }), "\n")
    end
  elseif not a.quiet then
    for _, m in ipairs(result.matches) do
      io.stderr:write(("carried: Hypotheekgever %s -> %s\n"):format(tostring(m.old), tostring(m.new)))
    end
  end
  return EXIT_OK
end

-- verify-identity: a received answer's identity facts against the linked
-- applicant. Exit 1 when a field differs or a grade is not verified.
commands["verify-identity"] = function(run, a)
  for _, p in ipairs(a.answer) do
    if p == "-" then usage("AXL-U01", "answers are read from files, not standard input (an answer may be several)") end
  end
  local msg = run:read_ax(a.file)
  local delivery, err, info = axlink.cdl.read(a.answer, { format = a.format })
  if not delivery then fail(err, EXIT_BAD, info) end
  local result, verr, vinfo = axlink.verify_identity(msg, delivery, { show_values = a.show_values })
  if not result then fail(verr, EXIT_BAD, vinfo) end
  local exit = EXIT_OK
  for _, r in ipairs(result) do
    if r.grade ~= "verified" then exit = EXIT_FINDINGS end
    for _, f in ipairs(r.fields) do
      if f.result == "differs" then exit = EXIT_FINDINGS end
    end
  end
  if a.json then
    for _, r in ipairs(result) do r.fields = array(r.fields) end
    io.stdout:write(to_json({ ok = exit == EXIT_OK, links = array(result) }), "\n")
    return exit
  end
  for _, r in ipairs(result) do
    local fields = {}
    for i, f in ipairs(r.fields) do
      fields[i] = f.field .. " " .. f.result ..
        (a.show_values and f.result == "differs" and (" (AX %s, CDL %s)"):format(tostring(f.ax), tostring(f.cdl)) or "")
    end
    io.stdout:write(("Hypotheekgever %s, PersoonsID %s: %s; %s\n"):format(tostring(r.hypotheekgever),
      r.persoons_id, r.grade, table.concat(fields, ", ")))
  end
  return exit
end

-- wrap: a platform record over exactly the bytes of FILE (no signature:
-- signing is the caller's, with its own key).
commands.wrap = function(run, a)
  check_outputs({ { flag = "-o", path = a.output or "-" } }, { a.file })
  local bytes = run:read_bytes(a.file, "AXL-E02")
  local json, err, info = axlink.platform.wrap(bytes, {
    receiver = a.receiver, requestVersion = a.request_version,
    requestSchema = { messageType = a.message_type, receiverCode = a.receiver_code,
      schemaVersion = a.schema_version, contentType = "XML", environment = a.environment },
  }, { max_bytes = run.args.max_bytes })
  if not json then fail(err, EXIT_BAD, info) end
  write_text(a.output or "-", json)
  return EXIT_OK
end

-- unwrap: the exact message bytes of a record (to archive, parse, check).
commands.unwrap = function(run, a)
  check_outputs({ { flag = "-o", path = a.output or "-" } }, { a.file })
  local json = run:read_bytes(a.file, "AXL-E02")
  local bytes, err, info = axlink.platform.unwrap(json, { max_bytes = run.args.max_bytes,
    name = a.file:match("[^/]*$") })
  if not bytes then fail(err, EXIT_BAD, info) end
  write_text(a.output or "-", bytes)
  return EXIT_OK
end

-- {======================================================================
-- Arguments
-- =======================================================================

-- Flags that work before or after the command (DESIGN 8). They are taken
-- out of the arguments first, so argparse sees each command's own only.
local GLOBAL_FLAGS = { ["--json"] = "json", ["--quiet"] = "quiet", ["--show-values"] = "show_values",
  ["--no-color"] = "no_color" }
local GLOBAL_SIZES = { ["--max-bytes"] = "max_bytes", ["--max-elements"] = "max_elements" }
local GLOBAL_HELP = "Global flags (before or after the command): --json, --quiet, --show-values, --no-color, " ..
  "--max-bytes N, --max-elements N (N with K, M or G)."

-- "16M" -> 16777216; K, M, G are powers of 1024. nil when not a size.
local function size(text)
  local n, unit = tostring(text):match("^(%d+)([KkMmGg]?)$")
  if not n then return nil end
  local f = ({ [""] = 1, k = 1024, m = 1024 ^ 2, g = 1024 ^ 3 })[unit:lower()]
  return math.tointeger(tonumber(n) * f)
end

-- Splits argv into the global settings and the rest; `takes_value` names
-- the options whose next argument is a value, never a flag.
local function take_globals(argv, takes_value)
  local globals, rest = {}, {}
  local i = 1
  while i <= #argv do
    local arg = argv[i]
    local name, inline = arg:match("^(%-%-[%w-]+)=(.*)$")
    name = name or arg
    if arg == "--" then
      for j = i, #argv do rest[#rest + 1] = argv[j] end
      break
    elseif GLOBAL_FLAGS[arg] then
      globals[GLOBAL_FLAGS[arg]] = true
    elseif GLOBAL_SIZES[name] then
      local v = inline
      if not v then
        i = i + 1
        v = argv[i]
      end
      local n = v and size(v)
      if not n or n < 1 then
        -- The flags taken so far come back too: --json still answers.
        return nil, ("%s expects a positive size such as 16M, got %s"):format(name, tostring(v)), globals
      end
      globals[GLOBAL_SIZES[name]] = n
    else
      rest[#rest + 1] = arg
      if takes_value[arg] and argv[i + 1] then
        i = i + 1
        rest[#rest + 1] = argv[i]
      end
    end
    i = i + 1
  end
  return globals, rest
end

local function parser()
  local takes_value = {}
  -- An option with a value, recorded so the global flags never take it.
  local function option(cmd, names, text)
    for n in names:gmatch("%S+") do takes_value[n] = true end
    return cmd:option(names, text)
  end
  local p = argparse("axlink", "HDN AX mortgage messages and Consumenten Data Leverancier (CDL) links.")
    :epilog("Examples:\n  axlink link aanvraag.xml ockto.json -o aanvraag-met-cdl.xml\n" ..
      "  axlink check aanvraag.xml --mode receive\n  axlink demo\n\n" .. GLOBAL_HELP)
  p:flag("--version", "Print the version and exit.")
  p:flag("--json", "Machine-readable output, errors included (see doc/cli.md).")
  p:flag("--quiet", "Print nothing but errors and findings.")
  p:flag("--show-values", "Also print data values (names, dates, amounts).")
  p:flag("--no-color", "No colours, also on a terminal (as NO_COLOR).")
  p:option("--max-bytes", "Largest AX accepted (default 16M).")
  p:option("--max-elements", "Most elements accepted in an AX (default 1000000).")
  p:command_target("command")
  p:require_command(false)

  local by_name = {}
  local function command(name, text, example)
    by_name[name] = p:command(name, text):epilog("Example: " .. example .. "\n" .. GLOBAL_HELP)
    return by_name[name]
  end

  local link = command("link", "Link CDL files to the applicants of an AX message.",
    "axlink link aanvraag.xml ockto.json --match d0228eea-...=745 -o out.xml")
  link:argument("file", "The AX message (- for standard input).")
  link:argument("cdl", "CDL file(s) of one delivery."):args("+")
  option(link, "-o --output", "Write the linked AX here (- for standard output, the default without --json).")
  option(link, "--format", "Force a CDL format by name.")
  option(link, "--format-file", "Load a format from a Lua file first.")
  option(link, "--person-id", "The person's key for a file that carries none (iwize-json).")
  option(link, "--match", "PERSON_ID=VOLGNUMMER or PERSON_ID=PARTIJ_ID."):count("*")
  option(link, "--skip", "PERSON_ID that is not an applicant in this AX."):count("*")
  link:flag("--force", "Link despite a birth-date conflict.")
  link:flag("--replace", "Replace an earlier link to a file of the same supplier.")
  link:flag("--fill", "Fill the AX from the CDL data (see doc/mapping.md).")
  option(link, "--household", "single or couple (the AOW amount depends on it)."):choices { "single", "couple" }
  option(link, "--pension-basis", "accrued or prospective (lender policy)."):choices { "accrued", "prospective" }
  link:flag("--overwrite", "Let --fill overwrite existing values.")
  option(link, "--provenance", "Write fill's change list as JSON here (- for standard output).")
  option(link, "--schema", "The receiver's XSD: limits and validation.")

  local check = command("check", "Check the ketenafspraak rules (AXL-R01..R18).",
    "axlink check aanvraag.xml --mode receive --max-externe 5")
  check:argument("file", "The AX message (- for standard input).")
  option(check, "--mode", "send (adviser, strict) or receive (lender)."):choices { "send", "receive" }
  option(check, "--schema", "The receiver's XSD: its limits.")
  option(check, "--max-externe", "ExterneIdentificatie per Hypotheekgever."):convert(math.tointeger)
  option(check, "--max-dataleverancier", "Dataleverancier in the message."):convert(math.tointeger)

  local links = command("links", "List the CDL links of an AX (the lender's view).", "axlink links aanvraag.xml --json")
  links:argument("file", "The AX message (- for standard input).")

  local unlink = command("unlink", "Remove one person's link to one CDL file.",
    "axlink unlink aanvraag.xml --persoons-id d0228eea-... --dataleverancier-id eyJ... -o out.xml")
  unlink:argument("file", "The AX message (- for standard input).")
  option(unlink, "--persoons-id", "The PersoonsID."):count(1)
  option(unlink, "--dataleverancier-id", "The DataleverancierID."):count(1)
  option(unlink, "-o --output", "Write the result here (- for standard output, the default).")

  local sc = command("schema-check", "Check a lender's schema against the ketenafspraak.",
    "axlink schema-check organisatieschema.xsd")
  sc:argument("xsd", "The organisation schema.")

  local validate = command("validate", "Validate an AX against a schema.",
    "axlink validate aanvraag.xml --schema organisatieschema.xsd")
  validate:argument("file", "The AX message (- for standard input).")
  option(validate, "--schema", "The XSD."):count(1)

  local show = command("show", "Summarise an AX message or a CDL file (structure only, no personal values).",
    "axlink show aanvraag.xml")
  show:argument("file", "The AX message or CDL file (- for standard input: AX only).")
  option(show, "--format", "Read the file as this CDL format.")
  option(show, "--format-file", "Load a format from a Lua file first.")

  local ba = command("bronaanvraag", "Build the BronAanvraagBericht requests for the links of an AX (lender).",
    "axlink bronaanvraag aanvraag.xml --data-mij-nr REF-1 --versie 1.0 --ontvanger 'Bank NV' -o requests")
  ba:argument("file", "The AX message (- for standard input).")
  option(ba, "--data-mij-nr", "Your own reference for the request (DataMijNr)."):count(1)
  option(ba, "--versie", "GegevensVerzoekVersie agreed with the CDL."):count(1)
  option(ba, "--ontvanger", "DataleverancierOntvangerNaam agreed with the CDL."):count(1)
  option(ba, "--supplier", "DataleverancierNaam, e.g. '02 Ockto' (default: the link's).")
  ba:flag("--use-inferred-supplier", "Use the supplier inferred from the key's shape.")
  option(ba, "--volgnummer", "Volgnummer of the entities (default 1)."):convert(math.tointeger)
  option(ba, "--product", "SoortProduct to ask for (default '26 Basis Registratie Personen')."):count("*")
  option(ba, "-o --output", "Directory to write the requests to (default: the current one).")

  local st = command("status", "Show a ledger of requests and answers; record read-back answer records.",
    "axlink status ledger.json answer-record.json")
  st:argument("ledger", "The ledger file (JSON; created when missing).")
  st:argument("record", "Read-back platform records of answers to record."):args("*")
  option(st, "--at", "The date of the answers and of what is due (default today, UTC).")

  local ca = command("carry", "Copy the links of an earlier version of an AX onto a new one.",
    "axlink carry aanvraag-v1.xml aanvraag-v2.xml -o aanvraag-v2-linked.xml")
  ca:argument("old", "The earlier version.")
  ca:argument("new", "The new version.")
  option(ca, "-o --output", "Write the new version with its links here (- for standard output, the default).")

  local vi = command("verify-identity", "Compare a BRP answer's identity with the linked applicants (lender).",
    "axlink verify-identity aanvraag.xml brp-answer.xml")
  vi:argument("file", "The AX message.")
  vi:argument("answer", "The answer file(s), any CDL format."):args("+")
  option(vi, "--format", "Force a CDL format by name.")

  local wr = command("wrap", "Wrap a message in an HDN platform record (unsigned: signing is yours).",
    "axlink wrap request.xml --receiver AG --request-version 1 --message-type BronAanvraagBericht " ..
    "--receiver-code HDN --schema-version 25.0 --environment acceptatie -o record.json")
  wr:argument("file", "The message (- for standard input).")
  option(wr, "--receiver", "header.receiver"):count(1)
  option(wr, "--request-version", "header.requestVersion (a string, \"1\" first)."):count(1)
  option(wr, "--message-type", "requestSchema.messageType"):count(1)
  option(wr, "--receiver-code", "requestSchema.receiverCode"):count(1)
  option(wr, "--schema-version", "requestSchema.schemaVersion"):count(1)
  option(wr, "--environment", "requestSchema.environment"):choices { "production", "stage", "acceptatie" }
    :count(1)
  option(wr, "-o --output", "Write the record here (- for standard output, the default).")

  local un = command("unwrap", "The exact message bytes of an HDN platform record.",
    "axlink unwrap record.json -o message.xml")
  un:argument("file", "The record (JSON).")
  option(un, "-o --output", "Write the bytes here (- for standard output, the default).")

  command("demo", "Run the main job on the bundled example data.", "axlink demo")
  return p, takes_value, by_name
end

-- The failure as --json prints it: the API's code, line and path, and for a
-- refused link the grades and problems it rests on.
local function json_error(status)
  local info = type(status.info) == "table" and status.info or {}
  local code = info.code or (status.text and status.text:match("AXL%-%u%d+"))
  return to_json({ ok = false, error = { code = code, message = status.text, path = info.path, line = info.line,
    grades = info.grades and array(info.grades), problems = info.problems and array(info.problems) } })
end

--- Runs the command line; returns the exit status.
function M.main(argv)
  local p, takes_value, commands_by_name = parser()
  local globals, rest, taken = take_globals(argv, takes_value)
  local ok, args
  if globals then
    ok, args = p:pparse(rest)
  else
    ok, args, globals = false, rest, taken
  end
  -- A failure before a command ran: JSON with --json, else text.
  local function refuse_usage(text, code)
    if globals and globals.json then
      io.stdout:write(to_json({ ok = false, error = { code = code or "AXL-U01", message = text } }), "\n")
      return true
    end
  end
  if not ok then
    if not refuse_usage(tostring(args)) then
      -- The usage of the command given, when one was: what the user needs.
      local usage_of = p
      for _, a in ipairs(type(rest) == "table" and rest or argv) do
        if commands_by_name[a] then
          usage_of = commands_by_name[a]
          break
        end
      end
      io.stderr:write(usage_of:get_usage(), "\naxlink: ", tostring(args), "\n")
    end
    return EXIT_BAD
  end
  for k, v in pairs(globals) do args[k] = v end
  if args.version then
    io.stdout:write("axlink ", axlink._VERSION, " (libxml2 ", axlink.libxml2_version, ")\n")
    return EXIT_OK
  end
  if not args.command then
    if not refuse_usage("no command given (axlink --help lists them)") then io.stderr:write(p:get_help(), "\n") end
    return EXIT_BAD
  end
  core._catch_signals()
  local color = is_tty(1) and not os.getenv("NO_COLOR") and not args.no_color and not args.json
  local run = setmetatable({ args = args, paint = painter(color) }, Run)
  local done, status = pcall(commands[args.command], run, args)
  -- From here on a signal is only recorded: nothing may escape the report.
  core._defer_signals(true)
  -- A signal wins over whatever the run made of it (a pcall on the way may
  -- have turned the interruption into another error, or swallowed it).
  local sig = core._caught()
  if sig then
    local line = ("interrupted by %s%s"):format(sig, #written == 0 and ": nothing written"
      or (": after writing %s"):format(table.concat(written, ", ")))
    io.stderr:write("axlink: ", line, "\n")
    if args.json then refuse_usage(line, "AXL-U05") end
    return EXIT_SIGNAL[sig]
  end
  if done then return status end
  if type(status) == "table" and status.exit then
    if args.json then
      io.stdout:write(json_error(status), "\n")
    else
      io.stderr:write("axlink: ", status.text, "\n")
      -- What the refusal rests on (grades, problems: a schema's compile
      -- errors one by one, a link's rule problems), for every command.
      for _, line in ipairs(run.details or explain_refusal(run, status.info)) do io.stderr:write(line, "\n") end
    end
    return status.exit
  end
  if not refuse_usage("internal error: " .. tostring(status), "AXL-U06") then
    io.stderr:write("axlink: internal error: ", tostring(status), "\n")
  end
  return EXIT_BAD
end

return M
