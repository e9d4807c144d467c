/*
** msg:check(opts): the ketenafspraak rules through Lua. Limits come from
** opts.limits (numbers or {min=, max=}, partial allowed), else opts.schema,
** else the schema the message remembers, else the defaults.
*/
#include "binding.h"

#include <math.h>
#include <string.h>

/* Reads one limit (a number or {min=, max=}) into o when present. */
static void read_occurs(lua_State *L, int limits, const char *field,
                        axl_occurs *o) {
  int t = lua_getfield(L, limits, field);
  if (t == LUA_TNUMBER) {
    o->max = lua_tonumber(L, -1);
    o->min = 0;
  } else if (t == LUA_TTABLE) {
    if (lua_getfield(L, -1, "max") == LUA_TNUMBER) o->max = lua_tonumber(L, -1);
    else if (!lua_isnil(L, -1))
      luaL_error(L, "bad limit '%s.max' (number expected)", field);
    lua_pop(L, 1);
    if (lua_getfield(L, -1, "min") == LUA_TNUMBER) o->min = lua_tonumber(L, -1);
    lua_pop(L, 1);
  } else if (t != LUA_TNIL) {
    luaL_error(L, "bad limit '%s' (number or table expected)", field);
  }
  lua_pop(L, 1);
  if (!isnan(o->max) && (o->max < 0 || o->max != floor(o->max)))
    luaL_error(L, "bad limit '%s' (a whole number >= 0 or math.huge)", field);
}

static void schema_limits(const axl_schema *s, axl_check_opts *o) {
  const axl_schema_limits *lim = axl_schema_get_limits(s);
  /* An undecided limit leaves the defaults standing. */
  if (isnan(o->externe.max) && !lim->externe_undecided)
    o->externe = lim->externe;
  if (isnan(o->dataleverancier.max) && !lim->dataleverancier_undecided)
    o->dataleverancier = lim->dataleverancier;
}

void axl_lua_check_opts(lua_State *L, int msg, int opts, axl_check_opts *o) {
  axl_check_opts_default(o);
  if (lua_isnoneornil(L, opts)) {
    axl_lua_pushschema_of(L, msg);
    if (!lua_isnil(L, -1)) schema_limits(axl_lua_checkschema(L, -1), o);
    lua_pop(L, 1);
    return;
  }
  luaL_checktype(L, opts, LUA_TTABLE);
  if (lua_getfield(L, opts, "mode") != LUA_TNIL) {
    const char *mode = lua_tostring(L, -1);
    if (!mode || (strcmp(mode, "send") && strcmp(mode, "receive")))
      luaL_error(L, "bad option 'mode' (\"send\" or \"receive\" expected)");
    o->receive = strcmp(mode, "receive") == 0;
  }
  lua_pop(L, 1);
  if (lua_getfield(L, opts, "limits") != LUA_TNIL) {
    luaL_checktype(L, -1, LUA_TTABLE);
    read_occurs(L, lua_gettop(L), "ExterneIdentificatie", &o->externe);
    read_occurs(L, lua_gettop(L), "Dataleverancier", &o->dataleverancier);
  }
  lua_pop(L, 1);
  if (lua_getfield(L, opts, "schema") == LUA_TNIL) {
    lua_pop(L, 1);
    axl_lua_pushschema_of(L, msg);
  }
  if (!lua_isnil(L, -1)) schema_limits(axl_lua_checkschema(L, -1), o);
  lua_pop(L, 1);
}

int axl_lua_check(lua_State *L) {
  axl_message *m = axl_lua_checkmsg(L, 1);
  axl_check_opts o;
  axl_report *r;
  axl_error err;
  axl_lua_check_opts(L, 1, 2, &o);
  r = axl_lua_newreport(L);
  if (axl_check(m, &o, r, &err) != 0)
    return luaL_error(L, "%s %s", err.code, err.message);
  axl_lua_push_report(L, r);
  return 1;
}
