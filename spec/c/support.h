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

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "axlink.h"

/* Reads a file relative to the repository root (tests run from there), or
** NULL when it cannot be opened. */
static inline char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *buf;
  long n;
  *len = 0;
  if (!f) return NULL;
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

/* The same for a file that must be there. */
static inline char *slurp(const char *path, size_t *len) {
  char *buf = read_all(path, len);
  assert_non_null(buf);
  return buf;
}

/* A non-blocking listener on a free loopback port: a connection attempt
** shows up as an acceptable socket, so a test can tell that none came. */
static inline int listen_loopback(int *port) {
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  assert_true(fd >= 0);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
  assert_int_equal(listen(fd, 16), 0);
  assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
  *port = ntohs(a.sin_port);
  assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
  return fd;
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
