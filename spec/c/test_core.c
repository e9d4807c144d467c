/* The C core around the parser: model, IDs, atomic writes, host state. */
#include "support.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "internal.h"
#include "model.h"

static void model_is_sorted_for_bsearch(void **state) {
  (void)state;
  assert_true(axl_model_count > 10);
  for (size_t i = 1; i < axl_model_count; i++)
    assert_true(strcmp(axl_model_entities[i - 1].path,
                       axl_model_entities[i].path) < 0);
}

static void model_knows_the_ketenafspraak_entities(void **state) {
  const axl_model_entity *root, *ident, *hg;
  (void)state;
  root = axl_model_find("OfferteAanvraag", strlen("OfferteAanvraag"));
  assert_non_null(root);
  assert_true(axl_model_child_flags(root, "Dataleverancier") & AXL_M_REPEAT);
  /* ASSUMED position: Dataleverancier directly after PartijNAWData. */
  assert_int_equal(axl_model_child_index(root, "Dataleverancier"),
                   axl_model_child_index(root, "PartijNAWData") + 1);
  hg = axl_model_find("OfferteAanvraag/Hypotheekgever", 30);
  assert_non_null(hg);
  assert_false(axl_model_child_flags(hg, "Identificatie") & AXL_M_REPEAT);
  ident = axl_model_find("OfferteAanvraag/Hypotheekgever/Identificatie", 44);
  assert_non_null(ident);
  assert_true(axl_model_child_flags(ident, "ExterneIdentificatie") &
              AXL_M_REPEAT);
  assert_non_null(axl_model_find(
      "OfferteAanvraag/Hypotheekgever/Identificatie/ExterneIdentificatie",
      65));
  assert_null(axl_model_find("OfferteAanvraag/Onbekend", 24));
  /* A prefix of a known path is not a match. */
  assert_null(axl_model_find("OfferteAanvraag/Hypotheek", 25));
  assert_true(axl_model_has_attr(axl_model_find("OfferteAanvraag/PartijNAWData",
                                                29), "ID"));
}

static void ids_resolve_references_by_value(void **state) {
  size_t len;
  char *src = slurp("spec/fixtures/hdn/ax-24.0-sample.xml", &len);
  axl_message *m = axl_parse(src, len, NULL, NULL);
  axl_ids *ids = axl_ids_build(m, NULL);
  xmlNodePtr root = xmlDocGetRootElement(axl_message_doc(m)), tp, ref, target;
  (void)state;
  assert_non_null(ids);
  assert_int_equal(axl_ids_duplicates(ids), 0);
  for (tp = root->children; !xmlStrEqual(tp->name, BAD_CAST "TussenPersoon");
       tp = tp->next) {}
  ref = tp->children;  /* RefContactPersoonData IDREF="NA03" */
  target = axl_resolve_ref(ids, ref);
  assert_non_null(target);
  assert_string_equal((const char *)target->name, "PartijNAWData");
  assert_int_equal(axl_node_line(target), 70);  /* grep -n ID=\"NA03\" */
  assert_null(axl_ids_find(ids, "NA02"));
  axl_ids_free(ids);
  axl_message_free(m);
  free(src);
}

static void duplicate_ids_are_counted(void **state) {
  const char *xml = "<a><b ID='x'/><c ID='x'/><d ID='y'/></a>";
  axl_message *m = axl_parse(xml, strlen(xml), NULL, NULL);
  axl_ids *ids = axl_ids_build(m, NULL);
  (void)state;
  assert_int_equal(axl_ids_duplicates(ids), 1);
  assert_string_equal((const char *)axl_ids_find(ids, "x")->name, "b");
  axl_ids_free(ids);
  axl_message_free(m);
}

static void a_message_remembers_its_limits(void **state) {
  const char *xml = "<a><b/></a>";
  axl_limits asked = {0, 500, 80, 0, 0, 0}, resolved;
  axl_message *m = axl_parse(xml, strlen(xml), &asked, NULL), *c;
  const axl_limits *got;
  (void)state;
  assert_non_null(m);
  got = axl_message_limits(m);
  assert_int_equal(got->max_attributes, 80);
  assert_int_equal(got->max_depth, AXL_MAX_DEPTH_CEILING);  /* capped */
  assert_int_equal(got->max_elements, AXL_DEFAULT_MAX_ELEMENTS);
  c = axl_clone(m, NULL);
  assert_non_null(c);
  assert_memory_equal(axl_message_limits(c), got, sizeof *got);
  axl_limits_resolve(&resolved, NULL);
  axl_message_set_limits(c, NULL);
  assert_memory_equal(axl_message_limits(c), &resolved, sizeof resolved);
  assert_int_equal(resolved.max_text, AXL_DEFAULT_MAX_TEXT);
  axl_message_free(c);
  axl_message_free(m);
}

static void documents_are_measured_against_limits(void **state) {
  const char *xml = "<a xmlns:p='urn:x'><b p:c='12345'>text</b><d><e/></d></a>";
  axl_message *m = axl_parse(xml, strlen(xml), NULL, NULL);
  xmlDocPtr doc = axl_message_doc(m);
  axl_limits lim;
  (void)state;
  assert_non_null(m);
  axl_limits_resolve(&lim, NULL);
  assert_null(axl_doc_over_limits(doc, &lim));
  lim.max_depth = 2;
  assert_string_equal(axl_doc_over_limits(doc, &lim), "max_depth");
  lim.max_depth = 3;
  assert_null(axl_doc_over_limits(doc, &lim));
  lim.max_elements = 3;        /* a, b, d, e */
  assert_string_equal(axl_doc_over_limits(doc, &lim), "max_elements");
  lim.max_elements = 4;
  lim.max_text = 4;            /* "text" fits, the attribute's 5 do not */
  assert_string_equal(axl_doc_over_limits(doc, &lim), "max_text");
  lim.max_text = 5;
  lim.max_attributes = 0;      /* the root's namespace declaration counts */
  assert_string_equal(axl_doc_over_limits(doc, &lim), "max_attributes");
  lim.max_attributes = 1;
  assert_null(axl_doc_over_limits(doc, &lim));
  axl_message_free(m);
}

static void write_is_atomic_and_keeps_the_mode(void **state) {
  char dir[] = "/tmp/axlink-test-XXXXXX", path[256];
  struct stat st;
  size_t len;
  char *back;
  (void)state;
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/out.xml", dir);
  assert_int_equal(axl_write_file(path, "one\n", 4, NULL), 0);
  back = slurp(path, &len);
  assert_string_equal(back, "one\n");
  free(back);
  assert_int_equal(chmod(path, 0640), 0);
  assert_int_equal(axl_write_file(path, "two\n", 4, NULL), 0);
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 07777, 0640);
  back = slurp(path, &len);
  assert_string_equal(back, "two\n");
  free(back);
  unlink(path);
  rmdir(dir);
}

static void failed_write_leaves_the_target(void **state) {
  char dir[] = "/tmp/axlink-test-XXXXXX", path[256];
  axl_error err;
  size_t len;
  char *back;
  (void)state;
  if (geteuid() == 0) {
    /* root ignores directory permissions: use a missing directory. */
    snprintf(path, sizeof path, "/tmp/axlink-no-such-dir-%ld/x.xml",
             (long)getpid());
    assert_int_equal(axl_write_file(path, "x", 1, &err), -1);
    assert_string_equal(err.code, "AXL-W01");
    return;
  }
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/out.xml", dir);
  assert_int_equal(axl_write_file(path, "old\n", 4, NULL), 0);
  assert_int_equal(chmod(dir, 0500), 0);
  assert_int_equal(axl_write_file(path, "new\n", 4, &err), -1);
  assert_string_equal(err.code, "AXL-W01");
  back = slurp(path, &len);
  assert_string_equal(back, "old\n");
  free(back);
  chmod(dir, 0700);
  unlink(path);
  rmdir(dir);
}

/* A full disk, or a file size limit: the write fails, the target is as it
** was and no temporary file is left beside it. */
static void a_write_cut_short_leaves_the_target(void **state) {
  char dir[] = "/tmp/axlink-test-XXXXXX", path[256], big[8192];
  struct rlimit old, small;
  axl_error err;
  size_t len;
  char *back;
  void (*old_handler)(int);
  (void)state;
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/out.xml", dir);
  assert_int_equal(axl_write_file(path, "old\n", 4, NULL), 0);
  memset(big, 'x', sizeof big);
  assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
  small = old;
  small.rlim_cur = 4096;               /* smaller than what is written */
  old_handler = signal(SIGXFSZ, SIG_IGN);
  assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
  assert_int_equal(axl_write_file(path, big, sizeof big, &err), -1);
  assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
  signal(SIGXFSZ, old_handler);
  assert_string_equal(err.code, "AXL-W02");
  back = slurp(path, &len);
  assert_string_equal(back, "old\n");
  free(back);
  {
    /* Only the target is left: the temporary file was removed. */
    char cmd[512];
    snprintf(cmd, sizeof cmd, "test \"$(ls -A %s)\" = out.xml", dir);
    assert_int_equal(system(cmd), 0);
  }
  unlink(path);
  rmdir(dir);
}

/* ---- a host that uses libxml2 itself ---- */

static int host_loads;
static xmlParserInputPtr host_loader(const char *url, const char *id,
                                     xmlParserCtxtPtr ctxt) {
  (void)url; (void)id; (void)ctxt;
  host_loads++;
  return NULL;
}

static int host_errors;
static void host_error(void *ctx, xmlErrorPtr e) {
  (void)ctx; (void)e;
  host_errors++;
}

static void host_loader_and_handlers_are_kept(void **state) {
  const char *bad = "<a><b></a>";
  axl_error err;
  xmlDocPtr doc;
  (void)state;
  axl_init();
  xmlSetExternalEntityLoader(host_loader);   /* the host replaces ours */
  xmlSetStructuredErrorFunc(NULL, host_error);
  /* axlink still denies, and its errors never reach the host's handler. */
  assert_null(axl_parse(bad, strlen(bad), NULL, &err));
  assert_int_equal(host_errors, 0);
  assert_true(xmlStructuredError == host_error);
  /* The host's own parse: its loader is asked, its handler hears. */
  doc = xmlReadMemory("<!DOCTYPE a SYSTEM 'x.dtd'><a/>", 31, "h.xml", NULL,
                      XML_PARSE_DTDLOAD);
  assert_true(host_loads >= 1);
  xmlFreeDoc(doc);
  doc = xmlReadMemory(bad, (int)strlen(bad), "h.xml", NULL, 0);
  assert_null(doc);
  assert_true(host_errors > 0);
  xmlSetStructuredErrorFunc(NULL, NULL);
}

/* A host loader that, like many, hands what it does not know to the
** loader it replaced: here that is axlink's, which must not loop. */
static xmlExternalEntityLoader host_prev;
static int chained_calls;
static xmlParserInputPtr chaining_host_loader(const char *url, const char *id,
                                              xmlParserCtxtPtr ctxt) {
  chained_calls++;
  return host_prev ? host_prev(url, id, ctxt) : NULL;
}

static void a_host_loader_chaining_back_does_not_loop(void **state) {
  const char *ok = "<a/>";
  xmlDocPtr doc;
  axl_message *m;
  (void)state;
  axl_init();
  host_prev = xmlGetExternalEntityLoader();
  xmlSetExternalEntityLoader(chaining_host_loader);
  m = axl_parse(ok, strlen(ok), NULL, NULL);   /* axlink chains to it now */
  assert_non_null(m);
  axl_message_free(m);
  doc = xmlReadMemory("<!DOCTYPE a SYSTEM 'no-such.dtd'><a/>", 37, "h.xml",
                      NULL, XML_PARSE_DTDLOAD);
  assert_true(chained_calls >= 1 && chained_calls < 10);
  xmlFreeDoc(doc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(model_is_sorted_for_bsearch),
    cmocka_unit_test(model_knows_the_ketenafspraak_entities),
    cmocka_unit_test(ids_resolve_references_by_value),
    cmocka_unit_test(duplicate_ids_are_counted),
    cmocka_unit_test(a_message_remembers_its_limits),
    cmocka_unit_test(documents_are_measured_against_limits),
    cmocka_unit_test(write_is_atomic_and_keeps_the_mode),
    cmocka_unit_test(failed_write_leaves_the_target),
    cmocka_unit_test(a_write_cut_short_leaves_the_target),
    cmocka_unit_test(host_loader_and_handlers_are_kept),
    cmocka_unit_test(a_host_loader_chaining_back_does_not_loop),
  };
  return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
