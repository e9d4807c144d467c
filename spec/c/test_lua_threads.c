/*
** Threads (axlink.h's header comment, doc/c-api.md "Threads" and
** "Process-wide state"):
**   (c) a host thread that set its own libxml2 structured error handler and
**       external-entity loader keeps them, and their behaviour, while other
**       threads use axlink (axlink chains; it never takes them over);
**   (a) several threads, each with its own lua_State, run the whole Lua
**       pipeline at once and agree byte for byte;
**   (b) several threads use the C API at once, each with its own compiled
**       schema: axlink.h promises threads on different messages, and says
**       nothing about sharing one axl_schema (doc/c-api.md: "give each thread
**       its own, or serialise validation").
** The host test runs first, so the host's loader is in place before axlink
** sets up its process-wide state, as in a host that configures libxml2 at
** start-up and then calls axl_init() before starting its threads.
** Iterations are modest: `make test` also runs this under valgrind
** memcheck, which serialises the threads (about 10-30 s).
*/
#include "support.h"

#include <pthread.h>

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemastypes.h>

int luaopen_axlink_core(lua_State *L);

#define THREADS 4
#define ITERATIONS 50             /* (a): per Lua thread */
#define C_ITERATIONS 25           /* (b): per C thread, two validations each */
#define HOST_WORKER_ITERATIONS 10
#define HOST_ROUNDS 20

static const char *const TWO = "spec/fixtures/ax/two-applicants.xml";
static const char *const BASE_XSD = "spec/fixtures/schemas/ax-base.xsd";
/* An empty leaf on purpose: XSD-invalid (minLength), AXL-V02. */
static const char *const INVALID = "spec/fixtures/rules/R11-empty.xml";
static const char *const MALFORMED = "<a><b></a>";

/* ====================================================================
** The C pipeline: parse, link a bundled delivery, check, validate,
** serialise. Returns the bytes (caller frees with axl_free) or NULL with
** a reason in why. Never uses cmocka's asserts: it runs in threads.
** ==================================================================== */

static const axl_link_person PERSONS[2] = {
  { "person-a", "1956-04-23", "H", "Celik", NULL, AXL_MATCH_AUTO, 0, NULL },
  { "person-b", "1957-11-08", "Th", "Berg", "van den", AXL_MATCH_AUTO, 0,
    NULL },
};

static char *c_pipeline(const char *src, size_t len, const char *bad,
                        size_t bad_len, const axl_schema *schema,
                        size_t *out_len, char *why, size_t why_size) {
  axl_message *m = NULL, *linked = NULL, *invalid = NULL;
  axl_link_request req;
  axl_link_result res;
  axl_check_opts opts;
  axl_report report, vreport;
  axl_link_info *links = NULL;
  size_t n = 0;
  axl_error err;
  char *out = NULL;
  int linked_ok = 0;

  axl_report_init(&report);
  axl_report_init(&vreport);
  memset(&req, 0, sizeof req);
  req.dataleverancier_id = "bundle-key";
  req.persons = PERSONS;
  req.n_persons = 2;
  axl_check_opts_default(&req.limits);

  if (axl_parse(MALFORMED, strlen(MALFORMED), NULL, &err) != NULL ||
      strncmp(err.code, "AXL-P", 5) != 0) {
    snprintf(why, why_size, "malformed input not refused with AXL-P");
    goto done;
  }
  m = axl_parse(src, len, NULL, &err);
  if (!m) {
    snprintf(why, why_size, "parse: %s", err.code);
    goto done;
  }
  linked = axl_link(m, &req, &res, &err);
  linked_ok = linked && res.entries[0].hypotheekgever == 3 &&
              res.entries[1].hypotheekgever == 7 &&
              res.entries[0].grade == 0 && res.entries[1].grade == 0 &&
              strcmp(res.entries[0].ref, "DL1") == 0 &&
              strcmp(res.entries[1].ref, "DL2") == 0;
  axl_link_result_free(&res);
  if (!linked_ok) {
    snprintf(why, why_size, "link: %s", linked ? "wrong result" : err.code);
    goto done;
  }
  axl_check_opts_default(&opts);
  if (axl_check(linked, &opts, &report, &err) != 0 || report.count != 0) {
    snprintf(why, why_size, "check: %zu problem(s)", report.count);
    goto done;
  }
  if (axl_validate(schema, linked, &vreport, &err) != 1 ||
      vreport.count != 0) {
    snprintf(why, why_size, "validate: not valid (%zu)", vreport.count);
    goto done;
  }
  if (bad) {   /* the error path of validation, concurrently */
    invalid = axl_parse(bad, bad_len, NULL, &err);
    if (!invalid || axl_validate(schema, invalid, &vreport, &err) != 0 ||
        vreport.count == 0 || strcmp(vreport.items[0].code, "AXL-V02") != 0) {
      snprintf(why, why_size, "validate: invalid input not reported");
      goto done;
    }
  }
  if (axl_links(linked, &links, &n, &err) != 0 || n != 2 ||
      strcmp(links[1].persoons_id, "person-b") != 0) {
    snprintf(why, why_size, "links: wrong");
    goto done;
  }
  if (axl_serialize(linked, &out, out_len, &err) != 0) {
    snprintf(why, why_size, "serialize: %s", err.code);
    out = NULL;
  }
done:
  axl_free(links);
  axl_report_free(&report);
  axl_report_free(&vreport);
  axl_message_free(invalid);
  axl_message_free(linked);
  axl_message_free(m);
  return out;
}

/* The expected bytes, computed once on the main thread. */
static char *reference(size_t *len) {
  size_t src_len;
  char *src = slurp(TWO, &src_len), *why = calloc(1, 256), *out;
  axl_error err;
  axl_schema *s = axl_schema_load(BASE_XSD, &err);
  assert_non_null(s);
  assert_non_null(why);
  out = c_pipeline(src, src_len, NULL, 0, s, len, why, 256);
  if (!out) fail_msg("reference pipeline: %s", why);
  assert_non_null(strstr(out, "<DataleverancierID>bundle-key"
                              "</DataleverancierID>"));
  axl_schema_free(s);
  free(why);
  free(src);
  return out;
}

/* ====================================================================
** Workers. Each records its first failure in `error` and its last
** output; the main thread asserts after joining.
** ==================================================================== */

typedef struct job {
  int iterations;
  const char *src, *bad;          /* shared, read-only */
  size_t src_len, bad_len;
  const char *expect;             /* shared, read-only */
  size_t expect_len;
  pthread_barrier_t *start;       /* may be NULL */
  char *out;                      /* malloc'd: the last output */
  size_t out_len;
  int done;
  char error[512];
} job;

/* A worker's own libxml2 error handler: axlink must restore it after each
** call and never feed it axlink's errors. */
static void worker_serror(void *ctx, xmlErrorPtr e) {
  (void)e;
  ++*(int *)ctx;
}

static int keep(job *j, const char *bytes, size_t len, int i) {
  if (i == 0 && !j->out) {
    j->out = malloc(len ? len : 1);
    if (!j->out) {
      snprintf(j->error, sizeof j->error, "out of memory");
      return 0;
    }
    memcpy(j->out, bytes, len);
    j->out_len = len;
  }
  if (len != j->out_len || memcmp(bytes, j->out, len) != 0) {
    snprintf(j->error, sizeof j->error, "iteration %d differs from the first",
             i);
    return 0;
  }
  if (j->expect && (len != j->expect_len ||
                    memcmp(bytes, j->expect, len) != 0)) {
    snprintf(j->error, sizeof j->error, "iteration %d differs from the "
             "reference", i);
    return 0;
  }
  return 1;
}

static void *c_worker(void *arg) {
  job *j = arg;
  axl_error err;
  axl_schema *s;
  int own_errors = 0;

  xmlSetStructuredErrorFunc(&own_errors, worker_serror);
  if (j->start) pthread_barrier_wait(j->start);
  s = axl_schema_load(BASE_XSD, &err);   /* its own: see the file comment */
  if (!s) {
    snprintf(j->error, sizeof j->error, "schema: %s", err.code);
    return NULL;
  }
  for (int i = 0; i < j->iterations; i++) {
    char why[256] = "";
    size_t len;
    char *out = c_pipeline(j->src, j->src_len, j->bad, j->bad_len, s, &len,
                           why, sizeof why);
    int ok = out != NULL;
    if (!ok) snprintf(j->error, sizeof j->error, "iteration %d: %s", i, why);
    else ok = keep(j, out, len, i);
    axl_free(out);
    if (ok && (xmlStructuredError != worker_serror ||
               xmlStructuredErrorContext != &own_errors)) {
      snprintf(j->error, sizeof j->error, "the thread's own error handler "
               "was not restored");
      ok = 0;
    }
    if (ok && own_errors != 0) {
      snprintf(j->error, sizeof j->error, "axlink's errors reached the "
               "thread's own handler (%d)", own_errors);
      ok = 0;
    }
    if (!ok) break;
  }
  axl_schema_free(s);
  xmlSetStructuredErrorFunc(NULL, NULL);
  j->done = !j->error[0];
  return NULL;
}

/* The Lua pipeline, per state: the schema is loaded once in that state. */
static const char LUA_JOB[] =
  "local axlink = require 'axlink'\n"
  "local schema = assert(axlink.schema.load('spec/fixtures/schemas/"
  "ax-base.xsd'))\n"
  "local A = { id = 'person-a', birth_date = '1956-04-23', initials = 'H',\n"
  "  surname = 'Celik' }\n"
  "local B = { id = 'person-b', birth_date = '1957-11-08', initials = 'Th',\n"
  "  prefix = 'van den', surname = 'Berg' }\n"
  "return function()\n"
  "  local msg = assert(axlink.read('spec/fixtures/ax/two-applicants.xml'))\n"
  "  local xml = msg:serialize()\n"
  "  local t = msg:totable()\n"
  "  assert(#t.Hypotheekgever == 2, 'totable: two Hypotheekgever')\n"
  "  local back = assert(axlink.fromtable(t))\n"
  "  assert(back:serialize() == xml, 'tables and back: other bytes')\n"
  "  local r = assert(back:link({ id = 'bundle-key', persons = { A, B } }))\n"
  "  assert(#r.links == 2 and r.links[1].hypotheekgever == 3 and\n"
  "    r.links[2].hypotheekgever == 7 and r.links[1].grade == 'verified' and\n"
  "    r.links[2].ref == 'DL2', 'link: wrong result')\n"
  "  local report = back:check()\n"
  "  assert(report.ok and #report.problems == 0, 'check: problems')\n"
  "  local ok, problems = back:validate(schema)\n"
  "  assert(ok == true and #problems == 0, 'validate: not valid')\n"
  "  assert(#back:links() == 2, 'links: not two')\n"
  "  return back:serialize()\n"
  "end\n";

static void lua_fail(job *j, lua_State *L, const char *what) {
  const char *msg = lua_tostring(L, -1);
  snprintf(j->error, sizeof j->error, "%s: %s", what, msg ? msg : "?");
}

static void *lua_worker(void *arg) {
  job *j = arg;
  lua_State *L;
  int own_errors = 0;

  xmlSetStructuredErrorFunc(&own_errors, worker_serror);
  if (j->start) pthread_barrier_wait(j->start);
  L = luaL_newstate();
  if (!L) {
    snprintf(j->error, sizeof j->error, "no lua_State");
    return NULL;
  }
  luaL_openlibs(L);
  lua_getglobal(L, "package");
  lua_pushliteral(L, "lua/?.lua;lua/?/init.lua");
  lua_setfield(L, -2, "path");
  lua_pop(L, 1);
  luaL_requiref(L, "axlink.core", luaopen_axlink_core, 0);
  lua_pop(L, 1);
  if (luaL_loadbuffer(L, LUA_JOB, sizeof LUA_JOB - 1, "=lua_job") !=
          LUA_OK || lua_pcall(L, 0, 1, 0) != LUA_OK) {
    lua_fail(j, L, "set-up");
    goto done;
  }
  for (int i = 0; i < j->iterations; i++) {
    size_t len;
    const char *s;
    lua_pushvalue(L, -1);
    if (lua_pcall(L, 0, 1, 0) != LUA_OK) {
      char what[32];
      snprintf(what, sizeof what, "iteration %d", i);
      lua_fail(j, L, what);
      goto done;
    }
    s = lua_tolstring(L, -1, &len);
    if (!s || !keep(j, s, len, i)) {
      if (!s) snprintf(j->error, sizeof j->error, "no string returned");
      goto done;
    }
    lua_pop(L, 1);
    if (xmlStructuredError != worker_serror || own_errors != 0) {
      snprintf(j->error, sizeof j->error, "the thread's own error handler "
               "was replaced or fed");
      goto done;
    }
  }
  j->done = 1;
done:
  lua_close(L);
  xmlSetStructuredErrorFunc(NULL, NULL);
  return NULL;
}

static void assert_job(const job *j, const char *who, int k) {
  if (j->error[0]) fail_msg("%s %d: %s", who, k, j->error);
  assert_true(j->done);
  assert_non_null(j->out);
}

/* ====================================================================
** (a) a lua_State per thread
** ==================================================================== */

static void lua_states_in_parallel_agree(void **state) {
  pthread_t tid[THREADS];
  job jobs[THREADS];
  size_t ref_len;
  char *ref = reference(&ref_len);
  (void)state;
  memset(jobs, 0, sizeof jobs);
  for (int k = 0; k < THREADS; k++) {
    jobs[k].iterations = ITERATIONS;
    assert_int_equal(pthread_create(&tid[k], NULL, lua_worker, &jobs[k]), 0);
  }
  for (int k = 0; k < THREADS; k++) pthread_join(tid[k], NULL);
  for (int k = 0; k < THREADS; k++) {
    assert_job(&jobs[k], "Lua thread", k);
    /* Equal bytes between threads, and equal to the C API's output. */
    assert_int_equal(jobs[k].out_len, jobs[0].out_len);
    assert_memory_equal(jobs[k].out, jobs[0].out, jobs[0].out_len);
  }
  assert_int_equal(jobs[0].out_len, ref_len);
  assert_memory_equal(jobs[0].out, ref, ref_len);
  for (int k = 0; k < THREADS; k++) free(jobs[k].out);
  axl_free(ref);
}

/* ====================================================================
** (b) the C API from several threads, each with its own schema
** ==================================================================== */

static void c_api_in_parallel_agrees(void **state) {
  pthread_t tid[THREADS];
  job jobs[THREADS];
  pthread_barrier_t start;
  size_t src_len, bad_len, ref_len;
  char *src = slurp(TWO, &src_len), *bad = slurp(INVALID, &bad_len);
  char *ref = reference(&ref_len);
  (void)state;
  memset(jobs, 0, sizeof jobs);
  assert_int_equal(pthread_barrier_init(&start, NULL, THREADS), 0);
  for (int k = 0; k < THREADS; k++) {
    jobs[k] = (job){ .iterations = C_ITERATIONS, .src = src, .bad = bad,
                     .src_len = src_len, .bad_len = bad_len, .expect = ref,
                     .expect_len = ref_len, .start = &start };
    assert_int_equal(pthread_create(&tid[k], NULL, c_worker, &jobs[k]), 0);
  }
  for (int k = 0; k < THREADS; k++) pthread_join(tid[k], NULL);
  pthread_barrier_destroy(&start);
  for (int k = 0; k < THREADS; k++) {
    assert_job(&jobs[k], "C thread", k);
    assert_int_equal(jobs[k].out_len, ref_len);
    assert_memory_equal(jobs[k].out, ref, ref_len);
    free(jobs[k].out);
  }
  axl_free(ref);
  free(bad);
  free(src);
}

/* ====================================================================
** (c) the host's own libxml2 settings survive
** ==================================================================== */

static const char HOST_DTD[] = "<!ENTITY greeting \"hello from the host\">";
static const char HOST_DOC[] =
  "<!DOCTYPE a SYSTEM \"host.dtd\"><a>&greeting;</a>";

static int host_ctx;                     /* the handler's context */
static pthread_t host_tid;
static unsigned long host_errors, foreign_errors, host_loads;
static pthread_mutex_t host_lock = PTHREAD_MUTEX_INITIALIZER;

static void host_serror(void *ctx, xmlErrorPtr e) {
  (void)e;
  pthread_mutex_lock(&host_lock);
  if (ctx == &host_ctx && pthread_equal(pthread_self(), host_tid))
    host_errors++;
  else
    foreign_errors++;
  pthread_mutex_unlock(&host_lock);
}

static xmlParserInputPtr host_loader(const char *url, const char *id,
                                     xmlParserCtxtPtr ctxt) {
  (void)id;
  pthread_mutex_lock(&host_lock);
  host_loads++;
  pthread_mutex_unlock(&host_lock);
  if (!url || strcmp(url, "host.dtd") != 0 || !ctxt) return NULL;
  return xmlNewStringInputStream(ctxt, (const xmlChar *)HOST_DTD);
}

typedef struct host_job {
  pthread_barrier_t *start, *end;
  unsigned long errors_per_parse, loads_per_parse;
  int rounds_ok, handler_kept, loader_behaves;
  char error[256];
} host_job;

/* One round of the host's own libxml2 use: a malformed parse its handler
** must hear, and a document whose external DTD only its loader supplies. */
static int host_round(host_job *h) {
  xmlDocPtr doc = xmlReadMemory(MALFORMED, (int)strlen(MALFORMED), "h.xml",
                                NULL, 0);
  xmlChar *text;
  int ok;
  if (doc) {
    xmlFreeDoc(doc);
    snprintf(h->error, sizeof h->error, "malformed parse succeeded");
    return 0;
  }
  doc = xmlReadMemory(HOST_DOC, (int)sizeof HOST_DOC - 1, "h.xml", NULL,
                      XML_PARSE_DTDLOAD | XML_PARSE_NOENT);
  if (!doc) {
    snprintf(h->error, sizeof h->error, "the host's DTD parse failed");
    return 0;
  }
  text = xmlNodeGetContent(xmlDocGetRootElement(doc));
  ok = text && strcmp((const char *)text, "hello from the host") == 0;
  if (!ok) snprintf(h->error, sizeof h->error, "entity not from the host");
  xmlFree(text);
  xmlFreeDoc(doc);
  return ok;
}

static void *host_thread(void *arg) {
  host_job *h = arg;
  unsigned long e0, l0;
  int calibrated;
  xmlExternalEntityLoader loader;
  xmlParserCtxtPtr ctxt;
  xmlParserInputPtr in;

  /* The host configures libxml2 its way, before any other thread starts,
  ** then lets axlink do its process-wide set-up (axl_init: the chaining
  ** loader) at a moment of its choosing, before the threads run: the
  ** loader is one process-wide pointer in libxml2 2.9, so swapping it while
  ** this thread parses would race (helgrind shows it). Every axlink entry
  ** point calls axl_init too; here it finds the work done. */
  xmlSetStructuredErrorFunc(&host_ctx, host_serror);
  xmlSetExternalEntityLoader(host_loader);
  axl_init();
  /* Calibrate: what one round gives with nobody else around. */
  e0 = host_errors;
  l0 = host_loads;
  calibrated = host_round(h);
  h->errors_per_parse = host_errors - e0;
  h->loads_per_parse = host_loads - l0;

  /* Go: the workers use axlink while the host keeps using libxml2. */
  pthread_barrier_wait(h->start);
  e0 = host_errors;
  l0 = host_loads;
  for (int i = 0; calibrated && i < HOST_ROUNDS; i++)
    if (!host_round(h)) calibrated = 0;
  h->rounds_ok = calibrated &&
                 host_errors - e0 == HOST_ROUNDS * h->errors_per_parse &&
                 host_loads - l0 == HOST_ROUNDS * h->loads_per_parse;

  /* Every worker is done: look at the host's settings now. */
  pthread_barrier_wait(h->end);
  h->handler_kept = xmlStructuredError == host_serror &&
                    xmlStructuredErrorContext == &host_ctx;
  /* The loader libxml2 reports is axlink's chaining one (the loader is one
  ** process-wide pointer); what matters is that, called outside axlink, it
  ** behaves as the host's: the host's loader runs and its input comes back. */
  loader = xmlGetExternalEntityLoader();
  ctxt = xmlNewParserCtxt();
  l0 = host_loads;
  in = loader && ctxt ? loader("host.dtd", NULL, ctxt) : NULL;
  h->loader_behaves = in != NULL && host_loads == l0 + 1;
  if (in) xmlFreeInputStream(in);
  if (ctxt) xmlFreeParserCtxt(ctxt);
  /* And a whole parse through it, once more, after the run. */
  if (h->loader_behaves && !host_round(h)) h->loader_behaves = 0;
  xmlSetStructuredErrorFunc(NULL, NULL);
  return NULL;
}

static void host_settings_survive_concurrent_use(void **state) {
  pthread_t tid[THREADS];
  job jobs[THREADS];
  host_job h;
  pthread_barrier_t start, end;
  size_t src_len, bad_len;
  char *src = slurp(TWO, &src_len), *bad = slurp(INVALID, &bad_len);
  (void)state;
  memset(jobs, 0, sizeof jobs);
  memset(&h, 0, sizeof h);
  /* The host and the workers start together, once the host has set its
  ** handler and loader; the host looks again when the workers are done. */
  assert_int_equal(pthread_barrier_init(&start, NULL, THREADS + 1), 0);
  assert_int_equal(pthread_barrier_init(&end, NULL, 2), 0);
  h.start = &start;
  h.end = &end;
  assert_int_equal(pthread_create(&host_tid, NULL, host_thread, &h), 0);
  for (int k = 0; k < THREADS; k++) {
    jobs[k] = (job){ .iterations = HOST_WORKER_ITERATIONS, .src = src,
                     .bad = bad, .src_len = src_len, .bad_len = bad_len,
                     .start = &start };
    /* Half the workers through the C API, half through Lua. */
    assert_int_equal(pthread_create(&tid[k], NULL,
                                    k % 2 ? lua_worker : c_worker, &jobs[k]),
                     0);
  }
  for (int k = 0; k < THREADS; k++) pthread_join(tid[k], NULL);
  pthread_barrier_wait(&end);
  pthread_join(host_tid, NULL);
  pthread_barrier_destroy(&start);
  pthread_barrier_destroy(&end);
  for (int k = 0; k < THREADS; k++) {
    assert_job(&jobs[k], k % 2 ? "Lua worker" : "C worker", k);
    assert_int_equal(jobs[k].out_len, jobs[0].out_len);
    assert_memory_equal(jobs[k].out, jobs[0].out, jobs[0].out_len);
  }
  for (int k = 0; k < THREADS; k++) free(jobs[k].out);
  if (h.error[0]) fail_msg("host: %s", h.error);
  assert_true(h.errors_per_parse >= 1);
  assert_int_equal(h.loads_per_parse, 1);
  assert_true(h.rounds_ok);
  assert_int_equal(foreign_errors, 0);   /* axlink never fed the host's */
  assert_true(h.handler_kept);
  assert_true(h.loader_behaves);
  free(bad);
  free(src);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(host_settings_survive_concurrent_use),
    cmocka_unit_test(lua_states_in_parallel_agree),
    cmocka_unit_test(c_api_in_parallel_agrees),
  };
  /* libxml2 2.9 asks a threaded program to call xmlInitParser() on the
  ** main thread before starting threads: its lazy per-thread set-up
  ** (xmlInitializeGlobalState -> xmlInitGlobals) is not thread-safe, and the
  ** workers here touch libxml2 (their own error handlers) before their first
  ** axlink call. This is libxml2's set-up, not axlink's: axlink's
  ** process-wide state (axl_init, the chaining loader) is still made later,
  ** after the host has installed its loader. */
  xmlInitParser();
  /* No xmlSchemaInitTypes() here: axl_init does it once (libxml2 2.9.14
  ** sets up its XSD built-in types lazily, without a lock, and threads
  ** whose first schema compiles ran at once raced on it). This test is the
  ** proof: concurrent first compiles, under ASan/LSan and valgrind. */
  return cmocka_run_group_tests_name("lua_threads", tests, NULL, NULL);
}
