/*
** c_round_trip: the C side of `make bench` (doc/performance.md).
**
** MODE bare: what axlink's parse + serialize costs when nothing is added to
** libxml2: xmlReadMemory with the same safety options axlink uses, then
** libxml2's serialiser to an in-memory buffer, formatted, in UTF-8, then
** everything freed. No SAX hooks, no limits, no whitespace dropping: the
** floor.
** MODE axlink: the same round trip through axlink's C API (axl_parse,
** axl_serialize, free), timed the same way: the price of axlink's checks
** without the Lua binding's (the Lua string, the collector).
**
** MODE dom (usage: c_round_trip dom FILE): the memory floor of the
** pipeline figures: libxml2 builds its DOM of FILE as it comes from disk,
** blanks dropped (xmlReadFile, XML_PARSE_NOBLANKS | XML_PARSE_NONET |
** XML_PARSE_HUGE), frees it and exits; the driver takes the process's
** peak resident memory (/usr/bin/time -f %M). Nothing is timed.
**
** Usage: c_round_trip MODE FILE N [REPS]
** Reads FILE into memory once (not timed), runs N iterations and prints
** each iteration's time in seconds, one per line. An iteration is REPS
** round trips (default 1) and its time is their mean: a 6 KB message takes
** tens of microseconds, too little to time one by one like the Lua side,
** whose os.clock() has microsecond resolution. The time is CPU time of
** the process (CLOCK_PROCESS_CPUTIME_ID), because Lua has no monotonic wall
** clock and the Lua contenders are timed with os.clock(), which is CPU time
** too: like is compared with like. The driver drops the first line as a
** warm-up and takes the median of the rest.
*/
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>

#include "axlink.h"

/* The whole file in one malloc'd block; *len gets its size. */
static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *data = NULL;
  long size;
  if (!f) return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 &&
      fseek(f, 0, SEEK_SET) == 0) {
    data = malloc((size_t)size + 1);
    if (data && fread(data, 1, (size_t)size, f) != (size_t)size) {
      free(data);
      data = NULL;
    }
    if (data) *len = (size_t)size;
  }
  fclose(f);
  return data;
}

static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
** One parse + serialise round. Returns the serialised length, or -1 when
** either half fails (the driver treats that as a broken benchmark).
*/
static long bare_round_trip(const char *data, size_t len) {
  xmlDocPtr doc;
  xmlBufferPtr buf;
  xmlSaveCtxtPtr save;
  long out = -1;
  doc = xmlReadMemory(data, (int)len, NULL, NULL,
                      XML_PARSE_NONET | XML_PARSE_NOERROR |
                      XML_PARSE_NOWARNING);
  if (!doc) return -1;
  buf = xmlBufferCreate();
  save = buf ? xmlSaveToBuffer(buf, "utf-8", XML_SAVE_FORMAT) : NULL;
  if (save) {
    long written = xmlSaveDoc(save, doc);
    if (xmlSaveClose(save) >= 0 && written >= 0)
      out = (long)xmlBufferLength(buf);
  }
  if (buf) xmlBufferFree(buf);
  xmlFreeDoc(doc);
  return out;
}

/* The Lua contenders' limits (bench/run.lua PARSE_OPTS): 50 MiB admitted;
** the other fields 0, axlink's defaults. */
static long axlink_round_trip(const char *data, size_t len) {
  axl_limits limits = {0};
  axl_message *m;
  limits.max_bytes = (size_t)1 << 30;
  limits.max_elements = (size_t)1 << 26;
  m = axl_parse(data, len, &limits, NULL);
  char *out;
  size_t n;
  long rc = -1;
  if (!m) return -1;
  if (axl_serialize(m, &out, &n, NULL) == 0) {
    rc = (long)n;
    axl_free(out);
  }
  axl_message_free(m);
  return rc;
}

/* MODE dom: build the tree of a file and free it; 0 when it parsed. */
static int dom_only(const char *path) {
  xmlDocPtr doc;
  xmlInitParser();
  doc = xmlReadFile(path, NULL,
                    XML_PARSE_NOBLANKS | XML_PARSE_NONET | XML_PARSE_HUGE);
  if (!doc) {
    fprintf(stderr, "c_round_trip: %s: libxml2 could not parse it\n", path);
    return 1;
  }
  xmlFreeDoc(doc);
  xmlCleanupParser();
  return 0;
}

int main(int argc, char **argv) {
  size_t len = 0;
  char *data;
  long n, reps = 1;
  long (*round_trip)(const char *, size_t) = NULL;
  if (argc == 3 && strcmp(argv[1], "dom") == 0) return dom_only(argv[2]);
  if (argc == 4 || argc == 5) {
    if (strcmp(argv[1], "bare") == 0) round_trip = bare_round_trip;
    if (strcmp(argv[1], "axlink") == 0) round_trip = axlink_round_trip;
  }
  if (!round_trip || (n = strtol(argv[3], NULL, 10)) < 1 ||
      (argc == 5 && (reps = strtol(argv[4], NULL, 10)) < 1)) {
    fprintf(stderr,
            "usage: %s bare|axlink FILE ITERATIONS [REPS] | dom FILE\n",
            argv[0]);
    return 2;
  }
  data = read_file(argv[2], &len);
  if (!data) {
    fprintf(stderr, "%s: cannot read %s\n", argv[0], argv[2]);
    return 1;
  }
  xmlInitParser();
  axl_init();
  for (long i = 0; i < n; i++) {
    double t0 = cpu_now(), t1;
    long out = 0;
    for (long r = 0; r < reps && out >= 0; r++)
      out = round_trip(data, len);
    t1 = cpu_now();
    if (out < 0) {
      fprintf(stderr, "%s: %s: parse or serialise failed\n", argv[0],
              argv[2]);
      free(data);
      return 1;
    }
    printf("%.9f\n", (t1 - t0) / (double)reps);
  }
  free(data);
  return 0;
}
