/* The C core's reader and writer: HDN's bytes, refusals, lines, limits. */
#include "support.h"

#include <time.h>

#include <libxml/parser.h>

#include "internal.h"

static void roundtrip_file(const char *path) {
  size_t len, outlen;
  char *src = slurp(path, &len), *out;
  axl_error err;
  axl_message *m = axl_parse(src, len, NULL, &err);
  assert_non_null(m);
  assert_int_equal(axl_serialize(m, &out, &outlen, &err), 0);
  assert_int_equal(outlen, len);
  assert_memory_equal(out, src, len);
  axl_free(out);
  axl_message_free(m);
  free(src);
}

/* reliability.md P1: the one option word never asks libxml2 to expand
** entities, load or validate a DTD, follow XIncludes, or lift its limits. */
static void the_option_word_loads_nothing(void **state) {
  const int forbidden = XML_PARSE_NOENT | XML_PARSE_DTDLOAD |
                        XML_PARSE_DTDATTR | XML_PARSE_DTDVALID |
                        XML_PARSE_XINCLUDE | XML_PARSE_HUGE |
                        XML_PARSE_RECOVER | XML_PARSE_OLDSAX;
  (void)state;
  assert_int_equal(AXL_PARSE_OPTIONS & forbidden, 0);
  assert_int_equal(AXL_PARSE_OPTIONS & XML_PARSE_NONET, XML_PARSE_NONET);
}

static void hdn_ax_sample_is_a_fixed_point(void **state) {
  (void)state;
  roundtrip_file("spec/fixtures/hdn/ax-24.0-sample.xml");
}

static void hdn_bronaanvraag_sample_is_a_fixed_point(void **state) {
  (void)state;
  roundtrip_file("spec/fixtures/hdn/bronaanvraag-25.0-ockto-brp-sample.xml");
}

static void root_name_and_lines(void **state) {
  size_t len;
  char *src = slurp("spec/fixtures/hdn/ax-24.0-sample.xml", &len);
  axl_message *m = axl_parse(src, len, NULL, NULL);
  xmlNodePtr root;
  assert_non_null(m);
  assert_string_equal(axl_root_name(m), "OfferteAanvraag");
  root = xmlDocGetRootElement(axl_message_doc(m));
  assert_int_equal(axl_node_line(root), 2);
  /* HuidigObject opens on line 3 of HDN's file. */
  assert_string_equal((const char *)root->children->name, "HuidigObject");
  assert_int_equal(axl_node_line(root->children), 3);
  axl_message_free(m);
  free(src);
  (void)state;
}

static void whitespace_between_elements_is_dropped(void **state) {
  const char *xml = "<A>\n  <B> x </B>\n\t<C/>\n  </A>";
  axl_message *m = axl_parse(xml, strlen(xml), NULL, NULL);
  xmlNodePtr a, b;
  char *out;
  size_t len;
  assert_non_null(m);
  a = xmlDocGetRootElement(axl_message_doc(m));
  /* Only the two elements: the whitespace never became nodes. */
  b = a->children;
  assert_int_equal(b->type, XML_ELEMENT_NODE);
  assert_int_equal(b->next->type, XML_ELEMENT_NODE);
  assert_null(b->next->next);
  /* Text inside a text-only element is kept exactly. */
  assert_string_equal((const char *)b->children->content, " x ");
  assert_int_equal(axl_serialize(m, &out, &len, NULL), 0);
  assert_string_equal(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                      "<A>\n\t<B> x </B>\n\t<C/>\n</A>\n");
  axl_free(out);
  axl_message_free(m);
  (void)state;
}

static void refusals_have_their_codes(void **state) {
  (void)state;
  expect_refusal("<!DOCTYPE a><a/>", "AXL-P02");
  expect_refusal("<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>", "AXL-P02");
  expect_refusal("<!DOCTYPE a SYSTEM 'file:///etc/passwd'><a/>", "AXL-P02");
  expect_refusal("<!DOCTYPE a PUBLIC 'x' 'http://127.0.0.1:9/x.dtd'><a/>",
                 "AXL-P02");
  expect_refusal("<a>text<b/></a>", "AXL-P10");
  expect_refusal("<a><b/>text</a>", "AXL-P10");
  expect_refusal("<a><b/>text<c/></a>", "AXL-P10");
  expect_refusal("<a b='1'><b/></a>", "AXL-P11");
  expect_refusal("<?xml version='1.1'?><a/>", "AXL-P09");
  expect_refusal("<?xml version='1.0' encoding='ISO-8859-1'?><a/>",
                 "AXL-P08");
  expect_refusal("<a xmlns='urn:x'/>", "AXL-P13");
  expect_refusal("<x:a xmlns:x='urn:x'/>", "AXL-P13");
  expect_refusal("", "AXL-P12");
  expect_refusal("   ", "AXL-P12");
  expect_refusal("<a>", "AXL-P01");
  expect_refusal("<a></b>", "AXL-P01");
  expect_refusal("<a>&undeclared;</a>", "AXL-P01");
  expect_refusal("<a/><b/>", "AXL-P01");
  expect_refusal("<a x='1' x='2'/>", "AXL-P01");
  expect_refusal("<a><p:b/></a>", "AXL-P01");  /* unbound prefix */
}

static void ascii_and_utf8_declarations_are_accepted(void **state) {
  const char *ok[] = {
    "<?xml version='1.0' encoding='UTF-8'?><a/>",
    "<?xml version='1.0' encoding='utf-8'?><a/>",
    "<?xml version='1.0' encoding='US-ASCII'?><a/>",
    "<?xml version='1.0'?><a/>",
    "\xEF\xBB\xBF<a>\xC3\xAF</a>",
  };
  (void)state;
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    axl_error err;
    axl_message *m = axl_parse(ok[i], strlen(ok[i]), NULL, &err);
    assert_non_null(m);
    axl_message_free(m);
  }
}

static void utf16_is_refused(void **state) {
  /* "<a/>" in UTF-16LE with its BOM. */
  const char xml[] = "\xFF\xFE<\0a\0/\0>\0";
  axl_error err;
  (void)state;
  assert_null(axl_parse(xml, sizeof xml - 1, NULL, &err));
  assert_string_equal(err.code, "AXL-P08");
}

static void errors_carry_the_line(void **state) {
  (void)state;
  assert_int_equal(expect_refusal("<a>\n<b>\n</c>\n</a>", "AXL-P01"), 3);
  assert_int_equal(expect_refusal("<a>\n\n<b/>\nx\n</a>", "AXL-P10"), 5);
}

/* libxml2 2.9.14 stores 65535 for every line past it: axlink does not. */
static void lines_past_65535(void **state) {
  size_t n = 70000, len = 0;
  char *xml = malloc(n * 8 + 64);
  axl_message *m;
  xmlNodePtr last;
  axl_error err;
  (void)state;
  len += (size_t)sprintf(xml, "<a>\n");
  for (size_t i = 0; i < n; i++) len += (size_t)sprintf(xml + len, "<b/>\n");
  len += (size_t)sprintf(xml + len, "</a>\n");
  m = axl_parse(xml, len, NULL, &err);
  assert_non_null(m);
  last = xmlDocGetRootElement(axl_message_doc(m))->last;
  assert_int_equal(axl_node_line(last), (long)n + 1);
  axl_message_free(m);
  /* And an error there reports its true line. */
  len -= 5;  /* drop "</a>\n" */
  len += (size_t)sprintf(xml + len, "<c>x<d/></c></a>\n");
  assert_null(axl_parse(xml, len, NULL, &err));
  assert_string_equal(err.code, "AXL-P10");
  assert_int_equal(err.line, (long)n + 2);
  free(xml);
}

static void limits_are_enforced(void **state) {
  axl_limits lim = {0};
  axl_error err;
  const char *deep = "<a><b><c><d/></c></b></a>";
  const char *wide = "<a><b/><b/><b/><b/></a>";
  const char *attrs = "<a x='1' y='2' z='3'/>";
  const char *text = "<a>0123456789</a>";
  (void)state;
  lim.max_depth = 3;
  assert_null(axl_parse(deep, strlen(deep), &lim, &err));
  assert_string_equal(err.code, "AXL-P04");
  lim.max_depth = 4;
  {
    axl_message *m = axl_parse(deep, strlen(deep), &lim, &err);
    assert_non_null(m);
    axl_message_free(m);
  }
  memset(&lim, 0, sizeof lim);
  lim.max_elements = 4;
  assert_null(axl_parse(wide, strlen(wide), &lim, &err));
  assert_string_equal(err.code, "AXL-P06");
  memset(&lim, 0, sizeof lim);
  lim.max_attributes = 2;
  assert_null(axl_parse(attrs, strlen(attrs), &lim, &err));
  assert_string_equal(err.code, "AXL-P05");
  memset(&lim, 0, sizeof lim);
  lim.max_text = 9;
  assert_null(axl_parse(text, strlen(text), &lim, &err));
  assert_string_equal(err.code, "AXL-P07");
  memset(&lim, 0, sizeof lim);
  lim.max_bytes = 10;
  assert_null(axl_parse(text, strlen(text), &lim, &err));
  assert_string_equal(err.code, "AXL-P03");
  /* Depth is capped at libxml2's own 256 whatever the caller asks. */
  memset(&lim, 0, sizeof lim);
  lim.max_depth = 100000;
  {
    char *xml = malloc(300 * 8 + 16);
    size_t len = 0;
    for (int i = 0; i < 300; i++) len += (size_t)sprintf(xml + len, "<e>");
    for (int i = 0; i < 300; i++) len += (size_t)sprintf(xml + len, "</e>");
    assert_null(axl_parse(xml, len, &lim, &err));
    assert_string_equal(err.code, "AXL-P04");
    free(xml);
  }
}

/* 40 000 attributes take libxml2 2.9.14 ~12 s; the pre-scan refuses at once */
static void attribute_blowup_is_refused_before_libxml2(void **state) {
  size_t n = 40000, len = 0;
  char *xml = malloc(n * 16 + 16);
  axl_error err;
  clock_t t0;
  (void)state;
  len += (size_t)sprintf(xml, "<a");
  for (size_t i = 0; i < n; i++) len += (size_t)sprintf(xml + len, " a%zu=''", i);
  len += (size_t)sprintf(xml + len, "/>");
  t0 = clock();
  assert_null(axl_parse(xml, len, NULL, &err));
  assert_string_equal(err.code, "AXL-P05");
  /* Far below the seconds the quadratic check would take. */
  assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);
  free(xml);
}

static void doctype_never_reaches_the_loader(void **state) {
  unsigned long before = axl_denied_loads();
  (void)state;
  expect_refusal("<!DOCTYPE a [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
                 "<a>&x;</a>", "AXL-P02");
  expect_refusal("<!DOCTYPE a [<!ENTITY % p SYSTEM 'http://127.0.0.1:9/'> %p;]>"
                 "<a/>", "AXL-P02");
  expect_refusal("<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>"
                 "<!ENTITY lol1 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>"
                 "<!ENTITY lol2 '&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;'>"
                 "<!ENTITY lol3 '&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'>"
                 "]><lolz>&lol3;</lolz>", "AXL-P02");
  expect_refusal("<!DOCTYPE a [<!ENTITY x SYSTEM 'file:///etc/hostname'>]>"
                 "<a b='&x;'/>", "AXL-P02");
  /* Refused at the DOCTYPE: the loader was not even asked. */
  assert_int_equal(axl_denied_loads(), before);
}

static void comments_pis_and_cdata(void **state) {
  const char *xml = "<?xml version='1.0'?><!--c--><?pi x?><a><!-- x -->"
                    "<b>x<![CDATA[<&>]]>y</b><?p?></a><!--after-->";
  axl_message *m = axl_parse(xml, strlen(xml), NULL, NULL);
  char *out;
  size_t len;
  (void)state;
  assert_non_null(m);
  assert_int_equal(axl_serialize(m, &out, &len, NULL), 0);
  assert_string_equal(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                      "<a>\n\t<b>x&lt;&amp;&gt;y</b>\n</a>\n");
  axl_free(out);
  axl_message_free(m);
}

static void standalone_is_not_written_back(void **state) {
  const char *xml = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?><a/>";
  axl_message *m = axl_parse(xml, strlen(xml), NULL, NULL);
  char *out;
  size_t len;
  (void)state;
  assert_non_null(m);
  assert_int_equal(axl_serialize(m, &out, &len, NULL), 0);
  assert_string_equal(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<a/>\n");
  axl_free(out);
  axl_message_free(m);
}

static void clone_keeps_lines_and_bytes(void **state) {
  size_t len, l1, l2;
  char *src = slurp("spec/fixtures/hdn/ax-24.0-sample.xml", &len), *a, *b;
  axl_message *m = axl_parse(src, len, NULL, NULL), *c;
  (void)state;
  c = axl_clone(m, NULL);
  assert_non_null(c);
  axl_message_free(m);  /* the clone stands alone */
  assert_int_equal(axl_node_line(xmlDocGetRootElement(axl_message_doc(c))
                                 ->children), 3);
  assert_int_equal(axl_serialize(c, &a, &l1, NULL), 0);
  assert_memory_equal(a, src, len);
  assert_int_equal(axl_serialize(c, &b, &l2, NULL), 0);
  assert_int_equal(l1, l2);
  axl_free(a);
  axl_free(b);
  axl_message_free(c);
  free(src);
}

static void paths_index_repeating_entities(void **state) {
  size_t len;
  char *src = slurp("spec/fixtures/hdn/ax-24.0-sample.xml", &len);
  axl_message *m = axl_parse(src, len, NULL, NULL);
  xmlNodePtr root = xmlDocGetRootElement(axl_message_doc(m)), n;
  char path[256];
  (void)state;
  for (n = root->children; n && !xmlStrEqual(n->name, BAD_CAST "Hypotheekgever");
       n = n->next) {}
  assert_non_null(n);
  /* Identificatie is single: no [n]. */
  axl_node_path(n->last, path, sizeof path);
  assert_string_equal(path, "/OfferteAanvraag/Hypotheekgever[1]/Identificatie");
  for (n = root->children; n && !xmlStrEqual(n->name, BAD_CAST "TussenPersoon");
       n = n->next) {}
  axl_node_path(n->prev, path, sizeof path);
  assert_string_equal(path, "/OfferteAanvraag/PartijNAWData[2]");
  axl_message_free(m);
  free(src);
}

static void read_refuses_what_is_not_a_regular_file(void **state) {
  axl_error err;
  (void)state;
  assert_null(axl_read("spec/fixtures/does-not-exist.xml", NULL, &err));
  assert_string_equal(err.code, "AXL-P14");
  assert_null(axl_read("spec", NULL, &err));
  assert_string_equal(err.code, "AXL-P14");
  {
    axl_limits lim = {0};
    lim.max_bytes = 100;
    assert_null(axl_read("spec/fixtures/hdn/ax-24.0-sample.xml", &lim, &err));
    assert_string_equal(err.code, "AXL-P03");
  }
}

/* ---- the pre-scans, however the input is cut ---- */

/* A source that hands its bytes `first` (at least 4, as axl_source
** promises), then `step` at a time, and fails with a read error after
** `fail_at` chunks when that is not 0. */
typedef struct cut_source {
  const char *p;
  size_t left, first, step;
  int chunks, fail_at;
} cut_source;

static const char *cut_next(void *ud, const char **chunk, size_t *len) {
  cut_source *c = ud;
  size_t n = c->chunks == 0 ? c->first : c->step;
  if (c->fail_at && c->chunks == c->fail_at) return "read error";
  c->chunks++;
  if (n > c->left) n = c->left;
  *chunk = c->p;
  *len = n;
  c->p += n;
  c->left -= n;
  return NULL;
}

typedef struct cut_case {
  const char *bytes;
  size_t len;
  const char *code;
  long line;
} cut_case;

#define CUT(s, code, line) { s, sizeof s - 1, code, line }

/* With max_attributes 3: every refusal of the pre-scans, and what they
** must skip, cut at every byte (and by 2 to 9 bytes). The outcome is the
** whole input's: code, line and text. */
static void every_cut_gives_the_same_outcome(void **state) {
  static const cut_case cases[] = {
    CUT("<a><b x='1' y='2' z='3' w='4'/></a>", "AXL-P05", 1),
    CUT("<a\nb='1'\nc='2'\nd='3'\ne='4'/>", "AXL-P05", 1),
    CUT("<a>\n<b\nc='1' d='2' e='3' f='4'/></a>", "AXL-P05", 2),
    CUT("<a>\n<!-- x -->\n<b c='1' d='2' e='3' f='4'/></a>", "AXL-P05", 3),
    CUT("<a>\n<?p x?><b c='1' d='2' e='3' f='4'/></a>", "AXL-P05", 2),
    CUT("<a><![CDATA[\"]]>\n<b c='1' d='2' e='3' f='4'/></a>", "AXL-P05", 2),
    CUT("<a><!- <b c='1' d='2' e='3' f='4'/></a>", "AXL-P05", 1),
    CUT("<a><![CDAT <b c='1' d='2' e='3' f='4'/></a>", "AXL-P05", 1),
    CUT("<a><!-CDATA[ <b c='1' d='2' e='3' f='4'/>]]></a>", "AXL-P05", 1),
    CUT("<a b=\"'\" c='\"' d='1' e='2'/>", "AXL-P05", 1),
    CUT("<a b='1' c='2' d='3' e='4'", "AXL-P05", 1),
    CUT("<a>\n<!-- <b x=1 y=2 z=3 w=4> ' -->\n<b/></a>", "OK", 0),
    CUT("<a>\n<![CDATA[ <b x=1 y=2 z=3 w=4> \" ]]>\n</a>", "OK", 0),
    CUT("<?pi ' <b x=1 y=2 z=3 w=4> ?>\n<a/>", "OK", 0),
    CUT("<a b='=>=>=>=>' c=\"'=='\"/>", "OK", 0),
    CUT("<a b='1' c='2' d='3'/>", "OK", 0),
    CUT("<a><!--->\n<b c='1' d='2' e='3' f='4'/>--></a>", "OK", 0),
    CUT("<?>\n<a c='1' d='2' e='3' f='4'/> ?><a/>", "AXL-P01", 1),
    CUT("<a>\n\n<b/>\0<c d='1' e='2' f='3' g='4'/></a>", "AXL-P01", 3),
    CUT("<a b='1' c='2' d='3' e='4'/>\n\0", "AXL-P01", 2),
    CUT("\xff\xfe<\0a\0/\0>\0", "AXL-P08", 0),
    CUT("<\0a\0/\0>\0", "AXL-P08", 0),
  };
  axl_limits lim;
  (void)state;
  memset(&lim, 0, sizeof lim);
  lim.max_attributes = 3;
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    const cut_case *c = &cases[i];
    axl_error whole, cut;
    axl_message *m = axl_parse(c->bytes, c->len, &lim, &whole);
    if (m) snprintf(whole.code, sizeof whole.code, "OK");
    axl_message_free(m);
    if (strcmp(whole.code, c->code) != 0 ||
        (strcmp(c->code, "OK") != 0 && whole.line != c->line))
      print_error("case %zu: %s line %ld\n", i, whole.code, whole.line);
    assert_string_equal(whole.code, c->code);
    for (size_t step = 1; step <= 9; step++) {
      for (size_t first = 4; first <= c->len; first++) {
        cut_source src = { c->bytes, c->len, first, step, 0, 0 };
        axl_source s = { cut_next, &src };
        axl_error_clear(&cut);
        m = axl_parse_source(&s, c->len, &lim, &cut);
        if (m) snprintf(cut.code, sizeof cut.code, "OK");
        axl_message_free(m);
        if (strcmp(cut.code, whole.code) != 0 || cut.line != whole.line ||
            strcmp(cut.message, whole.message) != 0)
          print_error("case %zu, step %zu, first %zu: %s line %ld\n", i,
                      step, first, cut.code, cut.line);
        assert_string_equal(cut.code, whole.code);
        assert_int_equal(cut.line, whole.line);
        assert_string_equal(cut.message, whole.message);
      }
    }
  }
}

/* A read error outranks everything the bytes read before it would say. */
static void a_read_error_outranks_the_prescans(void **state) {
  static const char bytes[] = "<a>\0<b c='1' d='2' e='3' f='4'/></a>";
  cut_source src = { bytes, sizeof bytes - 1, 4, 4, 0, 2 };
  axl_source s = { cut_next, &src };
  axl_error err;
  (void)state;
  axl_error_clear(&err);
  assert_null(axl_parse_source(&s, sizeof bytes - 1, NULL, &err));
  assert_string_equal(err.code, "AXL-P14");
  assert_string_equal(err.message, "read error");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(the_option_word_loads_nothing),
    cmocka_unit_test(hdn_ax_sample_is_a_fixed_point),
    cmocka_unit_test(hdn_bronaanvraag_sample_is_a_fixed_point),
    cmocka_unit_test(root_name_and_lines),
    cmocka_unit_test(whitespace_between_elements_is_dropped),
    cmocka_unit_test(refusals_have_their_codes),
    cmocka_unit_test(ascii_and_utf8_declarations_are_accepted),
    cmocka_unit_test(utf16_is_refused),
    cmocka_unit_test(errors_carry_the_line),
    cmocka_unit_test(lines_past_65535),
    cmocka_unit_test(limits_are_enforced),
    cmocka_unit_test(attribute_blowup_is_refused_before_libxml2),
    cmocka_unit_test(doctype_never_reaches_the_loader),
    cmocka_unit_test(comments_pis_and_cdata),
    cmocka_unit_test(standalone_is_not_written_back),
    cmocka_unit_test(clone_keeps_lines_and_bytes),
    cmocka_unit_test(paths_index_repeating_entities),
    cmocka_unit_test(read_refuses_what_is_not_a_regular_file),
    cmocka_unit_test(every_cut_gives_the_same_outcome),
    cmocka_unit_test(a_read_error_outranks_the_prescans),
  };
  return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
