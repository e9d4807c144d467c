--- The axlink command line (DESIGN 8).
-- Exit status: 0 all well, 1 rule or validation errors found, 2 bad input or
-- usage. Data values (names, dates, amounts) are printed only with
-- --show-values; `links` prints the keys, which are its output. Nothing is
-- written when a run fails, and -o onto an input file is refused.
-- @module axlink.cli

local argparse = require "argparse"
local axlink = require "axlink"
local core = require "axlink.core"

local M = {}

local EXIT_OK, EXIT_FINDINGS, EXIT_BAD = 0, 1, 2

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
-- Reading inputs
-- =======================================================================

local Run = {}
Run.__index = Run

function Run:progress(text)
  if is_tty(2) and not self.args.quiet and not self.args.json then io.stderr:write(text, "\n") end
end

function Run:read_message(path, opts)
  if path == "-" then
    if self.stdin_used then return nil, "standard input can be read only once" end
    self.stdin_used = true
    local o = { name = "stdin" }
    for k, v in pairs(opts or {}) do o[k] = v end
    return axlink.parse(io.stdin:read("a"), o)
  end
  return axlink.read(path, opts)
end

function Run.load_schema(_, path)
  if not path then return nil end
  local s, err = axlink.schema.load(path)
  if not s then error({ exit = EXIT_BAD, text = err }, 0) end
  return s
end

local function fail(text, exit)
  error({ exit = exit or EXIT_BAD, text = text }, 0)
end

-- Refuses -o onto any of the inputs: the same file, whatever the path says.
local function check_output(out, inputs)
  if not out or out == "-" then return end
  for _, p in ipairs(inputs) do
    if p ~= "-" and core._same_file(out, p) then
      fail(("-o %s is one of the input files: refused"):format(out))
    end
  end
end

local function write_output(out, msg)
  if not out or out == "-" then
    io.stdout:write(msg:serialize())
    return true
  end
  local ok, err = msg:write(out)
  if not ok then fail(err) end
  return true
end

local function write_file_atomic(path, text)
  local tmp = path .. ".axlink-tmp"
  local f, err = io.open(tmp, "wb")
  if not f then fail(("cannot write %s: %s"):format(path, err)) end
  f:write(text)
  f:close()
  local ok, rerr = os.rename(tmp, path)
  if not ok then
    os.remove(tmp)
    fail(("cannot write %s: %s"):format(path, rerr))
  end
end

-- {======================================================================
-- Reports
-- =======================================================================

function Run.print_problems(_, problems, paint)
  for _, p in ipairs(problems) do
    local where = p.path or p.file or ""
    if p.line then where = where .. ":" .. p.line end
    io.stdout:write(("%s %s %s %s\n"):format(paint(p.severity, p.severity), p.code, where, p.message))
  end
end

local function worst(problems)
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
  local msg, err = run:read_message(a.file)
  if not msg then fail(err) end
  local opts = { mode = a.mode, schema = run:load_schema(a.schema) }
  if a.max_externe or a.max_dataleverancier then
    opts.limits = { ExterneIdentificatie = a.max_externe, Dataleverancier = a.max_dataleverancier }
  end
  local report = msg:check(opts)
  if a.json then
    io.stdout:write(to_json({ file = a.file, mode = a.mode or "send", ok = report.ok,
      problems = array(report.problems) }), "\n")
  elseif not a.quiet then
    run:print_problems(report.problems, run.paint)
    io.stdout:write(report.ok and run.paint("ok", "ok") or run.paint("error", "errors"),
      (" (%d problem%s)\n"):format(#report.problems, #report.problems == 1 and "" or "s"))
  end
  return worst(report.problems)
end

function commands.links(run, a)
  local msg, err = run:read_message(a.file)
  if not msg then fail(err) end
  local links = msg:links()
  if not a.show_values then
    for _, l in ipairs(links) do l.partij = nil end   -- names and dates only with the flag
  end
  if a.json then
    for _, l in ipairs(links) do l.missing = array(l.missing) end
    io.stdout:write(to_json({ file = a.file, links = array(links) }), "\n")
    return EXIT_OK
  end
  for _, l in ipairs(links) do
    local line = ("Hypotheekgever %s: PersoonsID %s -> Dataleverancier %s (ref %s)"):format(
      tostring(l.hypotheekgever or "?"), l.persoons_id or "(none)", l.dataleverancier_id or "(none)",
      l.ref or "none")
    if l.supplier then line = line .. (", %s (inferred)"):format(l.supplier) end
    if #l.missing > 0 then line = line .. run.paint("warning", " missing: " .. table.concat(l.missing, ", ")) end
    if l.partij then
      line = line .. (" [%s, %s]"):format(l.partij.surname or "?", l.partij.birth_date or "?")
    end
    io.stdout:write(line, "\n")
  end
  if #links == 0 and not a.quiet then io.stdout:write("no ExterneIdentificatie\n") end
  return EXIT_OK
end

local function parse_match(list, skips)
  local match = {}
  for _, m in ipairs(list or {}) do
    local id, target = m:match("^(.-)=(.+)$")
    if not id or id == "" then fail(("--match %s: PERSON_ID=VOLGNUMMER or PERSON_ID=PARTIJ_ID expected"):format(m)) end
    match[id] = math.tointeger(tonumber(target)) or target
  end
  for _, id in ipairs(skips or {}) do match[id] = false end
  return match
end

function commands.link(run, a)
  check_output(a.output, { a.file, table.unpack(a.cdl) })
  if a.format_file then
    local ok, err = axlink.cdl.load(a.format_file)
    if not ok then fail(err) end
  end
  local msg, err = run:read_message(a.file, { schema = run:load_schema(a.schema) })
  if not msg then fail(err) end
  run:progress(("reading %d CDL file(s)"):format(#a.cdl))
  local delivery, derr = axlink.cdl.read(a.cdl, { format = a.format, person_id = a.person_id })
  if not delivery then fail(derr) end
  local result, lerr, linfo = msg:link(delivery, { match = parse_match(a.match, a.skip), force = a.force,
    replace = a.replace })
  if not result then
    if a.json then
      io.stdout:write(to_json({ ok = false, error = { code = linfo.code, message = lerr,
        grades = linfo.grades and array(linfo.grades), problems = linfo.problems and array(linfo.problems) } }),
        "\n")
    end
    fail(lerr)
  end
  local filled
  if a.fill then
    local t = msg:totable()
    local fr, ferr = axlink.cdl.fill(t, delivery, { household = a.household, pension_basis = a.pension_basis,
      overwrite = a.overwrite })
    if not fr then fail(ferr) end
    local ok, uerr = msg:settable(t)
    if not ok then fail(uerr) end
    filled = fr
  end
  local report = msg:check()
  local exit = worst(report.problems)
  if exit == EXIT_OK then
    if a.provenance and filled then write_file_atomic(a.provenance, axlink.cdl.provenance(filled)) end
    if a.output or not a.json then write_output(a.output, msg) end
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
    if a.output ~= "-" then io.stdout:write(to_json(out), "\n") end
  elseif not a.quiet then
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
    end
    for _, p in ipairs(report.problems) do
      io.stderr:write(("%s %s %s %s\n"):format(run.paint(p.severity, p.severity), p.code, p.path or "", p.message))
    end
    if exit ~= EXIT_OK then io.stderr:write("axlink: rule errors: nothing written\n") end
  end
  return exit
end

function commands.unlink(run, a)
  check_output(a.output, { a.file })
  local msg, err = run:read_message(a.file)
  if not msg then fail(err) end
  local ok, uerr = msg:unlink { persoons_id = a.persoons_id, dataleverancier_id = a.dataleverancier_id }
  if not ok then fail(uerr) end
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
  elseif not a.quiet then
    local function fmt(o)
      if not o then return "undecided" end
      return ("%s..%s"):format(o.min, o.max == math.huge and "unbounded" or o.max)
    end
    io.stdout:write(("ExterneIdentificatie per Hypotheekgever: %s\nDataleverancier: %s\n"):format(
      fmt(limits.ExterneIdentificatie), fmt(limits.Dataleverancier)))
    run:print_problems(report.problems, run.paint)
    io.stdout:write(report.ok and run.paint("ok", "conforms to the ketenafspraak\n")
      or run.paint("error", "does not conform\n"))
  end
  return worst(report.problems)
end

function commands.validate(run, a)
  local schema = run:load_schema(a.schema)
  local msg, err = run:read_message(a.file)
  if not msg then fail(err) end
  local ok, problems = msg:validate(schema)
  if a.json then
    io.stdout:write(to_json({ file = a.file, ok = ok, problems = array(problems) }), "\n")
  elseif not a.quiet then
    run:print_problems(problems, run.paint)
    io.stdout:write(ok and run.paint("ok", "valid\n") or run.paint("error", "not valid\n"))
  end
  return ok and EXIT_OK or EXIT_FINDINGS
end

-- A CDL file's structure: format, key present, persons and their sources.
local function show_delivery(a, d)
  local persons = array()
  for i, p in ipairs(d.persons) do
    local sources = array()
    for j, s in ipairs(p.sources or {}) do sources[j] = s.code end
    persons[i] = { person = i, role = p.role, has_key = p.id ~= nil, sources = sources }
  end
  if a.json then
    io.stdout:write(to_json({ file = a.file, format = d.format, supplier = d.supplier,
      sources = array(d.sources), persons = persons }), "\n")
    return EXIT_OK
  end
  io.stdout:write(("CDL delivery (%s%s): %d person(s), file sources %s\n"):format(d.format,
    d.supplier and (", " .. d.supplier) or "", #d.persons, table.concat(d.sources or {}, ", ")))
  for _, p in ipairs(persons) do
    io.stdout:write(("  person %d (%s): %s, sources %s\n"):format(p.person, p.role or "role unknown",
      p.has_key and "has a PersoonsID" or "no PersoonsID", table.concat(p.sources, ", ")))
  end
  return EXIT_OK
end

function commands.show(run, a)
  local msg, err = run:read_message(a.file)
  if not msg and a.file ~= "-" then
    local d = axlink.cdl.read(a.file)
    if d then return show_delivery(a, d) end
  end
  if not msg then fail(err) end
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
-- Arguments
-- =======================================================================

local function parser()
  local p = argparse("axlink", "HDN AX mortgage messages and Consumenten Data Leverancier (CDL) links.")
    :epilog("Examples:\n  axlink link aanvraag.xml ockto.json -o aanvraag-met-cdl.xml\n" ..
      "  axlink check aanvraag.xml --mode receive\n  axlink demo")
  p:flag("--version", "Print the version and exit.")
  p:flag("--json", "Machine-readable output (see doc/cli.md).")
  p:flag("--quiet", "Print nothing but errors.")
  p:flag("--show-values", "Also print data values (names, dates, amounts).")
  p:command_target("command")
  p:require_command(false)

  local link = p:command("link", "Link CDL files to the applicants of an AX message.")
    :epilog("Example: axlink link aanvraag.xml ockto.json --match d0228eea-...=745 -o out.xml")
  link:argument("file", "The AX message (- for standard input).")
  link:argument("cdl", "CDL file(s) of one delivery."):args("+")
  link:option("-o --output", "Write the linked AX here (- for standard output, the default).")
  link:option("--format", "Force a CDL format by name.")
  link:option("--format-file", "Load a format from a Lua file first.")
  link:option("--person-id", "The person's key for a file that carries none (iwize-json).")
  link:option("--match", "PERSON_ID=VOLGNUMMER or PERSON_ID=PARTIJ_ID."):count("*")
  link:option("--skip", "PERSON_ID that is not an applicant in this AX."):count("*")
  link:flag("--force", "Link despite a birth-date conflict.")
  link:flag("--replace", "Replace an earlier link to a file of the same supplier.")
  link:flag("--fill", "Fill the AX from the CDL data (see doc/mapping.md).")
  link:option("--household", "single or couple (the AOW amount depends on it).")
  link:option("--pension-basis", "accrued or reachable (lender policy).")
  link:flag("--overwrite", "Let --fill overwrite existing values.")
  link:option("--provenance", "Write fill's change list as JSON here.")
  link:option("--schema", "The receiver's XSD: limits and validation.")
  link:flag("--json", "Machine-readable output.")
  link:flag("--quiet", "Print nothing but errors.")
  link:flag("--show-values", "Also print data values.")

  local check = p:command("check", "Check the ketenafspraak rules (AXL-R01..R17).")
    :epilog("Example: axlink check aanvraag.xml --mode receive --max-externe 5")
  check:argument("file", "The AX message (- for standard input).")
  check:option("--mode", "send (adviser, strict) or receive (lender)."):choices { "send", "receive" }
  check:option("--schema", "The receiver's XSD: its limits.")
  check:option("--max-externe", "ExterneIdentificatie per Hypotheekgever."):convert(math.tointeger)
  check:option("--max-dataleverancier", "Dataleverancier in the message."):convert(math.tointeger)
  check:flag("--json", "Machine-readable output.")
  check:flag("--quiet", "Print nothing but the verdict.")

  local links = p:command("links", "List the CDL links of an AX (the lender's view).")
    :epilog("Example: axlink links aanvraag.xml --json")
  links:argument("file", "The AX message (- for standard input).")
  links:flag("--json", "Machine-readable output.")
  links:flag("--quiet", "Print nothing but the links.")
  links:flag("--show-values", "Also print the applicants' surnames and birth dates.")

  local unlink = p:command("unlink", "Remove one person's link to one CDL file.")
    :epilog("Example: axlink unlink aanvraag.xml --persoons-id d0228eea-... --dataleverancier-id eyJ... -o out.xml")
  unlink:argument("file", "The AX message (- for standard input).")
  unlink:option("--persoons-id", "The PersoonsID."):count(1)
  unlink:option("--dataleverancier-id", "The DataleverancierID."):count(1)
  unlink:option("-o --output", "Write the result here (- for standard output, the default).")

  local sc = p:command("schema-check", "Check a lender's schema against the ketenafspraak.")
    :epilog("Example: axlink schema-check organisatieschema.xsd")
  sc:argument("xsd", "The organisation schema.")
  sc:flag("--json", "Machine-readable output.")
  sc:flag("--quiet", "Print nothing but the verdict.")

  local validate = p:command("validate", "Validate an AX against a schema.")
    :epilog("Example: axlink validate aanvraag.xml --schema organisatieschema.xsd")
  validate:argument("file", "The AX message (- for standard input).")
  validate:option("--schema", "The XSD."):count(1)
  validate:flag("--json", "Machine-readable output.")
  validate:flag("--quiet", "Print nothing but the verdict.")

  local show = p:command("show", "Summarise an AX message or a CDL file (structure only, no personal values).")
    :epilog("Example: axlink show aanvraag.xml")
  show:argument("file", "The AX message (- for standard input).")
  show:flag("--json", "Machine-readable output.")

  p:command("demo", "Run the main job on the bundled example data.")
  return p
end

--- Runs the command line; returns the exit status.
function M.main(argv)
  local p = parser()
  local ok, args = p:pparse(argv)
  if not ok then
    io.stderr:write(p:get_usage(), "\naxlink: ", tostring(args), "\n")
    return EXIT_BAD
  end
  if args.version then
    io.stdout:write("axlink ", axlink._VERSION, " (libxml2 ", axlink.libxml2_version, ")\n")
    return EXIT_OK
  end
  if not args.command then
    io.stderr:write(p:get_help(), "\n")
    return EXIT_BAD
  end
  local color = is_tty(1) and not os.getenv("NO_COLOR") and not args.json
  local run = setmetatable({ args = args, paint = painter(color) }, Run)
  local done, status = pcall(commands[args.command], run, args)
  if done then return status end
  if type(status) == "table" and status.exit then
    if not (args.json and status.exit == EXIT_BAD and args.command == "link" and status.text and
        status.text:match("AXL%-L")) then
      io.stderr:write("axlink: ", status.text, "\n")
    end
    return status.exit
  end
  io.stderr:write("axlink: internal error: ", tostring(status), "\n")
  return EXIT_BAD
end

return M
