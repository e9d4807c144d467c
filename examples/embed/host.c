/*
** host.c: a C program that embeds Lua 5.4 and runs an axlink mapping script.
**
**   host [-r ROOT] SCRIPT.lua [ARG...]
**
** ROOT is the axlink checkout (or install prefix laid out the same way): the
** Lua modules are found in ROOT/lua and the C module in ROOT/build, i.e.
**   package.path  = "ROOT/lua/?.lua;ROOT/lua/?/init.lua;" .. default
**   package.cpath = "ROOT/build/?.so;" .. default
** ROOT comes from -r, else the environment variable AXLINK_ROOT, else ".".
** The defaults stay behind them, so system modules such as lua-cjson (which
** the JSON CDL formats need) are still found.
**
** The script gets its arguments as the global `arg` table (arg[0] is the
** script, as with the lua5.4 command) and as `...`. Its return values are
** printed on one line ("host: returned: 0, ..."); the first, when it is an
** integer 0, 1 or 2, is the exit status (the CLI's: 0 all well, 1 rule
** errors, 2 bad input). A script that raises, or that returns no such
** status, gives exit status 2.
**
** The host owns the lua_State: everything axlink allocates belongs to a
** userdata in that state and is freed by lua_close. One lua_State per
** thread; axlink's process-wide libxml2 set-up is done once by the module
** itself (see the comment at the top of src/core/axlink.h).
**
** Build (from the repo root, after `make all`):
**   cc -std=c99 -Wall -Wextra -O2 examples/embed/host.c -o build/embed/host \
**     $(pkg-config --cflags --libs lua5.4)
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

static void usage(void) {
  fputs("usage: host [-r ROOT] SCRIPT.lua [ARG...]\n"
        "  ROOT: the axlink checkout (default $AXLINK_ROOT, else .)\n",
        stderr);
}

/* A message handler for lua_pcall: the error with a traceback. */
static int traceback(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (!msg) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
      return 1;
    msg = lua_pushfstring(L, "(error object is a %s value)",
                          luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

/* package[field] = ROOT/a;ROOT/b;... followed by its current value. */
static void prepend_path(lua_State *L, const char *field, const char *root,
                         const char *const *templates) {
  luaL_Buffer b;
  lua_getglobal(L, "package");
  luaL_buffinit(L, &b);
  for (const char *const *t = templates; *t; t++) {
    luaL_addstring(&b, root);
    luaL_addchar(&b, '/');
    luaL_addstring(&b, *t);
    luaL_addchar(&b, ';');
  }
  lua_getfield(L, -2, field);   /* the default, after ours */
  luaL_addvalue(&b);
  luaL_pushresult(&b);
  lua_setfield(L, -2, field);
  lua_pop(L, 1);
}

/* The protected part: everything that can raise runs inside lua_pcall. */
static int run(lua_State *L) {
  int argc = (int)lua_tointeger(L, 1);
  char **argv = lua_touserdata(L, 2);
  const char *root = lua_tostring(L, 3);
  int script = (int)lua_tointeger(L, 4);
  static const char *const lpath[] = { "lua/?.lua", "lua/?/init.lua", NULL };
  static const char *const cpath[] = { "build/?.so", NULL };
  int base, nres, status = 2;

  luaL_openlibs(L);
  prepend_path(L, "path", root, lpath);
  prepend_path(L, "cpath", root, cpath);

  /* arg = { [0] = script, [1] = first argument, ... } as lua5.4 makes it */
  lua_createtable(L, argc - script - 1, script + 1);
  for (int i = 0; i < argc; i++) {
    lua_pushstring(L, argv[i]);
    lua_rawseti(L, -2, i - script);
  }
  lua_setglobal(L, "arg");

  lua_pushcfunction(L, traceback);
  base = lua_gettop(L);
  if (luaL_loadfile(L, argv[script]) != LUA_OK) return lua_error(L);
  for (int i = script + 1; i < argc; i++) lua_pushstring(L, argv[i]);
  if (lua_pcall(L, argc - script - 1, LUA_MULTRET, base) != LUA_OK)
    return lua_error(L);

  nres = lua_gettop(L) - base;
  fputs("host: returned:", stdout);
  for (int i = 1; i <= nres; i++) {
    const char *s = luaL_tolstring(L, base + i, NULL);
    printf("%s %s", i > 1 ? "," : "", s);
    lua_pop(L, 1);
  }
  if (nres == 0) fputs(" nothing", stdout);
  fputc('\n', stdout);
  if (nres >= 1 && lua_isinteger(L, base + 1) &&
      lua_tointeger(L, base + 1) >= 0 && lua_tointeger(L, base + 1) <= 2)
    status = (int)lua_tointeger(L, base + 1);
  else
    fputs("host: the script returned no status 0, 1 or 2\n", stderr);
  lua_pushinteger(L, status);
  return 1;
}

int main(int argc, char **argv) {
  const char *root = getenv("AXLINK_ROOT");
  int script = 1, status;
  lua_State *L;

  if (argc >= 3 && strcmp(argv[1], "-r") == 0) {
    root = argv[2];
    script = 3;
  }
  if (!root || !*root) root = ".";
  if (script >= argc || argv[script][0] == '-') {
    usage();
    return 2;
  }

  L = luaL_newstate();
  if (!L) {
    fputs("host: cannot create a Lua state (out of memory)\n", stderr);
    return 2;
  }
  lua_pushcfunction(L, run);
  lua_pushinteger(L, argc);
  lua_pushlightuserdata(L, argv);
  lua_pushstring(L, root);
  lua_pushinteger(L, script);
  if (lua_pcall(L, 4, 1, 0) != LUA_OK) {
    fprintf(stderr, "host: %s\n", lua_tostring(L, -1));
    status = 2;
  } else {
    status = (int)lua_tointeger(L, -1);
  }
  lua_close(L);   /* frees every message, schema and table the script made */
  fflush(stdout);
  return status;
}
