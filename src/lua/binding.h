/*
** Shared by the Lua binding's files: the Message userdata and the error
** triple. The binding owns every C resource through a userdata with __gc
** and __close, created *before* the resource is acquired (liolib's
** newprefile), so a Lua error raised half-way leaks nothing.
*/
#ifndef AXL_BINDING_H
#define AXL_BINDING_H

#include <lua.h>
#include <lauxlib.h>

#include "axlink.h"
#include "axlink_build.h"

#define AXL_MESSAGE_MT "axlink.Message"
#define AXL_RECORD_MT "axlink.OrderRecord"
#define AXL_SCHEMA_MT "axlink.Schema"

struct ljournal;

/* revision names the state of the content made through this userdata
** (link, unlink, settable, update, _replace): tables remember the one they
** were taken at, so a write-back of older tables can be refused (DESIGN
** 3.1, AXL-T16). A change takes a revision never used before (++last);
** a rollback gives back the one of _begin, and tables taken in between
** keep theirs, which is then never current again. id tells messages apart
** for that; a clone gets its own. */
typedef struct lmsg {
  axl_message *m;   /* NULL once closed */
  lua_Integer id, revision, last;
  struct ljournal *journal;   /* open journal (journal.c), or NULL */
} lmsg;

/*
** The record of a table tree, kept outside the tables (records[t], a
** weak-keyed table in the registry): the source document for order and
** invisible attributes, and which message and revision it was taken at.
*/
typedef struct axl_record {
  axl_message *src;         /* a reference; NULL once collected */
  lua_Integer owner;        /* the lmsg id */
  lua_Integer revision;
  /* Tables of one entity (msg:_entity) record which one: the index-th
  ** element (1-based, document order) at the model path held as the
  ** record's uservalue 2; found again in src when they are written back,
  ** never kept as a pointer (src's tree may change under them). 0: the
  ** tables are the whole message's, the record is its root. */
  lua_Integer index;
} axl_record;

/* The element of rec's source document that the tables of record rec
** (at idx, a record userdata) were taken from, when it is the entity at
** model path `path` (NULL: the root); else NULL. Borrowed from rec->src. */
xmlNodePtr axl_lua_record_node(lua_State *L, int idx, const char *path);

/* A new closed Message userdata on the stack; name is kept as uservalue. */
lmsg *axl_lua_newmsg(lua_State *L, int name_idx);

/* Adopts m (one reference) into the userdata and tells the GC its size. */
void axl_lua_setmsg(lua_State *L, lmsg *u, axl_message *m);

/* u's document is replaced by m (one reference adopted, also when this
** raises "not enough memory": then m is freed and u is as it was): a
** change, so the revision moves on and tables taken before it are stale.
** With a journal open, u's old message is kept for a rollback. */
void axl_lua_replace(lua_State *L, lmsg *u, axl_message *m);

/* u's document was changed in place (msg:link, _replace): the revision
** moves on, so tables taken before it are stale. */
void axl_lua_changed(lmsg *u);

/* journal.c: msg:_begin, _commit, _rollback. Before u's message is
** swapped for m: keeps the old one for a rollback when a journal is open
** (a Lua error, out of memory, changes nothing). When u lets go of its
** message (close, collection): an open journal is committed. */
void axl_lua_journal_swap(lua_State *L, lmsg *u, axl_message *m);
void axl_lua_journal_drop(lmsg *u);
int axl_lua_begin(lua_State *L);
int axl_lua_commit(lua_State *L);
int axl_lua_rollback(lua_State *L);

/* The caller's name for the message at idx (opts.name or the file's
** basename), or NULL: error messages start with it. */
const char *axl_lua_msgname(lua_State *L, int idx);

/* The open message at idx, or a Lua error ("message is closed"). */
axl_message *axl_lua_checkmsg(lua_State *L, int idx);

/* Pushes nil, "NAME:LINE: AXL-CODE text", { code=, line=, path= }; 3. */
/* opts.max_bytes, max_depth, max_attributes, max_elements, max_text,
** max_seconds (0 for each one absent); opts may be none or nil. */
void axl_lua_read_limits(lua_State *L, int opts, axl_limits *lim);

int axl_lua_fail(lua_State *L, const char *name, const axl_error *e);

/* Same for a refusal found by the binding itself. */
int axl_lua_refuse(lua_State *L, const char *name, const char *code,
                   const char *path, const char *text);

/* schema.c: reports and schemas */
void axl_lua_push_problems(lua_State *L, const axl_report *r);
void axl_lua_push_report(lua_State *L, const axl_report *r);
axl_report *axl_lua_newreport(lua_State *L);
int axl_lua_report_gc(lua_State *L);
const axl_schema *axl_lua_checkschema(lua_State *L, int idx);
/* The schema at idx, or NULL when it is closed (a Lua error if idx holds no
** Schema at all). */
const axl_schema *axl_lua_toschema(lua_State *L, int idx);
int axl_lua_validate(lua_State *L);
void axl_lua_open_schema(lua_State *L);   /* pushes the axlink.schema table */

/* The schema a message remembers (uservalue 2), pushed, or nil. */
void axl_lua_pushschema_of(lua_State *L, int msg_idx);

/* cli.c: atomic writes and signals for the command line */
void axl_lua_open_cli(lua_State *L);

/* check.c */
void axl_lua_check_opts(lua_State *L, int msg, int opts, axl_check_opts *o);
int axl_lua_check(lua_State *L);

/* Metatables of the C-owned resource types, made while the module opens. */
void axl_lua_resource_type(lua_State *L, const char *name,
                           lua_CFunction release);
void axl_lua_open_message(lua_State *L);    /* message.c */
void axl_lua_open_resources(lua_State *L);  /* resources.c */
void axl_lua_open_records(lua_State *L);    /* records.c */
void axl_lua_open_totable(lua_State *L);
void axl_lua_open_fromtable(lua_State *L);
void axl_lua_open_link(lua_State *L);
void axl_lua_open_report(lua_State *L);

/* A to-be-closed box on the stack: *box is freed with axl_free when the
** function returns or a Lua error unwinds past it. */
void **axl_lua_box(lua_State *L);

/* link.c */
int axl_lua_link(lua_State *L);
int axl_lua_unlink(lua_State *L);
int axl_lua_links(lua_State *L);
int axl_lua_grade(lua_State *L);

/* totable.c / fromtable.c */
int axl_lua_totable(lua_State *L);
int axl_lua_fromtable(lua_State *L);
/* msg:_entity(path, attr, value) and msg:_replace(path, index, t). */
int axl_lua_entity(lua_State *L);
int axl_lua_replace_entity(lua_State *L);
/* Pushes the tables of element n of the message at msg_idx, whose parent
** is at model path parent_path ("" for the root), with their order record
** (path and index for an entity's tables, NULL and 0 for the root's). */
void axl_lua_push_tables(lua_State *L, int msg_idx, const xmlNode *n,
                         const char *parent_path, const char *path,
                         lua_Integer index);

/* records.c: the record of the tables at idx, or NULL; __gc of a record
** (lets go of the source document). */
axl_record *axl_lua_record_of(lua_State *L, int idx);
int axl_lua_record_gc(lua_State *L);

/* Registry key of the weak-keyed table: root table -> order record. */
extern const char axl_records_key;

#endif
