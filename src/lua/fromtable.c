/*
** axlink.fromtable(t [, opts]): Lua tables back into an AX document.
**
** Order (DESIGN 3.2). Document order is authoritative: when t came from
** msg:totable(), its order record (the source document, held outside the
** tables) gives the order of every element and attribute that still exists,
** and its invisible parts (namespace declarations, xsi: attributes). Only a
** *new* element is placed by the model: right after the last existing
** sibling that precedes it in model order; failing that, before the first
** that follows it; failing that, last. Elements the model does not know go
** last, sorted by name, so the output never depends on pairs() order.
**
** Fields. A string or integer field is an attribute when the record or the
** model says so, or when it is Volgnummer, ID or IDREF; otherwise it is a
** text-only child element. A table whose keys are exactly 1..n is an array
** (a repeating entity); any other table is one element. Everything else is
** refused with an AXL-T code, and a refusal returns before anything is
** visible: the document under construction is owned by a to-be-closed
** userdata, so Lua errors (out of memory) free it too.
*/
#include "binding.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

enum kind { K_ATTR, K_TEXTELEM, K_TABLE, K_ARRAY };

typedef struct entry {
  const char *name;   /* key string, alive while its table is on the stack */
  int kind;
  int count;          /* array length */
  int midx;           /* model index among the parent's children, or -1 */
  int placed;         /* existing items already placed from the record */
  long next_volg;     /* next automatic Volgnummer, 0 until computed */
} entry;

typedef struct item {
  int entry;          /* index into the frame's entries */
  int k;              /* array position, 0 for a single element */
  xmlNodePtr rec;     /* the element it was in the source, or NULL */
  int midx;
} item;

typedef struct builder {
  xmlDocPtr doc;                   /* the builder's own, or borrowed: */
  int borrowed;                    /* the message's (msg:_replace) */
  xmlNodePtr old, fresh;           /* _replace: fresh stands in old's place
                                      (swapped) until it is kept */
  int swapped;
  axl_guard guard;                 /* entered while libxml2 is in use */
  int guarded;
  int seen;                        /* stack index of the cycle guard */
  entry *ents; size_t ents_cap, ents_used;
  item *items; size_t items_cap, items_used;
  char mpath[4096]; size_t mlen;   /* model path of the current element */
  size_t elements, text_bytes;     /* for the collector's size estimate */
  axl_limits lim;                  /* kept to, so the result parses again */
  const axl_schema *schema;        /* orders new elements, when it knows */
  const char *code;                /* refusal, when set */
  const char *text;
  char where[512];
} builder;

/* __close and __gc: also runs when a Lua error unwinds past fromtable, so
** the thread's libxml2 handlers are put back and nothing leaks. */
static int builder_free(lua_State *L) {
  builder *b = lua_touserdata(L, 1);
  if (b->fresh) {                /* a refused _replace: the old is back */
    if (b->swapped) axl_entity_swap_back(b->old, b->fresh);
    else xmlFreeNode(b->fresh);
    b->fresh = NULL;
  }
  if (b->guarded) {
    b->guarded = 0;
    axl_guard_leave(&b->guard);
  }
  if (b->doc && !b->borrowed) xmlFreeDoc(b->doc);
  free(b->ents);
  free(b->items);
  b->doc = NULL;
  b->ents = NULL;
  b->items = NULL;
  return 0;
}

static int refuse(builder *b, xmlNodePtr at, const char *key,
                  const char *code, const char *text) {
  size_t n;
  b->code = code;
  b->text = text;
  axl_node_path(at, b->where, sizeof b->where);
  n = strlen(b->where);
  if (key && n + 2 < sizeof b->where)
    snprintf(b->where + n, sizeof b->where - n, "/%s", key);
  return -1;
}

static void *grow(lua_State *L, void *p, size_t *cap, size_t need,
                  size_t size) {
  if (need > *cap) {
    size_t c = need * 2 + 32;
    void *q = realloc(p, c * size);
    if (!q) luaL_error(L, "not enough memory");
    *cap = c;
    return q;
  }
  return p;
}

/* ====================================================================
** Values
** ==================================================================== */

/* The value at idx as text; NULL after a refusal. Integers via tostring. */
static const char *text_value(builder *b, lua_State *L, int idx, size_t *len,
                              xmlNodePtr at, const char *key) {
  const char *s;
  if (lua_type(L, idx) == LUA_TNUMBER) {
    if (!lua_isinteger(L, idx)) {
      refuse(b, at, key, "AXL-T02", "number that is not an integer (use "
             "axlink.amount for amounts)");
      return NULL;
    }
    lua_pushinteger(L, lua_tointeger(L, idx));
    lua_replace(L, idx);  /* a string copy, the user's table is untouched */
  }
  s = lua_tolstring(L, idx, len);
  if (*len > b->lim.max_text) {
    refuse(b, at, key, "AXL-T15", "text longer than max_text");
    return NULL;
  }
  if (!axl_xml_text_ok(s, *len)) {
    refuse(b, at, key, "AXL-T09", "text that is not UTF-8 or holds a "
           "character XML does not allow");
    return NULL;
  }
  return s;
}

/* 1 when the table at idx has exactly the keys 1..n, n >= 1. */
static int is_array(lua_State *L, int idx, int *n) {
  lua_Integer len = (lua_Integer)lua_rawlen(L, idx), keys = 0;
  if (len <= 0) return 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 ||
        lua_tointeger(L, -1) > len) {
      lua_pop(L, 1);
      return 0;
    }
    keys++;
  }
  if (keys != len || len > 0x7fffffff) return 0;
  *n = (int)len;
  return 1;
}

/* ====================================================================
** The record: what the source element looked like
** ==================================================================== */

static int rec_count(xmlNodePtr rec, const char *name, int *volg) {
  int n = 0;
  *volg = 0;
  if (!rec) return 0;
  for (xmlNodePtr c = rec->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, name))
      continue;
    n++;
    if (xmlHasNsProp(c, BAD_CAST "Volgnummer", NULL)) *volg = 1;
  }
  return n;
}

static int rec_has_attr(xmlNodePtr rec, const char *name) {
  return rec && xmlHasNsProp(rec, BAD_CAST name, NULL) != NULL;
}

/* Copies one namespaced (invisible) attribute of the source element; -1
** after a refusal (longer than max_text: the limits may be lower than the
** source message's). */
static int copy_invisible(lua_State *L, builder *b, xmlNodePtr node,
                          xmlAttrPtr a) {
  /* The source's own prefix first: two prefixes may name one URI, and a
  ** search by URI alone would swap them (found by the tables fuzzer). */
  xmlNsPtr ns = xmlSearchNs(b->doc, node, a->ns->prefix);
  if (!ns || !xmlStrEqual(ns->href, a->ns->href))
    ns = xmlSearchNsByHref(b->doc, node, a->ns->href);
  /* inLine 1: the raw value; 0 would escape it, and xmlNewNsProp escapes
  ** again on output (found by the tables fuzzer: &amp;amp;). */
  xmlChar *v = xmlNodeListGetString(a->doc, a->children, 1);
  xmlAttrPtr made;
  if (v && (size_t)xmlStrlen(v) > b->lim.max_text) {
    xmlFree(v);
    return refuse(b, node, (const char *)a->name, "AXL-T15",
                  "text longer than max_text");
  }
  made = ns ? xmlNewNsProp(node, ns, a->name, v) : NULL;
  xmlFree(v);
  if (ns && !made) luaL_error(L, "not enough memory");
  return 0;
}

/* ====================================================================
** One element
** ==================================================================== */

static int build(builder *b, lua_State *L, xmlNodePtr node, int t,
                 xmlNodePtr rec, int depth, long auto_volg);


static int cmp_new_attr(const void *x, const void *y) {
  const entry *a = x, *b = y;
  int ra = axl_attr_rank(a->name), rb = axl_attr_rank(b->name);
  return ra != rb ? ra - rb : strcmp(a->name, b->name);
}

static int cmp_name(const void *x, const void *y) {
  return strcmp(((const entry *)x)->name, ((const entry *)y)->name);
}

static int set_attr(builder *b, lua_State *L, xmlNodePtr node, int t,
                    const char *name) {
  size_t len;
  const char *v;
  lua_pushstring(L, name);
  lua_rawget(L, t);
  v = text_value(b, L, lua_gettop(L), &len, node, name);
  if (!v) return -1;
  if (!xmlNewProp(node, BAD_CAST name, BAD_CAST v))
    luaL_error(L, "not enough memory");
  lua_pop(L, 1);
  return 0;
}

/* Attributes and namespace declarations, as parse's pre-scan counts them. */
static int over_attributes(builder *b, xmlNodePtr node) {
  size_t n = 0;
  for (xmlAttrPtr a = node->properties; a; a = a->next) n++;
  for (xmlNsPtr ns = node->nsDef; ns; ns = ns->next) n++;
  if (n <= b->lim.max_attributes) return 0;
  return refuse(b, node, NULL, "AXL-T13", "more attributes on one element "
                "than max_attributes");
}

static void add_text(lua_State *L, builder *b, xmlNodePtr node,
                     const char *s, size_t len) {
  xmlNodePtr txt;
  if (!len) return;
  b->text_bytes += len;
  txt = xmlNewDocTextLen(node->doc, BAD_CAST s, (int)len);
  if (!txt) luaL_error(L, "not enough memory");
  xmlAddChild(node, txt);
}

/* Inserts items [from, to) of the frame after position pos. */
static void insert_items(builder *b, size_t base, size_t *n, size_t pos,
                         const item *add, size_t count) {
  item *it = b->items + base;
  memmove(it + pos + count, it + pos, (*n - pos) * sizeof *it);
  memcpy(it + pos, add, count * sizeof *it);
  *n += count;
}

/* Where a new sibling with order rank midx goes among the frame's n items
** (DESIGN 3.2, as the core places any new element). */
static size_t new_position(const item *it, size_t n, int midx,
                           const entry *ents, int entry_idx) {
  axl_slot slot;
  axl_slot_begin(&slot, midx);
  for (size_t i = 0; i < n; i++)
    axl_slot_see(&slot, it[i].midx,
                 strcmp(ents[it[i].entry].name, ents[entry_idx].name) == 0);
  return axl_slot_index(&slot);
}

/* The largest integer Volgnummer among the array's tables. */
static long max_volgnummer(lua_State *L, int arr, int count) {
  int top = lua_gettop(L);
  long max = 0;
  for (int k = 1; k <= count; k++) {
    if (lua_rawgeti(L, arr, k) == LUA_TTABLE) {
      lua_pushliteral(L, "Volgnummer");
      if (lua_rawget(L, -2) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER) {
        const char *s = lua_tostring(L, -1);
        char *end;
        long v;
        errno = 0;
        v = strtol(s, &end, 10);
        /* A Volgnummer beyond a long is not a number to count on from. */
        if (*s && *end == '\0' && errno == 0 && v > max) max = v;
      }
    }
    lua_settop(L, top);
  }
  return max;
}

/* Creates the child element for one item and fills it from value at v. */
static int emit_child(builder *b, lua_State *L, xmlNodePtr parent,
                      const char *name, int v, xmlNodePtr rec, int depth,
                      long auto_volg) {
  xmlNodePtr child;
  /* depth is the parent's; the root is 1, as parse counts. */
  if ((size_t)depth + 1 > b->lim.max_depth)
    return refuse(b, parent, name, "AXL-T07", "elements nested deeper than "
                  "max_depth");
  if (b->elements + 2 > b->lim.max_elements)   /* the root, and this one */
    return refuse(b, parent, name, "AXL-T14", "more elements than "
                  "max_elements");
  child = xmlNewDocNode(b->doc, NULL, BAD_CAST name, NULL);
  if (!child || !child->name) {   /* 2.9.14: a node without its name */
    if (child) xmlFreeNode(child);
    luaL_error(L, "not enough memory");
  }
  b->elements++;
  xmlAddChild(parent, child);
  if (rec) {
    axl_node_set_line(child, axl_node_line(rec));
    if (rec->nsDef && !(child->nsDef = axl_copy_ns_list(rec->nsDef)))
      luaL_error(L, "not enough memory");
  }
  if (lua_type(L, v) == LUA_TTABLE) {
    int rc;
    size_t saved = b->mlen, add = strlen(name);
    if (saved + add + 2 >= sizeof b->mpath)
      return refuse(b, parent, name, "AXL-T07", "tables nested too deep");
    if (saved) b->mpath[b->mlen++] = '/';
    memcpy(b->mpath + b->mlen, name, add + 1);
    b->mlen += add;
    rc = build(b, L, child, v, rec, depth + 1, auto_volg);
    b->mlen = saved;
    b->mpath[saved] = '\0';
    return rc;
  } else {
    size_t len;
    const char *s = text_value(b, L, v, &len, parent, name);
    if (!s) return -1;
    for (xmlAttrPtr a = rec ? rec->properties : NULL; a; a = a->next)
      if (a->ns && copy_invisible(L, b, child, a)) return -1;
    if (over_attributes(b, child)) return -1;
    add_text(L, b, child, s, len);
    return 0;
  }
}

/*
** One element being filled from its table: the builder's entries
** [ebase, ebase + ne) are its fields, items [ibase, ibase + ni) its child
** elements in the order they are written.
*/
typedef struct frame {
  xmlNodePtr node, rec;       /* the element, and its source (or NULL) */
  int t;                      /* stack index of its table */
  int text_idx;               /* [1] holds its text: a text-only element */
  axl_shape shape;
  size_t ebase, ne, ibase, ni;
} frame;

static entry *frame_entries(builder *b, const frame *f) {
  return b->ents + f->ebase;
}

/* Cycle guard: the table is marked while it is being built. */
static int mark_table(builder *b, lua_State *L, const frame *f) {
  lua_pushvalue(L, f->t);
  if (lua_rawget(L, b->seen) != LUA_TNIL) {
    lua_pop(L, 1);
    return refuse(b, f->node, NULL, "AXL-T03", "table refers to itself (a "
                  "cycle)");
  }
  lua_pop(L, 1);
  lua_pushvalue(L, f->t);
  lua_pushboolean(L, 1);
  lua_rawset(L, b->seen);
  return 0;
}

/* The kind of a table field (value on top of the stack): an array, a
** single element, or a refusal (AXL-T05, T06) with the value still on the
** stack for the caller to pop. */
static int classify_table(builder *b, lua_State *L, frame *f, entry *e) {
  int n, volg, in_rec = rec_count(f->rec, e->name, &volg);
  int must_repeat = axl_shape_repeats(&f->shape, e->name, (size_t)in_rec,
                                      volg);
  int known_single = axl_shape_known(&f->shape, e->name) && !must_repeat;
  if (is_array(L, lua_gettop(L), &n)) {
    if (known_single)
      return refuse(b, f->node, e->name, "AXL-T06", "array where the model "
                    "wants a single element");
    e->kind = K_ARRAY;
    e->count = n;
  } else if (must_repeat) {
    lua_pushnil(L);
    if (lua_next(L, -2)) {   /* not empty: a single table, refused */
      lua_pop(L, 2);
      return refuse(b, f->node, e->name, "AXL-T05", "single table where an "
                    "array is expected");
    }
    e->kind = K_ARRAY;       /* {} is an empty array here */
    e->count = 0;
  } else {
    e->kind = K_TABLE;
  }
  return 0;
}

/* One field (key, value on the stack) into a new entry; -1 after a
** refusal, the key and value still on the stack. */
static int classify_field(builder *b, lua_State *L, frame *f) {
  int vt = lua_type(L, -1);
  const char *name;
  entry *e;
  if (lua_type(L, -2) != LUA_TSTRING ||
      !axl_ncname_ok(lua_tostring(L, -2), lua_rawlen(L, -2)))
    return refuse(b, f->node, NULL, "AXL-T04", "key that is not an XML name");
  name = lua_tostring(L, -2);
  b->ents = grow(L, b->ents, &b->ents_cap, f->ebase + f->ne + 1,
                 sizeof *b->ents);
  e = &b->ents[f->ebase + f->ne];
  e->name = name;
  e->count = 1;
  e->placed = 0;
  e->next_volg = 0;
  /* The schema's order where it knows the parent, else the model's. */
  e->midx = axl_shape_rank(&f->shape, name);
  if (vt == LUA_TSTRING || vt == LUA_TNUMBER)
    e->kind = (f->text_idx || rec_has_attr(f->rec, name) ||
               axl_shape_is_attr(&f->shape, name)) ? K_ATTR : K_TEXTELEM;
  else if (vt != LUA_TTABLE)
    return refuse(b, f->node, name, "AXL-T01", vt == LUA_TBOOLEAN
                  ? "boolean value (use axlink.JN for J/N fields)"
                  : "value that is not a string, integer or table");
  else if (classify_table(b, L, f, e))
    return -1;
  f->ne++;
  return 0;
}

/* 1. Every field, classified. With text at [1] the element is text-only,
** so every other string field is one of its attributes. */
static int classify(builder *b, lua_State *L, frame *f) {
  int has_children = 0;
  int vt = lua_rawgeti(L, f->t, 1);
  f->text_idx = vt == LUA_TSTRING || vt == LUA_TNUMBER;
  lua_pop(L, 1);
  lua_pushnil(L);
  while (lua_next(L, f->t)) {
    if (f->text_idx && lua_isinteger(L, -2) && lua_tointeger(L, -2) == 1) {
      lua_pop(L, 1);
      continue;
    }
    if (classify_field(b, L, f)) {
      lua_pop(L, 2);
      return -1;
    }
    lua_pop(L, 1);
  }
  b->ents_used = f->ebase + f->ne;
  for (size_t i = 0; i < f->ne; i++) {
    const entry *e = &frame_entries(b, f)[i];
    if (e->kind != K_ATTR && (e->kind != K_ARRAY || e->count > 0))
      has_children = 1;
  }
  if (f->text_idx && has_children)
    return refuse(b, f->node, NULL, "AXL-T08", "text beside child elements");
  return 0;
}

/* 2a. The attributes the source element had, in its order, invisible
** ones (xmlns, xsi:) included. */
static int record_attrs(builder *b, lua_State *L, frame *f) {
  for (xmlAttrPtr a = f->rec ? f->rec->properties : NULL; a; a = a->next) {
    if (a->ns) {
      if (copy_invisible(L, b, f->node, a)) return -1;
      continue;
    }
    for (size_t i = 0; i < f->ne; i++) {
      entry *e = &frame_entries(b, f)[i];
      if (e->kind == K_ATTR && !e->placed &&
          strcmp(e->name, (const char *)a->name) == 0) {
        e->placed = 1;
        if (set_attr(b, L, f->node, f->t, e->name)) return -1;
        break;
      }
    }
  }
  return 0;
}

/* 2b. New attributes: Volgnummer (given, or auto_volg > 0 when the table
** has none), ID, IDREF, then by name. */
static int new_attrs(builder *b, lua_State *L, frame *f, long auto_volg) {
  size_t nnew = 0, ne = f->ne;
  entry *E, *fresh;
  b->ents = grow(L, b->ents, &b->ents_cap, f->ebase + 2 * ne + 1,
                 sizeof *b->ents);
  E = frame_entries(b, f);
  fresh = E + ne;
  for (size_t i = 0; i < ne; i++)
    if (E[i].kind == K_ATTR && !E[i].placed) fresh[nnew++] = E[i];
  qsort(fresh, nnew, sizeof *fresh, cmp_new_attr);
  if (auto_volg > 0 && !xmlHasNsProp(f->node, BAD_CAST "Volgnummer", NULL)) {
    int has = 0;
    for (size_t i = 0; i < nnew; i++)
      has |= strcmp(fresh[i].name, "Volgnummer") == 0;
    if (!has) {
      char num[32];
      snprintf(num, sizeof num, "%ld", auto_volg);
      if (!xmlNewProp(f->node, BAD_CAST "Volgnummer", BAD_CAST num))
        luaL_error(L, "not enough memory");
    }
  }
  for (size_t i = 0; i < nnew; i++)
    if (set_attr(b, L, f->node, f->t, b->ents[f->ebase + ne + i].name))
      return -1;
  return over_attributes(b, f->node);
}

/* 3. A text-only element's text. */
static int write_text(builder *b, lua_State *L, frame *f) {
  size_t len;
  const char *s;
  if (!f->text_idx) return 0;
  lua_rawgeti(L, f->t, 1);
  s = text_value(b, L, lua_gettop(L), &len, f->node, NULL);
  if (!s) return -1;
  add_text(L, b, f->node, s, len);
  lua_pop(L, 1);
  return 0;
}

/* 4a. The children the source element had, in its order, as far as the
** table still holds them. */
static void record_children(builder *b, lua_State *L, frame *f) {
  for (xmlNodePtr c = f->rec ? f->rec->children : NULL; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    for (size_t i = 0; i < f->ne; i++) {
      entry *e = &frame_entries(b, f)[i];
      item it;
      if (e->kind == K_ATTR || strcmp(e->name, (const char *)c->name))
        continue;
      if (e->placed >= e->count) break;   /* removed by the user */
      if (e->kind != K_ARRAY && e->placed) break;
      e->placed++;
      it.entry = (int)i;
      it.k = e->kind == K_ARRAY ? e->placed : 0;
      it.rec = c;
      it.midx = e->midx;
      b->items = grow(L, b->items, &b->items_cap, f->ibase + f->ni + 1,
                      sizeof *b->items);
      b->items[f->ibase + f->ni++] = it;
      break;
    }
  }
}

/* 4b. New children: known names in the order's sequence, then unknown
** ones by name, each placed among the items as the core places a new
** element. */
static void new_children(builder *b, lua_State *L, frame *f) {
  size_t order_base = b->ents_used, nn = 0;
  b->ents = grow(L, b->ents, &b->ents_cap, order_base + f->ne + 1,
                 sizeof *b->ents);
  for (size_t i = 0; i < f->ne; i++) {
    const entry *e = &frame_entries(b, f)[i];
    if (e->kind != K_ATTR && e->placed < e->count) {
      b->ents[order_base + nn] = *e;
      b->ents[order_base + nn].placed = (int)i;  /* remember the index */
      nn++;
    }
  }
  for (size_t i = 0; i < nn; i++)      /* insertion sort: few names */
    for (size_t j = i; j > 0; j--) {
      entry *x = &b->ents[order_base + j - 1], *y = &b->ents[order_base + j];
      int before = (x->midx < 0 && y->midx >= 0) ||
                   (x->midx >= 0 && y->midx >= 0 && y->midx < x->midx) ||
                   (x->midx < 0 && y->midx < 0 && cmp_name(y, x) < 0);
      if (!before) break;
      { entry tmp = *x; *x = *y; *y = tmp; }
    }
  for (size_t i = 0; i < nn; i++) {
    int idx = b->ents[order_base + i].placed;
    entry *e = &frame_entries(b, f)[idx];
    int from = e->placed, count = e->kind == K_ARRAY ? e->count : 1;
    size_t add = (size_t)(count - from), pos;
    item *fresh;
    b->items = grow(L, b->items, &b->items_cap,
                    f->ibase + 2 * (f->ni + add) + 1, sizeof *b->items);
    fresh = b->items + f->ibase + f->ni + add;  /* room past the sequence */
    for (int k = from + 1; k <= count; k++) {
      fresh[k - from - 1].entry = idx;
      fresh[k - from - 1].k = e->kind == K_ARRAY ? k : 0;
      fresh[k - from - 1].rec = NULL;
      fresh[k - from - 1].midx = e->midx;
    }
    pos = new_position(b->items + f->ibase, f->ni, e->midx,
                       frame_entries(b, f), idx);
    insert_items(b, f->ibase, &f->ni, pos, fresh, add);
  }
  b->items_used = f->ibase + f->ni;
}

/* The Volgnummer for item it, an array item (array at arr, the item on
** top): a new table without one gets max+1 among its siblings; 0 for
** none, -1 after a refusal. */
static long item_volgnummer(builder *b, lua_State *L, frame *f,
                            const item *it, int arr) {
  entry *e = &frame_entries(b, f)[it->entry];
  long volg = 0;
  if (it->rec || lua_type(L, -1) != LUA_TTABLE) return 0;
  if (!e->next_volg) {
    long max = max_volgnummer(L, arr, e->count);
    if (max >= LONG_MAX - e->count)   /* max+1 must not overflow */
      return refuse(b, f->node, e->name, "AXL-T12", "Volgnummer too large "
                    "to number a new entity after it");
    e->next_volg = max + 1;
  }
  lua_pushliteral(L, "Volgnummer");
  if (lua_rawget(L, -2) == LUA_TNIL) volg = e->next_volg++;
  lua_pop(L, 1);
  return volg;
}

/* 5. Every item written, recursing into each child. */
static int emit_items(builder *b, lua_State *L, frame *f, int depth) {
  for (size_t i = 0; i < f->ni; i++) {
    item it = b->items[f->ibase + i];
    const char *name = frame_entries(b, f)[it.entry].name;
    long volg = 0;
    int rc;
    lua_pushstring(L, name);
    lua_rawget(L, f->t);                 /* the field: array or value */
    if (it.k) {
      int arr = lua_gettop(L), vt = lua_rawgeti(L, arr, it.k);
      if (vt != LUA_TTABLE && vt != LUA_TSTRING && vt != LUA_TNUMBER)
        return refuse(b, f->node, name, "AXL-T01", "array item that is not "
                      "a string, integer or table");
      if ((volg = item_volgnummer(b, L, f, &it, arr)) < 0) return -1;
    }
    rc = emit_child(b, L, f->node, name, lua_gettop(L), it.rec, depth, volg);
    if (rc) return rc;
    lua_pop(L, it.k ? 2 : 1);
  }
  return 0;
}

/*
** Fills node from the table at index t. rec is the source element (or
** NULL); auto_volg > 0 is a Volgnummer to give node when t has none.
*/
static int build(builder *b, lua_State *L, xmlNodePtr node, int t,
                 xmlNodePtr rec, int depth, long auto_volg) {
  frame f;
  int top = lua_gettop(L);   /* every step below must leave it as it was */
  memset(&f, 0, sizeof f);
  f.node = node;
  f.rec = rec;
  f.t = t;
  f.ebase = b->ents_used;
  f.ibase = b->items_used;
  luaL_checkstack(L, 16, "tables nested too deep");
  axl_shape_init(&f.shape, b->mpath, b->schema);
  /* Never NULL below, even for a table with no fields. */
  b->ents = grow(L, b->ents, &b->ents_cap, f.ebase + 1, sizeof *b->ents);
  b->items = grow(L, b->items, &b->items_cap, f.ibase + 1, sizeof *b->items);
  if (mark_table(b, L, &f) || classify(b, L, &f) ||
      record_attrs(b, L, &f) || new_attrs(b, L, &f, auto_volg) ||
      write_text(b, L, &f))
    return -1;
  record_children(b, L, &f);
  new_children(b, L, &f);
  if (emit_items(b, L, &f, depth)) return -1;
  /* A slipped stack slot once made items read their siblings' fields:
  ** fail loudly rather than write wrong data. */
  if (lua_gettop(L) != top)
    return luaL_error(L, "axlink: internal error (table stack)");
  b->items_used = f.ibase;
  b->ents_used = f.ebase;
  /* Unmark for the cycle guard: a table may be shared, just not cyclic. */
  lua_pushvalue(L, t);
  lua_pushnil(L);
  lua_rawset(L, b->seen);
  return 0;
}

/* ====================================================================
** Entry point
** ==================================================================== */

void axl_lua_open_fromtable(lua_State *L) {
  axl_lua_resource_type(L, "axlink.builder", builder_free);
}

/*
** The limits tables are built under (fromtable's and _replace's alike):
** asked's non-zero fields, else those of src (the tables' message, may be
** NULL: the defaults); depth up to 256 unless asked says less (DESIGN 3.1
** refuses depth over 256: what is deeper than parse's default then needs
** max_depth to be read).
*/
static void table_limits(axl_limits *lim, const axl_message *src,
                         const axl_limits *asked) {
  if (src) *lim = *axl_message_limits(src);
  else axl_limits_resolve(lim, NULL);
  lim->max_depth = asked->max_depth ? asked->max_depth
                                    : AXL_MAX_DEPTH_CEILING;
  if (asked->max_bytes) lim->max_bytes = asked->max_bytes;
  if (asked->max_attributes) lim->max_attributes = asked->max_attributes;
  if (asked->max_elements) lim->max_elements = asked->max_elements;
  if (asked->max_text) lim->max_text = asked->max_text;
  axl_limits_resolve(lim, lim);
}

/*
** Pushes a builder (a to-be-closed userdata) and its cycle guard table,
** and enters the libxml2 guard: from here any return or Lua error puts
** everything back. schema is the stack index of a Schema or nil (a closed
** schema orders nothing: the model does, as without one).
*/
static builder *new_builder(lua_State *L, const axl_limits *lim,
                            int schema) {
  builder *b = lua_newuserdatauv(L, sizeof *b, 0);
  memset(b, 0, sizeof *b);
  b->lim = *lim;
  b->schema = lua_isnil(L, schema) ? NULL : axl_lua_toschema(L, schema);
  luaL_setmetatable(L, "axlink.builder");
  lua_toclose(L, -1);
  lua_newtable(L);
  b->seen = lua_gettop(L);
  axl_guard_enter(&b->guard);
  b->guarded = 1;
  return b;
}

/* The model path of the element being built starts as path. */
static void start_path(lua_State *L, builder *b, const char *path) {
  size_t len = strlen(path);
  if (len >= sizeof b->mpath) luaL_error(L, "tables nested too deep");
  memcpy(b->mpath, path, len + 1);
  b->mlen = len;
}

/* The record of the tables at idx, pushed (or nil). */
static int push_record(lua_State *L, int idx) {
  int t;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &axl_records_key);
  lua_pushvalue(L, idx);
  t = lua_rawget(L, -2);
  lua_remove(L, -2);
  if (t != LUA_TUSERDATA) {
    lua_pop(L, 1);
    lua_pushnil(L);
  }
  return lua_gettop(L);
}

int axl_lua_fromtable(lua_State *L) {
  const char *root_name = NULL;
  axl_message *src = NULL;
  axl_limits asked, lim;
  xmlNodePtr rec = NULL, root;
  builder *b;
  lmsg *u;

  luaL_checktype(L, 1, LUA_TTABLE);
  if (!lua_isnoneornil(L, 2)) {
    luaL_checktype(L, 2, LUA_TTABLE);
    if (lua_getfield(L, 2, "root") != LUA_TNIL) {
      luaL_argexpected(L, lua_type(L, -1) == LUA_TSTRING, 2,
                       "string opts.root");
      root_name = lua_tostring(L, -1);
    }
    lua_pop(L, 1);  /* still referenced by opts */
  }
  axl_lua_read_limits(L, 2, &asked);
  lua_settop(L, 2);

  if (!lua_isnil(L, push_record(L, 1)))               /* 3: record or nil */
    src = ((axl_record *)luaL_checkudata(L, 3, AXL_RECORD_MT))->src;
  /* The schema: opts.schema, else the one the tables' message had. */
  if (!lua_isnoneornil(L, 2) && lua_getfield(L, 2, "schema") != LUA_TNIL)
    axl_lua_toschema(L, -1);            /* a Schema, closed or not */
  else if (src) {
    lua_settop(L, 3);
    lua_getiuservalue(L, 3, 1);
  } else {
    lua_settop(L, 3);
    lua_pushnil(L);
  }                                                   /* 4: schema or nil */
  table_limits(&lim, src, &asked);
  if (src) {
    /* The root of the record, unless the tables are one entity's. */
    xmlNodePtr r = xmlDocGetRootElement(axl_message_doc(src));
    if (!root_name) root_name = (const char *)r->name;
    if (strcmp(root_name, (const char *)r->name) == 0)
      rec = axl_lua_record_node(L, 3, NULL);
  }
  if (!root_name) root_name = "OfferteAanvraag";
  if (!axl_ncname_ok(root_name, strlen(root_name)))
    return axl_lua_refuse(L, NULL, "AXL-T04", "", "root name that is not "
                          "an XML name");

  u = axl_lua_newmsg(L, 0);                           /* 5: result */
  lua_pushvalue(L, 4);
  lua_setiuservalue(L, 5, 2);
  b = new_builder(L, &lim, 4);                        /* 6, 7: builder */
  b->doc = xmlNewDoc(BAD_CAST "1.0");
  root = b->doc ? xmlNewDocNode(b->doc, NULL, BAD_CAST root_name, NULL)
                : NULL;
  if (root && !root->name) {
    xmlFreeNode(root);
    root = NULL;
  }
  if (!root) return luaL_error(L, "not enough memory");
  xmlDocSetRootElement(b->doc, root);
  if (rec) {
    axl_node_set_line(root, axl_node_line(rec));
    if (rec->nsDef && !(root->nsDef = axl_copy_ns_list(rec->nsDef)))
      return luaL_error(L, "not enough memory");
  }
  start_path(L, b, root_name);
  if (build(b, L, root, 1, rec, 1, 0))
    return axl_lua_refuse(L, NULL, b->code, b->where, b->text);
  if (axl_guard_saw_oom(&b->guard)) return luaL_error(L, "not enough memory");
  {
    axl_error err;
    axl_message *m = axl_message_wrap(b->doc, &err);
    b->doc = NULL;                      /* the message owns it now */
    if (!m) return luaL_error(L, "not enough memory");
    axl_message_set_size(m, axl_estimate_bytes(b->elements + 1,
                                               b->text_bytes));
    axl_message_set_limits(m, &b->lim);
    axl_lua_setmsg(L, u, m);
  }
  lua_settop(L, 5);
  return 1;
}

/* ====================================================================
** msg:_replace(path, index, t): one entity written anew from tables
** ==================================================================== */

/*
** The new element that takes old's place: named as old, with the line and
** namespace declarations of its record; fresh is the builder's until it
** is kept, so a Lua error frees it.
*/
static xmlNodePtr new_entity(lua_State *L, builder *b, xmlNodePtr old,
                             xmlNodePtr rec) {
  xmlNodePtr fresh = xmlNewDocNode(b->doc, NULL, old->name, NULL);
  if (fresh && !fresh->name) {   /* 2.9.14: a node without its name */
    xmlFreeNode(fresh);
    fresh = NULL;
  }
  if (!fresh) luaL_error(L, "not enough memory");
  b->old = old;
  b->fresh = fresh;
  if (rec) {
    axl_node_set_line(fresh, axl_node_line(rec));
    if (rec->nsDef && !(fresh->nsDef = axl_copy_ns_list(rec->nsDef)))
      luaL_error(L, "not enough memory");
  }
  return fresh;
}

/* A new entity of a repeating kind, written without Volgnummer and
** without a record, is numbered as fromtable numbers a new array item:
** max+1 among its siblings. */
static long entity_volgnummer(lua_State *L, xmlNodePtr fresh, int t,
                              xmlNodePtr rec) {
  long volg;
  if (rec || !axl_element_repeats(fresh)) return 0;
  lua_pushliteral(L, "Volgnummer");
  volg = lua_rawget(L, t) == LUA_TNIL ? axl_next_volgnummer(fresh)
                                      : 0;
  lua_pop(L, 1);
  return volg;   /* -1: no room for max+1 */
}

/*
** The limits of the message as fromtable keeps to them for a whole
** message: the entity's depth, and the elements outside it, which stay.
** 0, or -1 after a refusal.
*/
static int entity_room(builder *b, axl_message *m, xmlNodePtr old,
                       size_t *depth) {
  size_t all = axl_count_elements(xmlDocGetRootElement(axl_message_doc(m)));
  size_t mine = 1 + axl_count_elements(old->children);
  *depth = axl_element_depth(old);
  if (*depth > b->lim.max_depth)
    return refuse(b, old, NULL, "AXL-T07", "elements nested deeper than "
                  "max_depth");
  /* b->elements counts every element but the root, as fromtable does. */
  b->elements = all - mine;
  if (b->elements + 2 > b->lim.max_elements)
    return refuse(b, old, NULL, "AXL-T14", "more elements than "
                  "max_elements");
  return 0;
}

int axl_lua_replace_entity(lua_State *L) {
  lmsg *u = luaL_checkudata(L, 1, AXL_MESSAGE_MT);
  axl_message *m = axl_lua_checkmsg(L, 1);
  const char *path = luaL_checkstring(L, 2);
  lua_Integer index = luaL_checkinteger(L, 3);
  static const axl_limits none;
  axl_limits lim;
  xmlNodePtr old, rec = NULL, fresh;
  axl_record *r = NULL;
  size_t depth;
  long volg;
  builder *b;
  luaL_checktype(L, 4, LUA_TTABLE);
  lua_settop(L, 4);
  old = axl_entity_find(m, path, index > 0 && index <= LONG_MAX
                                 ? (long)index : 0);
  if (!old) {
    lua_pushfstring(L, "/%s", path);
    return axl_lua_refuse(L, axl_lua_msgname(L, 1), "AXL-T17",
                          lua_tostring(L, -1), "no entity at that model "
                          "path and index");
  }
  if (!lua_isnil(L, push_record(L, 4))) {             /* 5: record or nil */
    r = luaL_checkudata(L, 5, AXL_RECORD_MT);
    rec = axl_lua_record_node(L, 5, path);
  }
  axl_lua_pushschema_of(L, 1);                        /* 6: schema or nil */
  table_limits(&lim, m, &none);
  b = new_builder(L, &lim, 6);                        /* 7, 8: builder */
  b->doc = axl_message_doc(m);
  b->borrowed = 1;
  if (entity_room(b, m, old, &depth))
    return axl_lua_refuse(L, axl_lua_msgname(L, 1), b->code, b->where,
                          b->text);
  fresh = new_entity(L, b, old, rec);
  if (axl_entity_swap_in(m, old, fresh)) return luaL_error(L, "not enough "
                                                           "memory");
  b->swapped = 1;
  start_path(L, b, path);
  volg = entity_volgnummer(L, fresh, 4, rec);
  if (volg < 0)
    refuse(b, fresh, NULL, "AXL-T12", "Volgnummer too large to number a "
           "new entity after it");
  if (volg < 0 || build(b, L, fresh, 4, rec, (int)depth, volg))
    return axl_lua_refuse(L, axl_lua_msgname(L, 1), b->code, b->where,
                          b->text);
  if (axl_guard_saw_oom(&b->guard)) return luaL_error(L, "not enough memory");
  axl_entity_keep(m, old, fresh);   /* to the journal, or freed */
  b->fresh = NULL;
  axl_lua_changed(u);
  /* The tables just written hold exactly the entity now: current again,
  ** as settable makes its own. */
  if (r && rec && r->owner == u->id) r->revision = u->revision;
  lua_pushboolean(L, 1);
  return 1;
}
