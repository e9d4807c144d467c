/*
** Reports: the problem lists that check, validate and conformance return.
*/
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void axl_report_init(axl_report *r) {
  memset(r, 0, sizeof *r);
}

void axl_report_free(axl_report *r) {
  free(r->items);
  memset(r, 0, sizeof *r);
}

axl_problem *axl_report_add(axl_report *r, const char *code,
                            axl_severity severity, const char *message) {
  axl_problem *p;
  if (r->count == r->cap) {
    size_t cap = r->cap ? r->cap * 2 : 16;
    axl_problem *items = realloc(r->items, cap * sizeof *items);
    if (!items) return NULL;
    r->items = items;
    r->cap = cap;
  }
  p = &r->items[r->count++];
  memset(p, 0, sizeof *p);
  snprintf(p->code, sizeof p->code, "%s", code);
  snprintf(p->message, sizeof p->message, "%s", message);
  p->severity = severity;
  return p;
}

int axl_report_ok(const axl_report *r) {
  for (size_t i = 0; i < r->count; i++)
    if (r->items[i].severity == AXL_ERROR) return 0;
  return 1;
}

static int by_position(const void *a, const void *b) {
  const axl_problem *x = a, *y = b;
  if (x->order != y->order) return x->order < y->order ? -1 : 1;
  return strcmp(x->code, y->code);
}

void axl_report_sort(axl_report *r) {
  /* qsort is not stable: position and code decide, then the path. */
  if (r->count > 1) qsort(r->items, r->count, sizeof *r->items, by_position);
}
