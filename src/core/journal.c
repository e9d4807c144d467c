/*
** Journals: several in-place changes of one message kept or taken back as
** one (DESIGN 7.4, axlink.cdl.apply: link, fill and check all or nothing).
**
** A journal records what each in-place change did to the tree, in order,
** as one of three undoable steps:
**   ADDED     a new subtree went into the tree (axl_link_in_place);
**   REPLACED  an element was put in another's place (axl_entity_keep);
**             the old one is kept, unlinked and whole;
**   DOCUMENT  the whole document was swapped for another (a replace link
**             done on a copy); the old one is kept.
** Rollback undoes them newest first: every step finds the tree exactly as
** it left it, so the old nodes come back with their addresses and line
** numbers, and serialize gives the bytes of before. Commit frees what was
** kept, oldest first: an element replaced before a document swap belongs
** to the old document, whose dictionary must outlive it.
** Room is reserved before a change is made (axl_journal_reserve), so
** recording it never fails: a change is never in the tree unrecorded.
*/
#include "internal.h"

#include <libxml/xmlmemory.h>
#include <string.h>

typedef enum step_kind { STEP_ADDED, STEP_REPLACED, STEP_DOCUMENT } step_kind;

typedef struct step {
  step_kind kind;
  xmlNodePtr node;     /* ADDED: the new subtree; REPLACED: the new one */
  xmlNodePtr old;      /* REPLACED: the element it replaced (unlinked) */
  xmlDocPtr doc;       /* DOCUMENT: the document that was swapped out */
} step;

struct axl_journal {
  step *steps;
  size_t n, cap;
};

int axl_journal_begin(axl_message *m, axl_error *err) {
  axl_error_clear(err);
  if (m->journal) {
    axl_error_set(err, "AXL-T18", 0, "a journal is open on this message "
                  "already: commit or roll it back first");
    return -1;
  }
  m->journal = xmlMalloc(sizeof *m->journal);
  if (!m->journal) {
    axl_error_set(err, "AXL-P15", 0, "out of memory");
    return -1;
  }
  memset(m->journal, 0, sizeof *m->journal);
  return 0;
}

int axl_journal_open(const axl_message *m) {
  return m->journal != NULL;
}

int axl_journal_reserve(axl_message *m, size_t n) {
  axl_journal *j = m->journal;
  step *s;
  size_t cap;
  if (!j || j->n + n <= j->cap) return 0;
  cap = (j->n + n) * 2 + 8;
  s = xmlRealloc(j->steps, cap * sizeof *s);
  if (!s) return -1;
  j->steps = s;
  j->cap = cap;
  return 0;
}

/* One step, into room reserved before: never fails. */
static void record(axl_message *m, step_kind kind, xmlNodePtr node,
                   xmlNodePtr old, xmlDocPtr doc) {
  axl_journal *j = m->journal;
  step *s = &j->steps[j->n++];
  s->kind = kind;
  s->node = node;
  s->old = old;
  s->doc = doc;
}

void axl_journal_added(axl_message *m, xmlNodePtr node) {
  if (m->journal) record(m, STEP_ADDED, node, NULL, NULL);
}

void axl_journal_replaced(axl_message *m, xmlNodePtr old, xmlNodePtr node) {
  if (m->journal) record(m, STEP_REPLACED, node, old, NULL);
  else xmlFreeNode(old);
}

void axl_journal_document(axl_message *m, xmlDocPtr old) {
  if (m->journal) record(m, STEP_DOCUMENT, NULL, NULL, old);
  else xmlFreeDoc(old);
}

static void close_journal(axl_message *m) {
  xmlFree(m->journal->steps);
  xmlFree(m->journal);
  m->journal = NULL;
}

void axl_journal_commit(axl_message *m) {
  axl_journal *j = m->journal;
  if (!j) return;
  for (size_t i = 0; i < j->n; i++) {
    step *s = &j->steps[i];
    if (s->kind == STEP_REPLACED) xmlFreeNode(s->old);
    else if (s->kind == STEP_DOCUMENT) xmlFreeDoc(s->doc);
    /* ADDED: the subtree stays in the tree, which owns it. */
  }
  close_journal(m);
}

void axl_journal_rollback(axl_message *m) {
  axl_journal *j = m->journal;
  if (!j) return;
  while (j->n) {
    step *s = &j->steps[--j->n];
    switch (s->kind) {
    case STEP_ADDED:
      xmlUnlinkNode(s->node);
      xmlFreeNode(s->node);
      break;
    case STEP_REPLACED:
      /* xmlReplaceNode merges no text: the old element is back as it
      ** stood, between the same siblings. */
      xmlReplaceNode(s->node, s->old);
      xmlFreeNode(s->node);
      break;
    case STEP_DOCUMENT:
      xmlFreeDoc(m->doc);
      m->doc = s->doc;
      break;
    }
  }
  close_journal(m);
}
