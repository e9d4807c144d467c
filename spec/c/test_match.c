/* Person matching: folding, dates, names, initials, grades. */
#include "support.h"

#include "match.h"

static void folds(const char *in, const char *want) {
  char out[128];
  axl_fold_name(in, out, sizeof out);
  assert_string_equal(out, want);
}

static void names_fold_through_the_table(void **state) {
  (void)state;
  folds("van der Berg", "vanderberg");
  folds("Van Der  berg", "vanderberg");
  folds("Çelik", "celik");
  folds("Zoë", "zoe");
  folds("Groß", "gross");
  folds("Ødegård", "odegard");
  folds("Æsir", "aesir");
  folds("Œuvre", "oeuvre");
  folds("Łukasz", "lukasz");
  folds("Đorđević", "dordevic");
  folds("İsmail Işık", "ismailisik");
  folds("\xC4\xB2sselmuiden", "ijsselmuiden");   /* Ĳ digraph */
  folds("IJsselmuiden", "ijsselmuiden");
  folds("d'Ancona", "dancona");
  folds("d\xE2\x80\x99" "Ancona", "dancona");      /* typographic ’ */
  folds("Jansen-de Vries", "jansendevries");
  folds("Noe\xCC\x88l", "noel");                   /* e + combining diaeresis */
  folds("Šimić", "simic");
}

static void dates_compare_known_parts_only(void **state) {
  (void)state;
  assert_int_equal(axl_compare_dates("1958-12-12", "1958-12-12"), AXL_CMP_MATCH);
  assert_int_equal(axl_compare_dates("1958-00-00", "1958-12-12"), AXL_CMP_MATCH);
  assert_int_equal(axl_compare_dates("1958-12-00", "1958-12-31"), AXL_CMP_MATCH);
  assert_int_equal(axl_compare_dates("1958-11-00", "1958-12-31"), AXL_CMP_CONFLICT);
  assert_int_equal(axl_compare_dates("1959-00-00", "1958-12-31"), AXL_CMP_CONFLICT);
  assert_int_equal(axl_compare_dates("1958-12-13", "1958-12-12"), AXL_CMP_CONFLICT);
  assert_int_equal(axl_compare_dates(NULL, "1958-12-12"), AXL_CMP_UNKNOWN);
  assert_int_equal(axl_compare_dates("12-12-1958", "1958-12-12"), AXL_CMP_UNKNOWN);
}

static void initials_first_letter_decides(void **state) {
  (void)state;
  assert_int_equal(axl_compare_initials("Th", "T.H."), AXL_CMP_MATCH);
  assert_int_equal(axl_compare_initials("IJ", "I.J."), AXL_CMP_MATCH);
  assert_int_equal(axl_compare_initials("Chr.", "C"), AXL_CMP_MATCH);
  assert_int_equal(axl_compare_initials("J.", "K."), AXL_CMP_CONFLICT);
  assert_int_equal(axl_compare_initials("", "K."), AXL_CMP_UNKNOWN);
}

static axl_grade grade(const char *date, const char *ini, const char *prefix,
                       const char *sur, const char *ax_date,
                       const char *ax_ini, const char *ax_prefix,
                       const char *ax_sur, const char *use) {
  axl_cdl_name c = { date, ini, sur, prefix };
  axl_ax_name a = { ax_date, ax_ini, ax_sur, ax_prefix, use, NULL };
  return axl_grade_person(&c, &a);
}

static void grades(void **state) {
  (void)state;
  /* Tussenvoegsel apart on one side, inside on the other. */
  assert_int_equal(grade("1980-03-14", "Th", "van den", "Berg", "1980-03-14",
                         "T.", NULL, "Van den Berg", NULL), AXL_GRADE_VERIFIED);
  /* Accents and case. */
  assert_int_equal(grade("1975-01-02", "H", NULL, "Celik", "1975-01-02", "H.E.",
                         NULL, "Çelik", NULL), AXL_GRADE_VERIFIED);
  /* One part of a double name. */
  assert_int_equal(grade("1975-01-02", "A", NULL, "Jansen", "1975-01-02", "A",
                         NULL, "Jansen-Bakker", NULL), AXL_GRADE_VERIFIED);
  /* Name of use counts only after the birth date matched. */
  assert_int_equal(grade("1975-01-02", "A", NULL, "Bakker", "1975-01-02", "A",
                         NULL, "Jansen", "Bakker"), AXL_GRADE_VERIFIED);
  assert_int_equal(grade(NULL, "A", NULL, "Bakker", "1975-01-02", "A",
                         NULL, "Jansen", "Bakker"), AXL_GRADE_MISMATCH);
  /* Partial BRP date. */
  assert_int_equal(grade("1975-00-00", "A", NULL, "Jansen", "1975-06-02", "A",
                         NULL, "Jansen", NULL), AXL_GRADE_VERIFIED);
  /* Date conflict: mismatch whatever the name. */
  assert_int_equal(grade("1975-01-03", "A", NULL, "Jansen", "1975-01-02", "A",
                         NULL, "Jansen", NULL), AXL_GRADE_MISMATCH);
  /* Date matches, surname differs (a marriage name not recorded). */
  assert_int_equal(grade("1975-01-02", "A", NULL, "Pietersen", "1975-01-02",
                         "A", NULL, "Jansen", NULL), AXL_GRADE_PROBABLE);
  /* Date matches, initials differ. */
  assert_int_equal(grade("1975-01-02", "B", NULL, "Jansen", "1975-01-02", "A",
                         NULL, "Jansen", NULL), AXL_GRADE_PROBABLE);
  /* A pension export: no name at all. */
  assert_int_equal(grade("1975-01-02", NULL, NULL, NULL, "1975-01-02", "A",
                         NULL, "Jansen", NULL), AXL_GRADE_PROBABLE);
  /* Nothing to compare. */
  assert_int_equal(grade(NULL, NULL, NULL, NULL, "1975-01-02", "A", NULL,
                         "Jansen", NULL), AXL_GRADE_UNVERIFIABLE);
  /* No date, name and initials agree: probable, never verified. */
  assert_int_equal(grade(NULL, "A", NULL, "Jansen", "1975-01-02", "A", NULL,
                         "Jansen", NULL), AXL_GRADE_PROBABLE);
}

/* The public axl_grade_of grades as linking does (and axlink.grade). */
static void grade_of_a_delivery_person(void **state) {
  axl_link_person p = { "id", "1957-11-00", "Th", "Berg", "van den",
                        AXL_MATCH_SKIP, 0, NULL };
  axl_partij_name a = { "1957-11-08", "Th", "Berg", "van den", NULL, NULL };
  (void)state;
  assert_int_equal(axl_grade_of(&p, &a), AXL_GRADE_VERIFIED);
  a.birth_date = "1957-12-08";
  assert_int_equal(axl_grade_of(&p, &a), AXL_GRADE_MISMATCH);
  a.birth_date = "1957-11-08";
  a.surname = "Bergen";
  assert_int_equal(axl_grade_of(&p, &a), AXL_GRADE_PROBABLE);
  p.birth_date = NULL;
  p.surname = NULL;
  p.initials = NULL;
  assert_int_equal(axl_grade_of(&p, &a), AXL_GRADE_UNVERIFIABLE);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(grade_of_a_delivery_person),
    cmocka_unit_test(names_fold_through_the_table),
    cmocka_unit_test(dates_compare_known_parts_only),
    cmocka_unit_test(initials_first_letter_decides),
    cmocka_unit_test(grades),
  };
  return cmocka_run_group_tests_name("match", tests, NULL, NULL);
}
