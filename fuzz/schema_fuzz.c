/*
** schema_fuzz: axl_schema_parse on untrusted XSD bytes, then the limits,
** the conformance report and validation of fixture messages.
**
** Includes resolve only under spec/fixtures/schemas (the base directory
** given to axl_schema_parse); the harness runs from the repository root.
**
** Properties (abort() = a finding):
** - refused => an AXL-S code and a message;
** - loaded  => limits are min <= max (or NaN: not set), min >= 0, and
**   "unsupported" is set exactly when one of the limits is undecided;
**   conformance appends AXL-S2x problems only; axl_validate of each fixture
**   message returns 1 (no problems reported) or 0 (at least one AXL-V
**   problem), or -1 with an AXL-V code;
** - nothing reaches the network: socket/connect/getaddrinfo are replaced
**   in this binary by functions that abort (libxml2's nanohttp would call
**   them), and axl_denied_loads may grow but no load happens.
*/
#include "common.h"

#include <math.h>

/* No network, ever: libxml2's HTTP/FTP code resolves these here. */
int socket(int domain, int type, int protocol);
int socket(int domain, int type, int protocol) {
  (void)domain; (void)type; (void)protocol;
  FUZZ_REQUIRE(0, "no socket is ever opened");
  return -1;
}
int connect(int fd, const void *addr, unsigned len);
int connect(int fd, const void *addr, unsigned len) {
  (void)fd; (void)addr; (void)len;
  FUZZ_REQUIRE(0, "no connection is ever made");
  return -1;
}

#define NMSG 3
static axl_message *msgs[NMSG];

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  static const char *const paths[NMSG] = {
    "spec/fixtures/ax/two-applicants.xml",
    "spec/fixtures/rules/ok-two-files.xml",
    "spec/fixtures/hdn/ax-24.0-sample.xml",
  };
  axl_error err;
  (void)argc; (void)argv;
  axl_init();
  for (int i = 0; i < NMSG; i++) {
    msgs[i] = axl_read(paths[i], NULL, &err);
    if (!msgs[i]) {
      fprintf(stderr, "schema_fuzz: cannot read %s (%s): run from the "
              "repository root\n", paths[i], err.code);
      exit(2);
    }
  }
  return 0;
}

static void check_occurs(const axl_occurs *o) {
  if (!isnan(o->min)) FUZZ_REQUIRE(o->min >= 0, "min occurs >= 0");
  if (!isnan(o->min) && !isnan(o->max))
    FUZZ_REQUIRE(o->min <= o->max, "min occurs <= max occurs");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  axl_error err;
  axl_schema *s = axl_schema_parse((const char *)data, size,
                                   "spec/fixtures/schemas", &err);
  if (!s) {
    FUZZ_REQUIRE(fuzz_has_prefix(err.code, "AXL-S"),
                 "a refused schema gives an AXL-S code");
    FUZZ_REQUIRE(err.message[0] != '\0', "a refusal has a message");
    return 0;
  }
  {
    const axl_schema_limits *l = axl_schema_get_limits(s);
    FUZZ_REQUIRE(l != NULL, "a loaded schema has limits");
    check_occurs(&l->externe);
    check_occurs(&l->dataleverancier);
    FUZZ_REQUIRE(!l->unsupported == !(l->externe_undecided ||
                                      l->dataleverancier_undecided),
                 "unsupported = either limit undecided");
  }
  {
    axl_report r;
    axl_report_init(&r);
    FUZZ_REQUIRE(axl_schema_conformance(s, &r) == 0 || r.count == 0,
                 "conformance reports or succeeds");
    for (size_t i = 0; i < r.count; i++)
      FUZZ_REQUIRE(fuzz_has_prefix(r.items[i].code, "AXL-S"),
                   "conformance gives AXL-S codes");
    axl_report_free(&r);
  }
  for (int i = 0; i < NMSG; i++) {
    axl_report r;
    int rc;
    axl_report_init(&r);
    rc = axl_validate(s, msgs[i], &r, &err);
    FUZZ_REQUIRE(rc >= -1 && rc <= 1, "validate gives -1, 0 or 1");
    if (rc < 0) {
      FUZZ_REQUIRE(fuzz_has_prefix(err.code, "AXL-V"),
                   "validation failure gives an AXL-V code");
    } else {
      FUZZ_REQUIRE((rc == 1) == (r.count == 0 || axl_report_ok(&r)),
                   "valid exactly when no error is reported");
      for (size_t k = 0; k < r.count; k++)
        FUZZ_REQUIRE(fuzz_has_prefix(r.items[k].code, "AXL-V"),
                     "validation gives AXL-V codes");
    }
    axl_report_free(&r);
  }
  axl_schema_free(s);
  return 0;
}
