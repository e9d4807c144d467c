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


/* XML 1.0 fifth edition NameStartChar and NameChar, without ':' (an NCName):
** the rules libxml2's parser applies, so a name it read can be written. */
static int name_start(unsigned cp) {
  return (cp >= 'A' && cp <= 'Z') || cp == '_' || (cp >= 'a' && cp <= 'z') ||
         (cp >= 0xC0 && cp <= 0xD6) || (cp >= 0xD8 && cp <= 0xF6) ||
         (cp >= 0xF8 && cp <= 0x2FF) || (cp >= 0x370 && cp <= 0x37D) ||
         (cp >= 0x37F && cp <= 0x1FFF) || (cp >= 0x200C && cp <= 0x200D) ||
         (cp >= 0x2070 && cp <= 0x218F) || (cp >= 0x2C00 && cp <= 0x2FEF) ||
         (cp >= 0x3001 && cp <= 0xD7FF) || (cp >= 0xF900 && cp <= 0xFDCF) ||
         (cp >= 0xFDF0 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0xEFFFF);
}

static int name_char(unsigned cp) {
  return name_start(cp) || cp == '-' || cp == '.' || (cp >= '0' && cp <= '9') ||
         cp == 0xB7 || (cp >= 0x300 && cp <= 0x36F) ||
         (cp >= 0x203F && cp <= 0x2040);
}

int axl_ncname_ok(const char *name, size_t len) {
  const unsigned char *s = (const unsigned char *)name, *e = s + len;
  int first = 1;
  if (!len || !axl_xml_text_ok(name, len)) return 0;
  while (s < e) {
    unsigned cp = *s, n = 0;
    if (cp >= 0xF0) { cp &= 0x07; n = 3; }
    else if (cp >= 0xE0) { cp &= 0x0F; n = 2; }
    else if (cp >= 0xC0) { cp &= 0x1F; n = 1; }
    for (unsigned i = 1; i <= n; i++) cp = (cp << 6) | (s[i] & 0x3F);
    if (first ? !name_start(cp) : !name_char(cp)) return 0;
    first = 0;
    s += n + 1;
  }
  return 1;
}
