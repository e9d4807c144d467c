/*
** link_fuzz: axl_link_in_place with a fuzzed delivery, then axl_unlink.
**
** Input layout (a "delivery description", read front to back; running out
** of bytes reads zeros):
**   byte 0  flags: bits 0-1 the message (0, 1: spec/fixtures/ax/
**           two-applicants.xml, or spec/fixtures/rules/ok-per-person.xml
**           when an odd number of bytes is left after the delivery; 2:
**           spec/fixtures/rules/ok-two-files.xml, which has links already;
**           3: the bytes left after the delivery, parsed as XML); bit 2
**           force; bit 3 replace; bit 4 validate the output against
**           spec/fixtures/schemas/ax-base.xsd; bit 5 dates (valid_until,
**           today); bits 6-7 the number of persons - 1 (at most 3)
**   byte 1  limits: low nibble ExterneIdentificatie max + 1, high nibble
**           Dataleverancier max + 1 (0: not set; 15 externe: unbounded)
**   byte 2  fields: 0..2 host fields (the value mod 3)
**   then    the DataleverancierID string, the dates, per person: match byte
**           (kind in bits 0-1, Volgnummer in bits 2-7, no prefix when bit 7
**           is set), id, birth date, initials, surname, prefix, PartijNAWData
**           ID strings; per field name and value strings; then unlink's
**           PersoonsID and key.
** A string is one selector byte: below 0x80 one of a table of useful
** values (the fixtures' names, dates and IDs), else (s & 15) raw bytes.
**
** Properties (abort() = a finding):
** - failure => an AXL-L, AXL-P (or, with a schema, AXL-V) code, and the
**   message linked in place serialises to exactly the bytes it had;
** - success => per person: SKIPPED exactly for match=skip, LINKED ones have
**   a ref; axl_links after = before + created (no replace), <= (replace);
**   each created link is in axl_links with its PersoonsID, key and ref and
**   nothing missing; axl_check runs; the output serialises, re-parses and
**   serialises to the same bytes; the input message is unchanged;
** - unlink of a linked person removes exactly the links axl_links lists
**   for that PersoonsID and key; unlink of a random pair either does that
**   or gives AXL-L10 when there is none.
*/
#include "common.h"

#include <math.h>

typedef struct reader {
  const uint8_t *p;
  size_t n;
} reader;

static uint8_t byte(reader *r) {
  if (!r->n) return 0;
  r->n--;
  return *r->p++;
}

static const char *const table[] = {
  "", "P1", "P2", "9fec7053-9b78-457f-8b25-81217df0b420",
  "1956-04-23", "1957-11-08", "1984-03-17", "1956-04-24", "1956",
  "HE", "Th", "ML", "H.E.", "T", "Çelik", "Celik", "Berg", "van den",
  "Verhoef", "Van Den", "NA01", "NA02", "NA05", "DL1", "DL2", "NA99",
  "2024-01-01", "2099-12-31", "2025-02-30",
  "eyJjb25zdW1lckRhdGEiOnsiRGF0YVNvdXJjZXMiOlsiTU9IIiwiVVdWIiwiTVBPIl0s"
  "IklkIjoiOWNlOGU1ODgtOWYxOC00ZTVkLWExNzEtNzQyZDYxNzJiYmFjIiwiT2RtVmVy"
  "c2lvbiI6IlY0XzQifX0=",
  "eyJjb25zdW1lckRhdGEiOnsiRGF0YVNvdXJjZXMiOlsiTU9IIiwiVVdWIiwiRFVPIl0s"
  "IklkIjoiYWIwM2U2NDctNDZjMC00MzY5LThmMTktYzYzMGRlNGNjYzI1IiwiT2RtVmVy"
  "c2lvbiI6IlY0XzQifX0=",
  "eyJjb25zdW1lckRhdGEiOnt9fQ==xxxxxxxxxxxxxxxxxxxxxxxx",
  "iwize-0001", "KEY", "DataMijNr", "GegevensVerzoekVersie",
  "DataleverancierOntvangerNaam", "DataleverancierID", "Bogus",
  "OCKTO", "4.4", "a b", " P1", "P1 ", "x&y<z>\"'",
};
#define NTABLE (sizeof table / sizeof table[0])

/* Strings live in one arena per input, NUL-terminated. */
static char arena[4096];
static size_t arena_used;

static const char *str(reader *r) {
  uint8_t s = byte(r);
  size_t len;
  char *out;
  if (s < 0x80) return table[s % NTABLE];
  len = s & 15;
  if (len > r->n) len = r->n;
  if (arena_used + len + 1 > sizeof arena) return "";
  out = arena + arena_used;
  memcpy(out, r->p, len);
  out[len] = '\0';
  arena_used += len + 1;
  r->p += len;
  r->n -= len;
  return out;
}


static axl_message *fixtures[3];
static axl_schema *schema;
static int debug;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  static const char *const paths[3] = {
    "spec/fixtures/ax/two-applicants.xml",
    "spec/fixtures/rules/ok-two-files.xml",
    "spec/fixtures/rules/ok-per-person.xml",
  };
  axl_error err;
  (void)argc; (void)argv;
  axl_init();
  debug = getenv("FUZZ_DEBUG") != NULL;
  for (int i = 0; i < 3; i++) {
    fixtures[i] = axl_read(paths[i], NULL, &err);
    if (!fixtures[i]) {
      fprintf(stderr, "link_fuzz: cannot read %s (%s): run from the "
              "repository root\n", paths[i], err.code);
      exit(2);
    }
  }
  schema = axl_schema_load("spec/fixtures/schemas/ax-base.xsd", &err);
  if (!schema)
    fprintf(stderr, "link_fuzz: no schema (%s): bit 4 ignored\n", err.code);
  return 0;
}

static char *serialise(const axl_message *m, size_t *n) {
  char *s = NULL;
  axl_error err;
  FUZZ_REQUIRE(axl_serialize(m, &s, n, &err) == 0, "serialise succeeds");
  return s;
}

static size_t count_links(const axl_message *m, axl_link_info **li) {
  size_t n = 0;
  axl_error err;
  FUZZ_REQUIRE(axl_links(m, li, &n, &err) == 0, "axl_links succeeds");
  return n;
}

static int eq(const char *a, const char *b) {
  return a && b && strcmp(a, b) == 0;
}

/* unlink(m, pid, key) removes exactly the listed links with that pair. */
static void check_unlink(const axl_message *m, const char *pid,
                         const char *key, int must_exist) {
  axl_link_info *li = NULL, *li2 = NULL;
  size_t n = count_links(m, &li), matching = 0;
  axl_error err;
  axl_message *u;
  for (size_t i = 0; i < n; i++)
    matching += eq(li[i].persoons_id, pid) && eq(li[i].dataleverancier_id,
                                                 key);
  axl_free(li);
  u = axl_unlink(m, pid, key, &err);
  if (!u) {
    FUZZ_REQUIRE(matching == 0 && !must_exist,
                 "unlink of an existing link succeeds");
    FUZZ_REQUIRE(strcmp(err.code, "AXL-L10") == 0,
                 "unlink without a link gives AXL-L10");
    return;
  }
  FUZZ_REQUIRE(matching > 0, "unlink without a link fails");
  FUZZ_REQUIRE(count_links(u, &li2) == n - matching,
               "unlink removes exactly the matching links");
  for (size_t i = 0; i < n - matching; i++)
    FUZZ_REQUIRE(!(eq(li2[i].persoons_id, pid) &&
                   eq(li2[i].dataleverancier_id, key)),
                 "no matching link is left");
  axl_free(li2);
  axl_message_free(u);
}

static void round_trip(const axl_message *m) {
  size_t n1, n2;
  char *s1 = serialise(m, &n1), *s2;
  axl_error err;
  axl_message *m2 = axl_parse(s1, n1, NULL, &err);
  if (!m2)
    fprintf(stderr, "\nlinked output refused: %s line %ld (%s)\n%.*s\n",
            err.code, err.line, err.message, (int)n1, s1);
  FUZZ_REQUIRE(m2 != NULL, "the linked message re-parses");
  s2 = serialise(m2, &n2);
  if (n1 != n2 || memcmp(s1, s2, n1) != 0)
    fprintf(stderr, "\n--- linked\n%.*s\n--- re-parsed\n%.*s\n", (int)n1, s1,
            (int)n2, s2);
  FUZZ_REQUIRE(n1 == n2 && memcmp(s1, s2, n1) == 0,
               "the linked message round-trips to the same bytes");
  axl_free(s1);
  axl_free(s2);
  axl_message_free(m2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  reader r = { data, size };
  axl_link_person persons[3];
  axl_link_field fields[2];
  axl_link_request req;
  axl_link_result res;
  axl_error err;
  axl_message *m, *own = NULL, *out, *work;
  uint8_t flags, lim, nf;
  size_t before, after, created = 0;
  axl_link_info *li = NULL;
  char *orig;
  size_t orig_len;
  const char *unlink_pid, *unlink_key;

  arena_used = 0;
  memset(&req, 0, sizeof req);
  memset(persons, 0, sizeof persons);
  memset(fields, 0, sizeof fields);
  flags = byte(&r);
  lim = byte(&r);
  nf = byte(&r) % 3;

  req.dataleverancier_id = str(&r);
  if (flags & 0x20) {
    req.valid_until = str(&r);
    req.today = str(&r);
  }
  req.n_persons = 1 + ((flags >> 6) > 2 ? 2 : (flags >> 6));
  for (size_t i = 0; i < req.n_persons; i++) {
    axl_link_person *p = &persons[i];
    uint8_t mb = byte(&r);
    p->match = (axl_match_kind)(mb & 3);
    p->volgnummer = mb >> 2;
    p->id = str(&r);
    p->birth_date = str(&r);
    p->initials = str(&r);
    p->surname = str(&r);
    p->prefix = (mb & 0x80) ? NULL : str(&r);
    p->partij_id = str(&r);
    if (!*p->birth_date) p->birth_date = NULL;
  }
  req.persons = persons;
  req.n_fields = nf;
  for (size_t i = 0; i < nf; i++) {
    fields[i].name = str(&r);
    fields[i].value = str(&r);
  }
  req.fields = fields;
  req.force = (flags >> 2) & 1;
  req.replace = (flags >> 3) & 1;
  axl_check_opts_default(&req.limits);
  if (lim & 15) {
    req.limits.externe_set = 1;
    req.limits.externe.max = (lim & 15) == 15 ? INFINITY : (double)((lim & 15) - 1);
  }
  if (lim >> 4) {
    req.limits.dataleverancier_set = 1;
    req.limits.dataleverancier.max = (double)((lim >> 4) - 1);
  }
  req.schema = (flags & 0x10) ? schema : NULL;
  unlink_pid = str(&r);
  unlink_key = str(&r);

  if ((flags & 3) == 3) {
    own = axl_parse((const char *)r.p, r.n, NULL, &err);
    if (!own) return 0;
    m = own;
  } else {
    m = fixtures[(flags & 3) == 2 ? 1 : (r.n & 1 ? 2 : 0)];
  }

  orig = serialise(m, &orig_len);
  before = count_links(m, &li);
  axl_free(li);
  li = NULL;

  /* In place, on a copy of the (shared) fixture: a refusal must leave
  ** the copy as it was, byte for byte. */
  work = axl_clone(m, &err);
  FUZZ_REQUIRE(work != NULL, "clone succeeds");
  out = axl_link_in_place(work, &req, &res, &err) == 0 ? work : NULL;
  if (debug)  /* FUZZ_DEBUG=1: how each input ends, to tune the layout */
    fprintf(stderr, "link: %s %s (message %d)\n", out ? "ok" : err.code,
            out ? "" : err.message, flags & 3);
  if (!out) {
    size_t n;
    char *now = serialise(work, &n);
    FUZZ_REQUIRE(n == orig_len && memcmp(now, orig, n) == 0,
                 "a refused link changes nothing");
    axl_free(now);
    axl_message_free(work);
    /* AXL-C: the delivery checks axl_link shares with Lua's cdl.read. */
    FUZZ_REQUIRE(fuzz_has_prefix(err.code, "AXL-L") ||
                 fuzz_has_prefix(err.code, "AXL-P") ||
                 fuzz_has_prefix(err.code, "AXL-C") ||
                 (req.schema && fuzz_has_prefix(err.code, "AXL-V")),
                 "a refused link gives an AXL-L/P/C code");
  } else {
    FUZZ_REQUIRE(err.code[0] == '\0', "success leaves err empty");
    FUZZ_REQUIRE(res.entries != NULL, "success has entries");
    for (size_t i = 0; i < req.n_persons; i++) {
      const axl_link_entry *e = &res.entries[i];
      FUZZ_REQUIRE((e->status == AXL_LINK_SKIPPED) ==
                   (persons[i].match == AXL_MATCH_SKIP),
                   "skipped exactly when match is skip");
      if (e->status == AXL_LINK_LINKED) {
        FUZZ_REQUIRE(e->ref[0] != '\0', "a linked person has a ref");
        FUZZ_REQUIRE((unsigned)e->grade <= AXL_GRADE_UNVERIFIABLE, "grade in range");
        created += e->created != 0;
      }
    }
    after = count_links(out, &li);
    if (!req.replace)
      FUZZ_REQUIRE(after == before + created,
                   "links after = links before + created");
    else
      FUZZ_REQUIRE(after <= before + created,
                   "replace never adds more than it creates");
    for (size_t i = 0; i < req.n_persons; i++) {
      const axl_link_entry *e = &res.entries[i];
      int found = 0;
      if (e->status != AXL_LINK_LINKED || !e->created) continue;
      for (size_t k = 0; k < after; k++)
        if (eq(li[k].persoons_id, persons[i].id) &&
            eq(li[k].dataleverancier_id, req.dataleverancier_id) &&
            eq(li[k].ref, e->ref) && li[k].missing == 0 &&
            li[k].hypotheekgever == e->hypotheekgever)
          found = 1;
      FUZZ_REQUIRE(found, "a created link is in axl_links, complete");
    }
    axl_free(li);
    {
      axl_check_opts o;
      axl_report rep;
      axl_check_opts_default(&o);
      axl_report_init(&rep);
      FUZZ_REQUIRE(axl_check(out, &o, &rep, &err) == 0, "check runs");
      axl_report_free(&rep);
    }
    round_trip(out);
    for (size_t i = 0; i < req.n_persons; i++)
      if (res.entries[i].status == AXL_LINK_LINKED) {
        check_unlink(out, persons[i].id, req.dataleverancier_id, 1);
        break;
      }
    axl_message_free(out);
  }
  for (size_t k = 0; k < res.n_grades; k++)
    FUZZ_REQUIRE(res.grades[k].person < req.n_persons &&
                 (unsigned)res.grades[k].grade <= AXL_GRADE_UNVERIFIABLE,
                 "grades name a person and a grade");
  FUZZ_REQUIRE(!res.has_person || res.person < req.n_persons,
               "a refusal about one person names one of the delivery");
  axl_link_result_free(&res);

  check_unlink(m, unlink_pid, unlink_key, 0);

  {
    size_t n;
    char *now = serialise(m, &n);
    FUZZ_REQUIRE(n == orig_len && memcmp(now, orig, n) == 0,
                 "axl_link and axl_unlink never change their input");
    axl_free(now);
  }
  axl_free(orig);
  axl_message_free(own);
  return 0;
}
