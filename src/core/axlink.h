/*
** axlink: HDN AX messages and Consumenten Data Leverancier (CDL) links.
** The C core's public interface, for the Lua binding and for C hosts.
**
** Conventions, for every function here:
** - Names start with axl_. A function that can fail takes an axl_error *
**   (may be NULL) and returns NULL or -1 on failure after filling it.
** - Ownership is stated per function: "caller frees" or "borrowed".
** - No function prints anything, reaches the network or opens a file other
**   than the path it is given. libxml2's messages are captured per call and
**   reduced to a code and a fixed text: no value from the data ever appears
**   in an axl_error.
** - Threads: any number of threads may use axlink at once on different
**   messages; one message must not be used by two threads at the same time.
**   Process-wide libxml2 state is set once (xmlInitParser and a chaining
**   external-entity loader); axlink never calls xmlCleanupParser.
*/
#ifndef AXLINK_H
#define AXLINK_H

#include <stddef.h>
#include <libxml/tree.h>

#define AXL_VERSION_MAJOR 0
#define AXL_VERSION_MINOR 1
#define AXL_VERSION_PATCH 0
#define AXL_VERSION "0.1.0"

#ifdef __cplusplus
extern "C" {
#endif

/* What went wrong, in words that carry no data values. */
typedef struct axl_error {
  char code[12];        /* "AXL-P01"; empty when no error */
  long line;            /* 1-based line in the input, 0 when unknown */
  int xml_code;         /* libxml2's xmlParserErrors code, 0 when none */
  char path[256];       /* "/OfferteAanvraag/..." where known, else "" */
  char message[256];    /* fixed text for the code, never a data value */
  /* A refusal by a limit (AXL-P03..P07, P16): the option's name
  ** ("max_bytes", static string), its value and the measured figure, in
  ** the limit's unit (bytes, levels, attributes, elements, seconds). A
  ** count that parsing stopped at is a lower bound: the parse goes no
  ** further than one past the limit. limit is NULL for other errors. */
  const char *limit;
  double limit_value, limit_actual;
} axl_error;

/* Bounds on untrusted input; 0 in a field means "the default" (for
** max_seconds: no deadline), so a zeroed struct is the defaults. */
typedef struct axl_limits {
  size_t max_bytes;       /* whole input */
  size_t max_depth;       /* element nesting, at most 256 */
  size_t max_attributes;  /* attributes on one element */
  size_t max_elements;    /* elements in the document */
  size_t max_text;        /* one text node or attribute value, in bytes */
  double max_seconds;     /* wall-clock deadline for one parse; 0: none */
} axl_limits;

/* DESIGN 3.4: a real AX is 5-200 KB; these leave room for any of them and
** refuse what can only be an attack or a mistake. */
#define AXL_DEFAULT_MAX_BYTES      (16u * 1024u * 1024u)
#define AXL_DEFAULT_MAX_DEPTH      64u
#define AXL_DEFAULT_MAX_ATTRIBUTES 64u
#define AXL_DEFAULT_MAX_ELEMENTS   1000000u
#define AXL_DEFAULT_MAX_TEXT       (1024u * 1024u)
#define AXL_MAX_DEPTH_CEILING      256u

/* The limits in effect: in's non-zero fields, the defaults for the rest,
** max_depth capped at AXL_MAX_DEPTH_CEILING. in may be NULL. */
void axl_limits_resolve(axl_limits *out, const axl_limits *in);

/* A parsed AX (or other HDN) message: owns one libxml2 document. */
typedef struct axl_message axl_message;

/* Sets process-wide libxml2 state once; every entry point calls it, so a C
** host only needs it to do the set-up at a moment of its choosing. A host
** with threads that also uses libxml2 itself calls xmlInitParser() and then
** axl_init() on its main thread before starting them (libxml2's own rule). */
void axl_init(void);

/* Parses bytes (not NUL-terminated). Caller frees the result with
** axl_message_free. limits may be NULL (defaults). */
axl_message *axl_parse(const char *bytes, size_t len, const axl_limits *limits,
                       axl_error *err);

/* Reads a regular file itself (never through libxml2's loaders, so no
** decompression and no URLs) and parses it. Caller frees the result. */
axl_message *axl_read(const char *path, const axl_limits *limits,
                      axl_error *err);

/* Canonical form (DESIGN 3.2). *out is caller-freed with axl_free. */
int axl_serialize(const axl_message *m, char **out, size_t *len,
                  axl_error *err);

/* Atomic write: temp file in the same directory, fsync, rename, fsync of
** the directory; an existing target's mode is kept. On failure the target
** is as it was. */
int axl_write_file(const char *path, const char *bytes, size_t len,
                   axl_error *err);

/* A deep copy, line numbers included. Caller frees. */
axl_message *axl_clone(const axl_message *m, axl_error *err);

/* A new message owning doc (which must not be used by the caller after). */
axl_message *axl_message_wrap(xmlDocPtr doc, axl_error *err);

/* Reference counting: a message is freed when its last holder lets go.
** axl_message_free is axl_message_unref. */
axl_message *axl_message_ref(axl_message *m);
void axl_message_unref(axl_message *m);
void axl_message_free(axl_message *m);

/* The document (borrowed; valid while m lives). */
xmlDocPtr axl_message_doc(const axl_message *m);

/* Name of the root element (borrowed). */
const char *axl_root_name(const axl_message *m);

/* The limits a message was parsed with (resolved); the defaults for one
** made in memory, unless set. Builders keep to them, so what they make
** parses again under the same limits. */
const axl_limits *axl_message_limits(const axl_message *m);
void axl_message_set_limits(axl_message *m, const axl_limits *limits);

/* Estimated bytes of libxml2 memory the message holds (for Lua's GC);
** a builder that made the document itself sets it. */
size_t axl_message_size(const axl_message *m);
void axl_message_set_size(axl_message *m, size_t bytes);
size_t axl_estimate_bytes(size_t elements, size_t text_bytes);

/* Line of an element recorded while parsing (not capped at 65535), 0 for
** nodes created in memory. */
long axl_node_line(const xmlNode *node);
void axl_node_set_line(xmlNode *node, long line);

/* The element's path with [n] for repeating entities, written into buf. */
void axl_node_path(const xmlNode *node, char *buf, size_t size);

/* ID index: every element carrying an ID attribute, by value. */
typedef struct axl_ids axl_ids;
axl_ids *axl_ids_build(const axl_message *m, axl_error *err); /* caller frees */
xmlNodePtr axl_ids_find(const axl_ids *ids, const char *id);  /* borrowed */
size_t axl_ids_duplicates(const axl_ids *ids);  /* IDs seen more than once */
void axl_ids_free(axl_ids *ids);

/* The element an IDREF-carrying reference element points at, or NULL. */
xmlNodePtr axl_resolve_ref(const axl_ids *ids, const xmlNode *ref);

/* ====================================================================
** Reports: what check, validate and conformance find
** ==================================================================== */

typedef enum axl_severity {
  AXL_INFO = 0, AXL_WARNING = 1, AXL_ERROR = 2
} axl_severity;

/* Which limit a problem says the message breaks (R01, R02, R17), so that
** a caller asks by kind, not by code. */
typedef enum axl_limit_kind {
  AXL_LIMIT_NOT = 0,              /* not about a limit */
  AXL_LIMIT_EXTERNE,              /* R01: ExterneIdentificatie per
                                     Hypotheekgever */
  AXL_LIMIT_DATALEVERANCIER,      /* R02: CDL Dataleverancier entities */
  AXL_LIMIT_NONE_ALLOWED          /* R17: the receiver allows none */
} axl_limit_kind;

typedef struct axl_problem {
  char code[12];          /* "AXL-R04", "AXL-V03", "AXL-S20" */
  axl_severity severity;
  axl_limit_kind limit;   /* a limit the message breaks, else NOT */
  long line;              /* 0 when unknown */
  char path[256];         /* "/OfferteAanvraag/Hypotheekgever[1]/..." */
  char file[256];         /* the XSD file (conformance), else "" */
  char message[192];      /* fixed text: never a value from the data */
  unsigned long order;    /* document position, for sorting */
} axl_problem;

typedef struct axl_report {
  axl_problem *items;     /* owned by the report */
  size_t count, cap;
} axl_report;

void axl_report_init(axl_report *r);
void axl_report_free(axl_report *r);
/* Appends a problem; returns it (NULL when out of memory). */
axl_problem *axl_report_add(axl_report *r, const char *code,
                            axl_severity severity, const char *message);
/* Non-zero when no problem is an error. */
int axl_report_ok(const axl_report *r);
/* Sorts by document position, then code. */
void axl_report_sort(axl_report *r);

/* ====================================================================
** Rules: the ketenafspraak's occurrence and reference rules (AXL-R01..R18)
** ==================================================================== */

typedef struct axl_occurs {
  double min, max;             /* max may be INFINITY */
} axl_occurs;

typedef struct axl_schema axl_schema;

/*
** A zeroed struct is the defaults: send mode and no limit given. A limit
** counts only when its _set flag is non-zero (a max of 0 is a real limit:
** the receiver allows none, AXL-R17). Limits not given come from schema
** when it is set and decides them, else R01 warns above 2 and errs above
** 9, and R02 errs above 9.
*/
typedef struct axl_check_opts {
  int receive;                 /* 0: send (adviser, strict), 1: receive */
  int externe_set;             /* non-zero: externe is the limit */
  axl_occurs externe;          /* ExterneIdentificatie per Hypotheekgever */
  int dataleverancier_set;     /* non-zero: dataleverancier is the limit */
  axl_occurs dataleverancier;  /* CDL Dataleverancier in the message */
  const axl_schema *schema;    /* limits not set above come from it; may
                                  be NULL; borrowed for the call */
} axl_check_opts;

/* Zeroes o: the same as a memset struct (kept for older hosts). */
void axl_check_opts_default(axl_check_opts *o);

/* Appends the problems, sorted by document position then code. Never
** changes the message. A message whose root is not OfferteAanvraag gets
** one AXL-R18 error and no other rule runs. 0, or -1 when out of
** memory. */
int axl_check(const axl_message *m, const axl_check_opts *o, axl_report *out,
              axl_error *err);

/* ====================================================================
** Schemas (lender organisation schemas, XSD)
** ==================================================================== */

typedef struct axl_schema_limits {
  axl_occurs externe;          /* ExterneIdentificatie under
                                  OfferteAanvraag/Hypotheekgever/Identificatie */
  axl_occurs dataleverancier;  /* Dataleverancier under OfferteAanvraag */
  int externe_undecided;       /* a construct made that limit undecidable */
  int dataleverancier_undecided;
  int unsupported;             /* either of them */
} axl_schema_limits;

/* Loads an XSD. axlink reads the main file and every include/import itself,
** only regular files under the main file's directory, none with a DOCTYPE,
** and hands them to libxml2 from memory: nothing reaches the network or any
** other file. Caller frees with axl_schema_free. */
axl_schema *axl_schema_load(const char *path, axl_error *err);

/* The same from a string; includes resolve under base_dir (may be NULL:
** then no include is allowed). */
axl_schema *axl_schema_parse(const char *xsd, size_t len, const char *base_dir,
                             axl_error *err);

/* The same two, and when the schema does not compile (AXL-S05), one
** problem per libxml2 error appended to problems (may be NULL): code
** AXL-S05, the XSD's file (basename) and line, and a sentence saying what
** is wrong (schema names only). err->message holds the first sentence. */
axl_schema *axl_schema_load_diag(const char *path, axl_report *problems,
                                 axl_error *err);
axl_schema *axl_schema_parse_diag(const char *xsd, size_t len,
                                  const char *base_dir, axl_report *problems,
                                  axl_error *err);

void axl_schema_free(axl_schema *s);

/* 1 valid, 0 invalid (problems in out, AXL-V codes, paths and lines of the
** message, reasons reduced to the constraint kind), -1 on failure. */
int axl_validate(const axl_schema *s, const axl_message *m, axl_report *out,
                 axl_error *err);

/* The limits at the two places the ketenafspraak names (borrowed view). */
const axl_schema_limits *axl_schema_get_limits(const axl_schema *s);

/* Where the schema puts a new child of the element at parent_path (element
** names from the root joined by '/', no indices): its position in the
** schema's order (first appearance in the content model, an extension's
** base first). -1 when the schema knows the parent but not that child, -2
** when it does not know the parent (or s is NULL): then the built-in model
** decides. Safe from several threads: the order is built at load. */
int axl_schema_child_index(const axl_schema *s, const char *parent_path,
                           const char *child);

/* Conformance of the schema with the ketenafspraak (AXL-S2x problems, with
** XSD file and line); appended to out. */
int axl_schema_conformance(const axl_schema *s, axl_report *out);

/* ====================================================================
** Linking CDL files to applicants (DESIGN 4)
** ==================================================================== */

typedef enum axl_match_kind {
  AXL_MATCH_AUTO = 0,       /* compare with every Hypotheekgever */
  AXL_MATCH_VOLGNUMMER,     /* the Hypotheekgever with this Volgnummer */
  AXL_MATCH_PARTIJ_ID,      /* the one whose PartijNAWData has this ID */
  AXL_MATCH_SKIP            /* not an applicant in this AX */
} axl_match_kind;

typedef struct axl_link_person {      /* all strings borrowed, may be NULL */
  const char *id;                     /* PersoonsID: never invented */
  const char *birth_date, *initials, *surname, *prefix;
  axl_match_kind match;
  long volgnummer;                    /* AXL_MATCH_VOLGNUMMER */
  const char *partij_id;              /* AXL_MATCH_PARTIJ_ID */
} axl_link_person;

typedef struct axl_link_field {       /* host-set Dataleverancier fields */
  const char *name, *value;
} axl_link_field;

/* A grade of one delivery person against one Hypotheekgever (DESIGN 4.2). */
typedef enum axl_grade {
  AXL_GRADE_VERIFIED = 0, AXL_GRADE_PROBABLE, AXL_GRADE_MISMATCH,
  AXL_GRADE_UNVERIFIABLE
} axl_grade;

/* "verified", "probable", "mismatch" or "unverifiable" (static string). */
const char *axl_grade_name(axl_grade g);

/* The name fields of one PartijNAWData, as grading reads them (borrowed;
** any may be NULL). */
typedef struct axl_partij_name {
  const char *birth_date;     /* GeboorteDt */
  const char *initials;       /* VoorLetters */
  const char *surname;        /* GeboorteAchternaam */
  const char *prefix;         /* GeboorteTussenvoegsels */
  const char *use_name;       /* CorrespondentieNaam */
  const char *use_prefix;     /* CorrespondentieTussenvoegsels */
} axl_partij_name;

/*
** A zeroed request with the delivery filled in is the defaults. axl_link
** checks the delivery as the Lua API does (same codes): AXL-C01 for a
** missing or empty dataleverancier_id or a valid_until that is not an ISO
** date (YYYY-MM-DD, optionally followed by a time), AXL-C02 for no
** persons, AXL-C03 for an empty string field or a birth_date that is not
** an ISO date (unknown parts as 00 allowed), AXL-C04 for two persons with
** the same id. A today that is not an ISO date is AXL-L15.
*/
typedef struct axl_link_request {
  const char *dataleverancier_id;     /* the data file's key (required) */
  const char *valid_until, *today;    /* ISO dates, may be NULL */
  const axl_link_person *persons;
  size_t n_persons;
  const axl_link_field *fields;
  size_t n_fields;
  int force;                          /* link despite a birth-date conflict */
  int replace;                        /* drop the same supplier's old link */
  axl_check_opts limits;              /* receive is ignored; limits not
                                         set come from limits.schema,
                                         else from schema below */
  const axl_schema *schema;           /* validate the output, or NULL */
} axl_link_request;

typedef enum axl_link_status {
  AXL_LINK_LINKED = 0, AXL_LINK_SKIPPED
} axl_link_status;

typedef struct axl_link_entry {       /* one per person, in order */
  axl_link_status status;
  long hypotheekgever;                /* its Volgnummer (LINKED only) */
  char ref[64];                       /* the Dataleverancier's ID */
  axl_grade grade;
  int created;                        /* 0: it was linked already */
} axl_link_entry;

typedef struct axl_link_grade {       /* automatic matching, every pair */
  size_t person;                      /* 0-based */
  long hypotheekgever;                /* Volgnummer */
  axl_grade grade;
} axl_link_grade;

typedef struct axl_link_result {
  axl_link_entry *entries;            /* n_persons, owned */
  axl_link_grade *grades;             /* owned */
  size_t n_grades;
  axl_report problems;                /* why a limit or schema refused */
  int has_person;                     /* a refusal is about one person: */
  size_t person;                      /* that one, 0-based (else 0) */
  int expired;                        /* valid_until lies before today */
} axl_link_result;

/* Links one delivery into m itself: all or nothing, without a copy of the
** document. 0: m holds the links. -1: refused, err set (AXL-L codes, AXL-C
** for the delivery, AXL-P15 for memory, AXL-V with a schema) and, where
** useful, res->grades / res->problems; m is then exactly as it was (it
** serialises to the same bytes): every element the link had added is
** taken out again, also when libxml2 reported a failed allocation and went
** on. m is borrowed; pointers into its document taken before stay valid,
** except with req->replace: removing links is done on a copy whose
** document then takes the place of m's (the old one is freed), so only
** then is a pointer from axl_message_doc(m) taken before stale. With
** req->schema set, the check against it reads a copy that lives for the
** check only (libxml2's validator writes into the document it reads). res
** must be freed with axl_link_result_free in both cases. */
int axl_link_in_place(axl_message *m, const axl_link_request *req,
                      axl_link_result *res, axl_error *err);

/* The same on a copy: returns a new message holding the links (caller
** frees), or NULL with err and res as above. m itself is never changed.
** It costs a copy of the whole document: for a host that still needs the
** message without the links. res must be freed with axl_link_result_free
** in both cases. */
axl_message *axl_link(const axl_message *m, const axl_link_request *req,
                      axl_link_result *res, axl_error *err);
void axl_link_result_free(axl_link_result *res);

/* The grade of one delivery person (birth_date, initials, surname and
** prefix; its id and match are not read) against one PartijNAWData,
** exactly as linking grades it (DESIGN 4.2). No allocation, any thread. */
axl_grade axl_grade_of(const axl_link_person *p, const axl_partij_name *a);

/* Removes the link of one person to one data file (and the Dataleverancier
** entities left unreferenced). A new message, or NULL (AXL-L10: none). */
axl_message *axl_unlink(const axl_message *m, const char *persoons_id,
                        const char *dataleverancier_id, axl_error *err);

/* The lender's view: one entry per ExterneIdentificatie, document order. */
#define AXL_MISSING_REF    1u   /* no RefDataleverancier */
#define AXL_MISSING_ENTITY 2u   /* the reference reaches no Dataleverancier */
#define AXL_MISSING_KEY    4u   /* no PersoonsID or no DataleverancierID */

typedef struct axl_link_info {        /* strings borrowed from the message */
  long hypotheekgever;
  const char *persoons_id, *dataleverancier_id, *ref;
  long dataleverancier_volgnummer;
  const char *supplier;               /* inferred from the key, or NULL */
  const char *surname, *birth_date;   /* of the PartijNAWData */
  unsigned missing;
  int by_r10;   /* no RefDataleverancier, but the message has one CDL
                ** Dataleverancier: its key and supplier are given, as R10
                ** reads it (unambiguous); missing still says "ref" */
} axl_link_info;

/* *out is caller-freed with axl_free; valid while m is unchanged. */
int axl_links(const axl_message *m, axl_link_info **out, size_t *n,
              axl_error *err);

/* ====================================================================
** Journals: several in-place changes kept or taken back as one
** ==================================================================== */

/* Opens a journal on m: every change axlink makes to m in place from now
** on (axl_link_in_place, replace included, and a builder's entity
** replacement) is recorded, so that axl_journal_rollback can take them all
** back. 0, or -1: AXL-T18 when one is open already, AXL-P15 out of memory.
** A journal still open when m is freed is committed. */
int axl_journal_begin(axl_message *m, axl_error *err);

/* Non-zero while a journal is open on m. */
int axl_journal_open(const axl_message *m);

/* Closes the journal; the changes stay, and what it kept to undo them
** (replaced elements, a replaced document) is freed. Without a journal it
** does nothing. */
void axl_journal_commit(axl_message *m);

/* Takes back every recorded change, newest first, and closes the journal:
** m then serialises to the bytes it had at axl_journal_begin, and its
** elements are the same nodes, with their line numbers. Pointers into the
** document taken before axl_journal_begin are valid again; those taken
** after it may not be. Without a journal it does nothing. */
void axl_journal_rollback(axl_message *m);

/* What the built-in AX model knows of the child `name` of the entity at
** `entity_path` (element names joined by '/', root first, no indices:
** "OfferteAanvraag/PartijNAWData"): AXL_FIELD_UNKNOWN when it knows neither
** the entity nor that child. Formats' fill contexts ask it before writing
** (AXL-C22). Static data; no allocation, any thread. */
typedef enum axl_field_kind {
  AXL_FIELD_UNKNOWN = 0, AXL_FIELD_LEAF, AXL_FIELD_ENTITY, AXL_FIELD_REPEATING
} axl_field_kind;
axl_field_kind axl_model_child_kind(const char *entity_path, const char *name);

/* "02 Ockto" for an Ockto-shaped key, else NULL (static string). */
const char *axl_infer_supplier(const char *key);

/* Non-zero when len bytes are UTF-8 that XML 1.0 allows in text: no NUL or
** control characters but TAB/LF/CR, no surrogates, no U+FFFE/U+FFFF. */
int axl_xml_text_ok(const char *text, size_t len);

/* Non-zero when len bytes are an NCName by XML 1.0 fifth edition (the
** rules the parser reads names by). */
int axl_ncname_ok(const char *name, size_t len);

/* Frees memory axlink handed to the caller. */
void axl_free(void *p);

/* Number of external-entity loads axlink denied in this process (tests). */
unsigned long axl_denied_loads(void);

/* libxml2's version as a string, e.g. "20914" (borrowed, static). */
const char *axl_libxml2_version(void);

#ifdef __cplusplus
}
#endif

#endif
