-- The axlink command line (DESIGN 8): every command's success and failure
-- paths, exit codes, --json shapes, nothing written on failure, no data
-- value printed without --show-values.
local cjson = require "cjson"

-- AXLINK_CPATH lets the specs run against another build tree.
local ENV = "LUA_PATH='lua/?.lua;lua/?/init.lua;;' LUA_CPATH='" .. (os.getenv("AXLINK_CPATH") or "build/?.so") .. ";;' "

local function run(args, stdin)
  local out, err = os.tmpname(), os.tmpname()
  local cmd = ENV .. "lua5.4 bin/axlink " .. args .. " >" .. out .. " 2>" .. err
  if stdin then cmd = cmd .. " <" .. stdin end
  local _, _, code = os.execute(cmd)
  local function slurp(p)
    local f = assert(io.open(p, "rb"))
    local s = f:read("a")
    f:close()
    os.remove(p)
    return s
  end
  return code, slurp(out), slurp(err)
end

local files = require "support.files"
local tmpdir, slurp = files.tmpdir, files.slurp

local AX = "examples/data/aanvraag.xml"
local CSV = "examples/formats/household.csv"
local FMT = "--format-file examples/formats/household-csv.lua"

describe("axlink CLI #subprocess", function()
  it("prints the version and exits 0", function()
    local code, out = run("--version")
    assert.are.equal(0, code)
    assert.truthy(out:match("^axlink 0%.1%.0 %(libxml2 20914%)\n$"))
  end)

  it("gives usage errors exit 2 and help with an example for every command", function()
    local code, _, err = run("frobnicate")
    assert.are.equal(2, code)
    assert.truthy(err:find("Usage", 1, true))
    -- A command given with a wrong argument shows that command's usage.
    code, _, err = run("links")
    assert.are.equal(2, code)
    assert.truthy(err:find("Usage: axlink links", 1, true), err)
    assert.truthy(err:find("missing argument 'file'", 1, true), err)
    for _, c in ipairs { "link", "check", "links", "unlink", "schema-check", "validate", "show" } do
      local hc, out = run(c .. " --help")
      assert.are.equal(0, hc)
      assert.truthy(out:find("Example: axlink " .. c, 1, true), c)
    end
  end)

  -- Colour only on a terminal: script(1) gives the command a pseudo-terminal.
  -- Under the sanitizer pass script itself runs with the preloaded runtime,
  -- and LeakSanitizer would report script's own leaks: only axlink's count.
  local function run_on_tty(args, env)
    local out = os.tmpname()
    local inner = "lua5.4 bin/axlink " .. args
    local asan = os.getenv("ASAN_OPTIONS")
    if asan then inner = "ASAN_OPTIONS=" .. asan .. " " .. inner end
    local cmd = (env or "") .. " " .. ENV .. (asan and "ASAN_OPTIONS=detect_leaks=0 " or "") ..
      "script -qec " .. ("%q"):format(inner) .. " /dev/null >" .. out .. " 2>&1"
    local _, _, code = os.execute(cmd)
    local f = assert(io.open(out, "rb"))
    local s = f:read("a")
    f:close()
    os.remove(out)
    return code, s
  end

  it("colours its report on a terminal, never with NO_COLOR or into a pipe", function()
    local R04 = "check spec/fixtures/rules/R04-shared-entity.xml"
    local code, out = run_on_tty(R04)
    assert.are.equal(1, code)
    assert.truthy(out:find("\27[31merror\27[0m AXL-R04", 1, true))
    code, out = run_on_tty(R04, "NO_COLOR=1")
    assert.are.equal(1, code)
    assert.falsy(out:find("\27[", 1, true))
    assert.truthy(out:find("error AXL-R04", 1, true))
    local _, piped = run(R04)
    assert.falsy(piped:find("\27[", 1, true))
    code, out = run_on_tty("check " .. AX)
    assert.are.equal(0, code)
    assert.truthy(out:find("\27[32m", 1, true))
  end)

  describe("check", function()
    it("exits 0 on a clean message and 1 on rule errors", function()
      assert.are.equal(0, (run("check " .. AX)))
      local code, out = run("check spec/fixtures/rules/R04-shared-entity.xml")
      assert.are.equal(1, code)
      assert.truthy(out:find("AXL-R04", 1, true))
      -- Receive mode downgrades R04 to a warning: exit 0.
      assert.are.equal(0, (run("check --mode receive spec/fixtures/rules/R04-shared-entity.xml")))
    end)

    it("takes limits and gives the documented JSON shape", function()
      local code, out = run("check --json --max-externe 1 spec/fixtures/rules/R01-three-files.xml")
      assert.are.equal(1, code)
      local j = cjson.decode(out)
      assert.are.equal(false, j.ok)
      assert.are.equal("send", j.mode)
      assert.are.equal("AXL-R01", j.problems[1].code)
      assert.are.equal("error", j.problems[1].severity)
      assert.is_string(j.problems[1].path)
      assert.is_number(j.problems[1].line)
    end)

    it("reads standard input and refuses bad input with exit 2, no values", function()
      local code, out = run("check -", AX)
      assert.are.equal(0, code)
      assert.truthy(out:find("ok", 1, true))
      local bad = os.tmpname()
      local f = assert(io.open(bad, "w"))
      f:write("<OfferteAanvraag><Naam>Geheimenaam</Naam></Offerte>")
      f:close()
      local c2, _, err = run("check " .. bad)
      os.remove(bad)
      assert.are.equal(2, c2)
      assert.truthy(err:find("AXL-P01", 1, true))
      assert.falsy(err:find("Geheimenaam", 1, true))
    end)
  end)

  describe("link", function()
    it("links, writes the output atomically and reports on stderr", function()
      local d = tmpdir()
      local code, out, err = run(("link %s %s %s -o %s/out.xml"):format(AX, CSV, FMT, d))
      assert.are.equal(0, code, err)
      assert.are.equal("", out)
      assert.truthy(err:find("linked: person 1 -> Hypotheekgever 2, Dataleverancier DL1 (verified)", 1, true))
      local f = assert(io.open(d .. "/out.xml"))
      assert.truthy(f:read("a"):find("<DataleverancierID>HH-2026-0042</DataleverancierID>", 1, true))
      f:close()
      os.execute("rm -rf " .. d)
    end)

    it("writes to standard output without -o", function()
      local code, out = run(("link %s %s %s"):format(AX, CSV, FMT))
      assert.are.equal(0, code)
      assert.truthy(out:find('^<%?xml version="1.0" encoding="utf%-8"%?>\n<OfferteAanvraag'))
    end)

    it("refuses -o onto an input, and writes nothing when the link is refused", function()
      local d = tmpdir()
      os.execute(("cp %s %s/in.xml"):format(AX, d))
      local code, _, err = run(("link %s/in.xml %s %s -o %s/in.xml"):format(d, CSV, FMT, d))
      assert.are.equal(2, code)
      assert.truthy(err:find("one of the input files", 1, true))
      code, _, err = run(("link %s/in.xml %s %s --match 7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d=99 -o %s/out.xml")
        :format(d, CSV, FMT, d))
      assert.are.equal(2, code)
      assert.truthy(err:find("AXL-L01", 1, true))
      assert.is_nil(io.open(d .. "/out.xml"))
      os.execute("rm -rf " .. d)
    end)

    it("gives JSON with the links and, for --fill, paths and sources but no values", function()
      local d = tmpdir()
      local code, out = run(("link %s %s %s --fill --overwrite --json -o %s/out.xml --provenance %s/p.json")
        :format(AX, CSV, FMT, d, d))
      assert.are.equal(0, code)
      local j = cjson.decode(out)
      assert.is_true(j.ok)
      assert.are.equal(2, #j.links)
      assert.are.equal("verified", j.links[1].grade)
      assert.are.equal(6, #j.fill.changes)
      assert.are.equal("/OfferteAanvraag/PartijNAWData[1]/StraatNaam", j.fill.changes[1].path)
      assert.is_nil(j.fill.changes[1].new)
      assert.falsy(out:find("Ebbingestraat", 1, true))
      local p = cjson.decode(assert(io.open(d .. "/p.json")):read("a"))
      assert.are.equal("Nieuwe Ebbingestraat", p.changes[1].new)   -- the sidecar holds the data
      os.execute("rm -rf " .. d)
    end)
    it("names a CDL file given as the AX, and says how to give a missing person key", function()
      local d = tmpdir()
      local code, _, err = run(("link examples/data/ockto-bundled.json %s -o %s/out.xml"):format(AX, d))
      assert.are.equal(2, code)
      assert.truthy(err:find("examples/data/ockto-bundled.json is a CDL file (format ockto-json), not an AX " ..
        "message", 1, true), err)
      code, _, err = run(("link spec/fixtures/same-person/aanvraag.xml spec/fixtures/same-person/iwize.json " ..
        "-o %s/out.xml"):format(d))
      assert.are.equal(2, code)
      assert.truthy(err:find("AXL-L05 person without a key (PersoonsID): the host must supply it, axlink never " ..
        "invents one; give it with --person-id", 1, true), err)
      assert.is_nil(io.open(d .. "/out.xml"))
      code = run(("link spec/fixtures/same-person/aanvraag.xml spec/fixtures/same-person/iwize.json " ..
        "--person-id p-1 -o %s/out.xml"):format(d))
      assert.are.equal(0, code)
      os.execute("rm -rf " .. d)
    end)

    -- link is apply: a fill the receiver's schema does not allow (here a
    -- schema without Verplichtingen, and a DUO debt) is a validation error
    -- the step would introduce: exit 1, the problem printed, nothing written.
    it("refuses a fill the schema does not allow: exit 1, nothing written", function()
      local d = tmpdir()
      local xsd = slurp("spec/fixtures/schemas/ax-base.xsd"):gsub(
        '%s*<xs:element name="Verplichtingen" type="VerplichtingenType"[^>]*/>', "", 1)
      local f = assert(io.open(d .. "/no-debt.xsd", "w"))
      f:write(xsd)
      f:close()
      os.execute(("cp -r spec/fixtures/schemas/common %s/ 2>/dev/null"):format(d))
      local ax = "spec/fixtures/same-person/aanvraag.xml"
      local cdl = "spec/fixtures/same-person/ockto.json"
      local code, out = run(("validate %s --schema %s/no-debt.xsd"):format(ax, d))
      assert.are.equal(0, code, out)
      local err
      code, out, err = run(("link %s %s --fill --household couple --pension-basis accrued --schema %s/no-debt.xsd " ..
        "-o %s/out.xml"):format(ax, cdl, d, d))
      assert.are.equal(1, code, err)
      assert.are.equal("", out)
      assert.truthy(err:find("AXL-V01", 1, true), err)
      assert.truthy(err:find("Verplichtingen", 1, true), err)
      assert.is_nil(io.open(d .. "/out.xml"))
      code, out = run(("link %s %s --fill --household couple --pension-basis accrued --schema %s/no-debt.xsd " ..
        "--json -o %s/out.xml"):format(ax, cdl, d, d))
      assert.are.equal(1, code)
      local j = cjson.decode(out)
      assert.is_false(j.ok)
      assert.are.equal("AXL-V01", j.problems[#j.problems].code)
      assert.is_nil(io.open(d .. "/out.xml"))
      os.execute("rm -rf " .. d)
    end)
  end)

  describe("links", function()
    it("prints the keys, names and dates only with --show-values", function()
      local d = tmpdir()
      run(("link %s %s %s -o %s/out.xml"):format(AX, CSV, FMT, d))
      local code, out = run("links " .. d .. "/out.xml")
      assert.are.equal(0, code)
      assert.truthy(out:find("PersoonsID 7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d", 1, true))
      assert.falsy(out:find("Boer", 1, true))
      assert.falsy(out:find("1954", 1, true))
      local _, shown = run("links --show-values " .. d .. "/out.xml")
      assert.truthy(shown:find("Boer", 1, true))
      local _, js = run("links --json " .. d .. "/out.xml")
      local j = cjson.decode(js)
      assert.are.equal(2, #j.links)
      assert.are.equal("HH-2026-0042", j.links[1].dataleverancier_id)
      assert.are.equal(2, j.links[1].hypotheekgever)
      assert.is_nil(j.links[1].partij)
      os.execute("rm -rf " .. d)
    end)
  end)

  -- Issue 11: nothing asked for is ignored, outputs never destroy inputs,
  -- refusals say why.
  describe("global flags", function()
    it("work before and after the command", function()
      for _, args in ipairs { "--json links " .. AX, "links --json " .. AX, "links " .. AX .. " --json" } do
        local code, out = run(args)
        assert.are.equal(0, code, args)
        assert.are.equal(AX, cjson.decode(out).file, args)
      end
      local code, out = run("--quiet check " .. AX)
      assert.are.equal(0, code)
      assert.are.equal("", out)
      -- A value that looks like a flag stays the option's value.
      code = run("check " .. AX .. " --mode --json")
      assert.are.equal(2, code)
    end)

    it("take --max-bytes and --max-elements with K, M, G on every command that reads AX", function()
      for _, c in ipairs { "check", "links", "show" } do
        local code, _, err = run(c .. " --max-bytes 1K " .. AX)
        assert.are.equal(2, code, c)
        assert.truthy(err:find("AXL-P03", 1, true), c .. ": " .. err)
        assert.are.equal(0, (run("--max-bytes 1M " .. c .. " " .. AX)), c)
      end
      local code, _, err = run("check --max-elements 10 " .. AX)
      assert.are.equal(2, code)
      assert.truthy(err:find("max_elements", 1, true), err)
      code, _, err = run("check --max-bytes 12X " .. AX)
      assert.are.equal(2, code)
      assert.truthy(err:find("--max-bytes expects a positive size", 1, true), err)
    end)
  end)

  describe("outputs never destroy inputs", function()
    local function copy_inputs(d)
      os.execute(("cp %s %s/in.xml && cp %s %s/h.csv"):format(AX, d, CSV, d))
      return d .. "/in.xml", d .. "/h.csv"
    end

    it("refuses --provenance or -o onto any input, before anything is read", function()
      local d = tmpdir()
      local ax, csv = copy_inputs(d)
      local before_ax, before_csv = slurp(ax), slurp(csv)
      for _, args in ipairs {
        ("link %s %s %s --fill --provenance %s -o %s/out.xml"):format(ax, csv, FMT, ax, d),
        ("link %s %s %s --fill --provenance %s -o %s/out.xml"):format(ax, csv, FMT, csv, d),
        ("link %s %s %s --fill --provenance %s/../%s/h.csv -o %s/out.xml"):format(ax, csv, FMT, d,
          d:match("[^/]+$"), d),
        ("link %s %s %s -o %s"):format(ax, csv, FMT, csv),
      } do
        local code, _, err = run(args)
        assert.are.equal(2, code, args)
        assert.truthy(err:find("is one of the input files", 1, true), err)
      end
      assert.are.equal(before_ax, slurp(ax))
      assert.are.equal(before_csv, slurp(csv))
      assert.is_nil(io.open(d .. "/out.xml"))
      assert.is_nil(io.open(d .. "/-"))
      os.execute("rm -rf " .. d)
    end)

    it("checks every input whatever flags are left out, and outputs reached through a symlink", function()
      local d = tmpdir()
      local ax, csv = copy_inputs(d)
      os.execute(("cp spec/fixtures/schemas/ax-base.xsd %s/s.xsd && cp examples/data/ockto-bundled.json %s/o.json" ..
        " && ln -s . %s/same"):format(d, d, d))
      local before_csv, before_json, before_xsd = slurp(csv), slurp(d .. "/o.json"), slurp(d .. "/s.xsd")
      -- --schema given, --format-file left out: the CDL file and the XSD are inputs still.
      for _, target in ipairs { d .. "/o.json", d .. "/s.xsd" } do
        local code, _, err = run(("link %s %s/o.json --schema %s/s.xsd -o %s"):format(ax, d, d, target))
        assert.are.equal(2, code, target)
        assert.truthy(err:find("is one of the input files", 1, true), err)
      end
      for _, target in ipairs { csv, d .. "/s.xsd" } do
        local code, _, err = run(("link %s %s %s --schema %s/s.xsd -o %s"):format(ax, csv, FMT, d, target))
        assert.are.equal(2, code, target)
        assert.truthy(err:find("is one of the input files", 1, true), err)
      end
      assert.are.equal(before_csv, slurp(csv))
      assert.are.equal(before_json, slurp(d .. "/o.json"))
      assert.are.equal(before_xsd, slurp(d .. "/s.xsd"))
      -- Two outputs that do not exist yet, one file through a symlinked directory.
      local code, _, err = run(("link %s %s %s --fill -o %s/out.xml --provenance %s/same/out.xml"):format(ax, csv, FMT,
        d, d))
      assert.are.equal(2, code)
      assert.truthy(err:find("name the same file", 1, true), err)
      assert.is_nil(io.open(d .. "/out.xml"))
      os.execute("rm -rf " .. d)
    end)

    it("takes - as standard output for --provenance, and refuses two outputs there", function()
      local d = tmpdir()
      local code, out = run(("link %s %s %s --fill --overwrite --provenance - -o %s/out.xml"):format(AX, CSV, FMT, d))
      assert.are.equal(0, code)
      assert.are.equal("Nieuwe Ebbingestraat", cjson.decode(out).changes[1].new)
      assert.is_nil(io.open("-"))
      local err
      code, out, err = run(("link %s %s %s --fill --provenance -"):format(AX, CSV, FMT))
      assert.are.equal(2, code)
      assert.are.equal("", out)
      assert.truthy(err:find("two outputs on standard output (-o and --provenance)", 1, true), err)
      code, out, err = run(("link %s %s %s --fill -o %s/x.json --provenance %s/x.json"):format(AX, CSV, FMT, d, d))
      assert.are.equal(2, code)
      assert.are.equal("", out)
      assert.truthy(err:find("name the same file", 1, true), err)
      assert.is_nil(io.open(d .. "/x.json"))
      os.execute("rm -rf " .. d)
    end)

    -- A signal while axlink waits for its input: deterministic, and what a
    -- user's Ctrl-C or a service manager's SIGTERM does.
    for _, sig in ipairs { { "TERM", 143 }, { "INT", 130 } } do
      it("stops on SIG" .. sig[1] .. " with exit " .. sig[2] .. ", one line, nothing written or left", function()
        local d = tmpdir()
        local err = d .. "/err"
        local cmd = ("(sleep 4) | %s lua5.4 bin/axlink link - %s %s -o %s/out.xml 2>%s & pid=$!; sleep 1; " ..
          "kill -%s $pid; wait $pid; echo $?"):format(ENV, CSV, FMT, d, err, sig[1])
        local p = io.popen(cmd)
        local code = tonumber(p:read("l"))
        p:close()
        assert.are.equal(sig[2], code)
        assert.are.equal("axlink: interrupted by SIG" .. sig[1] .. ": nothing written\n", slurp(err))
        local ls = io.popen("ls -A " .. d)
        assert.are.equal("err\n", ls:read("a"))
        ls:close()
        os.execute("rm -rf " .. d)
      end)
    end
  end)

  -- The CLI holds signals back around a write, so a write that happened is
  -- never hidden by an interruption raised when it returns.
  it("defers a signal while asked, and raises it once the deferral ends", function()
    local script = files.tmpfile([[
      local core = require "axlink.core"
      core._catch_signals()
      local pid = io.open("/proc/self/stat"):read("l"):match("^(%d+)")
      core._defer_signals(true)
      os.execute("kill -TERM " .. pid)
      local during = core._caught()
      local survived = true                      -- not raised while deferred
      local ok, err = pcall(function()
        core._defer_signals(false)
        for _ = 1, 10 do local _ = {} end        -- the next instructions raise
      end)
      io.write(tostring(during), " ", tostring(survived), " ", tostring(ok), " ", tostring(err):match("interrupted") or "-")
    ]])
    local p = io.popen(ENV .. "lua5.4 " .. script .. " 2>&1")
    local out = p:read("a")
    p:close()
    os.remove(script)
    assert.are.equal("SIGTERM true false interrupted", out)
  end)

  describe("nothing asked for is ignored", function()
    it("refuses a --match or --skip id the delivery does not hold, naming it", function()
      for _, flag in ipairs { "--match typo-id=2", "--skip typo-id" } do
        local code, _, err = run(("link %s %s %s %s"):format(AX, CSV, FMT, flag))
        assert.are.equal(2, code, flag)
        assert.truthy(err:find(flag:match("^%S+") .. " typo-id: the delivery holds no person with this id", 1, true),
          err)
      end
    end)

    it("check and links on a CDL file say what it is and point at show", function()
      for _, c in ipairs { "check", "links" } do
        for _, f in ipairs { "examples/data/ockto-bundled.json", "examples/data/brondata/" } do
          local path = f
          if f:sub(-1) == "/" then
            local p = io.popen("ls examples/data/brondata/*.xml | head -n 1")
            path = p:read("l")
            p:close()
          end
          local code, _, err = run(c .. " " .. path)
          assert.are.equal(2, code, c .. " " .. path)
          assert.truthy(err:find("is a CDL file (format ", 1, true), err)
          assert.truthy(err:find("`axlink show " .. path .. "`", 1, true), err)
        end
      end
    end)

    it("check and links on XML that is not an AX: AXL-R18, exit 2", function()
      local foo = files.tmpfile("<Foo><Bar>x</Bar></Foo>\n")
      local code, out = run("check " .. foo)
      assert.are.equal(2, code)
      assert.truthy(out:find("AXL-R18", 1, true), out)
      local j
      code, j = run("check --json " .. foo)
      assert.are.equal(2, code)
      j = cjson.decode(j)
      assert.are.equal(false, j.ok)
      assert.are.equal(1, #j.problems)
      assert.are.equal("AXL-R18", j.problems[1].code)
      code = run("links " .. foo)
      assert.are.equal(2, code)
      os.remove(foo)
    end)
  end)

  describe("refusals say why", function()
    it("answers --json also for a bad global size, no command, and a link with rule errors on -o -", function()
      local code, out = run("--json check " .. AX .. " --max-bytes=abc")
      assert.are.equal(2, code)
      assert.are.equal("AXL-U01", cjson.decode(out).error.code)
      code, out = run("--json")
      assert.are.equal(2, code)
      assert.are.equal(false, cjson.decode(out).ok)
      -- R04 in the AX: nothing written to stdout, so the report goes there.
      code, out = run(("link --json -o - spec/fixtures/rules/R04-shared-entity.xml %s %s"):format(CSV, FMT))
      assert.are_not.equal(0, code)
      assert.are.equal(false, cjson.decode(out).ok)
    end)

    it("answers --json on error paths too", function()
      local bad = files.tmpfile("<OfferteAanvraag>\n<Naam>Geheimenaam</Naam></Offerte>")
      local code, out, err = run("--json check " .. bad)
      os.remove(bad)
      assert.are.equal(2, code)
      assert.are.equal("", err)
      local j = cjson.decode(out)
      assert.are.equal(false, j.ok)
      assert.are.equal("AXL-P01", j.error.code)
      assert.are.equal(2, j.error.line)
      assert.falsy(out:find("Geheimenaam", 1, true))
      code, out = run("check --json /nonexistent.xml")
      assert.are.equal(2, code)
      assert.are.equal(false, cjson.decode(out).ok)
      code, out = run("--json frobnicate")
      assert.are.equal(2, code)
      assert.are.equal("AXL-U01", cjson.decode(out).error.code)
      code, out = run(("link --json %s %s %s --match 7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d=4"):format(AX, CSV, FMT))
      assert.are.equal(2, code)
      j = cjson.decode(out)
      assert.are.equal("AXL-L02", j.error.code)
      assert.are.equal("mismatch", j.error.grades[1].grade)
    end)

    it("prints each grade a refused link rests on, by name", function()
      local code, _, err = run(("link %s %s %s --match 7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d=4"):format(AX, CSV, FMT))
      assert.are.equal(2, code)
      assert.truthy(err:find("AXL-L02", 1, true), err)
      assert.truthy(err:find("person 1 vs Hypotheekgever 4: mismatch", 1, true), err)
      assert.falsy(err:find("1954", 1, true))
    end)

    it("groups links by Hypotheekgever, names the supplier, exits 1 on a link missing its reference", function()
      local code, out = run("links spec/fixtures/rules/R10-several.xml")
      assert.are.equal(1, code)
      assert.truthy(out:find("missing: no RefDataleverancier", 1, true), out)
      local heads = select(2, out:gsub("\nHypotheekgever ", "")) + (out:find("^Hypotheekgever ") and 1 or 0)
      local _, js = run("links --json spec/fixtures/rules/R10-several.xml")
      local hgs = {}
      for _, l in ipairs(cjson.decode(js).links) do hgs[l.hypotheekgever] = true end
      local n = 0
      for _ in pairs(hgs) do n = n + 1 end
      assert.are.equal(n, heads)
      assert.are.equal(0, (run("links spec/fixtures/rules/ok-bundled.xml")))
      -- One CDL Dataleverancier and no reference: its supplier, said how.
      code, out = run("links spec/fixtures/rules/R10-one-dataleverancier.xml")
      assert.are.equal(1, code)
      assert.truthy(out:find("02 Ockto (inferred from the key), by R10, unreferenced; missing: no RefDataleverancier",
        1, true), out)
    end)
  end)

  describe("unlink, show, demo", function()
    it("unlinks one link", function()
      local d = tmpdir()
      run(("link %s %s %s -o %s/out.xml"):format(AX, CSV, FMT, d))
      local code = run(("unlink %s/out.xml --persoons-id 7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d " ..
        "--dataleverancier-id HH-2026-0042 -o %s/un.xml"):format(d, d))
      assert.are.equal(0, code)
      local _, js = run("links --json " .. d .. "/un.xml")
      assert.are.equal(1, #cjson.decode(js).links)
      code = run(("unlink %s/un.xml --persoons-id nobody --dataleverancier-id HH-2026-0042"):format(d))
      assert.are.equal(2, code)
      os.execute("rm -rf " .. d)
    end)

    it("shows a CDL file's structure, no values", function()
      local code, out = run("show examples/data/ockto-bundled.json")
      assert.are.equal(0, code)
      assert.truthy(out:find("CDL delivery (ockto-json, 02 Ockto): 2 person(s)", 1, true), out)
      assert.truthy(out:find("person 1 (aanvrager): has a PersoonsID", 1, true), out)
      assert.truthy(out:find("    facts: identity, address, aow, pensions (1), study_loans (1)\n", 1, true), out)
      assert.falsy(out:find("Boer", 1, true))
      -- The facts' names always; their values only with --show-values.
      local json
      code, json = run("show spec/fixtures/same-person/ockto.json --json")
      assert.are.equal(0, code)
      local j = cjson.decode(json)
      assert.are.same({ "identity", "address", "aow", "pensions (1)", "study_loans (1)" }, j.persons[1].facts)
      assert.is_nil(j.persons[1].values)
      assert.falsy(json:find("Johanna", 1, true))
      code, json = run("show spec/fixtures/same-person/ockto.json --json --show-values")
      assert.are.equal(0, code)
      assert.are.same(require("support.same_person")(), cjson.decode(json).persons[1].values)
    end)

    it("shows structure only", function()
      local code, out = run("show " .. AX)
      assert.are.equal(0, code)
      assert.truthy(out:find("Hypotheekgever 2 -> PartijNAWData NA01", 1, true))
      assert.falsy(out:find("Boer", 1, true))
    end)
  end)
end)
