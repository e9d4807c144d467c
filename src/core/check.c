/*
** The ketenafspraak rules AXL-R01..R17, and R18 for any other message
** (DESIGN 5, doc/rules.md).
**
** check reads the message through the CDL view and one walk over the whole
** document (IDs, IDREFs, empty elements, Volgnummers); it never changes the
** message. A rule about CDL files applies only to Dataleverancier entities
** an ExterneIdentificatie references or that carry a DataleverancierID, so
** a valuation provider's Dataleverancier (only DataMijNr) is left alone.
** "receive" mode (a lender) downgrades what a lender can work around.
** Messages are fixed texts: no name, key, date or amount ever appears.
*/
#include "view.h"
#include "axlink_build.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/hash.h>
#include <libxml/tree.h>

/*
** What the whole-document walk records per element, kept sorted by address
** for look-ups: its document position, its position among same-name
** siblings, whether its name repeats there (the path writes [n] then), and
** whether its Volgnummer repeats one of an earlier same-name sibling (R16).
** Each parent's children are sorted once, so none of this is quadratic in
** the number of siblings: a lender checks what strangers send.
*/
typedef struct pos {
  const xmlNode *node;
  unsigned long order;
  unsigned sibpos;
  unsigned char repeat, dup_volg;
} pos;

typedef struct checker {
  const axl_check_opts *o;
  int ext_set, dl_set;        /* limits in effect (resolve_limits) */
  axl_occurs ext, dl;
  axl_report *out;
  const axl_view *v;
  pos *pos;
  size_t n_pos, cap_pos;
  char mpath[4096];   /* model path of the element being walked */
  size_t mlen;
  int oom;
  int count_only;     /* problems are counted in `fired`, not added */
  size_t fired;
} checker;

/*
** The records sorted by node address, for pos_of's binary search. A heap
** sort, in place: glibc's qsort takes a temporary copy of the whole array
** (24 MB for a 1 million element message), which was the peak of a check.
*/
static void sift_down(pos *a, size_t root, size_t n) {
  for (;;) {
    size_t child = 2 * root + 1, big = root;
    pos t;
    if (child < n && a[child].node > a[big].node) big = child;
    if (child + 1 < n && a[child + 1].node > a[big].node) big = child + 1;
    if (big == root) return;
    t = a[root];
    a[root] = a[big];
    a[big] = t;
    root = big;
  }
}

static void sort_by_node(pos *a, size_t n) {
  for (size_t i = n / 2; i-- > 0;) sift_down(a, i, n);
  for (size_t end = n; end-- > 1;) {
    pos t = a[0];
    a[0] = a[end];
    a[end] = t;
    sift_down(a, 0, end);
  }
}

static const pos *pos_of(const checker *c, const xmlNode *n) {
  size_t lo = 0, hi = c->n_pos;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (c->pos[mid].node == n) return &c->pos[mid];
    if (c->pos[mid].node < n) lo = mid + 1;
    else hi = mid;
  }
  return NULL;
}

/* The path with [n] for repeating entities, from the walk's records. */
static void path_of(const checker *c, const xmlNode *n, char *buf,
                    size_t size) {
  const xmlNode *chain[AXL_MAX_DEPTH_CEILING];
  size_t depth = 0, used = 0;
  buf[0] = '\0';
  for (; n && n->type == XML_ELEMENT_NODE && depth < AXL_MAX_DEPTH_CEILING;
       n = n->parent)
    chain[depth++] = n;
  while (depth--) {
    const pos *p = pos_of(c, chain[depth]);
    int w = p && p->repeat
            ? snprintf(buf + used, size - used, "/%s[%u]", chain[depth]->name,
                       p->sibpos)
            : snprintf(buf + used, size - used, "/%s", chain[depth]->name);
    if (w < 0 || (size_t)w >= size - used) return;
    used += (size_t)w;
  }
}

/* The problem added (NULL when out of memory: c->oom is set; NULL too
** while the checker only counts, see axl_check_limits). */
static axl_problem *problem(checker *c, const char *code, axl_severity sev,
                            const xmlNode *at, const char *text) {
  axl_problem *p;
  const pos *where;
  if (c->count_only) {
    c->fired++;
    return NULL;
  }
  p = axl_report_add(c->out, code, sev, text);
  where = pos_of(c, at);
  if (!p) {
    c->oom = 1;
    return NULL;
  }
  path_of(c, at, p->path, sizeof p->path);
  p->line = axl_node_line(at);
  p->order = where ? where->order : 0;
  return p;
}

/* send severity, and the receive one */
static axl_severity mode(const checker *c, axl_severity send,
                         axl_severity receive) {
  return c->o->receive ? receive : send;
}

/* ====================================================================
** The document-wide rules: R09 (IDs, references), R11 (empty), R16
** ==================================================================== */

static int is_ncname(const char *s) {
  return s && axl_ncname_ok(s, strlen(s));
}

static int blank(const char *s) {
  for (; s && *s; s++)
    if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') return 0;
  return 1;
}

static int has_element_child(const xmlNode *n) {
  for (n = n->children; n; n = n->next)
    if (n->type == XML_ELEMENT_NODE) return 1;
  return 0;
}

/* A Volgnummer's value for comparison: decimal digits compare as numbers
** ("01" is "1"), anything else as text. */
typedef struct volg { int num; unsigned long long n; const char *s; } volg;

static volg volg_of(const xmlNode *e) {
  volg v = { 0, 0, axl_attr(e, "Volgnummer") };
  const char *p = v.s;
  if (p && *p && strlen(p) <= 18) {
    v.num = 1;
    for (; *p; p++) {
      if (*p < '0' || *p > '9') {
        v.num = 0;
        break;
      }
      v.n = v.n * 10 + (unsigned)(*p - '0');
    }
  }
  return v;
}

typedef struct kid { const xmlNode *node; size_t slot; volg v; } kid;

static int by_name_order(const void *a, const void *b) {
  const kid *x = a, *y = b;
  int c = strcmp((const char *)x->node->name, (const char *)y->node->name);
  return c ? c : (x->slot > y->slot) - (x->slot < y->slot);
}

static int by_name_volg_order(const void *a, const void *b) {
  const kid *x = a, *y = b;
  int c = strcmp((const char *)x->node->name, (const char *)y->node->name);
  if (c) return c;
  if (!x->v.s != !y->v.s) return x->v.s ? -1 : 1;
  if (x->v.s) {
    if (x->v.num != y->v.num) return x->v.num ? -1 : 1;
    if (x->v.num && x->v.n != y->v.n) return x->v.n < y->v.n ? -1 : 1;
    if (!x->v.num && (c = strcmp(x->v.s, y->v.s)) != 0) return c;
  }
  return (x->slot > y->slot) - (x->slot < y->slot);
}

static int same_volg(const kid *x, const kid *y) {
  if (!x->v.s || !y->v.s || x->v.num != y->v.num) return 0;
  return x->v.num ? x->v.n == y->v.n : strcmp(x->v.s, y->v.s) == 0;
}

static int add_pos(checker *c, const xmlNode *n) {
  if (c->n_pos == c->cap_pos) {
    size_t cap = c->cap_pos ? c->cap_pos * 2 : 256;
    pos *p = realloc(c->pos, cap * sizeof *p);
    if (!p) {
      c->oom = 1;
      return -1;
    }
    c->pos = p;
    c->cap_pos = cap;
  }
  memset(&c->pos[c->n_pos], 0, sizeof c->pos[0]);
  c->pos[c->n_pos].node = n;
  c->pos[c->n_pos].order = c->n_pos + 1;
  c->n_pos++;
  return 0;
}

/* Records parent's subtree in document order (each child, then its own
** children), then groups parent's children by name. */
static void walk_children(checker *c, const xmlNode *parent) {
  axl_shape shape;
  size_t n = 0, i = 0;
  kid *kids;
  for (const xmlNode *k = parent->children; k; k = k->next)
    n += k->type == XML_ELEMENT_NODE;
  if (!n) return;
  kids = malloc(n * sizeof *kids);
  if (!kids) {
    c->oom = 1;
    return;
  }
  for (const xmlNode *k = parent->children; k && !c->oom; k = k->next) {
    size_t saved = c->mlen, add;
    if (k->type != XML_ELEMENT_NODE) continue;
    kids[i].node = k;
    kids[i].slot = c->n_pos;
    kids[i].v = volg_of(k);
    i++;
    if (add_pos(c, k)) break;
    add = strlen((const char *)k->name);
    if (!k->children || saved + add + 2 >= sizeof c->mpath) continue;
    c->mpath[c->mlen++] = '/';
    memcpy(c->mpath + c->mlen, k->name, add + 1);
    c->mlen += add;
    walk_children(c, k);
    c->mlen = saved;
    c->mpath[saved] = '\0';
  }
  if (c->oom) {
    free(kids);
    return;
  }
  /* Same-name groups: positions, and whether the name repeats. */
  axl_shape_init(&shape, c->mpath, NULL);
  qsort(kids, n, sizeof *kids, by_name_order);
  for (size_t a = 0, b; a < n; a = b) {
    int volgnummer = 0, repeat;
    for (b = a; b < n && !strcmp((const char *)kids[b].node->name,
                                 (const char *)kids[a].node->name); b++)
      volgnummer |= kids[b].v.s != NULL;
    repeat = axl_shape_repeats(&shape, (const char *)kids[a].node->name,
                               b - a, volgnummer);
    for (size_t k = a; k < b; k++) {
      c->pos[kids[k].slot].sibpos = (unsigned)(k - a + 1);
      c->pos[kids[k].slot].repeat = (unsigned char)repeat;
    }
  }
  /* R16: a Volgnummer repeated among same-name siblings, on the later. */
  qsort(kids, n, sizeof *kids, by_name_volg_order);
  for (size_t k = 1; k < n; k++)
    if (!strcmp((const char *)kids[k].node->name,
                (const char *)kids[k - 1].node->name) &&
        same_volg(&kids[k], &kids[k - 1]))
      c->pos[kids[k].slot].dup_volg = 1;
  free(kids);
}

static void walk(checker *c, const xmlNode *root) {
  /* The records are allocated once, exactly. */
  size_t len, n = root ? axl_count_elements(root) : 0;
  if (n) {
    c->pos = malloc(n * sizeof *c->pos);
    if (!c->pos) {
      c->oom = 1;
      return;
    }
    c->cap_pos = n;
  }
  if (!root || add_pos(c, root)) return;
  len = strlen((const char *)root->name);
  if (len >= sizeof c->mpath) return;
  memcpy(c->mpath, root->name, len + 1);
  c->mlen = len;
  walk_children(c, root);
}

/* R09: an ID that is not an NCName or is a duplicate; any IDREF but
** RefDataleverancier's (R03 has those) that resolves to nothing. */
static void r09_ids(checker *c, const xmlNode *n) {
  const char *id = axl_attr(n, "ID"), *idref = axl_attr(n, "IDREF");
  if (id) {
    if (!is_ncname(id))
      problem(c, "AXL-R09", AXL_ERROR, n, "ID is not an NCName");
    else if (axl_ids_find(c->v->ids, id) != n)
      problem(c, "AXL-R09", AXL_ERROR, n, "duplicate ID");
  }
  if (idref && strcmp((const char *)n->name, "RefDataleverancier") != 0 &&
      !axl_ids_find(c->v->ids, idref))
    problem(c, "AXL-R09", AXL_ERROR, n, "reference resolves to no element");
}

/* R11: an empty or whitespace-only element, reference elements excepted. */
static void r11_empty(checker *c, const xmlNode *n) {
  if (!has_element_child(n) && !axl_attr(n, "IDREF") && blank(axl_text(n)))
    problem(c, "AXL-R11", mode(c, AXL_ERROR, AXL_WARNING), n,
            "empty or whitespace-only element");
}

/* R16: a Volgnummer used twice among same-name siblings (the walk marked
** the later ones). */
static void r16_volgnummer(checker *c, const xmlNode *n) {
  const pos *p = pos_of(c, n);
  if (p && p->dup_volg)
    problem(c, "AXL-R16", mode(c, AXL_ERROR, AXL_WARNING), n,
            "Volgnummer used twice among same-name siblings");
}

/* The rules about one element, asked of every element of the message. */
typedef void (*element_rule)(checker *c, const xmlNode *n);
static const element_rule element_rules[] = {
  r09_ids, r11_empty, r16_volgnummer
};

static void document_rules(checker *c, const xmlNode *n) {
  for (; n && !c->oom; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    for (size_t r = 0; r < sizeof element_rules / sizeof element_rules[0];
         r++)
      element_rules[r](c, n);
    document_rules(c, n->children);
  }
}

/* ====================================================================
** The CDL rules
** ==================================================================== */

static const char *dlid_of(const checker *c, const axl_view_ext *x) {
  return x->dl >= 0 ? c->v->dl[x->dl].dlid : NULL;
}

/* Leading/trailing whitespace or a line break anywhere in a key. */
static int bad_key(const char *s) {
  size_t n = strlen(s);
  if (!n) return 0;
  if (strchr(s, '\n') || strchr(s, '\r')) return 1;
  return s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t';
}

/* The limits in effect: those given, else the schema's where it decides
** them, else none (the defaults of R01 and R02 apply). */
static void resolve_limits(checker *c) {
  const axl_check_opts *o = c->o;
  const axl_schema_limits *s = o->schema ? axl_schema_get_limits(o->schema)
                                         : NULL;
  c->ext_set = o->externe_set && !isnan(o->externe.max);
  c->ext = o->externe;
  if (!c->ext_set && s && !s->externe_undecided && !isnan(s->externe.max)) {
    c->ext_set = 1;
    c->ext = s->externe;
  }
  c->dl_set = o->dataleverancier_set && !isnan(o->dataleverancier.max);
  c->dl = o->dataleverancier;
  if (!c->dl_set && s && !s->dataleverancier_undecided &&
      !isnan(s->dataleverancier.max)) {
    c->dl_set = 1;
    c->dl = s->dataleverancier;
  }
  /* A negative maximum allows none, as 0 does (and indexes nothing). */
  if (c->ext_set && c->ext.max < 0) c->ext.max = 0;
  if (c->dl_set && c->dl.max < 0) c->dl.max = 0;
}

/* Counts and limits are numbers about the message's shape, not data. */
static void over_limit(checker *c, const char *code, axl_limit_kind kind,
                       axl_severity sev, const xmlNode *at, size_t count,
                       const char *what, const char *limit_words,
                       double limit) {
  char text[192];
  axl_problem *p;
  snprintf(text, sizeof text, "%zu %s, over %s%.0f", count, what,
           limit_words, limit);
  p = problem(c, code, sev, at, text);
  if (p) p->limit = kind;
}

static int ext_zero(const checker *c) {
  return c->ext_set && c->ext.max == 0;
}

static int dl_zero(const checker *c) {
  return c->dl_set && c->dl.max == 0;
}

/* R17: the receiver allows none at all; per Hypotheekgever, like R01,
** which it replaces at a limit of 0, and once for the entities. */
static void r17_none_allowed(checker *c) {
  const axl_view *v = c->v;
  axl_problem *p;
  for (size_t i = 0; ext_zero(c) && i < v->n_hg; i++)
    if (v->hg[i].n_ext &&
        (p = problem(c, "AXL-R17", AXL_ERROR, v->ext[v->hg[i].first_ext].node,
                     "ExterneIdentificatie present while the receiver's "
                     "schema allows none")))
      p->limit = AXL_LIMIT_NONE_ALLOWED;
  for (size_t j = 0; dl_zero(c) && j < v->n_dl; j++)
    if (v->dl[j].cdl) {
      p = problem(c, "AXL-R17", AXL_ERROR, v->dl[j].node, "Dataleverancier "
                  "present while the receiver's schema allows none");
      if (p) p->limit = AXL_LIMIT_NONE_ALLOWED;
      break;
    }
}

/* R01: per Hypotheekgever, on the first entry beyond the limit. */
static void r01_externe(checker *c) {
  const axl_view *v = c->v;
  const char *what = "ExterneIdentificatie under one Hypotheekgever";
  for (size_t i = 0; i < v->n_hg && !ext_zero(c); i++) {
    const axl_view_hg *h = &v->hg[i];
    if (c->ext_set) {
      double max = c->ext.max;
      if ((double)h->n_ext > max)
        over_limit(c, "AXL-R01", AXL_LIMIT_EXTERNE, AXL_ERROR,
                   v->ext[h->first_ext + (size_t)max].node, h->n_ext, what,
                   "the receiver's limit of ", max);
    } else if (h->n_ext > 9) {
      over_limit(c, "AXL-R01", AXL_LIMIT_EXTERNE, AXL_ERROR,
                 v->ext[h->first_ext + 9].node, h->n_ext, what,
                 "the limit of ", 9);
    } else if (h->n_ext > 2) {
      char text[192];
      axl_problem *p;
      snprintf(text, sizeof text, "%zu %s, over 2 (the least a conforming "
               "lender accepts; the most any accepts is 9)", h->n_ext, what);
      p = problem(c, "AXL-R01", AXL_WARNING, v->ext[h->first_ext + 2].node,
                  text);
      if (p) p->limit = AXL_LIMIT_EXTERNE;
    }
  }
}

/* R02: CDL Dataleverancier entities, copies for bundled files included;
** reported once, on the first entity beyond the limit. */
static void r02_dataleverancier(checker *c) {
  const axl_view *v = c->v;
  double max = c->dl_set ? c->dl.max : 9;
  size_t seen = 0;
  for (size_t j = 0; j < v->n_dl && !dl_zero(c); j++)
    if (v->dl[j].cdl && (double)++seen > max) {
      over_limit(c, "AXL-R02", AXL_LIMIT_DATALEVERANCIER, AXL_ERROR,
                 v->dl[j].node, v->n_cdl, "CDL Dataleverancier entities in "
                 "the message", c->dl_set ? "the receiver's limit of "
                 : "the limit of ", max);
      break;
    }
}

/* R06 on the entries: the person's key. */
static void r06_persoons_id(checker *c) {
  for (size_t i = 0; i < c->v->n_ext && !c->oom; i++) {
    const axl_view_ext *x = &c->v->ext[i];
    if (!x->pid_node)
      problem(c, "AXL-R06", AXL_ERROR, x->node, "PersoonsID missing");
    else if (blank(x->pid))
      problem(c, "AXL-R06", AXL_ERROR, x->pid_node, "PersoonsID empty");
    else if (bad_key(x->pid))
      problem(c, "AXL-R06", AXL_ERROR, x->pid_node, "PersoonsID with "
              "leading or trailing whitespace or a line break");
  }
}

/* R03: a reference must reach a Dataleverancier. */
static void r03_reference(checker *c) {
  for (size_t i = 0; i < c->v->n_ext && !c->oom; i++) {
    const axl_view_ext *x = &c->v->ext[i];
    if (x->ref_node && x->dl < 0)
      problem(c, "AXL-R03", AXL_ERROR, x->ref_node, x->target
              ? "RefDataleverancier points at an element that is not a "
                "Dataleverancier"
              : "RefDataleverancier resolves to no element");
  }
}

/* R10: no reference at all. */
static void r10_no_reference(checker *c) {
  size_t n_cdl = c->v->n_cdl;
  for (size_t i = 0; i < c->v->n_ext && !c->oom && n_cdl; i++)
    if (!c->v->ext[i].ref_node)
      problem(c, "AXL-R10", n_cdl == 1 ? AXL_INFO : AXL_WARNING,
              c->v->ext[i].node, n_cdl == 1 ? "ExterneIdentificatie without "
              "RefDataleverancier (one CDL Dataleverancier: unambiguous)"
              : "ExterneIdentificatie without RefDataleverancier while "
                "several CDL Dataleverancier exist");
}

/* R04: one entity referenced twice (a bundled file goes once per person);
** reported on each reference after the first. */
static void r04_shared_entity(checker *c) {
  const axl_view *v = c->v;
  size_t *first_ref = malloc((v->n_dl ? v->n_dl : 1) * sizeof *first_ref);
  if (!first_ref) {
    c->oom = 1;
    return;
  }
  for (size_t j = 0; j < v->n_dl; j++) first_ref[j] = (size_t)-1;
  for (size_t i = 0; i < v->n_ext && !c->oom; i++) {
    long dl = v->ext[i].dl;
    if (dl < 0) continue;
    if (first_ref[dl] == (size_t)-1) first_ref[dl] = i;
    else
      problem(c, "AXL-R04", mode(c, AXL_ERROR, AXL_WARNING),
              v->ext[i].ref_node, "Dataleverancier entity referenced by "
              "more than one ExterneIdentificatie");
  }
  free(first_ref);
}

/* R07, R12: against the first earlier entry of the same Hypotheekgever
** with the same DataleverancierID (one hash per Hypotheekgever; the view
** lists each one's entries together). */
static void r07_r12_same_hypotheekgever(checker *c) {
  const axl_view *v = c->v;
  xmlHashTablePtr in_hg = NULL;
  size_t cur_hg = (size_t)-1;
  for (size_t i = 0; i < v->n_ext && !c->oom; i++) {
    const axl_view_ext *x = &v->ext[i];
    const char *a = dlid_of(c, x);
    size_t k;
    if (x->hg != cur_hg) {
      xmlHashFree(in_hg, NULL);
      cur_hg = x->hg;
      if (!(in_hg = xmlHashCreate(16))) {
        c->oom = 1;
        break;
      }
    }
    if (!a || !x->pid) continue;
    k = (size_t)xmlHashLookup(in_hg, BAD_CAST a);
    if (!k) {
      if (xmlHashAddEntry(in_hg, BAD_CAST a, (void *)(i + 1))) c->oom = 1;
    } else if (strcmp(x->pid, v->ext[k - 1].pid) == 0) {
      problem(c, "AXL-R07", mode(c, AXL_ERROR, AXL_WARNING), x->node,
              "same PersoonsID and DataleverancierID linked twice under one "
              "Hypotheekgever");
    } else {
      problem(c, "AXL-R12", AXL_ERROR, x->node, "two persons of one CDL "
              "file under one Hypotheekgever");
    }
  }
  xmlHashFree(in_hg, NULL);
}

/* R08, R13: against the first entry with this PersoonsID, when it is under
** an earlier Hypotheekgever. */
static void r08_r13_across_hypotheekgevers(checker *c) {
  const axl_view *v = c->v;
  xmlHashTablePtr by_pid = xmlHashCreate((int)v->n_ext + 8);
  if (!by_pid) {
    c->oom = 1;
    return;
  }
  for (size_t i = 0; i < v->n_ext && !c->oom; i++) {
    const axl_view_ext *x = &v->ext[i];
    size_t k;
    if (!x->pid || !*x->pid) continue;
    k = (size_t)xmlHashLookup(by_pid, BAD_CAST x->pid);
    if (!k) {
      if (xmlHashAddEntry(by_pid, BAD_CAST x->pid, (void *)(i + 1)))
        c->oom = 1;
    } else if (v->ext[k - 1].hg != x->hg) {
      const char *a = dlid_of(c, x), *b = dlid_of(c, &v->ext[k - 1]);
      if (a && b && strcmp(a, b) == 0)
        problem(c, "AXL-R08", AXL_ERROR, x->node, "one PersoonsID with the "
                "same DataleverancierID under two Hypotheekgevers");
      else if (a && b)
        problem(c, "AXL-R13", AXL_WARNING, x->node, "one PersoonsID under "
                "two Hypotheekgevers with different DataleverancierIDs");
    }
  }
  xmlHashFree(by_pid, NULL);
}

/* R14: entries but no CDL Dataleverancier in the message at all. */
static void r14_no_dataleverancier(checker *c) {
  if (c->v->n_ext && !c->v->n_cdl)
    problem(c, "AXL-R14", AXL_ERROR, c->v->ext[0].node, "ExterneIdentificatie "
            "present but no CDL Dataleverancier in the message");
}

/* R15: entries under a Hypotheekgever that is not a natural person. */
static void r15_natural_person(checker *c) {
  const axl_view *v = c->v;
  for (size_t i = 0; i < v->n_hg && !c->oom; i++) {
    const axl_view_hg *h = &v->hg[i];
    const char *soort;
    if (!h->n_ext) continue;
    soort = h->partij ? axl_text(axl_child(h->partij, "SoortPartij")) : NULL;
    if (!soort || strncmp(soort, "01", 2) != 0 || (soort[2] && soort[2] != ' '))
      problem(c, "AXL-R15", AXL_ERROR, v->ext[h->first_ext].node,
              h->partij ? "ExterneIdentificatie under a Hypotheekgever that "
              "is not a natural person" : "ExterneIdentificatie under a "
              "Hypotheekgever without PartijNAWData");
  }
}

/* R06 on the entities: the data file's key. */
static void r06_dataleverancier_id(checker *c) {
  const axl_view *v = c->v;
  int no_refs_used = v->n_ext > 0 && v->n_with_ref == 0;
  for (size_t j = 0; j < v->n_dl && !c->oom; j++) {
    const axl_view_dl *d = &v->dl[j];
    if ((d->refs || no_refs_used) && !d->dlid_node)
      problem(c, "AXL-R06", AXL_ERROR, d->node, "DataleverancierID missing");
    if (d->dlid_node && blank(d->dlid))
      problem(c, "AXL-R06", AXL_ERROR, d->dlid_node, "DataleverancierID "
              "empty");
    else if (d->dlid_node && bad_key(d->dlid))
      problem(c, "AXL-R06", AXL_ERROR, d->dlid_node, "DataleverancierID "
              "with leading or trailing whitespace or a line break");
  }
}

/* R05: a CDL Dataleverancier nothing references; when no entry uses
** references at all, one remark about the message instead of one per
** entity. */
static void r05_unreferenced(checker *c) {
  const axl_view *v = c->v;
  int no_refs_used = v->n_ext > 0 && v->n_with_ref == 0;
  size_t unreferenced = 0;
  for (size_t j = 0; j < v->n_dl && !c->oom; j++)
    if (v->dl[j].cdl && !v->dl[j].refs) {
      unreferenced++;
      if (!no_refs_used)
        problem(c, "AXL-R05", mode(c, AXL_WARNING, AXL_INFO), v->dl[j].node,
                "CDL Dataleverancier that nothing references");
    }
  if (unreferenced && no_refs_used)
    problem(c, "AXL-R05", AXL_INFO, v->root, "no ExterneIdentificatie uses "
            "RefDataleverancier: the CDL Dataleverancier entities are not "
            "referenced");
}

/* The rules about the CDL view as a whole, each on its own: the order
** here is not the report's (it is sorted by position, then code). The
** limit rules, the only ones that set a problem's limit, come first: link
** runs them alone (axl_check_limits). */
typedef void (*view_rule)(checker *c);
static const view_rule limit_rules[] = {
  r17_none_allowed, r01_externe, r02_dataleverancier
};
static const view_rule view_rules[] = {
  r06_persoons_id, r03_reference, r10_no_reference, r04_shared_entity,
  r07_r12_same_hypotheekgever, r08_r13_across_hypotheekgevers,
  r14_no_dataleverancier, r15_natural_person, r06_dataleverancier_id,
  r05_unreferenced
};
#define N_RULES(t) (sizeof (t) / sizeof (t)[0])

static void run_rules(checker *c, const view_rule *rules, size_t n) {
  for (size_t r = 0; r < n && !c->oom; r++) rules[r](c);
}

/* R18: the rules are the ketenafspraak's for an AX OfferteAanvraag; on any
** other message they would say "ok" about something they never looked at.
** The root's name is a schema name, not data. */
static int not_an_ax(const axl_message *m, axl_report *out) {
  const xmlNode *root = xmlDocGetRootElement(axl_message_doc(m));
  char text[192];
  axl_problem *p;
  if (root && !strcmp((const char *)root->name, "OfferteAanvraag")) return 0;
  snprintf(text, sizeof text, "not an AX OfferteAanvraag: root is %.100s",
           root ? (const char *)root->name : "(none)");
  p = axl_report_add(out, "AXL-R18", AXL_ERROR, text);
  if (!p) return -1;
  if (root) {
    snprintf(p->path, sizeof p->path, "/%.200s", (const char *)root->name);
    p->line = axl_node_line(root);
  }
  p->order = 1;
  return 1;
}

static const axl_check_opts defaults;   /* zero: the defaults */

static void checker_init(checker *c, const axl_check_opts *o,
                         axl_report *out, const axl_view *v) {
  memset(c, 0, sizeof *c);
  c->o = o ? o : &defaults;
  c->out = out;
  c->v = v;
  resolve_limits(c);
}

static int check_guarded(const axl_message *m, const axl_check_opts *o,
                         axl_report *out, axl_error *err) {
  checker c;
  axl_view v;
  int other;
  axl_error_clear(err);
  if ((other = not_an_ax(m, out)) != 0) {
    if (other > 0) return 0;
    axl_error_set(err, "AXL-P15", 0, "out of memory");
    return -1;
  }
  if (axl_view_build(m, &v, err)) return -1;
  checker_init(&c, o, out, &v);
  walk(&c, v.root);
  if (!c.oom) {
    sort_by_node(c.pos, c.n_pos);
    document_rules(&c, v.root);
    run_rules(&c, limit_rules, N_RULES(limit_rules));
    run_rules(&c, view_rules, N_RULES(view_rules));
  }
  free(c.pos);
  axl_view_free(&v);
  if (c.oom) {
    axl_error_set(err, "AXL-P15", 0, "out of memory");
    return -1;
  }
  axl_report_sort(out);
  return 0;
}

/*
** The limit rules alone, for link: over a view its caller keeps in step
** with the document, so no view is built here and no other rule runs.
** A problem's path and position come from the whole-document walk, as in
** check, and the walk is the dear part: the rules run first only counting,
** and when one fired, again after a walk, placed. Not guarded: link's
** guard is around it.
*/
int axl_check_limits(const axl_view *v, const axl_check_opts *o,
                     axl_report *out, axl_error *err) {
  checker c;
  axl_error_clear(err);
  checker_init(&c, o, out, v);
  c.count_only = 1;
  run_rules(&c, limit_rules, N_RULES(limit_rules));
  c.count_only = 0;
  if (c.fired) {
    walk(&c, v->root);
    if (!c.oom) {
      sort_by_node(c.pos, c.n_pos);
      run_rules(&c, limit_rules, N_RULES(limit_rules));
    }
  }
  free(c.pos);
  if (c.oom) {
    axl_error_set(err, "AXL-P15", 0, "out of memory");
    return -1;
  }
  axl_report_sort(out);
  return 0;
}

void axl_check_opts_default(axl_check_opts *o) {
  memset(o, 0, sizeof *o);
}

/* Every libxml2 call inside runs with axlink's silent, thread-local error
** handlers: an allocation failure must not print to the host's stderr. */
int axl_check(const axl_message *m, const axl_check_opts *o, axl_report *out,
              axl_error *err) {
  axl_guard g;
  int r;
  axl_guard_enter(&g);
  r = check_guarded(m, o, out, err);
  if (axl_guard_leave(&g) && r == 0) {
    axl_report_free(out);
    axl_report_init(out);
    axl_error_set(err, "AXL-P15", 0, "out of memory");
    r = -1;
  }
  return r;
}
