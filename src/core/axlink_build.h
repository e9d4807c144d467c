/*
** For builders of documents: what the Lua binding's table conversions
** (totable, fromtable, msg:_entity, msg:_replace) ask the C core beyond
** axlink.h. Not installed: a C host has no use for it.
*/
#ifndef AXLINK_BUILD_H
#define AXLINK_BUILD_H

#include "axlink.h"

#include <libxml/xmlerror.h>

/* ====================================================================
** Calling libxml2 the way axlink does (init.c, message.c)
** ==================================================================== */

/*
** A guard brackets every public entry point that calls libxml2, and every
** builder while it makes a document: it makes sure the process-wide set-up
** ran, denies external loads for this thread, and swaps in silent
** thread-local error handlers (and a tab indent), then puts back whatever
** the host had. Guards nest.
*/
typedef struct axl_guard {
  xmlStructuredErrorFunc old_serror;
  void *old_serror_ctx;
  xmlGenericErrorFunc old_generic;
  void *old_generic_ctx;
  const char *old_indent;
  int old_indent_output;
  int old_no_empty;
  unsigned long oom_at_enter;
} axl_guard;

/* axl_guard_leave returns nonzero when libxml2 reported an allocation
** failure on this thread since the matching enter. libxml2 2.9.14 often
** reports one and goes on with something missing (a namespace declaration
** the SAX2 builder could not allocate, a serialiser that lost its encoding
** and escapes every non-ASCII character): a call that saw one must fail
** as out of memory, whatever its own result looks like. */
void axl_guard_enter(axl_guard *g);
int axl_guard_leave(axl_guard *g);
int axl_guard_saw_oom(const axl_guard *g);   /* the same, without leaving */

/* A namespace declaration list copied whole, or NULL (nothing leaked) when
** an allocation failed; libxml2 2.9.14's xmlCopyNamespaceList can return a
** shortened list instead. Caller frees with xmlFreeNsList. */
xmlNs *axl_copy_ns_list(const xmlNs *list);

/* ====================================================================
** One entity of a message (entity.c)
** ==================================================================== */

/* The index-th (1-based, document order) element at model path `path`
** (element names from the root joined by '/', no indices), or NULL.
** Borrowed from m's document. */
xmlNodePtr axl_entity_find(const axl_message *m, const char *path,
                           long index);

/* The first element at `path` whose attribute `attr` is `value` (compared
** as strings), or NULL; *index (may be NULL) gets its index as above, 0
** when none. Borrowed. */
xmlNodePtr axl_entity_find_by(const axl_message *m, const char *path,
                              const char *attr, const char *value,
                              long *index);

/* Writing an entity anew, in three steps, so that the new element is built
** where it will stand (paths in refusals are the message's own):
** swap_in puts `fresh` (new, unlinked, of m's document) in `old`'s place
** and takes room in m's journal first (-1, nothing changed: out of
** memory); then either swap_back (a refusal: old is back, fresh freed) or
** keep (old goes to m's open journal, else it is freed). */
int axl_entity_swap_in(axl_message *m, xmlNodePtr old, xmlNodePtr fresh);
void axl_entity_swap_back(xmlNodePtr old, xmlNodePtr fresh);
void axl_entity_keep(axl_message *m, xmlNodePtr old, xmlNodePtr fresh);

/* ====================================================================
** Shapes: which children repeat, where a new one goes (shape.c)
** ==================================================================== */

struct axl_model_entity;

/* What the built-in model and a message's schema say about the children of
** one entity: found once per entity, asked per child. */
typedef struct axl_shape {
  const char *path;                      /* the entity's model path */
  const struct axl_model_entity *model;  /* the model's entry, or NULL */
  const axl_schema *schema;              /* the schema, where it knows the
                                            entity, else NULL */
} axl_shape;

/* path: element names from the root joined by '/', no indices, borrowed
** for as long as s is used; schema may be NULL. */
void axl_shape_init(axl_shape *s, const char *path, const axl_schema *schema);

/* A child's place in the order new children go in: the schema's where it
** knows the entity, else the model's; -1 when that order does not know
** the child (then it goes after its own name's last sibling, else last). */
int axl_shape_rank(const axl_shape *s, const char *child);

/* Non-zero when the built-in model knows this child of the entity. */
int axl_shape_known(const axl_shape *s, const char *child);

/* Whether the child is a repeating entity (an array in Lua tables, [n] in
** paths): the model says so, or the document has it count times (more
** than once) or with a Volgnummer. DESIGN 3.1's union, in one place. */
int axl_shape_repeats(const axl_shape *s, const char *child, size_t count,
                      int volgnummer);

/* What the built-in model knows of the child (unknown, leaf, entity,
** repeating), as axl_model_child_kind says it. */
axl_field_kind axl_shape_kind(const axl_shape *s, const char *child);

/* Non-zero when a text field `name` of the entity is an attribute, not a
** child element: the model lists it, or it is Volgnummer, ID or IDREF. */
int axl_shape_is_attr(const axl_shape *s, const char *name);

/* The order new attributes are written in: Volgnummer 0, ID 1, IDREF 2,
** any other 3 (then by name). */
int axl_attr_rank(const char *name);

/*
** Where a new child goes among its existing siblings (DESIGN 3.2): right
** after the last one that precedes it in the order (rank <= its rank);
** failing that, before the first that follows it; failing that, last. A
** child the order does not know (rank -1) goes after its own name's last
** sibling, else last. Shown the siblings in document order, each with its
** rank and whether it has the new child's name; axl_slot_see says whether
** that sibling is now the one to insert after or the one to insert before,
** axl_slot_index where the new child goes among those seen (0..n).
*/
typedef struct axl_slot {
  int rank;
  long after, before, seen;
} axl_slot;
#define AXL_SLOT_NONE   0
#define AXL_SLOT_AFTER  1
#define AXL_SLOT_BEFORE 2
void axl_slot_begin(axl_slot *f, int rank);
int axl_slot_see(axl_slot *f, int rank, int same_name);
size_t axl_slot_index(const axl_slot *f);

/* n's model path (its own name and its ancestors', root first, joined by
** '/'), written into buf (always NUL-terminated); its length. */
size_t axl_model_path(const xmlNode *n, char *buf, size_t size);

/* axl_shape_repeats for an element in its document. */
int axl_element_repeats(const xmlNode *node);

/* The Volgnummer a new entity in node's place gets: max+1 over its
** same-name siblings (node itself not counted), -1 when that overflows. */
long axl_next_volgnummer(const xmlNode *node);

/* Elements in the node list n and below; an element's depth (the root
** is 1). */
size_t axl_count_elements(const xmlNode *n);
size_t axl_element_depth(const xmlNode *n);

#endif
