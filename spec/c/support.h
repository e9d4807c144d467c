/* Shared by the cmocka tests: fixtures and small builders. */
#ifndef AXL_TEST_SUPPORT_H
#define AXL_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "axlink.h"

/* Reads a file relative to the repository root (tests run from there). */
static inline char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *buf;
  long n;
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = malloc((size_t)n + 1);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
  buf[n] = '\0';
  fclose(f);
  *len = (size_t)n;
  return buf;
}

/* Parses a C string and expects a refusal with this code; returns line. */
static inline long expect_refusal(const char *xml, const char *code) {
  axl_error err;
  axl_message *m = axl_parse(xml, strlen(xml), NULL, &err);
  assert_null(m);
  assert_string_equal(err.code, code);
  return err.line;
}

#endif
