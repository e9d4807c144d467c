/*
** msg:totable(): the document as plain Lua tables (DESIGN 3.1).
**
** Shapes: an element with child elements is a table keyed by child name; a
** text-only element is its exact string, or { [1] = text, Attr = ... } when
** it has attributes; a repeating entity is always an array. "Repeating" is
** the union of the model, a Volgnummer on any same-name sibling, and more
** than one occurrence, as the core's shapes say it (axl_shape_repeats). Namespace declarations and namespaced attributes
** (xsi:...) are not fields: they stay in the order record, a reference to
** the source document held outside the tables, which fromtable reads back.
**
** Speed: children are counted first (one pass with a small hash on the
** name), then each table is created at its final size and filled with raw
** sets, arrays kept on the Lua stack while their items arrive.
*/
#include <limits.h>
#include "binding.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct slot {
  const xmlChar *name;
  int count;
  int repeat;
  int stack;   /* stack index of the array while it is filled */
  int filled;
} slot;

/* Scratch memory for the name hashes, owned by a to-be-closed userdata. */
typedef struct scratch {
  slot *slots;
  size_t cap;
} scratch;

static int scratch_free(lua_State *L) {
  scratch *s = lua_touserdata(L, 1);
  free(s->slots);
  s->slots = NULL;
  s->cap = 0;
  return 0;
}

typedef struct walk {
  lua_State *L;
  scratch *mem;
  size_t used;          /* slots in use by the frames above */
  char path[4096];      /* model path of the current element */
  size_t plen;
} walk;

static slot *frame_alloc(walk *w, size_t n) {
  scratch *s = w->mem;
  if (w->used + n > s->cap) {
    size_t cap = (w->used + n) * 2 + 64;
    slot *p = realloc(s->slots, cap * sizeof *p);
    if (!p) luaL_error(w->L, "not enough memory");
    s->slots = p;
    s->cap = cap;
  }
  memset(s->slots + w->used, 0, n * sizeof(slot));
  w->used += n;
  return s->slots + w->used - n;
}

static uint32_t name_hash(const xmlChar *s) {
  uint32_t h = 2166136261u;
  for (; *s; s++) h = (h ^ *s) * 16777619u;
  return h;
}

static int has_element_child(const xmlNode *n) {
  for (n = n->children; n; n = n->next)
    if (n->type == XML_ELEMENT_NODE) return 1;
  return 0;
}

static int visible_attrs(const xmlNode *n) {
  int k = 0;
  for (xmlAttrPtr a = n->properties; a; a = a->next) k += (a->ns == NULL);
  return k;
}

static int has_volgnummer(const xmlNode *n) {
  for (xmlAttrPtr a = n->properties; a; a = a->next)
    if (!a->ns && xmlStrEqual(a->name, BAD_CAST "Volgnummer")) return 1;
  return 0;
}

/* Text of the text children, concatenated (normally exactly one). */
static void push_text(lua_State *L, const xmlNode *n) {
  const xmlNode *c = n->children;
  if (!c) {
    lua_pushliteral(L, "");
  } else if (!c->next && c->type == XML_TEXT_NODE) {
    lua_pushstring(L, (const char *)c->content);
  } else {
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (; c; c = c->next)
      if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
          c->content)
        luaL_addstring(&b, (const char *)c->content);
    luaL_pushresult(&b);
  }
}

static void set_attrs(lua_State *L, const xmlNode *n) {
  for (xmlAttrPtr a = n->properties; a; a = a->next) {
    if (a->ns) continue;
    lua_pushstring(L, (const char *)a->name);
    push_text(L, (const xmlNode *)a);
    lua_rawset(L, -3);
  }
}

static void push_element(walk *w, const xmlNode *n);

/* Pushes the table of an element that has child elements. */
static void push_entity(walk *w, const xmlNode *n) {
  lua_State *L = w->L;
  axl_shape shape;
  size_t nchild = 0, size, base = w->used, distinct = 0, repeating = 0;
  slot *slots;
  int top;

  axl_shape_init(&shape, w->path, NULL);
  for (const xmlNode *c = n->children; c; c = c->next)
    nchild += (c->type == XML_ELEMENT_NODE);
  for (size = 8; size < nchild * 2; size <<= 1) {}
  slots = frame_alloc(w, size);

  /* Pass 1: count each name, note Volgnummers. */
  for (const xmlNode *c = n->children; c; c = c->next) {
    size_t i;
    if (c->type != XML_ELEMENT_NODE) continue;
    for (i = name_hash(c->name) & (size - 1); slots[i].name;
         i = (i + 1) & (size - 1))
      if (slots[i].name == c->name || xmlStrEqual(slots[i].name, c->name))
        break;
    if (!slots[i].name) {
      slots[i].name = c->name;
      distinct++;
    }
    slots[i].count++;
    if (!slots[i].repeat && has_volgnummer(c)) slots[i].repeat = 1;
  }

  lua_createtable(L, 0, (int)distinct + visible_attrs(n));
  top = lua_gettop(L);
  set_attrs(L, n);
  luaL_checkstack(L, (int)distinct + 8, "document too wide");
  for (size_t i = 0; i < size; i++) {
    slot *s = &w->mem->slots[base + i];
    if (!s->name) continue;
    s->repeat = axl_shape_repeats(&shape, (const char *)s->name,
                                  (size_t)s->count, s->repeat);
    if (s->repeat) {
      lua_createtable(L, s->count, 0);
      s->stack = lua_gettop(L);
      repeating++;
    }
  }

  /* Pass 2: fill, in document order. */
  for (const xmlNode *c = n->children; c; c = c->next) {
    slot *s;
    size_t i;
    if (c->type != XML_ELEMENT_NODE) continue;
    for (i = name_hash(c->name) & (size - 1);; i = (i + 1) & (size - 1)) {
      s = &w->mem->slots[base + i];
      if (s->name == c->name || xmlStrEqual(s->name, c->name)) break;
    }
    if (s->repeat) {
      /* Read the slot before recursing: a deeper frame may move slots. */
      int stack = s->stack, pos = ++s->filled;
      push_element(w, c);
      lua_rawseti(L, stack, pos);
    } else {
      lua_pushstring(L, (const char *)c->name);
      push_element(w, c);
      lua_rawset(L, top);
    }
  }
  /* Arrays go into the table, leaving it on top. */
  for (size_t i = 0; i < size && repeating; i++) {
    slot *s = &w->mem->slots[base + i];
    if (!s->name || !s->repeat) continue;
    lua_pushstring(L, (const char *)s->name);
    lua_pushvalue(L, s->stack);
    lua_rawset(L, top);
  }
  lua_settop(L, top);
  w->used = base;
}

static void push_element(walk *w, const xmlNode *n) {
  lua_State *L = w->L;
  if (has_element_child(n)) {
    size_t saved = w->plen;
    size_t add = xmlStrlen(n->name) + 1;
    if (saved + add + 1 >= sizeof w->path) luaL_error(L, "document too deep");
    if (saved) w->path[w->plen++] = '/';
    memcpy(w->path + w->plen, n->name, add);  /* with its NUL */
    w->plen += add - 1;
    luaL_checkstack(L, 8, "document too deep");
    push_entity(w, n);
    w->plen = saved;
    w->path[saved] = '\0';
  } else if (visible_attrs(n)) {
    lua_createtable(L, n->children ? 1 : 0, visible_attrs(n));
    if (n->children) {
      push_text(L, n);
      lua_rawseti(L, -2, 1);
    }
    set_attrs(L, n);
  } else {
    push_text(L, n);
  }
}

void axl_lua_push_tables(lua_State *L, int msg_idx, const xmlNode *n,
                         const char *parent_path, const char *path,
                         lua_Integer index) {
  lmsg *u = luaL_checkudata(L, msg_idx, AXL_MESSAGE_MT);
  size_t plen = strlen(parent_path);
  int base = lua_gettop(L);
  scratch *mem;
  walk *w;
  axl_record *rec;

  mem = lua_newuserdatauv(L, sizeof *mem, 0);          /* base+1: scratch */
  mem->slots = NULL;
  mem->cap = 0;
  luaL_setmetatable(L, "axlink.scratch");
  lua_toclose(L, -1);

  w = lua_newuserdatauv(L, sizeof *w, 0);              /* base+2: walk */
  w->L = L;
  w->mem = mem;
  w->used = 0;
  if (plen >= sizeof w->path) luaL_error(L, "document too deep");
  memcpy(w->path, parent_path, plen + 1);
  w->plen = plen;

  /* The record first, so the table can be registered the moment it exists */
  rec = lua_newuserdatauv(L, sizeof *rec, 2);          /* base+3: record */
  rec->src = NULL;
  rec->owner = u->id;
  rec->revision = u->revision;
  rec->index = path ? index : 0;
  luaL_setmetatable(L, AXL_RECORD_MT);
  axl_lua_pushschema_of(L, msg_idx);                   /* remembered too */
  lua_setiuservalue(L, base + 3, 1);
  if (path) {
    lua_pushstring(L, path);
    lua_setiuservalue(L, base + 3, 2);
  }

  push_element(w, n);                                  /* base+4: tables */
  if (lua_type(L, -1) != LUA_TTABLE) {
    /* Only text still gives a table, so it can be recorded. */
    lua_createtable(L, 1, 0);
    lua_insert(L, -2);
    lua_rawseti(L, -2, 1);
  }
  rec->src = axl_message_ref(u->m);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &axl_records_key);
  lua_pushvalue(L, -2);
  lua_pushvalue(L, base + 3);
  lua_rawset(L, -3);                                   /* records[t] = rec */
  lua_pop(L, 1);
  lua_closeslot(L, base + 1);  /* the scratch is freed now */
  lua_replace(L, base + 1);    /* and its slot holds the tables */
  lua_settop(L, base + 1);
}

int axl_lua_totable(lua_State *L) {
  axl_message *m = axl_lua_checkmsg(L, 1);
  lua_settop(L, 1);
  axl_lua_push_tables(L, 1, xmlDocGetRootElement(axl_message_doc(m)), "",
                      NULL, 0);
  return 1;
}

/*
** msg:_entity(path, attr, value) or msg:_entity(path, index): the tables of
** the entity at model path `path` whose attribute attr is value (or the
** index-th there, 1-based, document order), shaped as inside
** msg:totable(), with an order record naming that entity (so msg:_replace
** keeps its document order), and its index; nil when there is none.
*/
int axl_lua_entity(lua_State *L) {
  axl_message *m = axl_lua_checkmsg(L, 1);
  const char *path = luaL_checkstring(L, 2);
  const char *slash = strrchr(path, '/');
  long index = 0;
  xmlNodePtr n;
  if (lua_type(L, 3) == LUA_TNUMBER) {
    lua_Integer i = luaL_checkinteger(L, 3);
    index = i > 0 && i < LONG_MAX ? (long)i : 0;
    n = index ? axl_entity_find(m, path, index) : NULL;
  } else {
    const char *attr = luaL_checkstring(L, 3);
    const char *value = luaL_checkstring(L, 4);
    n = axl_entity_find_by(m, path, attr, value, &index);
  }
  if (!n || !slash) {
    lua_pushnil(L);
    return 1;
  }
  lua_settop(L, 4);
  lua_pushlstring(L, path, (size_t)(slash - path));   /* 5: parent path */
  axl_lua_push_tables(L, 1, n, lua_tostring(L, 5), path, index);
  lua_pushinteger(L, index);
  return 2;
}

void axl_lua_open_totable(lua_State *L) {
  axl_lua_resource_type(L, "axlink.scratch", scratch_free);
}
