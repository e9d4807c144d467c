/*
** The ID index. AX references are <RefX IDREF="..."/> elements pointing at
** an entity's ID attribute, document-wide and whatever the element names
** (RefContactPersoonData points at a PartijNAWData), so references resolve
** by value only. libxml2 indexes IDs only for DTD-typed attributes, which AX
** has not, hence this small hash of its own.
*/
#include "internal.h"

#include <libxml/hash.h>

struct axl_ids {
  xmlHashTablePtr by_value;
  size_t duplicates;
  int oom;
};

int axl_hash_add_first(xmlHashTablePtr h, const xmlChar *key, void *value) {
  if (xmlHashLookup(h, key)) return 0;
  return xmlHashAddEntry(h, key, value) == 0 ? 0 : -1;
}

static void index_tree(axl_ids *ids, xmlNodePtr node) {
  for (; node; node = node->next) {
    if (node->type != XML_ELEMENT_NODE) continue;
    for (xmlAttrPtr a = node->properties; a; a = a->next) {
      if (a->ns || !xmlStrEqual(a->name, BAD_CAST "ID")) continue;
      if (a->children && a->children->type == XML_TEXT_NODE) {
        const xmlChar *v = a->children->content;
        if (xmlHashLookup(ids->by_value, v)) ids->duplicates++;
        else if (xmlHashAddEntry(ids->by_value, v, node)) ids->oom = 1;
      }
    }
    index_tree(ids, node->children);
  }
}

static axl_ids *ids_guarded(const axl_message *m, axl_error *err) {
  axl_ids *ids = xmlMalloc(sizeof *ids);
  axl_error_clear(err);
  if (!ids || !(ids->by_value = xmlHashCreate(64))) {
    xmlFree(ids);
    axl_error_set(err, "AXL-P15", 0, "out of memory");
    return NULL;
  }
  ids->duplicates = 0;
  ids->oom = 0;
  index_tree(ids, m->doc->children);
  if (ids->oom) {   /* an ID missing from the index would look free */
    axl_ids_free(ids);
    axl_error_set(err, "AXL-P15", 0, "out of memory");
    return NULL;
  }
  return ids;
}

xmlNodePtr axl_ids_find(const axl_ids *ids, const char *id) {
  return id ? xmlHashLookup(ids->by_value, BAD_CAST id) : NULL;
}

size_t axl_ids_duplicates(const axl_ids *ids) {
  return ids->duplicates;
}

xmlNodePtr axl_resolve_ref(const axl_ids *ids, const xmlNode *ref) {
  xmlAttrPtr a = xmlHasNsProp((xmlNodePtr)ref, BAD_CAST "IDREF", NULL);
  if (!a || !a->children || a->children->type != XML_TEXT_NODE) return NULL;
  return axl_ids_find(ids, (const char *)a->children->content);
}

void axl_ids_free(axl_ids *ids) {
  if (!ids) return;
  xmlHashFree(ids->by_value, NULL);
  xmlFree(ids);
}

/* Every libxml2 call inside runs with axlink's silent, thread-local error
** handlers: an allocation failure must not print to the host's stderr. */
axl_ids *axl_ids_build(const axl_message *m, axl_error *err) {
  axl_guard g;
  axl_ids * r;
  axl_guard_enter(&g);
  r = ids_guarded(m, err);
  if (axl_guard_leave(&g) && r) {
    axl_ids_free(r);
    r = NULL;
    axl_error_set(err, "AXL-P15", 0, "out of memory");
  }
  return r;
}
