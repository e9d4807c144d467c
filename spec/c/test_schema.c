/* Schemas: nothing reaches the network or a file outside the schema's
** directory; limits from the XSD documents; validation reduced to kinds. */
#include "support.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

/* A listener on a free loopback port that must never see a connection. */
static void assert_no_connection(int fd) {
  int c = accept(fd, NULL, NULL);
  assert_true(c < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
  close(fd);
}

#define XS "<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'>"

static void remote_include_and_import_reach_nothing(void **state) {
  int port, fd = listen_loopback(&port);
  char xsd[512];
  axl_error err;
  (void)state;
  snprintf(xsd, sizeof xsd, XS "<xs:include schemaLocation="
           "'http://127.0.0.1:%d/x.xsd'/></xs:schema>", port);
  assert_null(axl_schema_parse(xsd, strlen(xsd), "spec/fixtures", &err));
  assert_string_equal(err.code, "AXL-S03");
  snprintf(xsd, sizeof xsd, XS "<xs:import namespace='urn:x' schemaLocation="
           "'http://127.0.0.1:%d/x.xsd'/></xs:schema>", port);
  assert_null(axl_schema_parse(xsd, strlen(xsd), "spec/fixtures", &err));
  assert_string_equal(err.code, "AXL-S03");
  /* A DOCTYPE with an external entity in the schema itself. */
  snprintf(xsd, sizeof xsd, "<!DOCTYPE xs:schema [<!ENTITY e SYSTEM "
           "'http://127.0.0.1:%d/e'>]>" XS "<xs:element name='a'>"
           "<xs:annotation><xs:documentation>&e;</xs:documentation>"
           "</xs:annotation></xs:element></xs:schema>", port);
  assert_null(axl_schema_parse(xsd, strlen(xsd), NULL, &err));
  assert_string_equal(err.code, "AXL-S02");
  assert_no_connection(fd);
}

static void xsi_schema_location_in_a_message_is_ignored(void **state) {
  int port, fd = listen_loopback(&port);
  const char *xsd = XS "<xs:element name='a'><xs:complexType><xs:sequence>"
                    "<xs:element name='b' type='xs:string'/></xs:sequence>"
                    "<xs:anyAttribute namespace='##other' processContents="
                    "'lax'/></xs:complexType></xs:element></xs:schema>";
  char xml[512];
  axl_schema *s;
  axl_message *m;
  axl_report r;
  (void)state;
  s = axl_schema_parse(xsd, strlen(xsd), NULL, NULL);
  assert_non_null(s);
  snprintf(xml, sizeof xml, "<a xmlns:xsi='http://www.w3.org/2001/XMLSchema-"
           "instance' xsi:noNamespaceSchemaLocation='http://127.0.0.1:%d/"
           "evil.xsd'><b>x</b></a>", port);
  m = axl_parse(xml, strlen(xml), NULL, NULL);
  assert_non_null(m);
  axl_report_init(&r);
  assert_int_equal(axl_validate(s, m, &r, NULL), 1);
  axl_report_free(&r);
  axl_message_free(m);
  axl_schema_free(s);
  assert_no_connection(fd);
}

static void includes_stay_under_the_schema_directory(void **state) {
  const char *abs = XS "<xs:include schemaLocation='/etc/hostname'/>"
                    "</xs:schema>";
  const char *up = XS "<xs:include schemaLocation='../Makefile'/>"
                   "</xs:schema>";
  const char *file = XS "<xs:include schemaLocation='file:///etc/passwd'/>"
                     "</xs:schema>";
  axl_error err;
  (void)state;
  assert_null(axl_schema_parse(abs, strlen(abs), "spec", &err));
  assert_string_equal(err.code, "AXL-S03");
  assert_non_null(strstr(err.message, "absolute"));
  assert_null(axl_schema_parse(up, strlen(up), "spec", &err));
  assert_string_equal(err.code, "AXL-S03");
  assert_non_null(strstr(err.message, "outside"));
  assert_null(axl_schema_parse(file, strlen(file), "spec", &err));
  assert_string_equal(err.code, "AXL-S03");
  /* Without a base directory no include is allowed at all. */
  assert_null(axl_schema_parse(up, strlen(up), NULL, &err));
  assert_string_equal(err.code, "AXL-S03");
}

static void limits_multiply_sum_and_choose(void **state) {
  const char *xsd =
    XS "<xs:element name='OfferteAanvraag'><xs:complexType><xs:sequence>"
    "<xs:element name='Hypotheekgever' maxOccurs='unbounded'><xs:complexType>"
    "<xs:sequence><xs:element name='Identificatie' minOccurs='0'>"
    "<xs:complexType><xs:sequence>"
    "<xs:sequence maxOccurs='3'><xs:element name='ExterneIdentificatie' "
    "type='xs:string' maxOccurs='2'/></xs:sequence>"
    "<xs:element name='ExterneIdentificatie' type='xs:string' minOccurs='0' "
    "maxOccurs='3'/>"
    "</xs:sequence></xs:complexType></xs:element></xs:sequence>"
    "</xs:complexType></xs:element>"
    "<xs:choice><xs:element name='Dataleverancier' type='xs:string' "
    "maxOccurs='9'/><xs:element name='Geen' type='xs:string'/></xs:choice>"
    "</xs:sequence></xs:complexType></xs:element></xs:schema>";
  axl_schema *s = axl_schema_parse(xsd, strlen(xsd), NULL, NULL);
  const axl_schema_limits *l;
  axl_report r;
  (void)state;
  assert_non_null(s);
  l = axl_schema_get_limits(s);
  /* max 3 x 2 + 3 = 9; min 1 x 1 + 0 = 1 (the sequence's minOccurs is 1). */
  assert_true(l->externe.max == 9 && l->externe.min == 1);
  /* max over the choice's branches, min over them too (0 via 'Geen'). */
  assert_true(l->dataleverancier.max == 9 && l->dataleverancier.min == 0);
  assert_false(l->unsupported);
  axl_report_init(&r);
  assert_int_equal(axl_schema_conformance(s, &r), 0);
  assert_int_equal(r.count, 0);
  axl_report_free(&r);
  axl_schema_free(s);
}

/* The order read off the XSD: first appearance, extension bases first,
** groups and refs followed, recursion cut, unknown parents -2. */
static void child_order_follows_the_content_model(void **state) {
  const char *xsd =
    XS "<xs:element name='R'><xs:complexType><xs:sequence>"
    "<xs:element ref='C'/>"
    "<xs:group ref='G'/>"
    "<xs:choice><xs:element name='X' type='xs:string'/>"
    "<xs:element name='A' type='xs:string'/></xs:choice>"
    "<xs:element name='B' type='xs:string'/>"
    "<xs:element name='E' type='Derived'/>"
    "<xs:element name='N' type='Nest'/>"
    "</xs:sequence></xs:complexType></xs:element>"
    "<xs:element name='C' type='xs:string'/>"
    "<xs:group name='G'><xs:sequence><xs:element name='B' "
    "type='xs:string'/><xs:element name='D' type='xs:string'/>"
    "</xs:sequence></xs:group>"
    "<xs:complexType name='Base'><xs:sequence><xs:element name='P' "
    "type='xs:string'/></xs:sequence></xs:complexType>"
    "<xs:complexType name='Derived'><xs:complexContent>"
    "<xs:extension base='Base'><xs:sequence><xs:element name='Q' "
    "type='xs:string'/></xs:sequence></xs:extension></xs:complexContent>"
    "</xs:complexType>"
    "<xs:complexType name='Nest'><xs:sequence><xs:element name='N' "
    "type='Nest' minOccurs='0'/><xs:element name='L' type='xs:string'/>"
    "</xs:sequence></xs:complexType>"
    "</xs:schema>";
  axl_schema *s = axl_schema_parse(xsd, strlen(xsd), NULL, NULL);
  (void)state;
  assert_non_null(s);
  assert_int_equal(axl_schema_child_index(s, "R", "C"), 0);   /* ref */
  assert_int_equal(axl_schema_child_index(s, "R", "B"), 1);   /* group */
  assert_int_equal(axl_schema_child_index(s, "R", "D"), 2);
  assert_int_equal(axl_schema_child_index(s, "R", "X"), 3);   /* choice */
  assert_int_equal(axl_schema_child_index(s, "R", "A"), 4);
  assert_int_equal(axl_schema_child_index(s, "R", "E"), 5);   /* B: first */
  assert_int_equal(axl_schema_child_index(s, "R", "Z"), -1);
  assert_int_equal(axl_schema_child_index(s, "R/E", "P"), 0); /* base */
  assert_int_equal(axl_schema_child_index(s, "R/E", "Q"), 1);
  assert_int_equal(axl_schema_child_index(s, "R/N", "L"), 1);
  /* A type inside itself: its path is not walked again. */
  assert_int_equal(axl_schema_child_index(s, "R/N/N", "L"), -2);
  assert_int_equal(axl_schema_child_index(s, "R/B", "x"), -2);
  assert_int_equal(axl_schema_child_index(s, "Nope", "C"), -2);
  assert_int_equal(axl_schema_child_index(NULL, "R", "C"), -2);
  axl_schema_free(s);
}

/* The fixture schemas' styles all give the same order at the places the
** ketenafspraak writes to. */
static void child_order_in_every_style(void **state) {
  const char *files[] = { "ax-base.xsd", "org-externe-2.xsd",
                          "org-externe-5.xsd", "org-externe-9.xsd",
                          "org-externe-1.xsd" };
  (void)state;
  for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
    char path[256];
    axl_schema *s;
    snprintf(path, sizeof path, "spec/fixtures/schemas/%s", files[i]);
    s = axl_schema_load(path, NULL);
    assert_non_null(s);
    assert_true(axl_schema_child_index(s, "OfferteAanvraag/Hypotheekgever",
                                       "Identificatie") >
                axl_schema_child_index(s, "OfferteAanvraag/Hypotheekgever",
                                       "Inkomsten"));
    assert_true(axl_schema_child_index(s, "OfferteAanvraag",
                                       "Dataleverancier") ==
                axl_schema_child_index(s, "OfferteAanvraag",
                                       "PartijNAWData") + 1);
    assert_true(axl_schema_child_index(
                    s, "OfferteAanvraag/Hypotheekgever/Identificatie",
                    "ExterneIdentificatie") >
                axl_schema_child_index(
                    s, "OfferteAanvraag/Hypotheekgever/Identificatie",
                    "LegitimatieNr"));
    assert_true(axl_schema_child_index(
                    s, "OfferteAanvraag/Hypotheekgever/Identificatie/"
                    "ExterneIdentificatie", "RefDataleverancier") >= 1);
    axl_schema_free(s);
  }
}

static void undecidable_constructs_are_reported(void **state) {
  const char *xsd =
    XS "<xs:element name='OfferteAanvraag'><xs:complexType><xs:sequence>"
    "<xs:element name='Hypotheekgever'><xs:complexType><xs:sequence>"
    "<xs:element name='Identificatie'><xs:complexType><xs:sequence>"
    "<xs:any processContents='lax' maxOccurs='unbounded'/>"
    "</xs:sequence></xs:complexType></xs:element></xs:sequence>"
    "</xs:complexType></xs:element>"
    "<xs:element name='Dataleverancier' type='xs:string' maxOccurs='9'/>"
    "</xs:sequence></xs:complexType></xs:element></xs:schema>";
  axl_schema *s = axl_schema_parse(xsd, strlen(xsd), NULL, NULL);
  axl_report r;
  (void)state;
  assert_non_null(s);
  assert_true(axl_schema_get_limits(s)->unsupported);
  axl_report_init(&r);
  axl_schema_conformance(s, &r);
  assert_int_equal(r.count, 1);
  assert_string_equal(r.items[0].code, "AXL-S22");
  assert_non_null(strstr(r.items[0].message, "xs:any"));
  assert_true(r.items[0].line > 0);
  axl_report_free(&r);
  axl_schema_free(s);
}

static void validation_problems_carry_no_values(void **state) {
  const char *xsd = XS "<xs:element name='a'><xs:complexType><xs:sequence>"
                    "<xs:element name='BSN'><xs:simpleType><xs:restriction "
                    "base='xs:string'><xs:pattern value='[0-9]{9}'/>"
                    "</xs:restriction></xs:simpleType></xs:element>"
                    "</xs:sequence></xs:complexType></xs:element></xs:schema>";
  const char *xml = "<a>\n<BSN>12345678X</BSN>\n</a>";
  axl_schema *s = axl_schema_parse(xsd, strlen(xsd), NULL, NULL);
  axl_message *m = axl_parse(xml, strlen(xml), NULL, NULL);
  axl_report r;
  (void)state;
  axl_report_init(&r);
  assert_int_equal(axl_validate(s, m, &r, NULL), 0);
  assert_int_equal(r.count, 1);
  assert_string_equal(r.items[0].code, "AXL-V02");
  assert_string_equal(r.items[0].path, "/a/BSN");
  assert_int_equal(r.items[0].line, 2);
  assert_null(strstr(r.items[0].message, "12345678X"));
  assert_null(strstr(r.items[0].message, "[0-9]"));
  axl_report_free(&r);
  axl_message_free(m);
  axl_schema_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(remote_include_and_import_reach_nothing),
    cmocka_unit_test(xsi_schema_location_in_a_message_is_ignored),
    cmocka_unit_test(includes_stay_under_the_schema_directory),
    cmocka_unit_test(limits_multiply_sum_and_choose),
    cmocka_unit_test(child_order_follows_the_content_model),
    cmocka_unit_test(child_order_in_every_style),
    cmocka_unit_test(undecidable_constructs_are_reported),
    cmocka_unit_test(validation_problems_carry_no_values),
  };
  return cmocka_run_group_tests_name("schema", tests, NULL, NULL);
}
