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
#include "internal.h"
#include "model.h"

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
  xmlDocPtr doc;
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
  if (b->guarded) {
    b->guarded = 0;
    axl_guard_leave(&b->guard);
  }
  if (b->doc) xmlFreeDoc(b->doc);
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

static const char *const first_attrs[] = {"Volgnummer", "ID", "IDREF"};

static int attr_rank(const char *name) {
  for (int i = 0; i < 3; i++)
    if (strcmp(name, first_attrs[i]) == 0) return i;
  return 3;
}

static int cmp_new_attr(const void *x, const void *y) {
  const entry *a = x, *b = y;
  int ra = attr_rank(a->name), rb = attr_rank(b->name);
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

/* Where a new sibling with model index midx goes (DESIGN 3.2). */
static size_t new_position(const item *it, size_t n, int midx,
                           const entry *ents, int entry_idx) {
  if (midx >= 0) {
    for (size_t i = n; i-- > 0;)
      if (it[i].midx >= 0 && it[i].midx <= midx) return i + 1;
    for (size_t i = 0; i < n; i++)
      if (it[i].midx > midx) return i;
    return n;
  }
  /* Unknown to the model: after its own name's last existing item. */
  for (size_t i = n; i-- > 0;)
    if (strcmp(ents[it[i].entry].name, ents[entry_idx].name) == 0)
      return i + 1;
  return n;
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
** Fills node from the table at index t. rec is the source element (or
** NULL); auto_volg > 0 is a Volgnummer to give node when t has none.
*/
static int build(builder *b, lua_State *L, xmlNodePtr node, int t,
                 xmlNodePtr rec, int depth, long auto_volg) {
  const axl_model_entity *model = axl_model_find(b->mpath, b->mlen);
  size_t ebase = b->ents_used, ne = 0, ibase = b->items_used, ni = 0;
  int top = lua_gettop(L);   /* every step below must leave it as it was */
  int text_idx = 0, has_children = 0;
  entry *E;

  luaL_checkstack(L, 16, "tables nested too deep");
  /* Never NULL below, even for a table with no fields. */
  b->ents = grow(L, b->ents, &b->ents_cap, ebase + 1, sizeof *b->ents);
  b->items = grow(L, b->items, &b->items_cap, ibase + 1, sizeof *b->items);

  /* Cycle guard: the table is marked while it is being built. */
  lua_pushvalue(L, t);
  if (lua_rawget(L, b->seen) != LUA_TNIL) {
    lua_pop(L, 1);
    return refuse(b, node, NULL, "AXL-T03", "table refers to itself (a "
                  "cycle)");
  }
  lua_pop(L, 1);
  lua_pushvalue(L, t);
  lua_pushboolean(L, 1);
  lua_rawset(L, b->seen);

  /* 1. Classify every field. With text at [1] the element is text-only,
  ** so every other string field is one of its attributes. */
  {
    int vt = lua_rawgeti(L, t, 1);
    text_idx = vt == LUA_TSTRING || vt == LUA_TNUMBER;
    lua_pop(L, 1);
  }
  lua_pushnil(L);
  while (lua_next(L, t)) {
    int vt = lua_type(L, -1);
    const char *name;
    entry *e;
    if (lua_type(L, -2) != LUA_TSTRING) {
      if (text_idx && lua_isinteger(L, -2) && lua_tointeger(L, -2) == 1) {
        lua_pop(L, 1);
        continue;
      }
      lua_pop(L, 2);
      return refuse(b, node, NULL, "AXL-T04", "key that is not an XML name");
    }
    name = lua_tostring(L, -2);
    if (!axl_ncname_ok(name, lua_rawlen(L, -2))) {
      lua_pop(L, 2);
      return refuse(b, node, NULL, "AXL-T04", "key that is not an XML name");
    }
    b->ents = grow(L, b->ents, &b->ents_cap, ebase + ne + 1, sizeof *b->ents);
    e = &b->ents[ebase + ne];
    e->name = name;
    e->count = 1;
    e->placed = 0;
    e->next_volg = 0;
    /* The schema's order where it knows the parent, else the model's. */
    e->midx = axl_schema_child_index(b->schema, b->mpath, name);
    if (e->midx == -2) e->midx = axl_model_child_index(model, name);
    if (vt == LUA_TSTRING || vt == LUA_TNUMBER) {
      e->kind = (text_idx || rec_has_attr(rec, name) ||
                 axl_model_has_attr(model, name) || attr_rank(name) < 3)
                ? K_ATTR : K_TEXTELEM;
    } else if (vt == LUA_TTABLE) {
      int n, volg, in_rec = rec_count(rec, name, &volg);
      int must_repeat = (axl_model_child_flags(model, name) & AXL_M_REPEAT) ||
                        in_rec > 1 || volg;
      int known_single = axl_model_child_index(model, name) >= 0 &&
                         !must_repeat;
      if (is_array(L, lua_gettop(L), &n)) {
        if (known_single) {
          lua_pop(L, 2);
          return refuse(b, node, name, "AXL-T06", "array where the model "
                        "wants a single element");
        }
        e->kind = K_ARRAY;
        e->count = n;
      } else if (must_repeat) {
        lua_pushnil(L);
        if (lua_next(L, -2)) {   /* not empty: a single table, refused */
          lua_pop(L, 4);
          return refuse(b, node, name, "AXL-T05", "single table where an "
                        "array is expected");
        }
        e->kind = K_ARRAY;       /* {} is an empty array here */
        e->count = 0;
      } else {
        e->kind = K_TABLE;
      }
    } else {
      lua_pop(L, 2);
      return refuse(b, node, name, "AXL-T01", vt == LUA_TBOOLEAN
                    ? "boolean value (use axlink.JN for J/N fields)"
                    : "value that is not a string, integer or table");
    }
    if (e->kind != K_ATTR && (e->kind != K_ARRAY || e->count > 0))
      has_children = 1;
    ne++;
    lua_pop(L, 1);
  }
  b->ents_used = ebase + ne;
  E = b->ents + ebase;

  if (text_idx && has_children)
    return refuse(b, node, NULL, "AXL-T08", "text beside child elements");

  /* 2. Attributes: the record's order, invisible ones included. */
  if (rec) {
    for (xmlAttrPtr a = rec->properties; a; a = a->next) {
      if (a->ns) {
        if (copy_invisible(L, b, node, a)) return -1;
        continue;
      }
      for (size_t i = 0; i < ne; i++) {
        E = b->ents + ebase;
        if (E[i].kind == K_ATTR && !E[i].placed &&
            strcmp(E[i].name, (const char *)a->name) == 0) {
          E[i].placed = 1;
          if (set_attr(b, L, node, t, E[i].name)) return -1;
          break;
        }
      }
    }
  }
  {
    /* New attributes: Volgnummer, ID, IDREF, then by name. */
    size_t nnew = 0;
    entry *fresh;
    E = b->ents + ebase;
    b->ents = grow(L, b->ents, &b->ents_cap, ebase + 2 * ne + 1,
                   sizeof *b->ents);
    E = b->ents + ebase;
    fresh = E + ne;
    for (size_t i = 0; i < ne; i++)
      if (E[i].kind == K_ATTR && !E[i].placed) fresh[nnew++] = E[i];
    qsort(fresh, nnew, sizeof *fresh, cmp_new_attr);
    if (auto_volg > 0 && !xmlHasNsProp(node, BAD_CAST "Volgnummer", NULL)) {
      int has = 0;
      for (size_t i = 0; i < nnew; i++)
        has |= strcmp(fresh[i].name, "Volgnummer") == 0;
      if (!has) {
        char num[32];
        snprintf(num, sizeof num, "%ld", auto_volg);
        if (!xmlNewProp(node, BAD_CAST "Volgnummer", BAD_CAST num))
          luaL_error(L, "not enough memory");
      }
    }
    for (size_t i = 0; i < nnew; i++)
      if (set_attr(b, L, node, t, b->ents[ebase + ne + i].name)) return -1;
  }
  if (over_attributes(b, node)) return -1;

  /* 3. Text-only element. */
  if (text_idx) {
    size_t len;
    const char *s;
    lua_rawgeti(L, t, 1);
    s = text_value(b, L, lua_gettop(L), &len, node, NULL);
    if (!s) return -1;
    add_text(L, b, node, s, len);
    lua_pop(L, 1);
  }

  /* 4. Children: the record's order first. */
  if (rec) {
    for (xmlNodePtr c = rec->children; c; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      E = b->ents + ebase;
      for (size_t i = 0; i < ne; i++) {
        item it;
        if (E[i].kind == K_ATTR || strcmp(E[i].name, (const char *)c->name))
          continue;
        if (E[i].placed >= E[i].count) break;   /* removed by the user */
        if (E[i].kind != K_ARRAY && E[i].placed) break;
        E[i].placed++;
        it.entry = (int)i;
        it.k = E[i].kind == K_ARRAY ? E[i].placed : 0;
        it.rec = c;
        it.midx = E[i].midx;
        b->items = grow(L, b->items, &b->items_cap, ibase + ni + 1,
                        sizeof *b->items);
        b->items[ibase + ni++] = it;
        break;
      }
    }
  }
  /* New children: known ones in model order, then unknown ones by name. */
  {
    size_t order_base = b->ents_used, nn = 0;
    b->ents = grow(L, b->ents, &b->ents_cap, order_base + ne + 1,
                   sizeof *b->ents);
    E = b->ents + ebase;
    for (size_t i = 0; i < ne; i++)
      if (E[i].kind != K_ATTR && E[i].placed < E[i].count) {
        b->ents[order_base + nn] = E[i];
        b->ents[order_base + nn].placed = (int)i;  /* remember the index */
        nn++;
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
      entry *e = &b->ents[ebase + idx];
      int from = e->placed, count = e->kind == K_ARRAY ? e->count : 1;
      size_t add = (size_t)(count - from), pos;
      item *fresh;
      b->items = grow(L, b->items, &b->items_cap, ibase + 2 * (ni + add) + 1,
                      sizeof *b->items);
      fresh = b->items + ibase + ni + add;  /* room past the sequence */
      for (int k = from + 1; k <= count; k++) {
        fresh[k - from - 1].entry = idx;
        fresh[k - from - 1].k = e->kind == K_ARRAY ? k : 0;
        fresh[k - from - 1].rec = NULL;
        fresh[k - from - 1].midx = e->midx;
      }
      pos = new_position(b->items + ibase, ni, e->midx, b->ents + ebase, idx);
      insert_items(b, ibase, &ni, pos, fresh, add);
    }
  }
  b->items_used = ibase + ni;

  /* 5. Emit, recursing into each child. */
  for (size_t i = 0; i < ni; i++) {
    item it = b->items[ibase + i];
    const char *name = b->ents[ebase + it.entry].name;
    long volg = 0;
    int rc;
    lua_pushstring(L, name);
    lua_rawget(L, t);                    /* the field: array or value */
    if (it.k) {
      int arr = lua_gettop(L), vt = lua_rawgeti(L, arr, it.k);
      if (vt != LUA_TTABLE && vt != LUA_TSTRING && vt != LUA_TNUMBER)
        return refuse(b, node, name, "AXL-T01", "array item that is not a "
                      "string, integer or table");
      if (!it.rec && vt == LUA_TTABLE) {
        /* A new repeating entity gets max+1 among its siblings. */
        entry *e = &b->ents[ebase + it.entry];
        if (!e->next_volg) {
          long max = max_volgnummer(L, arr, e->count);
          if (max >= LONG_MAX - e->count)   /* max+1 must not overflow */
            return refuse(b, node, name, "AXL-T12", "Volgnummer too large to "
                          "number a new entity after it");
          e->next_volg = max + 1;
        }
        lua_pushliteral(L, "Volgnummer");
        if (lua_rawget(L, -2) == LUA_TNIL) volg = e->next_volg++;
        lua_pop(L, 1);
      }
    }
    rc = emit_child(b, L, node, name, lua_gettop(L), it.rec, depth, volg);
    if (rc) return rc;
    lua_pop(L, it.k ? 2 : 1);
  }

  /* A slipped stack slot once made items read their siblings' fields:
  ** fail loudly rather than write wrong data. */
  if (lua_gettop(L) != top)
    return luaL_error(L, "axlink: internal error (table stack)");
  b->items_used = ibase;
  b->ents_used = ebase;
  /* Unmark for the cycle guard: a table may be shared, just not cyclic. */
  lua_pushvalue(L, t);
  lua_pushnil(L);
  lua_rawset(L, b->seen);
  return 0;
}

/* ====================================================================
** Entry point
** ==================================================================== */

int axl_lua_record_gc(lua_State *L) {
  axl_record *rec = luaL_checkudata(L, 1, AXL_RECORD_MT);
  if (rec->src) {
    axl_message_unref(rec->src);
    rec->src = NULL;
  }
  return 0;
}

void axl_lua_open_fromtable(lua_State *L) {
  axl_lua_resource_type(L, "axlink.builder", builder_free);
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

  lua_rawgetp(L, LUA_REGISTRYINDEX, &axl_records_key);
  lua_pushvalue(L, 1);
  if (lua_rawget(L, -2) == LUA_TUSERDATA)
    src = ((axl_record *)luaL_checkudata(L, -1, AXL_RECORD_MT))->src;
  lua_replace(L, 3);                                  /* 3: record or nil */
  lua_settop(L, 3);
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
  /* Limits: opts, else those the tables' message was parsed with; depth
  ** up to 256 unless opts says less (DESIGN 3.1 refuses depth over 256:
  ** what is deeper than parse's default then needs max_depth to be read). */
  if (src) lim = *axl_message_limits(src);
  else axl_limits_resolve(&lim, NULL);
  lim.max_depth = asked.max_depth ? asked.max_depth : AXL_MAX_DEPTH_CEILING;
  if (asked.max_bytes) lim.max_bytes = asked.max_bytes;
  if (asked.max_attributes) lim.max_attributes = asked.max_attributes;
  if (asked.max_elements) lim.max_elements = asked.max_elements;
  if (asked.max_text) lim.max_text = asked.max_text;
  axl_limits_resolve(&lim, &lim);
  if (src) {
    xmlNodePtr r = xmlDocGetRootElement(axl_message_doc(src));
    if (!root_name) root_name = (const char *)r->name;
    if (strcmp(root_name, (const char *)r->name) == 0) rec = r;
  }
  if (!root_name) root_name = "OfferteAanvraag";
  if (!axl_ncname_ok(root_name, strlen(root_name)))
    return axl_lua_refuse(L, NULL, "AXL-T04", "", "root name that is not "
                          "an XML name");

  u = axl_lua_newmsg(L, 0);                           /* 5: result */
  lua_pushvalue(L, 4);
  lua_setiuservalue(L, 5, 2);
  b = lua_newuserdatauv(L, sizeof *b, 0);             /* 6: builder */
  memset(b, 0, sizeof *b);
  b->lim = lim;
  /* A closed schema orders nothing: the model does, as without one. */
  b->schema = lua_isnil(L, 4) ? NULL : axl_lua_toschema(L, 4);
  luaL_setmetatable(L, "axlink.builder");
  lua_toclose(L, 6);
  lua_newtable(L);                                    /* 7: cycle guard */
  b->seen = 7;

  axl_guard_enter(&b->guard);
  b->guarded = 1;
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
  memcpy(b->mpath, root_name, strlen(root_name) + 1);
  b->mlen = strlen(root_name);
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
