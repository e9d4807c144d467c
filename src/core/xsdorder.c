/*
** Element order read off a lender's schema (DESIGN 3.3: the schema decides
** where a new element goes). For every element path reachable from a global
** element declaration, the names of its child elements in content-model
** order: first appearance wins, an extension's base comes before its own
** particles, groups are followed, choice branches count in the order they
** are written. Built once when the schema is loaded and read-only after, so
** one schema can serve several threads.
**
** The order belongs to a complex type, not to a path: it is worked out once
** per type and shared by every path that reaches the type, and each name
** keeps the declaration and the type it was found with, so going down a
** level costs no search. Load time is then linear in the paths (at most
** MAX_PATHS) times their children.
*/
#include "internal.h"
#include "xsd.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bounds on the table: AX has a few hundred entity paths; a schema that
** would need more (deep recursion through distinct types, or a very wide
** tree) is not walked further and the built-in model decides there. */
#define MAX_PATHS 4096
#define MAX_PATH_DEPTH 32
#define PATH_BYTES 1024

typedef struct order {
  xmlHashTablePtr index;    /* child name -> position + 1 */
  xmlChar **names;          /* in order */
  const xmlNode **decls;    /* the declaration each name was found with, */
  const xmlNode **types;    /* and its complex type (NULL for a leaf) */
  size_t n, cap;
} order;

typedef struct builder {
  const axl_xsd_set *set;
  xmlHashTablePtr types;    /* type node's address -> order (owned) */
  xmlHashTablePtr paths;    /* parent path -> order (borrowed) */
  size_t count;             /* paths recorded */
  int oom;
  const xmlNode *chain[MAX_PATH_DEPTH];   /* the types on the current path */
} builder;

static void order_free(void *payload, const xmlChar *name) {
  order *o = payload;
  (void)name;
  if (!o) return;
  for (size_t i = 0; i < o->n; i++) xmlFree(o->names[i]);
  free(o->names);
  free(o->decls);
  free(o->types);
  if (o->index) xmlHashFree(o->index, NULL);
  free(o);
}

static void add_name(builder *b, order *o, const xmlChar *name,
                     const xmlNode *decl) {
  xmlChar *copy;
  if (xmlHashLookup(o->index, name)) return;
  if (o->n == o->cap) {
    size_t cap = o->cap ? 2 * o->cap : 8;
    xmlChar **names = realloc(o->names, cap * sizeof *names);
    const xmlNode **decls;
    if (!names) {
      b->oom = 1;
      return;
    }
    o->names = names;
    decls = realloc(o->decls, cap * sizeof *decls);
    if (!decls) {
      b->oom = 1;
      return;
    }
    o->decls = decls;
    o->cap = cap;
  }
  copy = xmlStrdup(name);
  if (!copy ||
      xmlHashAddEntry(o->index, name, (void *)(uintptr_t)(o->n + 1)) != 0) {
    xmlFree(copy);
    b->oom = 1;
    return;
  }
  o->names[o->n] = copy;
  o->decls[o->n++] = decl;
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
      if (name) add_name(b, o, name, target);
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

/* The order of a complex type, worked out on first use; NULL when it has
** no child elements or memory ran out. */
static order *order_of(builder *b, const xmlNode *type) {
  char key[32];
  order *o;
  snprintf(key, sizeof key, "%p", (const void *)type);
  o = xmlHashLookup(b->types, BAD_CAST key);
  if (o) return o->n ? o : NULL;
  o = calloc(1, sizeof *o);
  if (!o || !(o->index = xmlHashCreate(16))) {
    free(o);
    b->oom = 1;
    return NULL;
  }
  collect(b, type, o, 0);
  if (!b->oom && o->n) {
    o->types = malloc(o->n * sizeof *o->types);
    if (!o->types) b->oom = 1;
    for (size_t i = 0; o->types && i < o->n; i++)
      o->types[i] = axl_xsd_type_of(b->set, o->decls[i], 0);
  }
  /* Kept even when empty, so the type is not worked out again. */
  if (b->oom || xmlHashAddEntry(b->types, BAD_CAST key, o) != 0) {
    order_free(o, NULL);
    b->oom = 1;
    return NULL;
  }
  return o->n ? o : NULL;
}

/* Records the order of the element at path (of complex type type) and goes
** on into its children. */
static void visit(builder *b, const xmlNode *type, char *path, size_t len,
                  int depth) {
  order *o;
  if (!type || b->oom || depth >= MAX_PATH_DEPTH || b->count >= MAX_PATHS)
    return;
  for (int i = 0; i < depth; i++)
    if (b->chain[i] == type) return;   /* a type within itself: recursion */
  if (xmlHashLookup(b->paths, BAD_CAST path)) return;
  o = order_of(b, type);
  if (!o) return;
  if (xmlHashAddEntry(b->paths, BAD_CAST path, o) != 0) {
    b->oom = 1;   /* the lookup above excluded a duplicate */
    return;
  }
  b->count++;
  b->chain[depth] = type;
  for (size_t i = 0; i < o->n && !b->oom && b->count < MAX_PATHS; i++) {
    size_t add = strlen((const char *)o->names[i]);
    const xmlNode *child = o->types[i];
    if (!child || len + add + 2 > PATH_BYTES) continue;
    path[len] = '/';
    memcpy(path + len + 1, o->names[i], add + 1);
    visit(b, child, path, len + 1 + add, depth + 1);
    path[len] = '\0';
  }
}

int axl_xsd_orders_build(const axl_xsd_set *set, axl_xsd_orders *out) {
  builder b;
  char path[PATH_BYTES];
  memset(&b, 0, sizeof b);
  b.set = set;
  memset(out, 0, sizeof *out);
  b.types = xmlHashCreate(64);
  b.paths = xmlHashCreate(256);
  if (!b.types || !b.paths) b.oom = 1;
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
  out->types = b.types;
  out->paths = b.paths;
  if (b.oom) {
    axl_xsd_orders_free(out);
    return -1;
  }
  return 0;
}

void axl_xsd_orders_free(axl_xsd_orders *orders) {
  if (orders->paths) xmlHashFree(orders->paths, NULL);
  if (orders->types) xmlHashFree(orders->types, order_free);
  orders->paths = orders->types = NULL;
}

int axl_xsd_order_index(const axl_xsd_orders *orders, const char *parent_path,
                        const char *child) {
  const order *o = orders->paths
      ? xmlHashLookup(orders->paths, BAD_CAST parent_path) : NULL;
  uintptr_t pos;
  if (!o) return -2;
  pos = (uintptr_t)xmlHashLookup(o->index, BAD_CAST child);
  return pos ? (int)(pos - 1) : -1;
}
