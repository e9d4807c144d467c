--- BronAanvraagBericht from the links (DESIGN 10.1): the lender asks the
-- CDL for each linked person's products.
--
-- The shape is HDN's public 25.0 sample (Hypotheken-Data-Netwerk/
-- hdn-platform-apiv2-client, BronBerichtTest.java):
--   /BronAanvraagBericht/ExterneBron@Volgnummer/{SoortProduct, DataleverancierNaam, BronNaam}
--                       /Dataleverancier@Volgnummer/{DataMijNr, DataleverancierID,
--                                                    GegevensVerzoekVersie, DataleverancierOntvangerNaam}
--                       /Product@Volgnummer/<product element>@Volgnummer/PersoonsID
-- Messages are built with axlink.fromtable, so escaping, element order and
-- the canonical form are the core's, as for every other message.
-- @module axlink.bronaanvraag

local core = require "axlink.core"

local M = {}

-- The elements of both messages, by role: names from the AX profile
-- (DESIGN 7.3), never spelled here.
local N = require("axlink.profile").default().names

local BRP = "26 Basis Registratie Personen"

--- The product table: SoortProduct -> { bron_naam (BronNaam), element
-- (the product element under Product, holding PersoonsID), answer (the
-- message type of the answer, for the record's responseSchemas) }.
-- Only the BRP row is public (HDN's sample request; the answer's message
-- type from the platform client's APIConstants). Every other row is
-- ASSUMED: HDN's code lists are members-only; the codes and names follow
-- the modelled answers in examples/data/brondata/ (formats/hdn_brondata.lua).
-- A host replaces the table with `opts.product_table`.
M.PRODUCTS = {
  [BRP] = { bron_naam = "11 Mijnoverheid.nl", element = N.brp_product,
    answer = "BasisRegistratiePersonenBericht" },
  ["27 Loondienst Inkomsten"] = { bron_naam = "12 Mijn UWV", element = "LoondienstInkomsten",
    answer = "LoondienstInkomstenBericht", assumed = true },
  ["28 Pensioen Overzicht"] = { bron_naam = "13 Mijnpensioenoverzicht.nl", element = "PensioenOverzicht",
    answer = "PensioenOverzichtBericht", assumed = true },
  ["29 Studie Lening"] = { bron_naam = "14 Mijn DUO", element = "StudieLening",
    answer = "StudieLeningBericht", assumed = true },
}

-- {======================================================================
-- Refusals: the message names options, products (the caller's codes) and
-- Hypotheekgever Volgnummers, never a key or a value from the data.
-- =======================================================================

local function refuse(name, code, text, extra)
  local info = { code = code }
  for k, v in pairs(extra or {}) do info[k] = v end
  return nil, ("%s: %s %s"):format(name, code, text), info
end

local function usable(s)
  -- A key goes back to the CDL as is: whitespace at either end or a line
  -- break would make it another key (the same test as AXL-R06).
  return type(s) == "string" and s ~= "" and not s:find("^%s") and not s:find("%s$") and not s:find("[\r\n]")
end

local function option_string(opts, key, name)
  local v = opts[key]
  if v == nil or v == "" then
    return refuse(name, "AXL-B01", ("opts.%s is required"):format(key), { option = key })
  end
  if type(v) ~= "string" then
    return refuse(name, "AXL-B02", ("opts.%s must be a string"):format(key), { option = key })
  end
  if not usable(v) then
    return refuse(name, "AXL-B07", ("opts.%s has whitespace at an end or a line break"):format(key),
      { option = key })
  end
  return v
end

local function volgnummer_of(opts, name)
  local v = opts.volgnummer
  if v == nil then return "1" end
  if math.type(v) == "integer" and v >= 1 then return tostring(v) end
  if type(v) == "string" and v:match("^[1-9]%d*$") then return v end
  return refuse(name, "AXL-B02", "opts.volgnummer must be a positive integer", { option = "volgnummer" })
end

local function product_rows(opts, name)
  local tbl = opts.product_table or M.PRODUCTS
  if type(tbl) ~= "table" then
    return refuse(name, "AXL-B02", "opts.product_table must be a table", { option = "product_table" })
  end
  local products = opts.products or { BRP }
  if type(products) ~= "table" or #products == 0 then
    return refuse(name, "AXL-B02", "opts.products must be a non-empty list of product codes",
      { option = "products" })
  end
  local rows, seen = {}, {}
  for i, code in ipairs(products) do
    if type(code) ~= "string" then
      return refuse(name, "AXL-B02", ("opts.products[%d] must be a string"):format(i), { option = "products" })
    end
    local row = tbl[code]
    if row == nil then
      return refuse(name, "AXL-B03", ("product %q is not in the product table"):format(code),
        { option = "products", product = code })
    end
    if type(row) ~= "table" or not usable(row.bron_naam) or type(row.element) ~= "string"
      or not row.element:match("^[%a_][%w_.-]*$") then
      return refuse(name, "AXL-B02", ("the product table's row for %q needs bron_naam and an element name")
        :format(code), { option = "product_table", product = code })
    end
    if seen[code] then
      return refuse(name, "AXL-B02", ("product %q is asked twice"):format(code),
        { option = "products", product = code })
    end
    seen[code] = true
    rows[#rows + 1] = { code = code, row = row }
  end
  return rows
end

-- The links to request for: all of msg:links(), or opts.links, each of
-- which must be one of the message's links (a table from links()).
local function links_of(msg, opts, name)
  local all = msg:links()
  if opts.links == nil then
    if #all == 0 then
      return refuse(name, "AXL-B10", "the message has no links to request data for")
    end
    return all
  end
  if type(opts.links) ~= "table" or #opts.links == 0 then
    return refuse(name, "AXL-B02", "opts.links must be a non-empty list of links from msg:links()",
      { option = "links" })
  end
  for i, l in ipairs(opts.links) do
    local found = false
    for _, m in ipairs(all) do
      if type(l) == "table" and l.persoons_id == m.persoons_id and l.dataleverancier_id == m.dataleverancier_id
        and l.hypotheekgever == m.hypotheekgever then
        found = true
        break
      end
    end
    if not found then
      return refuse(name, "AXL-B08", ("opts.links[%d] is not a link of this message"):format(i),
        { option = "links", index = i })
    end
  end
  return opts.links
end

-- DataleverancierNaam: opts.supplier, else a supplier the message states,
-- else the inferred one only when the caller accepts inference.
local function supplier_of(link, opts)
  if opts.supplier ~= nil then return opts.supplier end
  if link.supplier and not link.supplier_inferred then return link.supplier end
  if link.supplier and opts.use_inferred_supplier then return link.supplier end
end

local function data_mij_nr(link, opts, name, hg)
  local v = opts.data_mij_nr
  if type(v) == "function" then
    local ok, r = pcall(v, link)
    if not ok then
      return refuse(name, "AXL-B06", ("opts.data_mij_nr raised for the link of Hypotheekgever %s"):format(hg),
        { option = "data_mij_nr", hypotheekgever = link.hypotheekgever })
    end
    v = r
  end
  if v == nil or v == "" then
    return refuse(name, "AXL-B01", "opts.data_mij_nr is required", { option = "data_mij_nr" })
  end
  if type(v) ~= "string" then
    return refuse(name, "AXL-B06", ("opts.data_mij_nr gave no string for the link of Hypotheekgever %s"):format(hg),
      { option = "data_mij_nr", hypotheekgever = link.hypotheekgever })
  end
  if not usable(v) then
    return refuse(name, "AXL-B07", ("opts.data_mij_nr has whitespace at an end or a line break (Hypotheekgever %s)")
      :format(hg), { option = "data_mij_nr", hypotheekgever = link.hypotheekgever })
  end
  return v
end

-- {======================================================================
-- Building
-- =======================================================================

local function message_table(link, p, fields, vn)
  return {
    [N.external_source] = { { Volgnummer = vn, [N.product_kind] = p.code, [N.supplier_name] = fields.supplier,
      [N.source_name] = p.row.bron_naam } },
    [N.supplier] = { { Volgnummer = vn, [N.requester_ref] = fields.data_mij_nr,
      [N.file_key] = link.dataleverancier_id, [N.request_version] = fields.versie,
      [N.receiver_name] = fields.ontvanger } },
    [N.product] = { { Volgnummer = vn,
      [p.row.element] = { { Volgnummer = vn, [N.person_key] = link.persoons_id } } } },
  }
end

--- One BronAanvraagBericht per link and product.
-- All or nothing: a missing option, a link without its key, reference or
-- entity, or a message the core refuses gives nil, message, info (AXL-B)
-- and nothing is built.
-- @param msg an OfferteAanvraag Message
-- @param opts data_mij_nr (string or function(link)), gegevens_verzoek_versie,
--   ontvanger_naam (required); supplier, use_inferred_supplier, volgnummer,
--   products, product_table, links (optional)
-- @return { { message, persoons_id, dataleverancier_id, product,
--   hypotheekgever, answer, external_source } }, or nil, message, info
function M.build(msg, opts)
  if opts == nil then opts = {} end   -- then the required options are missing: AXL-B01
  if type(opts) ~= "table" then
    error(("bad argument #1 to 'bronaanvragen' (table expected, got %s)"):format(type(opts)), 2)
  end
  local name = opts.name or msg:_name() or "input"
  if msg:root() ~= N.root then
    return refuse(name, "AXL-B11", ("not an AX OfferteAanvraag: root is %s"):format(msg:root()))
  end
  local fields = {}
  local err, info
  fields.versie, err, info = option_string(opts, "gegevens_verzoek_versie", name)
  if not fields.versie then return nil, err, info end
  fields.ontvanger, err, info = option_string(opts, "ontvanger_naam", name)
  if not fields.ontvanger then return nil, err, info end
  if opts.data_mij_nr == nil or opts.data_mij_nr == "" then
    return refuse(name, "AXL-B01", "opts.data_mij_nr is required", { option = "data_mij_nr" })
  end
  if type(opts.data_mij_nr) ~= "string" and type(opts.data_mij_nr) ~= "function" then
    return refuse(name, "AXL-B02", "opts.data_mij_nr must be a string or a function", { option = "data_mij_nr" })
  end
  if opts.supplier ~= nil and not usable(opts.supplier) then
    return refuse(name, "AXL-B02", "opts.supplier must be a code such as \"02 Ockto\"", { option = "supplier" })
  end
  local vn
  vn, err, info = volgnummer_of(opts, name)
  if not vn then return nil, err, info end
  local products
  products, err, info = product_rows(opts, name)
  if not products then return nil, err, info end
  local links
  links, err, info = links_of(msg, opts, name)
  if not links then return nil, err, info end

  -- Every link is checked before anything is built.
  local plans = {}
  for _, link in ipairs(links) do
    local hg = tostring(link.hypotheekgever)
    local missing = link.missing or {}
    if #missing > 0 or not link.persoons_id or not link.dataleverancier_id then
      return refuse(name, "AXL-B04", ("the link of Hypotheekgever %s misses its %s"):format(hg,
        #missing > 0 and table.concat(missing, ", ") or "key"),
        { hypotheekgever = link.hypotheekgever, missing = missing })
    end
    if not usable(link.persoons_id) or not usable(link.dataleverancier_id) then
      return refuse(name, "AXL-B07", ("a key of Hypotheekgever %s has whitespace at an end or a line break"):format(hg),
        { hypotheekgever = link.hypotheekgever })
    end
    local supplier = supplier_of(link, opts)
    if not supplier then
      return refuse(name, "AXL-B05", ("no supplier for the link of Hypotheekgever %s: %s"):format(hg,
        link.supplier and "it is only inferred from the key (opts.use_inferred_supplier accepts it)"
          or "pass opts.supplier"), { hypotheekgever = link.hypotheekgever })
    end
    local mij
    mij, err, info = data_mij_nr(link, opts, name, hg)
    if not mij then return nil, err, info end
    plans[#plans + 1] = { link = link, supplier = supplier, data_mij_nr = mij }
  end

  local list = {}
  for _, plan in ipairs(plans) do
    local link = plan.link
    for _, p in ipairs(products) do
      local f = { supplier = plan.supplier, data_mij_nr = plan.data_mij_nr, versie = fields.versie,
        ontvanger = fields.ontvanger }
      local m, merr, minfo = core.fromtable(message_table(link, p, f, vn), { root = N.request_root })
      if not m then
        for _, done in ipairs(list) do done.message:close() end
        return refuse(name, "AXL-B09", ("the request for Hypotheekgever %s, product %q cannot be built (%s)")
          :format(tostring(link.hypotheekgever), p.code, minfo and minfo.code or "refused"),
          { hypotheekgever = link.hypotheekgever, product = p.code, cause = minfo, cause_message = merr })
      end
      list[#list + 1] = {
        message = m, persoons_id = link.persoons_id, dataleverancier_id = link.dataleverancier_id,
        product = p.code, hypotheekgever = link.hypotheekgever, answer = p.row.answer,
        -- The record header's externalSource for this request (DESIGN 10.3).
        external_source = { provider = plan.supplier, document = p.code, source = p.row.bron_naam },
      }
    end
  end
  return list
end

--- The file name the CLI writes a request to:
-- `<hypotheekgever>-<n>-<product code>.xml` (n counts that Hypotheekgever's
-- requests from 1).
function M.file_names(list)
  local names, count = {}, {}
  for i, e in ipairs(list) do
    local hg = tostring(e.hypotheekgever)
    count[hg] = (count[hg] or 0) + 1
    names[i] = ("%s-%d-%s.xml"):format(hg, count[hg], (e.product:match("^(%S+)") or "product"))
  end
  return names
end

return M
