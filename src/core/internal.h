/*
** Shared by the C core's files only; not installed.
*/
#ifndef AXL_INTERNAL_H
#define AXL_INTERNAL_H

#include "axlink.h"
#include "axlink_build.h"
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

/* The one option word for every document axlink has libxml2 parse, messages
** and schema documents alike (reliability.md P1): no network, no error
** printing, CDATA as text. Never NOENT, DTDLOAD, DTDATTR, DTDVALID,
** XINCLUDE or HUGE; spec/c/test_parse.c reads it. */
#define AXL_PARSE_OPTIONS \
  (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | \
   XML_PARSE_NOCDATA)

typedef struct axl_journal axl_journal;

/* Thread-local state in the initial-exec model (init.c says why). */
#define AXL_TLS __thread __attribute__((tls_model("initial-exec")))

struct axl_message {
  xmlDocPtr doc;
  int refs;
  size_t est_bytes;
  axl_limits limits;      /* resolved; see axl_message_limits */
  axl_journal *journal;   /* open journal (journal.c), or NULL */
};

/* Recording into m's journal (journal.c). A writer reserves room for the
** steps it may take before it changes the tree (-1: out of memory, nothing
** changed); recording a step then never fails. Without an open journal
** reserving does nothing, and what a step keeps is freed at once: the
** replaced element, the swapped-out document. */
int axl_journal_reserve(axl_message *m, size_t n);
void axl_journal_added(axl_message *m, xmlNodePtr node);
void axl_journal_replaced(axl_message *m, xmlNodePtr old, xmlNodePtr node);
void axl_journal_document(axl_message *m, xmlDocPtr old);

/* While set (per thread), the denying loader first asks this provider:
** schema compilation uses it to serve the documents axlink read itself. */
typedef xmlParserInputPtr (*axl_loader_provider)(void *ud, const char *url,
                                                 xmlParserCtxtPtr ctxt);
void axl_set_loader_provider(axl_loader_provider fn, void *ud);

/* Input bytes for axl_parse_source, a chunk at a time (axl_read's file). */
#define AXL_CHUNK 65536
typedef struct axl_source {
  /* Points *chunk at the next bytes, *len of them (0 at the end; the first
  ** chunk holds all the input or at least 4 bytes): NULL, or the text of
  ** an AXL-P14 read error (the input then ends). */
  const char *(*next)(void *ud, const char **chunk, size_t *len);
  void *ud;
} axl_source;

/* axl_parse over a source whose size is len (as far as known: checked
** against max_bytes before a byte is read). err must be cleared. */
axl_message *axl_parse_source(const axl_source *src, size_t len,
                              const axl_limits *limits, axl_error *err);

/* Fills err (if not NULL) with code, fixed text and line. */
void axl_error_set(axl_error *err, const char *code, long line,
                   const char *text);
void axl_error_clear(axl_error *err);

/* A refusal by a limit, in the form DESIGN 3.4 gives: "input is 70.2 MiB,
** over max_bytes (16 MiB)". limit must be a static string (the option's
** name); value and actual are in its unit; at_least when the input was
** read no further than the refusal (actual is then a lower bound). */
void axl_error_limit(axl_error *err, const char *code, long line,
                     const char *limit, double value, double actual,
                     int at_least);

/* axl_check's limit rules alone (R17, R01, R02: the problems that carry a
** limit), with the problems, paths and order axl_check gives, over a CDL
** view (view.h) that says what the document holds (check.c). Appends to
** out, sorted; 0, or -1 when out of memory. */
struct axl_view;
int axl_check_limits(const struct axl_view *v, const axl_check_opts *o,
                     axl_report *out, axl_error *err);

/* Fixed, value-free text for a libxml2 parser error code. */
const char *axl_xml_error_text(int xml_code);

/* The first of m's limits the document breaks ("max_depth", "max_elements",
** "max_attributes" or "max_text"), or NULL when it keeps to them all. */
const char *axl_doc_over_limits(xmlDocPtr doc, const axl_limits *lim);

/* Adds key -> value unless key is there already (the first one stays).
** 0 when key is in the table afterwards, -1 when an allocation failed:
** xmlHashAddEntry says -1 for both, and reports neither. */
int axl_hash_add_first(xmlHashTablePtr h, const xmlChar *key, void *value);

/* After xmlCopyDoc/xmlDocCopyNode: 0 when the node list `to` is a complete
** copy of `from` (names, namespaces, attributes and their values, text),
** carrying axlink's line numbers over; -1 when libxml2 left something out
** under a failed allocation (2.9.14 does so silently). */
int axl_copy_complete(const xmlNode *from, xmlNode *to);


#endif
