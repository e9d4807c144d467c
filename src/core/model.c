/*
** Look-ups in the built-in AX model (model_data.c holds the table).
*/
#include "axlink.h"
#include "model.h"

#include <stdlib.h>
#include <string.h>

typedef struct key { const char *s; size_t len; } key;

static int by_path(const void *k, const void *e) {
  const key *a = k;
  const char *p = ((const axl_model_entity *)e)->path;
  int c = strncmp(a->s, p, a->len);
  if (c) return c;
  return p[a->len] == '\0' ? 0 : -1;
}

const axl_model_entity *axl_model_find(const char *path, size_t len) {
  key k = { path, len };
  return bsearch(&k, axl_model_entities, axl_model_count,
                 sizeof axl_model_entities[0], by_path);
}

int axl_model_child_index(const axl_model_entity *e, const char *name) {
  if (!e) return -1;
  for (size_t i = 0; i < e->n_children; i++)
    if (strcmp(e->children[i].name, name) == 0) return (int)i;
  return -1;
}

unsigned axl_model_child_flags(const axl_model_entity *e, const char *name) {
  int i = axl_model_child_index(e, name);
  return i < 0 ? 0u : e->children[i].flags;
}

int axl_model_has_attr(const axl_model_entity *e, const char *name) {
  if (!e || !e->attrs) return 0;
  for (const char *const *a = e->attrs; *a; a++)
    if (strcmp(*a, name) == 0) return 1;
  return 0;
}

axl_field_kind axl_model_child_kind(const char *entity_path,
                                    const char *name) {
  const axl_model_entity *e;
  unsigned flags;
  if (!entity_path || !name) return AXL_FIELD_UNKNOWN;
  e = axl_model_find(entity_path, strlen(entity_path));
  if (axl_model_child_index(e, name) < 0) return AXL_FIELD_UNKNOWN;
  flags = axl_model_child_flags(e, name);
  if (flags & AXL_M_REPEAT) return AXL_FIELD_REPEATING;
  return (flags & AXL_M_ENTITY) ? AXL_FIELD_ENTITY : AXL_FIELD_LEAF;
}
