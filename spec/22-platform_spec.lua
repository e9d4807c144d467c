-- The platform record envelope (DESIGN 10.3): exact bytes, strict base64, limits, requestVersion, signatures.
local axlink = require "axlink"
local platform = require "axlink.platform"
local cjson = require "cjson"

local GOLDEN = "spec/fixtures/hdn/bronaanvraag-25.0-ockto-brp-sample.xml"

local slurp = require("support.files").slurp

-- The header of HDN's BRP request (BronBerichtTest.java), receiver a node number.
local function brp_header()
  return {
    receiver = "123456", requestVersion = "1",
    requestSchema = { messageType = "BronAanvraagBericht", receiverCode = "AG ABN AMRO Hypotheken Groep",
      schemaVersion = "25.0", contentType = "XML", environment = "stage" },
    responseSchemas = { { messageType = "BasisRegistratiePersonenBericht",
      receiverCode = "AG ABN AMRO Hypotheken Groep", schemaVersion = "25.0.1.1", contentType = "XML" } },
    externalSource = { provider = "02 Ockto", document = "26 Basis Registratie Personen",
      source = "11 Mijnoverheid.nl" },
  }
end

local function refused(code, ok, err, info)
  assert.is_nil(ok)
  assert.are.equal(code, info.code, err)
  assert.truthy(err:find(code, 1, true), err)
end

describe("platform base64", function()
  it("round-trips every length and matches RFC 4648's vectors", function()
    local vectors = { [""] = "", f = "Zg==", fo = "Zm8=", foo = "Zm9v", foob = "Zm9vYg==", fooba = "Zm9vYmE=",
      foobar = "Zm9vYmFy" }
    for plain, enc in pairs(vectors) do
      assert.are.equal(enc, platform.base64_encode(plain))
      assert.are.equal(plain, platform.base64_decode(enc))
    end
    local all = {}
    for i = 0, 255 do all[#all + 1] = string.char(i) end
    all = table.concat(all)
    for n = 0, 40 do
      local s = all:sub(1, n) .. all:sub(-n)
      assert.are.equal(s, platform.base64_decode(platform.base64_encode(s)))
    end
  end)

  it("is strict on decode", function()
    for _, bad in ipairs { "Zg=", "Zg", "Zm9v\n", " Zm9v", "Zm-v", "Zm_v", "Z===", "Zg==Zg==", "Zh==", "Zm9=",
      "Zm8=Zm9v", "====" } do
      assert.is_nil(platform.base64_decode(bad), bad)
    end
  end)
end)

describe("platform.wrap and unwrap", function()
  it("unwrap returns exactly the wrapped bytes, with and without the final newline", function()
    local xml = slurp(GOLDEN)
    for _, bytes in ipairs { xml, xml:sub(1, -2), "\239\187\191" .. xml } do
      local json = assert(platform.wrap(bytes, brp_header()))
      local back, record = platform.unwrap(json)
      assert.are.equal(bytes, back)
      assert.are.equal("25.0", record.header.requestSchema.schemaVersion)
      assert.are.same(brp_header().externalSource, record.header.externalSource)
    end
    -- HDN's client sends the sample without the final newline: 952 bytes.
    local record = cjson.decode((assert(platform.wrap(xml:sub(1, -2), brp_header()))))
    assert.are.equal(952, #platform.base64_decode(record.message.data))
  end)

  it("is deterministic, with HDN's field order", function()
    local a = assert(platform.wrap("<x/>", brp_header(), { miscellaneous = { senderName = "S", receiverName = "R",
      sendingApplication = { applicationName = "A", applicationVersion = "1", sendingDateTime = "2026-01-02T03:04:05Z" } } }))
    for _ = 1, 5 do
      assert.are.equal(a, platform.wrap("<x/>", brp_header(), { miscellaneous = { senderName = "S",
        receiverName = "R", sendingApplication = { applicationName = "A", applicationVersion = "1",
        sendingDateTime = "2026-01-02T03:04:05Z" } } }))
    end
    assert.truthy(a:find('^{"header":{"receiver":"123456","requestVersion":"1","requestSchema":{"messageType":'))
    assert.truthy(a:find('"message":{"data":"PHgvPg=="}', 1, true), a)
  end)

  it("signs through the caller's callback, over the bytes only", function()
    local seen
    local json = assert(platform.wrap("<x/>", brp_header(), { sign = function(b)
      seen = b
      return "c2lnbmF0dXJl", "key-uuid-1"
    end }))
    assert.are.equal("<x/>", seen)
    local _, record = platform.unwrap(json)
    assert.are.same({ publicKey = { uuid = "key-uuid-1" }, value = "c2lnbmF0dXJl" }, record.message.signature)
    refused("AXL-E10", platform.wrap("<x/>", brp_header(), { sign = function() error("no key") end }))
    refused("AXL-E10", platform.wrap("<x/>", brp_header(), { sign = function() return "not base64!", "k" end }))
    refused("AXL-E10", platform.wrap("<x/>", brp_header(), { sign = function() return "c2ln" end }))
  end)

  it("wrap refuses a header of the wrong types, naming the field", function()
    local cases = {
      { "header.requestVersion", function(h) h.requestVersion = 1 end },
      { "header.requestVersion", function(h) h.requestVersion = "01" end },
      { "header.requestVersion", function(h) h.requestVersion = nil end },
      { "header.receiver", function(h) h.receiver = nil end },
      { "header.requestSchema", function(h) h.requestSchema = "BronAanvraagBericht" end },
      { "header.requestSchema.schemaVersion", function(h) h.requestSchema.schemaVersion = 25.0 end },
      { "header.requestSchema.contentType", function(h) h.requestSchema.contentType = "JSON" end },
      { "header.requestSchema.environment", function(h) h.requestSchema.environment = "test" end },
      { "header.responseSchemas[1]", function(h) h.responseSchemas[1] = "x" end },
      { "header.externalSource.provider", function(h) h.externalSource.provider = 2 end },
    }
    for _, c in ipairs(cases) do
      local h = brp_header()
      c[2](h)
      local ok, err, info = platform.wrap("<x/>", h)
      refused("AXL-E04", ok, err, info)
      assert.are.equal(c[1], info.path, err)
    end
  end)

  it("wrap refuses empty and over-limit bytes", function()
    refused("AXL-E09", platform.wrap("", brp_header()))
    local ok, err, info = platform.wrap(string.rep("x", 2049), brp_header(), { max_bytes = 2048 })
    refused("AXL-E03", ok, err, info)
    assert.are.equal("max_bytes", info.limit)
    assert.are.equal(2048, info.value)
    assert.are.equal(2049, info.actual)
  end)

  it("accepts a record read back: responseSchema as one object, status, parentRecord, nulls", function()
    local bytes = slurp("spec/fixtures/lender/validatiemelding-99-consent.xml")
    local json = ('{"header":{"requestVersion":"1","requestTraceNr":"t","sender":"654321","receiver":"123456",' ..
      '"requestSchema":{"messageType":"ValidatieMelding","receiverCode":"HDN","schemaVersion":"25.0",' ..
      '"contentType":"XML","environment":"stage"},"responseSchema":{"messageType":"X","receiverCode":"HDN",' ..
      '"schemaVersion":"25.0.1.1"}},"message":{"data":"%s","signature":{"publicKey":{"uuid":"u"},' ..
      '"value":"c2ln"}},"status":{"value":"new","modifiedTimestamp":"2026-01-02T03:04:05Z"},"sub":"s",' ..
      '"resourceUuid":"r-2","parentRecord":"r-1","dossierUuid":"d","creationDate":"2026-01-02T03:04:05Z",' ..
      '"extra":null,"miscellaneous":{"senderName":"S"}}'):format(platform.base64_encode(bytes))
    local back, record = platform.unwrap(json)
    assert.are.equal(bytes, back)
    assert.are.equal("r-1", record.parentRecord)
    assert.are.equal("new", record.status.value)
    assert.are.equal(cjson.null, record.extra)
    assert.are.equal("X", record.header.responseSchema.messageType)
    assert.are.equal("ValidatieMelding", assert(axlink.parse(back)):root())
  end)

  describe("unwrap refuses with a clear code", function()
    local good = assert(platform.wrap("<x/>", brp_header()))
    it("bad JSON, no object, no message data", function()
      refused("AXL-E01", platform.unwrap('{"header":'))
      refused("AXL-E01", platform.unwrap(""))
      refused("AXL-E02", platform.unwrap("[1,2]"))
      refused("AXL-E02", platform.unwrap('"text"'))
      refused("AXL-E02", platform.unwrap('{"message":{"data":7}}'))
      refused("AXL-E02", platform.unwrap('{"header":{}}'))
    end)

    it("bad base64", function()
      for _, data in ipairs { "PHgv Pg==", "PHgvPg=", "PHgvPh==", "PHgv\\nPg==", "PHgvPg==PHgvPg==" } do
        local ok, err, info = platform.unwrap((good:gsub("PHgvPg==", data)))
        refused("AXL-E05", ok, err, info)
        assert.are.equal("message.data", info.path)
      end
    end)

    it("over the limits, before decoding", function()
      local big = assert(platform.wrap(string.rep("y", 3000), brp_header()))
      local ok, err, info = platform.unwrap(big, { max_bytes = 2048 })
      refused("AXL-E03", ok, err, info)
      assert.are.same({ "max_bytes", 2048, 3000 }, { info.limit, info.value, info.actual })
      assert.truthy(err:find("over max_bytes", 1, true), err)
      ok, err, info = platform.unwrap(big, { max_record_bytes = 100 })
      refused("AXL-E03", ok, err, info)
      assert.are.equal("max_record_bytes", info.limit)
    end)

    it("a header of the wrong types", function()
      refused("AXL-E04", platform.unwrap((good:gsub('"requestVersion":"1"', '"requestVersion":1'))))
      refused("AXL-E04", platform.unwrap((good:gsub('"environment":"stage"', '"environment":"prod"'))))
      refused("AXL-E04", platform.unwrap((good:gsub('"header":{', '"parentRecord":5,"header":{'))))
    end)

    it("keeps data out of its messages", function()
      local ok, err = platform.unwrap('{"message":{"data":"Geheim-BSN-999990019"}}')
      assert.is_nil(ok)
      assert.is_nil(err:find("999990019", 1, true))
      ok, err = platform.unwrap('{"header": Geheim}')
      assert.is_nil(ok)
      assert.is_nil(err:find("Geheim", 1, true))
    end)

    it("raises for a wrong argument type only", function()
      assert.has_error(function() platform.unwrap(nil) end)
      assert.has_error(function() platform.wrap("<x/>", nil) end)
    end)
  end)
end)

describe("platform.next_version", function()
  it("starts at 1; only AX, KX, LX and WX start a new version", function()
    assert.are.equal("1", platform.next_version(nil, "AX OfferteAanvraag"))
    assert.are.equal("1", platform.next_version(nil, "BronAanvraagBericht"))
    assert.are.equal("4", platform.next_version({ requestVersion = "3" }, "AX OfferteAanvraag"))
    assert.are.equal("10", platform.next_version({ requestVersion = "9" }, "KX"))
    assert.are.equal("3", platform.next_version({ requestVersion = "2" }, "LX Leningovereenkomst"))
    assert.are.equal("3", platform.next_version({ requestVersion = "2" }, "WX Wijziging"))
    assert.are.equal("3", platform.next_version({ requestVersion = "3" }, "BronAanvraagBericht"))
    assert.are.equal("3", platform.next_version({ requestVersion = "3" }, "DA Document"))
    assert.are.equal("3", platform.next_version({ requestVersion = "3" }, "AXE"))
  end)

  it("refuses a previous version that is not a string of digits", function()
    refused("AXL-E04", platform.next_version({ requestVersion = 3 }, "AX OfferteAanvraag"))
    refused("AXL-E04", platform.next_version({ requestVersion = "v3" }, "AX OfferteAanvraag"))
    assert.has_error(function() platform.next_version(nil, 4) end)
  end)
end)

describe("platform.verify", function()
  local dir, key_pem, pub_pem, has_ossl
  local bytes = slurp(GOLDEN)

  setup(function()
    dir = os.tmpname()
    os.remove(dir)
    assert(os.execute("mkdir -p " .. dir))
    assert(os.execute(("openssl genrsa -out %s/key.pem 2048 2>/dev/null && " ..
      "openssl rsa -in %s/key.pem -pubout -out %s/pub.pem 2>/dev/null"):format(dir, dir, dir)))
    key_pem = dir .. "/key.pem"
    pub_pem = slurp(dir .. "/pub.pem")
    has_ossl = pcall(require, "openssl.pkey")
  end)

  teardown(function()
    os.execute("rm -rf " .. dir)
  end)

  -- SHA256withRSA, base64, by the openssl command: the caller's signer.
  local function sign(b)
    local f = assert(io.open(dir .. "/msg", "wb"))
    f:write(b)
    f:close()
    assert(os.execute(("openssl dgst -sha256 -sign %s -out %s/sig %s/msg"):format(key_pem, dir, dir)))
    return platform.base64_encode(slurp(dir .. "/sig")), "key-uuid"
  end

  it("checks a signature made with a generated key pair, through a wrapped record", function()
    local json = assert(platform.wrap(bytes, { receiver = "1", requestVersion = "1", requestSchema = {
      messageType = "BronAanvraagBericht", receiverCode = "HDN", schemaVersion = "25.0", contentType = "XML",
      environment = "acceptatie" } }, { sign = sign }))
    local back, record = platform.unwrap(json)
    local value = record.message.signature.value
    -- make test's set-up installs lua-luaossl: the check itself always runs
    -- here (the missing-library path has its own test below).
    assert.is_true(has_ossl, "lua-luaossl is not installed")
    assert.is_true(platform.verify(back, value, pub_pem))
    local ok, err, info = platform.verify(back .. " ", value, pub_pem)
    assert.is_false(ok)
    assert.are.equal("AXL-E13", info.code, err)
    ok, err, info = platform.verify(back, "c2ln", pub_pem)
    assert.is_false(ok)
    assert.are.equal("AXL-E13", info.code, err)
    ok, err, info = platform.verify(back, value, "-----BEGIN PUBLIC KEY-----\nnonsense\n-----END PUBLIC KEY-----\n")
    assert.is_nil(ok)
    assert.are.equal("AXL-E12", info.code, err)
    ok, err, info = platform.verify(back, "not base64", pub_pem)
    assert.is_nil(ok)
    assert.are.equal("AXL-E05", info.code, err)
  end)

  -- lua-luaossl reads freed memory when it reports a key it cannot load
  -- (seen under AddressSanitizer): such keys must never reach it. Every one
  -- below is refused with AXL-E12 by axlink's own check, under the
  -- sanitizer pass of make test too.
  it("refuses keys that are not an RSA public key before lua-luaossl sees them", function()
    local sig = platform.base64_encode(("x"):rep(256))
    local good = pub_pem:match("BEGIN PUBLIC KEY%-%-%-%-%-\n(.-)\n%-%-%-%-%-END")
    local der = platform.base64_decode((good:gsub("\n", "")))
    local function pem(d)
      return "-----BEGIN PUBLIC KEY-----\n" .. platform.base64_encode(d) .. "\n-----END PUBLIC KEY-----\n"
    end
    assert(os.execute(("openssl ecparam -name prime256v1 -genkey -noout -out %s/ec.pem 2>/dev/null && " ..
      "openssl ec -in %s/ec.pem -pubout -out %s/ecpub.pem 2>/dev/null"):format(dir, dir, dir)))
    local keys = {
      "-----BEGIN PUBLIC KEY-----\nnonsense\n-----END PUBLIC KEY-----\n",
      pem("\48\3\2\1\0"),                                  -- a SEQUENCE, not a key
      pem(der:sub(1, -2)),                                 -- cut short
      pem(der .. "\0"),                                    -- trailing byte
      pem(der:sub(1, 30) .. "\255" .. der:sub(32)),         -- a byte of the modulus' header changed
      slurp(dir .. "/ecpub.pem"),                          -- a real key, but not RSA
      pub_pem:gsub("PUBLIC KEY", "RSA PUBLIC KEY"),        -- another armour
      "",
    }
    for i, k in ipairs(keys) do
      local ok, err, info = platform.verify(bytes, sig, k)
      assert.is_nil(ok, i)
      assert.are.equal("AXL-E12", info.code, i .. ": " .. tostring(err))
    end
    -- The same key with CRLF line ends and without a final newline is read.
    local crlf = pub_pem:gsub("\n", "\r\n"):gsub("\r\n$", "")
    local _, _, info = platform.verify(bytes, sig, crlf)
    assert.are.equal("AXL-E13", info.code)
  end)

  it("says plainly when lua-luaossl is missing", function()
    local saved_p, saved_d = package.loaded["openssl.pkey"], package.loaded["openssl.digest"]
    local searchers = package.searchers
    package.loaded["openssl.pkey"], package.loaded["openssl.digest"] = nil, nil
    package.searchers = { function(n) return "\n\tno " .. n end }
    local ok, err, info = platform.verify(bytes, "c2ln", "pem")
    package.searchers = searchers
    package.loaded["openssl.pkey"], package.loaded["openssl.digest"] = saved_p, saved_d
    assert.is_nil(ok)
    assert.are.equal("signature not checked: lua-luaossl is not installed (Debian package lua-luaossl)", err)
    assert.are.equal("AXL-E11", info.code)
  end)
end)
