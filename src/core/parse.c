/*
** Parsing untrusted AX bytes into a libxml2 tree.
**
** libxml2 does the XML; this file wraps its SAX2 tree builder to make the
** result strict and small while it is being built:
** - any DOCTYPE stops the parse (no DTD means no entities, no external
**   subset, no entity bombs: the primary defence, research/reliability 1.2);
** - whitespace-only text between elements is freed as soon as the next
**   element starts or the parent ends, so the tree never holds it;
** - text beside child elements (mixed content), namespaced elements, an
**   attribute named like a child element, XML 1.1 and encodings other than
**   UTF-8/US-ASCII are refused;
** - the size, depth, element count and text length limits are checked as
**   the parse goes, and attribute counts by a byte pre-scan *before*
**   libxml2 sees the input, because 2.9.14's duplicate-attribute check is
**   quadratic and would burn the CPU before any callback could stop it;
** - every element's line is recorded in node->_private (2.9.14 caps its own
**   node->line at 65535).
** Errors are collected through the context's own structured handler and
** reduced to codes: libxml2's texts quote the input and may carry data.
*/
#include "internal.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>

typedef struct parse_state {
  axl_limits lim;
  size_t depth;
  size_t elements;
  size_t text_run;        /* bytes of the text node being built */
  size_t text_total;
  const char *stop_code;  /* our own reason to stop, or NULL */
  const char *stop_text;
  long stop_line;
  const char *stop_limit; /* the limit that stopped it, or NULL */
  double stop_value, stop_actual;
  int stop_at_least;      /* stop_actual is a lower bound */
  struct timespec started;   /* when lim.max_seconds is set */
  int xml_code;           /* first libxml2 error of level >= ERROR */
  long xml_line;
  struct timespec deadline;  /* when lim.max_seconds is set */
  unsigned ticks;            /* callbacks since the clock was last read */
} parse_state;

static void set_deadline(parse_state *st) {
  long long ns;
  if (st->lim.max_seconds > 1e9) {     /* decades: no deadline at all */
    st->lim.max_seconds = 0;
    return;
  }
  ns = (long long)(st->lim.max_seconds * 1e9);
  clock_gettime(CLOCK_MONOTONIC, &st->deadline);
  st->started = st->deadline;
  ns += st->deadline.tv_nsec;
  st->deadline.tv_sec += (time_t)(ns / 1000000000LL);
  st->deadline.tv_nsec = (long)(ns % 1000000000LL);
}

/* Every 1024th callback reads the clock: a few nanoseconds per element. */
static int past_deadline(parse_state *st) {
  struct timespec now;
  if (st->lim.max_seconds <= 0 || (++st->ticks & 1023u) != 0) return 0;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return now.tv_sec > st->deadline.tv_sec ||
         (now.tv_sec == st->deadline.tv_sec &&
          now.tv_nsec >= st->deadline.tv_nsec);
}

static void stop(xmlParserCtxtPtr ctxt, const char *code, const char *text) {
  parse_state *st = ctxt->_private;
  if (!st->stop_code) {
    st->stop_code = code;
    st->stop_text = text;
    st->stop_line = ctxt->input ? ctxt->input->line : 0;
  }
  xmlStopParser(ctxt);
}

/* A stop by a limit keeps the figures the refusal must give (3.4). */
static void stop_at_limit(xmlParserCtxtPtr ctxt, const char *code,
                          const char *limit, double value, double actual,
                          int at_least) {
  parse_state *st = ctxt->_private;
  if (!st->stop_code) {
    st->stop_limit = limit;
    st->stop_value = value;
    st->stop_actual = actual;
    st->stop_at_least = at_least;
  }
  stop(ctxt, code, limit);
}

static void stop_past_deadline(xmlParserCtxtPtr ctxt) {
  parse_state *st = ctxt->_private;
  struct timespec now;
  double ran;
  clock_gettime(CLOCK_MONOTONIC, &now);
  ran = (double)(now.tv_sec - st->started.tv_sec) +
        (double)(now.tv_nsec - st->started.tv_nsec) / 1e9;
  stop_at_limit(ctxt, "AXL-P16", "max_seconds", st->lim.max_seconds, ran, 0);
}

/*
** Counts attributes per tag on the raw bytes: '=' outside quotes between
** '<' and '>'. Comments, CDATA sections and PIs are skipped whole so their
** text cannot be mistaken for markup (nor a quote in it hide what follows). It runs over every input, so it is
** mostly memchr and counts no lines: the line of a refusal is worked out
** only when there is one. Returns the offset of the first tag over the
** limit, or -1; *count is then that tag's attributes (the rest of the tag
** is counted too, so the refusal can say how many).
*/
static long prescan_attributes(const char *start, size_t len, size_t max,
                               size_t *count_out) {
  const char *p = start, *end = start + len;
  while (p < end) {
    const char *lt = memchr(p, '<', (size_t)(end - p));
    const char *close = NULL;
    if (!lt) break;
    p = lt + 1;
    if (end - p >= 3 && memcmp(p, "!--", 3) == 0) {
      for (const char *q = p + 3; q + 2 < end; q++)
        if (q[0] == '-' && q[1] == '-' && q[2] == '>') { close = q + 3; break; }
      if (!close) break;
      p = close;
      continue;
    }
    if (end - p >= 8 && memcmp(p, "![CDATA[", 8) == 0) {
      for (const char *q = p + 8; q + 2 < end; q++)
        if (q[0] == ']' && q[1] == ']' && q[2] == '>') { close = q + 3; break; }
      if (!close) break;
      p = close;
      continue;
    }
    /* A processing instruction (the XML declaration too) may hold '<',
    ** quotes and '=' freely: skipped whole, up to "?>". Counted as a tag,
    ** an unbalanced quote in one hid the rest of the input from the count
    ** (found in review: 240 000 attributes then reached libxml2's
    ** quadratic check, 16 s). */
    if (p < end && *p == '?') {
      for (const char *q = p + 1; q + 1 < end; q++)
        if (q[0] == '?' && q[1] == '>') { close = q + 2; break; }
      if (!close) break;
      p = close;
      continue;
    }
    {
      /* An attribute value holds no '<', so a tag ends before the next
      ** '<': a stretch up to it no longer than max cannot hold more than
      ** max '='. Most tags are short, and memchr is much faster than the
      ** byte loop below, which then runs on long stretches only. */
      const char *next = memchr(p, '<', (size_t)(end - p));
      size_t count = 0;
      char quote = 0;
      if ((size_t)((next ? next : end) - p) <= max) {
        p = next ? next : end;
        continue;
      }
      for (; p < end; p++) {
        char c = *p;
        if (quote) {
          if (c == quote) quote = 0;
        } else if (c == '"' || c == '\'') {
          quote = c;
        } else if (c == '=') {
          ++count;
        } else if (c == '>') {
          break;
        }
      }
      if (count > max) {
        *count_out = count;
        return (long)(lt - start);
      }
    }
  }
  return -1;
}

/* UTF-16 or UTF-32, by byte order mark or by the zero bytes around the
** first '<' (XML 1.0 appendix F): refused before libxml2 converts it. */
static int wide_encoding(const char *b, size_t len) {
  const unsigned char *u = (const unsigned char *)b;
  if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) ||
                   (u[0] == 0xFE && u[1] == 0xFF)))
    return 1;
  if (len >= 4 && ((u[0] == 0 && u[1] == 0) || (u[2] == 0 && u[3] == 0) ||
                   (u[0] == 0 && u[1] == '<') || (u[0] == '<' && u[1] == 0)))
    return 1;
  return 0;
}

static long line_at(const char *start, long offset) {
  long line = 1;
  for (const char *q = start; q < start + offset; q++) line += (*q == '\n');
  return line;
}

/* Our own structured handler: keeps the first real error's code and line. */
static void collect_error(void *ctx, xmlErrorPtr e) {
  xmlParserCtxtPtr ctxt = ctx;
  parse_state *st = ctxt ? ctxt->_private : NULL;
  if (!st || !e || e->level < XML_ERR_ERROR) return;
  if (!st->xml_code) {
    st->xml_code = e->code ? e->code : XML_ERR_INTERNAL_ERROR;
    st->xml_line = e->line;
  }
}

static void refuse_doctype(void *ctx, const xmlChar *name,
                           const xmlChar *external_id,
                           const xmlChar *system_id) {
  (void)name; (void)external_id; (void)system_id;
  stop(ctx, "AXL-P02", "DOCTYPE refused: AX messages have no DTD");
}

static int name_is(const xmlChar *s, const char *a, const char *b,
                   const char *c) {
  return s && (xmlStrcasecmp(s, BAD_CAST a) == 0 ||
               (b && xmlStrcasecmp(s, BAD_CAST b) == 0) ||
               (c && xmlStrcasecmp(s, BAD_CAST c) == 0));
}

/* Version and encoding are known once the XML declaration is read. */
static void start_document(void *ctx) {
  xmlParserCtxtPtr ctxt = ctx;
  xmlSAX2StartDocument(ctx);
  if (ctxt->version && xmlStrcmp(ctxt->version, BAD_CAST "1.0") != 0) {
    stop(ctxt, "AXL-P09", "XML version other than 1.0");
    return;
  }
  {
    const xmlChar *declared = ctxt->input && ctxt->input->encoding
                              ? ctxt->input->encoding : ctxt->encoding;
    int ascii = name_is(declared, "US-ASCII", "ASCII", NULL);
    int utf8 = name_is(declared, "UTF-8", "UTF8", NULL);
    int converting = ctxt->input && ctxt->input->buf &&
                     ctxt->input->buf->encoder != NULL;
    if ((declared && !ascii && !utf8) || (converting && !ascii))
      stop(ctxt, "AXL-P08", "encoding other than UTF-8 or US-ASCII");
  }
}

static int is_blank(const xmlChar *s) {
  if (!s) return 1;
  for (; *s; s++)
    if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') return 0;
  return 1;
}

/*
** The last child of parent, if it is text, either is whitespace between
** elements (freed now) or is mixed content (refused). Returns 0 to go on.
*/
static int drop_blank_tail(xmlParserCtxtPtr ctxt, xmlNodePtr parent) {
  xmlNodePtr last = parent ? parent->last : NULL;
  if (!last || last->type != XML_TEXT_NODE) return 0;
  if (!is_blank(last->content)) {
    stop(ctxt, "AXL-P10", "mixed content: text beside child elements");
    return -1;
  }
  xmlUnlinkNode(last);
  xmlFreeNode(last);
  return 0;
}

static void start_element(void *ctx, const xmlChar *localname,
                          const xmlChar *prefix, const xmlChar *uri,
                          int nb_namespaces, const xmlChar **namespaces,
                          int nb_attributes, int nb_defaulted,
                          const xmlChar **attributes) {
  xmlParserCtxtPtr ctxt = ctx;
  parse_state *st = ctxt->_private;
  xmlNodePtr parent = ctxt->node;

  if (parent) {
    xmlNodePtr last = parent->last;
    /* Element beside text: refuse, or drop the whitespace. */
    if (last && last->type == XML_TEXT_NODE && drop_blank_tail(ctxt, parent))
      return;
  }
  if (past_deadline(st)) {
    stop_past_deadline(ctxt);
    return;
  }
  if (++st->depth > st->lim.max_depth) {
    stop_at_limit(ctxt, "AXL-P04", "max_depth", (double)st->lim.max_depth,
                  (double)st->depth, 1);
    return;
  }
  if (++st->elements > st->lim.max_elements) {
    stop_at_limit(ctxt, "AXL-P06", "max_elements",
                  (double)st->lim.max_elements, (double)st->elements, 1);
    return;
  }
  if (uri) {
    stop(ctxt, "AXL-P13", "element in a namespace (AX elements have none)");
    return;
  }
  if ((size_t)nb_attributes > st->lim.max_attributes) {
    stop_at_limit(ctxt, "AXL-P05", "max_attributes",
                  (double)st->lim.max_attributes, (double)nb_attributes, 0);
    return;
  }
  for (int i = 0; i < nb_attributes; i++) {
    const xmlChar *v = attributes[i * 5 + 3], *e = attributes[i * 5 + 4];
    if ((size_t)(e - v) > st->lim.max_text) {
      stop_at_limit(ctxt, "AXL-P07", "max_text", (double)st->lim.max_text,
                    (double)(e - v), 0);
      return;
    }
  }
  st->text_run = 0;
  xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces,
                        namespaces, nb_attributes, nb_defaulted, attributes);
  if (ctxt->node && ctxt->node != parent)
    ctxt->node->_private = (void *)(uintptr_t)ctxt->input->line;
}

/* An attribute and a child element of one name would share a table key. */
static int attr_collides(xmlNodePtr node) {
  for (xmlAttrPtr a = node->properties; a; a = a->next) {
    if (a->ns) continue;  /* namespaced attributes are not table fields */
    for (xmlNodePtr c = node->children; c; c = c->next)
      if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, a->name))
        return 1;
  }
  return 0;
}

static void end_element(void *ctx, const xmlChar *localname,
                        const xmlChar *prefix, const xmlChar *uri) {
  xmlParserCtxtPtr ctxt = ctx;
  parse_state *st = ctxt->_private;
  xmlNodePtr node = ctxt->node;
  if (node && node->children && node->children != node->last &&
      node->last->type == XML_TEXT_NODE) {
    /* Several children ending in text: trailing whitespace or mixed. */
    if (drop_blank_tail(ctxt, node)) return;
  }
  if (node && node->properties && node->children &&
      node->children->type == XML_ELEMENT_NODE && attr_collides(node)) {
    stop(ctxt, "AXL-P11", "an attribute and a child element share a name");
    return;
  }
  st->depth--;
  st->text_run = 0;
  xmlSAX2EndElementNs(ctx, localname, prefix, uri);
}

static int blank_run(const xmlChar *ch, int len) {
  for (int i = 0; i < len; i++)
    if (ch[i] != ' ' && ch[i] != '\t' && ch[i] != '\n' && ch[i] != '\r')
      return 0;
  return 1;
}

static void characters(void *ctx, const xmlChar *ch, int len) {
  xmlParserCtxtPtr ctxt = ctx;
  parse_state *st = ctxt->_private;
  xmlNodePtr node = ctxt->node;
  /* An empty CDATA section arrives as zero characters: an empty text node
  ** would serialise as <a></a>, not <a/>, and break the fixed point. */
  if (len <= 0) return;
  /* Whitespace right after a child element is indentation: no node is
  ** made for it. Text that follows it is refused as mixed content anyway,
  ** so nothing that matters can be lost. */
  if (node && node->last && node->last->type == XML_ELEMENT_NODE &&
      blank_run(ch, len))
    return;
  if (past_deadline(st)) {
    stop_past_deadline(ctxt);
    return;
  }
  st->text_run += (size_t)len;
  st->text_total += (size_t)len;
  if (st->text_run > st->lim.max_text) {
    stop_at_limit(ctxt, "AXL-P07", "max_text", (double)st->lim.max_text,
                  (double)st->text_run, 1);
    return;
  }
  xmlSAX2Characters(ctx, ch, len);
}

static void install_handlers(xmlSAXHandlerPtr sax) {
  sax->internalSubset = refuse_doctype;
  sax->externalSubset = NULL;
  sax->startDocument = start_document;
  sax->startElementNs = start_element;
  sax->endElementNs = end_element;
  sax->characters = characters;
  sax->ignorableWhitespace = characters;
  sax->cdataBlock = NULL;            /* CDATA arrives as characters */
  sax->comment = NULL;               /* comments and PIs are dropped */
  sax->processingInstruction = NULL;
  sax->reference = NULL;
  sax->serror = collect_error;
  sax->error = NULL;
  sax->warning = NULL;
}

/*
** The input, handed to libxml2 a chunk at a time as it asks, the way it
** reads a file: xmlCtxtReadMemory would first copy the whole input into a
** buffer of its own (rounded up to a power of two: 64 MiB for a 44 MB AX)
** and keep it to the end of the parse. Read through this callback,
** libxml2's buffer stays a few KiB, dropped as it goes.
*/
typedef struct chunked {
  const char *p;
  size_t left;
} chunked;

static int read_chunk(void *ctx, char *buf, int len) {
  chunked *c = ctx;
  size_t n = len > 0 ? (size_t)len : 0;
  if (n > c->left) n = c->left;
  memcpy(buf, c->p, n);
  c->p += n;
  c->left -= n;
  return (int)n;
}

size_t axl_estimate_bytes(size_t elements, size_t text_bytes) {
  /* An element node is 120 bytes on 64-bit, its text node as much again. */
  return elements * 2 * sizeof(xmlNode) + text_bytes + 4096;
}

static axl_message *parse_guarded(const char *bytes, size_t len,
                                  const axl_limits *limits, axl_error *err) {
  parse_state st;
  xmlParserCtxtPtr ctxt;
  xmlDocPtr doc;
  long bad_line;
  size_t attrs = 0;

  memset(&st, 0, sizeof st);
  axl_limits_resolve(&st.lim, limits);
  if (st.lim.max_seconds > 0) set_deadline(&st);
  if (len > st.lim.max_bytes || len > (size_t)INT_MAX) {
    /* libxml2 takes an int length: past INT_MAX is over its limit too. */
    axl_error_limit(err, "AXL-P03", 0, "max_bytes",
                    (double)(st.lim.max_bytes < (size_t)INT_MAX
                             ? st.lim.max_bytes : (size_t)INT_MAX),
                    (double)len, 0);
    return NULL;
  }
  if (len == 0) {
    axl_error_set(err, "AXL-P12", 0, "empty input");
    return NULL;
  }
  if (wide_encoding(bytes, len)) {
    axl_error_set(err, "AXL-P08", 0, "encoding other than UTF-8 or US-ASCII");
    return NULL;
  }
  /* libxml2 stops at a NUL byte and reports success for what came before,
  ** so a second document could hide behind one. XML allows none anywhere. */
  if (memchr(bytes, '\0', len)) {
    axl_error_set(err, "AXL-P01", line_at(bytes, (long)((const char *)
                  memchr(bytes, '\0', len) - bytes)), "NUL byte in the input");
    return NULL;
  }
  bad_line = prescan_attributes(bytes, len, st.lim.max_attributes, &attrs);
  if (bad_line >= 0) {
    axl_error_limit(err, "AXL-P05", line_at(bytes, bad_line),
                    "max_attributes", (double)st.lim.max_attributes,
                    (double)attrs, 0);
    return NULL;
  }
  ctxt = xmlNewParserCtxt();
  if (!ctxt) {
    axl_error_set(err, "AXL-P15", 0, "out of memory");
    return NULL;
  }
  install_handlers(ctxt->sax);
  ctxt->_private = &st;
  {
    chunked in = { bytes, len };
    doc = xmlCtxtReadIO(ctxt, read_chunk, NULL, &in, NULL, NULL,
                        AXL_PARSE_OPTIONS);
  }
  if (!doc && ctxt->myDoc) {  /* not returned on some fatal paths */
    doc = ctxt->myDoc;
  }
  ctxt->myDoc = NULL;

  /* Strict result rule: any doubt is a failure (reliability.md P18). */
  if (st.stop_limit) {
    axl_error_limit(err, st.stop_code, st.stop_line, st.stop_limit,
                    st.stop_value, st.stop_actual, st.stop_at_least);
  } else if (st.stop_code) {
    axl_error_set(err, st.stop_code, st.stop_line, st.stop_text);
  } else if (st.xml_code || !doc || !ctxt->wellFormed || ctxt->errNo) {
    int code = st.xml_code ? st.xml_code : ctxt->errNo;
    long line = st.xml_code ? st.xml_line
                            : (ctxt->input ? ctxt->input->line : 0);
    if (code == XML_ERR_NO_MEMORY)
      axl_error_set(err, "AXL-P15", line, "out of memory");
    else if (!doc && !code)
      axl_error_set(err, "AXL-P12", line, "no root element");
    else if (code == XML_ERR_UNKNOWN_VERSION ||
             code == XML_ERR_VERSION_MISMATCH)
      axl_error_set(err, "AXL-P09", line, "XML version other than 1.0");
    else
      axl_error_set(err, code == XML_ERR_DOCUMENT_EMPTY ? "AXL-P12"
                    : "AXL-P01", line, axl_xml_error_text(code));
    if (err) err->xml_code = code;
  } else if (doc->intSubset || doc->extSubset) {
    axl_error_set(err, "AXL-P02", 0, "DOCTYPE refused: AX messages have no "
                  "DTD");
  } else if (!xmlDocGetRootElement(doc)) {
    axl_error_set(err, "AXL-P12", 0, "no root element");
  } else {
    axl_message *m;
    xmlFreeParserCtxt(ctxt);
    /* Canonical declaration: version 1.0, no standalone, utf-8. */
    doc->standalone = -1;
    m = axl_message_wrap(doc, err);
    if (m) {
      m->est_bytes = axl_estimate_bytes(st.elements, st.text_total);
      m->limits = st.lim;
    }
    return m;
  }
  if (doc) xmlFreeDoc(doc);
  xmlFreeParserCtxt(ctxt);
  return NULL;
}

axl_message *axl_parse(const char *bytes, size_t len, const axl_limits *limits,
                       axl_error *err) {
  axl_guard g;
  axl_message *m;
  axl_error_clear(err);
  if (!bytes && len) {
    axl_error_set(err, "AXL-P12", 0, "no input");
    return NULL;
  }
  axl_guard_enter(&g);
  m = parse_guarded(bytes ? bytes : "", len, limits, err);
  if (axl_guard_leave(&g) && m) {
    axl_message_free(m);
    m = NULL;
    axl_error_set(err, "AXL-P15", 0, "out of memory");
  }
  return m;
}
