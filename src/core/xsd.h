/*
** Internal to the schema files: the set of schema documents axlink read
** itself, and the analysis of the content model it does on them.
*/
#ifndef AXL_XSD_H
#define AXL_XSD_H

#include <limits.h>

#include "axlink.h"

typedef struct axl_xsd_file {
  char path[PATH_MAX];   /* real path; "(string).xsd" for schema.parse */
  char *bytes;
  size_t len;
  xmlDocPtr doc;
} axl_xsd_file;

typedef struct axl_xsd_set {
  axl_xsd_file *files;   /* the main document first */
  size_t count, cap;
} axl_xsd_set;

/* How deep a walk through groups, extensions and types may go: deeper is
** taken as recursion. */
#define AXL_XSD_MAX_DEPTH 64

/* Walking the documents (xsdwalk.c). */

/* Non-zero when n is an XML Schema element with this local name. */
int axl_xsd_is(const xmlNode *n, const char *local);

/* Non-zero when n's attribute attr is a QName whose local part is local. */
int axl_xsd_attr_is(const xmlNode *n, const char *attr, const char *local);

/* A top-level component (element, complexType, group) by local name. */
const xmlNode *axl_xsd_global(const axl_xsd_set *set, const char *kind,
                              const char *name);

/* The top-level component of that kind that n's QName attribute names. */
const xmlNode *axl_xsd_resolve(const axl_xsd_set *set, const xmlNode *n,
                               const char *attr, const char *kind);

/* The complex type of an element declaration (named or inline), or NULL. */
const xmlNode *axl_xsd_type_of(const axl_xsd_set *set, const xmlNode *decl,
                               int depth);

/* The first declaration of child name in a content model, or NULL. */
const xmlNode *axl_xsd_find_decl(const axl_xsd_set *set, const xmlNode *n,
                                 const char *name, int depth);

/* Child element order per element path, "Root/Child/..." (xsdorder.c):
** built once at load (-1 when memory ran out), read-only after. */
typedef struct axl_xsd_orders {
  xmlHashTablePtr types;   /* complex type -> order (owns the orders) */
  xmlHashTablePtr paths;   /* element path -> order */
} axl_xsd_orders;

int axl_xsd_orders_build(const axl_xsd_set *set, axl_xsd_orders *out);
void axl_xsd_orders_free(axl_xsd_orders *orders);

/* Position of child in the order at parent_path; -1 when the schema does
** not place that child there, -2 when it does not know the parent. */
int axl_xsd_order_index(const axl_xsd_orders *orders, const char *parent_path,
                        const char *child);

/* Effective limits at the ketenafspraak's two places, and the conformance
** problems (AXL-S20..S22) with file and line, from the documents alone. */
void axl_xsd_analyse(const axl_xsd_set *set, axl_schema_limits *limits,
                     axl_report *conformance);

#endif
