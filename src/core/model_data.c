/*
** The built-in AX model as data: for each known entity, keyed by its own
** path from the root, the children in HDN order and the entity's
** attributes. model.c searches it with bsearch, so the table below must
** stay sorted by strcmp on path ('/' sorts before every letter, capitals
** before lower case).
**
** HDN's XSDs are members-only. Everything not marked otherwise is taken
** literally from HDN's two public sample messages (spec/fixtures/hdn/), in
** their order. A position or name marked ASSUMED is shown by no public
** sample: it comes from a ketenafspraak, an older HDN datacatalogus or the
** project's research, and is kept here, in one place, so that a loaded XSD
** can override it. The model only decides where a *new* element goes;
** document order always wins for elements a message already has.
**
** Two habits of the samples guide the assumptions: references (Ref...)
** come first in their entity, and sub-entities come after the leaf fields.
*/

#include "model.h"

/* Shorthand for a child's flags in the lists below. */
#define LEAF       0u
#define SINGLE     AXL_M_ENTITY
#define REPEATING  (AXL_M_REPEAT | AXL_M_ENTITY)
/* A reference is also a table ({ IDREF = ... }), so it is an entity too. */
#define REFERENCE  (AXL_M_REF | AXL_M_ENTITY)

#define COUNT(a)  (sizeof(a) / sizeof((a)[0]))
#define ENTITY(path, children, attrs)  { path, children, COUNT(children), attrs }
#define REF_ENTITY(path)  { path, NULL, 0, attrs_ref }

static const char *const attrs_none[] = { NULL };
static const char *const attrs_volgnummer[] = { "Volgnummer", NULL };
/* Entities that a Ref... element can point at carry an ID beside Volgnummer. */
static const char *const attrs_volgnummer_id[] = { "Volgnummer", "ID", NULL };
static const char *const attrs_ref[] = { "IDREF", NULL };


/*
** {======================================================
** BronAanvraagBericht (HDN 25.0 Ockto BRP sample)
** =======================================================
*/

static const axl_model_child bron_root[] = {
  { "ExterneBron", REPEATING },
  { "Dataleverancier", REPEATING },
  { "Product", REPEATING }
};

/* Same fields as the AX Dataleverancier but a separate entry: a lender's
** request has no RefDataleverancier pointing at it, so no ID either. */
static const axl_model_child bron_dataleverancier[] = {
  { "DataMijNr", LEAF },
  { "DataleverancierID", LEAF },
  { "GegevensVerzoekVersie", LEAF },
  { "DataleverancierOntvangerNaam", LEAF }
};

static const axl_model_child bron_externebron[] = {
  { "SoortProduct", LEAF },
  { "DataleverancierNaam", LEAF },
  { "BronNaam", LEAF }
};

static const axl_model_child bron_product[] = {
  { "BasisRegistratiePersonen", REPEATING }
};

static const axl_model_child bron_brp[] = {
  { "PersoonsID", LEAF }
};

/* }====================================================== */


/*
** {======================================================
** OfferteAanvraag (AX, HDN 24.0 sample)
** =======================================================
*/

static const axl_model_child ax_root[] = {
  { "HuidigObject", REPEATING },
  { "Hypotheekgever", REPEATING },
  { "PartijNAWData", REPEATING },
  /* ASSUMED: KET-CDL names Dataleverancier without an AX.Hypotheekgever
  ** prefix and it is referenced, not nested, so it is a top-level sibling;
  ** placed after PartijNAWData as the other referenced entity (DESIGN 4.2). */
  { "Dataleverancier", REPEATING },
  { "TussenPersoon", REPEATING },
  { "Object", REPEATING },
  { "Lening", REPEATING }
};

/* ASSUMED (whole entity): fields as in the BronAanvraagBericht sample,
** because HDN reuses datacatalogus entities across messages. */
static const axl_model_child ax_dataleverancier[] = {
  { "DataMijNr", LEAF },
  { "DataleverancierID", LEAF },
  { "GegevensVerzoekVersie", LEAF },
  { "DataleverancierOntvangerNaam", LEAF }
};

static const axl_model_child ax_huidigobject[] = {
  { "ObjectSoort", LEAF },
  { "StraatNaam", LEAF },
  { "HuisNr", LEAF },
  { "Postcode", LEAF },
  { "PlaatsNaam", LEAF },
  { "Land", LEAF },
  { "TeVerkopenJN", LEAF },
  { "VerkochtJN", LEAF },
  { "MarktWaarde", LEAF },
  { "OverbruggingJN", LEAF },
  { "HuidigeFinancieringJN", LEAF },
  { "HuidigeFinanciering", REPEATING }
};

static const axl_model_child ax_huidigefinanciering[] = {
  { "AflossenJN", LEAF },
  { "FinancierBestaandeHypotheek", LEAF },
  { "FinancierOmschr", LEAF },
  { "BestaandeHypotheekSaldo", LEAF },
  { "BedragInschrijving", LEAF },
  { "BestaandeHypotheekNr", LEAF },
  { "Eigenwoningschuld", LEAF },
  { "RangOrde", LEAF }
};

static const axl_model_child ax_hypotheekgever[] = {
  { "RefPartijNAWData", REFERENCE },
  { "TelefoonNrPrive", LEAF },
  { "TelefoonNrWerk", LEAF },
  { "TelefoonNrMobiel", LEAF },
  { "E-mailadres", LEAF },
  { "BurgerlijkeStaat", LEAF },
  { "HuwelijkOntbondenJN", LEAF },
  { "WeduweWeduwnaarJN", LEAF },
  { "HoofdelijkAansprakelijkJN", LEAF },
  { "AfwijkendKlantProfielJN", LEAF },
  { "FiscaalInwonerVanNederlandJN", LEAF },
  { "UitsluitendOfMedeFiscaalInwonerBuitenNedJN", LEAF },
  { "StudieleningInventarisatie", LEAF },
  { "Inkomsten", REPEATING },
  /* ASSUMED: the older HDN datacatalogus has Verplichtingen (0-9) under
  ** HypotheekGever, and the integrator review puts DUO debt there, not at
  ** the top level. Placed beside Inkomsten (the other financial entity)
  ** and before Identificatie, which both catalogus and sample put last. */
  { "Verplichtingen", REPEATING },
  { "Identificatie", SINGLE }
};

/* Identificatie occurs 0..1 under Hypotheekgever (datacatalogus), so it is
** a single table, not an array. */
static const axl_model_child ax_identificatie[] = {
  { "LegitimatieSoort", LEAF },
  { "LegitimatieNr", LEAF },
  /* ASSUMED: the remaining legitimation fields are named in an older HDN
  ** datacatalogus (research/hdn-ax.md, open question 10), in its order;
  ** listed so that ExterneIdentificatie lands after them, not between. */
  { "LegitimatieAfgifteDt", LEAF },
  { "LegitimatieAfgiftePlaats", LEAF },
  { "LegitimatieAfgifteLand", LEAF },
  { "LegitimatieEindDt", LEAF },
  /* ASSUMED: KET-CDL gives the path Hypotheekgever.Identificatie.
  ** ExterneIdentificatie but no order; sub-entities follow leaves in every
  ** sample entity, and it was added later (HDN 20), so it goes last. */
  { "ExterneIdentificatie", REPEATING }
};

/* ASSUMED (whole entity): the order in which KET-CDL introduces the two
** fields; the reference is optional there ("kan"), the key is not. */
static const axl_model_child ax_externeidentificatie[] = {
  { "PersoonsID", LEAF },
  { "RefDataleverancier", REFERENCE }
};

static const axl_model_child ax_inkomsten[] = {
  /* ASSUMED: HDN names Dienstbetrekking (werkgeversverklaring) and
  ** InkomensbepalingLoondienst (IBL) as income entities, listed in that
  ** order on hdn.nl; their place under Inkomsten mirrors Uitkering. */
  { "Dienstbetrekking", REPEATING },
  { "InkomensbepalingLoondienst", REPEATING },
  { "Uitkering", REPEATING },
  /* ASSUMED: the datacatalogus has Pensioen beside Uitkering ("exclusief
  ** AOW, dat dient ingevoerd te worden onder de entiteit Uitkering"); AX 24
  ** moved Uitkering into Inkomsten, so its sibling most likely moved too. */
  { "Pensioen", REPEATING }
};

/* ASSUMED (whole entity): SoortDienstbetrekking and BrutoJaarSalaris are
** named by HDN's ketenafspraak; the start date is mandatory there and is
** named IngangsDt as in Uitkering. Spelled "Dienstbetrekking" as hdn.nl
** does; KET-018 quotes may read "DienstBetrekking". */
static const axl_model_child ax_dienstbetrekking[] = {
  { "SoortDienstbetrekking", LEAF },
  { "IngangsDt", LEAF },
  { "BrutoJaarSalaris", LEAF }
};

/* ASSUMED (whole entity): it holds the IBL tool's result (toetsinkomen,
** the calculation's identifier and date, the rules version), never a
** figure axlink computes; names are HDN-style guesses. Per KET-018 the
** employment details of IBL variant 2 nest inside it. */
static const axl_model_child ax_ibl[] = {
  { "Toetsinkomen", LEAF },
  { "BerekeningsID", LEAF },
  { "BerekeningsDt", LEAF },
  { "RekenregelsVersie", LEAF },
  { "Dienstbetrekking", REPEATING }
};

/* ASSUMED (whole entity): fields named in the older HDN datacatalogus. */
static const axl_model_child ax_pensioen[] = {
  { "PensioenInkomen", LEAF },
  { "IngangsDtPensioen", LEAF },
  { "PensioenLeeftijd", LEAF }
};

static const axl_model_child ax_uitkering[] = {
  { "SoortUitkering", LEAF },
  { "BrutoJaarUitkering", LEAF },
  { "IngangsDt", LEAF },
  { "AOWVolledigeOpbouwJN", LEAF }
};

/* ASSUMED (whole entity): kind first as in every "Soort..." entity
** ("12 Studielening"); VerplichtingBedrag (the balance) and
** VerplichtingInMnd (remaining term) are the integrator review's names;
** MaandBedrag (DUO's statutory "maandbedrag") is a guess. */
static const axl_model_child ax_verplichtingen[] = {
  { "SoortVerplichting", LEAF },
  { "VerplichtingBedrag", LEAF },
  { "MaandBedrag", LEAF },
  { "VerplichtingInMnd", LEAF }
};

static const axl_model_child ax_lening[] = {
  { "HypotheekBedrag", LEAF },
  { "HypothecaireInschrijving", LEAF },
  { "Financier", LEAF },
  { "Regeling", LEAF },
  { "RangOrde", LEAF },
  { "CodeLeningMij", LEAF },
  { "PasseerDt", LEAF },
  { "IngebrachtEigenMiddelen", LEAF },
  { "NettoAdvieskosten", LEAF },
  { "BemiddelingsKosten", LEAF },
  { "BoeteRente", LEAF },
  { "NHGJN", LEAF },
  { "Mutatie", LEAF },
  { "HypotheekAkteKostenSpec", LEAF },
  { "AankoopWoningJN", LEAF },
  { "Leningdeel", REPEATING }
};

static const axl_model_child ax_leningdeel[] = {
  { "CodeLeningDeel", LEAF },
  { "BelastingBox", LEAF },
  { "CodeDeelMij", LEAF },
  { "VasteEindDtLeningdeelJN", LEAF },
  { "DuurInMnd", LEAF },
  { "LeningDeelBedrag", LEAF },
  { "AflossingsVorm", LEAF },
  { "RenteAfspraak", LEAF },
  { "RenteVastInMnd", LEAF },
  { "RenteBedenkTijd", LEAF },
  { "BetalingsTermijn", LEAF },
  { "BetalingAchterafJN", LEAF },
  { "RentePct", LEAF },
  { "RenteAfspraakOmschr", LEAF },
  { "RentePctBovenMarge", LEAF },
  { "RentePctOnderMarge", LEAF }
};

static const axl_model_child ax_object[] = {
  { "ObjectSoort", LEAF },
  { "GarageJN", LEAF },
  { "RecreatieveBewoningJN", LEAF },
  { "Onderpand", LEAF },
  { "StraatNaam", LEAF },
  { "HuisNr", LEAF },
  { "Postcode", LEAF },
  { "PlaatsNaam", LEAF },
  { "Land", LEAF },
  { "EigenBewoningJN", LEAF },
  { "ErfpachtJN", LEAF },
  { "BouwJaar", LEAF },
  { "AppartementsrechtJN", LEAF },
  { "TaxatieDt", LEAF },
  { "KostenTaxatie", LEAF },
  { "MarktWaarde", LEAF },
  { "Koopsom", LEAF },
  { "WOZWaarde", LEAF },
  { "VerduurzamingBesprokenJN", LEAF },
  { "VerduurzamingToepassen", LEAF },
  { "BedragKwaliteitsverbeteringEBV", LEAF },
  { "OpleveringsDt", LEAF }
};

/* The union of the sample's two PartijNAWData, which never contradict
** each other's order. */
static const axl_model_child ax_partijnawdata[] = {
  { "SoortPartij", LEAF },
  { "VoorNamen", LEAF },
  { "GeboorteAchternaam", LEAF },
  /* ASSUMED: beside the name it qualifies, like CorrespondentieTussenvoegsels. */
  { "GeboorteTussenvoegsels", LEAF },
  { "CorrespondentieNaam", LEAF },
  /* ASSUMED: one sample has it between CorrespondentieNaam and
  ** GeboortePlaats, the other has Nationaliteit there; kept next to the
  ** name it qualifies. */
  { "CorrespondentieTussenvoegsels", LEAF },
  { "Nationaliteit", LEAF },
  { "GeboortePlaats", LEAF },
  { "GeboorteLand", LEAF },
  { "VoorLetters", LEAF },
  { "GeboorteDt", LEAF },
  /* ASSUMED: fill maps BRP geslacht here (integrator review 5.7); placed
  ** with the other personal data, before the address. */
  { "Geslacht", LEAF },
  { "StraatNaam", LEAF },
  { "HuisNr", LEAF },
  /* ASSUMED: named in the integrator review's address list (5.8), right
  ** after the number it extends. */
  { "HuisNrToevoeging", LEAF },
  { "Postcode", LEAF },
  { "PlaatsNaam", LEAF },
  { "Land", LEAF },
  { "RekeningNr", LEAF }
};

static const axl_model_child ax_tussenpersoon[] = {
  { "RefContactPersoonData", REFERENCE },
  { "BedrijfsNaam", LEAF },
  { "TussenpersoonNr", LEAF },
  { "TelefoonNrWerk", LEAF },
  { "E-mailadres", LEAF },
  { "TelefoonNrMobiel", LEAF },
  { "AFMRegistratieNr", LEAF },
  { "InitieelPakket", LEAF }
};

/* }====================================================== */


#define HG  "OfferteAanvraag/Hypotheekgever"

/* Sorted by strcmp on path: keep it so when adding an entry. */
const axl_model_entity axl_model_entities[] = {
  ENTITY("BronAanvraagBericht", bron_root, attrs_none),
  ENTITY("BronAanvraagBericht/Dataleverancier", bron_dataleverancier,
         attrs_volgnummer),
  ENTITY("BronAanvraagBericht/ExterneBron", bron_externebron,
         attrs_volgnummer),
  ENTITY("BronAanvraagBericht/Product", bron_product, attrs_volgnummer),
  ENTITY("BronAanvraagBericht/Product/BasisRegistratiePersonen", bron_brp,
         attrs_volgnummer),
  ENTITY("OfferteAanvraag", ax_root, attrs_none),
  ENTITY("OfferteAanvraag/Dataleverancier", ax_dataleverancier,
         attrs_volgnummer_id),
  ENTITY("OfferteAanvraag/HuidigObject", ax_huidigobject, attrs_volgnummer),
  ENTITY("OfferteAanvraag/HuidigObject/HuidigeFinanciering",
         ax_huidigefinanciering, attrs_volgnummer),
  ENTITY(HG, ax_hypotheekgever, attrs_volgnummer),
  ENTITY(HG "/Identificatie", ax_identificatie, attrs_none),
  ENTITY(HG "/Identificatie/ExterneIdentificatie", ax_externeidentificatie,
         attrs_volgnummer),
  REF_ENTITY(HG "/Identificatie/ExterneIdentificatie/RefDataleverancier"),
  ENTITY(HG "/Inkomsten", ax_inkomsten, attrs_volgnummer),
  ENTITY(HG "/Inkomsten/Dienstbetrekking", ax_dienstbetrekking,
         attrs_volgnummer),
  ENTITY(HG "/Inkomsten/InkomensbepalingLoondienst", ax_ibl,
         attrs_volgnummer),
  ENTITY(HG "/Inkomsten/InkomensbepalingLoondienst/Dienstbetrekking",
         ax_dienstbetrekking, attrs_volgnummer),
  ENTITY(HG "/Inkomsten/Pensioen", ax_pensioen, attrs_volgnummer),
  ENTITY(HG "/Inkomsten/Uitkering", ax_uitkering, attrs_volgnummer),
  REF_ENTITY(HG "/RefPartijNAWData"),
  ENTITY(HG "/Verplichtingen", ax_verplichtingen, attrs_volgnummer),
  ENTITY("OfferteAanvraag/Lening", ax_lening, attrs_volgnummer),
  ENTITY("OfferteAanvraag/Lening/Leningdeel", ax_leningdeel,
         attrs_volgnummer),
  ENTITY("OfferteAanvraag/Object", ax_object, attrs_volgnummer),
  ENTITY("OfferteAanvraag/PartijNAWData", ax_partijnawdata,
         attrs_volgnummer_id),
  ENTITY("OfferteAanvraag/TussenPersoon", ax_tussenpersoon, attrs_volgnummer),
  REF_ENTITY("OfferteAanvraag/TussenPersoon/RefContactPersoonData")
};

const size_t axl_model_count = COUNT(axl_model_entities);
