/*
** C resources owned by Lua userdata: the metatables that release them
** (__gc and __close alike), and a to-be-closed box for memory the core hands
** out, so that a Lua error raised while it is being pushed frees it.
*/
#include "binding.h"

/* A buffer owned by a to-be-closed userdata, so an error frees it. */
typedef struct outbuf { void *p; } outbuf;

static int outbuf_free(lua_State *L) {
  outbuf *b = lua_touserdata(L, 1);
  if (b->p) {
    axl_free(b->p);
    b->p = NULL;
  }
  return 0;
}

void **axl_lua_box(lua_State *L) {
  outbuf *b = lua_newuserdatauv(L, sizeof *b, 0);
  b->p = NULL;
  luaL_setmetatable(L, "axlink.outbuf");
  lua_toclose(L, -1);
  return &b->p;
}

/*
** Creates (or completes) the metatable of a C-owned resource type with the
** same function as __gc and __close. Called only while the module opens:
** a metatable made lazily inside a call could be left half-built by a
** memory error and then be found, without __close, by the next call.
*/
void axl_lua_resource_type(lua_State *L, const char *name,
                           lua_CFunction release) {
  luaL_newmetatable(L, name);
  lua_pushcfunction(L, release);
  lua_setfield(L, -2, "__gc");
  lua_pushcfunction(L, release);
  lua_setfield(L, -2, "__close");
  lua_pop(L, 1);
}

void axl_lua_open_resources(lua_State *L) {
  axl_lua_resource_type(L, "axlink.outbuf", outbuf_free);
}
