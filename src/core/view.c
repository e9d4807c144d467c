/*
** The CDL view of an AX message: see view.h.
*/
#include "view.h"

#include <stdlib.h>
#include <libxml/hash.h>
#include <string.h>

const char *axl_text(const xmlNode *n) {
  if (!n) return NULL;
  for (const xmlNode *c = n->children; c; c = c->next)
    if (c->type == XML_TEXT_NODE && c->content)
      return (const char *)c->content;
  return "";
}

xmlNodePtr axl_child(const xmlNode *parent, const char *name) {
  for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
      return c;
  return NULL;
}

const char *axl_attr(const xmlNode *n, const char *name) {
  xmlAttrPtr a = n ? xmlHasNsProp((xmlNodePtr)n, BAD_CAST name, NULL) : NULL;
  if (!a) return NULL;
  if (!a->children) return "";
  return a->children->type == XML_TEXT_NODE
         ? (const char *)a->children->content : NULL;
}

long axl_volgnummer(const xmlNode *n) {
  const char *v = axl_attr(n, "Volgnummer");
  long r = 0;
  if (!v || !*v || strlen(v) > 9) return -1;
  for (; *v; v++) {
    if (*v < '0' || *v > '9') return -1;
    r = r * 10 + (*v - '0');
  }
  return r;
}

static int is(const xmlNode *n, const char *name) {
  return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static int grow(void **p, size_t *cap, size_t need, size_t size) {
  if (need <= *cap) return 0;
  {
    size_t c = need * 2 + 8;
    void *q = realloc(*p, c * size);
    if (!q) return -1;
    *p = q;
    *cap = c;
  }
  return 0;
}

#ifndef NDEBUG
static AXL_TLS unsigned long builds;

unsigned long axl_view_builds(void) {
  return builds;
}
#endif

/* One top-level Dataleverancier's entry; refs and cdl come later. */
static void entity_of(axl_view_dl *d, xmlNodePtr node) {
  memset(d, 0, sizeof *d);
  d->node = node;
  d->id = axl_attr(node, "ID");
  d->dlid_node = axl_child(node, "DataleverancierID");
  d->dlid = axl_text(d->dlid_node);
  d->volgnummer = axl_volgnummer(node);
}

/* One ExterneIdentificatie's entry; where its reference leads comes
** later. */
static void entry_of(axl_view_ext *x, xmlNodePtr node, size_t hg) {
  memset(x, 0, sizeof *x);
  x->node = node;
  x->hg = hg;
  x->pid_node = axl_child(node, "PersoonsID");
  x->pid = axl_text(x->pid_node);
  x->ref_node = axl_child(node, "RefDataleverancier");
  x->idref = x->ref_node ? axl_attr(x->ref_node, "IDREF") : NULL;
  x->dl = -1;
}

int axl_view_build(const axl_message *m, axl_view *v, axl_error *err) {
  size_t cap_hg = 0;
  memset(v, 0, sizeof *v);
#ifndef NDEBUG
  builds++;
#endif
  v->root = xmlDocGetRootElement(axl_message_doc(m));
  v->ids = axl_ids_build(m, err);
  if (!v->ids) return -1;
  for (xmlNodePtr c = v->root ? v->root->children : NULL; c; c = c->next) {
    if (is(c, "Dataleverancier")) {
      if (grow((void **)&v->dl, &v->cap_dl, v->n_dl + 1, sizeof *v->dl))
        goto oom;
      entity_of(&v->dl[v->n_dl++], c);
    } else if (is(c, "Hypotheekgever")) {
      axl_view_hg *h;
      xmlNodePtr ref;
      if (grow((void **)&v->hg, &cap_hg, v->n_hg + 1, sizeof *v->hg)) goto oom;
      h = &v->hg[v->n_hg++];
      memset(h, 0, sizeof *h);
      h->node = c;
      h->volgnummer = axl_volgnummer(c);
      h->ident = axl_child(c, "Identificatie");
      ref = axl_child(c, "RefPartijNAWData");
      if (ref) {
        xmlNodePtr t = axl_resolve_ref(v->ids, ref);
        if (t && is(t, "PartijNAWData")) h->partij = t;
      }
      h->first_ext = v->n_ext;
      for (xmlNodePtr e = h->ident ? h->ident->children : NULL; e;
           e = e->next) {
        axl_view_ext *x;
        if (!is(e, "ExterneIdentificatie")) continue;
        if (grow((void **)&v->ext, &v->cap_ext, v->n_ext + 1, sizeof *v->ext))
          goto oom;
        x = &v->ext[v->n_ext++];
        entry_of(x, e, v->n_hg - 1);
        x->target = x->ref_node ? axl_resolve_ref(v->ids, x->ref_node) : NULL;
        if (x->ref_node) v->n_with_ref++;
        h->n_ext++;
      }
    }
  }
  /* Resolve each reference to its Dataleverancier entity: by the target's
  ** ID, in a hash, so many entries cost no more than a few. */
  if (v->n_ext && v->n_dl) {
    xmlHashTablePtr by_id = xmlHashCreate((int)v->n_dl * 2 + 8);
    if (!by_id) goto oom;
    for (size_t j = 0; j < v->n_dl; j++)
      /* The first of a duplicated ID wins, as in ids.c. */
      if (v->dl[j].id &&
          axl_hash_add_first(by_id, BAD_CAST v->dl[j].id, (void *)(j + 1))) {
        xmlHashFree(by_id, NULL);
        goto oom;
      }
    for (size_t i = 0; i < v->n_ext; i++) {
      const char *tid = v->ext[i].target ? axl_attr(v->ext[i].target, "ID")
                                         : NULL;
      size_t j = tid ? (size_t)xmlHashLookup(by_id, BAD_CAST tid) : 0;
      if (j && v->dl[j - 1].node == v->ext[i].target) {
        v->ext[i].dl = (long)(j - 1);
        v->dl[j - 1].refs++;
      }
    }
    xmlHashFree(by_id, NULL);
  }
  for (size_t j = 0; j < v->n_dl; j++) {
    v->dl[j].cdl = v->dl[j].refs > 0 || v->dl[j].dlid_node != NULL;
    v->n_cdl += v->dl[j].cdl;
  }
  return 0;
oom:
  axl_view_free(v);
  axl_error_set(err, "AXL-P15", 0, "out of memory");
  return -1;
}

/* ====================================================================
** In step with link's writer
** ==================================================================== */

int axl_view_reserve(axl_view *v, size_t n_links) {
  if (grow((void **)&v->ext, &v->cap_ext, v->n_ext + n_links,
           sizeof *v->ext) ||
      grow((void **)&v->dl, &v->cap_dl, v->n_dl + n_links, sizeof *v->dl))
    return -1;
  return 0;
}

/* The slot right after node's entry in ext[from, to), searched from the
** end (a new element mostly goes after the last of its name); from when
** node is NULL. */
static size_t after_entry(const axl_view *v, size_t from, size_t to,
                          const xmlNode *node) {
  for (size_t i = to; node && i-- > from;)
    if (v->ext[i].node == node) return i + 1;
  return from;
}

/* The same among the entities. */
static size_t after_entity(const axl_view *v, const xmlNode *node) {
  for (size_t j = v->n_dl; node && j-- > 0;)
    if (v->dl[j].node == node) return j + 1;
  return 0;
}

/* The nearest earlier sibling element with node's name, or NULL. */
static const xmlNode *earlier_same(const xmlNode *node) {
  for (const xmlNode *s = node->prev; s; s = s->prev)
    if (is(s, (const char *)node->name)) return s;
  return NULL;
}

/* The view lists both in document order: each new one goes right after
** the entry of its nearest earlier namesake, else first (of its
** Hypotheekgever's entries; of the entities). Index fields that point past
** the slot move up by one. */
void axl_view_add_link(axl_view *v, size_t hg, xmlNodePtr ext,
                       xmlNodePtr dl) {
  axl_view_hg *h = &v->hg[hg];
  size_t j = after_entity(v, earlier_same(dl)), x;
  memmove(&v->dl[j + 1], &v->dl[j], (v->n_dl - j) * sizeof *v->dl);
  v->n_dl++;
  entity_of(&v->dl[j], dl);
  for (size_t i = 0; i < v->n_ext; i++)
    if (v->ext[i].dl >= (long)j) v->ext[i].dl++;
  x = after_entry(v, h->first_ext, h->first_ext + h->n_ext,
                  earlier_same(ext));
  memmove(&v->ext[x + 1], &v->ext[x], (v->n_ext - x) * sizeof *v->ext);
  v->n_ext++;
  entry_of(&v->ext[x], ext, hg);
  /* Its ID is fresh, so this entry is the entity's one reference. */
  v->ext[x].target = dl;
  v->ext[x].dl = (long)j;
  v->n_with_ref += v->ext[x].ref_node != NULL;
  v->dl[j].refs = 1;
  v->dl[j].cdl = 1;
  v->n_cdl++;
  if (!h->ident) h->ident = ext->parent;
  h->n_ext++;
  for (size_t k = hg + 1; k < v->n_hg; k++) v->hg[k].first_ext++;
}

void axl_view_free(axl_view *v) {
  free(v->hg);
  free(v->ext);
  free(v->dl);
  axl_ids_free(v->ids);
  memset(v, 0, sizeof *v);
}
