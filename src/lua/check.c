/*
** msg:check(opts): the ketenafspraak rules through Lua. Limits come from
** opts.limits (numbers or {min=, max=}, partial allowed), else opts.schema,
** else the schema the message remembers, else the defaults.
*/
#include "binding.h"

#include <math.h>
#include <string.h>

/* Reads one limit (a number or {min=, max=}) into o when present; *set
** tells the core that it is given (a max of 0 is a real limit). */
static void read_occurs(lua_State *L, int limits, const char *field,
                        axl_occurs *o, int *set) {
  int t = lua_getfield(L, limits, field);
  if (t == LUA_TNUMBER) {
    o->max = lua_tonumber(L, -1);
    o->min = 0;
    *set = 1;
  } else if (t == LUA_TTABLE) {
    if (lua_getfield(L, -1, "max") == LUA_TNUMBER) {
      o->max = lua_tonumber(L, -1);
      *set = 1;
    } else if (!lua_isnil(L, -1)) {
      luaL_error(L, "bad limit '%s.max' (number expected)", field);
    }
    lua_pop(L, 1);
    if (lua_getfield(L, -1, "min") == LUA_TNUMBER) o->min = lua_tonumber(L, -1);
    lua_pop(L, 1);
  } else if (t != LUA_TNIL) {
    luaL_error(L, "bad limit '%s' (number or table expected)", field);
  }
  lua_pop(L, 1);
  if (*set && (isnan(o->max) || o->max < 0 || o->max != floor(o->max)))
    luaL_error(L, "bad limit '%s' (a whole number >= 0 or math.huge)", field);
}

/* The schema whose limits fill in those not given: opts.schema, else the
** message's. It stays referenced (by opts or the message) through the
** call, so the borrowed pointer is safe. */
static void schema_limits(lua_State *L, int msg, int opts, axl_check_opts *o) {
  int given = !lua_isnoneornil(L, opts);
  if (!given || lua_getfield(L, opts, "schema") == LUA_TNIL) {
    if (given) lua_pop(L, 1);
    axl_lua_pushschema_of(L, msg);
  }
  if (!lua_isnil(L, -1)) o->schema = axl_lua_checkschema(L, -1);
  lua_pop(L, 1);
}

void axl_lua_check_opts(lua_State *L, int msg, int opts, axl_check_opts *o) {
  memset(o, 0, sizeof *o);   /* zero is the defaults */
  if (!lua_isnoneornil(L, opts)) {
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
      read_occurs(L, lua_gettop(L), "ExterneIdentificatie", &o->externe,
                  &o->externe_set);
      read_occurs(L, lua_gettop(L), "Dataleverancier", &o->dataleverancier,
                  &o->dataleverancier_set);
    }
    lua_pop(L, 1);
  }
  schema_limits(L, msg, opts, o);
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
