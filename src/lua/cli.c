/*
** What the command line needs from C: an atomic write of any bytes (the
** provenance sidecar goes the same way as the message), signals, and
** questions about files and terminals (-o onto an input, colour).
**
** Stock lua5.4 turns SIGINT into an "interrupted!" error but leaves SIGTERM
** to kill the process, and a Lua error can be swallowed by any pcall on the
** way up. So the CLI takes both signals here: the handler records which
** one came and, as lua.c does, sets a hook that raises an error at the next
** Lua instruction; the CLI asks `_caught()` before it writes anything and
** when its own pcall returns, so an interruption is never mistaken for
** something else, and exits 130 or 143 after removing what it staged.
*/
#include "binding.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static volatile sig_atomic_t caught, deferred;
static lua_State *main_state;

static void stop_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  lua_sethook(L, NULL, 0, 0);
  luaL_error(L, "interrupted by signal %d", (int)caught);
}

/* Async-signal context: only the flag and lua_sethook, which Lua documents
** as safe to call from a signal handler (lua.c does the same). */
static void on_signal(int sig) {
  caught = sig;
  if (main_state && !deferred)
    lua_sethook(main_state, stop_hook,
                LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

/*
** core._defer_signals(on): while on, a signal is only recorded, never
** raised. The CLI writes an output and records that it did inside such a
** section (a hook raised on the write's return would hide a write that
** happened), and defers for good once its command has returned, so that a
** late signal cannot escape its reporting. Turning it off with a signal
** recorded raises at the next instruction.
*/
static int l_defer_signals(lua_State *L) {
  deferred = lua_toboolean(L, 1);
  if (!deferred && caught && main_state)
    lua_sethook(main_state, stop_hook,
                LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
  return 0;
}

/*
** core._catch_signals(): from now on SIGINT and SIGTERM interrupt the Lua
** code of this state's main thread. For the CLI only: a host keeps its own
** signal handling.
*/
static int l_catch_signals(lua_State *L) {
  struct sigaction sa;
  lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
  main_state = lua_tothread(L, -1);
  lua_pop(L, 1);
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  return 0;
}

/* core._caught(): "SIGINT", "SIGTERM" or nil. */
static int l_caught(lua_State *L) {
  int sig = caught;
  if (sig == SIGINT) lua_pushliteral(L, "SIGINT");
  else if (sig == SIGTERM) lua_pushliteral(L, "SIGTERM");
  else lua_pushnil(L);
  return 1;
}

/* core._write_file(path, bytes): atomic, as msg:write; true or nil, msg. */
static int l_write_file(lua_State *L) {
  size_t len;
  const char *path = luaL_checkstring(L, 1);
  const char *bytes = luaL_checklstring(L, 2, &len);
  axl_error err;
  if (axl_write_file(path, bytes, len, &err) != 0) {
    luaL_pushfail(L);
    lua_pushfstring(L, "%s: %s %s", path, err.code, err.message);
    return 2;
  }
  lua_pushboolean(L, 1);
  return 1;
}

/* ====================================================================
** Files and terminals
** ==================================================================== */

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

static const luaL_Reg cli_functions[] = {
  {"_catch_signals", l_catch_signals},
  {"_caught", l_caught},
  {"_defer_signals", l_defer_signals},
  {"_write_file", l_write_file},
  {"_isatty", l_isatty},
  {"_same_file", l_same_file},
  {"_regular_file", l_regular_file},
  {NULL, NULL}
};

/* Adds the CLI's functions to the module table on top of the stack. */
void axl_lua_open_cli(lua_State *L) {
  luaL_setfuncs(L, cli_functions, 0);
}
