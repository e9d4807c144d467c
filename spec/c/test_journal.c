/* Journals (axl_journal_*): in-place links and entity writes kept or taken
** back as one, through the C API and the builders' header. */
#include "support.h"
#include "axlink_build.h"

static axl_message *two_applicants(void) {
  size_t len;
  char *src = slurp("spec/fixtures/ax/two-applicants.xml", &len);
  axl_message *m = axl_parse(src, len, NULL, NULL);
  free(src);
  assert_non_null(m);
  return m;
}

static char *bytes_of(const axl_message *m, size_t *len) {
  char *out;
  assert_int_equal(axl_serialize(m, &out, len, NULL), 0);
  return out;
}

static void assert_bytes(const axl_message *m, const char *want,
                         size_t want_len) {
  size_t len;
  char *now = bytes_of(m, &len);
  assert_int_equal(len, want_len);
  assert_memory_equal(now, want, len);
  axl_free(now);
}

static axl_link_person persons[2] = {
  { "person-a", "1956-04-23", "H", "Celik", NULL, AXL_MATCH_AUTO, 0, NULL },
  { "person-b", "1957-11-08", "Th", "Berg", "van den", AXL_MATCH_AUTO, 0,
    NULL },
};

static void request(axl_link_request *req, const char *key, size_t n,
                    int replace) {
  memset(req, 0, sizeof *req);
  req->dataleverancier_id = key;
  req->persons = persons;
  req->n_persons = n;
  req->replace = replace;
}

static int link_here(axl_message *m, const char *key, size_t n, int replace,
                     axl_error *err) {
  axl_link_request req;
  axl_link_result res;
  int rc;
  request(&req, key, n, replace);
  rc = axl_link_in_place(m, &req, &res, err);
  axl_link_result_free(&res);
  return rc;
}

static size_t links_of(const axl_message *m) {
  axl_link_info *list;
  size_t n;
  assert_int_equal(axl_links(m, &list, &n, NULL), 0);
  axl_free(list);
  return n;
}

static void rollback_takes_back_in_place_links(void **state) {
  axl_message *m = two_applicants();
  xmlNodePtr root = xmlDocGetRootElement(axl_message_doc(m));
  xmlNodePtr first = xmlFirstElementChild(root);
  size_t len;
  char *before = bytes_of(m, &len);
  axl_error err;
  (void)state;
  assert_int_equal(axl_journal_open(m), 0);
  assert_int_equal(axl_journal_begin(m, &err), 0);
  assert_int_equal(axl_journal_open(m), 1);
  assert_int_equal(axl_journal_begin(m, &err), -1);
  assert_string_equal(err.code, "AXL-T18");
  assert_int_equal(link_here(m, "file-a", 1, 0, &err), 0);
  /* A refusal inside the journal takes out only its own elements. */
  assert_int_equal(link_here(m, "", 1, 0, &err), -1);
  assert_string_equal(err.code, "AXL-C01");
  assert_int_equal(link_here(m, "file-b", 2, 0, &err), 0);
  assert_int_equal(links_of(m), 3);
  axl_journal_rollback(m);
  assert_int_equal(axl_journal_open(m), 0);
  assert_int_equal(links_of(m), 0);
  assert_bytes(m, before, len);
  /* The same nodes, with their lines. */
  assert_ptr_equal(xmlDocGetRootElement(axl_message_doc(m)), root);
  assert_ptr_equal(xmlFirstElementChild(root), first);
  assert_int_equal(axl_node_line(first), 3);
  axl_journal_rollback(m);          /* without a journal: nothing */
  axl_free(before);
  axl_message_free(m);
}

static void rollback_puts_back_the_document_a_replace_link_swapped(
    void **state) {
  axl_message *m = two_applicants();
  xmlDocPtr doc;
  size_t len;
  char *before;
  axl_error err;
  (void)state;
  assert_int_equal(link_here(m, "file-a", 1, 0, &err), 0);
  before = bytes_of(m, &len);
  doc = axl_message_doc(m);
  assert_int_equal(axl_journal_begin(m, &err), 0);
  assert_int_equal(link_here(m, "file-b", 1, 1, &err), 0);   /* replace */
  assert_ptr_not_equal(axl_message_doc(m), doc);
  assert_int_equal(links_of(m), 1);
  assert_int_equal(link_here(m, "file-c", 2, 0, &err), 0);
  assert_int_equal(links_of(m), 3);
  axl_journal_rollback(m);
  assert_ptr_equal(axl_message_doc(m), doc);
  assert_bytes(m, before, len);
  axl_free(before);
  axl_message_free(m);
}

static void commit_keeps_and_free_with_an_open_journal_leaks_nothing(
    void **state) {
  axl_message *m = two_applicants();
  size_t len;
  char *after;
  axl_error err;
  (void)state;
  assert_int_equal(axl_journal_begin(m, &err), 0);
  assert_int_equal(link_here(m, "file-a", 2, 0, &err), 0);
  assert_int_equal(link_here(m, "file-b", 1, 1, &err), 0);
  after = bytes_of(m, &len);
  axl_journal_commit(m);
  assert_int_equal(axl_journal_open(m), 0);
  axl_journal_rollback(m);          /* closed: nothing to take back */
  assert_bytes(m, after, len);
  axl_free(after);
  /* Freed with a journal open: committed, nothing leaks (ASan, valgrind). */
  assert_int_equal(axl_journal_begin(m, &err), 0);
  assert_int_equal(link_here(m, "file-c", 1, 0, &err), 0);
  assert_int_equal(link_here(m, "file-d", 1, 1, &err), 0);
  axl_message_free(m);
}

/* An entity written anew in its place: kept, then taken back. */
static void entity_writes_are_recorded(void **state) {
  axl_message *m = two_applicants();
  xmlNodePtr old, fresh;
  long index;
  size_t len;
  char *before = bytes_of(m, &len);
  axl_error err;
  (void)state;
  old = axl_entity_find_by(m, "OfferteAanvraag/PartijNAWData", "ID", "NA02",
                           &index);
  assert_non_null(old);
  assert_int_equal(index, 2);
  assert_ptr_equal(axl_entity_find(m, "OfferteAanvraag/PartijNAWData", 2),
                   old);
  assert_null(axl_entity_find(m, "OfferteAanvraag/PartijNAWData", 4));
  assert_null(axl_entity_find_by(m, "OfferteAanvraag/Hypotheekgever",
                                 "Volgnummer", "4", &index));
  assert_int_equal(index, 0);
  assert_int_equal(axl_element_repeats(old), 1);
  assert_int_equal(axl_next_volgnummer(old), 6);   /* 1, 5 besides */

  /* Refused: swapped in and back, nothing changed. */
  fresh = xmlNewDocNode(axl_message_doc(m), NULL, BAD_CAST "PartijNAWData",
                        NULL);
  assert_int_equal(axl_entity_swap_in(m, old, fresh), 0);
  axl_entity_swap_back(old, fresh);
  assert_bytes(m, before, len);

  assert_int_equal(axl_journal_begin(m, &err), 0);
  fresh = xmlNewDocNode(axl_message_doc(m), NULL, BAD_CAST "PartijNAWData",
                        NULL);
  assert_int_equal(axl_entity_swap_in(m, old, fresh), 0);
  axl_entity_keep(m, old, fresh);
  assert_ptr_equal(axl_entity_find(m, "OfferteAanvraag/PartijNAWData", 2),
                   fresh);
  assert_int_equal(link_here(m, "file-a", 1, 0, &err), 0);
  axl_journal_rollback(m);
  assert_ptr_equal(axl_entity_find(m, "OfferteAanvraag/PartijNAWData", 2),
                   old);
  assert_int_equal(axl_node_line(old), 73);
  assert_bytes(m, before, len);

  /* Without a journal the old element is freed at once (valgrind). */
  {
    xmlNodePtr root = xmlDocGetRootElement(axl_message_doc(m));
    size_t all = axl_count_elements(root);
    size_t mine = axl_count_elements(old->children);
    assert_int_equal(mine, 17);       /* PartijNAWData NA02's fields */
    fresh = xmlNewDocNode(axl_message_doc(m), NULL,
                          BAD_CAST "PartijNAWData", NULL);
    assert_int_equal(axl_entity_swap_in(m, old, fresh), 0);
    axl_entity_keep(m, old, fresh);
    assert_int_equal(axl_count_elements(root), all - mine);
    assert_int_equal(axl_element_depth(fresh), 2);
    assert_int_equal(axl_element_depth(root), 1);
  }
  axl_free(before);
  axl_message_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(rollback_takes_back_in_place_links),
    cmocka_unit_test(rollback_puts_back_the_document_a_replace_link_swapped),
    cmocka_unit_test(commit_keeps_and_free_with_an_open_journal_leaks_nothing),
    cmocka_unit_test(entity_writes_are_recorded),
  };
  return cmocka_run_group_tests_name("journal", tests, NULL, NULL);
}
