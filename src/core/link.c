/*
** Linking a CDL delivery to the applicants of an AX (DESIGN 4.2), and the
** lender's read-only view of the links (4.4).
**
** What is written, per linked person: under the Hypotheekgever's
** Identificatie an ExterneIdentificatie (Volgnummer max+1, the PersoonsID,
** a RefDataleverancier), and one Dataleverancier entity of its own (a fresh
** ID, Volgnummer max+1, the DataleverancierID and the host's fields), so a
** bundled file linked to two persons gives two entities with the same key.
**
** All or nothing, without a copy of the document: the links are written
** into the message itself, and every element written is recorded in an
** undo log as it goes into the tree. A refusal at any step (a limit, a
** rule, the schema, memory, an allocation failure libxml2 reported and
** went on from) unlinks and frees exactly those elements, newest first,
** which gives back the tree as it was: what link adds are whole new
** subtrees (Identificatie when missing, ExterneIdentificatie,
** Dataleverancier, with their children and attributes), never a change to
** an element that was there, and inserting an element merges no text.
** Removing (opts.replace, axl_unlink) is done on a copy, which is handed
** back as a new message: a host holding on to the old document (the Lua
** binding's order records) keeps it whole.
**
** One CDL view per link, of the document it works on (m itself in place,
** else the copy): persons resolve through it, the writer reads it and
** tells it what it adds (axl_view_add_link), and the limit rules read it
** last. Only opts.replace builds it a second time, once links were
** removed: a removed entity can uncover a duplicate ID elsewhere, which
** the view's ID index and every reference resolved through it would have
** to follow, and rebuilding is that, for a rare path.
*/
#include "view.h"
#include "match.h"
#include "place.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/hash.h>

void axl_link_result_free(axl_link_result *res) {
  if (!res) return;
  free(res->entries);
  free(res->grades);
  axl_report_free(&res->problems);
  memset(res, 0, sizeof *res);
}

static int fail(axl_error *err, const char *code, const char *text) {
  axl_error_set(err, code, 0, text);
  return -1;
}

static int natural_person(const axl_view_hg *h) {
  const char *soort = h->partij ? axl_text(axl_child(h->partij,
                                                     "SoortPartij")) : NULL;
  return soort && strncmp(soort, "01", 2) == 0 && (!soort[2] ||
                                                   soort[2] == ' ');
}

static void ax_name(const axl_view_hg *h, axl_ax_name *a) {
  const xmlNode *p = h->partij;
  a->birth_date = axl_text(axl_child(p, "GeboorteDt"));
  a->initials = axl_text(axl_child(p, "VoorLetters"));
  a->surname = axl_text(axl_child(p, "GeboorteAchternaam"));
  a->prefix = axl_text(axl_child(p, "GeboorteTussenvoegsels"));
  a->use_name = axl_text(axl_child(p, "CorrespondentieNaam"));
  a->use_prefix = axl_text(axl_child(p, "CorrespondentieTussenvoegsels"));
}

static void cdl_name(const axl_link_person *p, axl_cdl_name *c) {
  c->birth_date = p->birth_date;
  c->initials = p->initials;
  c->surname = p->surname;
  c->prefix = p->prefix;
}

/* ====================================================================
** The delivery, checked as the Lua API checks it (lua/axlink/cdl.lua)
** ==================================================================== */

static int digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return 0;
  return 1;
}

/* YYYY-MM-DD, alone or followed by a time ("T..."); partial_ok allows 00
** for an unknown month or day (BRP birth dates). */
static int iso_date(const char *s, int partial_ok) {
  size_t n = strlen(s);
  if (n < 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) ||
      s[7] != '-' || !digits(s + 8, 2) || (n > 10 && s[10] != 'T'))
    return 0;
  return partial_ok || (strncmp(s + 5, "00", 2) && strncmp(s + 8, "00", 2));
}

/* The message names the field, never its value. */
static int bad_field(axl_error *err, axl_link_result *res, const char *code,
                     size_t person, const char *field, const char *why) {
  char text[160];
  if (person) {
    snprintf(text, sizeof text, "delivery.persons[%zu].%s: %s", person,
             field, why);
    res->has_person = 1;
    res->person = person - 1;
  } else {
    snprintf(text, sizeof text, "delivery.%s: %s", field, why);
  }
  return fail(err, code, text);
}

static int check_delivery(const axl_link_request *req, axl_link_result *res,
                          axl_error *err) {
  static const char *const wrong = "wrong or missing";
  if (!req->dataleverancier_id || !*req->dataleverancier_id)
    return bad_field(err, res, "AXL-C01", 0, "id", wrong);
  if (req->valid_until && !iso_date(req->valid_until, 0))
    return bad_field(err, res, "AXL-C01", 0, "valid_until", wrong);
  if (!req->persons || req->n_persons == 0)
    return bad_field(err, res, "AXL-C02", 0, "persons", wrong);
  for (size_t i = 0; i < req->n_persons; i++) {
    const axl_link_person *p = &req->persons[i];
    const char *const names[] = { "id", "initials", "surname", "prefix" };
    const char *const values[] = { p->id, p->initials, p->surname,
                                   p->prefix };
    for (size_t f = 0; f < 4; f++)
      if (values[f] && !*values[f])
        return bad_field(err, res, "AXL-C03", i + 1, names[f], wrong);
    if (p->birth_date && !iso_date(p->birth_date, 1))
      return bad_field(err, res, "AXL-C03", i + 1, "birth_date", wrong);
    for (size_t j = 0; p->id && j < i; j++)
      if (req->persons[j].id && !strcmp(p->id, req->persons[j].id))
        return bad_field(err, res, "AXL-C04", i + 1, "id",
                         "not unique in the delivery");
  }
  if (req->today && !iso_date(req->today, 0))
    return fail(err, "AXL-L15", "today is not an ISO date (YYYY-MM-DD)");
  return 0;
}

/* ====================================================================
** Who is who
** ==================================================================== */

static int add_grade(axl_link_result *res, size_t person, long volg,
                     axl_grade g) {
  axl_link_grade *gr = realloc(res->grades,
                               (res->n_grades + 1) * sizeof *gr);
  if (!gr) return -1;
  res->grades = gr;
  gr[res->n_grades].person = person;
  gr[res->n_grades].hypotheekgever = volg;
  gr[res->n_grades].grade = g;
  res->n_grades++;
  return 0;
}

/* Resolves every person to a Hypotheekgever index (or -1 when skipped). */
static int resolve_persons(const axl_view *v, const axl_link_request *req,
                           long *target, axl_link_result *res,
                           axl_error *err) {
  int ambiguous = 0;
  for (size_t i = 0; i < req->n_persons; i++) {
    const axl_link_person *p = &req->persons[i];
    axl_cdl_name c;
    target[i] = -1;
    cdl_name(p, &c);
    if (p->match == AXL_MATCH_SKIP) continue;
    res->has_person = 1;
    res->person = i;
    if (!p->id || !*p->id)
      return fail(err, "AXL-L05", "person without a key (PersoonsID): the "
                  "host must supply it, axlink never invents one");
    if (p->match == AXL_MATCH_VOLGNUMMER || p->match == AXL_MATCH_PARTIJ_ID) {
      for (size_t h = 0; h < v->n_hg && target[i] < 0; h++) {
        const axl_view_hg *hg = &v->hg[h];
        if (p->match == AXL_MATCH_VOLGNUMMER ? hg->volgnummer == p->volgnummer
            : (hg->partij && p->partij_id &&
               strcmp(axl_attr(hg->partij, "ID") ? axl_attr(hg->partij, "ID")
                      : "", p->partij_id) == 0))
          target[i] = (long)h;
      }
      if (target[i] < 0)
        return fail(err, "AXL-L01", "no Hypotheekgever with that Volgnummer "
                    "or PartijNAWData ID");
      if (!natural_person(&v->hg[target[i]]))
        return fail(err, "AXL-L09", "the Hypotheekgever's PartijNAWData is "
                    "missing or not a natural person");
      {
        axl_ax_name a;
        ax_name(&v->hg[target[i]], &a);
        if (add_grade(res, i, v->hg[target[i]].volgnummer,
                      axl_grade_person(&c, &a)))
          return fail(err, "AXL-P15", "out of memory");
        if (axl_compare_dates(p->birth_date, a.birth_date) ==
            AXL_CMP_CONFLICT && !req->force)
          return fail(err, "AXL-L02", "birth date conflicts with the named "
                      "Hypotheekgever (opts.force links anyway)");
      }
      continue;
    }
    /* Automatic: only a single verified candidate links. */
    {
      long found = -1;
      int verified = 0;
      for (size_t h = 0; h < v->n_hg; h++) {
        axl_ax_name a;
        axl_grade g;
        if (!natural_person(&v->hg[h])) continue;
        ax_name(&v->hg[h], &a);
        g = axl_grade_person(&c, &a);
        if (add_grade(res, i, v->hg[h].volgnummer, g))
          return fail(err, "AXL-P15", "out of memory");
        if (g == AXL_GRADE_VERIFIED) {
          verified++;
          found = (long)h;
        }
      }
      if (verified == 1) target[i] = found;
      else ambiguous = 1;
    }
  }
  res->has_person = 0;
  res->person = 0;
  if (ambiguous)
    return fail(err, "AXL-L03", "no single verified Hypotheekgever for every "
                "person: name the match explicitly (the grades are in the "
                "error info)");
  for (size_t i = 0; i < req->n_persons; i++)
    for (size_t j = 0; j < i; j++)
      if (target[i] >= 0 && target[i] == target[j]) {
        res->has_person = 1;
        res->person = i;
        return fail(err, "AXL-L04", "two persons resolve to one "
                    "Hypotheekgever");
      }
  return 0;
}

/* ====================================================================
** The undo log
** ==================================================================== */

/*
** The elements a link has put into the tree, in order. Room for all of
** them (at most Identificatie, ExterneIdentificatie and Dataleverancier per
** person) is taken before the first is inserted, so recording one never
** fails: an element is never in the tree without being in the log.
*/
typedef struct undo_log {
  xmlNodePtr *added;
  size_t n, cap;
} undo_log;

static int undo_reserve(undo_log *u, size_t n_persons) {
  u->n = 0;
  u->cap = 3 * (n_persons ? n_persons : 1);
  u->added = malloc(u->cap * sizeof *u->added);
  return u->added ? 0 : -1;
}

static void undo_record(undo_log *u, xmlNodePtr n) {
  if (u && u->n < u->cap) u->added[u->n++] = n;
}

/* Takes every recorded element out again, newest first. */
static void undo_all(undo_log *u) {
  while (u->n) {
    xmlNodePtr n = u->added[--u->n];
    xmlUnlinkNode(n);
    xmlFreeNode(n);
  }
}

/* The links stay: the log is dropped. */
static void undo_free(undo_log *u) {
  free(u->added);
  memset(u, 0, sizeof *u);
}

/* ====================================================================
** Writing
** ==================================================================== */

static long max_volgnummer(const xmlNode *parent, const char *name) {
  long max = 0;
  for (const xmlNode *c = parent ? parent->children : NULL; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, name)) {
      long v = axl_volgnummer(c);
      if (v > max) max = v;
    }
  return max;
}

/* Every ID and IDREF value in the document, so a new ID repairs nothing.
** -1 when one could not be recorded (it would then look free). */
static int collect_names(xmlHashTablePtr seen, const xmlNode *n) {
  for (; n; n = n->next) {
    const char *v;
    if (n->type != XML_ELEMENT_NODE) continue;
    if ((v = axl_attr(n, "ID")) &&
        axl_hash_add_first(seen, BAD_CAST v, (void *)n))
      return -1;
    if ((v = axl_attr(n, "IDREF")) &&
        axl_hash_add_first(seen, BAD_CAST v, (void *)n))
      return -1;
    if (collect_names(seen, n->children)) return -1;
  }
  return 0;
}

/* -1 when the new ID could not be recorded as taken. */
static int fresh_id(xmlHashTablePtr seen, char *out, size_t size) {
  for (unsigned long k = 1;; k++) {
    snprintf(out, size, "DL%lu", k);
    if (!xmlHashLookup(seen, BAD_CAST out))
      return xmlHashAddEntry(seen, BAD_CAST out, out) == 0 ? 0 : -1;
  }
}

static int set_volgnummer(xmlNodePtr n, long v) {
  char num[32];
  snprintf(num, sizeof num, "%ld", v);
  return xmlNewProp(n, BAD_CAST "Volgnummer", BAD_CAST num) ? 0 : -1;
}

/* A field the host may set on a new Dataleverancier (opts.fields): one the
** model knows as a leaf of it, but its key, which is the delivery's. */
static int host_field(const char *name) {
  return axl_model_child_kind("OfferteAanvraag/Dataleverancier", name) ==
         AXL_FIELD_LEAF && strcmp(name, "DataleverancierID") != 0;
}

/* One text field into d, where the order (schema or model) puts it. */
static int add_field(xmlDocPtr doc, xmlNodePtr d, const char *name,
                     const char *value, const axl_schema *schema) {
  xmlNodePtr c = axl_new_text_child(doc, name, value);
  if (!c) return -1;
  if (axl_place_child(d, c, schema)) {
    xmlFreeNode(c);
    return -1;
  }
  return 0;
}

/* The entity goes into the tree (and the log) first, so that its fields
** are placed knowing where it stands; a failure after that leaves it to
** the caller's undo. */
static xmlNodePtr new_dataleverancier(xmlDocPtr doc, xmlNodePtr root,
                                      const axl_link_request *req,
                                      const char *id, undo_log *log) {
  xmlNodePtr d = axl_new_node(doc, "Dataleverancier");
  if (!d) return NULL;
  if (set_volgnummer(d, max_volgnummer(root, "Dataleverancier") + 1) ||
      !xmlNewProp(d, BAD_CAST "ID", BAD_CAST id) ||
      axl_place_child(root, d, req->schema)) {
    xmlFreeNode(d);
    return NULL;
  }
  undo_record(log, d);
  if (add_field(doc, d, "DataleverancierID", req->dataleverancier_id,
                req->schema))
    return NULL;
  for (size_t i = 0; i < req->n_fields; i++) {
    int later = 0;   /* a name given twice: the last value counts */
    for (size_t j = i + 1; j < req->n_fields; j++)
      later |= !strcmp(req->fields[i].name, req->fields[j].name);
    if (!later && add_field(doc, d, req->fields[i].name,
                            req->fields[i].value, req->schema))
      return NULL;
  }
  return d;
}

static xmlNodePtr new_externe(xmlDocPtr doc, xmlNodePtr hg, xmlNodePtr ident,
                              const char *pid, const char *ref,
                              const axl_schema *schema, undo_log *log) {
  xmlNodePtr e, c;
  if (!ident) {
    ident = axl_new_node(doc, "Identificatie");
    if (!ident) return NULL;
    if (axl_place_child(hg, ident, schema)) {
      xmlFreeNode(ident);
      return NULL;
    }
    undo_record(log, ident);
  }
  e = axl_new_node(doc, "ExterneIdentificatie");
  if (!e) return NULL;
  if (set_volgnummer(e, max_volgnummer(ident, "ExterneIdentificatie") + 1)) {
    xmlFreeNode(e);
    return NULL;
  }
  c = axl_new_text_child(doc, "PersoonsID", pid);
  if (!c) {
    xmlFreeNode(e);
    return NULL;
  }
  xmlAddChild(e, c);
  c = axl_new_node(doc, "RefDataleverancier");
  if (!c || !xmlNewProp(c, BAD_CAST "IDREF", BAD_CAST ref)) {
    if (c) xmlFreeNode(c);
    xmlFreeNode(e);
    return NULL;
  }
  xmlAddChild(e, c);
  if (axl_place_child(ident, e, schema)) {
    xmlFreeNode(e);
    return NULL;
  }
  undo_record(log, e);
  return e;
}

/* Drops an ExterneIdentificatie; its Dataleverancier goes too when nothing
** else references it. */
static void remove_link(axl_view *v, size_t x) {
  axl_view_ext *e = &v->ext[x];
  if (e->dl >= 0 && v->dl[e->dl].refs > 0 && --v->dl[e->dl].refs == 0) {
    xmlUnlinkNode(v->dl[e->dl].node);
    xmlFreeNode(v->dl[e->dl].node);
  }
  xmlUnlinkNode(e->node);
  xmlFreeNode(e->node);
}

static int same_supplier(const char *a, const char *b) {
  const char *sa = axl_infer_supplier(a), *sb = axl_infer_supplier(b);
  /* Keys of unknown shape cannot be told apart: a new journey replaces. */
  return (!sa && !sb) || (sa && sb && strcmp(sa, sb) == 0);
}

/* The limit rules over the view of the linked document: their errors
** refuse the link, with the problems axl_check would give. */
static int check_limits(const axl_view *v, const axl_link_request *req,
                        axl_link_result *res, axl_error *err) {
  axl_check_opts o = req->limits;
  axl_report all;
  int refuse = 0, zero = 0;
  o.receive = 0;
  if (!o.schema) o.schema = req->schema;
  axl_report_init(&all);
  if (axl_check_limits(v, &o, &all, err)) {
    axl_report_free(&all);
    return -1;
  }
  for (size_t i = 0; i < all.count; i++) {
    const axl_problem *p = &all.items[i];
    if (p->limit == AXL_LIMIT_NOT || p->severity != AXL_ERROR) continue;
    zero |= p->limit == AXL_LIMIT_NONE_ALLOWED;
    refuse = 1;
    {
      axl_problem *q = axl_report_add(&res->problems, "", AXL_INFO, "");
      if (q) *q = *p;
    }
  }
  axl_report_free(&all);
  if (refuse)
    return fail(err, zero ? "AXL-L07" : "AXL-L06", zero
                ? "the receiver's schema allows no ExterneIdentificatie or "
                  "Dataleverancier"
                : "the link would break a limit (see the problems)");
  return 0;
}

static int validate_output(const axl_message *m, const axl_link_request *req,
                           axl_link_result *res, axl_error *err) {
  int rc;
  if (!req->schema) return 0;
  rc = axl_validate(req->schema, m, &res->problems, err);
  if (rc < 0) return -1;
  if (rc == 0)
    return fail(err, "AXL-L08", "the linked message would not be valid "
                "against the message's schema (see the problems)");
  return 0;
}

/* What can be refused before the message is read: the delivery itself,
** text XML does not allow, fields a Dataleverancier does not carry, a root
** other than OfferteAanvraag. Allocates res->entries. */
static int check_request(const axl_message *m, const axl_link_request *req,
                         axl_link_result *res, axl_error *err) {
  if (check_delivery(req, res, err)) return -1;
  /* Everything written must read back: keys and fields are text XML
  ** allows (a control character would make the output unparsable). */
  {
    int ok = axl_xml_text_ok(req->dataleverancier_id,
                             strlen(req->dataleverancier_id));
    for (size_t i = 0; ok && i < req->n_persons; i++)
      if (req->persons[i].id)
        ok = axl_xml_text_ok(req->persons[i].id, strlen(req->persons[i].id));
    for (size_t i = 0; ok && i < req->n_fields; i++)
      ok = axl_xml_text_ok(req->fields[i].value, strlen(req->fields[i].value));
    if (!ok)
      return fail(err, "AXL-L12", "a key or field holds a character XML "
                  "does not allow (control characters, invalid UTF-8)");
  }
  for (size_t i = 0; i < req->n_fields; i++) {
    if (!host_field(req->fields[i].name))
      return fail(err, "AXL-L11", "opts.fields names a field a "
                  "Dataleverancier does not carry (DataMijNr, "
                  "GegevensVerzoekVersie, DataleverancierOntvangerNaam)");
  }
  res->entries = calloc(req->n_persons ? req->n_persons : 1,
                        sizeof *res->entries);
  if (!res->entries) return fail(err, "AXL-P15", "out of memory");
  if (strcmp(axl_root_name(m), "OfferteAanvraag") != 0)
    return fail(err, "AXL-L01", "not an OfferteAanvraag: no Hypotheekgever "
                "to link to");
  return 0;
}

/* opts.replace: drops each linked Hypotheekgever's earlier link to a file
** of the same supplier, and builds v anew when one went (the Hypotheekgever
** indexes in target stay). Frees nodes: only ever run on a copy. */
static int replace_old_links(axl_message *w, const axl_link_request *req,
                             const long *target, axl_view *v,
                             axl_error *err) {
  int removed = 0;
  for (size_t i = 0; i < req->n_persons; i++) {
    const axl_view_hg *h;
    if (target[i] < 0) continue;
    h = &v->hg[target[i]];
    for (size_t x = h->first_ext; x < h->first_ext + h->n_ext; x++) {
      const axl_view_ext *e = &v->ext[x];
      const char *key = e->dl >= 0 ? v->dl[e->dl].dlid : NULL;
      if (!key || !strcmp(key, req->dataleverancier_id)) continue;
      if (same_supplier(key, req->dataleverancier_id)) {
        remove_link(v, x);
        removed = 1;
      }
    }
  }
  if (!removed) return 0;
  axl_view_free(v);
  return axl_view_build(w, v, err);
}

/*
** Writes the links into w and checks the result; v is w's view, which
** resolved target, and is kept in step. Every element put into the tree is
** recorded in log; on -1 the caller frees v, then undoes them (w is then
** as it was, unless req->replace removed links from it: then w must be a
** copy the caller throws away).
*/
static int write_links(axl_message *w, const axl_link_request *req,
                       const long *target, axl_link_result *res,
                       axl_error *err, undo_log *log, axl_view *v) {
  xmlHashTablePtr seen = NULL;
  int rc = -1;
  if (req->replace && replace_old_links(w, req, target, v, err)) return -1;
  if (axl_view_reserve(v, req->n_persons))
    return fail(err, "AXL-P15", "out of memory");
  seen = xmlHashCreate(64);
  if (!seen || collect_names(seen, v->root)) {
    fail(err, "AXL-P15", "out of memory");
    goto done;
  }
  for (size_t i = 0; i < req->n_persons; i++) {
    const axl_link_person *p = &req->persons[i];
    axl_link_entry *en = &res->entries[i];
    const axl_view_hg *h;
    char id[64];
    xmlNodePtr d, e;
    en->grade = AXL_GRADE_UNVERIFIABLE;
    if (target[i] < 0) {
      en->status = AXL_LINK_SKIPPED;
      continue;
    }
    h = &v->hg[target[i]];
    en->status = AXL_LINK_LINKED;
    en->hypotheekgever = h->volgnummer;
    for (size_t k = 0; k < res->n_grades; k++)
      if (res->grades[k].person == i &&
          res->grades[k].hypotheekgever == h->volgnummer)
        en->grade = res->grades[k].grade;
    /* Idempotent: this person already linked to this file. */
    for (size_t x = h->first_ext; x < h->first_ext + h->n_ext; x++) {
      const axl_view_ext *ex = &v->ext[x];
      if (ex->dl >= 0 && ex->pid && !strcmp(ex->pid, p->id) &&
          v->dl[ex->dl].dlid && !strcmp(v->dl[ex->dl].dlid,
                                        req->dataleverancier_id)) {
        snprintf(en->ref, sizeof en->ref, "%s", v->dl[ex->dl].id ?
                 v->dl[ex->dl].id : "");
        break;
      }
    }
    if (en->ref[0]) continue;
    if (fresh_id(seen, id, sizeof id)) {
      fail(err, "AXL-P15", "out of memory");
      goto done;
    }
    d = new_dataleverancier(w->doc, v->root, req, id, log);
    e = d ? new_externe(w->doc, h->node, h->ident, p->id, id, req->schema,
                        log) : NULL;
    if (!e) {
      /* Text where an element must go (mixed content), or memory. */
      fail(err, "AXL-L13", "cannot add the link: the Hypotheekgever, its "
           "Identificatie or the root holds text, or memory ran out");
      goto done;
    }
    axl_view_add_link(v, (size_t)target[i], e, d);
    snprintf(en->ref, sizeof en->ref, "%s", id);
    en->created = 1;
  }
  {
    /* What is written must read back under the limits the message was
    ** parsed with: a key longer than max_text, or a message at its
    ** max_elements, would not. max_bytes is not checked: the size is known
    ** only once serialised, and a link adds a few hundred bytes. */
    const char *over = axl_doc_over_limits(w->doc, &w->limits);
    if (over) {
      fail(err, "AXL-L14", strcmp(over, "max_text") == 0
           ? "a key or field is longer than max_text: the linked message "
             "could not be read back"
           : "the linked message would break the limits it was parsed "
             "with (max_elements, max_attributes or max_depth)");
      goto done;
    }
  }
  /* The view says what w holds now, links included: the limit rules read
  ** it; the schema reads the message itself (axl_validate works on a copy
  ** of its own: libxml2's validator records IDs in the document it
  ** reads). */
  if (check_limits(v, req, res, err) || validate_output(w, req, res, err))
    goto done;
  if (req->valid_until && req->today && strlen(req->valid_until) >= 10 &&
      strncmp(req->valid_until, req->today, 10) < 0)
    res->expired = 1;
  rc = 0;
done:
  if (seen) xmlHashFree(seen, NULL);
  return rc;
}

/* Starts a result and checks the request; target is allocated for the
** persons (caller frees, also on -1). */
static int begin(const axl_message *m, const axl_link_request *req,
                 axl_link_result *res, axl_error *err, long **target) {
  memset(res, 0, sizeof *res);
  axl_report_init(&res->problems);
  axl_error_clear(err);
  *target = NULL;
  if (check_request(m, req, res, err)) return -1;
  *target = calloc(req->n_persons ? req->n_persons : 1, sizeof **target);
  if (!*target) return fail(err, "AXL-P15", "out of memory");
  return 0;
}

/* Who is who, in w: builds v, w's view (the caller frees it, also on -1),
** and resolves every person through it: target[i] is the index of person
** i's Hypotheekgever in view order, or -1. */
static int resolve(const axl_message *w, const axl_link_request *req,
                   long *target, axl_link_result *res, axl_error *err,
                   axl_view *v) {
  if (axl_view_build(w, v, err)) return -1;
  return resolve_persons(v, req, target, res, err);
}

/* The copy path: the links written into a copy of m, handed back; m is
** not changed. The copy is made before persons are resolved, so that the
** one view is the copy's. */
static axl_message *link_copy(const axl_message *m,
                              const axl_link_request *req,
                              axl_link_result *res, axl_error *err,
                              const axl_guard *g) {
  long *target;
  axl_message *out = NULL;
  axl_view v;
  undo_log log = { NULL, 0, 0 };
  int rc = begin(m, req, res, err, &target);
  memset(&v, 0, sizeof v);
  if (rc == 0 && !(out = axl_clone(m, err))) rc = -1;
  if (rc == 0) rc = resolve(out, req, target, res, err, &v);
  if (rc == 0 && undo_reserve(&log, req->n_persons))
    rc = fail(err, "AXL-P15", "out of memory");
  if (rc == 0) rc = write_links(out, req, target, res, err, &log, &v);
  if (rc == 0 && axl_guard_saw_oom(g))
    rc = fail(err, "AXL-P15", "out of memory");
  axl_view_free(&v);
  if (rc && out) {
    axl_message_free(out);    /* the copy goes, and what was written */
    out = NULL;
  }
  undo_free(&log);
  free(target);
  return out;
}

/* The undo log of a link that stays goes to m's open journal, oldest
** first, so that a rollback takes the links out again (room for every
** entry was reserved before the first was written). */
static void hand_to_journal(axl_message *m, const undo_log *u) {
  for (size_t i = 0; i < u->n; i++) axl_journal_added(m, u->added[i]);
}

/* The in-place path: 0 with the links in m, or -1 with m as it was. */
static int link_here(axl_message *m, const axl_link_request *req,
                     axl_link_result *res, axl_error *err,
                     const axl_guard *g) {
  long *target;
  axl_view v;
  undo_log log = { NULL, 0, 0 };
  int rc = begin(m, req, res, err, &target);
  memset(&v, 0, sizeof v);
  if (rc == 0) rc = resolve(m, req, target, res, err, &v);
  if (rc == 0 && (undo_reserve(&log, req->n_persons) ||
                  axl_journal_reserve(m, log.cap)))
    rc = fail(err, "AXL-P15", "out of memory");
  if (rc == 0) rc = write_links(m, req, target, res, err, &log, &v);
  /* libxml2 2.9.14 reports some allocation failures and goes on with
  ** something missing: such a link is refused and undone too. */
  if (rc == 0 && axl_guard_saw_oom(g))
    rc = fail(err, "AXL-P15", "out of memory");
  axl_view_free(&v);        /* before undo frees what it points at */
  if (rc) undo_all(&log);   /* nothing when nothing was written */
  else hand_to_journal(m, &log);
  undo_free(&log);
  free(target);
  return rc;
}

static axl_message *unlink_guarded(const axl_message *m,
                                   const char *persoons_id,
                                   const char *dataleverancier_id,
                                   axl_error *err) {
  axl_message *out;
  axl_view v;
  int removed = 0;
  axl_error_clear(err);
  out = axl_clone(m, err);
  if (!out) return NULL;
  if (axl_view_build(out, &v, err)) {
    axl_message_free(out);
    return NULL;
  }
  for (size_t x = 0; x < v.n_ext; x++) {
    const axl_view_ext *e = &v.ext[x];
    const char *key = e->dl >= 0 ? v.dl[e->dl].dlid : NULL;
    if (!e->pid || strcmp(e->pid, persoons_id) || !key ||
        strcmp(key, dataleverancier_id))
      continue;
    remove_link(&v, x);
    /* The counts in the view are stale now: rebuild before going on. */
    axl_view_free(&v);
    if (axl_view_build(out, &v, err)) {
      axl_message_free(out);
      return NULL;
    }
    removed = 1;
    x = (size_t)-1;
  }
  axl_view_free(&v);
  if (!removed) {
    axl_message_free(out);
    fail(err, "AXL-L10", "no such link (PersoonsID with that "
         "DataleverancierID)");
    return NULL;
  }
  return out;
}

/* ====================================================================
** The lender's view
** ==================================================================== */

static int links_guarded(const axl_message *m, axl_link_info **out,
                         size_t *n, axl_error *err) {
  axl_view v;
  axl_link_info *list;
  *out = NULL;
  *n = 0;
  axl_error_clear(err);
  if (axl_view_build(m, &v, err)) return -1;
  list = xmlMalloc((v.n_ext ? v.n_ext : 1) * sizeof *list);
  if (!list) {
    axl_view_free(&v);
    return fail(err, "AXL-P15", "out of memory");
  }
  for (size_t i = 0; i < v.n_ext; i++) {
    const axl_view_ext *e = &v.ext[i];
    const axl_view_hg *h = &v.hg[e->hg];
    const axl_view_dl *d = e->dl >= 0 ? &v.dl[e->dl] : NULL;
    axl_link_info *li = &list[i];
    memset(li, 0, sizeof *li);
    if (!d && !e->ref_node && v.n_cdl == 1) {
      for (size_t j = 0; j < v.n_dl && !d; j++)
        if (v.dl[j].cdl) d = &v.dl[j];
      li->by_r10 = 1;
    }
    li->hypotheekgever = h->volgnummer;
    li->persoons_id = e->pid;
    li->ref = e->idref;
    li->dataleverancier_id = d ? d->dlid : NULL;
    li->dataleverancier_volgnummer = d ? d->volgnummer : -1;
    li->supplier = d ? axl_infer_supplier(d->dlid) : NULL;
    li->surname = h->partij ? axl_text(axl_child(h->partij,
                                                 "GeboorteAchternaam")) : NULL;
    li->birth_date = h->partij ? axl_text(axl_child(h->partij, "GeboorteDt"))
                               : NULL;
    if (!e->ref_node) li->missing |= AXL_MISSING_REF;
    else if (!d) li->missing |= AXL_MISSING_ENTITY;
    if (!e->pid || !*e->pid || (d && (!d->dlid || !*d->dlid)))
      li->missing |= AXL_MISSING_KEY;
  }
  *out = list;
  *n = v.n_ext;
  axl_view_free(&v);
  return 0;
}

/* Every libxml2 call inside runs with axlink's silent, thread-local error
** handlers: an allocation failure must not print to the host's stderr. */
axl_message *axl_link(const axl_message *m, const axl_link_request *req,
                      axl_link_result *res, axl_error *err) {
  axl_guard g;
  axl_message *r;
  axl_guard_enter(&g);
  r = link_copy(m, req, res, err, &g);
  if (axl_guard_leave(&g) && r) {
    axl_message_free(r);
    r = NULL;
    fail(err, "AXL-P15", "out of memory");
  }
  return r;
}

/* opts.replace in place: the links are written into a copy, whose
** document then takes the place of m's. The old document goes to m's open
** journal (or is freed): room for that step is taken first, so the swap
** cannot fail half-way. */
static int replace_document(axl_message *m, const axl_link_request *req,
                            axl_link_result *res, axl_error *err,
                            const axl_guard *g) {
  axl_message *out;
  xmlDocPtr old = m->doc;
  if (axl_journal_reserve(m, 1)) {
    memset(res, 0, sizeof *res);
    axl_report_init(&res->problems);
    axl_error_clear(err);
    return fail(err, "AXL-P15", "out of memory");
  }
  out = link_copy(m, req, res, err, g);
  if (!out) return -1;
  m->doc = out->doc;
  out->doc = NULL;
  axl_message_free(out);
  axl_journal_document(m, old);
  return 0;
}

/*
** In place, or, for opts.replace (which removes links), on a copy whose
** document then takes the place of m's. Every allocation failure libxml2
** reported is looked at inside (axl_guard_saw_oom), before the links are
** kept: after that only frees run.
*/
int axl_link_in_place(axl_message *m, const axl_link_request *req,
                      axl_link_result *res, axl_error *err) {
  axl_guard g;
  int rc;
  axl_guard_enter(&g);
  if (req->replace) {
    rc = replace_document(m, req, res, err, &g);
  } else {
    rc = link_here(m, req, res, err, &g);
  }
  axl_guard_leave(&g);
  return rc;
}

/* Every libxml2 call inside runs with axlink's silent, thread-local error
** handlers: an allocation failure must not print to the host's stderr. */
axl_message *axl_unlink(const axl_message *m, const char *persoons_id,
                        const char *dataleverancier_id, axl_error *err) {
  axl_guard g;
  axl_message * r;
  axl_guard_enter(&g);
  r = unlink_guarded(m, persoons_id, dataleverancier_id, err);
  if (axl_guard_leave(&g) && r) {
    axl_message_free(r);
    r = NULL;
    fail(err, "AXL-P15", "out of memory");
  }
  return r;
}

/* Every libxml2 call inside runs with axlink's silent, thread-local error
** handlers: an allocation failure must not print to the host's stderr. */
int axl_links(const axl_message *m, axl_link_info **out, size_t *n,
              axl_error *err) {
  axl_guard g;
  int r;
  axl_guard_enter(&g);
  r = links_guarded(m, out, n, err);
  if (axl_guard_leave(&g) && r == 0) {
    xmlFree(*out);
    *out = NULL;
    *n = 0;
    r = fail(err, "AXL-P15", "out of memory");
  }
  return r;
}
