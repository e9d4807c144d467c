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

/* Non-zero when n is an XML Schema element with this local name. */
int axl_xsd_is(const xmlNode *n, const char *local);

/* Effective limits at the ketenafspraak's two places, and the conformance
** problems (AXL-S20..S22) with file and line, from the documents alone. */
void axl_xsd_analyse(const axl_xsd_set *set, axl_schema_limits *limits,
                     axl_report *conformance);

#endif
