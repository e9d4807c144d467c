/*
** Lender schemas (XSD): loading, compiling and validating.
**
** libxml2 2.9.14 parses every schema document with XML_PARSE_NOENT and
** loads includes through the global entity loader, so a schema could read
** local files or reach the network (research/reliability.md 1.6). axlink
** therefore reads the main document and every xs:include/import/redefine
** itself: only relative locations, only regular files under the main
** schema's directory, none with a DOCTYPE. During compilation the loader
** hands libxml2 exactly those bytes from memory and denies anything else.
** Validation runs on a copy of the message, because validating xs:ID
** attributes registers them in the document (validate never changes a
** message), and libxml2's texts, which quote values, are reduced to the
** kind of constraint.
*/
#include "internal.h"
#include "xsd.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlschemas.h>

#define XSD_MAX_BYTES (16u * 1024u * 1024u)
#define XSD_MAX_FILES 256

/* ====================================================================
** Reading schema documents
** ==================================================================== */

typedef struct read_state {
  int doctype;
  int xml_code;
  long line;
} read_state;

static void xsd_doctype(void *ctx, const xmlChar *name, const xmlChar *eid,
                        const xmlChar *sid) {
  xmlParserCtxtPtr ctxt = ctx;
  (void)name; (void)eid; (void)sid;
  ((read_state *)ctxt->_private)->doctype = 1;
  xmlStopParser(ctxt);
}

static void xsd_error(void *ctx, xmlErrorPtr e) {
  xmlParserCtxtPtr ctxt = ctx;
  read_state *st = ctxt ? ctxt->_private : NULL;
  if (st && e && e->level >= XML_ERR_ERROR && !st->xml_code) {
    st->xml_code = e->code;
    st->line = e->line;
  }
}

/* Parses schema bytes strictly: no DOCTYPE, no entities, no network. */
static xmlDocPtr parse_xsd(const char *bytes, size_t len, const char *url,
                           axl_error *err) {
  read_state st = {0, 0, 0};
  xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
  xmlDocPtr doc;
  if (!ctxt) {
    axl_error_set(err, "AXL-S01", 0, "out of memory");
    return NULL;
  }
  ctxt->sax->internalSubset = xsd_doctype;
  ctxt->sax->serror = xsd_error;
  ctxt->_private = &st;
  doc = xmlCtxtReadMemory(ctxt, bytes, (int)len, url, NULL,
                          AXL_PARSE_OPTIONS);
  if (st.doctype || (doc && (doc->intSubset || doc->extSubset))) {
    axl_error_set(err, "AXL-S02", 0, "DOCTYPE in a schema document refused");
  } else if (!doc || st.xml_code || !ctxt->wellFormed) {
    axl_error_set(err, "AXL-S04", st.line, "schema document is not "
                  "well-formed XML");
    if (err) err->xml_code = st.xml_code;
  } else {
    xmlFreeParserCtxt(ctxt);
    return doc;
  }
  if (doc) xmlFreeDoc(doc);
  xmlFreeParserCtxt(ctxt);
  return NULL;
}

static char *read_regular(const char *path, size_t *len, axl_error *err) {
  struct stat st;
  char *buf;
  size_t got = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    axl_error_set(err, "AXL-S01", 0, errno == ENOENT ? "schema file not "
                  "found" : "cannot open schema file");
    return NULL;
  }
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      (unsigned long long)st.st_size > XSD_MAX_BYTES) {
    close(fd);
    axl_error_set(err, "AXL-S01", 0, "schema is not a regular file of "
                  "reasonable size");
    return NULL;
  }
  buf = malloc((size_t)st.st_size + 1);
  if (!buf) {
    close(fd);
    axl_error_set(err, "AXL-S01", 0, "out of memory");
    return NULL;
  }
  while (got < (size_t)st.st_size) {
    ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += (size_t)r;
  }
  close(fd);
  if (got != (size_t)st.st_size) {
    free(buf);
    axl_error_set(err, "AXL-S01", 0, "schema file changed while read");
    return NULL;
  }
  buf[got] = '\0';
  *len = got;
  return buf;
}

/* ====================================================================
** The set of schema documents
** ==================================================================== */

struct axl_schema {
  char dir[PATH_MAX];      /* real path of the main schema's directory */
  axl_xsd_set set;         /* every document, main first */
  xmlDocPtr compile_doc;   /* the copy libxml2 compiled, kept with it */
  xmlSchemaPtr compiled;
  axl_schema_limits limits;
  axl_report conformance;
  axl_xsd_orders orders;   /* element path -> child order (xsdorder.c) */
};

static void set_free(axl_xsd_set *set) {
  for (size_t i = 0; i < set->count; i++) {
    free(set->files[i].bytes);
    if (set->files[i].doc) xmlFreeDoc(set->files[i].doc);
  }
  free(set->files);
  memset(set, 0, sizeof *set);
}

static axl_xsd_file *set_add(axl_xsd_set *set, const char *path, char *bytes,
                             size_t len) {
  axl_xsd_file *f;
  if (set->count == set->cap) {
    size_t cap = set->cap ? set->cap * 2 : 8;
    axl_xsd_file *files = realloc(set->files, cap * sizeof *files);
    if (!files) return NULL;
    set->files = files;
    set->cap = cap;
  }
  f = &set->files[set->count++];
  memset(f, 0, sizeof *f);
  snprintf(f->path, sizeof f->path, "%s", path);
  f->bytes = bytes;
  f->len = len;
  return f;
}

static const axl_xsd_file *set_find(const axl_xsd_set *set, const char *real) {
  for (size_t i = 0; i < set->count; i++)
    if (strcmp(set->files[i].path, real) == 0) return &set->files[i];
  return NULL;
}

/* Is real inside dir (dir itself excluded)? */
static int under(const char *dir, const char *real) {
  size_t n = strlen(dir);
  return strncmp(real, dir, n) == 0 && real[n] == '/';
}

static int refuse_location(axl_error *err, const char *kind, const char *loc,
                           const char *why) {
  char text[256];
  /* A schemaLocation is the schema author's, not personal data. */
  snprintf(text, sizeof text, "xs:%s refused: %.120s (%s)", kind, loc, why);
  axl_error_set(err, "AXL-S03", 0, text);
  return -1;
}

static int load_includes(axl_schema *s, size_t index, axl_error *err);

/* Reads, checks and parses one included document, then its includes. */
static int load_one(axl_schema *s, const char *from_dir, const char *kind,
                    const char *loc, axl_error *err) {
  char joined[PATH_MAX * 2], real[PATH_MAX];
  char *bytes;
  size_t len;
  axl_xsd_file *f;
  if (strstr(loc, "://") || strncmp(loc, "file:", 5) == 0)
    return refuse_location(err, kind, loc, "not a relative path");
  if (loc[0] == '/') return refuse_location(err, kind, loc, "absolute path");
  if (!s->dir[0]) return refuse_location(err, kind, loc, "no base directory");
  snprintf(joined, sizeof joined, "%s/%s", from_dir, loc);
  if (!realpath(joined, real))
    return refuse_location(err, kind, loc, "not found");
  if (!under(s->dir, real))
    return refuse_location(err, kind, loc, "outside the schema's directory");
  if (set_find(&s->set, real)) return 0;  /* already loaded: cycles end */
  if (s->set.count >= XSD_MAX_FILES)
    return refuse_location(err, kind, loc, "too many schema documents");
  bytes = read_regular(real, &len, err);
  if (!bytes) return refuse_location(err, kind, loc, "not a readable regular file");
  f = set_add(&s->set, real, bytes, len);
  if (!f) {
    free(bytes);
    axl_error_set(err, "AXL-S01", 0, "out of memory");
    return -1;
  }
  f->doc = parse_xsd(bytes, len, real, err);
  if (!f->doc) {
    if (strcmp(err ? err->code : "", "AXL-S02") == 0)
      return refuse_location(err, kind, loc, "carries a DOCTYPE");
    return -1;
  }
  return load_includes(s, s->set.count - 1, err);
}

static int load_includes(axl_schema *s, size_t index, axl_error *err) {
  char dir[PATH_MAX];
  xmlNodePtr root = xmlDocGetRootElement(s->set.files[index].doc);
  char *slash;
  snprintf(dir, sizeof dir, "%s", s->set.files[index].path);
  slash = strrchr(dir, '/');
  if (slash) *slash = '\0';
  for (xmlNodePtr c = root ? root->children : NULL; c; c = c->next) {
    xmlChar *loc;
    int rc;
    if (!axl_xsd_is(c, "include") && !axl_xsd_is(c, "import") &&
        !axl_xsd_is(c, "redefine") && !axl_xsd_is(c, "override"))
      continue;
    loc = xmlGetNoNsProp(c, BAD_CAST "schemaLocation");
    if (!loc) continue;  /* an import by namespace only loads nothing */
    rc = load_one(s, dir, (const char *)c->name, (const char *)loc, err);
    xmlFree(loc);
    if (rc) return rc;
    /* load_one may have moved the array: re-read the root. */
    root = xmlDocGetRootElement(s->set.files[index].doc);
  }
  return 0;
}

/* ====================================================================
** Compiling: the loader serves the vetted bytes, and only those
** ==================================================================== */

static xmlParserInputPtr serve(void *ud, const char *url,
                               xmlParserCtxtPtr ctxt) {
  const axl_schema *s = ud;
  char real[PATH_MAX];
  const axl_xsd_file *f;
  xmlParserInputBufferPtr buf;
  xmlParserInputPtr in;
  if (!url || strstr(url, "://") || !realpath(url, real)) return NULL;
  f = set_find(&s->set, real);
  if (!f || f == &s->set.files[0]) return NULL;
  buf = xmlParserInputBufferCreateMem(f->bytes, (int)f->len,
                                      XML_CHAR_ENCODING_NONE);
  if (!buf) return NULL;
  in = xmlNewIOInputStream(ctxt, buf, XML_CHAR_ENCODING_NONE);
  if (!in) {
    xmlFreeParserInputBuffer(buf);
    return NULL;
  }
  in->filename = (const char *)xmlStrdup(BAD_CAST f->path);
  return in;
}

/*
** libxml2's compile errors, one sentence each. They describe the XSD, not
** a message, but libxml2 quotes whatever it found there: a quoted stretch
** is kept only when it is a name (a QName, a namespace-qualified name or a
** short content model of names), anything else becomes '...'. The XML
** Schema namespace is written "xs:".
*/
#define XS_NS "{http://www.w3.org/2001/XMLSchema}"

typedef struct compile_errors {
  axl_report *problems;   /* where the sentences go, or NULL */
  int code;               /* the first error */
  long line;
  char file[128];
  char first[192];        /* its sentence */
  size_t count;
  int oom;
} compile_errors;

static int name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
         c == ':' || c == '{' || c == '}' || c == '/' || c == '#' ||
         c == '?' || c == '*' || c == '+' || c == '(' || c == ')' ||
         c == '|' || c == ',' || c == ' ';
}

/* Appends text to out (size bytes, NUL-terminated), XS_NS as "xs:". */
static void put(char *out, size_t size, size_t *used, const char *text,
                size_t n) {
  for (size_t i = 0; i < n && *used + 1 < size; i++) {
    if (!strncmp(text + i, XS_NS, sizeof XS_NS - 1) && i + sizeof XS_NS - 1
        <= n) {
      if (*used + 4 >= size) break;
      memcpy(out + *used, "xs:", 3);
      *used += 3;
      i += sizeof XS_NS - 2;
      continue;
    }
    out[(*used)++] = text[i] == '\n' ? ' ' : text[i];
  }
  out[*used] = '\0';
}

static void reduce_message(const char *msg, char *out, size_t size) {
  size_t used = 0;
  const char *p = msg ? msg : "", *q;
  out[0] = '\0';
  /* libxml2 opens with the XSD construct ("Element '{...}element', " or
  ** "element decl. 'A': "): the caller names that itself. What follows
  ** ("attribute 'type': ...") stays. */
  if ((q = strchr(p, '\'')) != NULL && q - p < 24 &&
      (q = strchr(q + 1, '\'')) != NULL &&
      (!strncmp(q + 1, ": ", 2) || !strncmp(q + 1, ", ", 2)))
    p = q + 3;
  while (*p) {
    const char *open = strchr(p, '\''), *close;
    if (!open || !(close = strchr(open + 1, '\''))) {
      put(out, size, &used, p, strlen(p));
      break;
    }
    put(out, size, &used, p, (size_t)(open - p + 1));
    {
      int name = close - open - 1 <= 96;
      for (const char *c = open + 1; name && c < close; c++)
        name = name_char(*c);
      if (name) put(out, size, &used, open + 1, (size_t)(close - open - 1));
      else put(out, size, &used, "...", 3);
    }
    put(out, size, &used, "'", 1);
    p = close + 1;
  }
  while (used && (out[used - 1] == ' ' || out[used - 1] == '\n'))
    out[--used] = '\0';
}

/* "xs:element A": the XSD construct an error is about, by its names. */
static void construct_of(const xmlNode *n, char *out, size_t size) {
  const char *name = NULL;
  xmlChar *v = NULL;
  out[0] = '\0';
  if (!n || n->type != XML_ELEMENT_NODE) return;
  for (const char *const *a = (const char *const[]){ "name", "ref", NULL };
       *a && !v; a++)
    v = xmlGetNoNsProp(n, BAD_CAST *a);
  name = (const char *)v;
  if (name) {
    int ok = strlen(name) <= 96;
    for (const char *c = name; ok && *c; c++) ok = name_char(*c) && *c != ' ';
    if (!ok) name = "...";
  }
  snprintf(out, size, "xs:%.40s%s%.96s", (const char *)n->name,
           name ? " " : "", name ? name : "");
  xmlFree(v);
}

static void compile_error(void *ctx, xmlErrorPtr e) {
  compile_errors *ce = ctx;
  char file[128] = "", what[160], why[192], sentence[192];
  axl_problem *p;
  if (!e || e->level < XML_ERR_ERROR) return;
  if (e->file) {
    const char *base = strrchr(e->file, '/');
    snprintf(file, sizeof file, "%s", base ? base + 1 : e->file);
  }
  construct_of(e->node, what, sizeof what);
  reduce_message(e->message, why, sizeof why);
  snprintf(sentence, sizeof sentence, "%s%s%s", what, what[0] ? ": " : "",
           why[0] ? why : "not valid XML Schema");
  if (!ce->count++) {
    ce->code = e->code ? e->code : XML_ERR_INTERNAL_ERROR;
    ce->line = e->line;
    snprintf(ce->file, sizeof ce->file, "%s", file);
    snprintf(ce->first, sizeof ce->first, "%s", sentence);
  }
  if (!ce->problems) return;
  if (!(p = axl_report_add(ce->problems, "AXL-S05", AXL_ERROR, sentence))) {
    ce->oom = 1;
    return;
  }
  snprintf(p->file, sizeof p->file, "%s", file);
  p->line = e->line;
  p->order = ce->count;
}

static int compile(axl_schema *s, axl_report *problems, axl_error *err) {
  compile_errors ce;
  xmlSchemaParserCtxtPtr pctxt;
  memset(&ce, 0, sizeof ce);
  ce.problems = problems;
  s->compile_doc = xmlCopyDoc(s->set.files[0].doc, 1);
  /* An incomplete copy would compile into a different schema. */
  if (s->compile_doc && axl_copy_complete(s->set.files[0].doc->children,
                                          s->compile_doc->children)) {
    xmlFreeDoc(s->compile_doc);
    s->compile_doc = NULL;
  }
  if (!s->compile_doc) {
    axl_error_set(err, "AXL-S01", 0, "out of memory");
    return -1;
  }
  pctxt = xmlSchemaNewDocParserCtxt(s->compile_doc);
  if (!pctxt) {
    axl_error_set(err, "AXL-S01", 0, "out of memory");
    return -1;
  }
  xmlSchemaSetParserStructuredErrors(pctxt, compile_error, &ce);
  axl_set_loader_provider(serve, s);
  s->compiled = xmlSchemaParse(pctxt);
  axl_set_loader_provider(NULL, NULL);
  xmlSchemaFreeParserCtxt(pctxt);
  if (!s->compiled || ce.count) {
    char text[256], where[160] = "";
    if (!ce.count)
      snprintf(ce.first, sizeof ce.first, "libxml2 gave no reason");
    /* file:line first, as a compiler says it; the number is in xml_code. */
    if (ce.file[0] && ce.line > 0)
      snprintf(where, sizeof where, "%.120s:%ld: ", ce.file, ce.line);
    else if (ce.file[0])
      snprintf(where, sizeof where, "%.120s: ", ce.file);
    snprintf(text, sizeof text, "schema does not compile: %s%.*s%s", where,
             ce.count > 1 ? 120 : 160, ce.first,
             ce.count > 1 ? " (and more: one problem per error)" : "");
    /* No line in err: it may be an included file's, not the main one's. */
    axl_error_set(err, "AXL-S05", 0, text);
    if (err) err->xml_code = ce.code;
    return -1;
  }
  return 0;
}

/* A schema built while libxml2 reported an allocation failure may lack a
** part it silently dropped: refuse it. */
static axl_schema *leave_checked(axl_guard *g, axl_schema *s,
                                 axl_error *err) {
  if (axl_guard_leave(g) && s) {
    axl_schema_free(s);
    s = NULL;
    axl_error_set(err, "AXL-S01", 0, "out of memory");
  }
  return s;
}

static axl_schema *finish(axl_schema *s, axl_report *problems,
                          axl_error *err) {
  if (load_includes(s, 0, err) || compile(s, problems, err)) {
    axl_schema_free(s);
    return NULL;
  }
  axl_report_init(&s->conformance);
  axl_xsd_analyse(&s->set, &s->limits, &s->conformance);
  if (axl_xsd_orders_build(&s->set, &s->orders)) {
    axl_error_set(err, "AXL-S01", 0, "out of memory");
    axl_schema_free(s);
    return NULL;
  }
  return s;
}

static axl_schema *new_schema(void) {
  axl_schema *s = calloc(1, sizeof *s);
  return s;
}

axl_schema *axl_schema_load(const char *path, axl_error *err) {
  return axl_schema_load_diag(path, NULL, err);
}

axl_schema *axl_schema_parse(const char *xsd, size_t len, const char *base,
                             axl_error *err) {
  return axl_schema_parse_diag(xsd, len, base, NULL, err);
}

axl_schema *axl_schema_load_diag(const char *path, axl_report *problems,
                                 axl_error *err) {
  axl_guard g;
  axl_schema *s;
  char real[PATH_MAX], *slash, *bytes;
  size_t len;
  axl_xsd_file *f;
  axl_error_clear(err);
  if (!realpath(path, real)) {
    axl_error_set(err, "AXL-S01", 0, "schema file not found");
    return NULL;
  }
  bytes = read_regular(real, &len, err);
  if (!bytes) return NULL;
  s = new_schema();
  f = s ? set_add(&s->set, real, bytes, len) : NULL;
  if (!f) {
    free(bytes);
    free(s);
    axl_error_set(err, "AXL-S01", 0, "out of memory");
    return NULL;
  }
  snprintf(s->dir, sizeof s->dir, "%s", real);
  slash = strrchr(s->dir, '/');
  if (slash) *slash = '\0';
  axl_guard_enter(&g);
  f->doc = parse_xsd(bytes, len, real, err);
  s = f->doc ? finish(s, problems, err) : (axl_schema_free(s), NULL);
  return leave_checked(&g, s, err);
}

axl_schema *axl_schema_parse_diag(const char *xsd, size_t len,
                                  const char *base, axl_report *problems,
                                  axl_error *err) {
  axl_guard g;
  axl_schema *s;
  char url[PATH_MAX + 32], *copy;
  axl_xsd_file *f;
  axl_error_clear(err);
  if (len > XSD_MAX_BYTES) {
    axl_error_set(err, "AXL-S01", 0, "schema larger than 16 MiB");
    return NULL;
  }
  s = new_schema();
  copy = malloc(len + 1);
  if (!s || !copy) {
    free(s);
    free(copy);
    axl_error_set(err, "AXL-S01", 0, "out of memory");
    return NULL;
  }
  memcpy(copy, xsd, len);
  copy[len] = '\0';
  if (base) {
    if (!realpath(base, s->dir)) {
      free(copy);
      free(s);
      axl_error_set(err, "AXL-S01", 0, "schema base directory not found");
      return NULL;
    }
  }
  /* A name no file has, so no include can resolve to the main document. */
  snprintf(url, sizeof url, "%s/(string).xsd", s->dir[0] ? s->dir : "/");
  f = set_add(&s->set, url, copy, len);
  if (!f) {
    free(copy);
    free(s);
    axl_error_set(err, "AXL-S01", 0, "out of memory");
    return NULL;
  }
  axl_guard_enter(&g);
  f->doc = parse_xsd(copy, len, url, err);
  s = f->doc ? finish(s, problems, err) : (axl_schema_free(s), NULL);
  return leave_checked(&g, s, err);
}

void axl_schema_free(axl_schema *s) {
  if (!s) return;
  if (s->compiled) xmlSchemaFree(s->compiled);
  if (s->compile_doc) xmlFreeDoc(s->compile_doc);
  set_free(&s->set);
  axl_report_free(&s->conformance);
  axl_xsd_orders_free(&s->orders);
  free(s);
}

int axl_schema_child_index(const axl_schema *s, const char *parent_path,
                           const char *child) {
  if (!s) return -2;
  return axl_xsd_order_index(&s->orders, parent_path, child);
}

const axl_schema_limits *axl_schema_get_limits(const axl_schema *s) {
  return &s->limits;
}

int axl_schema_conformance(const axl_schema *s, axl_report *out) {
  for (size_t i = 0; i < s->conformance.count; i++) {
    axl_problem *p = axl_report_add(out, "", AXL_INFO, "");
    if (!p) return -1;
    *p = s->conformance.items[i];
  }
  return 0;
}

/* ====================================================================
** Validating
** ==================================================================== */

/* libxml2's validation codes reduced to the kind of constraint. */
static void classify(int code, const char **axl, const char **text) {
  switch (code) {
  case XML_SCHEMAV_CVC_PATTERN_VALID:
    *axl = "AXL-V02"; *text = "value does not match the pattern"; return;
  case XML_SCHEMAV_CVC_ENUMERATION_VALID:
    *axl = "AXL-V02"; *text = "value not in the code list"; return;
  case XML_SCHEMAV_CVC_LENGTH_VALID:
  case XML_SCHEMAV_CVC_MINLENGTH_VALID:
  case XML_SCHEMAV_CVC_MAXLENGTH_VALID:
    *axl = "AXL-V02"; *text = "value has the wrong length"; return;
  case XML_SCHEMAV_CVC_MININCLUSIVE_VALID:
  case XML_SCHEMAV_CVC_MAXINCLUSIVE_VALID:
  case XML_SCHEMAV_CVC_MINEXCLUSIVE_VALID:
  case XML_SCHEMAV_CVC_MAXEXCLUSIVE_VALID:
    *axl = "AXL-V02"; *text = "value out of range"; return;
  case XML_SCHEMAV_CVC_TOTALDIGITS_VALID:
  case XML_SCHEMAV_CVC_FRACTIONDIGITS_VALID:
    *axl = "AXL-V02"; *text = "value has too many digits"; return;
  case XML_SCHEMAV_CVC_DATATYPE_VALID_1_2_1:
  case XML_SCHEMAV_CVC_DATATYPE_VALID_1_2_2:
  case XML_SCHEMAV_CVC_DATATYPE_VALID_1_2_3:
  case XML_SCHEMAV_CVC_FACET_VALID:
  case XML_SCHEMAV_CVC_TYPE_3_1_1:
  case XML_SCHEMAV_CVC_TYPE_3_1_2:
  case XML_SCHEMAV_CVC_ELT_5_2_2_1:
  case XML_SCHEMAV_CVC_ELT_5_2_2_2_1:
  case XML_SCHEMAV_CVC_ELT_5_2_2_2_2:
  case XML_SCHEMAV_CVC_AU:
    *axl = "AXL-V02"; *text = "value not valid for its type"; return;
  case XML_SCHEMAV_CVC_COMPLEX_TYPE_3_2_1:
  case XML_SCHEMAV_CVC_COMPLEX_TYPE_3_2_2:
    *axl = "AXL-V03"; *text = "attribute not allowed here"; return;
  case XML_SCHEMAV_CVC_COMPLEX_TYPE_4:
    *axl = "AXL-V03"; *text = "required attribute missing"; return;
  case XML_SCHEMAV_CVC_ATTRIBUTE_1:
  case XML_SCHEMAV_CVC_ATTRIBUTE_2:
  case XML_SCHEMAV_CVC_ATTRIBUTE_3:
  case XML_SCHEMAV_CVC_ATTRIBUTE_4:
    *axl = "AXL-V03"; *text = "attribute not valid"; return;
  case XML_SCHEMAV_CVC_IDC:
  case XML_DTD_ID_REDEFINED:
  case XML_DTD_UNKNOWN_ID:
  case XML_DTD_DUP_TOKEN:
    *axl = "AXL-V04"; *text = "ID or IDREF not valid (duplicate or "
                              "dangling)"; return;
  case XML_SCHEMAV_CVC_COMPLEX_TYPE_2_1:
  case XML_SCHEMAV_CVC_COMPLEX_TYPE_2_2:
  case XML_SCHEMAV_CVC_COMPLEX_TYPE_2_3:
    *axl = "AXL-V01"; *text = "content not allowed here"; return;
  case XML_SCHEMAV_CVC_COMPLEX_TYPE_2_4:
  case XML_SCHEMAV_ELEMCONT:
  case XML_SCHEMAV_ELEMENT_CONTENT:
  case XML_SCHEMAV_WRONGELEM:
  case XML_SCHEMAV_MISSING:
  case XML_SCHEMAV_EXTRACONTENT:
  case XML_SCHEMAV_CVC_ELT_1:
  case XML_SCHEMAV_UNDECLAREDELEM:
  case XML_SCHEMAV_DOCUMENT_ELEMENT_MISSING:
    *axl = "AXL-V01"; *text = "element missing, not expected here or "
                              "occurring too often"; return;
  default:
    *axl = "AXL-V05"; *text = "not valid against the schema"; return;
  }
}

typedef struct valid_state {
  axl_report *out;
  int failed;   /* out of memory while recording */
} valid_state;

/*
** libxml2's "Expected is ( A, {ns}B )" or "Expected is one of ( ... )"
** lists what the schema allows at that point: element names, from the
** schema, never data. They are kept ("expected one of: A, B"); a token that
** is not a plain name (a wildcard) is left out.
*/
static void add_expected(const char *msg, char *text, size_t size) {
  const char *p = msg ? strstr(msg, "Expected is") : NULL, *end;
  size_t used = strlen(text), names = 0;
  if (!p || !(p = strchr(p, '(')) || !(end = strchr(p, ')'))) return;
  for (p++; p < end;) {
    const char *tok, *tok_end;
    while (p < end && (*p == ' ' || *p == ',')) p++;
    tok = p;
    while (p < end && *p != ',') p++;
    tok_end = p;
    while (tok_end > tok && tok_end[-1] == ' ') tok_end--;
    if (tok < tok_end && *tok == '{') {       /* {namespace}Name */
      const char *close = memchr(tok, '}', (size_t)(tok_end - tok));
      if (!close) continue;
      tok = close + 1;
    }
    if (tok >= tok_end || !axl_ncname_ok(tok, (size_t)(tok_end - tok)))
      continue;
    {
      const char *sep = names++ ? ", " : "; expected one of: ";
      size_t need = strlen(sep) + (size_t)(tok_end - tok);
      if (used + need + 5 >= size) {
        snprintf(text + used, size - used, ", ...");
        return;
      }
      used += (size_t)snprintf(text + used, size - used, "%s%.*s", sep,
                               (int)(tok_end - tok), tok);
    }
  }
}

static void valid_error(void *ctx, xmlErrorPtr e) {
  valid_state *vs = ctx;
  const char *code, *text;
  char reason[192];
  axl_problem *p;
  if (!e || e->level < XML_ERR_ERROR) return;
  classify(e->code, &code, &text);
  /* The two element-content cases say which one it is; then the names. */
  if (e->message && strstr(e->message, "This element is not expected"))
    text = "element not expected here";
  else if (e->message && strstr(e->message, "Missing child element"))
    text = "child element missing";
  snprintf(reason, sizeof reason, "%s", text);
  if (!strcmp(code, "AXL-V01"))
    add_expected(e->message, reason, sizeof reason);
  p = axl_report_add(vs->out, code, AXL_ERROR, reason);
  if (!p) {
    vs->failed = 1;
    return;
  }
  if (e->node && ((xmlNodePtr)e->node)->type == XML_ELEMENT_NODE) {
    xmlNodePtr n = e->node;
    axl_node_path(n, p->path, sizeof p->path);
    p->line = axl_node_line(n);
  } else {
    p->line = e->line;
  }
  p->order = (unsigned long)p->line;
}

int axl_validate(const axl_schema *s, const axl_message *m, axl_report *out,
                 axl_error *err) {
  axl_guard g;
  axl_message *copy;
  xmlSchemaValidCtxtPtr vctxt;
  valid_state vs = { out, 0 };
  size_t first = out->count;
  int rc;
  axl_error_clear(err);
  copy = axl_clone(m, err);
  if (!copy) return -1;
  axl_guard_enter(&g);
  vctxt = xmlSchemaNewValidCtxt(s->compiled);
  if (!vctxt) {
    axl_guard_leave(&g);
    axl_message_free(copy);
    axl_error_set(err, "AXL-V05", 0, "out of memory");
    return -1;
  }
  xmlSchemaSetValidStructuredErrors(vctxt, valid_error, &vs);
  rc = xmlSchemaValidateDoc(vctxt, axl_message_doc(copy));
  xmlSchemaFreeValidCtxt(vctxt);
  axl_guard_leave(&g);
  axl_message_free(copy);
  if (vs.failed || rc < 0) {
    axl_error_set(err, "AXL-V05", 0, "validation could not run");
    return -1;
  }
  if (rc > 0 && out->count == first) {
    axl_problem *p = axl_report_add(out, "AXL-V05", AXL_ERROR,
                                    "not valid against the schema");
    if (!p) return -1;
  }
  return rc == 0 ? 1 : 0;
}
