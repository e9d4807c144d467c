/*
** axlink.schema: lender schemas as userdata, msg:validate, and the pushing
** of reports (check, validate, conformance share one table shape).
*/
#include "binding.h"

#include <math.h>
#include <string.h>

typedef struct lschema {
  axl_schema *s;
} lschema;

static const char *const severity_names[] = {"info", "warning", "error"};

void axl_lua_push_problems(lua_State *L, const axl_report *r) {
  lua_createtable(L, (int)r->count, 0);
  for (size_t i = 0; i < r->count; i++) {
    const axl_problem *p = &r->items[i];
    lua_createtable(L, 0, 6);
    lua_pushstring(L, p->code);
    lua_setfield(L, -2, "code");
    lua_pushstring(L, severity_names[p->severity]);
    lua_setfield(L, -2, "severity");
    if (p->path[0]) {
      lua_pushstring(L, p->path);
      lua_setfield(L, -2, "path");
    }
    if (p->file[0]) {
      lua_pushstring(L, p->file);
      lua_setfield(L, -2, "file");
    }
    if (p->line > 0) {
      lua_pushinteger(L, p->line);
      lua_setfield(L, -2, "line");
    }
    lua_pushstring(L, p->message);
    lua_setfield(L, -2, "message");
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
}

void axl_lua_push_report(lua_State *L, const axl_report *r) {
  lua_createtable(L, 0, 2);
  lua_pushboolean(L, axl_report_ok(r));
  lua_setfield(L, -2, "ok");
  axl_lua_push_problems(L, r);
  lua_setfield(L, -2, "problems");
}

/* A report owned by a to-be-closed userdata, so a Lua error frees it. */
axl_report *axl_lua_newreport(lua_State *L) {
  axl_report *r = lua_newuserdatauv(L, sizeof *r, 0);
  axl_report_init(r);
  luaL_setmetatable(L, "axlink.report");
  lua_toclose(L, -1);
  return r;
}

int axl_lua_report_gc(lua_State *L) {
  axl_report_free(lua_touserdata(L, 1));
  return 0;
}

static lschema *check_lschema(lua_State *L, int idx) {
  return luaL_checkudata(L, idx, AXL_SCHEMA_MT);
}

const axl_schema *axl_lua_checkschema(lua_State *L, int idx) {
  lschema *u = check_lschema(L, idx);
  if (!u->s) luaL_error(L, "schema is closed");
  return u->s;
}

const axl_schema *axl_lua_toschema(lua_State *L, int idx) {
  return check_lschema(L, idx)->s;
}

static lschema *new_lschema(lua_State *L) {
  lschema *u = lua_newuserdatauv(L, sizeof *u, 0);
  u->s = NULL;
  luaL_setmetatable(L, AXL_SCHEMA_MT);
  return u;
}

static int schema_gc(lua_State *L) {
  lschema *u = check_lschema(L, 1);
  axl_schema_free(u->s);
  u->s = NULL;
  return 0;
}

static int l_schema_load(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  const char *base = strrchr(path, '/');
  lschema *u = new_lschema(L);
  axl_error err;
  u->s = axl_schema_load(path, &err);
  if (!u->s) return axl_lua_fail(L, base ? base + 1 : path, &err);
  return 1;
}

static int l_schema_parse(lua_State *L) {
  size_t len;
  const char *xsd = luaL_checklstring(L, 1, &len);
  const char *base = NULL;
  lschema *u;
  axl_error err;
  if (!lua_isnoneornil(L, 2)) {
    luaL_checktype(L, 2, LUA_TTABLE);
    if (lua_getfield(L, 2, "base") != LUA_TNIL) {
      luaL_argexpected(L, lua_type(L, -1) == LUA_TSTRING, 2,
                       "string opts.base");
      base = lua_tostring(L, -1);
    }
  }
  u = new_lschema(L);
  u->s = axl_schema_parse(xsd, len, base, &err);
  if (!u->s) return axl_lua_fail(L, "schema", &err);
  return 1;
}

static void push_occurs(lua_State *L, axl_occurs o) {
  lua_createtable(L, 0, 2);
  lua_pushnumber(L, o.min);
  if (lua_isinteger(L, -1) || floor(o.min) == o.min) {
    lua_pop(L, 1);
    lua_pushinteger(L, (lua_Integer)o.min);
  }
  lua_setfield(L, -2, "min");
  if (isinf(o.max)) lua_pushnumber(L, HUGE_VAL);
  else lua_pushinteger(L, (lua_Integer)o.max);
  lua_setfield(L, -2, "max");
}

static int s_limits(lua_State *L) {
  const axl_schema_limits *lim =
      axl_schema_get_limits(axl_lua_checkschema(L, 1));
  lua_createtable(L, 0, 3);
  if (!lim->externe_undecided) {   /* an undecided limit is absent */
    push_occurs(L, lim->externe);
    lua_setfield(L, -2, "ExterneIdentificatie");
  }
  if (!lim->dataleverancier_undecided) {
    push_occurs(L, lim->dataleverancier);
    lua_setfield(L, -2, "Dataleverancier");
  }
  if (lim->unsupported) {
    lua_pushboolean(L, 1);
    lua_setfield(L, -2, "unsupported");
  }
  return 1;
}

static int s_conformance(lua_State *L) {
  const axl_schema *s = axl_lua_checkschema(L, 1);
  axl_report *r = axl_lua_newreport(L);
  if (axl_schema_conformance(s, r) != 0)
    return luaL_error(L, "not enough memory");
  axl_lua_push_report(L, r);
  return 1;
}

static int s_tostring(lua_State *L) {
  lschema *u = check_lschema(L, 1);
  lua_pushstring(L, u->s ? "axlink.Schema" : "axlink.Schema (closed)");
  return 1;
}

/* msg:validate(schema) -> true, {} | false, problems */
int axl_lua_validate(lua_State *L) {
  axl_message *m = axl_lua_checkmsg(L, 1);
  const axl_schema *s = axl_lua_checkschema(L, 2);
  axl_report *r = axl_lua_newreport(L);
  axl_error err;
  int rc = axl_validate(s, m, r, &err);
  if (rc < 0) return luaL_error(L, "%s %s", err.code, err.message);
  axl_report_sort(r);
  lua_pushboolean(L, rc == 1);
  axl_lua_push_problems(L, r);
  return 2;
}

static const luaL_Reg schema_methods[] = {
  {"limits", s_limits},
  {"conformance", s_conformance},
  {"close", schema_gc},
  {NULL, NULL}
};

static const luaL_Reg schema_funcs[] = {
  {"load", l_schema_load},
  {"parse", l_schema_parse},
  {NULL, NULL}
};

void axl_lua_open_schema(lua_State *L) {
  luaL_newmetatable(L, AXL_SCHEMA_MT);
  lua_pushcfunction(L, schema_gc);
  lua_setfield(L, -2, "__gc");
  lua_pushcfunction(L, schema_gc);
  lua_setfield(L, -2, "__close");
  lua_pushcfunction(L, s_tostring);
  lua_setfield(L, -2, "__tostring");
  luaL_newlib(L, schema_methods);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
  luaL_newlib(L, schema_funcs);   /* left on the stack for the module */
}

void axl_lua_open_report(lua_State *L) {
  axl_lua_resource_type(L, "axlink.report", axl_lua_report_gc);
}
