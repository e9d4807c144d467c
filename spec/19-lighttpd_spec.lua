-- A real host (issue 14, item 3): examples/lighttpd/run.sh starts Debian's
-- lighttpd with mod_magnet (Lua 5.4) and axlink's intake endpoint; this
-- starts it on a free port of 127.0.0.1, posts HDN's sample, a linked AX, a
-- hostile file, an oversized one and a non-AX, and stops it with SIGTERM.
-- The module comes from AXLINK_BUILD (default build/). All traffic goes to
-- 127.0.0.1; lighttpd never outlives the spec (teardown kills its process
-- group).
local axlink = require "axlink"
local cjson = require "cjson"
local files = require "support.files"

local BUILD = os.getenv("AXLINK_BUILD") or "build"
local RUN = "examples/lighttpd/run.sh"
local SAMPLE = "spec/fixtures/hdn/ax-24.0-sample.xml"
local AX = "examples/data/aanvraag.xml"
local OCKTO = "examples/data/ockto-bundled.json"
-- Children use the plain build: no sanitizer runtime inherited.
local CLEAN = "env -u LD_PRELOAD -u ASAN_OPTIONS -u UBSAN_OPTIONS -u LSAN_OPTIONS "

local function sh(cmd)
  local p = assert(io.popen(cmd))
  local out = p:read("a")
  p:close()
  return out
end

local function sleep(s) os.execute("sleep " .. s) end

-- A process is gone when /proc has no entry or it is a zombie (its parent,
-- the shell that started it, is gone, and init reaps it when it gets to it).
local function alive(pid)
  local f = io.open("/proc/" .. pid .. "/stat", "r")
  if not f then return false end
  local stat = f:read("a") or ""
  f:close()
  local state = stat:match("%) (%a)")
  return state ~= nil and state ~= "Z"
end

-- The live processes of a process group, from /proc (no procps needed).
local function members(pgid)
  local list = {}
  for pid in sh("ls /proc"):gmatch("%d+") do
    local f = io.open("/proc/" .. pid .. "/stat", "r")
    local stat = f and f:read("a") or ""
    if f then f:close() end
    local state, pgrp = stat:match("%) (%a) %d+ (%d+)")
    if pgrp == pgid and state ~= "Z" then list[#list + 1] = pid end
  end
  return list
end

-- HTTP status of one request with curl ("000": nothing answered).
local function curl(args)
  return sh("curl -s --max-time 20 " .. args .. " -w '%{http_code}'")
end

-- The folders run.sh makes (removed again when it stops).
local function temp_dirs()
  local base = os.getenv("TMPDIR") or "/tmp"
  local list = sh("ls -d /dev/shm/axlink-lighttpd.* " .. base .. "/axlink-lighttpd.* 2>/dev/null")
  local set = {}
  for d in list:gmatch("[^\n]+") do set[d] = true end
  return set
end

-- Stops run.sh's process group: SIGTERM to run.sh (it stops lighttpd and
-- removes its folder), else to the group; SIGKILL for whatever is left
-- after about 3 s.
local function stop_group(pgid, pid)
  os.execute("kill -TERM " .. (pid or ("-" .. pgid)) .. " 2>/dev/null")
  for i = 1, 30 do
    if #members(pgid) == 0 then return end
    if i == 10 then os.execute("kill -TERM -" .. pgid .. " 2>/dev/null") end
    sleep(0.1)
  end
  os.execute("kill -KILL -" .. pgid .. " 2>/dev/null")
end

describe("lighttpd host #subprocess #external", function()
  local tmp, port, group, child, base_url, dirs_before

  local function post(file, query, extra)
    local out = tmp .. "/answer.json"
    os.remove(out)
    local code = curl(("-o %s -H 'Content-Type: application/xml' --data-binary @%s %s '%s/check%s'")
      :format(out, file, extra or "", base_url, query or ""))
    local f = io.open(out, "rb")
    local body = f and f:read("a") or ""
    if f then f:close() end
    local ok, json = pcall(cjson.decode, body)
    return code, ok and json or nil, body
  end

  -- Starts run.sh in a new session (its process group is ours to kill) and
  -- waits, at most about 5 s, until it answers. A port taken meanwhile makes
  -- lighttpd exit at once: another port is tried.
  local function start()
    math.randomseed(os.time(), tonumber(tostring({}):match("0x(%x+)") or "0", 16))
    for _ = 1, 8 do
      port = 18080 + math.random(0, 1999)
      if curl("-o /dev/null --max-time 1 http://127.0.0.1:" .. port .. "/") == "000" then
        local log = tmp .. "/run.log"
        group = sh(CLEAN .. "AXLINK_BUILD=" .. BUILD .. " setsid sh -c '" .. RUN .. " " .. port ..
          " & echo $! >" .. tmp .. "/run.pid; wait $!; echo $? >" .. tmp .. "/run.status' >" .. log ..
          " 2>&1 </dev/null & echo $!"):match("%d+")
        base_url = "http://127.0.0.1:" .. port
        for _ = 1, 50 do
          sleep(0.1)
          local f = io.open(tmp .. "/run.pid")
          child = f and f:read("l")
          if f then f:close() end
          if curl("-o /dev/null --max-time 1 " .. base_url .. "/check") == "405" then return end
          if child and not alive(child) then break end
        end
        stop_group(group, child)
        group = nil
        -- A port in use says so in lighttpd's log: try another one.
        if not files.slurp(log):find("Address already in use", 1, true) then
          error("run.sh did not answer within 5 s:\n" .. files.slurp(log))
        end
      end
    end
    error("no free port found on 127.0.0.1")
  end

  setup(function()
    assert(sh("command -v lighttpd || ls /usr/sbin/lighttpd 2>/dev/null") ~= "",
      "lighttpd is not installed (the set-up installs lighttpd, lighttpd-modules-lua and curl)")
    assert(sh("command -v curl") ~= "", "curl is not installed")
    assert(io.open(BUILD .. "/axlink/core.so"), BUILD .. "/axlink/core.so is missing: make all first")
    tmp = files.tmpdir()
    dirs_before = temp_dirs()
    start()
  end)

  teardown(function()
    if group then stop_group(group, child) end
    if tmp then os.execute("rm -rf " .. tmp) end
  end)

  it("answers HDN's sample with 200 and the check report (send, and receive once)", function()
    local code, json, body = post(SAMPLE)
    assert.are.equal("200", code, body)
    assert.are.same({ file = "request", mode = "send", ok = true, problems = {} }, json)
    assert.truthy(body:find('"problems":[]', 1, true), body)   -- an array, as the CLI writes it
    code, json, body = post(SAMPLE, "?mode=receive")
    assert.are.equal("200", code, body)
    assert.are.equal("receive", json.mode)
    assert.is_true(json.ok)
  end)

  it("answers a linked AX with 200 and ok, and no value from it", function()
    local msg <close> = assert(axlink.read(AX))
    local delivery = assert(axlink.cdl.read(OCKTO))
    assert(msg:link(delivery))
    local file = files.spit(tmp .. "/linked.xml", msg:serialize())
    local code, json, body = post(file)
    assert.are.equal("200", code, body)
    assert.is_true(json.ok, body)
    assert.are.equal("send", json.mode)
    assert.are.equal("table", type(json.problems))
    for _, s in ipairs { delivery.id, delivery.persons[1].id, "Boer", "Brouwer", "1954", "1955" } do
      assert.falsy(body:find(s, 1, true), "answer carries a value: " .. s)
    end
  end)

  it("refuses a hostile file (a DOCTYPE with an entity) with 400 and an AXL-P code", function()
    local file = files.spit(tmp .. "/hostile.xml",
      '<?xml version="1.0"?>\n<!DOCTYPE OfferteAanvraag [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n' ..
      "<OfferteAanvraag>&x;</OfferteAanvraag>\n")
    local code, json, body = post(file)
    assert.are.equal("400", code, body)
    assert.is_false(json.ok)
    assert.truthy(json.error.code:match("^AXL%-P%d+$"), body)
    assert.falsy(body:find("root:", 1, true), body)   -- nothing of /etc/passwd
  end)

  it("refuses a body over 16 MiB with 413 (AXL-P03), also sent chunked", function()
    local file = files.spit(tmp .. "/big.xml", "<OfferteAanvraag>" .. ("x"):rep(16 * 1024 * 1024) ..
      "</OfferteAanvraag>")
    local code, json, body = post(file)
    assert.are.equal("413", code, body)
    assert.are.same({ ok = false, error = { code = "AXL-P03", message = json.error.message } }, json)
    code, json, body = post(file, nil, "-H 'Transfer-Encoding: chunked'")
    assert.are.equal("413", code, body)
    assert.are.equal("AXL-P03", json.error.code)
    os.remove(file)
  end)

  it("refuses XML that is not an AX with 422 (AXL-R18)", function()
    local code, json, body = post(files.spit(tmp .. "/foo.xml", "<Foo/>"))
    assert.are.equal("422", code, body)
    assert.is_false(json.ok)
    assert.are.equal("AXL-R18", json.error.code)
  end)

  it("stops on SIGTERM: run.sh exits 0, the port closes, its temporary folder is gone", function()
    assert.is_true(alive(child))
    os.execute("kill -TERM " .. child)
    local gone = false
    for _ = 1, 50 do
      sleep(0.1)
      if not alive(child) then gone = true break end
    end
    assert.is_true(gone, "run.sh still running 5 s after SIGTERM")
    for _ = 1, 20 do
      if io.open(tmp .. "/run.status") then break end
      sleep(0.1)
    end
    assert.are.equal("0", (files.slurp(tmp .. "/run.status"):gsub("%s", "")), files.slurp(tmp .. "/run.log"))
    assert.are.equal("000", curl("-o /dev/null --max-time 1 " .. base_url .. "/check"))
    assert.are.same(dirs_before, temp_dirs())
    assert.are.same({}, members(group))
    group = nil
  end)
end)
