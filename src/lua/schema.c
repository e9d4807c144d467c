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

#define AXL_REPORT_MT "axlink.Report"

/* One string field of the table on top, or NULL. */
static const char *field_string(lua_State *L, const char *name) {
  const char *s;
  lua_getfield(L, -1, name);
  s = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
  lua_pop(L, 1);   /* still referenced by the table */
  return s;
}

/*
** tostring(report): one line per problem ("error AXL-R01 /Path:12 text"),
** then "ok" or "errors" with the counts. Read from the table as it is now,
** so a report the caller filtered prints what it holds. Problems carry no
** data values, so neither does this.
*/
static int report_tostring(lua_State *L) {
  luaL_Buffer b;
  lua_Integer n, counts[3] = { 0, 0, 0 };
  int ok;
  luaL_checktype(L, 1, LUA_TTABLE);
  ok = lua_getfield(L, 1, "ok") == LUA_TBOOLEAN && lua_toboolean(L, -1);
  lua_pop(L, 1);
  lua_getfield(L, 1, "problems");                      /* 2: problems */
  n = lua_istable(L, 2) ? (lua_Integer)lua_rawlen(L, 2) : 0;
  luaL_buffinit(L, &b);
  for (lua_Integer i = 1; i <= n; i++) {
    const char *sev, *code, *path, *file, *msg;
    lua_Integer line;
    if (lua_rawgeti(L, 2, i) != LUA_TTABLE) {
      lua_pop(L, 1);
      continue;
    }
    sev = field_string(L, "severity");
    code = field_string(L, "code");
    path = field_string(L, "path");
    file = field_string(L, "file");
    msg = field_string(L, "message");
    lua_getfield(L, -1, "line");
    line = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
    lua_pop(L, 1);
    for (int k = 0; k < 3; k++)
      if (sev && !strcmp(sev, severity_names[k])) counts[k]++;
    /* The strings stay referenced by the problem table while it is on the
    ** stack; the buffer may sit above it. */
    lua_pushfstring(L, "%s %s %s", sev ? sev : "?", code ? code : "?",
                    file ? file : path ? path : "-");
    if (line > 0) lua_pushfstring(L, ":%I", line);
    else lua_pushliteral(L, "");
    if (file && path) lua_pushfstring(L, " %s", path);
    else lua_pushliteral(L, "");
    lua_pushfstring(L, " %s\n", msg ? msg : "");
    lua_concat(L, 4);
    lua_remove(L, -2);                                 /* the problem */
    luaL_addvalue(&b);
  }
  lua_pushfstring(L, "%s: %I error%s, %I warning%s, %I info",
                  ok ? "ok" : "errors", counts[2], counts[2] == 1 ? "" : "s",
                  counts[1], counts[1] == 1 ? "" : "s", counts[0]);
  luaL_addvalue(&b);
  luaL_pushresult(&b);
  return 1;
}

/* The report stays a plain table: only its metatable knows __tostring. */
void axl_lua_push_report(lua_State *L, const axl_report *r) {
  lua_createtable(L, 0, 2);
  lua_pushboolean(L, axl_report_ok(r));
  lua_setfield(L, -2, "ok");
  axl_lua_push_problems(L, r);
  lua_setfield(L, -2, "problems");
  luaL_setmetatable(L, AXL_REPORT_MT);
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

/* nil, message, info; a schema that does not compile adds info.problems,
** one per libxml2 error, with the XSD's file and line. */
static int fail_compile(lua_State *L, const char *name, const axl_error *err,
                        const axl_report *problems) {
  axl_lua_fail(L, name, err);
  if (problems->count) {
    axl_lua_push_problems(L, problems);
    lua_setfield(L, -2, "problems");
  }
  return 3;
}

static int l_schema_load(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  const char *base = strrchr(path, '/');
  lschema *u = new_lschema(L);
  axl_report *problems = axl_lua_newreport(L);
  axl_error err;
  u->s = axl_schema_load_diag(path, problems, &err);
  if (!u->s) return fail_compile(L, base ? base + 1 : path, &err, problems);
  lua_pop(L, 1);   /* the report box; closed on return */
  return 1;
}

static int l_schema_parse(lua_State *L) {
  size_t len;
  const char *xsd = luaL_checklstring(L, 1, &len);
  const char *base = NULL;
  lschema *u;
  axl_report *problems;
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
  problems = axl_lua_newreport(L);
  u->s = axl_schema_parse_diag(xsd, len, base, problems, &err);
  if (!u->s) return fail_compile(L, "schema", &err, problems);
  lua_pop(L, 1);   /* the report box; closed on return */
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
  luaL_newmetatable(L, AXL_REPORT_MT);
  lua_pushcfunction(L, report_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pop(L, 1);
}
