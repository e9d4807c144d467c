/*
** Process-wide libxml2 state, set once, and the per-call guard.
**
** libxml2 2.9.14 has no per-context resource loader: the external-entity
** loader is one global. axlink installs a *chaining* loader that denies
** every load while the calling thread is inside axlink and hands the call to
** the loader it replaced otherwise, so a host using libxml2 for something
** else keeps its behaviour. Error handlers and the indent string are
** thread-local in a threaded libxml2 build: each call sets its own and
** restores the host's on the way out.
*/
#include "internal.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlversion.h>
#include <libxml/xmlschemastypes.h>

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static xmlExternalEntityLoader host_loader;  /* the loader we chain to */
static xmlExternalEntityLoader first_loader; /* the one before axlink */
static unsigned long denied_loads;           /* tests read it */
static pthread_mutex_t denied_lock = PTHREAD_MUTEX_INITIALIZER;

/*
** Thread-local state is AXL_TLS (internal.h), the initial-exec model: the
** module's few bytes go into glibc's static TLS surplus when it is
** dlopen'ed (as a Lua module is), instead of blocks allocated on first use
** through __tls_get_addr. LeakSanitizer 14 misreads such dynamically
** allocated TLS blocks under glibc 2.36 and stops with a fatal error of its
** own in some runs; the static model also saves a call per access.
*/

/* Depth of axlink guards on this thread: loads are denied while > 0. */
static AXL_TLS int guard_depth;
/* Set while a host loader runs: one that chains back to us (it saved us as
** its "previous" loader) reaches the loader from before axlink instead of
** going round in a circle. */
static AXL_TLS int chaining;
static AXL_TLS axl_loader_provider provider;
static AXL_TLS void *provider_ud;

void axl_set_loader_provider(axl_loader_provider fn, void *ud) {
  provider = fn;
  provider_ud = ud;
}

/* The loader pointers are read by any thread that loads an entity while
** another may be installing: atomic loads and stores, no torn reads. */
static xmlExternalEntityLoader load_ptr(xmlExternalEntityLoader *p) {
  return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static xmlParserInputPtr deny_or_chain(const char *url, const char *id,
                                       xmlParserCtxtPtr ctxt) {
  xmlExternalEntityLoader host = load_ptr(&host_loader);
  xmlExternalEntityLoader first = load_ptr(&first_loader);
  xmlParserInputPtr in;
  if (guard_depth > 0) {
    if (provider && (in = provider(provider_ud, url, ctxt)) != NULL)
      return in;
    pthread_mutex_lock(&denied_lock);
    denied_loads++;
    pthread_mutex_unlock(&denied_lock);
    return NULL;
  }
  if (chaining || !host)
    return first && first != deny_or_chain ? first(url, id, ctxt) : NULL;
  chaining++;
  in = host(url, id, ctxt);
  chaining--;
  return in;
}

static void install_loader(void) {
  xmlExternalEntityLoader cur = xmlGetExternalEntityLoader();
  if (cur != deny_or_chain) {
    if (!load_ptr(&first_loader))
      __atomic_store_n(&first_loader, cur, __ATOMIC_RELEASE);
    __atomic_store_n(&host_loader, cur, __ATOMIC_RELEASE);
    xmlSetExternalEntityLoader(deny_or_chain);
  }
}

static void init_process(void) {
  xmlInitParser();
  /* libxml2 2.9.14 builds its XSD built-in types on the first schema
  ** compile, without a lock: done here, once, so threads compiling their
  ** first schemas at the same time do not race on it. */
  xmlSchemaInitTypes();
  install_loader();
}

void axl_init(void) {
  pthread_once(&init_once, init_process);
}

unsigned long axl_denied_loads(void) {
  unsigned long n;
  pthread_mutex_lock(&denied_lock);
  n = denied_loads;
  pthread_mutex_unlock(&denied_lock);
  return n;
}

const char *axl_libxml2_version(void) {
  return xmlParserVersion;
}

/* libxml2's allocation failures reported on this thread (a count, so
** nested guards each see their own). */
static AXL_TLS unsigned long oom_reports;

/* Swallows everything: errors are collected per parser context instead;
** only allocation failures are counted (axl_guard_leave). */
static void silent_structured(void *ctx, xmlErrorPtr e) {
  (void)ctx;
  if (e && e->code == XML_ERR_NO_MEMORY) oom_reports++;
}

static void silent_generic(void *ctx, const char *fmt, ...) {
  (void)ctx; (void)fmt;
}

void axl_guard_enter(axl_guard *g) {
  guard_depth++;
  g->oom_at_enter = oom_reports;
  g->old_serror = xmlStructuredError;
  g->old_serror_ctx = xmlStructuredErrorContext;
  g->old_generic = xmlGenericError;
  g->old_generic_ctx = xmlGenericErrorContext;
  g->old_indent = xmlTreeIndentString;
  g->old_indent_output = xmlIndentTreeOutput;
  g->old_no_empty = xmlSaveNoEmptyTags;
  xmlSetStructuredErrorFunc(NULL, silent_structured);
  xmlSetGenericErrorFunc(NULL, silent_generic);
  /* After the handlers: the one-time set-up's own failures stay silent. */
  axl_init();
  /* A host that replaced the loader after us is chained to, not lost. */
  if (xmlGetExternalEntityLoader() != deny_or_chain) {
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&lock);
    install_loader();
    pthread_mutex_unlock(&lock);
  }
  xmlTreeIndentString = "\t";
  xmlIndentTreeOutput = 1;
  xmlSaveNoEmptyTags = 0;
}

int axl_guard_saw_oom(const axl_guard *g) {
  return oom_reports != g->oom_at_enter;
}

int axl_guard_leave(axl_guard *g) {
  xmlSetStructuredErrorFunc(g->old_serror_ctx, g->old_serror);
  xmlSetGenericErrorFunc(g->old_generic_ctx, g->old_generic);
  xmlTreeIndentString = g->old_indent;
  xmlIndentTreeOutput = g->old_indent_output;
  xmlSaveNoEmptyTags = g->old_no_empty;
  guard_depth--;
  return axl_guard_saw_oom(g);
}

void axl_error_clear(axl_error *err) {
  if (err) memset(err, 0, sizeof *err);
}

void axl_error_set(axl_error *err, const char *code, long line,
                   const char *text) {
  if (!err) return;
  snprintf(err->code, sizeof err->code, "%s", code);
  snprintf(err->message, sizeof err->message, "%s", text);
  err->line = line;
  err->limit = NULL;   /* axl_error_limit sets it after this */
}

void axl_free(void *p) {
  xmlFree(p);
}
