/*
** The shape of a message: the one place that says which children of an
** entity repeat, in which order new ones go, and what an element's model
** path is. Everything that reads or writes elements asks here: totable and
** fromtable (which entities are arrays, where a new field goes), linking
** (where a new ExterneIdentificatie goes), paths in problems and refusals
** ([n] for repeating entities), the rules, fill contexts (AXL-C22).
**
** Three sources, always combined the same way (DESIGN 3.1, 3.2):
** - the built-in model (model.c, generated from the AX profile), keyed by
**   the entity's model path;
** - the message's schema, which orders the children of the entities it
**   knows (and overrides the model's order there);
** - the document itself: an element with a Volgnummer, or one occurring
**   more than once under its parent, repeats whatever the model says.
*/
#include "internal.h"
#include "model.h"
#include "axlink_build.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* {======================================================
** One entity's children
** ======================================================= */

void axl_shape_init(axl_shape *s, const char *path,
                    const axl_schema *schema) {
  s->path = path;
  s->model = axl_model_find(path, strlen(path));
  /* The schema decides for an entity it knows, the model for the rest. */
  s->schema = schema && axl_schema_child_index(schema, path, "") != -2
              ? schema : NULL;
}

int axl_shape_rank(const axl_shape *s, const char *child) {
  return s->schema ? axl_schema_child_index(s->schema, s->path, child)
                   : axl_model_child_index(s->model, child);
}

int axl_shape_known(const axl_shape *s, const char *child) {
  return axl_model_child_index(s->model, child) >= 0;
}

int axl_shape_repeats(const axl_shape *s, const char *child, size_t count,
                      int volgnummer) {
  return count > 1 || volgnummer ||
         (axl_model_child_flags(s->model, child) & AXL_M_REPEAT) != 0;
}

axl_field_kind axl_shape_kind(const axl_shape *s, const char *child) {
  unsigned flags = axl_model_child_flags(s->model, child);
  if (!axl_shape_known(s, child)) return AXL_FIELD_UNKNOWN;
  if (flags & AXL_M_REPEAT) return AXL_FIELD_REPEATING;
  return (flags & AXL_M_ENTITY) ? AXL_FIELD_ENTITY : AXL_FIELD_LEAF;
}

/* Attributes every entity may carry, and the order new ones are written
** in (DESIGN 3.2: Volgnummer, ID, IDREF, then by name). */
static const char *const first_attrs[] = { "Volgnummer", "ID", "IDREF" };

int axl_attr_rank(const char *name) {
  for (int i = 0; i < 3; i++)
    if (strcmp(name, first_attrs[i]) == 0) return i;
  return 3;
}

int axl_shape_is_attr(const axl_shape *s, const char *name) {
  return axl_attr_rank(name) < 3 || axl_model_has_attr(s->model, name);
}

axl_field_kind axl_model_child_kind(const char *entity_path,
                                    const char *name) {
  axl_shape s;
  if (!entity_path || !name) return AXL_FIELD_UNKNOWN;
  axl_shape_init(&s, entity_path, NULL);
  return axl_shape_kind(&s, name);
}

/* }====================================================== */

/* {======================================================
** Where a new element goes among its siblings (DESIGN 3.2)
** ======================================================= */

void axl_slot_begin(axl_slot *f, int rank) {
  f->rank = rank;
  f->after = f->before = -1;
  f->seen = 0;
}

int axl_slot_see(axl_slot *f, int rank, int same_name) {
  long i = f->seen++;
  if (f->rank < 0) {
    /* Unknown to the order: after its own name's last sibling. */
    if (!same_name) return AXL_SLOT_NONE;
    f->after = i;
    return AXL_SLOT_AFTER;
  }
  if (rank < 0) return AXL_SLOT_NONE;
  if (rank <= f->rank) {
    f->after = i;
    return AXL_SLOT_AFTER;
  }
  if (f->before < 0) {
    f->before = i;
    return AXL_SLOT_BEFORE;
  }
  return AXL_SLOT_NONE;
}

size_t axl_slot_index(const axl_slot *f) {
  if (f->after >= 0) return (size_t)f->after + 1;
  if (f->before >= 0) return (size_t)f->before;
  return (size_t)f->seen;
}

/* }====================================================== */

/* {======================================================
** An element in its document
** ======================================================= */

/* Appends n's ancestors' names, then its own; stops (full) at the first
** name that does not fit. */
static void append_path(const xmlNode *n, char *buf, size_t size,
                        size_t *used, int *full, unsigned depth) {
  size_t len;
  if (!n || n->type != XML_ELEMENT_NODE || depth >= AXL_MAX_DEPTH_CEILING)
    return;
  append_path(n->parent, buf, size, used, full, depth + 1);
  len = strlen((const char *)n->name);
  if (*full || *used + len + 2 >= size) {
    *full = 1;
    return;
  }
  if (*used) buf[(*used)++] = '/';
  memcpy(buf + *used, n->name, len + 1);
  *used += len;
}

size_t axl_model_path(const xmlNode *n, char *buf, size_t size) {
  size_t used = 0;
  int full = 0;
  buf[0] = '\0';
  append_path(n, buf, size, &used, &full, 0);
  return used;
}

static int same_name(const xmlNode *a, const xmlNode *b) {
  return a->type == XML_ELEMENT_NODE && xmlStrEqual(a->name, b->name);
}

int axl_element_repeats(const xmlNode *node) {
  char path[1024];
  axl_shape s;
  size_t count = 0;
  int volgnummer = 0;
  for (const xmlNode *c = node->parent ? node->parent->children : node; c;
       c = c->next)
    if (same_name(c, node)) {
      count++;
      volgnummer |= xmlHasNsProp((xmlNodePtr)c, BAD_CAST "Volgnummer",
                                 NULL) != NULL;
    }
  axl_model_path(node->parent, path, sizeof path);
  axl_shape_init(&s, path, NULL);
  return axl_shape_repeats(&s, (const char *)node->name, count, volgnummer);
}

/* A Volgnummer as fromtable counts on from it: a whole decimal number
** that fits a long, else 0 (not a number to count on from). */
static long volgnummer_value(const xmlNode *n) {
  xmlAttrPtr a = xmlHasNsProp((xmlNodePtr)n, BAD_CAST "Volgnummer", NULL);
  const char *s = a && a->children ? (const char *)a->children->content
                                   : NULL;
  char *end;
  long v;
  if (!s || !*s) return 0;
  errno = 0;
  v = strtol(s, &end, 10);
  return *end == '\0' && errno == 0 && v > 0 ? v : 0;
}

long axl_next_volgnummer(const xmlNode *node) {
  long max = 0;
  for (const xmlNode *s = node->parent ? node->parent->children : NULL; s;
       s = s->next)
    if (s != node && same_name(s, node)) {
      long v = volgnummer_value(s);
      if (v > max) max = v;
    }
  return max < LONG_MAX ? max + 1 : -1;
}

/* }====================================================== */
