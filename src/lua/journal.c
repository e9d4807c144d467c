/*
** msg:_begin(), msg:_commit(), msg:_rollback(): one journal over several
** changes of a message, for axlink.cdl.apply's all or nothing (DESIGN 7.4).
**
** A change is made in one of two ways, and the journal follows both:
** - in place (link without opts.replace, _replace): the C core records it
**   in the journal of the message itself (axl_journal_begin);
** - by a new message that takes the old one's place (link with
**   opts.replace, unlink, settable and update through _adopt): the old
**   message is kept here, with its own core journal still open, and the
**   new one gets a core journal of its own.
** Rollback walks back through both, newest first: the current message's
** changes are undone, it is let go, the one before it comes back and its
** changes are undone, and so on to the message of _begin, which then holds
** exactly what it held. The revision of _begin comes back too, so tables
** taken before are as current (or as stale) as they were.
*/
#include "binding.h"

#include <stdlib.h>
#include <string.h>

typedef struct ljournal {
  lua_Integer revision;      /* u's revision at _begin */
  axl_message **earlier;     /* messages u held before a swap, oldest first:
                                one reference each, core journal open */
  size_t n, cap;
} ljournal;

static lmsg *check_open(lua_State *L) {
  lmsg *u = luaL_checkudata(L, 1, AXL_MESSAGE_MT);
  axl_lua_checkmsg(L, 1);
  return u;
}

/* Frees the journal itself; what it holds is the caller's to settle. */
static void free_journal(lmsg *u) {
  free(u->journal->earlier);
  free(u->journal);
  u->journal = NULL;
}

void axl_lua_journal_swap(lua_State *L, lmsg *u, axl_message *m) {
  ljournal *j = u->journal;
  axl_error err;
  if (j->n == j->cap) {
    size_t cap = j->cap * 2 + 4;
    axl_message **e = realloc(j->earlier, cap * sizeof *e);
    if (!e) {
      axl_message_unref(m);
      luaL_error(L, "not enough memory");
    }
    j->earlier = e;
    j->cap = cap;
  }
  if (axl_journal_begin(m, &err)) {
    axl_message_unref(m);
    luaL_error(L, "%s %s", err.code, err.message);
  }
  j->earlier[j->n++] = u->m;   /* the reference moves into the journal */
}

void axl_lua_journal_drop(lmsg *u) {
  if (!u->journal) return;
  if (u->m) axl_journal_commit(u->m);
  for (size_t i = 0; i < u->journal->n; i++) {
    axl_journal_commit(u->journal->earlier[i]);
    axl_message_unref(u->journal->earlier[i]);
  }
  free_journal(u);
}

int axl_lua_begin(lua_State *L) {
  lmsg *u = check_open(L);
  axl_error err;
  ljournal *j;
  if (u->journal) return luaL_error(L, "a journal is open on this message "
                                    "already");
  j = calloc(1, sizeof *j);
  if (!j) return luaL_error(L, "not enough memory");
  if (axl_journal_begin(u->m, &err)) {
    free(j);
    return luaL_error(L, "%s %s", err.code, err.message);
  }
  j->revision = u->revision;
  u->journal = j;
  return 0;
}

int axl_lua_commit(lua_State *L) {
  lmsg *u = check_open(L);
  if (!u->journal) return luaL_error(L, "no journal is open on this message");
  axl_lua_journal_drop(u);
  return 0;
}

int axl_lua_rollback(lua_State *L) {
  lmsg *u = check_open(L);
  ljournal *j = u->journal;
  if (!j) return luaL_error(L, "no journal is open on this message");
  axl_journal_rollback(u->m);
  while (j->n) {
    /* Tables taken in between may still hold the newer message: it stays
    ** alive for their order records, as it is now. */
    axl_message_unref(u->m);
    u->m = j->earlier[--j->n];
    axl_journal_rollback(u->m);
  }
  u->revision = j->revision;
  free_journal(u);
  return 0;
}
