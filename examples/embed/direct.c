/*
** direct.c: axlink from C alone (no Lua), through src/core/axlink.h and the
** static library build/libaxlink.a.
**
**   direct AX.xml --dataleverancier-id KEY
**          --person PERSOONSID[,BIRTH_DATE[,INITIALS[,SURNAME[,PREFIX]]]]...
**          [--match PERSOONSID=VOLGNUMMER | PERSOONSID=PARTIJ_ID]...
**          [--skip PERSOONSID]... [--valid-until DATE] [--today DATE]
**          [--field NAME=VALUE]... [--force] [--replace] [--receive]
**          [-o OUT.xml]
**
** It reads the AX (axl_read), links the delivery described on the command
** line (axl_link_in_place: into the message itself, all or nothing;
** automatic matching for every person without --match, by
** Volgnummer or PartijNAWData ID for those with it), checks the rules
** (axl_check), prints the problems' codes and paths and the lender's view of
** the links (axl_links), and writes the result (axl_serialize, then
** axl_write_file: atomic) when -o is given and the check found no errors.
**
** Output carries structure, codes and the keys (PersoonsID and
** DataleverancierID, which the caller typed): never a name, a birth date or
** any other value from the AX. Exit status as the CLI's: 0 all well, 1 rule
** errors (nothing written), 2 bad input, usage or a refused link.
**
** Ownership follows axlink.h: every axl_message is freed with
** axl_message_free, the link result with axl_link_result_free (also after a
** refusal), reports with axl_report_free, and what axl_serialize and
** axl_links hand out with axl_free. The program is valgrind-clean.
**
** Build (from the repo root, after `make all`):
**   cc -std=c99 -Wall -Wextra -O2 -Isrc/core examples/embed/direct.c \
**     -o build/embed/direct build/libaxlink.a \
**     $(pkg-config --cflags --libs libxml-2.0) -lpthread -lm
** or, after `make install` (PKG_CONFIG_PATH=PREFIX/lib/pkgconfig for a
** prefix pkg-config does not search):
**   cc -std=c99 -Wall -Wextra -O2 examples/embed/direct.c -o direct \
**     $(pkg-config --cflags --libs axlink)
*/
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "axlink.h"

#define MAX_PERSONS 16
#define MAX_FIELDS 8

static const char *severity_name(axl_severity s) {
  return s == AXL_ERROR ? "error" : s == AXL_WARNING ? "warning" : "info";
}

static void usage(void) {
  fputs("usage: direct AX.xml --dataleverancier-id KEY\n"
        "         --person "
        "PERSOONSID[,BIRTH_DATE[,INITIALS[,SURNAME[,PREFIX]]]]...\n"
        "         [--match PERSOONSID=VOLGNUMMER|PARTIJ_ID]... "
        "[--skip PERSOONSID]...\n"
        "         [--valid-until DATE] [--today DATE] [--field NAME=VALUE]...\n"
        "         [--force] [--replace] [--receive] [-o OUT.xml]\n",
        stderr);
}

/* An axl_error as one line: code, line and path when known, fixed text. */
static void print_error(const char *what, const axl_error *e) {
  fprintf(stderr, "direct: %s: %s", what, e->code[0] ? e->code : "AXL-?");
  if (e->line > 0) fprintf(stderr, " line %ld", e->line);
  if (e->path[0]) fprintf(stderr, " %s", e->path);
  fprintf(stderr, " %s\n", e->message);
}

static void print_problems(FILE *out, const axl_report *r) {
  for (size_t i = 0; i < r->count; i++) {
    const axl_problem *p = &r->items[i];
    fprintf(out, "  %s %s %s", p->code, severity_name(p->severity),
            p->path[0] ? p->path : "-");
    if (p->line > 0) fprintf(out, ":%ld", p->line);
    fprintf(out, " %s\n", p->message);
  }
}

/* Splits "a,b,,d" in place into at most n fields; empty ones are NULL. */
static void split_fields(char *s, const char **fields, int n) {
  for (int i = 0; i < n; i++) fields[i] = NULL;
  for (int i = 0; i < n && s; i++) {
    char *comma = strchr(s, ',');
    if (comma) *comma = '\0';
    fields[i] = *s ? s : NULL;
    s = comma ? comma + 1 : NULL;
  }
}

/* A whole decimal number (a Volgnummer is a label of digits). */
static int parse_long(const char *s, long *out) {
  char *end;
  if (!*s) return 0;
  for (const char *c = s; *c; c++)
    if (*c < '0' || *c > '9') return 0;
  *out = strtol(s, &end, 10);
  return *end == '\0';
}

int main(int argc, char **argv) {
  const char *ax = NULL, *out_path = NULL;
  char *person_buf[MAX_PERSONS] = { 0 };
  char *field_buf[MAX_FIELDS] = { 0 };
  axl_link_person persons[MAX_PERSONS];
  axl_link_field fields[MAX_FIELDS];
  axl_link_request req;
  axl_link_result res;
  axl_check_opts copts;
  axl_report report;
  axl_error err;
  axl_message *msg = NULL, *linked = NULL;
  axl_link_info *links = NULL;
  size_t n_links = 0, n_persons = 0, n_fields = 0;
  char today[16], *xml = NULL;
  size_t xml_len = 0;
  int receive = 0, status = 2, have_result = 0;

  /* Zeroed options are the defaults (req.limits included): no _default
  ** call is needed. */
  memset(&req, 0, sizeof req);
  memset(persons, 0, sizeof persons);
  axl_report_init(&report);

  /* The command line. Matches and skips name persons given earlier. */
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--force") == 0) { req.force = 1; continue; }
    if (strcmp(a, "--replace") == 0) { req.replace = 1; continue; }
    if (strcmp(a, "--receive") == 0) { receive = 1; continue; }
    if (a[0] != '-') {
      if (ax) { usage(); goto done; }
      ax = a;
      continue;
    }
    if (!v) { usage(); goto done; }
    i++;
    if (strcmp(a, "-o") == 0) {
      out_path = v;
    } else if (strcmp(a, "--dataleverancier-id") == 0) {
      req.dataleverancier_id = v;
    } else if (strcmp(a, "--valid-until") == 0) {
      req.valid_until = v;
    } else if (strcmp(a, "--today") == 0) {
      req.today = v;
    } else if (strcmp(a, "--person") == 0) {
      const char *f[5];
      char *copy;
      if (n_persons == MAX_PERSONS) { usage(); goto done; }
      copy = person_buf[n_persons] = strdup(v);
      if (!copy) { fputs("direct: out of memory\n", stderr); goto done; }
      split_fields(copy, f, 5);
      persons[n_persons].id = f[0];
      persons[n_persons].birth_date = f[1];
      persons[n_persons].initials = f[2];
      persons[n_persons].surname = f[3];
      persons[n_persons].prefix = f[4];
      persons[n_persons].match = AXL_MATCH_AUTO;
      n_persons++;
    } else if (strcmp(a, "--match") == 0 || strcmp(a, "--skip") == 0) {
      const char *eq = strchr(v, '=');
      size_t idlen = a[2] == 'm' ? (eq ? (size_t)(eq - v) : 0) : strlen(v);
      size_t k;
      if (idlen == 0 || (a[2] == 'm' && !eq[1])) { usage(); goto done; }
      for (k = 0; k < n_persons; k++)
        if (persons[k].id && strlen(persons[k].id) == idlen &&
            strncmp(persons[k].id, v, idlen) == 0) break;
      if (k == n_persons) {
        fprintf(stderr, "direct: %s names no --person given before it\n", a);
        goto done;
      }
      if (a[2] == 's') {
        persons[k].match = AXL_MATCH_SKIP;
      } else if (parse_long(eq + 1, &persons[k].volgnummer)) {
        persons[k].match = AXL_MATCH_VOLGNUMMER;
      } else {
        persons[k].match = AXL_MATCH_PARTIJ_ID;
        persons[k].partij_id = eq + 1;
      }
    } else if (strcmp(a, "--field") == 0) {
      char *copy, *eq;
      if (n_fields == MAX_FIELDS) { usage(); goto done; }
      copy = field_buf[n_fields] = strdup(v);
      if (!copy) { fputs("direct: out of memory\n", stderr); goto done; }
      eq = strchr(copy, '=');
      if (!eq || eq == copy) { usage(); goto done; }
      *eq = '\0';
      fields[n_fields].name = copy;
      fields[n_fields].value = eq + 1;
      n_fields++;
    } else {
      usage();
      goto done;
    }
  }
  if (!ax || !req.dataleverancier_id || n_persons == 0) {
    usage();
    goto done;
  }
  if (!req.today) {   /* for the valid_until warning, as the Lua API does */
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    req.today = today;
  }
  req.persons = persons;
  req.n_persons = n_persons;
  req.fields = n_fields ? fields : NULL;
  req.n_fields = n_fields;

  /* 1. Read. axlink reads the file itself; libxml2 never opens it. */
  msg = axl_read(ax, NULL, &err);
  if (!msg) {
    print_error("cannot read the AX", &err);
    goto done;
  }
  printf("read: %s (axlink %s, libxml2 %s)\n", axl_root_name(msg), AXL_VERSION,
         axl_libxml2_version());

  /* 2. Link into msg itself, without a copy of the document: 0, or -1
  ** with the reason, msg then exactly as it was. axl_link_in_place checks
  ** the delivery itself, with the Lua API's AXL-C codes. res is freed in
  ** both cases. (axl_link does the same on a copy, for a host that still
  ** needs the message without the links.) */
  have_result = 1;
  if (axl_link_in_place(msg, &req, &res, &err) == 0)
    linked = msg;
  if (!linked) {
    print_error("link refused", &err);
    for (size_t i = 0; i < res.n_grades; i++)
      fprintf(stderr, "  person %zu vs Hypotheekgever %ld: %s\n",
              res.grades[i].person + 1, res.grades[i].hypotheekgever,
              axl_grade_name(res.grades[i].grade));
    if (res.has_person)
      fprintf(stderr, "  about person %zu\n", res.person + 1);
    print_problems(stderr, &res.problems);
    goto done;
  }
  for (size_t i = 0; i < n_persons; i++) {
    const axl_link_entry *e = &res.entries[i];
    if (e->status == AXL_LINK_SKIPPED)
      printf("skipped: person %zu (not an applicant in this AX)\n", i + 1);
    else
      printf("linked: person %zu -> Hypotheekgever %ld, Dataleverancier %s "
             "(%s%s)\n", i + 1, e->hypotheekgever, e->ref,
             axl_grade_name(e->grade), e->created ? "" : ", already linked");
  }
  if (res.expired)
    printf("warning: AXL-L20 the delivery's valid_until lies before today\n");

  /* 3. Check the rules on the linked message. */
  memset(&copts, 0, sizeof copts);   /* send mode, the default limits */
  copts.receive = receive;
  if (axl_check(linked, &copts, &report, &err) != 0) {
    print_error("check failed", &err);
    goto done;
  }
  printf("check (%s): %s, %zu problem(s)\n", receive ? "receive" : "send",
         axl_report_ok(&report) ? "ok" : "errors", report.count);
  print_problems(stdout, &report);

  /* 4. The lender's view: strings borrowed from `linked`. */
  if (axl_links(linked, &links, &n_links, &err) != 0) {
    print_error("links failed", &err);
    goto done;
  }
  printf("links: %zu\n", n_links);
  for (size_t i = 0; i < n_links; i++) {
    const axl_link_info *l = &links[i];
    printf("  Hypotheekgever %ld: PersoonsID %s -> DataleverancierID %s "
           "(ref %s", l->hypotheekgever,
           l->persoons_id ? l->persoons_id : "(none)",
           l->dataleverancier_id ? l->dataleverancier_id : "(none)",
           l->ref ? l->ref : "none");
    if (!(l->missing & (AXL_MISSING_REF | AXL_MISSING_ENTITY)))
      printf(", Dataleverancier Volgnummer %ld", l->dataleverancier_volgnummer);
    printf(", supplier %s%s)", l->supplier ? l->supplier : "unknown",
           l->supplier ? " (inferred from the key)" : "");
    if (l->missing) {
      printf(" missing:%s%s%s", l->missing & AXL_MISSING_REF ? " ref" : "",
             l->missing & AXL_MISSING_ENTITY ? " entity" : "",
             l->missing & AXL_MISSING_KEY ? " key" : "");
    }
    putchar('\n');
  }

  if (!axl_report_ok(&report)) {
    printf("rule errors: nothing written\n");
    status = 1;
    goto done;
  }

  /* 5. Write: canonical bytes, then an atomic replace of the target. */
  if (out_path) {
    if (axl_serialize(linked, &xml, &xml_len, &err) != 0) {
      print_error("cannot serialise", &err);
      goto done;
    }
    if (axl_write_file(out_path, xml, xml_len, &err) != 0) {
      print_error("cannot write", &err);
      goto done;
    }
    printf("written: %s (%zu bytes)\n", out_path, xml_len);
  }
  status = 0;

done:
  axl_free(xml);
  axl_free(links);
  axl_report_free(&report);
  if (have_result) axl_link_result_free(&res);
  axl_message_free(msg);     /* linked is msg, linked in place */
  for (size_t i = 0; i < MAX_PERSONS; i++) free(person_buf[i]);
  for (size_t i = 0; i < MAX_FIELDS; i++) free(field_buf[i]);
  fflush(stdout);
  return status;
}
