/*
** The message object: one libxml2 document, reference-counted so that the
** Lua binding's order records can keep a document alive after the message
** has moved on to a new one (msg:update swaps documents).
*/
#include "internal.h"
#include "axlink_build.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

axl_message *axl_message_wrap(xmlDocPtr doc, axl_error *err) {
  axl_message *m = xmlMalloc(sizeof *m);
  if (!m) {
    xmlFreeDoc(doc);
    axl_error_set(err, "AXL-P15", 0, "out of memory");
    return NULL;
  }
  m->doc = doc;
  m->refs = 1;
  m->est_bytes = axl_estimate_bytes(0, 0);
  axl_limits_resolve(&m->limits, NULL);
  m->journal = NULL;
  return m;
}

axl_message *axl_message_ref(axl_message *m) {
  if (m) m->refs++;
  return m;
}

void axl_message_unref(axl_message *m) {
  if (m && --m->refs == 0) {
    /* An open journal's changes stay: what it kept is freed. */
    axl_journal_commit(m);
    if (m->doc) xmlFreeDoc(m->doc);
    xmlFree(m);
  }
}

void axl_message_free(axl_message *m) {
  axl_message_unref(m);
}

xmlDocPtr axl_message_doc(const axl_message *m) {
  return m->doc;
}

const char *axl_root_name(const axl_message *m) {
  xmlNodePtr root = xmlDocGetRootElement(m->doc);
  return root ? (const char *)root->name : "";
}

size_t axl_message_size(const axl_message *m) {
  return m->est_bytes;
}

void axl_message_set_size(axl_message *m, size_t bytes) {
  m->est_bytes = bytes;
}

const axl_limits *axl_message_limits(const axl_message *m) {
  return &m->limits;
}

void axl_message_set_limits(axl_message *m, const axl_limits *limits) {
  axl_limits_resolve(&m->limits, limits);
}

long axl_node_line(const xmlNode *node) {
  if (!node || node->type != XML_ELEMENT_NODE) return 0;
  return (long)(uintptr_t)node->_private;
}

void axl_node_set_line(xmlNode *node, long line) {
  node->_private = (void *)(uintptr_t)line;
}

/*
** Whether two strings are equal, NULL only equal to NULL.
*/
static int same_str(const xmlChar *a, const xmlChar *b) {
  return a == b || (a && b && xmlStrEqual(a, b));
}

static int same_ns(const xmlNs *a, const xmlNs *b) {
  if (!a || !b) return a == b;
  return same_str(a->prefix, b->prefix) && same_str(a->href, b->href);
}

/* The namespace declarations of two elements, in order. */
static int same_ns_defs(const xmlNs *a, const xmlNs *b) {
  for (; a && b; a = a->next, b = b->next)
    if (!same_ns(a, b)) return 0;
  return !a && !b;
}

/* The attributes of two elements, in order: name, namespace and value
** (an attribute's value is its text children; axlink makes no entity
** references, so one text node or none). */
static int same_attrs(const xmlAttr *a, const xmlAttr *b) {
  for (; a && b; a = a->next, b = b->next) {
    const xmlNode *ta = a->children, *tb = b->children;
    if (!same_str(a->name, b->name) || !same_ns(a->ns, b->ns)) return 0;
    for (; ta && tb; ta = ta->next, tb = tb->next)
      if (ta->type != tb->type || !same_str(ta->name, tb->name) ||
          !same_str(ta->content, tb->content))
        return 0;
    if (ta || tb) return 0;
  }
  return !a && !b;
}

/*
** xmlDocCopyNode leaves _private (axlink's line numbers) behind: walk both
** trees side by side, carry the lines over, and compare everything a copy
** must hold. Returns -1 when the copy is not the original: under a failed
** allocation libxml2 2.9.14's xmlCopyDoc goes on and returns a document
** with nodes, attributes, namespace declarations or text silently missing
** (tree.c: xmlStaticCopyNodeList and xmlCopyPropList return NULL over what
** they had copied), which only a full comparison shows.
*/
int axl_copy_complete(const xmlNode *from, xmlNode *to) {
  while (from && to) {
    if (from->type != to->type || !same_str(from->name, to->name)) return -1;
    if (from->type == XML_ELEMENT_NODE) {
      if (!same_ns(from->ns, to->ns) || !same_ns_defs(from->nsDef, to->nsDef) ||
          !same_attrs(from->properties, to->properties))
        return -1;
      to->_private = from->_private;
      if (axl_copy_complete(from->children, to->children)) return -1;
    } else if (!same_str(from->content, to->content)) {
      return -1;
    }
    from = from->next;
    to = to->next;
  }
  return from || to ? -1 : 0;
}

xmlNs *axl_copy_ns_list(const xmlNs *list) {
  xmlNs *head = NULL, *tail = NULL;
  for (; list; list = list->next) {
    xmlNs *ns = xmlNewNs(NULL, list->href, list->prefix);
    if (!ns) {
      if (head) xmlFreeNsList(head);
      return NULL;
    }
    if (tail) tail->next = ns;
    else head = ns;
    tail = ns;
  }
  return head;
}

axl_message *axl_clone(const axl_message *m, axl_error *err) {
  axl_guard g;
  xmlDocPtr copy;
  axl_message *c = NULL;
  axl_error_clear(err);
  axl_guard_enter(&g);
  copy = xmlCopyDoc(m->doc, 1);
  if (copy && axl_copy_complete(m->doc->children, copy->children)) {
    xmlFreeDoc(copy);
    copy = NULL;
  }
  if (!copy) {
    axl_error_set(err, "AXL-P15", 0, "out of memory");
  } else {
    c = axl_message_wrap(copy, err);
    if (c) {
      c->est_bytes = m->est_bytes;
      c->limits = m->limits;
    }
  }
  if (axl_guard_leave(&g) && c) {
    axl_message_free(c);
    c = NULL;
    axl_error_set(err, "AXL-P15", 0, "out of memory");
  }
  return c;
}

void axl_node_path(const xmlNode *node, char *buf, size_t size) {
  const xmlNode *chain[AXL_MAX_DEPTH_CEILING + 1];
  size_t n = 0, used = 0;
  if (!size) return;
  buf[0] = '\0';
  for (; node && node->type == XML_ELEMENT_NODE && n < AXL_MAX_DEPTH_CEILING;
       node = node->parent)
    chain[n++] = node;
  while (n--) {
    const xmlNode *e = chain[n];
    int w;
    if (axl_element_repeats(e)) {
      int pos = 1;
      for (const xmlNode *s = e->prev; s; s = s->prev)
        if (s->type == XML_ELEMENT_NODE && xmlStrEqual(s->name, e->name)) pos++;
      w = snprintf(buf + used, size - used, "/%s[%d]", e->name, pos);
    } else {
      w = snprintf(buf + used, size - used, "/%s", e->name);
    }
    if (w < 0 || (size_t)w >= size - used) return;  /* truncated, still NUL */
    used += (size_t)w;
  }
}
