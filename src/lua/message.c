/*
** The Message userdata: a reference to an axl_message, the name the caller
** gave it and the schema it remembers (uservalues 1 and 2), and the
** revision that tells current tables from stale ones (binding.h). The
** methods that are no concern of their own (tables, linking, rules,
** schemas, journals each have a file) live here, and so does the
** metatable that gathers them all.
*/
#include "binding.h"

#include <string.h>

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
  u->last = 0;
  u->journal = NULL;
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

void axl_lua_replace(lua_State *L, lmsg *u, axl_message *m) {
  if (u->journal) axl_lua_journal_swap(L, u, m);  /* keeps the old one */
  else axl_message_unref(u->m);
  u->m = m;
  axl_lua_changed(u);
}

void axl_lua_changed(lmsg *u) {
  u->revision = ++u->last;
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
  axl_lua_journal_drop(u);
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

void axl_lua_pushschema_of(lua_State *L, int msg_idx) {
  lua_getiuservalue(L, msg_idx, 2);
}

/* ====================================================================
** Methods
** ==================================================================== */

static int m_serialize(lua_State *L) {
  axl_message *m = axl_lua_checkmsg(L, 1);
  char **out = (char **)axl_lua_box(L);
  size_t len;
  axl_error err;
  if (axl_serialize(m, out, &len, &err) != 0)
    return axl_lua_fail(L, axl_lua_msgname(L, 1), &err);
  lua_pushlstring(L, *out, len);
  return 1;
}

static int m_write(lua_State *L) {
  axl_message *m = axl_lua_checkmsg(L, 1);
  const char *path = luaL_checkstring(L, 2);
  char **out = (char **)axl_lua_box(L);
  size_t len;
  axl_error err;
  if (axl_serialize(m, out, &len, &err) != 0 ||
      axl_write_file(path, *out, len, &err) != 0)
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
  if (o->journal) luaL_error(L, "a message with an open journal cannot be "
                             "adopted");
  if (u != o) {
    axl_message *m = o->m;   /* u's now, also when replace raises */
    o->m = NULL;
    axl_lua_replace(L, u, m);
  }
  if (lua_type(L, 3) == LUA_TTABLE) {
    axl_record *rec = axl_lua_record_of(L, 3);
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
  rec = axl_lua_record_of(L, 2);
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
  {"_begin", axl_lua_begin},
  {"_commit", axl_lua_commit},
  {"_rollback", axl_lua_rollback},
  {"_entity", axl_lua_entity},
  {"_replace", axl_lua_replace_entity},
  {"_stale", m_stale},
  {"_name", m_name},
  {"schema", m_schema},
  {NULL, NULL}
};


void axl_lua_open_message(lua_State *L) {
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
}
