/*
** Parse's limits, and whether a document keeps to them. Builders (fromtable,
** link) keep to the limits their message was parsed with, so that whatever
** axlink writes, axlink reads back under the same limits.
*/
#include "internal.h"

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
