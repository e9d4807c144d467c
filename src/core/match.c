/*
** Who is who: grading a CDL person against a Hypotheekgever's PartijNAWData
** (DESIGN 4.2). The host normally knows which dossier person started the
** CDL journey; these comparisons *verify* that, and only a "verified" grade
** may link without the host saying so. The BSN is never a factor.
**
** Names are folded through an explicit table rather than a locale: the
** Latin-1 Supplement and Latin Extended-A map to ASCII letters (ß -> ss,
** æ -> ae, œ -> oe, ø -> o, ł -> l, đ -> d, ı/İ -> i, the IJ digraph -> ij),
** combining marks U+0300..U+036F are dropped, and spaces, hyphens and
** apostrophes vanish, so "van der Berg", "Van der berg" and "vanderBerg"
** compare equal, and "Çelik" equals "Celik".
*/
#include "match.h"

#include <stdio.h>
#include <string.h>

/* U+00C0..U+017F folded; "" drops the character. */
static const char *const fold_table[0x180 - 0xC0] = {
  /* C0 */ "a", "a", "a", "a", "a", "a", "ae", "c",
  /* C8 */ "e", "e", "e", "e", "i", "i", "i", "i",
  /* D0 */ "d", "n", "o", "o", "o", "o", "o", "",
  /* D8 */ "o", "u", "u", "u", "u", "y", "th", "ss",
  /* E0 */ "a", "a", "a", "a", "a", "a", "ae", "c",
  /* E8 */ "e", "e", "e", "e", "i", "i", "i", "i",
  /* F0 */ "d", "n", "o", "o", "o", "o", "o", "",
  /* F8 */ "o", "u", "u", "u", "u", "y", "th", "y",
  /* 100 */ "a", "a", "a", "a", "a", "a", "c", "c",
  /* 108 */ "c", "c", "c", "c", "c", "c", "d", "d",
  /* 110 */ "d", "d", "e", "e", "e", "e", "e", "e",
  /* 118 */ "e", "e", "e", "e", "g", "g", "g", "g",
  /* 120 */ "g", "g", "g", "g", "h", "h", "h", "h",
  /* 128 */ "i", "i", "i", "i", "i", "i", "i", "i",
  /* 130 */ "i", "i", "ij", "ij", "j", "j", "k", "k",
  /* 138 */ "k", "l", "l", "l", "l", "l", "l", "l",
  /* 140 */ "l", "l", "l", "n", "n", "n", "n", "n",
  /* 148 */ "n", "n", "n", "n", "o", "o", "o", "o",
  /* 150 */ "o", "o", "oe", "oe", "r", "r", "r", "r",
  /* 158 */ "r", "r", "s", "s", "s", "s", "s", "s",
  /* 160 */ "s", "s", "t", "t", "t", "t", "t", "t",
  /* 168 */ "u", "u", "u", "u", "u", "u", "u", "u",
  /* 170 */ "u", "u", "u", "u", "w", "w", "y", "y",
  /* 178 */ "y", "z", "z", "z", "z", "z", "z", "s",
};

/* Decodes one UTF-8 sequence; returns its length (1 for a stray byte). */
static size_t utf8_next(const unsigned char *s, unsigned *cp) {
  if (s[0] < 0x80) { *cp = s[0]; return 1; }
  if ((s[0] & 0xE0) == 0xC0 && (s[1] & 0xC0) == 0x80) {
    *cp = ((s[0] & 0x1Fu) << 6) | (s[1] & 0x3Fu);
    return 2;
  }
  if ((s[0] & 0xF0) == 0xE0 && (s[1] & 0xC0) == 0x80 &&
      (s[2] & 0xC0) == 0x80) {
    *cp = ((s[0] & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
    return 3;
  }
  *cp = 0xFFFD;
  return 1;
}

size_t axl_fold_name(const char *in, char *out, size_t size) {
  const unsigned char *s = (const unsigned char *)(in ? in : "");
  size_t n = 0;
  if (!size) return 0;
  while (*s) {
    unsigned cp;
    const char *rep = NULL;
    char one[2] = {0, 0};
    size_t len = utf8_next(s, &cp);
    if (cp < 0x80) {
      if (cp == ' ' || cp == '-' || cp == '\'' || cp == '.' || cp == '\t')
        rep = "";
      else {
        one[0] = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
        rep = one;
      }
    } else if (cp >= 0xC0 && cp < 0x180) {
      rep = fold_table[cp - 0xC0];
    } else if ((cp >= 0x300 && cp <= 0x36F) || cp == 0x2019 || cp == 0x2018 ||
               cp == 0x2010 || cp == 0x2011 || cp == 0xA0) {
      rep = "";  /* combining marks, typographic apostrophes and hyphens */
    }
    if (rep) {
      size_t k = strlen(rep);
      if (n + k >= size) break;
      memcpy(out + n, rep, k);
      n += k;
    } else {
      if (n + len >= size) break;
      memcpy(out + n, s, len);  /* outside the table: compared as is */
      n += len;
    }
    s += len;
  }
  out[n] = '\0';
  return n;
}

/* ====================================================================
** Dates: "YYYY-MM-DD", where the CDL side may have 00 for unknown parts
** ==================================================================== */

static int parse_date(const char *s, int *y, int *m, int *d) {
  if (!s || strlen(s) < 10 || s[4] != '-' || s[7] != '-') return 0;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return 0;
  *y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
       (s[3] - '0');
  *m = (s[5] - '0') * 10 + (s[6] - '0');
  *d = (s[8] - '0') * 10 + (s[9] - '0');
  return 1;
}

axl_cmp axl_compare_dates(const char *cdl, const char *ax) {
  int y1, m1, d1, y2, m2, d2;
  if (!parse_date(cdl, &y1, &m1, &d1) || !parse_date(ax, &y2, &m2, &d2) ||
      y1 == 0)
    return AXL_CMP_UNKNOWN;
  if (y1 != y2) return AXL_CMP_CONFLICT;
  if (m1 && m2 && m1 != m2) return AXL_CMP_CONFLICT;
  if (d1 && d2 && (m1 && m2) && d1 != d2) return AXL_CMP_CONFLICT;
  return AXL_CMP_MATCH;
}

/* ====================================================================
** Names
** ==================================================================== */

#define NAME_MAX_FOLD 256

static void joined(const char *prefix, const char *name, char *out,
                   size_t size) {
  char buf[2 * NAME_MAX_FOLD + 2];
  snprintf(buf, sizeof buf, "%.256s %.256s", prefix ? prefix : "",
           name ? name : "");
  axl_fold_name(buf, out, size);
}

/* Does one hyphen-separated part of a equal the whole of b (folded)? */
static int part_equals(const char *raw, const char *folded_other) {
  char part[NAME_MAX_FOLD], f[NAME_MAX_FOLD];
  const char *p = raw;
  while (p && *p) {
    const char *dash = strchr(p, '-');
    size_t len = dash ? (size_t)(dash - p) : strlen(p);
    if (len >= sizeof part) len = sizeof part - 1;
    memcpy(part, p, len);
    part[len] = '\0';
    axl_fold_name(part, f, sizeof f);
    if (f[0] && strcmp(f, folded_other) == 0) return 1;
    p = dash ? dash + 1 : NULL;
  }
  return 0;
}

axl_name_cmp axl_compare_surnames(const axl_cdl_name *cdl,
                                  const axl_ax_name *ax, int date_matched) {
  char c_full[NAME_MAX_FOLD], c_bare[NAME_MAX_FOLD], a_full[NAME_MAX_FOLD],
       a_bare[NAME_MAX_FOLD], use[NAME_MAX_FOLD];
  if (!cdl->surname || !*cdl->surname) return AXL_NAME_UNKNOWN;
  if ((!ax->surname || !*ax->surname) &&
      (!ax->use_name || !*ax->use_name))
    return AXL_NAME_UNKNOWN;
  joined(cdl->prefix, cdl->surname, c_full, sizeof c_full);
  axl_fold_name(cdl->surname, c_bare, sizeof c_bare);
  if (ax->surname && *ax->surname) {
    joined(ax->prefix, ax->surname, a_full, sizeof a_full);
    axl_fold_name(ax->surname, a_bare, sizeof a_bare);
    /* Prefix + surname joined on both sides; one side may keep the
    ** tussenvoegsel inside the surname field, the other apart. */
    if (strcmp(c_full, a_full) == 0 || strcmp(c_bare, a_bare) == 0 ||
        strcmp(c_full, a_bare) == 0 || strcmp(c_bare, a_full) == 0)
      return AXL_NAME_BIRTH;
    /* Each part of a hyphenated (double) name. */
    if ((strchr(ax->surname, '-') && (part_equals(ax->surname, c_bare) ||
                                      part_equals(ax->surname, c_full))) ||
        (strchr(cdl->surname, '-') && (part_equals(cdl->surname, a_bare) ||
                                       part_equals(cdl->surname, a_full))))
      return AXL_NAME_PART;
  }
  /* A name of use (marriage, naamgebruik) counts only after the date. */
  if (date_matched && ax->use_name && *ax->use_name) {
    joined(ax->use_prefix, ax->use_name, use, sizeof use);
    if (strcmp(c_full, use) == 0 || strcmp(c_bare, use) == 0 ||
        part_equals(ax->use_name, c_bare))
      return AXL_NAME_USE;
  }
  return AXL_NAME_CONFLICT;
}

/* First letter of initials, letters only, folded; 0 when none. */
static char first_initial(const char *s) {
  char f[NAME_MAX_FOLD];
  axl_fold_name(s, f, sizeof f);
  for (const char *p = f; *p; p++)
    if (*p >= 'a' && *p <= 'z') return *p;
  return 0;
}

axl_cmp axl_compare_initials(const char *cdl, const char *ax) {
  char a = first_initial(cdl), b = first_initial(ax);
  if (!a || !b) return AXL_CMP_UNKNOWN;
  return a == b ? AXL_CMP_MATCH : AXL_CMP_CONFLICT;
}

axl_grade axl_grade_person(const axl_cdl_name *cdl, const axl_ax_name *ax) {
  axl_cmp date = axl_compare_dates(cdl->birth_date, ax->birth_date);
  axl_name_cmp name = axl_compare_surnames(cdl, ax, date == AXL_CMP_MATCH);
  axl_cmp init = axl_compare_initials(cdl->initials, ax->initials);
  int name_ok = name == AXL_NAME_BIRTH || name == AXL_NAME_PART ||
                name == AXL_NAME_USE;
  if (date == AXL_CMP_CONFLICT) return AXL_GRADE_MISMATCH;
  if (date == AXL_CMP_MATCH) {
    if (name_ok && init != AXL_CMP_CONFLICT) return AXL_GRADE_VERIFIED;
    return AXL_GRADE_PROBABLE;
  }
  /* No usable birth date on one side. */
  if (name == AXL_NAME_CONFLICT) return AXL_GRADE_MISMATCH;
  if (name_ok && init == AXL_CMP_MATCH) return AXL_GRADE_PROBABLE;
  return AXL_GRADE_UNVERIFIABLE;
}

const char *axl_grade_name(axl_grade g) {
  switch (g) {
  case AXL_GRADE_VERIFIED: return "verified";
  case AXL_GRADE_PROBABLE: return "probable";
  case AXL_GRADE_MISMATCH: return "mismatch";
  default: return "unverifiable";
  }
}

axl_grade axl_grade_of(const axl_link_person *p, const axl_partij_name *a) {
  axl_cdl_name c = { p->birth_date, p->initials, p->surname, p->prefix };
  return axl_grade_person(&c, a);
}
