/*
** tables_fuzz: the table conversion through the Lua binding.
**
** A Lua 5.4 state with the standard libraries; the C module is linked into
** this binary (src/lua and src/core, instrumented) and registered as
** package.loaded["axlink.core"] by calling luaopen_axlink_core directly.
** One state is reused (collectgarbage after each input) and replaced every
** RENEW inputs, so what a run leaves behind cannot pile up.
**
** Per input, the Lua driver below:
** - core.parse(input): refused => nil, a string, an info table whose code
**   is AXL-P..;
** - accepted => t = msg:totable(); core.fromtable(t, {root = msg:root()})
**   gives a message that serialises to msg:serialize()'s bytes;
** - then edits t deterministically from the input's bytes (deletes a key,
**   adds a string field, appends an array item, sometimes all three) and
**   calls core.fromtable again, in pcall: it must return a message or
**   nil, message, info (info.code AXL-..), never raise anything but a
**   memory error; a message it returns must serialise to XML that
**   core.parse accepts and that serialises to the same bytes again.
** The driver returns a string for a property violation (C aborts) and nil
** otherwise; a Lua error outside the pcall is a violation too.
*/
#include "common.h"

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

int luaopen_axlink_core(lua_State *L);

#define RENEW 1000

static const char driver[] =
  "local core, input = ...\n"
  "local function head(s) return 'violation: ' .. s end\n"
  "local function note(s)\n"
  "  if FUZZ_DEBUG then io.stderr:write('tables: ', s, '\\n') end\n"
  "end\n"
  "local msg, err, info = core.parse(input)\n"
  "if not msg then\n"
  "  if type(err) ~= 'string' or type(info) ~= 'table' or\n"
  "     type(info.code) ~= 'string' or info.code:sub(1, 5) ~= 'AXL-P' then\n"
  "    return head('parse refusal is not nil, string, {code = AXL-P..}')\n"
  "  end\n"
  "  note('parse refused ' .. info.code)\n"
  "  return nil\n"
  "end\n"
  "local root = msg:root()\n"
  "local s1 = assert(msg:serialize())\n"
  "local t = msg:totable()\n"
  "local m2, e2, i2 = core.fromtable(t, { root = root })\n"
  "if not m2 then\n"
  "  return head('fromtable refused totable\\'s own table: ' ..\n"
  "              tostring(i2 and i2.code) .. ' ' .. tostring(i2 and i2.path))\n"
  "end\n"
  "if m2:serialize() ~= s1 then\n"
  "  return head('fromtable(totable(m)) serialises differently:\\n' .. s1 ..\n"
  "              '\\n---\\n' .. m2:serialize())\n"
  "end\n"
  "m2:close()\n"
  /* A small deterministic generator seeded from the input. */
  "local seed = #input\n"
  "for i = 1, math.min(#input, 256) do\n"
  "  seed = (seed * 31 + input:byte(i)) % 2147483647\n"
  "end\n"
  "local function rnd(n)\n"
  "  seed = (seed * 1103515245 + 12345) % 2147483648\n"
  "  return seed % n + 1\n"
  "end\n"
  "local tables, arrays = {}, {}\n"
  "local function walk(x, depth)\n"
  "  if #tables > 300 or depth > 40 then return end\n"
  "  tables[#tables + 1] = x\n"
  "  local keys, n = {}, 0\n"
  "  for k, v in pairs(x) do\n"
  "    n = n + 1\n"
  "    if type(v) == 'table' then keys[#keys + 1] = k end\n"
  "  end\n"
  "  if n > 0 and n == rawlen(x) then arrays[#arrays + 1] = x end\n"
  "  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)\n"
  "  for _, k in ipairs(keys) do walk(x[k], depth + 1) end\n"
  "end\n"
  "walk(t, 0)\n"
  "local names = { 'TelefoonNrWerk', 'Volgnummer', 'ID', 'IDREF', 'X',\n"
  "  'Hypotheekgever', 'PartijNAWData', 'Dataleverancier', 'PersoonsID',\n"
  "  'ExterneIdentificatie', 'Identificatie', 'GeboorteDt', 'a b',\n"
  "  'xsi:nil', '1a', '', 'xml', 'RefPartijNAWData' }\n"
  "local function piece()\n"
  "  local i = rnd(#input + 1) - 1\n"
  "  return input:sub(i + 1, i + rnd(24) - 1)\n"
  "end\n"
  "local function sorted_keys(x)\n"
  "  local keys = {}\n"
  "  for k in pairs(x) do keys[#keys + 1] = k end\n"
  "  table.sort(keys, function(a, b)\n"
  "    if type(a) ~= type(b) then return type(a) < type(b) end\n"
  "    return a < b\n"
  "  end)\n"
  "  return keys\n"
  "end\n"
  "local what = rnd(8)\n"
  "if what & 1 ~= 0 then\n"                        /* delete a key */
  "  local x = tables[rnd(#tables)]\n"
  "  local keys = sorted_keys(x)\n"
  "  if #keys > 0 then x[keys[rnd(#keys)]] = nil end\n"
  "end\n"
  "if what & 2 ~= 0 then\n"                        /* add a string field */
  "  local x = tables[rnd(#tables)]\n"
  "  local name = rnd(3) == 1 and piece() or names[rnd(#names)]\n"
  "  local v = rnd(2) == 1 and piece() or '0201234567'\n"
  "  if name ~= '' and rawlen(x) == 0 then x[name] = v end\n"
  "end\n"
  "if what & 4 ~= 0 and #arrays > 0 then\n"        /* append an item */
  "  local a = arrays[rnd(#arrays)]\n"
  "  local k = rnd(4)\n"
  "  if k == 1 then a[#a + 1] = a[1]\n"
  "  elseif k == 2 then a[#a + 1] = { Volgnummer = piece() }\n"
  "  elseif k == 3 then a[#a + 1] = piece()\n"
  "  elseif type(a[1]) ~= 'table' then a[#a + 1] = piece()\n"
  "  else\n"
  "    local c = {}\n"
  "    for _, key in ipairs(sorted_keys(a[1])) do c[key] = a[1][key] end\n"
  "    a[#a + 1] = c\n"
  "  end\n"
  "end\n"
  "local ok, m3, e3, i3 = pcall(core.fromtable, t, { root = root })\n"
  "if not ok then\n"
  "  if tostring(m3):find('not enough memory', 1, true) then return nil end\n"
  "  return head('fromtable raised: ' .. tostring(m3))\n"
  "end\n"
  "if not m3 then\n"
  "  if type(e3) ~= 'string' or type(i3) ~= 'table' or\n"
  "     type(i3.code) ~= 'string' or i3.code:sub(1, 4) ~= 'AXL-' then\n"
  "    return head('fromtable refusal is not nil, string, {code = AXL-..}')\n"
  "  end\n"
  "  note('edit ' .. what .. ' refused ' .. i3.code)\n"
  "  return nil\n"
  "end\n"
  "local out = m3:serialize()\n"
  "local m4, e4 = core.parse(out)\n"
  "if not m4 then\n"
  "  return head('fromtable output does not re-parse: ' .. tostring(e4) ..\n"
  "              '\\n' .. out)\n"
  "end\n"
  "if m4:serialize() ~= out then\n"
  "  return head('fromtable output is not stable:\\n' .. out ..\n"
  "              '\\n---\\n' ..\n"
  "              m4:serialize())\n"
  "end\n"
  "note('edit ' .. what .. ' accepted')\n"
  "m3:close()\n"
  "m4:close()\n"
  "msg:close()\n"
  "return nil\n";

static lua_State *L;
static int driver_ref = LUA_NOREF;
static unsigned long runs;

static void open_state(void) {
  L = luaL_newstate();
  if (!L) {
    fprintf(stderr, "tables_fuzz: no Lua state\n");
    exit(2);
  }
  luaL_openlibs(L);
  /* Only the C module is needed, but a driver that requires the Lua API
  ** finds it the way `make test` does. */
  if (luaL_dostring(L, "package.path = 'lua/?.lua;lua/?/init.lua'") !=
      LUA_OK) {
    fprintf(stderr, "tables_fuzz: %s\n", lua_tostring(L, -1));
    exit(2);
  }
  if (getenv("FUZZ_DEBUG")) {  /* the driver notes how each input ends */
    lua_pushboolean(L, 1);
    lua_setglobal(L, "FUZZ_DEBUG");
  }
  luaL_requiref(L, "axlink.core", luaopen_axlink_core, 0);
  lua_pop(L, 1);
  if (luaL_loadbuffer(L, driver, sizeof driver - 1, "=driver") != LUA_OK) {
    fprintf(stderr, "tables_fuzz: driver: %s\n", lua_tostring(L, -1));
    exit(2);
  }
  driver_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc; (void)argv;
  open_state();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int rc;
  if (++runs % RENEW == 0) {
    lua_close(L);
    open_state();
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, driver_ref);
  lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  lua_getfield(L, -1, "axlink.core");
  lua_remove(L, -2);
  lua_pushlstring(L, (const char *)data, size);
  rc = lua_pcall(L, 2, 1, 0);
  if (rc != LUA_OK) {
    const char *e = lua_tostring(L, -1);
    if (rc == LUA_ERRMEM || (e && strstr(e, "not enough memory"))) {
      lua_pop(L, 1);
    } else {
      fprintf(stderr, "\ntables_fuzz: the driver raised: %s\n",
              e ? e : "(no message)");
      FUZZ_REQUIRE(0, "no Lua error outside fromtable's pcall");
    }
  } else {
    if (lua_type(L, -1) == LUA_TSTRING) {
      fprintf(stderr, "\ntables_fuzz: %s\n", lua_tostring(L, -1));
      FUZZ_REQUIRE(0, "the table round trip holds");
    }
    lua_pop(L, 1);
  }
  lua_gc(L, LUA_GCCOLLECT);
  return 0;
}
