/* Placing new elements by the model (place.c). */
#ifndef AXL_PLACE_H
#define AXL_PLACE_H

#include <libxml/tree.h>

#include "axlink.h"

/* Inserts child (unlinked) among parent's children in the schema's order
** where schema (may be NULL) knows parent, else in the model's; -1 (child
** not inserted) when parent holds text: that would be mixed content. */
int axl_place_child(xmlNodePtr parent, xmlNodePtr child,
                    const axl_schema *schema);

/* A new empty element, or NULL (also when only its name's copy failed). */
xmlNodePtr axl_new_node(xmlDocPtr doc, const char *name);

/* A new <name>text</name> (no text node for ""), or NULL. */
xmlNodePtr axl_new_text_child(xmlDocPtr doc, const char *name,
                              const char *text);

#endif
