/*
** Parse's limits, and whether a document keeps to them. Builders (fromtable,
** link) keep to the limits their message was parsed with, so that whatever
** axlink writes, axlink reads back under the same limits.
*/
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void axl_limits_resolve(axl_limits *out, const axl_limits *in) {
  axl_limits d = { AXL_DEFAULT_MAX_BYTES, AXL_DEFAULT_MAX_DEPTH,
                   AXL_DEFAULT_MAX_ATTRIBUTES, AXL_DEFAULT_MAX_ELEMENTS,
                   AXL_DEFAULT_MAX_TEXT, 0 };
  if (in) {
    if (in->max_bytes) d.max_bytes = in->max_bytes;
    if (in->max_depth) d.max_depth = in->max_depth;
    if (in->max_attributes) d.max_attributes = in->max_attributes;
    if (in->max_elements) d.max_elements = in->max_elements;
    if (in->max_text) d.max_text = in->max_text;
    if (in->max_seconds > 0) d.max_seconds = in->max_seconds;
  }
  /* Anything axlink writes must be readable again by libxml2 (its own
  ** depth limit is 256 without XML_PARSE_HUGE, which axlink never sets). */
  if (d.max_depth > AXL_MAX_DEPTH_CEILING) d.max_depth = AXL_MAX_DEPTH_CEILING;
  *out = d;
}

static size_t text_len(const xmlNode *n) {
  size_t len = 0;
  for (const xmlNode *t = n; t && t->type == XML_TEXT_NODE; t = t->next)
    len += t->content ? strlen((const char *)t->content) : 0;
  return len;
}

static const char *element_over(const xmlNode *e, const axl_limits *lim) {
  size_t attrs = 0;
  for (const xmlAttr *a = e->properties; a; a = a->next) {
    attrs++;
    if (a->children && text_len(a->children) > lim->max_text)
      return "max_text";
  }
  for (const xmlNs *ns = e->nsDef; ns; ns = ns->next) attrs++;
  if (attrs > lim->max_attributes) return "max_attributes";
  if (e->children && e->children->type == XML_TEXT_NODE &&
      text_len(e->children) > lim->max_text)
    return "max_text";
  return NULL;
}

/* Walks the tree without recursion: depth is bounded by the limit anyway,
** but a document built in memory need not be. */
const char *axl_doc_over_limits(xmlDocPtr doc, const axl_limits *lim) {
  const xmlNode *n = xmlDocGetRootElement(doc);
  size_t depth = 1, elements = 0;
  while (n) {
    if (n->type == XML_ELEMENT_NODE) {
      const char *over;
      if (depth > lim->max_depth) return "max_depth";
      if (++elements > lim->max_elements) return "max_elements";
      if ((over = element_over(n, lim))) return over;
      if (n->children) {
        n = n->children;
        depth++;
        continue;
      }
    }
    while (n && !n->next && depth > 1) {
      n = n->parent;
      depth--;
    }
    n = n && depth > 1 ? n->next : NULL;
  }
  return NULL;
}

/* ====================================================================
** Refusals by a limit: which one, its value, the measured figure
** ==================================================================== */

/* "16 MiB", "70.2 MiB", "512 bytes": one decimal unless it is whole. */
static void format_bytes(char *buf, size_t size, double v) {
  static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
  double x = v;
  int u = -1;
  if (v < 1024) {
    snprintf(buf, size, "%.0f byte%s", v, v == 1 ? "" : "s");
    return;
  }
  while (x >= 1024 && u < 3) {
    x /= 1024;
    u++;
  }
  if (x == (double)(long long)x)
    snprintf(buf, size, "%.0f %s", x, units[u]);
  else
    snprintf(buf, size, "%.1f %s", x, units[u]);
}

/* Both figures in one unit; when rounding makes them look alike ("16.0 MiB,
** over max_bytes (16 MiB)"), the exact byte counts instead. */
static void format_pair(char *a, char *b, size_t size, double actual,
                        double value) {
  format_bytes(a, size, actual);
  format_bytes(b, size, value);
  if (atof(a) == atof(b) && !strcmp(strchr(a, ' '), strchr(b, ' '))) {
    snprintf(a, size, "%.0f bytes", actual);
    snprintf(b, size, "%.0f bytes", value);
  }
}

void axl_error_limit(axl_error *err, const char *code, long line,
                     const char *limit, double value, double actual,
                     int at_least) {
  char text[200], a[48], b[48];
  if (!err) return;
  if (!strcmp(limit, "max_bytes")) {
    format_pair(a, b, sizeof a, actual, value);
    snprintf(text, sizeof text, "input is %s, over max_bytes (%s)", a, b);
  } else if (!strcmp(limit, "max_text")) {
    format_pair(a, b, sizeof a, actual, value);
    snprintf(text, sizeof text, "a text or attribute value of %s%s, over "
             "max_text (%s)", at_least ? "at least " : "", a, b);
  } else if (!strcmp(limit, "max_depth")) {
    snprintf(text, sizeof text, "elements nested %s%.0f deep, over "
             "max_depth (%.0f)", at_least ? "at least " : "", actual, value);
  } else if (!strcmp(limit, "max_attributes")) {
    snprintf(text, sizeof text, "an element with %s%.0f attributes, over "
             "max_attributes (%.0f)", at_least ? "at least " : "", actual,
             value);
  } else if (!strcmp(limit, "max_elements")) {
    snprintf(text, sizeof text, "%s%.0f elements, over max_elements (%.0f)",
             at_least ? "at least " : "", actual, value);
  } else {
    snprintf(text, sizeof text, "the parse ran %.2f s, over %s (%g s)",
             actual, limit, value);
  }
  axl_error_set(err, code, line, text);
  err->limit = limit;
  err->limit_value = value;
  err->limit_actual = actual;
}
