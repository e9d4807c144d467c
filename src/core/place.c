/*
** Where a new element goes (DESIGN 3.2), for the C core's own writers
** (linking): right after the last existing sibling that precedes it in
** the schema's order (where the message's schema knows the parent) or the
** model's; failing that, before the first that follows it; failing
** that, last. Document order of what exists is never touched.
*/
#include "internal.h"
#include "model.h"
#include "place.h"

#include <string.h>

/* The model path of an element: its own name and its ancestors'. */
static size_t model_path(const xmlNode *n, char *buf, size_t size) {
  const xmlNode *chain[AXL_MAX_DEPTH_CEILING];
  size_t depth = 0, used = 0;
  for (; n && n->type == XML_ELEMENT_NODE && depth < AXL_MAX_DEPTH_CEILING;
       n = n->parent)
    chain[depth++] = n;
  buf[0] = '\0';
  while (depth--) {
    size_t len = strlen((const char *)chain[depth]->name);
    if (used + len + 2 >= size) break;
    if (used) buf[used++] = '/';
    memcpy(buf + used, chain[depth]->name, len + 1);
    used += len;
  }
  return used;
}

/* A child's position in the order that decides for this parent. */
typedef struct ranker {
  const axl_schema *schema;   /* NULL when the model decides */
  const char *path;
  const axl_model_entity *model;
} ranker;

static int rank(const ranker *r, const xmlChar *name) {
  return r->schema ? axl_schema_child_index(r->schema, r->path,
                                            (const char *)name)
                   : axl_model_child_index(r->model, (const char *)name);
}

int axl_place_child(xmlNodePtr parent, xmlNodePtr child,
                    const axl_schema *schema) {
  char path[1024];
  size_t len = model_path(parent, path, sizeof path);
  ranker r = { schema, path, axl_model_find(path, len) };
  int mine = axl_schema_child_index(schema, path, (const char *)child->name);
  xmlNodePtr after = NULL, before = NULL;
  if (mine == -2) {        /* no schema, or one that does not know parent */
    r.schema = NULL;
    mine = rank(&r, child->name);
  }
  /* An element beside text would be mixed content, which axlink itself
  ** refuses to read (found by the link fuzzer). */
  for (xmlNodePtr c = parent->children; c; c = c->next)
    if (c->type == XML_TEXT_NODE) return -1;
  for (xmlNodePtr c = parent->children; c; c = c->next) {
    int idx;
    if (c->type != XML_ELEMENT_NODE) continue;
    if (mine < 0) {
      /* Unknown to the model: after its own name's last sibling. */
      if (xmlStrEqual(c->name, child->name)) after = c;
      continue;
    }
    idx = rank(&r, c->name);
    if (idx < 0) continue;
    if (idx <= mine) after = c;
    else if (!before) before = c;
  }
  if (after) xmlAddNextSibling(after, child);
  else if (before) xmlAddPrevSibling(before, child);
  else xmlAddChild(parent, child);
  return 0;
}

xmlNodePtr axl_new_node(xmlDocPtr doc, const char *name) {
  xmlNodePtr n = xmlNewDocNode(doc, NULL, BAD_CAST name, NULL);
  /* 2.9.14 returns a node without a name when only the name's copy failed. */
  if (n && !n->name) {
    xmlFreeNode(n);
    n = NULL;
  }
  return n;
}

xmlNodePtr axl_new_text_child(xmlDocPtr doc, const char *name,
                              const char *text) {
  xmlNodePtr n = axl_new_node(doc, name);
  if (n && text && *text) {
    xmlNodePtr t = xmlNewDocText(doc, BAD_CAST text);
    if (!t) {
      xmlFreeNode(n);
      return NULL;
    }
    xmlAddChild(n, t);
  }
  return n;
}
