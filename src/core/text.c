/*
** Text that may go into a document: axlink writes only what it can read
** back, so anything a caller hands it (a table value, a key from a CDL file)
** is checked before it becomes a text node or an attribute.
*/
#include "internal.h"

/* Text that XML 1.0 can carry, in UTF-8: no C0 controls but TAB/LF/CR, no surrogates,
** no U+FFFE/U+FFFF, no overlong forms. */
int axl_xml_text_ok(const char *text, size_t len) {
  const unsigned char *s = (const unsigned char *)text, *e = s + len;
  while (s < e) {
    unsigned c = *s;
    unsigned cp, n;
    if (c < 0x80) {
      if (c < 0x20 && c != 0x09 && c != 0x0A && c != 0x0D) return 0;
      s++;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07; }
    else return 0;
    if ((size_t)(e - s) <= n) return 0;
    for (unsigned i = 1; i <= n; i++) {
      if ((s[i] & 0xC0) != 0x80) return 0;
      cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
      return 0;
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF)
      return 0;
    s += n + 1;
  }
  return 1;
}

