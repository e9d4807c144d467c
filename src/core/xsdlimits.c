/*
** Limits from a lender's schema, read off the XSD documents themselves.
**
** No public libxml2 API exposes the compiled content model, and reading its
** private particle structures would tie axlink to one libxml2 build; so this
** file walks the schema documents. It follows the element declarations
** OfferteAanvraag -> Hypotheekgever -> Identificatie through inline types,
** named types, element refs, groups and complexContent extensions, and
** computes the effective occurrence of an element in a content model: the
** product of minOccurs/maxOccurs along the particle path, summed over
** same-name particles, min/max over choice branches. What it cannot decide
** (substitution groups, xs:any, redefine/override, the element in several
** choice branches, recursion) is reported as an unsupported construct and
** never guessed.
*/
#include "internal.h"
#include "xsd.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


typedef struct occ {
  double min, max;
  const xmlNode *unsupported;   /* where, when undecidable */
  const char *why;
} occ;

typedef struct walk {
  const axl_xsd_set *set;
} walk;

/* Is some global element in name's substitution group headed by head? */
static int heads_substitution(const walk *w, const xmlNode *head) {
  xmlChar *hn = xmlGetNoNsProp((xmlNodePtr)head, BAD_CAST "name");
  int found = 0;
  for (size_t i = 0; hn && i < w->set->count && !found; i++) {
    xmlNodePtr root = xmlDocGetRootElement(w->set->files[i].doc);
    for (xmlNodePtr c = root ? root->children : NULL; c && !found;
         c = c->next)
      if (axl_xsd_is(c, "element") &&
          axl_xsd_attr_is(c, "substitutionGroup", (const char *)hn))
        found = 1;
  }
  xmlFree(hn);
  return found;
}

static double occurs_attr(const xmlNode *n, const char *attr) {
  xmlChar *v = xmlGetNoNsProp((xmlNodePtr)n, BAD_CAST attr);
  double d = 1;
  if (v) {
    d = xmlStrEqual(v, BAD_CAST "unbounded") ? INFINITY
                                             : strtod((const char *)v, NULL);
    xmlFree(v);
  }
  return d;
}

/* 0 times unbounded is 0, not NaN. */
static double mul(double a, double b) {
  return (a == 0 || b == 0) ? 0 : a * b;
}

static occ none(void) {
  occ o = { 0, 0, NULL, NULL };
  return o;
}

static occ undecided(const xmlNode *where, const char *why) {
  occ o = { 0, 0, where, why };
  return o;
}

static occ scale(occ o, const xmlNode *particle) {
  if (o.unsupported) return o;
  o.min = mul(o.min, occurs_attr(particle, "minOccurs"));
  o.max = mul(o.max, occurs_attr(particle, "maxOccurs"));
  return o;
}

static occ in_type(const walk *w, const xmlNode *type, const char *name,
                   int depth);

/* Occurrence of element name within one particle. */
static occ in_particle(const walk *w, const xmlNode *p, const char *name,
                       int depth) {
  if (depth > AXL_XSD_MAX_DEPTH)
    return undecided(p, "recursive content model");
  if (axl_xsd_is(p, "element")) {
    const xmlNode *target = p;
    if (xmlHasProp((xmlNodePtr)p, BAD_CAST "ref")) {
      target = axl_xsd_resolve(w->set, p, "ref", "element");
      if (!target) return none();
      if (heads_substitution(w, target))
        return undecided(p, "substitutionGroup");
    }
    if (axl_xsd_attr_is(target, "name", name)) {
      occ o = { 1, 1, NULL, NULL };
      return scale(o, p);
    }
    return none();
  }
  if (axl_xsd_is(p, "sequence") || axl_xsd_is(p, "all")) {
    occ sum = none();
    for (const xmlNode *c = p->children; c; c = c->next) {
      occ o;
      if (c->type != XML_ELEMENT_NODE || axl_xsd_is(c, "annotation")) continue;
      o = in_particle(w, c, name, depth + 1);
      if (o.unsupported) return o;
      sum.min += o.min;
      sum.max += o.max;
    }
    return scale(sum, p);
  }
  if (axl_xsd_is(p, "choice")) {
    occ best = none();
    int branches = 0, first = 1;
    for (const xmlNode *c = p->children; c; c = c->next) {
      occ o;
      if (c->type != XML_ELEMENT_NODE || axl_xsd_is(c, "annotation")) continue;
      o = in_particle(w, c, name, depth + 1);
      if (o.unsupported) return o;
      if (o.max > 0) branches++;
      best.min = first ? o.min : fmin(best.min, o.min);
      best.max = fmax(best.max, o.max);
      first = 0;
    }
    if (branches > 1)
      return undecided(p, "the element in several choice branches");
    return scale(best, p);
  }
  if (axl_xsd_is(p, "group")) {
    const xmlNode *g = axl_xsd_resolve(w->set, p, "ref", "group");
    occ o = none();
    for (const xmlNode *c = g ? g->children : NULL; c; c = c->next)
      if (axl_xsd_is(c, "sequence") || axl_xsd_is(c, "choice") ||
          axl_xsd_is(c, "all"))
        o = in_particle(w, c, name, depth + 1);
    return scale(o, p);
  }
  if (axl_xsd_is(p, "any")) return undecided(p, "xs:any");
  return none();
}

/* The particles of a complex type, extension bases included. */
static occ in_type(const walk *w, const xmlNode *type, const char *name,
                   int depth) {
  occ total = none();
  if (!type) return total;
  if (depth > AXL_XSD_MAX_DEPTH) return undecided(type, "recursive type");
  for (const xmlNode *c = type->children; c; c = c->next) {
    if (axl_xsd_is(c, "complexContent")) {
      for (const xmlNode *d = c->children; d; d = d->next) {
        int ext = axl_xsd_is(d, "extension");
        if (!ext && !axl_xsd_is(d, "restriction")) continue;
        if (ext) {
          occ base = in_type(w, axl_xsd_resolve(w->set, d, "base",
                                                "complexType"), name,
                             depth + 1);
          if (base.unsupported) return base;
          total.min += base.min;
          total.max += base.max;
        }
        for (const xmlNode *e = d->children; e; e = e->next) {
          occ o;
          if (e->type != XML_ELEMENT_NODE) continue;
          o = in_particle(w, e, name, depth + 1);
          if (o.unsupported) return o;
          total.min += o.min;
          total.max += o.max;
        }
      }
    } else if (c->type == XML_ELEMENT_NODE) {
      occ o = in_particle(w, c, name, depth + 1);
      if (o.unsupported) return o;
      total.min += o.min;
      total.max += o.max;
    }
  }
  return total;
}

/* ---- the report ---- */

static void where(const axl_xsd_set *set, const xmlNode *n, axl_problem *p) {
  const char *dir_end = strrchr(set->files[0].path, '/');
  size_t dlen = dir_end ? (size_t)(dir_end - set->files[0].path) : 0;
  const char *url = n && n->doc && n->doc->URL ? (const char *)n->doc->URL
                                               : "";
  if (dlen && strncmp(url, set->files[0].path, dlen) == 0 && url[dlen] == '/')
    url += dlen + 1;
  snprintf(p->file, sizeof p->file, "%s", url);
  p->line = n ? xmlGetLineNo((xmlNodePtr)n) : 0;
  p->order = (unsigned long)p->line;
}

static void unsupported(const axl_xsd_set *set, axl_report *r,
                        const occ *o) {
  char text[192];
  axl_problem *p;
  snprintf(text, sizeof text, "unsupported construct: %s (the limit is "
           "not decided)", o->why);
  p = axl_report_add(r, "AXL-S22", AXL_ERROR, text);
  if (p) where(set, o->unsupported, p);
}

static void fmt_max(char *buf, size_t size, double max) {
  if (isinf(max)) snprintf(buf, size, "unbounded");
  else snprintf(buf, size, "%.0f", max);
}

void axl_xsd_analyse(const axl_xsd_set *set, axl_schema_limits *limits,
                     axl_report *r) {
  walk w = { set };
  const xmlNode *root_decl = axl_xsd_global(set, "element",
                                            "OfferteAanvraag");
  const xmlNode *root_type = axl_xsd_type_of(set, root_decl, 0);
  const xmlNode *hg = axl_xsd_find_decl(set, root_type, "Hypotheekgever", 0);
  const xmlNode *ident = axl_xsd_find_decl(set, axl_xsd_type_of(set, hg, 0),
                                           "Identificatie", 0);
  const xmlNode *ident_type = axl_xsd_type_of(set, ident, 0);
  occ ext = ident_type ? in_type(&w, ident_type, "ExterneIdentificatie", 0)
                       : none();
  occ dl = root_type ? in_type(&w, root_type, "Dataleverancier", 0) : none();
  char num[32], text[192];

  memset(limits, 0, sizeof *limits);
  /* A redefinition changes components after the fact: nothing is decided. */
  for (size_t i = 0; i < set->count; i++) {
    xmlNodePtr root = xmlDocGetRootElement(set->files[i].doc);
    for (xmlNodePtr c = root ? root->children : NULL; c; c = c->next)
      if (axl_xsd_is(c, "redefine") || axl_xsd_is(c, "override")) {
        occ o = undecided(c, "xs:redefine or xs:override");
        if (!limits->unsupported) unsupported(set, r, &o);
        limits->unsupported = limits->externe_undecided =
          limits->dataleverancier_undecided = 1;
      }
  }
  if (limits->unsupported) {
    axl_report_sort(r);
    return;
  }
  if (ext.unsupported) {
    unsupported(set, r, &ext);
    limits->unsupported = limits->externe_undecided = 1;
  } else {
    limits->externe.min = ext.min;
    limits->externe.max = ext.max;
    if (ext.max < 2 || ext.max > 9) {
      axl_problem *p;
      const xmlNode *at = axl_xsd_find_decl(set, ident_type,
                                            "ExterneIdentificatie", 0);
      fmt_max(num, sizeof num, ext.max);
      snprintf(text, sizeof text, "ExterneIdentificatie under Hypotheekgever/"
               "Identificatie allows at most %s; the ketenafspraak asks "
               "between 2 and 9", num);
      p = axl_report_add(r, "AXL-S20", AXL_ERROR, text);
      if (p) where(set, at ? at : ident ? ident : hg ? hg : root_decl
                       ? root_decl : xmlDocGetRootElement(set->files[0].doc),
                   p);
    }
  }
  if (dl.unsupported) {
    unsupported(set, r, &dl);
    limits->unsupported = limits->dataleverancier_undecided = 1;
  } else {
    limits->dataleverancier.min = dl.min;
    limits->dataleverancier.max = dl.max;
    if (dl.max != 9) {
      axl_problem *p;
      const xmlNode *at = axl_xsd_find_decl(set, root_type,
                                            "Dataleverancier", 0);
      fmt_max(num, sizeof num, dl.max);
      snprintf(text, sizeof text, "Dataleverancier under OfferteAanvraag "
               "allows at most %s; the ketenafspraak asks 9", num);
      p = axl_report_add(r, "AXL-S21", AXL_ERROR, text);
      if (p) where(set, at ? at : root_decl ? root_decl
                       : xmlDocGetRootElement(set->files[0].doc), p);
    }
  }
  axl_report_sort(r);
}
