/*
** Where a new element goes (DESIGN 3.2), for the C core's own writers
** (linking): right after the last existing sibling that precedes it in
** the schema's order (where the message's schema knows the parent) or the
** model's; failing that, before the first that follows it; failing
** that, last. Document order of what exists is never touched.
*/
#include "internal.h"
#include "axlink_build.h"
#include "place.h"

#include <string.h>

int axl_place_child(xmlNodePtr parent, xmlNodePtr child,
                    const axl_schema *schema) {
  char path[1024];
  axl_shape shape;
  axl_slot slot;
  xmlNodePtr after = NULL, before = NULL;
  axl_model_path(parent, path, sizeof path);
  axl_shape_init(&shape, path, schema);
  /* An element beside text would be mixed content, which axlink itself
  ** refuses to read (found by the link fuzzer). */
  for (xmlNodePtr c = parent->children; c; c = c->next)
    if (c->type == XML_TEXT_NODE) return -1;
  axl_slot_begin(&slot, axl_shape_rank(&shape, (const char *)child->name));
  for (xmlNodePtr c = parent->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    switch (axl_slot_see(&slot, axl_shape_rank(&shape, (const char *)c->name),
                         xmlStrEqual(c->name, child->name))) {
    case AXL_SLOT_AFTER: after = c; break;
    case AXL_SLOT_BEFORE: before = c; break;
    default: break;
    }
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
