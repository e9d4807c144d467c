/*
** The CDL view of an AX message (view.c): the Hypotheekgevers with their
** ExterneIdentificatie entries, the Dataleverancier entities, and how the
** references between them resolve. Rules, linking and the lender's view all
** read the message through it. Borrowed pointers into the document: valid
** while the document is unchanged, or changed only by link's writer, which
** tells the view what it added (axl_view_add_link).
*/
#ifndef AXL_VIEW_H
#define AXL_VIEW_H

#include "internal.h"

typedef struct axl_view_ext {
  xmlNodePtr node;          /* ExterneIdentificatie */
  xmlNodePtr pid_node;      /* PersoonsID, or NULL */
  const char *pid;          /* its text ("" when empty), NULL when absent */
  xmlNodePtr ref_node;      /* RefDataleverancier, or NULL */
  const char *idref;        /* its IDREF, or NULL */
  xmlNodePtr target;        /* the element IDREF resolves to, or NULL */
  long dl;                  /* index of the Dataleverancier it points at, -1 */
  size_t hg;                /* index of its Hypotheekgever */
} axl_view_ext;

typedef struct axl_view_hg {
  xmlNodePtr node;          /* Hypotheekgever */
  xmlNodePtr ident;         /* Identificatie, or NULL */
  xmlNodePtr partij;        /* PartijNAWData via RefPartijNAWData, or NULL */
  long volgnummer;          /* -1 when absent or not a number */
  size_t first_ext, n_ext;  /* its entries in the ext array */
} axl_view_hg;

typedef struct axl_view_dl {
  xmlNodePtr node;          /* top-level Dataleverancier */
  const char *id;           /* ID attribute, or NULL */
  xmlNodePtr dlid_node;     /* DataleverancierID, or NULL */
  const char *dlid;         /* its text, or NULL */
  long volgnummer;
  size_t refs;              /* ExterneIdentificatie pointing at it */
  int cdl;                  /* referenced, or carries a DataleverancierID */
} axl_view_dl;

typedef struct axl_view {
  xmlNodePtr root;
  axl_view_hg *hg; size_t n_hg;
  axl_view_ext *ext; size_t n_ext, cap_ext;
  axl_view_dl *dl; size_t n_dl, cap_dl;
  size_t n_cdl;             /* CDL Dataleverancier entities */
  size_t n_with_ref;        /* ExterneIdentificatie with RefDataleverancier */
  axl_ids *ids;             /* as built: axl_view_add_link adds nothing */
} axl_view;

/* 0, or -1 (err set, v zeroed: axl_view_free may still be called). */
int axl_view_build(const axl_message *m, axl_view *v, axl_error *err);
void axl_view_free(axl_view *v);

/*
** Keeping the view in step with link's writer, so that one view serves a
** whole link (resolving, writing, the limit rules). The writer takes room
** for the links it may add before it changes the tree (-1: out of memory,
** nothing changed); telling the view of one then never fails.
**
** axl_view_add_link: the Hypotheekgever at index hg now has the
** ExterneIdentificatie ext, placed under its Identificatie (new or not,
** the first one), whose RefDataleverancier points at dl, a Dataleverancier
** just placed under the root with an ID nothing else uses. Afterwards the
** view says what axl_view_build would say of the document, but for ids,
** which does not know the new ID.
*/
int axl_view_reserve(axl_view *v, size_t n_links);
void axl_view_add_link(axl_view *v, size_t hg, xmlNodePtr ext,
                       xmlNodePtr dl);

#ifndef NDEBUG
/* Views built on this thread so far: spec/c/test_link.c counts a link's. */
unsigned long axl_view_builds(void);
#endif

/* Text of a text-only element ("" when empty), NULL for NULL. Borrowed. */
const char *axl_text(const xmlNode *n);
/* First child element with this name, or NULL. */
xmlNodePtr axl_child(const xmlNode *parent, const char *name);
/* An attribute's value (no namespace), borrowed, or NULL. */
const char *axl_attr(const xmlNode *n, const char *name);
/* Volgnummer as a number, -1 when absent or not decimal digits. */
long axl_volgnummer(const xmlNode *n);

#endif
