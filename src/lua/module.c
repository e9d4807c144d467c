/*
** axlink.core: the Lua 5.4 binding of the C core. Messages are userdata
** owning a reference to an axl_message (message.c); bad input gives nil,
** message, info (errors.c); a wrong argument type is a Lua error. This file
** has the module's own functions (parse, read, test support) and opens the
** module: every other file registers its part from here.
*/
#include "binding.h"

#include <malloc.h>
#include <string.h>

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

/* Test support: bytes malloc has handed out and not had back. */
static int l_heap(lua_State *L) {
  struct mallinfo2 mi = mallinfo2();
  lua_pushinteger(L, (lua_Integer)mi.uordblks);
  return 1;
}

static int l_denied_loads(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)axl_denied_loads());
  return 1;
}

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
  {"_model_child", l_model_child},
  {NULL, NULL}
};

int luaopen_axlink_core(lua_State *L) {
  axl_init();
  axl_lua_open_message(L);
  axl_lua_open_resources(L);
  axl_lua_open_totable(L);
  axl_lua_open_fromtable(L);
  axl_lua_open_link(L);
  axl_lua_open_report(L);
  axl_lua_open_records(L);
  axl_lua_open_schema(L);                 /* the axlink.schema table */
  luaL_newlib(L, funcs);
  lua_insert(L, -2);
  lua_setfield(L, -2, "schema");
  axl_lua_open_cli(L);                    /* _write_file, signals, files */
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
