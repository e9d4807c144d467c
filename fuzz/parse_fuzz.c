/*
** parse_fuzz: axl_parse on untrusted bytes, then the round trip.
**
** Input: the XML bytes. An input that ends in the byte 0x01 carries a
** limits selector in the byte before it (those two bytes are not parsed),
** so the fuzzer also explores the refusals for small limits; every other
** input is parsed with the defaults (NULL limits).
**
** Properties (abort() = a finding):
** - parse ok  => serialise ok; the output re-parses (default limits); its
**   serialisation is the same bytes (serialise . parse is idempotent);
** - axl_clone gives the same bytes and the same element lines;
** - axl_check (send and receive), axl_links, axl_ids_build run cleanly, the
**   link view's borrowed strings are readable, report messages quote no
**   input;
** - parse refused => the code is AXL-Pnn, the line is >= 0, and the message
**   quotes no 12-byte run of the input that is not axlink's own words.
** ASan/UBSan/LSan report memory errors and leaks in the C core.
*/
#include "common.h"
#include "internal.h"   /* axl_error_limit, for the limit property */

static const uint8_t *cur_in;
static size_t cur_len;

static void check_privacy(const char *text, const char *what) {
  long at = fuzz_quotes_input(text, cur_in, cur_len);
  if (at >= 0) {
    fprintf(stderr, "\n%s quotes the input at offset %ld: \"%s\"\n", what, at,
            text);
    FUZZ_REQUIRE(0, "error text never quotes input");
  }
}

static void select_limits(uint8_t b, axl_limits *lim) {
  static const size_t depth[4] = { 0, 1, 3, 8 };
  static const size_t attrs[4] = { 0, 1, 2, 5 };
  static const size_t elems[4] = { 0, 2, 10, 100 };
  static const size_t text[4] = { 0, 1, 8, 64 };
  memset(lim, 0, sizeof *lim);
  lim->max_depth = depth[b & 3];
  lim->max_attributes = attrs[(b >> 2) & 3];
  lim->max_elements = elems[(b >> 4) & 3];
  lim->max_text = text[(b >> 6) & 3];
  if (b == 0xff) lim->max_bytes = 16;
}

/* Same shape, same names, same lines (axl_clone copies line numbers). */
static void same_tree(const xmlNode *a, const xmlNode *b) {
  for (; a || b; a = a->next, b = b->next) {
    FUZZ_REQUIRE(a && b, "clone has the same number of nodes");
    FUZZ_REQUIRE(a->type == b->type, "clone keeps node types");
    if (a->type == XML_ELEMENT_NODE) {
      FUZZ_REQUIRE(strcmp((const char *)a->name, (const char *)b->name) == 0,
                   "clone keeps element names");
      FUZZ_REQUIRE(axl_node_line(a) == axl_node_line(b),
                   "clone keeps element lines");
      same_tree(a->children, b->children);
    }
  }
}

static size_t touch(const char *s) { return s ? strlen(s) : 0; }

static void run_check(const axl_message *m, int receive) {
  axl_check_opts o;
  axl_report r;
  axl_error err;
  axl_check_opts_default(&o);
  o.receive = receive;
  axl_report_init(&r);
  FUZZ_REQUIRE(axl_check(m, &o, &r, &err) == 0, "axl_check succeeds");
  for (size_t i = 0; i < r.count; i++) {
    FUZZ_REQUIRE(fuzz_has_prefix(r.items[i].code, "AXL-R"),
                 "check reports AXL-R codes");
    /* AXL-R18 names the root element, a name (as every path does), never
    ** a value: exactly that sentence, and the only problem then. */
    if (!strcmp(r.items[i].code, "AXL-R18")) {
      char want[1200];
      snprintf(want, sizeof want, "not an AX OfferteAanvraag: root is %.100s",
               axl_root_name(m));
      FUZZ_REQUIRE(!strcmp(r.items[i].message, want) && r.count == 1,
                   "AXL-R18 names the root, alone");
      continue;
    }
    check_privacy(r.items[i].message, "a check problem's message");
  }
  (void)axl_report_ok(&r);
  axl_report_free(&r);
}

static void run_views(const axl_message *m) {
  axl_link_info *li = NULL;
  size_t n = 0, sum = 0;
  axl_error err;
  axl_ids *ids;
  FUZZ_REQUIRE(axl_links(m, &li, &n, &err) == 0, "axl_links succeeds");
  for (size_t i = 0; i < n; i++)
    sum += touch(li[i].persoons_id) + touch(li[i].dataleverancier_id) +
           touch(li[i].ref) + touch(li[i].supplier) + touch(li[i].surname) +
           touch(li[i].birth_date);
  axl_free(li);
  ids = axl_ids_build(m, &err);
  FUZZ_REQUIRE(ids != NULL, "axl_ids_build succeeds");
  (void)axl_ids_duplicates(ids);
  axl_ids_free(ids);
  {
    char path[256];
    xmlNodePtr root = xmlDocGetRootElement(axl_message_doc(m));
    FUZZ_REQUIRE(root != NULL, "a parsed message has a root");
    FUZZ_REQUIRE(strcmp(axl_root_name(m), (const char *)root->name) == 0,
                 "axl_root_name names the root");
    for (xmlNodePtr c = root->children; c; c = c->next)
      if (c->type == XML_ELEMENT_NODE) axl_node_path(c, path, sizeof path);
  }
  (void)sum;
}

static void round_trip(const axl_message *m) {
  char *s1 = NULL, *s2 = NULL, *s3 = NULL;
  size_t n1, n2, n3;
  axl_error err;
  axl_message *m2, *c;

  FUZZ_REQUIRE(axl_serialize(m, &s1, &n1, &err) == 0,
               "a parsed message serialises");
  m2 = axl_parse(s1, n1, NULL, &err);
  if (!m2)
    fprintf(stderr, "\nre-parse refused: %s line %ld (%s)\n", err.code,
            err.line, err.message);
  FUZZ_REQUIRE(m2 != NULL, "the serialisation re-parses");
  FUZZ_REQUIRE(axl_serialize(m2, &s2, &n2, &err) == 0,
               "the re-parsed message serialises");
  if (n1 != n2 || memcmp(s1, s2, n1) != 0) {
    fprintf(stderr, "\n--- first serialisation (%zu bytes)\n%.*s\n"
            "--- second (%zu bytes)\n%.*s\n", n1, (int)n1, s1, n2, (int)n2,
            s2);
    FUZZ_REQUIRE(0, "serialise . parse is idempotent");
  }
  FUZZ_REQUIRE(strcmp(axl_root_name(m), axl_root_name(m2)) == 0,
               "the root survives the round trip");

  c = axl_clone(m, &err);
  FUZZ_REQUIRE(c != NULL, "axl_clone succeeds");
  FUZZ_REQUIRE(axl_serialize(c, &s3, &n3, &err) == 0, "the clone serialises");
  FUZZ_REQUIRE(n3 == n1 && memcmp(s1, s3, n1) == 0,
               "the clone serialises to the same bytes");
  same_tree(xmlDocGetRootElement(axl_message_doc(m)),
            xmlDocGetRootElement(axl_message_doc(c)));

  axl_free(s1);
  axl_free(s2);
  axl_free(s3);
  axl_message_free(m2);
  axl_message_free(c);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc; (void)argv;
  axl_init();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  axl_limits lim;
  const axl_limits *lp = NULL;
  axl_error err;
  axl_message *m;

  if (size > 2 && data[size - 1] == 0x01) {
    select_limits(data[size - 2], &lim);
    lp = &lim;
    size -= 2;
  }
  cur_in = data;
  cur_len = size;

  m = axl_parse((const char *)data, size, lp, &err);
  if (!m) {
    FUZZ_REQUIRE(fuzz_has_prefix(err.code, "AXL-P"),
                 "a refused parse gives an AXL-P code");
    FUZZ_REQUIRE(err.line >= 0, "error lines are not negative");
    FUZZ_REQUIRE(err.message[0] != '\0', "a refusal has a message");
    if (err.limit) {
      /* A limit refusal states its figures (sizes and counts, DESIGN
      ** 3.4), which an input may contain too: the property is that the
      ** text is exactly the one axl_error_limit makes of the limit and the
      ** two figures, so nothing else of the input can be in it. */
      axl_error want;
      int same = 0;
      for (int at_least = 0; at_least < 2 && !same; at_least++) {
        axl_error_limit(&want, err.code, err.line, err.limit, err.limit_value,
                        err.limit_actual, at_least);
        same = !strcmp(want.message, err.message);
      }
      FUZZ_REQUIRE(same, "a limit refusal says its limit and figures only");
    } else {
      check_privacy(err.message, "err.message");
    }
    return 0;
  }
  FUZZ_REQUIRE(err.code[0] == '\0', "success leaves err empty");
  FUZZ_REQUIRE(axl_node_line(xmlDocGetRootElement(axl_message_doc(m))) >= 1,
               "the root has its line");
  round_trip(m);
  run_check(m, 0);
  run_check(m, 1);
  run_views(m);
  axl_message_free(m);
  return 0;
}
