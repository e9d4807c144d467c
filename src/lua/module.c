/*
** axlink.core: the Lua 5.4 binding of the C core. Messages are userdata
** owning a reference to an axl_message; bad input gives nil, message, info;
** a wrong argument type is a Lua error.
*/
#include "binding.h"

#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include <libxml/xmlversion.h>

/* ====================================================================
** Errors
** ==================================================================== */

static int push_error(lua_State *L, const char *name, const char *code,
                      long line, const char *path, const char *text,
                      int xml_code) {
  lua_pushnil(L);
  if (line > 0)
    lua_pushfstring(L, "%s:%d: %s %s", name ? name : "input", (int)line,
                    code, text);
  else
    lua_pushfstring(L, "%s: %s %s", name ? name : "input", code, text);
  lua_createtable(L, 0, 4);
  lua_pushstring(L, code);
  lua_setfield(L, -2, "code");
  if (line > 0) {
    lua_pushinteger(L, line);
    lua_setfield(L, -2, "line");
  }
  if (path && *path) {
    lua_pushstring(L, path);
    lua_setfield(L, -2, "path");
  }
  if (xml_code) {
    lua_pushinteger(L, xml_code);
    lua_setfield(L, -2, "xml_error");
  }
  return 3;
}

/* A whole figure as an integer, so info.value == 16 * 1024 * 1024 holds
** with math.type "integer"; a fraction (seconds) as a float. */
static void push_figure(lua_State *L, double v) {
  if (v == (double)(lua_Integer)v) lua_pushinteger(L, (lua_Integer)v);
  else lua_pushnumber(L, (lua_Number)v);
}

int axl_lua_fail(lua_State *L, const char *name, const axl_error *e) {
  push_error(L, name, e->code[0] ? e->code : "AXL-P01", e->line,
             e->path, e->message, e->xml_code);
  if (e->limit) {               /* DESIGN 3.4: which limit, value, figure */
    lua_pushstring(L, e->limit);
    lua_setfield(L, -2, "limit");
    push_figure(L, e->limit_value);
    lua_setfield(L, -2, "value");
    push_figure(L, e->limit_actual);
    lua_setfield(L, -2, "actual");
  }
  return 3;
}

int axl_lua_refuse(lua_State *L, const char *name, const char *code,
                   const char *path, const char *text) {
  return push_error(L, name, code, 0, path, text, 0);
}

/* ====================================================================
** The Message userdata
** ==================================================================== */

/* Registry key of the last message id given out in this state. */
static const char last_id_key = 0;

static lua_Integer next_id(lua_State *L) {
  lua_Integer id;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &last_id_key);
  id = lua_tointeger(L, -1) + 1;
  lua_pop(L, 1);
  lua_pushinteger(L, id);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &last_id_key);
  return id;
}

lmsg *axl_lua_newmsg(lua_State *L, int name_idx) {
  lua_Integer id = next_id(L);
  lmsg *u = lua_newuserdatauv(L, sizeof *u, 2);  /* name, schema */
  u->m = NULL;
  u->id = id;
  u->revision = 0;
  luaL_setmetatable(L, AXL_MESSAGE_MT);
  if (name_idx && lua_type(L, name_idx) == LUA_TSTRING) {
    lua_pushvalue(L, name_idx);
    lua_setiuservalue(L, -2, 1);
  }
  return u;
}

void axl_lua_setmsg(lua_State *L, lmsg *u, axl_message *m) {
  size_t kb = axl_message_size(m) / 1024;
  u->m = m;
  /* Lua's collector does not see libxml2's memory: tell it. */
  if (kb) lua_gc(L, LUA_GCSTEP, (int)(kb > 1000000 ? 1000000 : kb));
}

void axl_lua_replace(lmsg *u, axl_message *m) {
  axl_message_unref(u->m);
  u->m = m;
  u->revision++;
}

void axl_lua_changed(lmsg *u) {
  u->revision++;
}

static lmsg *check_lmsg(lua_State *L, int idx) {
  return luaL_checkudata(L, idx, AXL_MESSAGE_MT);
}

axl_message *axl_lua_checkmsg(lua_State *L, int idx) {
  lmsg *u = check_lmsg(L, idx);
  if (!u->m) luaL_error(L, "message is closed");
  return u->m;
}

/* The caller's name for a message (opts.name or the path), or NULL. */
const char *axl_lua_msgname(lua_State *L, int idx) {
  const char *s;
  lua_getiuservalue(L, idx, 1);
  s = lua_tostring(L, -1);
  lua_pop(L, 1);  /* still referenced by the userdata */
  return s;
}

static int msg_gc(lua_State *L) {
  lmsg *u = check_lmsg(L, 1);
  if (u->m) {
    axl_message_unref(u->m);
    u->m = NULL;
  }
  return 0;
}

static int msg_tostring(lua_State *L) {
  lmsg *u = check_lmsg(L, 1);
  const char *name = axl_lua_msgname(L, 1);
  if (!u->m)
    lua_pushliteral(L, "axlink.Message (closed)");
  else
    lua_pushfstring(L, "axlink.Message (%s%s%s)", axl_root_name(u->m),
                    name ? ", " : "", name ? name : "");
  return 1;
}

/* ====================================================================
** Parsing and reading
** ==================================================================== */

static size_t opt_size(lua_State *L, int opts, const char *field) {
  lua_Integer v = 0;
  if (lua_isnoneornil(L, opts)) return 0;
  if (lua_getfield(L, opts, field) != LUA_TNIL) {
    int ok;
    v = lua_tointegerx(L, -1, &ok);
    if (!ok || v <= 0)
      luaL_error(L, "bad option '%s' (positive integer expected)", field);
  }
  lua_pop(L, 1);
  return (size_t)v;
}

static double opt_seconds(lua_State *L, int opts, const char *field) {
  lua_Number v = 0;
  if (lua_isnoneornil(L, opts)) return 0;
  if (lua_getfield(L, opts, field) != LUA_TNIL) {
    int ok;
    v = lua_tonumberx(L, -1, &ok);
    if (!ok || !(v > 0))
      luaL_error(L, "bad option '%s' (positive number expected)", field);
  }
  lua_pop(L, 1);
  return (double)v;
}

void axl_lua_read_limits(lua_State *L, int opts, axl_limits *lim) {
  if (!lua_isnoneornil(L, opts)) luaL_checktype(L, opts, LUA_TTABLE);
  lim->max_bytes = opt_size(L, opts, "max_bytes");
  lim->max_depth = opt_size(L, opts, "max_depth");
  lim->max_attributes = opt_size(L, opts, "max_attributes");
  lim->max_elements = opt_size(L, opts, "max_elements");
  lim->max_text = opt_size(L, opts, "max_text");
  lim->max_seconds = opt_seconds(L, opts, "max_seconds");
}

/* Leaves opts.name (or fallback, or nil) on the stack; returns its index. */
static int push_name(lua_State *L, int opts, const char *fallback) {
  if (!lua_isnoneornil(L, opts) &&
      lua_getfield(L, opts, "name") != LUA_TNIL) {
    luaL_argexpected(L, lua_type(L, -1) == LUA_TSTRING, opts,
                     "string opts.name");
  } else {
    if (!lua_isnoneornil(L, opts)) lua_pop(L, 1);
    if (fallback) lua_pushstring(L, fallback);
    else lua_pushnil(L);
  }
  return lua_gettop(L);
}

/* Remembers opts.schema (a Schema userdata) in the message at msg_idx. */
static void remember_schema(lua_State *L, int opts, int msg_idx) {
  if (lua_isnoneornil(L, opts)) return;
  if (lua_getfield(L, opts, "schema") != LUA_TNIL) {
    axl_lua_checkschema(L, lua_gettop(L));
    lua_setiuservalue(L, msg_idx, 2);
  } else {
    lua_pop(L, 1);
  }
}

void axl_lua_pushschema_of(lua_State *L, int msg_idx) {
  lua_getiuservalue(L, msg_idx, 2);
}

static int l_parse(lua_State *L) {
  size_t len;
  const char *xml = luaL_checklstring(L, 1, &len);
  axl_limits lim;
  axl_error err;
  axl_message *m;
  int name;
  lmsg *u;
  axl_lua_read_limits(L, 2, &lim);
  name = push_name(L, 2, NULL);
  u = axl_lua_newmsg(L, name);
  remember_schema(L, 2, lua_gettop(L));
  m = axl_parse(xml, len, &lim, &err);
  if (!m) return axl_lua_fail(L, lua_tostring(L, name), &err);
  axl_lua_setmsg(L, u, m);
  return 1;
}

static int l_read(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  const char *base = strrchr(path, '/');
  axl_limits lim;
  axl_error err;
  axl_message *m;
  int name;
  lmsg *u;
  axl_lua_read_limits(L, 2, &lim);
  name = push_name(L, 2, base ? base + 1 : path);
  u = axl_lua_newmsg(L, name);
  remember_schema(L, 2, lua_gettop(L));
  m = axl_read(path, &lim, &err);
  if (!m) return axl_lua_fail(L, lua_tostring(L, name), &err);
  axl_lua_setmsg(L, u, m);
  return 1;
}

/* ====================================================================
** Methods
** ==================================================================== */

/* A buffer owned by a to-be-closed userdata, so an error frees it. */
typedef struct outbuf { char *p; } outbuf;

static outbuf *new_outbuf(lua_State *L);

static int outbuf_free(lua_State *L) {
  outbuf *b = lua_touserdata(L, 1);
  if (b->p) {
    axl_free(b->p);
    b->p = NULL;
  }
  return 0;
}

void **axl_lua_box(lua_State *L) {
  return (void **)new_outbuf(L);
}

static outbuf *new_outbuf(lua_State *L) {
  outbuf *b = lua_newuserdatauv(L, sizeof *b, 0);
  b->p = NULL;
  luaL_setmetatable(L, "axlink.outbuf");
  lua_toclose(L, -1);
  return b;
}

/*
** Creates (or completes) the metatable of a C-owned resource type with the
** same function as __gc and __close. Called only while the module opens:
** a metatable made lazily inside a call could be left half-built by a
** memory error and then be found, without __close, by the next call.
*/
void axl_lua_resource_type(lua_State *L, const char *name,
                           lua_CFunction release) {
  luaL_newmetatable(L, name);
  lua_pushcfunction(L, release);
  lua_setfield(L, -2, "__gc");
  lua_pushcfunction(L, release);
  lua_setfield(L, -2, "__close");
  lua_pop(L, 1);
}

static int m_serialize(lua_State *L) {
  axl_message *m = axl_lua_checkmsg(L, 1);
  outbuf *b = new_outbuf(L);
  size_t len;
  axl_error err;
  if (axl_serialize(m, &b->p, &len, &err) != 0)
    return axl_lua_fail(L, axl_lua_msgname(L, 1), &err);
  lua_pushlstring(L, b->p, len);
  return 1;
}

static int m_write(lua_State *L) {
  axl_message *m = axl_lua_checkmsg(L, 1);
  const char *path = luaL_checkstring(L, 2);
  outbuf *b = new_outbuf(L);
  size_t len;
  axl_error err;
  if (axl_serialize(m, &b->p, &len, &err) != 0 ||
      axl_write_file(path, b->p, len, &err) != 0)
    return axl_lua_fail(L, path, &err);
  lua_pushboolean(L, 1);
  return 1;
}

static int m_root(lua_State *L) {
  lua_pushstring(L, axl_root_name(axl_lua_checkmsg(L, 1)));
  return 1;
}

static int m_clone(lua_State *L) {
  axl_message *m = axl_lua_checkmsg(L, 1);
  axl_error err;
  axl_message *c;
  lmsg *u;
  lua_getiuservalue(L, 1, 1);
  u = axl_lua_newmsg(L, lua_gettop(L));
  lua_getiuservalue(L, 1, 2);
  lua_setiuservalue(L, -2, 2);
  c = axl_clone(m, &err);
  if (!c) return axl_lua_fail(L, axl_lua_msgname(L, 1), &err);
  axl_lua_setmsg(L, u, c);
  return 1;
}

/* The record of table t (at idx), or NULL. */
static axl_record *record_of(lua_State *L, int idx) {
  axl_record *rec = NULL;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &axl_records_key);
  lua_pushvalue(L, idx);
  if (lua_rawget(L, -2) == LUA_TUSERDATA)
    rec = luaL_checkudata(L, -1, AXL_RECORD_MT);
  lua_pop(L, 2);   /* the record stays referenced by records[t] */
  return rec;
}

/*
** msg:_adopt(other [, t]): the message takes over other's document and
** other is closed. msg:update and msg:settable use it to make their edit
** all or nothing. It is a change (the revision moves on); t, the tables
** just written, then hold exactly the new content and are stamped with
** the new revision, so they can be edited and written again.
*/
static int m_adopt(lua_State *L) {
  lmsg *u = check_lmsg(L, 1);
  lmsg *o = check_lmsg(L, 2);
  axl_lua_checkmsg(L, 1);
  axl_lua_checkmsg(L, 2);
  if (u != o) {
    axl_lua_replace(u, o->m);
    o->m = NULL;
  }
  if (lua_type(L, 3) == LUA_TTABLE) {
    axl_record *rec = record_of(L, 3);
    if (rec && rec->owner == u->id) rec->revision = u->revision;
  }
  return 0;
}

/*
** msg:_stale(t): true when t was taken from this message before a later
** change of it (DESIGN 3.1): writing it back would drop that change.
** Tables of another message, copies and literals have no such record.
*/
static int m_stale(lua_State *L) {
  lmsg *u = check_lmsg(L, 1);
  axl_record *rec;
  luaL_checktype(L, 2, LUA_TTABLE);
  rec = record_of(L, 2);
  lua_pushboolean(L, rec && rec->owner == u->id &&
                     rec->revision != u->revision);
  return 1;
}

static int m_schema(lua_State *L) {
  check_lmsg(L, 1);
  lua_getiuservalue(L, 1, 2);
  return 1;
}

static int m_name(lua_State *L) {
  check_lmsg(L, 1);
  lua_getiuservalue(L, 1, 1);
  return 1;
}

/* Test support: bytes malloc has handed out and not had back. */
static int l_heap(lua_State *L) {
  struct mallinfo2 mi = mallinfo2();
  lua_pushinteger(L, (lua_Integer)mi.uordblks);
  return 1;
}

/* CLI support: is this descriptor a terminal (colour, progress)? */
static int l_isatty(lua_State *L) {
  lua_pushboolean(L, isatty((int)luaL_checkinteger(L, 1)));
  return 1;
}

/* CLI support: do two paths name one file (-o onto an input)? */
static int l_same_file(lua_State *L) {
  struct stat a, b;
  const char *p = luaL_checkstring(L, 1), *q = luaL_checkstring(L, 2);
  lua_pushboolean(L, stat(p, &a) == 0 && stat(q, &b) == 0 &&
                     a.st_dev == b.st_dev && a.st_ino == b.st_ino);
  return 1;
}

/* CDL support: a regular file (not a FIFO, device or directory)? */
static int l_regular_file(lua_State *L) {
  struct stat st;
  lua_pushboolean(L, stat(luaL_checkstring(L, 1), &st) == 0 &&
                     S_ISREG(st.st_mode));
  return 1;
}

static int l_denied_loads(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)axl_denied_loads());
  return 1;
}

static const luaL_Reg msg_methods[] = {
  {"serialize", m_serialize},
  {"write", m_write},
  {"root", m_root},
  {"clone", m_clone},
  {"totable", axl_lua_totable},
  {"close", msg_gc},
  {"validate", axl_lua_validate},
  {"check", axl_lua_check},
  {"link", axl_lua_link},
  {"unlink", axl_lua_unlink},
  {"links", axl_lua_links},
  {"_adopt", m_adopt},
  {"_stale", m_stale},
  {"_name", m_name},
  {"schema", m_schema},
  {NULL, NULL}
};

/* core._model_child(entity_path, name): "leaf", "entity", "repeating" or
** nil, as the built-in AX model knows it (fill contexts, AXL-C22). */
static int l_model_child(lua_State *L) {
  static const char *const kinds[] = { NULL, "leaf", "entity", "repeating" };
  axl_field_kind k = axl_model_child_kind(luaL_checkstring(L, 1),
                                          luaL_checkstring(L, 2));
  if (k == AXL_FIELD_UNKNOWN) lua_pushnil(L);
  else lua_pushstring(L, kinds[k]);
  return 1;
}

static const luaL_Reg funcs[] = {
  {"parse", l_parse},
  {"read", l_read},
  {"fromtable", axl_lua_fromtable},
  {"grade", axl_lua_grade},
  {"_heap", l_heap},
  {"_denied_loads", l_denied_loads},
  {"_isatty", l_isatty},
  {"_same_file", l_same_file},
  {"_regular_file", l_regular_file},
  {"_model_child", l_model_child},
  {NULL, NULL}
};

const char axl_records_key = 0;

int luaopen_axlink_core(lua_State *L) {
  axl_init();
  luaL_newmetatable(L, AXL_MESSAGE_MT);
  lua_pushcfunction(L, msg_gc);
  lua_setfield(L, -2, "__gc");
  lua_pushcfunction(L, msg_gc);
  lua_setfield(L, -2, "__close");
  lua_pushcfunction(L, msg_tostring);
  lua_setfield(L, -2, "__tostring");
  luaL_newlib(L, msg_methods);
  lua_pushvalue(L, -1);
  lua_setfield(L, -3, "__index");
  lua_setfield(L, -2, "methods");  /* mt.methods: Lua adds update() etc. */
  lua_pop(L, 1);

  axl_lua_resource_type(L, "axlink.outbuf", outbuf_free);
  axl_lua_open_totable(L);
  axl_lua_open_fromtable(L);
  axl_lua_open_link(L);
  axl_lua_open_report(L);
  luaL_newmetatable(L, AXL_RECORD_MT);
  lua_pushcfunction(L, axl_lua_record_gc);
  lua_setfield(L, -2, "__gc");
  lua_pop(L, 1);

  /* Order records live outside the tables, keyed weakly by root table. */
  lua_newtable(L);
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &axl_records_key);

  axl_lua_open_schema(L);                 /* the axlink.schema table */
  luaL_newlib(L, funcs);
  lua_insert(L, -2);
  lua_setfield(L, -2, "schema");
  axl_lua_open_cli(L);                    /* _write_file, signals */
  lua_pushliteral(L, AXL_VERSION);
  lua_setfield(L, -2, "_VERSION");
  lua_pushstring(L, axl_libxml2_version());
  lua_setfield(L, -2, "libxml2_version");
  luaL_getmetatable(L, AXL_MESSAGE_MT);
  lua_getfield(L, -1, "methods");
  lua_setfield(L, -3, "Message");
  lua_pop(L, 1);
  return 1;
}
