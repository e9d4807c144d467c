-- The invented person of spec/fixtures/same-person/ (one person, three
-- CDL files): the facts every built-in format must decode from its file,
-- in the vocabulary of doc/mapping.md. A fresh copy per call, so a spec
-- that edits its copy changes no other's.
return function()
  return {
    identity = { source = "BRP", date = "2026-11-02", first_names = "Johanna Maria", initials = "JM", prefix = "de",
      surname = "Vries", birth_date = "1985-03-15", gender = "female", birth_country = "NL", birth_place = "Utrecht",
      nationalities = { "NL" } },
    address = { source = "BRP", date = "2026-11-02", street = "Lindelaan", number = "12", letter = "A",
      postcode = "3521AB", city = "Utrecht", country = "NL" },
    aow = { source = "MPO", date = "2026-11-02", start = "2053-06-15", yearly_single = "19400.00",
      yearly_couple = "13300.00", full_accrual = true },
    pensions = { { source = "MPO", date = "2026-11-02", kind = "old_age", start = "2053-06-15",
      provider = "Pensioenfonds Zorg", yearly_accrued = "8200.00", yearly_prospective = "19100.00" } },
    study_loans = { { source = "DUO", date = "2026-11-02", debt = "18450.00", monthly = "142.37",
      repayment_start = "2012-01-01", regime = "pre-2015", remaining_months = 180 } },
  }
end
