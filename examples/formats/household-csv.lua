--- An example CDL format, written the way doc/mapping.md explains: a
-- semicolon-separated export with one person per line, as a small CDL or an
-- in-house tool might produce. The format is invented for the guide.
--
--     # household-csv v1
--     dataleverancier_id;persoons_id;rol;geboortedatum;voorletters;voorvoegsel;achternaam;
--       straat;huisnummer;postcode;plaats        (one line in the file)
--     KEY-123;4b6c...;aanvrager;1954-07-03;IJW;de;Boer;Dorpsstraat;12;9711AB;Groningen
--
-- Load it with axlink.cdl.load("examples/formats/household-csv.lua") (or
-- `axlink link ... --format-file examples/formats/household-csv.lua`).

local HEADER = "# household-csv v1"
local COLUMNS = { "dataleverancier_id", "persoons_id", "rol", "geboortedatum", "voorletters", "voorvoegsel",
  "achternaam", "straat", "huisnummer", "postcode", "plaats" }

local format = {
  name = "household-csv",
  description = "Example: semicolon-separated persons, one line each (doc/mapping.md)",
}

--- Ours when the first line is our header: cheap, and by content.
function format.detect(bytes)
  return bytes:sub(1, #HEADER) == HEADER
end

local function split(line)
  local fields = {}
  for field in (line .. ";"):gmatch("([^;]*);") do fields[#fields + 1] = field end
  return fields
end

--- One delivery: every line must name the same data file.
function format.decode(bytes)
  local lines = {}
  for line in bytes:gmatch("[^\r\n]+") do lines[#lines + 1] = line end
  if #lines < 3 then return nil, "AXL-C20 household-csv: header, column line and at least one person expected" end
  local cols = split(lines[2])
  for i, name in ipairs(COLUMNS) do
    if cols[i] ~= name then return nil, ("AXL-C20 household-csv: column %d should be %s"):format(i, name) end
  end
  local delivery = { format = "household-csv", persons = {} }
  for n = 3, #lines do
    local f = split(lines[n])
    if #f ~= #COLUMNS then return nil, ("AXL-C20 household-csv: line %d has %d fields"):format(n, #f) end
    local row = {}
    for i, name in ipairs(COLUMNS) do row[name] = f[i] ~= "" and f[i] or nil end
    if delivery.id and row.dataleverancier_id ~= delivery.id then
      return nil, ("AXL-C20 household-csv: line %d names another data file"):format(n)
    end
    delivery.id = row.dataleverancier_id
    delivery.persons[#delivery.persons + 1] = {
      id = row.persoons_id, role = row.rol, birth_date = row.geboortedatum,
      initials = row.voorletters, prefix = row.voorvoegsel, surname = row.achternaam,
      data = { straat = row.straat, huisnummer = row.huisnummer, postcode = row.postcode, plaats = row.plaats },
    }
  end
  return delivery
end

--- Writes the address into the person's PartijNAWData; axlink decides what
-- is really written (no overwrite without opts.overwrite, no placeholders).
function format.fill(ctx, person)
  local meta = { source = "household-csv", kind = "copied" }
  local d = person.data or {}
  ctx:set("PartijNAWData", "StraatNaam", d.straat, meta)
  ctx:set("PartijNAWData", "HuisNr", d.huisnummer, meta)
  ctx:set("PartijNAWData", "Postcode", d.postcode, meta)
  ctx:set("PartijNAWData", "PlaatsNaam", d.plaats, meta)
end

return format
