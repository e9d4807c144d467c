/* Memory failure in Lua: a lua_State whose allocator fails the Nth
** allocation, swept over every N for parse, totable, fromtable, serialize,
** link and check through the binding. Each must raise a Lua memory error or
** succeed: never crash, never leak (valgrind and LSan run this in make
** test), and the objects made before stay usable. */
#include "support.h"

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

int luaopen_axlink_core(lua_State *L);

static long countdown = -1;
static int failed;

static void *failing_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  (void)ud; (void)osize;
  if (nsize == 0) {
    free(ptr);
    return NULL;
  }
  /* From the Nth allocation on, every growing or new block fails: Lua
  ** retries a failed allocation after a full collection, so a single
  ** failure would be absorbed. Shrinking never fails (Lua relies on it). */
  if ((failed || (countdown >= 0 && countdown-- == 0)) &&
      (ptr == NULL || nsize > osize)) {
    failed = 1;
    return NULL;
  }
  return realloc(ptr, nsize);
}

static const char *const SMALL_AX =
  "<OfferteAanvraag><Hypotheekgever Volgnummer=\"3\"><RefPartijNAWData IDREF=\"NA01\"/>"
  "<Identificatie><LegitimatieNr>X1</LegitimatieNr></Identificatie></Hypotheekgever>"
  "<PartijNAWData Volgnummer=\"1\" ID=\"NA01\"><SoortPartij>01 natuurlijk persoon</SoortPartij>"
  "<GeboorteAchternaam>Berg</GeboorteAchternaam><VoorLetters>T</VoorLetters>"
  "<GeboorteDt>1957-11-08</GeboorteDt></PartijNAWData></OfferteAanvraag>";

/* The operation under test, as a Lua chunk on the prepared globals. */
static const char *const OP =
  "local m = assert(core.parse(SRC))\n"
  "local t = m:totable()\n"
  "t.Hypotheekgever[1].Extra = 'x'\n"
  "local b = assert(core.fromtable(t))\n"
  "assert(#b:serialize() > 0)\n"
  "assert(m:link({ id = 'k', persons = { { id = 'p', birth_date = '1957-11-08', initials = 'T', surname = 'Berg' } } }))\n"
  "assert(m:check().ok)\n"
  "assert(#m:links() == 1)\n";

static void every_allocation_may_fail(void **state) {
  lua_State *L = lua_newstate(failing_alloc, NULL);
  long n, errors = 0;
  (void)state;
  assert_non_null(L);
  luaL_openlibs(L);
  luaL_requiref(L, "axlink.core", luaopen_axlink_core, 0);
  lua_setglobal(L, "core");
  lua_pushstring(L, SMALL_AX);
  lua_setglobal(L, "SRC");
  /* A message made before the sweep, to use afterwards. */
  assert_int_equal(luaL_dostring(L, "KEEP = assert(core.parse(SRC)); KEEP_BYTES = KEEP:serialize()"), 0);
  assert_int_equal(luaL_loadstring(L, OP), 0);
  lua_setglobal(L, "OP");
  for (n = 0; n < 100000; n++) {
    int rc, hit;
    lua_getglobal(L, "OP");
    failed = 0;
    countdown = n;
    rc = lua_pcall(L, 0, 0, 0);
    hit = failed;
    countdown = -1;
    failed = 0;                       /* allocations work again from here */
    if (rc != LUA_OK) {
      /* Only ever because of the failure (a half-built metatable once
      ** made a later call fail on its own). */
      if (!hit) fail_msg("n=%ld: %s", n, lua_tostring(L, -1));
      errors++;
      lua_pop(L, 1);
    }
    lua_gc(L, LUA_GCCOLLECT, 0);
    if (!hit) {
      assert_int_equal(rc, LUA_OK);
      break;
    }
  }
  /* Most of the work allocates in C (libxml2, swept in test_oom): Lua's own
  ** share of this operation is some ninety allocations. */
  assert_true(n > 50);
  assert_int_equal(errors, n);   /* every armed failure surfaced as an error */
  /* The earlier message still works and is unchanged. */
  assert_int_equal(luaL_dostring(L, "assert(KEEP:serialize() == KEEP_BYTES)"), 0);
  lua_close(L);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(every_allocation_may_fail),
  };
  return cmocka_run_group_tests_name("lua_oom", tests, NULL, NULL);
}
