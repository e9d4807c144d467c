/*
** msg:link(delivery, opts), msg:unlink{...}, msg:links(): linking through
** Lua (DESIGN 4). The delivery is checked here, field by field, before the
** C core sees it (AXL-C codes name the field, never its value).
*/
#include "binding.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Scratch arrays for one call, freed by a to-be-closed userdata. */
typedef struct scratch {
  axl_link_person *persons;
  axl_link_field *fields;
  axl_link_result res;
  int have_res;
} scratch;

static int scratch_free(lua_State *L) {
  scratch *s = lua_touserdata(L, 1);
  free(s->persons);
  free(s->fields);
  if (s->have_res) axl_link_result_free(&s->res);
  memset(s, 0, sizeof *s);
  return 0;
}

static scratch *new_scratch(lua_State *L) {
  scratch *s = lua_newuserdatauv(L, sizeof *s, 0);
  memset(s, 0, sizeof *s);
  luaL_setmetatable(L, "axlink.linkscratch");
  lua_toclose(L, -1);
  return s;
}

/* A string field of the table at t, or NULL; *bad set for another type. */
static const char *opt_string(lua_State *L, int t, const char *field,
                              int *bad) {
  size_t len = 0;
  int ty = lua_getfield(L, t, field);
  const char *s = ty == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
  if (ty != LUA_TSTRING && ty != LUA_TNIL) *bad = 1;
  /* The C core reads C strings: a NUL inside would cut the value short. */
  if (s && strlen(s) != len) {
    *bad = 1;
    s = NULL;
  }
  lua_pop(L, 1);  /* still referenced by the table */
  return s;
}

static int bad_delivery(lua_State *L, const char *code, const char *field,
                        long person) {
  char text[160];
  if (person > 0)
    snprintf(text, sizeof text, "delivery.persons[%ld].%s: wrong or missing",
             person, field);
  else
    snprintf(text, sizeof text, "delivery.%s: wrong or missing", field);
  return axl_lua_refuse(L, axl_lua_msgname(L, 1), code, "", text);
}

/* Reads the delivery (stack index d) into req and s->persons, refusing
** fields of the wrong type (which C cannot see). What the values must be
** (present, unique, ISO dates) axl_link checks, for C hosts alike.
** Returns 0, or the number of values pushed for a refusal. */
static int read_delivery(lua_State *L, int d, axl_link_request *req,
                         scratch *s) {
  int bad = 0;
  lua_Integer n;
  req->dataleverancier_id = opt_string(L, d, "id", &bad);
  if (bad) return bad_delivery(L, "AXL-C01", "id", 0);
  req->valid_until = opt_string(L, d, "valid_until", &bad);
  if (bad) return bad_delivery(L, "AXL-C01", "valid_until", 0);
  /* persons that is not a table counts as none: axl_link then refuses
  ** it (AXL-C02) after the id, in the order the Lua check has. */
  n = lua_getfield(L, d, "persons") == LUA_TTABLE
      ? (lua_Integer)lua_rawlen(L, -1) : 0;
  s->persons = calloc(n > 0 ? (size_t)n : 1, sizeof *s->persons);
  if (!s->persons) return luaL_error(L, "not enough memory");
  for (lua_Integer i = 1; i <= n; i++) {
    axl_link_person *p = &s->persons[i - 1];
    int pt;
    static const char *const fields[] = {"id", "birth_date", "initials",
                                         "surname", "prefix", "role", NULL};
    if (lua_rawgeti(L, -1, i) != LUA_TTABLE)
      return bad_delivery(L, "AXL-C03", "(person)", (long)i);
    pt = lua_gettop(L);
    for (int f = 0; fields[f]; f++) {
      const char *v = opt_string(L, pt, fields[f], &bad);
      if (bad) return bad_delivery(L, "AXL-C03", fields[f], (long)i);
      switch (f) {
      case 0: p->id = v; break;
      case 1: p->birth_date = v; break;
      case 2: p->initials = v; break;
      case 3: p->surname = v; break;
      case 4: p->prefix = v; break;
      default: break;
      }
    }
    lua_pop(L, 1);   /* the person table stays referenced by persons */
  }
  lua_pop(L, 1);
  req->persons = s->persons;
  req->n_persons = (size_t)n;
  return 0;
}

/* opts.match: { [person id or index] = Volgnummer | "PartijNAWData ID" |
** false }. */
static void read_match(lua_State *L, int opts, axl_link_request *req) {
  if (lua_getfield(L, opts, "match") == LUA_TNIL) {
    lua_pop(L, 1);
    return;
  }
  luaL_checktype(L, -1, LUA_TTABLE);
  for (size_t i = 0; i < req->n_persons; i++) {
    axl_link_person *p = (axl_link_person *)&req->persons[i];
    int ty = lua_rawgeti(L, -1, (lua_Integer)i + 1);
    if (ty == LUA_TNIL && p->id) {
      lua_pop(L, 1);
      ty = lua_getfield(L, -1, p->id);
    }
    if (ty == LUA_TBOOLEAN && !lua_toboolean(L, -1)) {
      p->match = AXL_MATCH_SKIP;
    } else if (ty == LUA_TNUMBER && lua_isinteger(L, -1)) {
      p->match = AXL_MATCH_VOLGNUMMER;
      p->volgnummer = (long)lua_tointeger(L, -1);
    } else if (ty == LUA_TSTRING) {
      p->match = AXL_MATCH_PARTIJ_ID;
      p->partij_id = lua_tostring(L, -1);   /* kept alive by opts.match */
    } else if (ty != LUA_TNIL) {
      luaL_error(L, "bad opts.match entry (Volgnummer, PartijNAWData ID or "
                 "false expected)");
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

static void read_fields(lua_State *L, int opts, axl_link_request *req,
                        scratch *s) {
  size_t n = 0;
  if (lua_getfield(L, opts, "fields") == LUA_TNIL) {
    lua_pop(L, 1);
    return;
  }
  luaL_checktype(L, -1, LUA_TTABLE);
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    n++;
    lua_pop(L, 1);
  }
  s->fields = calloc(n ? n : 1, sizeof *s->fields);
  if (!s->fields) luaL_error(L, "not enough memory");
  n = 0;
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING ||
        strlen(lua_tostring(L, -1)) != lua_rawlen(L, -1))
      luaL_error(L, "bad opts.fields (string names and values without NUL "
                 "bytes expected)");
    s->fields[n].name = lua_tostring(L, -2);
    s->fields[n].value = lua_tostring(L, -1);
    n++;
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  req->fields = s->fields;
  req->n_fields = n;
}

static int opt_bool(lua_State *L, int opts, const char *field) {
  int b;
  lua_getfield(L, opts, field);
  b = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return b;
}

static void push_grades(lua_State *L, const axl_link_result *res) {
  lua_createtable(L, (int)res->n_grades, 0);
  for (size_t i = 0; i < res->n_grades; i++) {
    lua_createtable(L, 0, 3);
    lua_pushinteger(L, (lua_Integer)res->grades[i].person + 1);
    lua_setfield(L, -2, "person");
    lua_pushinteger(L, res->grades[i].hypotheekgever);
    lua_setfield(L, -2, "hypotheekgever");
    lua_pushstring(L, axl_grade_name(res->grades[i].grade));
    lua_setfield(L, -2, "grade");
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
}

/* nil, message, info with what a refusal is about: the person, every
** grade of automatic matching, the problems of a limit or the schema. */
static int push_refusal(lua_State *L, const axl_error *err,
                        axl_link_result *res) {
  axl_lua_fail(L, axl_lua_msgname(L, 1), err);
  if (res->has_person) {
    lua_pushinteger(L, (lua_Integer)res->person + 1);
    lua_setfield(L, -2, "person");
  }
  if (res->n_grades) {
    push_grades(L, res);
    lua_setfield(L, -2, "grades");
  }
  if (res->problems.count) {
    axl_report_sort(&res->problems);
    axl_lua_push_problems(L, &res->problems);
    lua_setfield(L, -2, "problems");
  }
  return 3;
}

/* One person's entry: into links (at -3) or skipped (at -2). */
static void push_entry(lua_State *L, const axl_link_request *req, size_t i,
                       const axl_link_entry *en, int *links, int *skipped) {
  lua_createtable(L, 0, 6);
  lua_pushinteger(L, (lua_Integer)i + 1);
  lua_setfield(L, -2, "person");
  if (req->persons[i].id) {
    lua_pushstring(L, req->persons[i].id);
    lua_setfield(L, -2, "persoons_id");
  }
  if (en->status == AXL_LINK_SKIPPED) {
    lua_pushliteral(L, "not an applicant in this AX");
    lua_setfield(L, -2, "reason");
    lua_rawseti(L, -2, ++*skipped);
    return;
  }
  lua_pushinteger(L, en->hypotheekgever);
  lua_setfield(L, -2, "hypotheekgever");
  lua_pushstring(L, en->ref);
  lua_setfield(L, -2, "ref");
  lua_pushstring(L, axl_grade_name(en->grade));
  lua_setfield(L, -2, "grade");
  lua_pushboolean(L, en->created);
  lua_setfield(L, -2, "created");
  lua_rawseti(L, -3, ++*links);
}

/* DESIGN 4.2's result: { links, skipped, warnings }. */
static void push_result(lua_State *L, const axl_link_request *req,
                        const axl_link_result *res) {
  int links = 0, skipped = 0;
  lua_createtable(L, 0, 3);
  lua_newtable(L);   /* links */
  lua_newtable(L);   /* skipped */
  for (size_t i = 0; i < req->n_persons; i++)
    push_entry(L, req, i, &res->entries[i], &links, &skipped);
  lua_setfield(L, -3, "skipped");
  lua_setfield(L, -2, "links");
  lua_newtable(L);
  if (res->expired) {
    lua_createtable(L, 0, 2);
    lua_pushliteral(L, "AXL-L20");
    lua_setfield(L, -2, "code");
    lua_pushliteral(L, "the delivery's valid_until lies before today: "
                    "the lender may not get the data any more");
    lua_setfield(L, -2, "message");
    lua_rawseti(L, -2, 1);
  }
  lua_setfield(L, -2, "warnings");
}

int axl_lua_link(lua_State *L) {
  lmsg *u = luaL_checkudata(L, 1, AXL_MESSAGE_MT);
  axl_message *m = axl_lua_checkmsg(L, 1), *out;
  axl_link_request req;
  axl_error err;
  scratch *s;
  char today[16];
  int pushed, linked;
  luaL_checktype(L, 2, LUA_TTABLE);
  if (!lua_isnoneornil(L, 3)) luaL_checktype(L, 3, LUA_TTABLE);
  else {
    lua_settop(L, 2);
    lua_newtable(L);
  }
  memset(&req, 0, sizeof req);
  s = new_scratch(L);                                /* 4 */
  if ((pushed = read_delivery(L, 2, &req, s)) != 0) return pushed;
  read_match(L, 3, &req);
  read_fields(L, 3, &req, s);
  req.force = opt_bool(L, 3, "force");
  req.replace = opt_bool(L, 3, "replace");
  {
    int bad = 0;
    req.today = opt_string(L, 3, "today", &bad);
    if (bad) luaL_error(L, "bad opts.today (ISO date string expected)");
    /* A malformed string is refused by axl_link (AXL-L15). */
    if (!req.today) {
      time_t now = time(NULL);
      struct tm tm;
      gmtime_r(&now, &tm);
      strftime(today, sizeof today, "%Y-%m-%d", &tm);
      req.today = today;
    }
  }
  axl_lua_check_opts(L, 1, 3, &req.limits);
  if (lua_getfield(L, 3, "schema") == LUA_TNIL) {
    lua_pop(L, 1);
    axl_lua_pushschema_of(L, 1);
  }
  if (!lua_isnil(L, -1)) req.schema = axl_lua_checkschema(L, -1);
  /* stays on the stack: the schema must live through the call */

  s->have_res = 1;
  /* In place: a refusal leaves the document as it was. opts.replace
  ** removes links, so it works on a copy that then takes the message's
  ** place: tables taken before keep their record of the old document
  ** whole (their records read it when written back with force). */
  if (req.replace) {
    out = axl_link(m, &req, &s->res, &err);
    linked = out != NULL;
  } else {
    out = NULL;
    linked = axl_link_in_place(m, &req, &s->res, &err) == 0;
  }
  if (!linked) return push_refusal(L, &err, &s->res);
  /* A change either way: tables taken before are stale (AXL-T16). */
  if (out) axl_lua_replace(L, u, out);
  else axl_lua_changed(u);
  push_result(L, &req, &s->res);
  return 1;
}

int axl_lua_unlink(lua_State *L) {
  lmsg *u = luaL_checkudata(L, 1, AXL_MESSAGE_MT);
  axl_message *m = axl_lua_checkmsg(L, 1), *out;
  const char *pid, *dlid;
  axl_error err;
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_getfield(L, 2, "persoons_id");
  lua_getfield(L, 2, "dataleverancier_id");
  pid = lua_tostring(L, -2);
  dlid = lua_tostring(L, -1);
  luaL_argexpected(L, lua_type(L, -2) == LUA_TSTRING &&
                   lua_type(L, -1) == LUA_TSTRING &&
                   strlen(pid) == lua_rawlen(L, -2) &&
                   strlen(dlid) == lua_rawlen(L, -1), 2,
                   "{ persoons_id = string, dataleverancier_id = string }");
  out = axl_unlink(m, pid, dlid, &err);
  if (!out) return axl_lua_fail(L, axl_lua_msgname(L, 1), &err);
  axl_lua_replace(L, u, out);
  lua_pushboolean(L, 1);
  return 1;
}

static void set_str(lua_State *L, const char *field, const char *v) {
  if (!v) return;
  lua_pushstring(L, v);
  lua_setfield(L, -2, field);
}

int axl_lua_links(lua_State *L) {
  axl_message *m = axl_lua_checkmsg(L, 1);
  axl_link_info *list;
  size_t n;
  axl_error err;
  void **box = axl_lua_box(L);   /* pushing may raise: list is freed then */
  if (axl_links(m, &list, &n, &err) != 0)
    return luaL_error(L, "%s %s", err.code, err.message);
  *box = list;
  lua_createtable(L, (int)n, 0);
  for (size_t i = 0; i < n; i++) {
    const axl_link_info *li = &list[i];
    int k = 0;
    lua_createtable(L, 0, 10);
    if (li->hypotheekgever >= 0) {
      lua_pushinteger(L, li->hypotheekgever);
      lua_setfield(L, -2, "hypotheekgever");
    }
    set_str(L, "persoons_id", li->persoons_id);
    set_str(L, "dataleverancier_id", li->dataleverancier_id);
    set_str(L, "ref", li->ref);
    if (li->dataleverancier_volgnummer >= 0) {
      lua_pushinteger(L, li->dataleverancier_volgnummer);
      lua_setfield(L, -2, "dataleverancier_volgnummer");
    }
    set_str(L, "supplier", li->supplier);
    lua_pushboolean(L, li->supplier != NULL);
    lua_setfield(L, -2, "supplier_inferred");
    if (li->by_r10) {
      lua_pushboolean(L, 1);
      lua_setfield(L, -2, "by_r10");
    }
    lua_createtable(L, 0, 2);
    set_str(L, "surname", li->surname);
    set_str(L, "birth_date", li->birth_date);
    lua_setfield(L, -2, "partij");
    lua_newtable(L);
    if (li->missing & AXL_MISSING_REF) {
      lua_pushliteral(L, "ref");
      lua_rawseti(L, -2, ++k);
    }
    if (li->missing & AXL_MISSING_ENTITY) {
      lua_pushliteral(L, "entity");
      lua_rawseti(L, -2, ++k);
    }
    if (li->missing & AXL_MISSING_KEY) {
      lua_pushliteral(L, "key");
      lua_rawseti(L, -2, ++k);
    }
    lua_setfield(L, -2, "missing");
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

/* core.grade(person, partij): the grade of a CDL person (birth_date,
** initials, surname, prefix) against a PartijNAWData table from totable. */
int axl_lua_grade(lua_State *L) {
  axl_link_person p;
  axl_partij_name a;
  int bad = 0;
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checktype(L, 2, LUA_TTABLE);
  memset(&p, 0, sizeof p);
  p.birth_date = opt_string(L, 1, "birth_date", &bad);
  p.initials = opt_string(L, 1, "initials", &bad);
  p.surname = opt_string(L, 1, "surname", &bad);
  p.prefix = opt_string(L, 1, "prefix", &bad);
  a.birth_date = opt_string(L, 2, "GeboorteDt", &bad);
  a.initials = opt_string(L, 2, "VoorLetters", &bad);
  a.surname = opt_string(L, 2, "GeboorteAchternaam", &bad);
  a.prefix = opt_string(L, 2, "GeboorteTussenvoegsels", &bad);
  a.use_name = opt_string(L, 2, "CorrespondentieNaam", &bad);
  a.use_prefix = opt_string(L, 2, "CorrespondentieTussenvoegsels", &bad);
  lua_pushstring(L, axl_grade_name(axl_grade_of(&p, &a)));
  return 1;
}

void axl_lua_open_link(lua_State *L) {
  axl_lua_resource_type(L, "axlink.linkscratch", scratch_free);
}
