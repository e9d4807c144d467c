/*
** The C API keeps the Lua API's promises (DESIGN 11): a zeroed options
** struct is the defaults, a delivery is checked with the same AXL-C codes,
** grades have names, a result never holds -1 for "no person", rules and
** refusals say what they found, and doc/c-api.md lists exactly the
** functions axlink.h declares.
*/
#include "support.h"

#include <ctype.h>

static axl_message *parse_string(const char *xml) {
  axl_error err;
  axl_message *m = axl_parse(xml, strlen(xml), NULL, &err);
  assert_non_null(m);
  return m;
}

static axl_message *read_fixture(const char *path) {
  size_t len;
  char *src = slurp(path, &len);
  axl_message *m = axl_parse(src, len, NULL, NULL);
  free(src);
  assert_non_null(m);
  return m;
}

/* ====================================================================
** Zeroed options are the defaults
** ==================================================================== */

static void zeroed_check_opts_are_the_defaults(void **state) {
  axl_message *m = read_fixture("spec/fixtures/rules/R01-three-files.xml");
  axl_check_opts zero, old;
  axl_report a, b, c;
  (void)state;
  memset(&zero, 0, sizeof zero);
  axl_check_opts_default(&old);
  axl_report_init(&a);
  axl_report_init(&b);
  axl_report_init(&c);
  assert_int_equal(axl_check(m, &zero, &a, NULL), 0);
  assert_int_equal(axl_check(m, &old, &b, NULL), 0);
  assert_int_equal(axl_check(m, NULL, &c, NULL), 0);
  /* The default tier: a warning above 2, no R17 as a "limit 0" would. */
  assert_int_equal(a.count, 1);
  assert_string_equal(a.items[0].code, "AXL-R01");
  assert_int_equal(a.items[0].severity, AXL_WARNING);
  assert_int_equal(b.count, 1);
  assert_int_equal(c.count, 1);
  assert_string_equal(a.items[0].message, b.items[0].message);
  axl_report_free(&a);
  axl_report_free(&b);
  axl_report_free(&c);
  axl_message_free(m);
}

static const axl_link_person celik = {
  "person-a", "1956-04-23", "H", "Celik", NULL, AXL_MATCH_AUTO, 0, NULL
};

/* Before: 0 in limits meant "limit 0", and a memset request gave AXL-L07. */
static void zeroed_link_request_links(void **state) {
  axl_message *m = read_fixture("spec/fixtures/ax/two-applicants.xml"), *out;
  axl_link_request req;
  axl_link_result res;
  axl_error err;
  (void)state;
  memset(&req, 0, sizeof req);
  req.dataleverancier_id = "key";
  req.persons = &celik;
  req.n_persons = 1;
  out = axl_link(m, &req, &res, &err);
  assert_non_null(out);
  assert_int_equal(res.entries[0].status, AXL_LINK_LINKED);
  assert_int_equal(res.entries[0].grade, AXL_GRADE_VERIFIED);
  assert_int_equal(res.has_person, 0);
  assert_int_equal(res.person, 0);
  axl_link_result_free(&res);
  axl_message_free(out);
  axl_message_free(m);
}

static void limits_come_from_the_schema_when_not_set(void **state) {
  axl_message *m = read_fixture("spec/fixtures/rules/R01-three-files.xml");
  axl_schema *s = axl_schema_load("spec/fixtures/schemas/org-externe-1.xsd",
                                  NULL);
  axl_check_opts o;
  axl_report r;
  (void)state;
  assert_non_null(s);
  memset(&o, 0, sizeof o);
  o.schema = s;
  axl_report_init(&r);
  assert_int_equal(axl_check(m, &o, &r, NULL), 0);
  assert_int_equal(r.count, 1);
  assert_string_equal(r.items[0].code, "AXL-R01");
  assert_int_equal(r.items[0].severity, AXL_ERROR);
  assert_string_equal(r.items[0].message, "3 ExterneIdentificatie under one "
                      "Hypotheekgever, over the receiver's limit of 1");
  axl_report_free(&r);
  /* A limit set in the options wins over the schema's. */
  o.externe_set = 1;
  o.externe.max = 5;
  axl_report_init(&r);
  assert_int_equal(axl_check(m, &o, &r, NULL), 0);
  assert_int_equal(r.count, 0);
  axl_report_free(&r);
  axl_schema_free(s);
  axl_message_free(m);
}

/* ====================================================================
** The delivery is checked as Lua checks it (lua/axlink/cdl.lua)
** ==================================================================== */

static void expect_link_refusal(const axl_message *m, axl_link_request *req,
                                const char *code, const char *text,
                                int has_person, size_t person) {
  axl_link_result res;
  axl_error err;
  assert_null(axl_link(m, req, &res, &err));
  if (strcmp(err.code, code) != 0 || !strstr(err.message, text))
    print_error("expected %s \"%s\", got %s \"%s\"\n", code, text, err.code,
                err.message);
  assert_string_equal(err.code, code);
  assert_non_null(strstr(err.message, text));
  assert_int_equal(res.has_person, has_person);
  assert_int_equal(res.person, person);
  axl_link_result_free(&res);
}

static void deliveries_are_checked_with_the_lua_codes(void **state) {
  axl_message *m = read_fixture("spec/fixtures/ax/two-applicants.xml");
  axl_link_person two[2] = { celik, celik };
  axl_link_request req;
  (void)state;
  memset(&req, 0, sizeof req);
  req.persons = two;
  req.n_persons = 1;
  expect_link_refusal(m, &req, "AXL-C01",
                      "delivery.id: wrong or missing", 0, 0);
  req.dataleverancier_id = "";
  expect_link_refusal(m, &req, "AXL-C01",
                      "delivery.id: wrong or missing", 0, 0);
  req.dataleverancier_id = "key";
  req.valid_until = "31-12-2026";
  expect_link_refusal(m, &req, "AXL-C01",
                      "delivery.valid_until", 0, 0);
  req.valid_until = "2026-12-00";         /* partial only for birth dates */
  expect_link_refusal(m, &req, "AXL-C01",
                      "delivery.valid_until", 0, 0);
  req.valid_until = "2026-12-31T23:59:59Z";
  req.n_persons = 0;
  expect_link_refusal(m, &req, "AXL-C02",
                      "delivery.persons", 0, 0);
  req.n_persons = 2;
  expect_link_refusal(m, &req, "AXL-C04",
                      "delivery.persons[2].id: not unique",
                 1, 1);
  two[1].id = "person-b";
  two[1].birth_date = "23-04-1956";
  expect_link_refusal(m, &req, "AXL-C03",
                      "delivery.persons[2].birth_date", 1, 1);
  two[1].birth_date = "1956-00-00";       /* unknown month and day: fine */
  two[1].surname = "";
  expect_link_refusal(m, &req, "AXL-C03",
                      "delivery.persons[2].surname", 1, 1);
  two[1].surname = "Celik";
  req.today = "today";
  expect_link_refusal(m, &req, "AXL-L15",
                      "today", 0, 0);
  /* Values never appear in the text. */
  req.today = NULL;
  two[1].birth_date = "1956-4-23";
  expect_link_refusal(m, &req, "AXL-C03",
                      "birth_date: wrong or missing", 1, 1);
  axl_message_free(m);
}

static void grades_are_an_enum_with_names(void **state) {
  (void)state;
  assert_string_equal(axl_grade_name(AXL_GRADE_VERIFIED), "verified");
  assert_string_equal(axl_grade_name(AXL_GRADE_PROBABLE), "probable");
  assert_string_equal(axl_grade_name(AXL_GRADE_MISMATCH), "mismatch");
  assert_string_equal(axl_grade_name(AXL_GRADE_UNVERIFIABLE), "unverifiable");
}

/* ====================================================================
** Rules say what they found
** ==================================================================== */

static void another_root_is_one_r18_error(void **state) {
  const char *roots[] = {
    "<Foo><Bar/></Foo>",
    "<BronAanvraagBericht><X ID='1'/></BronAanvraagBericht>"
  };
  const char *names[] = { "Foo", "BronAanvraagBericht" };
  (void)state;
  for (size_t i = 0; i < 2; i++) {
    axl_message *m = parse_string(roots[i]);
    axl_report r;
    char text[128], path[64];
    axl_report_init(&r);
    assert_int_equal(axl_check(m, NULL, &r, NULL), 0);
    /* Before: ok with R11 (<Bar/> empty) or R09, and no word of R18. */
    assert_int_equal(r.count, 1);
    assert_string_equal(r.items[0].code, "AXL-R18");
    assert_int_equal(r.items[0].severity, AXL_ERROR);
    snprintf(text, sizeof text, "not an AX OfferteAanvraag: root is %s",
             names[i]);
    snprintf(path, sizeof path, "/%s", names[i]);
    assert_string_equal(r.items[0].message, text);
    assert_string_equal(r.items[0].path, path);
    assert_int_equal(r.items[0].line, 1);
    assert_false(axl_report_ok(&r));
    axl_report_free(&r);
    axl_message_free(m);
  }
}

static void occurrence_limits_state_limit_and_count(void **state) {
  static const struct { const char *file, *message; } cases[] = {
    { "spec/fixtures/rules/R01-ten-files.xml",
      "10 ExterneIdentificatie under one Hypotheekgever, over the limit "
      "of 9" },
    { "spec/fixtures/rules/R02-ten-dataleverancier.xml",
      "10 CDL Dataleverancier entities in the message, over the limit of 9" },
  };
  (void)state;
  for (size_t i = 0; i < 2; i++) {
    axl_message *m = read_fixture(cases[i].file);
    axl_report r;
    int found = 0;
    axl_report_init(&r);
    assert_int_equal(axl_check(m, NULL, &r, NULL), 0);
    for (size_t k = 0; k < r.count; k++)
      if (!strcmp(r.items[k].message, cases[i].message)) found = 1;
    if (!found)
      for (size_t k = 0; k < r.count; k++)
        print_error("%s: %s\n", r.items[k].code, r.items[k].message);
    assert_true(found);
    axl_report_free(&r);
    axl_message_free(m);
  }
}

/* ====================================================================
** Limits and schemas say why
** ==================================================================== */

static void limit_refusals_name_limit_value_and_figure(void **state) {
  axl_limits lim;
  axl_error err;
  (void)state;
  memset(&lim, 0, sizeof lim);
  lim.max_depth = 2;
  assert_null(axl_parse("<a><b><c/></b></a>", 18, &lim, &err));
  assert_string_equal(err.code, "AXL-P04");
  assert_string_equal(err.limit, "max_depth");
  assert_true(err.limit_value == 2 && err.limit_actual == 3);
  assert_string_equal(err.message, "elements nested at least 3 deep, over "
                      "max_depth (2)");
  memset(&lim, 0, sizeof lim);
  lim.max_attributes = 2;
  assert_null(axl_parse("<a x='1' y='2' z='3'/>", 22, &lim, &err));
  assert_string_equal(err.code, "AXL-P05");
  assert_string_equal(err.message, "an element with 3 attributes, over "
                      "max_attributes (2)");
  memset(&lim, 0, sizeof lim);
  lim.max_text = 4;
  assert_null(axl_parse("<a x='secret'/>", 15, &lim, &err));
  assert_string_equal(err.code, "AXL-P07");
  assert_string_equal(err.message, "a text or attribute value of 6 bytes, "
                      "over max_text (4 bytes)");
  assert_null(strstr(err.message, "secret"));
  /* The defaults of DESIGN 3.4. */
  axl_limits_resolve(&lim, NULL);
  assert_int_equal(lim.max_bytes, 16u * 1024 * 1024);
  assert_int_equal(lim.max_elements, 1000000);
  assert_int_equal(lim.max_depth, 64);
  assert_int_equal(lim.max_attributes, 64);
  assert_int_equal(lim.max_text, 1024 * 1024);
  /* Another error carries no limit. */
  assert_null(axl_parse("<a>", 3, NULL, &err));
  assert_null(err.limit);
}

static void schema_compile_errors_are_sentences(void **state) {
  const char *xsd =
    "<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'>\n"
    "  <xs:element name='A' type='Missing'/>\n"
    "  <xs:element name='B'><xs:complexType><xs:sequence>\n"
    "    <xs:element ref='Nope'/>\n"
    "  </xs:sequence></xs:complexType></xs:element>\n"
    "</xs:schema>\n";
  axl_report problems;
  axl_error err;
  (void)state;
  axl_report_init(&problems);
  assert_null(axl_schema_parse_diag(xsd, strlen(xsd), NULL, &problems, &err));
  assert_string_equal(err.code, "AXL-S05");
  assert_null(strstr(err.message, "libxml2 error"));
  assert_non_null(strstr(err.message, "(string).xsd:2: xs:element A: "));
  assert_int_equal(problems.count, 2);
  assert_string_equal(problems.items[0].file, "(string).xsd");
  assert_int_equal(problems.items[0].line, 2);
  assert_string_equal(problems.items[0].message, "xs:element A: attribute "
                      "'type': The QName value 'Missing' does not resolve to "
                      "a(n) type definition.");
  assert_int_equal(problems.items[1].line, 4);
  assert_non_null(strstr(problems.items[1].message, "'Nope'"));
  axl_report_free(&problems);
}

static void validation_names_what_was_expected(void **state) {
  const char *xsd =
    "<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'>\n"
    "  <xs:element name='R'><xs:complexType><xs:sequence>\n"
    "    <xs:element name='Identificatie' type='xs:string' minOccurs='0'/>\n"
    "    <xs:element name='TelefoonNrPrive' type='xs:string'/>\n"
    "  </xs:sequence></xs:complexType></xs:element>\n"
    "</xs:schema>\n";
  axl_schema *s = axl_schema_parse(xsd, strlen(xsd), NULL, NULL);
  axl_message *m = parse_string("<R><Naam>Jansen</Naam></R>");
  axl_report r;
  (void)state;
  assert_non_null(s);
  axl_report_init(&r);
  assert_int_equal(axl_validate(s, m, &r, NULL), 0);
  assert_int_equal(r.count, 1);
  assert_string_equal(r.items[0].code, "AXL-V01");
  assert_string_equal(r.items[0].message, "element not expected here; "
                      "expected one of: Identificatie, TelefoonNrPrive");
  assert_string_equal(r.items[0].path, "/R/Naam");
  assert_null(strstr(r.items[0].message, "Jansen"));
  axl_report_free(&r);
  axl_message_free(m);
  axl_schema_free(s);
}

/* ====================================================================
** doc/c-api.md lists exactly what axlink.h declares
** ==================================================================== */

typedef struct names { char (*v)[64]; size_t n, cap; } names;

static void names_add(names *ns, const char *s, size_t len) {
  if (len >= 64) return;
  for (size_t i = 0; i < ns->n; i++)
    if (strlen(ns->v[i]) == len && !strncmp(ns->v[i], s, len)) return;
  if (ns->n == ns->cap) {
    ns->cap = ns->cap ? ns->cap * 2 : 64;
    ns->v = realloc(ns->v, ns->cap * sizeof *ns->v);
    assert_non_null(ns->v);
  }
  memcpy(ns->v[ns->n], s, len);
  ns->v[ns->n++][len] = '\0';
}

static int names_has(const names *ns, const char *s) {
  for (size_t i = 0; i < ns->n; i++)
    if (!strcmp(ns->v[i], s)) return 1;
  return 0;
}

static int ident(char c) {
  return isalnum((unsigned char)c) || c == '_';
}

/* Every "axl_name(" in the header outside comments: a declared function.
** (Types end in _t or are used without a parenthesis; macros are upper
** case.) */
static void header_functions(const char *h, names *out) {
  int comment = 0;
  for (const char *p = h; *p; p++) {
    if (!comment && p[0] == '/' && p[1] == '*') { comment = 1; p++; continue; }
    if (comment && p[0] == '*' && p[1] == '/') { comment = 0; p++; continue; }
    if (comment || strncmp(p, "axl_", 4) || (p > h && ident(p[-1]))) continue;
    {
      const char *e = p;
      while (ident(*e)) e++;
      if (*e == '(') names_add(out, p, (size_t)(e - p));
      p = e - 1;
    }
  }
}

/* Every `axl_name` in backquotes in the document's "## Functions" section
** (types are named elsewhere). */
static void doc_functions(const char *d, names *out) {
  const char *p = strstr(d, "\n## Functions\n"), *end;
  assert_non_null(p);
  p += 14;
  end = strstr(p, "\n## ");
  for (; (p = strstr(p, "`axl_")) != NULL && (!end || p < end); p++) {
    const char *s = p + 1, *e = s;
    while (ident(*e)) e++;
    if (e - s > 4 && (*e == '`' || *e == '('))
      names_add(out, s, (size_t)(e - s));
  }
}

static void c_api_doc_lists_every_function(void **state) {
  size_t hl, dl;
  char *h = slurp("src/core/axlink.h", &hl), *d = slurp("doc/c-api.md", &dl);
  names in_header = {0}, in_doc = {0};
  int missing = 0;
  (void)state;
  header_functions(h, &in_header);
  doc_functions(d, &in_doc);
  assert_true(in_header.n > 40);
  for (size_t i = 0; i < in_header.n; i++)
    if (!names_has(&in_doc, in_header.v[i])) {
      print_error("doc/c-api.md does not list %s\n", in_header.v[i]);
      missing++;
    }
  for (size_t i = 0; i < in_doc.n; i++)
    if (!names_has(&in_header, in_doc.v[i])) {
      print_error("doc/c-api.md lists %s, which axlink.h does not declare\n",
                  in_doc.v[i]);
      missing++;
    }
  assert_int_equal(missing, 0);
  free(in_header.v);
  free(in_doc.v);
  free(h);
  free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(zeroed_check_opts_are_the_defaults),
    cmocka_unit_test(zeroed_link_request_links),
    cmocka_unit_test(limits_come_from_the_schema_when_not_set),
    cmocka_unit_test(deliveries_are_checked_with_the_lua_codes),
    cmocka_unit_test(grades_are_an_enum_with_names),
    cmocka_unit_test(another_root_is_one_r18_error),
    cmocka_unit_test(occurrence_limits_state_limit_and_count),
    cmocka_unit_test(limit_refusals_name_limit_value_and_figure),
    cmocka_unit_test(schema_compile_errors_are_sentences),
    cmocka_unit_test(validation_names_what_was_expected),
    cmocka_unit_test(c_api_doc_lists_every_function),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
