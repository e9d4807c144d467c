--- The HDN platform's record envelope (DESIGN 10.3): wrap, unwrap, the
-- requestVersion rule and the signature check.
--
-- Public ground truth: HDN's platform client (Hypotheken-Data-Netwerk/
-- hdn-platform-apiv2-client, Record.java) for the record's fields, and
-- HDN's ketenafspraak KET-003 for requestVersion. No network here: sending
-- is the host's, and so is the private key (`opts.sign`).
--
-- The message bytes are signed, so wrap takes them as given and unwrap
-- returns them exactly: neither ever parses or re-serialises the XML.
-- @module axlink.platform

local cjson = require "cjson.safe"

local M = {}

local DEFAULT_MAX_BYTES = 16 * 1024 * 1024   -- the same default as parse (DESIGN 3.4)
local JSON_OVERHEAD = 1024 * 1024            -- room for the header beside the base64 text

-- {======================================================================
-- Errors
-- =======================================================================

local function refuse(code, text, extra)
  local info = { code = code }
  for k, v in pairs(extra or {}) do info[k] = v end
  return nil, ("%s: %s %s"):format(info.name or "record", code, text), info
end

local function mib(n)
  if n >= 1024 * 1024 then
    local s = ("%.1f"):format(n / (1024 * 1024)):gsub("%.0$", "")
    return s .. " MiB"
  end
  return ("%d bytes"):format(n)
end

-- The limit refusal in DESIGN 3.4's form: which limit, its value, the figure.
local function over(code, what, limit, value, actual, name)
  return refuse(code, ("%s is %s, over %s (%s)"):format(what, mib(actual), limit, mib(value)),
    { limit = limit, value = value, actual = actual, name = name })
end

-- {======================================================================
-- Base64 (RFC 4648, standard alphabet, padded), strict on decode
-- =======================================================================

local ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local ENC, DEC = {}, {}
for i = 1, 64 do
  local c = ALPHABET:byte(i)
  ENC[i - 1] = string.char(c)
  DEC[c] = i - 1
end

local byte, char, concat = string.byte, string.char, table.concat

--- Base64 of a byte string (standard alphabet, padded, no line breaks).
-- @function base64_encode
function M.base64_encode(s)
  -- Built in blocks: one small string per group would cost far more memory
  -- than the message itself for a large one.
  local chunks, buf = {}, {}
  local len = #s
  local whole = len - len % 3
  for start = 1, whole, 3 * 1024 do
    local stop = math.min(start + 3 * 1024 - 1, whole)
    local n = 0
    for i = start, stop, 3 do
      local a, b, c = byte(s, i, i + 2)
      local v = a * 65536 + b * 256 + c
      n = n + 1
      buf[n] = ENC[v >> 18] .. ENC[(v >> 12) & 63] .. ENC[(v >> 6) & 63] .. ENC[v & 63]
    end
    chunks[#chunks + 1] = concat(buf, "", 1, n)
  end
  local rest = len % 3
  if rest == 1 then
    local a = byte(s, len)
    chunks[#chunks + 1] = ENC[a >> 2] .. ENC[(a & 3) << 4] .. "=="
  elseif rest == 2 then
    local a, b = byte(s, len - 1, len)
    local v = a * 256 + b
    chunks[#chunks + 1] = ENC[v >> 10] .. ENC[(v >> 4) & 63] .. ENC[(v & 15) << 2] .. "="
  end
  return concat(chunks)
end

--- The length base64 text of this size decodes to, or nil when the size or
-- the padding cannot be right. Lets a caller check a limit before decoding.
local function decoded_length(s)
  local len = #s
  if len % 4 ~= 0 then return nil end
  local pad = s:sub(-2) == "==" and 2 or s:sub(-1) == "=" and 1 or 0
  return len // 4 * 3 - pad
end

--- Decodes base64 strictly: standard alphabet, padded, no whitespace, no
-- padding inside, zero bits after the last byte (so one text per byte
-- string). Returns the bytes, or nil and the 1-based offset of the first
-- character that is wrong (0 when the length is).
-- @function base64_decode
function M.base64_decode(s)
  local len = #s
  if len % 4 ~= 0 then return nil, 0 end
  local bad = s:find("[^A-Za-z0-9+/=]")
  if bad then return nil, bad end
  local eq = s:find("=", 1, true)
  if eq and eq < len - 1 then return nil, eq end
  if eq == len - 1 and s:byte(len) ~= 61 then return nil, eq end
  local out, buf = {}, {}
  local full = (eq and len - 4) or len
  for start = 1, full, 4 * 1024 do
    local stop = math.min(start + 4 * 1024 - 1, full)
    local n = 0
    for i = start, stop, 4 do
      local a, b, c, d = byte(s, i, i + 3)
      local v = (DEC[a] << 18) | (DEC[b] << 12) | (DEC[c] << 6) | DEC[d]
      n = n + 1
      buf[n] = char(v >> 16, (v >> 8) & 255, v & 255)
    end
    out[#out + 1] = concat(buf, "", 1, n)
  end
  local n = #out
  if eq then
    local i = len - 3
    local a, b, c = byte(s, i, i + 2)
    if c == 61 then   -- "xx==": one byte; the low 4 bits of b must be zero
      if DEC[b] & 15 ~= 0 then return nil, i + 1 end
      out[n + 1] = char((DEC[a] << 2) | (DEC[b] >> 4))
    else              -- "xxx=": two bytes; the low 2 bits of c must be zero
      if DEC[c] & 3 ~= 0 then return nil, i + 2 end
      local v = (DEC[a] << 10) | (DEC[b] << 4) | (DEC[c] >> 2)
      out[n + 1] = char(v >> 8, v & 255)
    end
  end
  return concat(out)
end

-- {======================================================================
-- JSON out, deterministic (lua-cjson's encoder follows the hash order)
-- =======================================================================

-- Keys in the order HDN's client writes them; other keys follow, sorted.
local KEY_ORDER = {}
for i, k in ipairs {
  "header", "message", "miscellaneous",
  "receiver", "requestVersion", "requestSchema", "responseSchemas", "responseSchema", "externalSource",
  "messageType", "receiverCode", "schemaVersion", "contentType", "environment",
  "document", "provider", "source",
  "data", "signature", "publicKey", "uuid", "value",
  "senderName", "receiverName", "sendingApplication", "applicationName", "applicationVersion", "sendingDateTime",
} do KEY_ORDER[k] = i end

local ESCAPES = { ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f", ["\n"] = "\\n",
  ["\r"] = "\\r", ["\t"] = "\\t" }

local function json_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return ESCAPES[c] or ("\\u%04x"):format(c:byte())
  end) .. '"'
end

local function key_before(a, b)
  local x, y = KEY_ORDER[a], KEY_ORDER[b]
  if x and y then return x < y end
  if x or y then return x ~= nil end
  return a < b
end

local encode_value

local function is_array(t)
  local n = #t
  if n == 0 then return next(t) == nil and getmetatable(t) == cjson.array_mt end
  local count = 0
  for _ in pairs(t) do count = count + 1 end
  return count == n
end

function encode_value(v, out, depth)
  local tv = type(v)
  if depth > 64 then error("nested too deep", 0) end
  if tv == "string" then
    out[#out + 1] = json_string(v)
  elseif tv == "number" then
    if v ~= v or v == math.huge or v == -math.huge then error("a number that JSON cannot hold", 0) end
    out[#out + 1] = math.type(v) == "integer" and tostring(v) or ("%.17g"):format(v)
  elseif tv == "boolean" then
    out[#out + 1] = tostring(v)
  elseif v == cjson.null then
    out[#out + 1] = "null"
  elseif tv == "table" then
    if is_array(v) then
      out[#out + 1] = "["
      for i, x in ipairs(v) do
        if i > 1 then out[#out + 1] = "," end
        encode_value(x, out, depth + 1)
      end
      out[#out + 1] = "]"
    else
      local keys = {}
      for k in pairs(v) do
        if type(k) ~= "string" then error("a key that is not a string", 0) end
        keys[#keys + 1] = k
      end
      table.sort(keys, key_before)
      out[#out + 1] = "{"
      for i, k in ipairs(keys) do
        if i > 1 then out[#out + 1] = "," end
        out[#out + 1] = json_string(k)
        out[#out + 1] = ":"
        encode_value(v[k], out, depth + 1)
      end
      out[#out + 1] = "}"
    end
  else
    error("a " .. tv .. " value", 0)
  end
end

--- Encodes a table as JSON with a fixed key order (the record's fields in
-- HDN's order, others sorted), so the same input gives the same bytes.
-- Raises on a value JSON cannot hold; callers pcall it.
-- @function _encode_json
function M._encode_json(v)
  local out = {}
  encode_value(v, out, 0)
  return concat(out)
end

-- {======================================================================
-- The header
-- =======================================================================

local ENVIRONMENTS = { production = true, stage = true, acceptatie = true }
local SCHEMA_FIELDS = { "messageType", "receiverCode", "schemaVersion", "contentType", "environment" }

local function absent(v) return v == nil or v == cjson.null end

-- Checks the types of a header's fields. `required` asks for the fields a
-- record needs to be sent (wrap); a record read back is checked for types
-- only, so what the platform added passes. Returns nil or the field's path
-- and what it should be.
local function header_problem(h, required)
  if type(h) ~= "table" then return "header", "an object" end
  local function str(v, path, need)
    if absent(v) then
      if need then return path, "a non-empty string" end
    elseif type(v) ~= "string" or v == "" then
      return path, "a non-empty string"
    end
  end
  local p, what = str(h.receiver, "header.receiver", required)
  if p then return p, what end
  if absent(h.requestVersion) then
    if required then return "header.requestVersion", 'a string of digits ("1" first)' end
  elseif type(h.requestVersion) ~= "string" or not h.requestVersion:match("^[1-9]%d*$") then
    return "header.requestVersion", 'a string of digits ("1" first)'
  end
  for _, k in ipairs { "sender", "requestTraceNr" } do
    p, what = str(h[k], "header." .. k, false)
    if p then return p, what end
  end
  local rs = h.requestSchema
  if absent(rs) then
    if required then return "header.requestSchema", "an object" end
  elseif type(rs) ~= "table" then
    return "header.requestSchema", "an object"
  else
    for _, k in ipairs(SCHEMA_FIELDS) do
      p, what = str(rs[k], "header.requestSchema." .. k, required)
      if p then return p, what end
    end
    if not absent(rs.contentType) and rs.contentType ~= "XML" then
      return "header.requestSchema.contentType", '"XML"'
    end
    if not absent(rs.environment) and not ENVIRONMENTS[rs.environment] then
      return "header.requestSchema.environment", '"production", "stage" or "acceptatie"'
    end
  end
  -- A sent record has the responseSchemas array, one read back gives one
  -- responseSchema object: accept both.
  local list = h.responseSchemas
  if not absent(list) then
    if type(list) ~= "table" then return "header.responseSchemas", "an array of objects" end
    for i, s in ipairs(list) do
      if type(s) ~= "table" then return ("header.responseSchemas[%d]"):format(i), "an object" end
      for _, k in ipairs { "messageType", "receiverCode", "schemaVersion", "contentType" } do
        p, what = str(s[k], ("header.responseSchemas[%d].%s"):format(i, k), false)
        if p then return p, what end
      end
    end
  end
  if not absent(h.responseSchema) and type(h.responseSchema) ~= "table" then
    return "header.responseSchema", "an object"
  end
  local es = h.externalSource
  if not absent(es) then
    if type(es) ~= "table" then return "header.externalSource", "an object" end
    for _, k in ipairs { "document", "provider", "source" } do
      p, what = str(es[k], "header.externalSource." .. k, false)
      if p then return p, what end
    end
  end
end

-- {======================================================================
-- wrap and unwrap
-- =======================================================================

local function max_bytes_of(opts)
  if type(opts) ~= "table" then error(("bad argument 'opts' (table expected, got %s)"):format(type(opts)), 3) end
  local m = opts.max_bytes
  if m == nil then return DEFAULT_MAX_BYTES end
  if math.type(m) ~= "integer" or m < 1 then
    error("bad option 'max_bytes' (positive integer expected)", 3)
  end
  return m
end

local function deep_copy(v, depth)
  if type(v) ~= "table" then return v end
  if depth > 32 then error("nested too deep", 0) end
  local t = {}
  for k, x in pairs(v) do t[k] = deep_copy(x, depth + 1) end
  return setmetatable(t, getmetatable(v) == cjson.array_mt and cjson.array_mt or nil)
end

--- Builds a platform record over exactly `bytes`.
-- `header` needs `receiver`, `requestVersion` (a string) and the five
-- `requestSchema` fields; `responseSchemas`, `externalSource`, `sender`
-- are optional. `opts.sign(bytes) -> value, key_uuid` signs (the value as it
-- goes into the record: base64 of SHA256withRSA over the bytes); without it
-- the record has no signature. `opts.miscellaneous` is copied as given.
-- @param bytes the message, exactly as it will be signed and sent
-- @param header table
-- @param opts table or nil: sign, miscellaneous, max_bytes, name
-- @return the record as JSON text, or nil, message, info
function M.wrap(bytes, header, opts)
  if type(bytes) ~= "string" then
    error(("bad argument #1 to 'wrap' (string expected, got %s)"):format(type(bytes)), 2)
  end
  if type(header) ~= "table" then
    error(("bad argument #2 to 'wrap' (table expected, got %s)"):format(type(header)), 2)
  end
  opts = opts or {}
  local name = opts.name
  local max = max_bytes_of(opts)
  if #bytes == 0 then return refuse("AXL-E09", "the message is empty", { name = name }) end
  if #bytes > max then return over("AXL-E03", "the message", "max_bytes", max, #bytes, name) end
  local path, what = header_problem(header, true)
  if path then
    return refuse("AXL-E04", ("%s must be %s"):format(path, what), { name = name, path = path })
  end
  local misc = opts.miscellaneous
  if misc ~= nil and type(misc) ~= "table" then
    return refuse("AXL-E04", "opts.miscellaneous must be an object", { name = name, path = "miscellaneous" })
  end
  local record = {
    header = deep_copy(header, 0),
    message = { data = M.base64_encode(bytes) },
    miscellaneous = misc and deep_copy(misc, 0) or nil,
  }
  if opts.sign ~= nil then
    if type(opts.sign) ~= "function" then
      error("bad option 'sign' (function expected)", 2)
    end
    local ok, value, key_uuid = pcall(opts.sign, bytes)
    if not ok then
      -- The callback's own text may quote anything: keep it out.
      return refuse("AXL-E10", "opts.sign raised; nothing was wrapped", { name = name })
    end
    if type(value) ~= "string" or not M.base64_decode(value) or value == ""
      or type(key_uuid) ~= "string" or key_uuid == "" then
      return refuse("AXL-E10", "opts.sign must return the signature as base64 text and the key's uuid",
        { name = name })
    end
    record.message.signature = { publicKey = { uuid = key_uuid }, value = value }
  end
  local ok, json = pcall(M._encode_json, record)
  if not ok then
    return refuse("AXL-E04", "the header or miscellaneous holds " .. json, { name = name })
  end
  return json
end

--- Reads a platform record: the exact message bytes and the record.
-- Decodes and checks `message.data` (strict base64, the size limit) and the
-- header's field types; every other field is passed through untouched. The
-- signature is checked only by verify.
-- @param json the record's JSON text
-- @param opts table or nil: max_bytes (decoded message, default 16 MiB),
--   max_record_bytes (the JSON text), name (used in messages)
-- @return bytes, record; or nil, message, info
function M.unwrap(json, opts)
  if type(json) ~= "string" then
    error(("bad argument #1 to 'unwrap' (string expected, got %s)"):format(type(json)), 2)
  end
  opts = opts or {}
  local name = opts.name
  local max = max_bytes_of(opts)
  local max_record = opts.max_record_bytes or ((max + 2) // 3 * 4 + JSON_OVERHEAD)
  if math.type(max_record) ~= "integer" or max_record < 1 then
    error("bad option 'max_record_bytes' (positive integer expected)", 2)
  end
  if #json > max_record then
    return over("AXL-E03", "the record", "max_record_bytes", max_record, #json, name)
  end
  local record, jerr = cjson.decode(json)
  if record == nil then
    -- cjson names a position, never the text; keep only the position.
    local at = tostring(jerr):match("character (%d+)")
    return refuse("AXL-E01", "not valid JSON" .. (at and (" (at character " .. at .. ")") or ""),
      { name = name, offset = at and tonumber(at) or nil })
  end
  if type(record) ~= "table" or record[1] ~= nil then
    return refuse("AXL-E02", "not a platform record: the JSON is not an object", { name = name })
  end
  local message = record.message
  if type(message) ~= "table" or type(message.data) ~= "string" then
    return refuse("AXL-E02", "not a platform record: no message.data text", { name = name, path = "message.data" })
  end
  local data = message.data
  local size = decoded_length(data)
  if size and size > max then
    return over("AXL-E03", "the message", "max_bytes", max, size, name)
  end
  local bytes, bad = M.base64_decode(data)
  if not bytes then
    local where = bad == 0 and "its length is not a multiple of 4" or ("at character " .. bad)
    return refuse("AXL-E05", "message.data is not strict base64: " .. where,
      { name = name, path = "message.data", offset = bad })
  end
  if #bytes == 0 then
    return refuse("AXL-E09", "the message is empty", { name = name, path = "message.data" })
  end
  local path, what = header_problem(record.header, false)
  if path then
    return refuse("AXL-E04", ("%s must be %s"):format(path, what), { name = name, path = path })
  end
  local sig = message.signature
  if not absent(sig) and (type(sig) ~= "table" or (not absent(sig.value) and type(sig.value) ~= "string")) then
    return refuse("AXL-E04", "message.signature must be an object with a text value",
      { name = name, path = "message.signature" })
  end
  for _, k in ipairs { "resourceUuid", "parentRecord", "dossierUuid", "sub", "creationDate" } do
    if not absent(record[k]) and type(record[k]) ~= "string" then
      return refuse("AXL-E04", k .. " must be a string", { name = name, path = k })
    end
  end
  local st = record.status
  if not absent(st) and (type(st) ~= "table" or type(st.value) ~= "string") then
    return refuse("AXL-E04", "status must be an object with a text value", { name = name, path = "status" })
  end
  return bytes, record
end

-- {======================================================================
-- requestVersion (KET-003)
-- =======================================================================

--- Message types that start a new requestVersion: the first two letters of
-- `messageType` ("AX OfferteAanvraag" -> AX). Everything else keeps the
-- version of what it answers. A table a host may change (DESIGN 10.3 names
-- AX, KX, LX and WX; KET-003 as quoted in research names AX, KX and WX
-- for new versions and LX only for the no-duplicates rule).
M.NEW_VERSION_TYPES = { AX = true, KX = true, LX = true, WX = true }

--- The requestVersion a new message of `message_type` gets after the
-- dossier's latest header `previous_header` (nil for the first message).
-- @return the version as a string, or nil, message, info
function M.next_version(previous_header, message_type)
  if type(message_type) ~= "string" then
    error(("bad argument #2 to 'next_version' (string expected, got %s)"):format(type(message_type)), 2)
  end
  if previous_header == nil then return "1" end
  if type(previous_header) ~= "table" then
    error(("bad argument #1 to 'next_version' (table or nil expected, got %s)"):format(type(previous_header)), 2)
  end
  local v = previous_header.requestVersion
  if type(v) ~= "string" or not v:match("^[1-9]%d*$") or #v > 15 then
    return refuse("AXL-E04", 'header.requestVersion must be a string of digits ("1" first)',
      { path = "header.requestVersion" })
  end
  local kind = message_type:match("^(%u%u)%f[%A]")
  if kind and M.NEW_VERSION_TYPES[kind] then
    return tostring(math.tointeger(tonumber(v)) + 1)
  end
  return v
end

-- {======================================================================
-- Signatures (optional: lua-luaossl)
-- =======================================================================

--- Checks a SHA256withRSA signature over exactly `bytes`.
-- @param bytes the message bytes (unwrap's first result)
-- @param value the signature as in the record: base64 text
-- @param public_key_pem the sender's public key, PEM
-- @return true; false, message, info when the signature does not match;
--   nil, message, info when it cannot be checked (no lua-luaossl, a bad key)
-- {======================================================================
-- Public keys, checked before lua-luaossl sees them
-- =======================================================================

-- lua-luaossl 20220711 (Debian 12) reads freed memory when it reports a key
-- it cannot load (AddressSanitizer: heap-use-after-free under pkey.new's
-- error path), so a key is checked here first and only a well-formed one
-- reaches it: the PEM armour, strict base64, and the DER of an RSA
-- SubjectPublicKeyInfo (the platform signs with SHA256withRSA):
--   SEQUENCE { SEQUENCE { OID rsaEncryption, NULL }, BIT STRING { 0 unused,
--     SEQUENCE { INTEGER modulus, INTEGER exponent } } }

-- One DER element at position i: tag, start of its content, end of it.
local function der(s, i, limit)
  local tag, len = s:byte(i, i + 1)
  if not len or i + 1 > limit then return nil end
  local start = i + 2
  if len >= 0x80 then
    local n = len - 0x80
    if n < 1 or n > 3 or start + n - 1 > limit then return nil end
    len = 0
    for k = 0, n - 1 do len = len * 256 + s:byte(start + k) end
    if len < 0x80 then return nil end   -- DER uses the short form then
    start = start + n
  end
  local stop = start + len - 1
  if stop > limit then return nil end
  return tag, start, stop
end

local RSA_OID = "\6\9\42\134\72\134\247\13\1\1\1"

-- A positive INTEGER of at least `min` bytes (no needless leading zero).
local function positive_integer(s, i, limit, min)
  local tag, a, b = der(s, i, limit)
  if tag ~= 0x02 or b < a then return nil end
  local first = s:byte(a)
  if first >= 0x80 then return nil end
  if first == 0 and (a == b or s:byte(a + 1) < 0x80) then return nil end
  if b - a + 1 < min then return nil end
  return b
end

local function rsa_public_key(d)
  local n = #d
  local tag, a, b = der(d, 1, n)
  if tag ~= 0x30 or b ~= n then return false end
  local t2, a2, b2 = der(d, a, b)                          -- AlgorithmIdentifier
  if t2 ~= 0x30 or d:sub(a2, b2) ~= RSA_OID .. "\5\0" then return false end
  local t3, a3, b3 = der(d, b2 + 1, b)                     -- BIT STRING
  if t3 ~= 0x03 or b3 ~= b or d:byte(a3) ~= 0 then return false end
  local t4, a4, b4 = der(d, a3 + 1, b3)                    -- RSAPublicKey
  if t4 ~= 0x30 or b4 ~= b3 then return false end
  local after_n = positive_integer(d, a4, b4, 128)         -- 1024 bits at least
  local after_e = after_n and positive_integer(d, after_n + 1, b4, 1)
  return after_e == b4
end

-- The PEM text of an RSA public key, normalised, or nil.
local function checked_public_key(pem)
  local body = pem:match("^%s*%-%-%-%-%-BEGIN PUBLIC KEY%-%-%-%-%-\r?\n(.-)\r?\n%-%-%-%-%-END PUBLIC KEY%-%-%-%-%-%s*$")
  if not body or #body > 8192 then return nil end
  body = body:gsub("\r?\n", "")
  local d = M.base64_decode(body)
  if not d or not rsa_public_key(d) then return nil end
  local lines = {}
  for k = 1, #body, 64 do lines[#lines + 1] = body:sub(k, k + 63) end
  return "-----BEGIN PUBLIC KEY-----\n" .. table.concat(lines, "\n") .. "\n-----END PUBLIC KEY-----\n"
end

function M.verify(bytes, value, public_key_pem)
  for i, v in ipairs { bytes, value, public_key_pem } do
    if type(v) ~= "string" then
      error(("bad argument #%d to 'verify' (string expected, got %s)"):format(i, type(v)), 2)
    end
  end
  local ok_p, pkey = pcall(require, "openssl.pkey")
  local ok_d, digest = pcall(require, "openssl.digest")
  if not ok_p or not ok_d then
    return nil, "signature not checked: lua-luaossl is not installed (Debian package lua-luaossl)",
      { code = "AXL-E11" }
  end
  local sig = M.base64_decode(value)
  if not sig then
    return nil, "signature: AXL-E05 the signature value is not strict base64", { code = "AXL-E05" }
  end
  local pem = checked_public_key(public_key_pem)
  if not pem then
    return nil, "signature: AXL-E12 the public key cannot be read (an RSA public key in PEM expected)",
      { code = "AXL-E12" }
  end
  local ok, key = pcall(pkey.new, pem, "PEM", "public")
  if not ok or not key then
    return nil, "signature: AXL-E12 the public key cannot be read (PEM expected)", { code = "AXL-E12" }
  end
  local good, result = pcall(function()
    local d = digest.new("sha256")
    d:update(bytes)
    return key:verify(sig, d)
  end)
  if not good then
    return nil, "signature: AXL-E12 the key cannot check this signature", { code = "AXL-E12" }
  end
  if result ~= true then
    return false, "signature: AXL-E13 the signature does not match the message bytes", { code = "AXL-E13" }
  end
  return true
end

return M
