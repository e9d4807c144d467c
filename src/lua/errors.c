/*
** The binding's one shape of refusal: nil, "NAME:LINE: AXL-CODE text",
** { code =, line =, path =, ... } (DESIGN 3), from a core error or from a
** refusal the binding finds itself. Never a value from the data: the core's
** texts are fixed, and the name is the caller's own.
*/
#include "binding.h"

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
