/*
** Look-ups in the built-in AX model (the table is generated from the AX
** profile at build time: tools/gen-model.lua writes $(B)/gen/model_data.c).
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
