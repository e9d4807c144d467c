/*
** Order records (DESIGN 3.1): what tables remember about where they came
** from, kept outside them (records[t], a weak-keyed table in the registry,
** so no key but element and attribute names is ever reachable in t): the
** source message (a reference: it keeps the document alive for fromtable),
** which message and revision they were taken at, and for an entity's
** tables which entity.
*/
#include "binding.h"

#include <string.h>

const char axl_records_key = 0;

axl_record *axl_lua_record_of(lua_State *L, int idx) {
  axl_record *rec = NULL;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &axl_records_key);
  lua_pushvalue(L, idx);
  if (lua_rawget(L, -2) == LUA_TUSERDATA)
    rec = luaL_checkudata(L, -1, AXL_RECORD_MT);
  lua_pop(L, 2);   /* the record stays referenced by records[t] */
  return rec;
}

xmlNodePtr axl_lua_record_node(lua_State *L, int idx, const char *path) {
  axl_record *rec = luaL_checkudata(L, idx, AXL_RECORD_MT);
  const char *own;
  xmlNodePtr n = NULL;
  if (!rec->src) return NULL;
  lua_getiuservalue(L, idx, 2);
  own = lua_tostring(L, -1);
  if (!path && !own)
    n = xmlDocGetRootElement(axl_message_doc(rec->src));
  else if (path && own && strcmp(path, own) == 0)
    n = axl_entity_find(rec->src, path, (long)rec->index);
  lua_pop(L, 1);
  return n;
}

int axl_lua_record_gc(lua_State *L) {
  axl_record *rec = luaL_checkudata(L, 1, AXL_RECORD_MT);
  if (rec->src) {
    axl_message_unref(rec->src);
    rec->src = NULL;
  }
  return 0;
}

/* The records' metatable and the weak-keyed table they live in. */
void axl_lua_open_records(lua_State *L) {
  luaL_newmetatable(L, AXL_RECORD_MT);
  lua_pushcfunction(L, axl_lua_record_gc);
  lua_setfield(L, -2, "__gc");
  lua_pop(L, 1);
  lua_newtable(L);
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &axl_records_key);
}
