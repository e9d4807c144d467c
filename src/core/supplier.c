/*
** The supplier behind a data-file key, inferred from its shape and always
** marked as inferred. An Ockto key is base64 of JSON holding consumerData
** with its Id (HDN's public BronAanvraagBericht sample shows one); nothing
** else is public, so every other key gives NULL.
*/
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static int b64(int c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

/* Decodes the first bytes of a base64 (or base64url) string into out. */
static size_t decode_prefix(const char *s, unsigned char *out, size_t size) {
  size_t n = 0;
  unsigned acc = 0;
  int bits = 0;
  for (; *s && *s != '=' && n < size; s++) {
    int v = b64((unsigned char)*s);
    if (v < 0) return 0;
    acc = (acc << 6) | (unsigned)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (unsigned char)((acc >> bits) & 0xFF);
    }
  }
  return n;
}

const char *axl_infer_supplier(const char *key) {
  unsigned char head[96];
  size_t n;
  if (!key || strlen(key) < 40) return NULL;
  n = decode_prefix(key, head, sizeof head - 1);
  head[n] = '\0';
  if (n > 16 && head[0] == '{' && strstr((char *)head, "\"consumerData\""))
    return "02 Ockto";
  return NULL;
}
