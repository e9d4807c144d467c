/*
** Person matching (match.c): name folding, date and name comparison, and
** the grade of one CDL person against one PartijNAWData.
*/
#ifndef AXL_MATCH_H
#define AXL_MATCH_H

#include <stddef.h>

#include "axlink.h"   /* axl_grade, axl_grade_name */

typedef enum axl_cmp {
  AXL_CMP_UNKNOWN = 0, AXL_CMP_MATCH, AXL_CMP_CONFLICT
} axl_cmp;

typedef enum axl_name_cmp {
  AXL_NAME_UNKNOWN = 0,
  AXL_NAME_BIRTH,     /* birth surname (with tussenvoegsels) */
  AXL_NAME_PART,      /* one part of a hyphenated name */
  AXL_NAME_USE,       /* CorrespondentieNaam, after the birth date matched */
  AXL_NAME_CONFLICT
} axl_name_cmp;

/* The CDL's view of a person (values borrowed; any may be NULL). */
typedef struct axl_cdl_name {
  const char *birth_date;   /* "1958-12-12", "1958-00-00", "1958-12-00" */
  const char *initials;
  const char *surname;
  const char *prefix;
} axl_cdl_name;

/* The AX's view: a PartijNAWData's name fields (axlink.h). */
typedef axl_partij_name axl_ax_name;

/* Folds a name into out (always NUL-terminated); returns its length. */
size_t axl_fold_name(const char *in, char *out, size_t size);

axl_cmp axl_compare_dates(const char *cdl, const char *ax);
axl_name_cmp axl_compare_surnames(const axl_cdl_name *cdl,
                                  const axl_ax_name *ax, int date_matched);
axl_cmp axl_compare_initials(const char *cdl, const char *ax);
axl_grade axl_grade_person(const axl_cdl_name *cdl, const axl_ax_name *ax);

#endif
