--- The one mapping from CDL facts to AX (DESIGN 7.1-7.3): the same facts
-- give the same AX, whichever CDL delivered them. It reads a person's
-- `facts` (the vocabulary of DESIGN 7.2, doc/mapping.md) and says through
-- the fill context what goes where; the context (axlink.fill) decides what
-- is written: never over a value unless opts.overwrite, never a placeholder,
-- never a never-fill field, and every change with its source and date.
-- Field names come from the AX profile; code values from its code tables,
-- with opts.codes laid over them. A fact it cannot code becomes a proposal
-- with the reason.
-- @module axlink.mapping

local common = require "axlink.formats.common"
local profiles = require "axlink.profile"
local values = require "axlink.values"

local M = {}

-- {======================================================================
-- Options and code tables
-- =======================================================================

local HOUSEHOLDS = { single = true, couple = true }
local BASES = { accrued = true, prospective = true }

local sorted_keys = values.sorted_keys

--- Checks the mapping's options (DESIGN 7.3).
-- @return true, or nil, message, info (AXL-C26, the option named)
function M.check_options(opts, profile)
  local function bad(name, expected)
    return nil, ("AXL-C26 opts.%s: %s expected"):format(name, expected), { code = "AXL-C26", field = name }
  end
  if opts.household ~= nil and not HOUSEHOLDS[opts.household] then return bad("household", "'single' or 'couple'") end
  if opts.pension_basis ~= nil and not BASES[opts.pension_basis] then
    return bad("pension_basis", "'accrued' or 'prospective'")
  end
  for _, flag in ipairs { "overwrite", "fill", "strict" } do
    if opts[flag] ~= nil and type(opts[flag]) ~= "boolean" then return bad(flag, "true or false") end
  end
  if opts.codes ~= nil and type(opts.codes) ~= "table" then return bad("codes", "a table of code tables") end
  -- Sorted, so the same wrong options give the same message in every run.
  for _, name in ipairs(sorted_keys(opts.codes or {})) do
    local tbl = opts.codes[name]
    local where = "codes." .. tostring(name)
    if profile and profile.codes[name] == nil then
      return bad(where, "the name of one of the profile's code tables (" ..
        table.concat(sorted_keys(profile.codes), ", ") .. ")")
    end
    if type(tbl) ~= "table" then return bad(where, "a table") end
    for _, k in ipairs(sorted_keys(tbl)) do
      if type(k) ~= "string" or type(tbl[k]) ~= "string" then return bad(where, "words mapped to code strings") end
    end
  end
  return true
end

--- The profile's code tables with opts.codes laid over them, entry by
-- entry; copies, so neither is changed. A table given as another's name
-- ("country") starts as a copy of that one.
function M.codes(profile, opts)
  local merged = {}
  local function layer(name)
    local copy = {}
    for k, v in pairs(type(profile.codes[name]) == "table" and profile.codes[name] or {}) do copy[k] = v end
    for k, v in pairs(opts.codes and opts.codes[name] or {}) do copy[k] = v end
    return copy
  end
  for name, t in pairs(profile.codes) do
    if type(t) == "table" then merged[name] = layer(name) end
  end
  -- An alias follows its table with the caller's overrides in it, and its
  -- own overrides on top.
  for name, t in pairs(profile.codes) do
    if type(t) == "string" then
      local copy = {}
      for k, v in pairs(merged[t] or {}) do copy[k] = v end
      for k, v in pairs(opts.codes and opts.codes[name] or {}) do copy[k] = v end
      merged[name] = copy
    end
  end
  return merged
end

-- {======================================================================
-- Small helpers
-- =======================================================================

local function meta(fact, kind)
  return { source = fact.source, source_date = fact.date, kind = kind or "copied" }
end

local function cents(amount)
  return math.tointeger(tonumber((values.amount(amount):gsub("%.", ""))))
end

local function from_cents(c)
  return values.amount(("%d.%02d"):format(c // 100, c % 100))
end

-- The fact's start date, or the birth date plus its start age (derived).
local function start_of(fact, birth_date)
  if fact.start then return fact.start, "copied" end
  local age = fact.start_age
  if type(age) == "table" then
    local d = common.add_age(birth_date, age.years, age.months)
    if d then return d, "derived" end
  end
  return nil
end

-- "Inkomsten/Uitkering/BrutoJaarUitkering": a field of an entity under the
-- applicant, for proposals.
local function under_applicant(profile, entity, field)
  local parent = profiles.parent_of(profile, entity)
  return (parent and parent .. "/" or "") .. entity .. "/" .. field
end

-- {======================================================================
-- BRP: identity and address into PartijNAWData
-- =======================================================================

local function map_identity(ctx, id, codes)
  local f = ctx.profile.mapping.party
  local m = meta(id)
  local party = ctx.profile.names.party
  local function set(field, value) if value ~= nil then ctx:set(party, field, value, m) end end
  set(f.first_names, id.first_names)
  set(f.surname, id.surname)     -- without the voorvoegsel
  set(f.prefix, id.prefix)       -- the voorvoegsel in its own field
  -- Initials only as the CDL gave them (never derived from the first names,
  -- which gets "Th" and "IJ" wrong).
  set(f.initials, id.initials)
  if common.complete_date(id.birth_date) then set(f.birth_date, id.birth_date) end
  if id.gender and id.gender ~= "unknown" then
    if codes.gender[id.gender] then
      set(f.gender, codes.gender[id.gender])
    else
      ctx:propose(party, f.gender, id.gender, m, "no HDN code for this gender in codes.gender")
    end
  end
  if id.birth_country then
    if codes.country[id.birth_country] then
      set(f.birth_country, codes.country[id.birth_country])
    else
      ctx:propose(party, f.birth_country, id.birth_country, m, "country not in codes.country")
    end
  end
  if id.birth_place then
    -- A Dutch place name is plain text; a foreign one may need the
    -- receiver's spelling, so the adviser decides.
    if id.birth_country == "NL" then
      set(f.birth_place, id.birth_place)
    else
      ctx:propose(party, f.birth_place, id.birth_place, m, "born abroad or country unknown: check the spelling")
    end
  end
  local nats = id.nationalities or {}
  if #nats == 1 and codes.nationality[nats[1]] then
    set(f.nationality, codes.nationality[nats[1]])
  else
    for _, n in ipairs(nats) do
      ctx:propose(party, f.nationality, codes.nationality[n] or n, m,
        #nats > 1 and "several nationalities: the adviser chooses" or "nationality not in codes.nationality")
    end
  end
end

local function same_part(a, b)
  return a:gsub("%s", ""):upper() == b:gsub("%s", ""):upper()
end

local function map_address(ctx, a, codes)
  if not (a.street and a.number and a.postcode and a.city) then return end
  local f = ctx.profile.mapping.party
  local party = ctx.profile.names.party
  local m = meta(a)
  -- AX has one field for BRP's huisletter and huisnummertoevoeging
  -- (integrator review 5.8): joined with a space, "14 B 2" stays readable.
  local addition = a.letter and a.addition and (a.letter .. " " .. a.addition) or a.letter or a.addition
  local land = a.country and codes.country[a.country]
  local fields = {
    { f.street, a.street }, { f.number, a.number }, { f.addition, addition },
    { f.postcode, a.postcode }, { f.city, a.city }, { f.country, land or a.country },
  }
  -- The address is one unit: when the AX already holds another address
  -- (any part different, or a part the CDL's address does not have: a
  -- correspondence address, a household about to move), writing the
  -- missing parts would mix two addresses. Then every part is proposed.
  local reason
  for _, pair in ipairs(fields) do
    local now = ctx:get(party, pair[1])
    if now and not (pair[2] and same_part(now, pair[2])) then reason = "the AX holds another address: not mixed" end
  end
  if not a.country then reason = "address country unknown" elseif not land then
    reason = "address country not in codes.country"
  end
  for _, pair in ipairs(fields) do
    local now = ctx:get(party, pair[1])
    -- A part the AX already writes its own way ("3521 AB") stays as it is.
    local same = now and pair[2] and same_part(now, pair[2])
    if pair[2] ~= nil and reason then
      ctx:propose(party, pair[1], pair[2], m, reason)
    elseif pair[2] ~= nil and not same then
      ctx:set(party, pair[1], pair[2], m)
    end
  end
end

-- {======================================================================
-- MPO: AOW into Uitkering, old-age pensions into Pensioen
-- =======================================================================

local function map_aow(ctx, aow, birth_date, codes, opts)
  local P = ctx.profile
  local b = P.mapping.benefit
  local applicant = P.names.applicant
  local m = meta(aow)
  local start, start_kind = start_of(aow, birth_date)
  local full = aow.full_accrual ~= nil and values.JN(aow.full_accrual) or nil
  local code = codes.benefit.AOW
  local household = opts.household
  local value = household and aow["yearly_" .. household]
  -- HDN's BrutoJaarUitkering excludes holiday pay: an amount that includes
  -- it is not converted by guesswork, only proposed.
  if value and code and not aow.includes_holiday_pay then
    local key = { [b.kind] = code }
    ctx:entity(b.entity, key, { [b.yearly] = value }, m)
    if start then ctx:entity(b.entity, key, { [b.start] = start }, meta(aow, start_kind)) end
    if full then ctx:entity(b.entity, key, { [b.full_accrual] = full }, m) end
    return
  end
  local why = aow.includes_holiday_pay and "the amount includes holiday pay; HDN's excludes it"
    or not code and "no HDN code for AOW in codes.benefit" or nil
  for _, h in ipairs { "couple", "single" } do
    local v = aow["yearly_" .. h]
    if v and (household == nil or household == h) then
      ctx:propose(applicant, under_applicant(P, b.entity, b.yearly), v, m,
        why or ("AOW if the household after the purchase is %s: pass opts.household"):format(
          h == "couple" and "a couple" or "single"))
    end
  end
  if start then
    ctx:propose(applicant, under_applicant(P, b.entity, b.start), start, meta(aow, start_kind), "AOW start")
  end
  if full then ctx:propose(applicant, under_applicant(P, b.entity, b.full_accrual), full, m, "AOW accrual") end
end

-- Why a pension is only proposed, or nil when it can be filled.
local function pension_refusal(p, start, basis)
  if p.kind ~= "old_age" then return ("a %s pension: only old-age pensions are filled"):format(p.kind or "other") end
  if p["end"] or p.end_age then return "temporary pension: not filled" end
  if p.indicative then return "indicative amount: not filled" end
  if p.includes_holiday_pay then return "the amount includes holiday pay: not filled" end
  if not start then return "start date unknown (no start date, or no complete birth date for the start age)" end
  if not basis then return "pension amounts need opts.pension_basis (accrued or prospective)" end
  if not p["yearly_" .. basis] then return "the register gives no " .. basis .. " amount" end
  return nil
end

local function map_pensions(ctx, pensions, birth_date, opts)
  local P = ctx.profile
  local pe = P.mapping.pension
  local applicant = P.names.applicant
  local basis = opts.pension_basis
  -- Lifelong old-age pensions starting on the same date make one Pensioen
  -- (the model has no field for the provider to tell several apart); a sum,
  -- or a start computed from the birth date, is marked derived.
  local groups, order = {}, {}
  for _, p in ipairs(pensions) do
    local start, start_kind = start_of(p, birth_date)
    local why = pension_refusal(p, start, basis)
    if why then
      for _, b in ipairs { "accrued", "prospective" } do
        local v = p["yearly_" .. b]
        if v and (basis == nil or basis == b or not p["yearly_" .. basis]) then
          ctx:propose(applicant, under_applicant(P, pe.entity, pe.yearly), v, meta(p), b .. " amount; " .. why)
        end
      end
      if start then
        ctx:propose(applicant, under_applicant(P, pe.entity, pe.start), start, meta(p, start_kind), why)
      end
    else
      local g = groups[start]
      if not g then
        g = { start = start, cents = 0, n = 0, fact = p, kind = start_kind }
        groups[start] = g
        order[#order + 1] = g
      end
      g.cents = g.cents + cents(p["yearly_" .. basis])
      g.n = g.n + 1
      if start_kind == "derived" then g.kind = "derived" end
    end
  end
  for _, g in ipairs(order) do
    local kind = g.n > 1 and "derived" or g.kind
    ctx:entity(pe.entity, { [pe.start] = g.start }, { [pe.yearly] = from_cents(g.cents) }, meta(g.fact, kind))
  end
end

-- {======================================================================
-- DUO: study debt into Verplichtingen
-- =======================================================================

local function map_study_loans(ctx, loans, codes)
  local P = ctx.profile
  local o = P.mapping.obligation
  local applicant = P.names.applicant
  local inventory = P.mapping.applicant.study_loan_inventory
  -- No debt: nothing at all. Missing data is not a negative fact, so the
  -- inventory is never set to "no loan".
  local owing = {}
  for _, s in ipairs(loans) do
    if s.debt and cents(s.debt) > 0 then owing[#owing + 1] = s end
  end
  -- Several loans would land in one Verplichtingen (one code): a sum of
  -- balances with different terms is no fact, so the adviser decides.
  if #owing > 1 then
    for _, s in ipairs(owing) do
      ctx:propose(applicant, under_applicant(P, o.entity, o.debt), s.debt, meta(s),
        "several study loans: the adviser enters them")
    end
    return
  end
  local s = owing[1]
  if not s then return end
  local m = meta(s)
  local kind = codes.study_loan[s.regime or "other"] or codes.study_loan.other
  local fields = { [o.debt] = s.debt }
  -- The statutory monthly amount only once repayment has started; before
  -- that there is no term and the field stays absent (no "0.00"). The
  -- means-tested amount and any lender factor are not the AX's business.
  local repaying = s.repayment_start and s.date and s.repayment_start <= s.date
  if repaying and s.monthly then
    fields[o.monthly] = s.monthly
    if s.remaining_months then fields[o.remaining_months] = tostring(s.remaining_months) end
  end
  if kind then
    ctx:entity(o.entity, { [o.kind] = kind }, fields, m)
  else
    ctx:propose(applicant, under_applicant(P, o.entity, o.debt), s.debt, m, "no code in codes.study_loan")
  end
  ctx:propose(applicant, inventory, codes.study_loan_inventory.present, m,
    "DUO shows a study debt: the adviser's inventory decides")
end

-- {======================================================================
-- UWV: an official IBL result; employments and benefits
-- =======================================================================

local function map_income_statement(ctx, s)
  local P = ctx.profile
  local ibl = P.mapping.income_statement
  local fields = { [ibl.yearly] = s.yearly, [ibl.date] = s.date }
  -- Only an official, signed IBL result is an income the lender may test
  -- with; anything else is the adviser's to judge. Its document id is its
  -- key: applying the same result again finds it instead of adding it twice.
  local m = meta(s)
  m.official_ibl = s.official == true and s.signed == true
  if m.official_ibl and not s.document then
    for _, field in ipairs { ibl.yearly, ibl.date } do
      if fields[field] then
        ctx:propose(P.names.applicant, under_applicant(P, ibl.entity, field), fields[field], m,
          "an IBL result without its document id: cannot tell it from one the AX holds")
      end
    end
    return
  end
  ctx:entity(ibl.entity, { [ibl.document] = s.document }, fields, m)
end

local function map_employments(ctx, employments, codes)
  local e = ctx.profile.mapping.employment
  for _, job in ipairs(employments) do
    -- Dienstbetrekking is never filled: each value becomes a proposal.
    ctx:entity(e.entity, {}, {
      [e.contract] = job.contract and (codes.contract[job.contract] or job.contract),
      [e.start] = job.start, [e.yearly_wage] = job.yearly_wage,
    }, meta(job))
  end
end

local function map_benefits(ctx, benefits, codes)
  local P = ctx.profile
  local b = P.mapping.benefit
  local applicant = P.names.applicant
  local per_code = {}
  for _, u in ipairs(benefits) do
    local code = codes.benefit[u.kind or "other"]
    if code then per_code[code] = (per_code[code] or 0) + 1 end
  end
  for _, u in ipairs(benefits) do
    local code = codes.benefit[u.kind or "other"]
    local m = meta(u)
    local fields = { [b.yearly] = u.yearly, [b.start] = u.start }
    if code and u.yearly and not u["end"] and not u.includes_holiday_pay and per_code[code] == 1 then
      ctx:entity(b.entity, { [b.kind] = code }, fields, m)
    else
      local why = u["end"] and "a benefit with an end date: the adviser decides"
        or u.includes_holiday_pay and "the amount includes holiday pay; HDN's excludes it"
        or code and per_code[code] > 1 and "several benefits of one kind: the adviser enters them"
        or code and "no yearly amount"
        or ("no HDN code for benefit %s in codes.benefit"):format(u.kind or "other")
      for _, field in ipairs { b.yearly, b.start } do
        if fields[field] then ctx:propose(applicant, under_applicant(P, b.entity, field), fields[field], m, why) end
      end
    end
  end
end

-- {======================================================================
-- One person
-- =======================================================================

--- Maps one linked, verified person's facts through the fill context.
-- @param ctx the fill context (axlink.fill), with ctx.profile
-- @param person the delivery's person (person.facts)
-- @param opts household, pension_basis, codes (checked by check_options)
function M.fill_person(ctx, person, opts)
  local facts = person.facts
  if type(facts) ~= "table" then return end
  local codes = ctx.codes
  local birth_date = facts.identity and facts.identity.birth_date or person.birth_date
  if facts.identity then map_identity(ctx, facts.identity, codes) end
  if facts.address then map_address(ctx, facts.address, codes) end
  if facts.aow then map_aow(ctx, facts.aow, birth_date, codes, opts) end
  if facts.pensions then map_pensions(ctx, facts.pensions, birth_date, opts) end
  if facts.study_loans then map_study_loans(ctx, facts.study_loans, codes) end
  if facts.income_statement then map_income_statement(ctx, facts.income_statement) end
  if facts.employments then map_employments(ctx, facts.employments, codes) end
  if facts.benefits then map_benefits(ctx, facts.benefits, codes) end
end

return M
