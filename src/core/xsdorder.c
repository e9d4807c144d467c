/*
** Element order read off a lender's schema (DESIGN 3.3: the schema decides
** where a new element goes). For every element path reachable from a global
** element declaration, the names of its child elements in content-model
** order: first appearance wins, an extension's base comes before its own
** particles, groups are followed, choice branches count in the order they
** are written. Built once when the schema is loaded and read-only after, so
** one schema can serve several threads.
*/
#include "internal.h"
#include "xsd.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Bounds on the table: AX has a few hundred entity paths; a schema that
** would need more (deep recursion through distinct types) is not walked
** further and the built-in model decides there. */
#define MAX_PATHS 20000
#define MAX_PATH_DEPTH 32
#define PATH_BYTES 1024

typedef struct order {
  xmlHashTablePtr index;    /* child name -> position + 1 */
  xmlChar **names;          /* in order */
  size_t n, cap;
} order;

typedef struct builder {
  const axl_xsd_set *set;
  xmlHashTablePtr orders;   /* parent path -> order */
  size_t paths;
  int oom;
  const xmlNode *chain[MAX_PATH_DEPTH];   /* the types on the current path */
} builder;

static void order_free(void *payload, const xmlChar *name) {
  order *o = payload;
  (void)name;
  if (!o) return;
  for (size_t i = 0; i < o->n; i++) xmlFree(o->names[i]);
  free(o->names);
  if (o->index) xmlHashFree(o->index, NULL);
  free(o);
}

static void add_name(builder *b, order *o, const xmlChar *name) {
  xmlChar *copy;
  if (xmlHashLookup(o->index, name)) return;
  if (o->n == o->cap) {
    size_t cap = o->cap ? 2 * o->cap : 8;
    xmlChar **names = realloc(o->names, cap * sizeof *names);
    if (!names) {
      b->oom = 1;
      return;
    }
    o->names = names;
    o->cap = cap;
  }
  copy = xmlStrdup(name);
  if (!copy ||
      xmlHashAddEntry(o->index, name, (void *)(uintptr_t)(o->n + 1)) != 0) {
    xmlFree(copy);
    b->oom = 1;
    return;
  }
  o->names[o->n++] = copy;
}

/* The child element names of a content model, in order. */
static void collect(builder *b, const xmlNode *n, order *o, int depth) {
  if (!n || depth > AXL_XSD_MAX_DEPTH) return;
  for (const xmlNode *c = n->children; c && !b->oom; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (axl_xsd_is(c, "element")) {
      const xmlNode *target = xmlHasProp((xmlNodePtr)c, BAD_CAST "ref")
          ? axl_xsd_resolve(b->set, c, "ref", "element") : c;
      xmlChar *name = target ? xmlGetNoNsProp((xmlNodePtr)target,
                                              BAD_CAST "name") : NULL;
      if (name) add_name(b, o, name);
      xmlFree(name);
    } else if (axl_xsd_is(c, "group")) {
      collect(b, axl_xsd_resolve(b->set, c, "ref", "group"), o, depth + 1);
    } else if (axl_xsd_is(c, "extension")) {
      collect(b, axl_xsd_resolve(b->set, c, "base", "complexType"), o,
              depth + 1);
      collect(b, c, o, depth + 1);
    } else if (axl_xsd_is(c, "sequence") || axl_xsd_is(c, "choice") ||
               axl_xsd_is(c, "all") || axl_xsd_is(c, "complexContent") ||
               axl_xsd_is(c, "restriction")) {
      collect(b, c, o, depth + 1);
    }
  }
}

/* Records the order of the element at path (of complex type type) and goes
** on into its children. */
static void visit(builder *b, const xmlNode *type, char *path, size_t len,
                  int depth) {
  order *o;
  if (!type || b->oom || depth >= MAX_PATH_DEPTH || b->paths >= MAX_PATHS)
    return;
  for (int i = 0; i < depth; i++)
    if (b->chain[i] == type) return;   /* a type within itself: recursion */
  if (xmlHashLookup(b->orders, BAD_CAST path)) return;
  b->chain[depth] = type;
  o = calloc(1, sizeof *o);
  if (!o || !(o->index = xmlHashCreate(16))) {
    free(o);
    b->oom = 1;
    return;
  }
  collect(b, type, o, 0);
  if (b->oom || o->n == 0 ||
      xmlHashAddEntry(b->orders, BAD_CAST path, o) != 0) {
    if (o->n) b->oom = 1;   /* the lookup above excluded a duplicate */
    order_free(o, NULL);
    return;
  }
  b->paths++;
  for (size_t i = 0; i < o->n && !b->oom; i++) {
    size_t add = strlen((const char *)o->names[i]);
    const xmlNode *decl = axl_xsd_find_decl(b->set, type,
                                            (const char *)o->names[i], 0);
    if (len + add + 2 > PATH_BYTES) continue;
    path[len] = '/';
    memcpy(path + len + 1, o->names[i], add + 1);
    visit(b, axl_xsd_type_of(b->set, decl, 0), path, len + 1 + add,
          depth + 1);
    path[len] = '\0';
  }
}

int axl_xsd_orders_build(const axl_xsd_set *set, xmlHashTablePtr *out) {
  builder b;
  char path[PATH_BYTES];
  memset(&b, 0, sizeof b);
  b.set = set;
  *out = NULL;
  b.orders = xmlHashCreate(256);
  if (!b.orders) return -1;
  /* Every global element may be a message's root. */
  for (size_t i = 0; i < set->count && !b.oom; i++) {
    xmlNodePtr root = xmlDocGetRootElement(set->files[i].doc);
    for (xmlNodePtr c = root ? root->children : NULL; c && !b.oom;
         c = c->next) {
      xmlChar *name;
      size_t len;
      if (!axl_xsd_is(c, "element")) continue;
      name = xmlGetNoNsProp(c, BAD_CAST "name");
      len = name ? strlen((const char *)name) : 0;
      if (len && len < sizeof path) {
        memcpy(path, name, len + 1);
        visit(&b, axl_xsd_type_of(set, c, 0), path, len, 0);
      }
      xmlFree(name);
    }
  }
  if (b.oom) {
    xmlHashFree(b.orders, order_free);
    return -1;
  }
  *out = b.orders;
  return 0;
}

void axl_xsd_orders_free(xmlHashTablePtr orders) {
  if (orders) xmlHashFree(orders, order_free);
}

int axl_xsd_order_index(xmlHashTablePtr orders, const char *parent_path,
                        const char *child) {
  const order *o = orders ? xmlHashLookup(orders, BAD_CAST parent_path)
                          : NULL;
  uintptr_t pos;
  if (!o) return -2;
  pos = (uintptr_t)xmlHashLookup(o->index, BAD_CAST child);
  return pos ? (int)(pos - 1) : -1;
}
