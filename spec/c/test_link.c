/* Linking, rules and the lender's view through the C API alone. */
#include "support.h"

#include <math.h>

#include "view.h"   /* axl_view_builds: how many views a link builds */

static axl_message *two_applicants(void) {
  size_t len;
  char *src = slurp("spec/fixtures/ax/two-applicants.xml", &len);
  axl_message *m = axl_parse(src, len, NULL, NULL);
  free(src);
  assert_non_null(m);
  return m;
}

static void bundled_file_gives_one_entity_per_person(void **state) {
  axl_message *m = two_applicants(), *linked;
  axl_link_person persons[2] = {
    { "person-a", "1956-04-23", "H", "Celik", NULL, AXL_MATCH_AUTO, 0, NULL },
    { "person-b", "1957-11-08", "Th", "Berg", "van den", AXL_MATCH_AUTO, 0,
      NULL },
  };
  axl_link_request req;
  axl_link_result res;
  axl_check_opts opts;
  axl_report report;
  axl_link_info *links;
  size_t n;
  axl_error err;
  (void)state;
  memset(&req, 0, sizeof req);
  req.dataleverancier_id = "bundle-key";
  req.persons = persons;
  req.n_persons = 2;
  axl_check_opts_default(&req.limits);
  linked = axl_link(m, &req, &res, &err);
  assert_non_null(linked);
  assert_int_equal(res.entries[0].hypotheekgever, 3);
  assert_int_equal(res.entries[1].hypotheekgever, 7);
  assert_string_equal(res.entries[0].ref, "DL1");
  assert_string_equal(res.entries[1].ref, "DL2");
  axl_link_result_free(&res);

  axl_check_opts_default(&opts);
  axl_report_init(&report);
  assert_int_equal(axl_check(linked, &opts, &report, &err), 0);
  assert_int_equal(report.count, 0);
  axl_report_free(&report);

  assert_int_equal(axl_links(linked, &links, &n, &err), 0);
  assert_int_equal(n, 2);
  assert_string_equal(links[1].persoons_id, "person-b");
  assert_string_equal(links[1].dataleverancier_id, "bundle-key");
  assert_int_equal(links[1].dataleverancier_volgnummer, 2);
  assert_int_equal(links[1].missing, 0);
  axl_free(links);

  /* The original is untouched: link returns a new message. */
  assert_int_equal(axl_links(m, &links, &n, &err), 0);
  assert_int_equal(n, 0);
  axl_free(links);
  axl_message_free(m);

  m = axl_unlink(linked, "person-a", "bundle-key", &err);
  assert_non_null(m);
  assert_int_equal(axl_links(m, &links, &n, &err), 0);
  assert_int_equal(n, 1);
  axl_free(links);
  assert_null(axl_unlink(m, "person-a", "bundle-key", &err));
  assert_string_equal(err.code, "AXL-L10");
  axl_message_free(m);
  axl_message_free(linked);
}

static void refusals_change_nothing_and_say_why(void **state) {
  axl_message *m = two_applicants();
  axl_link_person nameless = { "p", "1956-04-23", NULL, NULL, NULL,
                               AXL_MATCH_AUTO, 0, NULL };
  axl_link_request req;
  axl_link_result res;
  axl_error err;
  (void)state;
  memset(&req, 0, sizeof req);
  req.dataleverancier_id = "k";
  req.persons = &nameless;
  req.n_persons = 1;
  axl_check_opts_default(&req.limits);
  assert_null(axl_link(m, &req, &res, &err));
  assert_string_equal(err.code, "AXL-L03");
  assert_int_equal(res.n_grades, 2);
  assert_int_equal(res.grades[0].hypotheekgever, 3);
  assert_int_equal(res.grades[0].grade, 1);  /* probable */
  axl_link_result_free(&res);

  nameless.match = AXL_MATCH_VOLGNUMMER;
  nameless.volgnummer = 3;
  req.limits.externe_set = 1;
  req.limits.externe.max = 0;
  assert_null(axl_link(m, &req, &res, &err));
  assert_string_equal(err.code, "AXL-L07");
  assert_true(res.problems.count >= 1);
  assert_string_equal(res.problems.items[0].code, "AXL-R17");
  axl_link_result_free(&res);
  axl_message_free(m);
}

/* The linked message must read back under the limits the message was
** parsed with: a key beyond max_text, or a message at max_elements, is
** refused and nothing is returned. */
static void links_keep_to_the_message_limits(void **state) {
  size_t len;
  char *src = slurp("spec/fixtures/ax/two-applicants.xml", &len);
  axl_limits lim = {0, 0, 0, 0, 1, 0};
  axl_message *m, *linked, *again;
  char key[128];
  axl_link_person p = { key, NULL, NULL, NULL, NULL, AXL_MATCH_VOLGNUMMER,
                        3, NULL };
  axl_link_request req;
  axl_link_result res;
  axl_error err;
  char *out;
  size_t n;
  (void)state;
  /* The smallest max_text the message itself keeps to. */
  while (!(m = axl_parse(src, len, &lim, &err))) lim.max_text++;
  assert_true(lim.max_text + 1 < sizeof key);
  memset(key, 'k', lim.max_text + 1);
  key[lim.max_text + 1] = '\0';
  memset(&req, 0, sizeof req);
  req.dataleverancier_id = "k";
  req.persons = &p;
  req.n_persons = 1;
  axl_check_opts_default(&req.limits);
  assert_null(axl_link(m, &req, &res, &err));
  assert_string_equal(err.code, "AXL-L14");
  assert_non_null(strstr(err.message, "max_text"));
  axl_link_result_free(&res);

  key[lim.max_text] = '\0';                  /* exactly max_text: fits */
  linked = axl_link(m, &req, &res, &err);
  assert_non_null(linked);
  axl_link_result_free(&res);
  assert_int_equal(axl_serialize(linked, &out, &n, &err), 0);
  again = axl_parse(out, n, &lim, &err);
  assert_non_null(again);
  axl_message_free(again);
  axl_free(out);
  axl_message_free(linked);
  axl_message_free(m);

  /* Exactly as many elements as the message has: no room for a link. */
  lim.max_text = 0;
  lim.max_elements = 1;
  while (!(m = axl_parse(src, len, &lim, &err))) lim.max_elements++;
  assert_null(axl_link(m, &req, &res, &err));
  assert_string_equal(err.code, "AXL-L14");
  assert_non_null(strstr(err.message, "max_elements"));
  axl_link_result_free(&res);
  axl_message_free(m);
  free(src);
}

static char *bytes_of(const axl_message *m, size_t *n) {
  char *out;
  assert_int_equal(axl_serialize(m, &out, n, NULL), 0);
  return out;
}

/* An in-place link refused with `code` leaves m serialising to `before`. */
static void assert_refused_unchanged(axl_message *m, axl_link_request *req,
                                     const char *code, const char *before,
                                     size_t n0) {
  axl_link_result res;
  axl_error err;
  size_t n1;
  char *after;
  assert_int_equal(axl_link_in_place(m, req, &res, &err), -1);
  assert_string_equal(err.code, code);
  axl_link_result_free(&res);
  after = bytes_of(m, &n1);
  assert_int_equal(n0, n1);
  assert_memory_equal(before, after, n0);
  axl_free(after);
}

/* In place: a success gives exactly the bytes the copy path gives; every
** refusal, also one that comes after elements were added (a limit found
** on the linked message, AXL-L14; the rules, AXL-L07), leaves the message
** serialising to the bytes it had. */
static void in_place_link_is_all_or_nothing(void **state) {
  size_t len;
  char *src = slurp("spec/fixtures/ax/two-applicants.xml", &len);
  axl_limits lim = {0, 0, 0, 0, 1, 0};
  axl_message *m, *copy;
  char key[128], *before, *after, *want;
  size_t n0, n1, n2;
  axl_link_person p[2] = {
    { "person-a", "1956-04-23", "H", "Celik", NULL, AXL_MATCH_AUTO, 0, NULL },
    { key, "1957-11-08", "Th", "Berg", "van den", AXL_MATCH_AUTO, 0, NULL },
  };
  axl_link_request req;
  axl_link_result res;
  axl_error err;
  (void)state;
  while (!(m = axl_parse(src, len, &lim, &err))) lim.max_text++;
  assert_true(lim.max_text + 1 < sizeof key);
  memset(key, 'k', lim.max_text + 1);
  key[lim.max_text + 1] = '\0';
  memset(&req, 0, sizeof req);
  req.dataleverancier_id = "k";
  req.persons = p;
  req.n_persons = 2;
  before = bytes_of(m, &n0);

  /* The second person's key is over max_text: found once both links are
  ** in the tree, so four elements come out again. */
  assert_refused_unchanged(m, &req, "AXL-L14", before, n0);

  req.limits.externe_set = 1;             /* the receiver allows none */
  key[lim.max_text] = '\0';
  assert_refused_unchanged(m, &req, "AXL-L07", before, n0);

  req.limits.externe_set = 0;
  copy = axl_link(m, &req, &res, &err);
  assert_non_null(copy);
  axl_link_result_free(&res);
  want = bytes_of(copy, &n2);
  axl_message_free(copy);
  assert_int_equal(axl_link_in_place(m, &req, &res, &err), 0);
  assert_int_equal(err.code[0], '\0');
  assert_string_equal(res.entries[1].ref, "DL2");
  assert_int_equal(res.entries[1].created, 1);
  axl_link_result_free(&res);
  after = bytes_of(m, &n1);
  assert_int_equal(n1, n2);
  assert_memory_equal(after, want, n1);
  axl_free(after);

  /* Again: idempotent, nothing added, the same bytes. */
  assert_int_equal(axl_link_in_place(m, &req, &res, &err), 0);
  assert_int_equal(res.entries[0].created, 0);
  axl_link_result_free(&res);
  after = bytes_of(m, &n1);
  assert_int_equal(n1, n2);
  assert_memory_equal(after, want, n1);
  axl_free(after);
  axl_free(want);
  axl_free(before);
  axl_message_free(m);
  free(src);
}

/* Text where the ExterneIdentificatie must go: the Dataleverancier was
** already in the tree when that is found (AXL-L13); it comes out again. */
static void in_place_refusal_after_a_write_is_undone(void **state) {
  static const char ax[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<OfferteAanvraag><PartijNAWData ID=\"NA01\"><SoortPartij>01 natuurlijk"
    " persoon</SoortPartij><GeboorteDt>1956-04-23</GeboorteDt>"
    "</PartijNAWData><Hypotheekgever Volgnummer=\"1\"><RefPartijNAWData "
    "IDREF=\"NA01\"/><Identificatie>text</Identificatie></Hypotheekgever>"
    "</OfferteAanvraag>\n";
  axl_message *m = axl_parse(ax, sizeof ax - 1, NULL, NULL);
  axl_link_person p = { "p", "1956-04-23", NULL, NULL, NULL,
                        AXL_MATCH_VOLGNUMMER, 1, NULL };
  axl_link_request req;
  char *before;
  size_t n0;
  (void)state;
  assert_non_null(m);
  memset(&req, 0, sizeof req);
  req.dataleverancier_id = "k";
  req.persons = &p;
  req.n_persons = 1;
  before = bytes_of(m, &n0);
  assert_refused_unchanged(m, &req, "AXL-L13", before, n0);
  axl_free(before);
  axl_message_free(m);
}

/* One person to Hypotheekgever `volg`, under key `key`. */
static void one_person(axl_link_request *req, axl_link_person *p,
                       const char *id, long volg, const char *key) {
  memset(p, 0, sizeof *p);
  p->id = id;
  p->match = AXL_MATCH_VOLGNUMMER;
  p->volgnummer = volg;
  memset(req, 0, sizeof *req);
  req->dataleverancier_id = key;
  req->persons = p;
  req->n_persons = 1;
}

/* A link builds the CDL view once, on the document it works on (m in
** place, else its copy): persons resolve through it, the writer keeps it
** in step, and the limit rules read it. opts.replace builds it once more,
** only when it removed links. */
static void a_link_builds_one_view(void **state) {
#ifdef NDEBUG
  (void)state;
  skip();
#else
  axl_message *m = two_applicants(), *copy;
  axl_link_person p;
  axl_link_request req;
  axl_link_result res;
  axl_error err;
  unsigned long n;
  (void)state;
  one_person(&req, &p, "person-a", 3, "k1");
  n = axl_view_builds();
  assert_int_equal(axl_link_in_place(m, &req, &res, &err), 0);
  assert_int_equal(axl_view_builds() - n, 1);
  assert_int_equal(res.entries[0].created, 1);
  axl_link_result_free(&res);

  one_person(&req, &p, "person-b", 7, "k2");
  n = axl_view_builds();
  copy = axl_link(m, &req, &res, &err);
  assert_non_null(copy);
  assert_int_equal(axl_view_builds() - n, 1);
  axl_link_result_free(&res);
  axl_message_free(copy);

  /* Refused by a limit once written: still one. */
  req.limits.externe_set = 1;
  n = axl_view_builds();
  assert_int_equal(axl_link_in_place(m, &req, &res, &err), -1);
  assert_string_equal(err.code, "AXL-L07");
  assert_int_equal(axl_view_builds() - n, 1);
  axl_link_result_free(&res);

  /* Keys of unknown shape: k3 replaces k1, and the view is built again
  ** after the removal; a second time nothing is removed. */
  one_person(&req, &p, "person-a", 3, "k3");
  req.replace = 1;
  n = axl_view_builds();
  assert_int_equal(axl_link_in_place(m, &req, &res, &err), 0);
  assert_int_equal(axl_view_builds() - n, 2);
  assert_int_equal(res.entries[0].created, 1);
  axl_link_result_free(&res);
  n = axl_view_builds();
  assert_int_equal(axl_link_in_place(m, &req, &res, &err), 0);
  assert_int_equal(axl_view_builds() - n, 1);
  assert_int_equal(res.entries[0].created, 0);
  axl_link_result_free(&res);
  axl_message_free(m);
#endif
}

/* The limit errors axl_check finds in m under o: what link refuses on. */
static void limit_errors(const axl_message *m, const axl_check_opts *o,
                         axl_report *out) {
  axl_report all;
  axl_error err;
  axl_report_init(&all);
  axl_report_init(out);
  assert_int_equal(axl_check(m, o, &all, &err), 0);
  for (size_t i = 0; i < all.count; i++)
    if (all.items[i].limit != AXL_LIMIT_NOT &&
        all.items[i].severity == AXL_ERROR)
      *axl_report_add(out, "", AXL_INFO, "") = all.items[i];
  axl_report_free(&all);
}

static void assert_same_problems(const axl_report *got,
                                 const axl_report *want) {
  assert_int_equal(got->count, want->count);
  for (size_t i = 0; i < got->count; i++) {
    const axl_problem *a = &got->items[i], *b = &want->items[i];
    assert_string_equal(a->code, b->code);
    assert_int_equal(a->severity, b->severity);
    assert_int_equal(a->limit, b->limit);
    assert_int_equal(a->line, b->line);
    assert_string_equal(a->path, b->path);
    assert_string_equal(a->file, b->file);
    assert_string_equal(a->message, b->message);
    assert_int_equal(a->order, b->order);
  }
}

/* req, refused with `code` on the copy path and in place, gives as its
** problems exactly the limit errors axl_check finds on m linked without
** the limits; those are left in want (caller frees). */
static void assert_refusal_is_check(axl_message *m,
                                    const axl_link_request *req,
                                    const char *code, axl_report *want) {
  axl_link_request open = *req;
  axl_link_result res;
  axl_error err;
  axl_message *linked;
  open.limits.externe_set = open.limits.dataleverancier_set = 1;
  open.limits.externe.max = open.limits.dataleverancier.max = INFINITY;
  linked = axl_link(m, &open, &res, &err);
  assert_non_null(linked);
  axl_link_result_free(&res);
  limit_errors(linked, &req->limits, want);
  axl_message_free(linked);

  assert_null(axl_link(m, req, &res, &err));
  assert_string_equal(err.code, code);
  assert_same_problems(&res.problems, want);
  axl_link_result_free(&res);
  assert_int_equal(axl_link_in_place(m, req, &res, &err), -1);
  assert_string_equal(err.code, code);
  assert_same_problems(&res.problems, want);
  axl_link_result_free(&res);
}

/* A link refused by a limit reports what axl_check says of the linked
** message: the limit rules read the view the writer kept in step, with the
** same paths, lines and positions. Person b is linked first, so person a's
** new entries go in the middle of the view's. */
static void limit_refusals_are_what_check_says(void **state) {
  axl_message *m = two_applicants();
  axl_link_person p;
  axl_link_request req;
  axl_link_result res;
  axl_report want;
  axl_error err;
  char key[16];
  (void)state;
  for (int k = 1; k <= 9; k++) {
    snprintf(key, sizeof key, "k%d", k);
    if (k <= 2) one_person(&req, &p, "person-b", 7, key);
    else one_person(&req, &p, "person-a", 3, key);
    assert_int_equal(axl_link_in_place(m, &req, &res, &err), 0);
    axl_link_result_free(&res);
  }
  /* Person a has 7 entries, the message 9 entities: an 8th and a 10th. */
  one_person(&req, &p, "person-a", 3, "k10");
  req.limits.externe_set = 1;
  req.limits.externe.max = 7;
  assert_refusal_is_check(m, &req, "AXL-L06", &want);
  assert_int_equal(want.count, 2);
  assert_string_equal(want.items[0].code, "AXL-R01");
  assert_string_equal(want.items[0].path, "/OfferteAanvraag/Hypotheekgever[1]"
                      "/Identificatie/ExterneIdentificatie[8]");
  assert_string_equal(want.items[0].message, "8 ExterneIdentificatie under "
                      "one Hypotheekgever, over the receiver's limit of 7");
  assert_string_equal(want.items[1].code, "AXL-R02");
  assert_string_equal(want.items[1].path, "/OfferteAanvraag/"
                      "Dataleverancier[10]");
  axl_report_free(&want);

  /* The receiver allows none: one R17 per Hypotheekgever, one for the
  ** entities. */
  req.limits.externe.max = 0;
  req.limits.dataleverancier_set = 1;
  req.limits.dataleverancier.max = 0;
  assert_refusal_is_check(m, &req, "AXL-L07", &want);
  assert_int_equal(want.count, 3);
  for (size_t i = 0; i < want.count; i++)
    assert_string_equal(want.items[i].code, "AXL-R17");
  axl_report_free(&want);
  axl_message_free(m);
}

/* A Hypotheekgever without Identificatie: the link writes one, and the
** limit rules find the entry in it. */
static void a_new_identificatie_is_in_the_view(void **state) {
  static const char ax[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<OfferteAanvraag><Hypotheekgever Volgnummer=\"1\"><RefPartijNAWData "
    "IDREF=\"NA01\"/></Hypotheekgever><Hypotheekgever Volgnummer=\"2\">"
    "<RefPartijNAWData IDREF=\"NA01\"/><Identificatie><ExterneIdentificatie"
    " Volgnummer=\"1\"><PersoonsID>q</PersoonsID><RefDataleverancier "
    "IDREF=\"D1\"/></ExterneIdentificatie></Identificatie></Hypotheekgever>"
    "<PartijNAWData ID=\"NA01\"><SoortPartij>01 natuurlijk persoon"
    "</SoortPartij><GeboorteDt>1956-04-23</GeboorteDt></PartijNAWData>"
    "<Dataleverancier Volgnummer=\"1\" ID=\"D1\"><DataleverancierID>old"
    "</DataleverancierID></Dataleverancier></OfferteAanvraag>\n";
  axl_message *m = axl_parse(ax, sizeof ax - 1, NULL, NULL);
  axl_link_person p;
  axl_link_request req;
  axl_report want;
  (void)state;
  assert_non_null(m);
  one_person(&req, &p, "p", 1, "k");
  req.limits.externe_set = 1;
  req.limits.externe.max = 0;
  assert_refusal_is_check(m, &req, "AXL-L07", &want);
  assert_int_equal(want.count, 2);
  assert_string_equal(want.items[0].path, "/OfferteAanvraag/Hypotheekgever[1]"
                      "/Identificatie/ExterneIdentificatie[1]");
  assert_string_equal(want.items[1].path, "/OfferteAanvraag/Hypotheekgever[2]"
                      "/Identificatie/ExterneIdentificatie[1]");
  axl_report_free(&want);

  /* One entity allowed, two after the link: R02 on the new one. */
  req.limits.externe_set = 0;
  req.limits.dataleverancier_set = 1;
  req.limits.dataleverancier.max = 1;
  assert_refusal_is_check(m, &req, "AXL-L06", &want);
  assert_int_equal(want.count, 1);
  assert_string_equal(want.items[0].code, "AXL-R02");
  assert_string_equal(want.items[0].path,
                      "/OfferteAanvraag/Dataleverancier[2]");
  axl_report_free(&want);
  axl_message_free(m);
}

static void ockto_keys_are_recognised(void **state) {
  (void)state;
  assert_string_equal(axl_infer_supplier(
      "eyJjb25zdW1lckRhdGEiOnsiRGF0YVNvdXJjZXMiOlsiTU9IIl0sIklkIjoiYSJ9fQ=="),
      "02 Ockto");
  assert_null(axl_infer_supplier("d0228eea-b818-4303-9357-aa043d24b452"));
  assert_null(axl_infer_supplier("eyJmb28iOiJiYXIiLCJiYXoiOiJxdXV4In0K"
                                 "AAAAAAAAAAAAAAAAAAAA"));
  assert_null(axl_infer_supplier(NULL));
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(bundled_file_gives_one_entity_per_person),
    cmocka_unit_test(refusals_change_nothing_and_say_why),
    cmocka_unit_test(links_keep_to_the_message_limits),
    cmocka_unit_test(in_place_link_is_all_or_nothing),
    cmocka_unit_test(in_place_refusal_after_a_write_is_undone),
    cmocka_unit_test(a_link_builds_one_view),
    cmocka_unit_test(limit_refusals_are_what_check_says),
    cmocka_unit_test(a_new_identificatie_is_in_the_view),
    cmocka_unit_test(ockto_keys_are_recognised),
  };
  return cmocka_run_group_tests_name("link", tests, NULL, NULL);
}
