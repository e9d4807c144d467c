--- Runs as every response starts (magnet.attract-response-start-to): an
-- error lighttpd answered itself, before check.lua ran, becomes JSON in the
-- endpoint's shape. The one that matters is 413: a body over
-- server.max-request-size is refused unread, as AXL-P03.
-- lighty: mod_magnet's API, a global in the script's environment.
-- luacheck: globals lighty
local r = lighty.r
local status = r.req_item["http_status"]
if status < 400 or (r.resp_header["Content-Type"] or ""):find("application/json", 1, true) then
  return 0
end
local code, message = "AXL-U01", "refused by the server (HTTP " .. status .. ")"
if status == 413 then
  code, message = "AXL-P03", "request: AXL-P03 request body over max_bytes (" ..
    (os.getenv("AXLINK_MAX_BYTES") or tostring(16 * 1024 * 1024)) .. " bytes)"
end
r.resp_header["Content-Type"] = "application/json"
r.resp_header["Cache-Control"] = "no-store"
r.resp_body.set({ ('{"ok":false,"error":{"code":"%s","message":"%s"}}\n'):format(code, message) })
return status
