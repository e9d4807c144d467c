--- axlink's intake endpoint for lighttpd's mod_magnet (lighttpd.conf,
-- run.sh): POST an AX to /check and get `axlink check --json`'s report.
--
--   POST /check                 the adviser's rules (mode "send")
--   POST /check?mode=receive    a lender's reading (mode "receive")
--
-- Answers, always JSON:
--   200  the report { file, mode, ok, problems }, ok true or false
--   400  an AXL-P refusal (not well-formed, a DOCTYPE, a limit), or a bad mode (AXL-U01)
--   404  any other path, 405 any other method (AXL-U01)
--   413  a body over max_bytes (AXL-P03; lighttpd's own 413 is made JSON by response.lua)
--   422  XML that is not an AX: the root is not OfferteAanvraag (AXL-R18)
-- A refusal is { ok = false, error = { code, message } }. No answer carries a
-- value from the message (axlink's messages carry none), nothing is written
-- to disk, and every request frees its message (`<close>`) also when it
-- fails half-way.
--
-- mod_magnet runs this file for every request, in one Lua state per script:
-- `require` loads axlink and cjson once and then finds them in
-- package.loaded.

local axlink = require "axlink"
local cjson = require "cjson"

-- lighty: mod_magnet's API, a global in the script's environment.
-- luacheck: globals lighty
local r = lighty.r

-- The CLI's default --max-bytes; run.sh passes AXLINK_MAX_BYTES when given.
local MAX_BYTES = math.tointeger(tonumber(os.getenv("AXLINK_MAX_BYTES") or "")) or 16 * 1024 * 1024
local NAME = "request"   -- the name in axlink's messages, and the report's "file"

local function answer(status, body)
  r.resp_header["Content-Type"] = "application/json"
  r.resp_header["Cache-Control"] = "no-store"
  r.resp_body.set({ body, "\n" })
  return status
end

local function refuse(status, code, message)
  return answer(status, cjson.encode({ ok = false, error = { code = code, message = message } }))
end

-- The report as `axlink check --json` shapes it; lua-cjson 2.1 writes an
-- empty table as {}, so the problems array is joined by hand.
local function report_json(mode, report)
  local items = {}
  for i, p in ipairs(report.problems) do items[i] = cjson.encode(p) end
  return ('{"file":%s,"mode":%s,"ok":%s,"problems":[%s]}'):format(cjson.encode(NAME), cjson.encode(mode),
    tostring(report.ok), table.concat(items, ","))
end

local function handle()
  if r.req_attr["uri.path"] ~= "/check" then
    return refuse(404, "AXL-U01", "not found: POST an AX to /check")
  end
  if r.req_attr["request.method"] ~= "POST" then
    r.resp_header["Allow"] = "POST"
    return refuse(405, "AXL-U01", "method not allowed: POST an AX to /check")
  end
  local query = r.req_attr["uri.query"] or ""
  local mode = "send"
  for k, v in query:gmatch("([^&=]+)=?([^&]*)") do
    if k == "mode" then mode = v end
  end
  if mode ~= "send" and mode ~= "receive" then
    return refuse(400, "AXL-U01", "mode must be send or receive")
  end

  -- The declared length first: an oversized body is refused unread.
  local len = r.req_body.len
  if len > MAX_BYTES then
    return refuse(413, "AXL-P03", ("%s: AXL-P03 input is %d bytes, over max_bytes (%d bytes)")
      :format(NAME, len, MAX_BYTES))
  end
  -- Not yet read: lighttpd reads the whole body (at most max-request-size)
  -- and runs this script again.
  if not r.req_body.collect then return 0 end
  local body = r.req_body.get or ""
  len = r.req_body.len
  -- lighttpd 1.4.69 (Debian 12) hands back the whole first buffer when the
  -- body arrived with the headers, headers included (fixed upstream in
  -- 1.4.72, "get body from cq at offset in chunk"): the body is its end.
  if #body > len then body = body:sub(#body - len + 1) end

  local msg <close>, err, info = axlink.parse(body, { name = NAME, max_bytes = MAX_BYTES })
  if not msg then
    local code = info and info.code or "AXL-P01"
    return refuse(code == "AXL-P03" and 413 or 400, code, err)
  end
  local report = msg:check { mode = mode }
  -- Not an AX: the core reports AXL-R18 alone; a core that does not yet
  -- is caught by the root's name.
  for _, p in ipairs(report.problems) do
    if p.code == "AXL-R18" then return refuse(422, "AXL-R18", p.message) end
  end
  if msg:root() ~= "OfferteAanvraag" then
    return refuse(422, "AXL-R18", "not an AX OfferteAanvraag: root is " .. msg:root())
  end
  return answer(200, report_json(mode, report))
end

-- A fault in the handler is a 500 with no detail; lighttpd's log gets the
-- Lua error (axlink raises only for wrong argument types, which name no
-- value). The message is closed by `<close>` on the way out either way.
local ok, status = pcall(handle)
if ok then return status end
r.resp_header["Content-Type"] = "application/json"
r.resp_body.set({ '{"ok":false,"error":{"code":null,"message":"internal error"}}\n' })
print("axlink check.lua: " .. tostring(status))
return 500
