/*
** One entity of a message, found by its model path and written anew in
** its place (the binding's msg:_entity and msg:_replace: axlink.cdl.apply
** fills the linked persons' entities only, without converting the whole
** message back and forth).
**
** An entity is named by its model path (element names from the root,
** joined by '/', no indices) and by its index: the 1-based position among
** the elements at that path, in document order. For an entity directly
** under the root, which is every entity apply writes, that is its position
** among its same-name siblings, the [n] of its path.
*/
#include "internal.h"
#include "axlink_build.h"

#include <string.h>

/* The length of the path's first component. */
static size_t first_len(const char *path) {
  const char *slash = strchr(path, '/');
  return slash ? (size_t)(slash - path) : strlen(path);
}

static int named(const xmlNode *n, const char *name, size_t len) {
  return n->type == XML_ELEMENT_NODE &&
         strncmp((const char *)n->name, name, len) == 0 &&
         n->name[len] == '\0';
}

/*
** The walk below `n`'s children for the rest of the path. Each element at
** the full path counts one (*seen); it stops at the one that match()
** accepts, or at the want-th when match is NULL.
*/
typedef struct finder {
  long want, seen;
  const char *attr, *value;    /* match on this attribute's value */
} finder;

static int accepts(finder *f, const xmlNode *n) {
  f->seen++;
  if (!f->attr) return f->seen == f->want;
  {
    xmlAttrPtr a = xmlHasNsProp((xmlNodePtr)n, BAD_CAST f->attr, NULL);
    const xmlChar *v = a && a->children ? a->children->content
                                        : (const xmlChar *)(a ? "" : NULL);
    return v && strcmp((const char *)v, f->value) == 0;
  }
}

static xmlNodePtr find_below(finder *f, xmlNodePtr parent, const char *rest) {
  size_t len = first_len(rest);
  for (xmlNodePtr c = parent->children; c; c = c->next) {
    if (!named(c, rest, len)) continue;
    if (!rest[len]) {
      if (accepts(f, c)) return c;
    } else {
      xmlNodePtr hit = find_below(f, c, rest + len + 1);
      if (hit) return hit;
    }
  }
  return NULL;
}

static xmlNodePtr find(const axl_message *m, const char *path, finder *f) {
  xmlNodePtr root = xmlDocGetRootElement(m->doc);
  size_t len = path ? first_len(path) : 0;
  if (!root || !len || !named(root, path, len) || !path[len]) return NULL;
  return find_below(f, root, path + len + 1);
}

xmlNodePtr axl_entity_find(const axl_message *m, const char *path,
                           long index) {
  finder f = { index, 0, NULL, NULL };
  return index > 0 ? find(m, path, &f) : NULL;
}

xmlNodePtr axl_entity_find_by(const axl_message *m, const char *path,
                              const char *attr, const char *value,
                              long *index) {
  finder f = { 0, 0, attr, value };
  xmlNodePtr n = attr && value ? find(m, path, &f) : NULL;
  if (index) *index = n ? f.seen : 0;
  return n;
}

/* ====================================================================
** Writing one anew in its place
** ==================================================================== */

int axl_entity_swap_in(axl_message *m, xmlNodePtr old, xmlNodePtr fresh) {
  if (axl_journal_reserve(m, 1)) return -1;
  xmlReplaceNode(old, fresh);
  return 0;
}

void axl_entity_swap_back(xmlNodePtr old, xmlNodePtr fresh) {
  xmlReplaceNode(fresh, old);
  xmlFreeNode(fresh);
}

void axl_entity_keep(axl_message *m, xmlNodePtr old, xmlNodePtr fresh) {
  axl_journal_replaced(m, old, fresh);
}

size_t axl_count_elements(const xmlNode *n) {
  size_t count = 0;
  for (; n; n = n->next)
    if (n->type == XML_ELEMENT_NODE)
      count += 1 + axl_count_elements(n->children);
  return count;
}

size_t axl_element_depth(const xmlNode *n) {
  size_t depth = 0;
  for (; n && n->type == XML_ELEMENT_NODE; n = n->parent) depth++;
  return depth;
}
