--- The AX profile for HDN AX 24.0 (DESIGN 7.3): everything axlink knows
-- about this version's message as data, in one place. The C core's model
-- table is generated from `model` at build time (tools/gen-model.lua); the
-- Lua side reads `names`, `mapping`, `fields`, `codes` and `never` through
-- axlink.profile. A host replaces any of it with its own profile table.
--
-- Sources: HDN's two public sample messages (spec/fixtures/hdn/: the AX 24.0
-- OfferteAanvraag and the 25.0 BronAanvraagBericht). Everything no public
-- sample shows is marked `assumed` with its reasoning, where it is made; a
-- loaded XSD overrides positions and limits. The model only decides where
-- a *new* element goes and which entities are always arrays in Lua tables:
-- document order always wins for elements a message already has.
--
-- model: keyed by the entity's path from the root (no indices); children
-- in HDN's order, each { name, kind } with kind one of "leaf", "single"
-- (an entity occurring once), "repeating" (0..n, always an array in Lua
-- tables) or "reference" (an empty Ref... element carrying IDREF).
-- Two habits of the samples guide the assumptions: references come first
-- in their entity, and sub-entities come after the leaf fields.
-- @module axlink.profiles.v24_0

return {
  version = "24.0",

  model = {
    ["BronAanvraagBericht"] = {
      attrs = {  },
      children = {
        { "ExterneBron", "repeating" },
        { "Dataleverancier", "repeating" },
        { "Product", "repeating" },
      },
    },
    ["BronAanvraagBericht/Dataleverancier"] = {
      note = "Same fields as the AX Dataleverancier but a separate entry: a lender's request has no" ..
        " RefDataleverancier " ..
        "pointing at it, so no ID either.",
      attrs = { "Volgnummer" },
      children = {
        { "DataMijNr", "leaf" },
        { "DataleverancierID", "leaf" },
        { "GegevensVerzoekVersie", "leaf" },
        { "DataleverancierOntvangerNaam", "leaf" },
      },
    },
    ["BronAanvraagBericht/ExterneBron"] = {
      attrs = { "Volgnummer" },
      children = {
        { "SoortProduct", "leaf" },
        { "DataleverancierNaam", "leaf" },
        { "BronNaam", "leaf" },
      },
    },
    ["BronAanvraagBericht/Product"] = {
      attrs = { "Volgnummer" },
      children = {
        { "BasisRegistratiePersonen", "repeating" },
      },
    },
    ["BronAanvraagBericht/Product/BasisRegistratiePersonen"] = {
      attrs = { "Volgnummer" },
      children = {
        { "PersoonsID", "leaf" },
      },
    },
    ["OfferteAanvraag"] = {
      attrs = {  },
      children = {
        { "HuidigObject", "repeating" },
        { "Hypotheekgever", "repeating" },
        { "PartijNAWData", "repeating" },
        { "Dataleverancier", "repeating",
          assumed = "KET-CDL names Dataleverancier without an AX.Hypotheekgever prefix and it is referenced, not" ..
            " nested, so" ..
            " it is a top-level sibling; placed after PartijNAWData as the other referenced entity (DESIGN 4.2)."
        },
        { "TussenPersoon", "repeating" },
        { "Object", "repeating" },
        { "Lening", "repeating" },
      },
    },
    ["OfferteAanvraag/Dataleverancier"] = {
      assumed = "whole entity: fields as in the BronAanvraagBericht sample, because HDN reuses datacatalogus" ..
        " entities " ..
        "across messages.",
      attrs = { "Volgnummer", "ID" },
      children = {
        { "DataMijNr", "leaf" },
        { "DataleverancierID", "leaf" },
        { "GegevensVerzoekVersie", "leaf" },
        { "DataleverancierOntvangerNaam", "leaf" },
      },
    },
    ["OfferteAanvraag/HuidigObject"] = {
      attrs = { "Volgnummer" },
      children = {
        { "ObjectSoort", "leaf" },
        { "StraatNaam", "leaf" },
        { "HuisNr", "leaf" },
        { "Postcode", "leaf" },
        { "PlaatsNaam", "leaf" },
        { "Land", "leaf" },
        { "TeVerkopenJN", "leaf" },
        { "VerkochtJN", "leaf" },
        { "MarktWaarde", "leaf" },
        { "OverbruggingJN", "leaf" },
        { "HuidigeFinancieringJN", "leaf" },
        { "HuidigeFinanciering", "repeating" },
      },
    },
    ["OfferteAanvraag/HuidigObject/HuidigeFinanciering"] = {
      attrs = { "Volgnummer" },
      children = {
        { "AflossenJN", "leaf" },
        { "FinancierBestaandeHypotheek", "leaf" },
        { "FinancierOmschr", "leaf" },
        { "BestaandeHypotheekSaldo", "leaf" },
        { "BedragInschrijving", "leaf" },
        { "BestaandeHypotheekNr", "leaf" },
        { "Eigenwoningschuld", "leaf" },
        { "RangOrde", "leaf" },
      },
    },
    ["OfferteAanvraag/Hypotheekgever"] = {
      attrs = { "Volgnummer" },
      children = {
        { "RefPartijNAWData", "reference" },
        { "TelefoonNrPrive", "leaf" },
        { "TelefoonNrWerk", "leaf" },
        { "TelefoonNrMobiel", "leaf" },
        { "E-mailadres", "leaf" },
        { "BurgerlijkeStaat", "leaf" },
        { "HuwelijkOntbondenJN", "leaf" },
        { "WeduweWeduwnaarJN", "leaf" },
        { "HoofdelijkAansprakelijkJN", "leaf" },
        { "AfwijkendKlantProfielJN", "leaf" },
        { "FiscaalInwonerVanNederlandJN", "leaf" },
        { "UitsluitendOfMedeFiscaalInwonerBuitenNedJN", "leaf" },
        { "StudieleningInventarisatie", "leaf" },
        { "Inkomsten", "repeating" },
        { "Verplichtingen", "repeating",
          assumed = "the older HDN datacatalogus has Verplichtingen (0-9) under HypotheekGever, and the" ..
            " integrator review " ..
            "puts DUO debt there, not at the top level. Placed beside Inkomsten (the other financial entity) and " ..
            "before Identificatie, which both catalogus and sample put last."
        },
        { "Identificatie", "single" },
      },
    },
    ["OfferteAanvraag/Hypotheekgever/Identificatie"] = {
      note = "Identificatie occurs 0..1 under Hypotheekgever (datacatalogus), so it is a single table, not an array.",
      attrs = {  },
      children = {
        { "LegitimatieSoort", "leaf" },
        { "LegitimatieNr", "leaf" },
        { "LegitimatieAfgifteDt", "leaf",
          assumed = "the remaining legitimation fields are named in an older HDN datacatalogus" ..
            " (research/hdn-ax.md, open " ..
            "question 10), in its order; listed so that ExterneIdentificatie lands after them, not between."
        },
        { "LegitimatieAfgiftePlaats", "leaf" },
        { "LegitimatieAfgifteLand", "leaf" },
        { "LegitimatieEindDt", "leaf" },
        { "ExterneIdentificatie", "repeating",
          assumed = "KET-CDL gives the path Hypotheekgever.Identificatie. ExterneIdentificatie but no order;" ..
            " sub-entities " ..
            "follow leaves in every sample entity, and it was added later (HDN 20), so it goes last."
        },
      },
    },
    ["OfferteAanvraag/Hypotheekgever/Identificatie/ExterneIdentificatie"] = {
      assumed = "whole entity: the order in which KET-CDL introduces the two fields; the reference is optional" ..
        " there " ..
        "(\"kan\"), the key is not.",
      attrs = { "Volgnummer" },
      children = {
        { "PersoonsID", "leaf" },
        { "RefDataleverancier", "reference" },
      },
    },
    ["OfferteAanvraag/Hypotheekgever/Identificatie/ExterneIdentificatie/RefDataleverancier"] = {
      attrs = { "IDREF" }, children = {},
    },
    ["OfferteAanvraag/Hypotheekgever/Inkomsten"] = {
      attrs = { "Volgnummer" },
      children = {
        { "Dienstbetrekking", "repeating",
          assumed = "HDN names Dienstbetrekking (werkgeversverklaring) and InkomensbepalingLoondienst (IBL) as" ..
            " income " ..
            "entities, listed in that order on hdn.nl; their place under Inkomsten mirrors Uitkering."
        },
        { "InkomensbepalingLoondienst", "repeating" },
        { "Uitkering", "repeating" },
        { "Pensioen", "repeating",
          assumed = "the datacatalogus has Pensioen beside Uitkering (\"exclusief AOW, dat dient ingevoerd te" ..
            " worden onder " ..
            "de entiteit Uitkering\"); AX 24 moved Uitkering into Inkomsten, so its sibling most likely moved too."
        },
      },
    },
    ["OfferteAanvraag/Hypotheekgever/Inkomsten/Dienstbetrekking"] = {
      assumed = "whole entity: SoortDienstbetrekking and BrutoJaarSalaris are named by HDN's ketenafspraak; the" ..
        " start date " ..
        "is mandatory there and is named IngangsDt as in Uitkering. Spelled \"Dienstbetrekking\" as hdn.nl does; " ..
        "KET-018 quotes may read \"DienstBetrekking\".",
      attrs = { "Volgnummer" },
      children = {
        { "SoortDienstbetrekking", "leaf" },
        { "IngangsDt", "leaf" },
        { "BrutoJaarSalaris", "leaf" },
      },
    },
    ["OfferteAanvraag/Hypotheekgever/Inkomsten/InkomensbepalingLoondienst"] = {
      assumed = "whole entity: it holds the IBL tool's result (toetsinkomen, the calculation's identifier and" ..
        " date, the " ..
        "rules version), never a figure axlink computes; names are HDN-style guesses. Per KET-018 the employment " ..
        "details of IBL variant 2 nest inside it.",
      attrs = { "Volgnummer" },
      children = {
        { "Toetsinkomen", "leaf" },
        { "BerekeningsID", "leaf" },
        { "BerekeningsDt", "leaf" },
        { "RekenregelsVersie", "leaf" },
        { "Dienstbetrekking", "repeating" },
      },
    },
    ["OfferteAanvraag/Hypotheekgever/Inkomsten/InkomensbepalingLoondienst/Dienstbetrekking"] = {
      assumed = "whole entity: SoortDienstbetrekking and BrutoJaarSalaris are named by HDN's ketenafspraak; the" ..
        " start date " ..
        "is mandatory there and is named IngangsDt as in Uitkering. Spelled \"Dienstbetrekking\" as hdn.nl does; " ..
        "KET-018 quotes may read \"DienstBetrekking\".",
      attrs = { "Volgnummer" },
      children = {
        { "SoortDienstbetrekking", "leaf" },
        { "IngangsDt", "leaf" },
        { "BrutoJaarSalaris", "leaf" },
      },
    },
    ["OfferteAanvraag/Hypotheekgever/Inkomsten/Pensioen"] = {
      assumed = "whole entity: fields named in the older HDN datacatalogus.",
      attrs = { "Volgnummer" },
      children = {
        { "PensioenInkomen", "leaf" },
        { "IngangsDtPensioen", "leaf" },
        { "PensioenLeeftijd", "leaf" },
      },
    },
    ["OfferteAanvraag/Hypotheekgever/Inkomsten/Uitkering"] = {
      attrs = { "Volgnummer" },
      children = {
        { "SoortUitkering", "leaf" },
        { "BrutoJaarUitkering", "leaf" },
        { "IngangsDt", "leaf" },
        { "AOWVolledigeOpbouwJN", "leaf" },
      },
    },
    ["OfferteAanvraag/Hypotheekgever/RefPartijNAWData"] = { attrs = { "IDREF" }, children = {} },
    ["OfferteAanvraag/Hypotheekgever/Verplichtingen"] = {
      assumed = "whole entity: kind first as in every \"Soort...\" entity (\"12 Studielening\");" ..
        " VerplichtingBedrag (the " ..
        "balance) and VerplichtingInMnd (remaining term) are the integrator review's names; MaandBedrag (DUO's " ..
        "statutory \"maandbedrag\") is a guess.",
      attrs = { "Volgnummer" },
      children = {
        { "SoortVerplichting", "leaf" },
        { "VerplichtingBedrag", "leaf" },
        { "MaandBedrag", "leaf" },
        { "VerplichtingInMnd", "leaf" },
      },
    },
    ["OfferteAanvraag/Lening"] = {
      attrs = { "Volgnummer" },
      children = {
        { "HypotheekBedrag", "leaf" },
        { "HypothecaireInschrijving", "leaf" },
        { "Financier", "leaf" },
        { "Regeling", "leaf" },
        { "RangOrde", "leaf" },
        { "CodeLeningMij", "leaf" },
        { "PasseerDt", "leaf" },
        { "IngebrachtEigenMiddelen", "leaf" },
        { "NettoAdvieskosten", "leaf" },
        { "BemiddelingsKosten", "leaf" },
        { "BoeteRente", "leaf" },
        { "NHGJN", "leaf" },
        { "Mutatie", "leaf" },
        { "HypotheekAkteKostenSpec", "leaf" },
        { "AankoopWoningJN", "leaf" },
        { "Leningdeel", "repeating" },
      },
    },
    ["OfferteAanvraag/Lening/Leningdeel"] = {
      attrs = { "Volgnummer" },
      children = {
        { "CodeLeningDeel", "leaf" },
        { "BelastingBox", "leaf" },
        { "CodeDeelMij", "leaf" },
        { "VasteEindDtLeningdeelJN", "leaf" },
        { "DuurInMnd", "leaf" },
        { "LeningDeelBedrag", "leaf" },
        { "AflossingsVorm", "leaf" },
        { "RenteAfspraak", "leaf" },
        { "RenteVastInMnd", "leaf" },
        { "RenteBedenkTijd", "leaf" },
        { "BetalingsTermijn", "leaf" },
        { "BetalingAchterafJN", "leaf" },
        { "RentePct", "leaf" },
        { "RenteAfspraakOmschr", "leaf" },
        { "RentePctBovenMarge", "leaf" },
        { "RentePctOnderMarge", "leaf" },
      },
    },
    ["OfferteAanvraag/Object"] = {
      attrs = { "Volgnummer" },
      children = {
        { "ObjectSoort", "leaf" },
        { "GarageJN", "leaf" },
        { "RecreatieveBewoningJN", "leaf" },
        { "Onderpand", "leaf" },
        { "StraatNaam", "leaf" },
        { "HuisNr", "leaf" },
        { "Postcode", "leaf" },
        { "PlaatsNaam", "leaf" },
        { "Land", "leaf" },
        { "EigenBewoningJN", "leaf" },
        { "ErfpachtJN", "leaf" },
        { "BouwJaar", "leaf" },
        { "AppartementsrechtJN", "leaf" },
        { "TaxatieDt", "leaf" },
        { "KostenTaxatie", "leaf" },
        { "MarktWaarde", "leaf" },
        { "Koopsom", "leaf" },
        { "WOZWaarde", "leaf" },
        { "VerduurzamingBesprokenJN", "leaf" },
        { "VerduurzamingToepassen", "leaf" },
        { "BedragKwaliteitsverbeteringEBV", "leaf" },
        { "OpleveringsDt", "leaf" },
      },
    },
    ["OfferteAanvraag/PartijNAWData"] = {
      note = "The union of the sample's two PartijNAWData, which never contradict each other's order.",
      attrs = { "Volgnummer", "ID" },
      children = {
        { "SoortPartij", "leaf" },
        { "VoorNamen", "leaf" },
        { "GeboorteAchternaam", "leaf" },
        { "GeboorteTussenvoegsels", "leaf",
          assumed = "beside the name it qualifies, like CorrespondentieTussenvoegsels."
        },
        { "CorrespondentieNaam", "leaf" },
        { "CorrespondentieTussenvoegsels", "leaf",
          assumed = "one sample has it between CorrespondentieNaam and GeboortePlaats, the other has" ..
            " Nationaliteit there; " ..
            "kept next to the name it qualifies."
        },
        { "Nationaliteit", "leaf" },
        { "GeboortePlaats", "leaf" },
        { "GeboorteLand", "leaf" },
        { "VoorLetters", "leaf" },
        { "GeboorteDt", "leaf" },
        { "Geslacht", "leaf",
          assumed = "fill maps BRP geslacht here (integrator review 5.7); placed with the other personal data," ..
            " before the " ..
            "address."
        },
        { "StraatNaam", "leaf" },
        { "HuisNr", "leaf" },
        { "HuisNrToevoeging", "leaf",
          assumed = "named in the integrator review's address list (5.8), right after the number it extends."
        },
        { "Postcode", "leaf" },
        { "PlaatsNaam", "leaf" },
        { "Land", "leaf" },
        { "RekeningNr", "leaf" },
      },
    },
    ["OfferteAanvraag/TussenPersoon"] = {
      attrs = { "Volgnummer" },
      children = {
        { "RefContactPersoonData", "reference" },
        { "BedrijfsNaam", "leaf" },
        { "TussenpersoonNr", "leaf" },
        { "TelefoonNrWerk", "leaf" },
        { "E-mailadres", "leaf" },
        { "TelefoonNrMobiel", "leaf" },
        { "AFMRegistratieNr", "leaf" },
        { "InitieelPakket", "leaf" },
      },
    },
    ["OfferteAanvraag/TussenPersoon/RefContactPersoonData"] = { attrs = { "IDREF" }, children = {} },
  },

  -- The elements the Lua side addresses, by role: every Lua file outside
  -- the profiles names AX elements through these (spec/26 checks it).
  names = {
    root = "OfferteAanvraag",
    applicant = "Hypotheekgever",
    party = "PartijNAWData",
    party_ref = "RefPartijNAWData",
    party_kind = "SoortPartij",
    identification = "Identificatie",
    external_id = "ExterneIdentificatie",
    person_key = "PersoonsID",
    supplier_ref = "RefDataleverancier",
    supplier = "Dataleverancier",
    file_key = "DataleverancierID",
    requester_ref = "DataMijNr",
    request_version = "GegevensVerzoekVersie",
    receiver_name = "DataleverancierOntvangerNaam",
    incomes = "Inkomsten",
    loan = "Lening",
    loan_part = "Leningdeel",
    -- BronAanvraagBericht (HDN 25.0 sample), which the lender side writes
    request_root = "BronAanvraagBericht",
    external_source = "ExterneBron",
    product_kind = "SoortProduct",
    supplier_name = "DataleverancierNaam",
    source_name = "BronNaam",
    product = "Product",
    brp_product = "BasisRegistratiePersonen",
  },

  -- Where the mapping (axlink.mapping) writes each fact, by vocabulary name
  -- (DESIGN 7.2; doc/mapping.md). `entity` is an element under the
  -- Hypotheekgever (its parent comes from the model); `kind` is the field
  -- that tells entities of one element apart.
  mapping = {
    party = {
      first_names = "VoorNamen", surname = "GeboorteAchternaam", prefix = "GeboorteTussenvoegsels",
      initials = "VoorLetters", birth_date = "GeboorteDt", gender = "Geslacht",
      birth_country = "GeboorteLand", birth_place = "GeboortePlaats", nationality = "Nationaliteit",
      street = "StraatNaam", number = "HuisNr", addition = "HuisNrToevoeging", postcode = "Postcode",
      city = "PlaatsNaam", country = "Land",
    },
    applicant = { study_loan_inventory = "StudieleningInventarisatie" },
    benefit = { entity = "Uitkering", kind = "SoortUitkering", yearly = "BrutoJaarUitkering",
      start = "IngangsDt", full_accrual = "AOWVolledigeOpbouwJN" },
    pension = { entity = "Pensioen", yearly = "PensioenInkomen", start = "IngangsDtPensioen" },
    obligation = { entity = "Verplichtingen", kind = "SoortVerplichting", debt = "VerplichtingBedrag",
      monthly = "MaandBedrag", remaining_months = "VerplichtingInMnd" },
    income_statement = { entity = "InkomensbepalingLoondienst", yearly = "Toetsinkomen",
      date = "BerekeningsDt", document = "BerekeningsID" },
    employment = { entity = "Dienstbetrekking", contract = "SoortDienstbetrekking", start = "IngangsDt",
      yearly_wage = "BrutoJaarSalaris" },
  },

  -- Field types the fill checks before it writes (AXL-C23). A field not
  -- listed follows HDN's naming habit: ...Dt is a date, ...JN is J/N.
  fields = {
    GeboorteDt = "date", IngangsDt = "date", IngangsDtPensioen = "date", BerekeningsDt = "date",
    AOWVolledigeOpbouwJN = "jn",
    BrutoJaarUitkering = "amount", PensioenInkomen = "amount", VerplichtingBedrag = "amount",
    MaandBedrag = "amount", Toetsinkomen = "amount", BrutoJaarSalaris = "amount",
    VerplichtingInMnd = "integer", HuisNr = "integer",
    GeboorteLand = "country", Land = "country", Nationaliteit = "country",
    Geslacht = "gender", SoortUitkering = "benefit", SoortVerplichting = "study_loan",
  },

  -- From the vocabulary's words to HDN's code lists ("code omschrijving").
  -- A host overrides entries with opts.codes ({ country = { BE = "..." } }).
  -- A word without an entry is proposed, never guessed.
  codes = {
    -- ISO 3166-1 alpha-2 to HDN's LandType. Only "NL Nederland" is public
    -- (HDN's 24.0 sample: Land, GeboorteLand, Nationaliteit); the rest are
    -- assumed: ISO code plus the Dutch name, as the older datacatalogus has.
    country = {
      NL = "NL Nederland", BE = "BE België", DE = "DE Duitsland", FR = "FR Frankrijk",
      GB = "GB Verenigd Koninkrijk", ES = "ES Spanje", IT = "IT Italië", PL = "PL Polen",
      TR = "TR Turkije", MA = "MA Marokko", SR = "SR Suriname", ID = "ID Indonesië",
    },
    -- Nationaliteit uses the same LandType values in the public sample.
    nationality = "country",
    -- HDN's Geslacht list is not public: empty, so a gender is proposed.
    gender = {},
    -- SoortUitkering: "09 AOW" is in HDN's 24.0 sample; no other is public.
    benefit = { AOW = "09 AOW" },
    -- SoortVerplichting for DUO study debt (DESIGN 7.3; assumed code).
    study_loan = { SF15 = "12 Studielening", ["pre-2015"] = "12 Studielening", other = "12 Studielening" },
    -- StudieleningInventarisatie "there is a study loan": not public, so the
    -- proposal carries the reason only. Only ever proposed.
    study_loan_inventory = {},
    -- SoortDienstbetrekking: not public (employments are only proposed).
    contract = {},
  },

  -- Never filled automatically, at most proposed (DESIGN 7.3).
  never = {
    fields = { "BSN", "BurgerlijkeStaat", "KinderenAantal", "RekeningNr", "E-mailadres", "Dienstbetrekking" },
    prefixes = { "Legitimatie", "VerblijfsVergunning", "TelefoonNr" },
  },
}
