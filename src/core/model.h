/*
** The built-in AX model: for each known entity (keyed by its parent path,
** element names joined by '/', root first, no indices) the children in
** HDN's order, which of them repeat, and the entity's attributes.
**
** The model only decides where a *new* element goes and which entities are
** always arrays in Lua tables; document order always wins for elements a
** message already has. The table is data of the AX profile
** (lua/axlink/profiles/, DESIGN 7.3), generated at build time by
** tools/gen-model.lua; positions no public sample shows are marked
** assumed there, and a loaded XSD overrides them.
*/
#ifndef AXL_MODEL_H
#define AXL_MODEL_H

#include <stddef.h>

/* Flags of one child in its parent's model. */
#define AXL_M_REPEAT  1u   /* occurs 0..n times: always an array in Lua tables */
#define AXL_M_ENTITY  2u   /* has children or attributes of its own (a table) */
#define AXL_M_REF     4u   /* an empty reference element carrying IDREF */

typedef struct axl_model_child {
  const char *name;
  unsigned flags;
} axl_model_child;

typedef struct axl_model_entity {
  const char *path;                   /* "OfferteAanvraag/Hypotheekgever" */
  const axl_model_child *children;    /* in HDN order */
  size_t n_children;
  const char *const *attrs;           /* NULL-terminated, in HDN order */
} axl_model_entity;

/* The data table (generated): sorted by strcmp on path, for bsearch. */
extern const axl_model_entity axl_model_entities[];
extern const size_t axl_model_count;

/* The entity at a parent path, or NULL when the model does not know it. */
const axl_model_entity *axl_model_find(const char *path, size_t len);

/* Position of a child in its parent's model order, or -1 when unknown. */
int axl_model_child_index(const axl_model_entity *e, const char *name);

/* Flags of a child, 0 when unknown. */
unsigned axl_model_child_flags(const axl_model_entity *e, const char *name);

/* Non-zero when name is one of the entity's attributes. */
int axl_model_has_attr(const axl_model_entity *e, const char *name);

#endif
