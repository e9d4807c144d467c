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

int axl_view_build(const axl_message *m, axl_view *v, axl_error *err) {
  size_t cap_hg = 0, cap_ext = 0, cap_dl = 0;
  memset(v, 0, sizeof *v);
  v->root = xmlDocGetRootElement(axl_message_doc(m));
  v->ids = axl_ids_build(m, err);
  if (!v->ids) return -1;
  for (xmlNodePtr c = v->root ? v->root->children : NULL; c; c = c->next) {
    if (is(c, "Dataleverancier")) {
      axl_view_dl *d;
      if (grow((void **)&v->dl, &cap_dl, v->n_dl + 1, sizeof *v->dl)) goto oom;
      d = &v->dl[v->n_dl++];
      memset(d, 0, sizeof *d);
      d->node = c;
      d->id = axl_attr(c, "ID");
      d->dlid_node = axl_child(c, "DataleverancierID");
      d->dlid = axl_text(d->dlid_node);
      d->volgnummer = axl_volgnummer(c);
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
        if (grow((void **)&v->ext, &cap_ext, v->n_ext + 1, sizeof *v->ext))
          goto oom;
        x = &v->ext[v->n_ext++];
        memset(x, 0, sizeof *x);
        x->node = e;
        x->hg = v->n_hg - 1;
        x->pid_node = axl_child(e, "PersoonsID");
        x->pid = axl_text(x->pid_node);
        x->ref_node = axl_child(e, "RefDataleverancier");
        x->idref = x->ref_node ? axl_attr(x->ref_node, "IDREF") : NULL;
        x->target = x->ref_node ? axl_resolve_ref(v->ids, x->ref_node) : NULL;
        x->dl = -1;
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

void axl_view_free(axl_view *v) {
  free(v->hg);
  free(v->ext);
  free(v->dl);
  axl_ids_free(v->ids);
  memset(v, 0, sizeof *v);
}
