/*
** Walking the XSD documents axlink read itself: top-level components by
** name, QName references, an element's complex type and the declaration of
** a child in a content model. Shared by the limits (xsdlimits.c) and the
** element order (xsdorder.c) that axlink reads off a lender's schema.
*/
#include "internal.h"
#include "xsd.h"

#include <string.h>

#define XSD_NS "http://www.w3.org/2001/XMLSchema"

int axl_xsd_is(const xmlNode *n, const char *local) {
  return n && n->type == XML_ELEMENT_NODE && n->ns &&
         xmlStrEqual(n->ns->href, BAD_CAST XSD_NS) &&
         xmlStrEqual(n->name, BAD_CAST local);
}

/* The local part of a QName attribute value ("tns:Foo" -> "Foo"). */
static const char *local_of(const xmlChar *q) {
  const char *c = q ? strrchr((const char *)q, ':') : NULL;
  return c ? c + 1 : (const char *)q;
}

int axl_xsd_attr_is(const xmlNode *n, const char *attr, const char *local) {
  xmlChar *v = xmlGetNoNsProp((xmlNodePtr)n, BAD_CAST attr);
  int same = v && strcmp(local_of(v), local) == 0;
  xmlFree(v);
  return same;
}

const xmlNode *axl_xsd_global(const axl_xsd_set *set, const char *kind,
                              const char *name) {
  for (size_t i = 0; i < set->count; i++) {
    xmlNodePtr root = xmlDocGetRootElement(set->files[i].doc);
    for (xmlNodePtr c = root ? root->children : NULL; c; c = c->next)
      if (axl_xsd_is(c, kind) && axl_xsd_attr_is(c, "name", name)) return c;
  }
  return NULL;
}

const xmlNode *axl_xsd_resolve(const axl_xsd_set *set, const xmlNode *n,
                               const char *attr, const char *kind) {
  xmlChar *v = xmlGetNoNsProp((xmlNodePtr)n, BAD_CAST attr);
  const xmlNode *g = v ? axl_xsd_global(set, kind, local_of(v)) : NULL;
  xmlFree(v);
  return g;
}

/* A child element's own type is not looked into. */
const xmlNode *axl_xsd_find_decl(const axl_xsd_set *set, const xmlNode *n,
                                 const char *name, int depth) {
  if (!n || depth > AXL_XSD_MAX_DEPTH) return NULL;
  for (const xmlNode *c = n->children; c; c = c->next) {
    const xmlNode *hit = NULL;
    if (c->type != XML_ELEMENT_NODE) continue;
    if (axl_xsd_is(c, "element")) {
      const xmlNode *target = xmlHasProp((xmlNodePtr)c, BAD_CAST "ref")
                              ? axl_xsd_resolve(set, c, "ref", "element") : c;
      if (target && axl_xsd_attr_is(target, "name", name)) return target;
      continue;
    }
    if (axl_xsd_is(c, "group"))
      hit = axl_xsd_find_decl(set, axl_xsd_resolve(set, c, "ref", "group"),
                              name, depth + 1);
    else if (axl_xsd_is(c, "extension")) {
      hit = axl_xsd_find_decl(set, axl_xsd_resolve(set, c, "base",
                                                   "complexType"),
                              name, depth + 1);
      if (!hit) hit = axl_xsd_find_decl(set, c, name, depth + 1);
    } else if (axl_xsd_is(c, "sequence") || axl_xsd_is(c, "choice") ||
               axl_xsd_is(c, "all") || axl_xsd_is(c, "complexContent") ||
               axl_xsd_is(c, "restriction"))
      hit = axl_xsd_find_decl(set, c, name, depth + 1);
    if (hit) return hit;
  }
  return NULL;
}

const xmlNode *axl_xsd_type_of(const axl_xsd_set *set, const xmlNode *decl,
                               int depth) {
  if (!decl || depth > AXL_XSD_MAX_DEPTH) return NULL;
  if (xmlHasProp((xmlNodePtr)decl, BAD_CAST "type"))
    return axl_xsd_resolve(set, decl, "type", "complexType");
  for (const xmlNode *c = decl->children; c; c = c->next)
    if (axl_xsd_is(c, "complexType")) return c;
  return NULL;
}

