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
**   the parse goes, and attribute counts by a byte pre-scan of each chunk
**   *before* libxml2 sees it, because 2.9.14's duplicate-attribute check is
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
** The pre-scans, run on each chunk of the input before libxml2 sees it, so
** that a file is never held whole (an AX of 44 MB would be): a NUL byte
** anywhere, and a tag with more attributes than max_attributes. The second
** counts '=' outside quotes between '<' and '>', because libxml2 2.9.14's
** duplicate-attribute check is quadratic and would burn the CPU before any
** callback could stop it. Comments, CDATA sections and PIs are skipped whole
** so their text cannot be mistaken for markup (nor a quote in it hide what
** follows: a PI counted as a tag once hid 240 000 attributes from the count,
** 16 s in libxml2). The scanner is resumable: its state (inside a tag, a
** quote, a comment, CDATA, a PI, the bytes after a '<' not yet classified)
** carries across chunk boundaries, and the outcome is the same however the
** input is cut. Lines are counted per chunk (a word at a time) so that a
** refusal can name the line of the NUL byte or of the tag's '<'.
*/
enum { S_TEXT, S_LT, S_COMMENT, S_CDATA, S_PI, S_TAG_PEND, S_TAG_COUNT };

typedef struct prescan {
  size_t max;            /* max_attributes */
  long line;             /* 1 + the newlines before the current chunk */
  int mode;
  size_t npend;          /* S_LT: bytes after '<' matched so far */
  int may_comment, may_cdata;  /* ... as the start of "<!--", "<![CDATA[" */
  int match;             /* comment, CDATA, PI: end marker bytes matched */
  char quote;            /* tag: the open quote, or 0 */
  int done;              /* S_TAG_PEND: the tag's '>' was seen */
  size_t dist;           /* S_TAG_PEND: bytes since the '<' */
  size_t count;          /* tag: '=' outside quotes so far */
  const char *lt;        /* the tag's '<' in the current chunk, or NULL */
  long lt_line;          /* its line, once its chunk is gone */
  int off;               /* scan nothing more (the outcome is known) */
  long nul_line;         /* > 0: a NUL byte is on this line */
  int doomed;            /* a tag is over max_attributes (count may grow) */
  int over;              /* ... and its count is final */
  long over_line;
} prescan;

/* Newlines in s[0..n), eight bytes at a time. */
static long count_lines(const char *s, size_t n) {
  const unsigned char *u = (const unsigned char *)s;
  const uint64_t ones = 0x0101010101010101ULL;
  const uint64_t low7 = ones * 0x7F, high = ones * 0x80, nl = ones * '\n';
  long lines = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w, x, t;
    memcpy(&w, u + i, 8);
    x = w ^ nl;                      /* a zero byte where there is '\n' */
    t = ~(((x & low7) + low7) | x) & high;  /* its high bit, only there */
    lines += (long)(((t >> 7) * ones) >> 56);
  }
  for (; i < n; i++) lines += u[i] == '\n';
  return lines;
}

static long tag_line(const prescan *sc, const char *chunk) {
  return sc->lt ? sc->line + count_lines(chunk, (size_t)(sc->lt - chunk))
                : sc->lt_line;
}

static const char *const comment_open = "!--", *const cdata_open =
  "![CDATA[";

/* Bytes inside a tag once its stretch is longer than max: counted one by
** one up to the tag's '>' outside quotes ('<' does not end it). */
static const char *scan_count(prescan *sc, const char *chunk, const char *p,
                              const char *end) {
  for (; p < end; p++) {
    char c = *p;
    if (sc->quote) {
      if (c == sc->quote) sc->quote = 0;
    } else if (c == '"' || c == '\'') {
      sc->quote = c;
    } else if (c == '=') {
      if (++sc->count > sc->max && !sc->doomed) {
        sc->doomed = 1;
        sc->over_line = tag_line(sc, chunk);
      }
    } else if (c == '>') {
      if (sc->doomed) {
        sc->over = 1;
        return end;
      }
      sc->mode = S_TEXT;
      return p + 1;
    }
  }
  return p;
}

/*
** A tag's bytes while it is not yet known whether the stretch up to the
** next '<' is longer than max. An attribute value holds no '<', so a stretch
** no longer than max cannot hold more than max '=': skipped (mostly by one
** memchr). Past max bytes without a '<', the tag is counted from its start:
** its count so far was kept here on the way.
*/
static const char *scan_pending(prescan *sc, const char *p, const char *end) {
  const char *next = memchr(p, '<', (size_t)(end - p));
  if (next && (size_t)(next - p) <= sc->max - sc->dist) {
    sc->mode = S_TEXT;
    return next;
  }
  for (; p < end; p++) {
    char c = *p;
    if (c == '<') {              /* within max bytes of the tag's start */
      sc->mode = S_TEXT;
      return p;
    }
    sc->dist++;
    if (!sc->done) {
      if (sc->quote) {
        if (c == sc->quote) sc->quote = 0;
      } else if (c == '"' || c == '\'') {
        sc->quote = c;
      } else if (c == '=') {
        sc->count++;
      } else if (c == '>') {
        sc->done = 1;
      }
    }
    if (sc->dist > sc->max) {
      /* A tag ended within the stretch has at most max '=' in it. */
      sc->mode = sc->done ? S_TEXT : S_TAG_COUNT;
      return p + 1;
    }
  }
  return p;
}

static void start_tag(prescan *sc, size_t dist) {
  sc->mode = S_TAG_PEND;
  sc->dist = dist;
  sc->count = 0;
  sc->quote = 0;
  sc->done = 0;
  if (dist > sc->max) sc->mode = S_TAG_COUNT;
}

/* The bytes after '<': a comment, a CDATA section, a PI or a tag. */
static const char *classify(prescan *sc, const char *p, const char *end) {
  if (sc->npend == 0 && (size_t)(end - p) >= 8) {
    if (memcmp(p, comment_open, 3) == 0) {
      sc->mode = S_COMMENT;
      sc->match = 0;
      return p + 3;
    }
    if (memcmp(p, cdata_open, 8) == 0) {
      sc->mode = S_CDATA;
      sc->match = 0;
      return p + 8;
    }
    if (*p == '?') {
      sc->mode = S_PI;
      sc->match = 0;
      return p + 1;
    }
    start_tag(sc, 0);
    return p;
  }
  sc->mode = S_LT;
  for (; p < end; p++) {
    char c = *p;
    size_t k = sc->npend;
    int mc = sc->may_comment && k < 3 && c == comment_open[k];
    int md = sc->may_cdata && k < 8 && c == cdata_open[k];
    if (k == 0 && c == '?') {
      sc->mode = S_PI;
      sc->match = 0;
      return p + 1;
    }
    if (mc && k == 2) {
      sc->mode = S_COMMENT;
      sc->match = 0;
      return p + 1;
    }
    if (md && k == 7) {
      sc->mode = S_CDATA;
      sc->match = 0;
      return p + 1;
    }
    if (mc || md) {
      sc->may_comment = mc;
      sc->may_cdata = md;
      sc->npend++;
      continue;
    }
    /* A tag: the bytes matched so far hold no '<', '>', '=' or quote. */
    start_tag(sc, k);
    return p;
  }
  return p;
}

/* Comments, CDATA sections and PIs end at "-->", "]]>" and "?>". */
static const char *scan_skip(prescan *sc, const char *p, const char *end) {
  char mark = sc->mode == S_COMMENT ? '-' : sc->mode == S_CDATA ? ']' : '?';
  int need = sc->mode == S_PI ? 1 : 2;
  for (; p < end; p++) {
    char c = *p;
    if (c == '>' && sc->match >= need) {
      sc->mode = S_TEXT;
      return p + 1;
    }
    sc->match = c == mark ? (sc->match < 2 ? sc->match + 1 : 2) : 0;
  }
  return p;
}

static void scan_attributes(prescan *sc, const char *chunk, size_t len) {
  const char *p = chunk, *end = chunk + len;
  while (p < end && !sc->over) {
    switch (sc->mode) {
    case S_TEXT: {
      const char *lt = memchr(p, '<', (size_t)(end - p));
      if (!lt) return;
      sc->lt = lt;
      sc->npend = 0;
      sc->may_comment = sc->may_cdata = 1;
      p = classify(sc, lt + 1, end);
      break;
    }
    case S_LT:
      p = classify(sc, p, end);
      break;
    case S_TAG_PEND:
      p = scan_pending(sc, p, end);
      break;
    case S_TAG_COUNT:
      p = scan_count(sc, chunk, p, end);
      break;
    default:
      p = scan_skip(sc, p, end);
      break;
    }
  }
}

static void prescan_init(prescan *sc, size_t max_attributes) {
  memset(sc, 0, sizeof *sc);
  sc->max = max_attributes;
  sc->line = 1;
  sc->mode = S_TEXT;
}

/* One chunk, in input order. */
static void prescan_chunk(prescan *sc, const char *chunk, size_t len) {
  const char *nul;
  if (sc->off) return;
  /* libxml2 stops at a NUL byte and reports success for what came before,
  ** so a second document could hide behind one. XML allows none anywhere,
  ** and a NUL byte outranks every other refusal. */
  nul = memchr(chunk, '\0', len);
  if (nul) {
    sc->nul_line = sc->line + count_lines(chunk, (size_t)(nul - chunk));
    sc->off = 1;
    return;
  }
  if (!sc->over) scan_attributes(sc, chunk, len);
  if (sc->lt && (sc->mode == S_LT || sc->mode == S_TAG_PEND ||
                 sc->mode == S_TAG_COUNT))   /* it goes on after the chunk */
    sc->lt_line = tag_line(sc, chunk);
  sc->lt = NULL;
  sc->line += count_lines(chunk, len);
}

/* The end of the input. */
static void prescan_finish(prescan *sc) {
  if (!sc->off && sc->mode == S_TAG_COUNT && sc->doomed) sc->over = 1;
}

/* The input may not go to libxml2 (any further). */
static int prescan_refused(const prescan *sc) {
  return sc->off || sc->doomed;
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
** libxml2's buffer stays a few KiB, dropped as it goes. Each chunk of the
** source is pre-scanned whole before libxml2 gets a byte of it; once a
** pre-scan refuses, libxml2 gets nothing more (it fails on the read, and
** the pre-scan's refusal is the one reported).
*/
typedef struct feed {
  const axl_source *src;
  prescan sc;
  const char *p;          /* the current chunk's bytes not yet handed on */
  size_t left;
  const char *io_error;   /* the source's AXL-P14 text, or NULL */
  int ended;
} feed;

/* The next chunk, pre-scanned: 0, or -1 at the end or on a read error. */
static int feed_next(feed *f) {
  const char *chunk = NULL;
  size_t len = 0;
  if (f->ended) return -1;
  f->io_error = f->src->next(f->src->ud, &chunk, &len);
  if (f->io_error || len == 0) {
    f->ended = 1;
    f->left = 0;
    if (!f->io_error) prescan_finish(&f->sc);
    return -1;
  }
  prescan_chunk(&f->sc, chunk, len);
  f->p = chunk;
  f->left = len;
  return 0;
}

/* libxml2's buffer is filled whole, across chunks, as from one buffer:
** it is then read exactly as before the pre-scans went by chunks (2.9.14
** misreads a comment cut by a short read). */
static int read_chunk(void *ctx, char *buf, int len) {
  feed *f = ctx;
  size_t want = len > 0 ? (size_t)len : 0, n = 0;
  while (n < want) {
    size_t k;
    while (f->left == 0 && !prescan_refused(&f->sc))
      if (feed_next(f) < 0) return n ? (int)n : f->io_error ? -1 : 0;
    if (prescan_refused(&f->sc)) return n ? (int)n : -1;
    k = want - n < f->left ? want - n : f->left;
    memcpy(buf + n, f->p, k);
    f->p += k;
    f->left -= k;
    n += k;
  }
  return (int)n;
}

/* axl_parse's bytes, cut much finer than a file's chunks although they are
** all in memory: the same scanner then meets many more cuts (the fuzzer's
** inputs, within 64 KiB, have 15 each), for a few calls more per input. */
#define MEMORY_CHUNK 4096

typedef struct memory_source {
  const char *p;
  size_t left;
} memory_source;

static const char *memory_next(void *ud, const char **chunk, size_t *len) {
  memory_source *m = ud;
  size_t n = m->left < MEMORY_CHUNK ? m->left : MEMORY_CHUNK;
  *chunk = m->p;
  *len = n;
  m->p += n;
  m->left -= n;
  return NULL;
}

size_t axl_estimate_bytes(size_t elements, size_t text_bytes) {
  /* An element node is 120 bytes on 64-bit, its text node as much again. */
  return elements * 2 * sizeof(xmlNode) + text_bytes + 4096;
}

static axl_message *parse_guarded(const axl_source *src, size_t len,
                                  const axl_limits *limits, axl_error *err) {
  parse_state st;
  xmlParserCtxtPtr ctxt = NULL;
  xmlDocPtr doc = NULL;
  feed f;
  int wide;

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
  memset(&f, 0, sizeof f);
  f.src = src;
  prescan_init(&f.sc, st.lim.max_attributes);
  if (feed_next(&f) < 0) {
    if (f.io_error)
      axl_error_set(err, "AXL-P14", 0, f.io_error);
    else
      axl_error_set(err, "AXL-P12", 0, "empty input");
    return NULL;
  }
  /* The first chunk holds the first bytes of the input (all of them, or
  ** at least 4): enough for the byte order mark and the first '<'. */
  wide = wide_encoding(f.p, f.left);
  if (wide) f.sc.off = 1;
  if (!prescan_refused(&f.sc)) {
    ctxt = xmlNewParserCtxt();
    if (ctxt) {
      install_handlers(ctxt->sax);
      ctxt->_private = &st;
      doc = xmlCtxtReadIO(ctxt, read_chunk, NULL, &f, NULL, NULL,
                          AXL_PARSE_OPTIONS);
      if (!doc && ctxt->myDoc) {  /* not returned on some fatal paths */
        doc = ctxt->myDoc;
      }
      ctxt->myDoc = NULL;
    }
  }
  /* The rest of the input, read and pre-scanned (not parsed) whatever
  ** libxml2 made of the part before: a read error, then the pre-scans'
  ** refusals, outrank anything libxml2 says, as if they ran first. */
  while (feed_next(&f) == 0) {}
  if (f.io_error || wide || f.sc.nul_line || f.sc.over || !ctxt) {
    if (f.io_error)
      axl_error_set(err, "AXL-P14", 0, f.io_error);
    else if (wide)
      axl_error_set(err, "AXL-P08", 0, "encoding other than UTF-8 or "
                    "US-ASCII");
    else if (f.sc.nul_line)
      axl_error_set(err, "AXL-P01", f.sc.nul_line, "NUL byte in the input");
    else if (f.sc.over)
      axl_error_limit(err, "AXL-P05", f.sc.over_line, "max_attributes",
                      (double)st.lim.max_attributes, (double)f.sc.count, 0);
    else
      axl_error_set(err, "AXL-P15", 0, "out of memory");
    if (doc) xmlFreeDoc(doc);
    if (ctxt) xmlFreeParserCtxt(ctxt);
    return NULL;
  }

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

axl_message *axl_parse_source(const axl_source *src, size_t len,
                              const axl_limits *limits, axl_error *err) {
  axl_guard g;
  axl_message *m;
  axl_guard_enter(&g);
  m = parse_guarded(src, len, limits, err);
  if (axl_guard_leave(&g) && m) {
    axl_message_free(m);
    m = NULL;
    axl_error_set(err, "AXL-P15", 0, "out of memory");
  }
  return m;
}

axl_message *axl_parse(const char *bytes, size_t len, const axl_limits *limits,
                       axl_error *err) {
  memory_source mem;
  axl_source src;
  axl_error_clear(err);
  if (!bytes && len) {
    axl_error_set(err, "AXL-P12", 0, "no input");
    return NULL;
  }
  mem.p = bytes ? bytes : "";
  mem.left = len;
  src.next = memory_next;
  src.ud = &mem;
  return axl_parse_source(&src, len, limits, err);
}
