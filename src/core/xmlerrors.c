/*
** Fixed texts for libxml2's parser error codes. libxml2's own messages quote
** names and values from the input ("Opening and ending tag mismatch: X line
** 3 and Y", "Char 0x0 out of allowed range"), and values in an AX are
** personal data; so axlink keeps only the code and says what kind of error
** it is, in words of its own.
*/
#include "internal.h"

const char *axl_xml_error_text(int code) {
  switch (code) {
  case XML_ERR_NO_MEMORY: return "out of memory";
  case XML_ERR_DOCUMENT_START: return "no XML at the start of the input";
  case XML_ERR_DOCUMENT_EMPTY: return "document is empty";
  case XML_ERR_DOCUMENT_END: return "extra content after the root element";
  case XML_ERR_INVALID_HEX_CHARREF:
  case XML_ERR_INVALID_DEC_CHARREF:
  case XML_ERR_INVALID_CHARREF: return "invalid character reference";
  case XML_ERR_INVALID_CHAR: return "character not allowed in XML";
  case XML_ERR_CHARREF_AT_EOF:
  case XML_ERR_ENTITYREF_AT_EOF: return "reference cut off at end of input";
  case XML_ERR_ENTITYREF_NO_NAME:
  case XML_ERR_ENTITYREF_SEMICOL_MISSING:
    return "malformed entity reference (escape '&' as &amp;)";
  case XML_ERR_UNDECLARED_ENTITY: return "undeclared entity";
  case XML_ERR_UNKNOWN_ENCODING:
  case XML_ERR_UNSUPPORTED_ENCODING:
  case XML_ERR_INVALID_ENCODING:
  case XML_ERR_ENCODING_NAME: return "bad or unsupported encoding";
  case XML_ERR_STRING_NOT_STARTED:
  case XML_ERR_STRING_NOT_CLOSED: return "unterminated quoted string";
  case XML_ERR_LT_IN_ATTRIBUTE: return "'<' inside an attribute value";
  case XML_ERR_ATTRIBUTE_NOT_STARTED:
  case XML_ERR_ATTRIBUTE_NOT_FINISHED:
  case XML_ERR_ATTRIBUTE_WITHOUT_VALUE: return "malformed attribute";
  case XML_ERR_ATTRIBUTE_REDEFINED: return "attribute given twice";
  case XML_ERR_COMMENT_NOT_FINISHED: return "unterminated comment";
  case XML_ERR_PI_NOT_STARTED:
  case XML_ERR_PI_NOT_FINISHED: return "malformed processing instruction";
  case XML_ERR_XMLDECL_NOT_STARTED:
  case XML_ERR_XMLDECL_NOT_FINISHED: return "malformed XML declaration";
  case XML_ERR_MISPLACED_CDATA_END: return "']]>' not allowed in text";
  case XML_ERR_CDATA_NOT_FINISHED: return "unterminated CDATA section";
  case XML_ERR_RESERVED_XML_NAME: return "XML declaration not at the start";
  case XML_ERR_SPACE_REQUIRED: return "space required";
  case XML_ERR_NAME_REQUIRED: return "name expected";
  case XML_ERR_LT_REQUIRED: return "'<' expected";
  case XML_ERR_GT_REQUIRED: return "'>' expected";
  case XML_ERR_LTSLASH_REQUIRED: return "'</' expected";
  case XML_ERR_EQUAL_REQUIRED: return "'=' expected";
  case XML_ERR_TAG_NAME_MISMATCH: return "opening and ending tag mismatch";
  case XML_ERR_TAG_NOT_FINISHED: return "input ends inside an element";
  case XML_ERR_STANDALONE_VALUE: return "bad standalone value";
  case XML_ERR_HYPHEN_IN_COMMENT: return "'--' inside a comment";
  case XML_ERR_NOT_WELL_BALANCED: return "elements not well balanced";
  case XML_ERR_EXTRA_CONTENT: return "extra content at the end";
  case XML_ERR_ENTITY_LOOP: return "entity loop";
  case XML_ERR_VERSION_MISSING: return "XML declaration without version";
  case XML_ERR_UNKNOWN_VERSION:
  case XML_ERR_VERSION_MISMATCH: return "unsupported XML version";
  case XML_ERR_NAME_TOO_LONG: return "name too long";
  case XML_ERR_INTERNAL_ERROR: return "input beyond libxml2's limits";
  case XML_NS_ERR_UNDEFINED_NAMESPACE: return "undefined namespace prefix";
  case XML_NS_ERR_QNAME: return "malformed qualified name";
  case XML_NS_ERR_ATTRIBUTE_REDEFINED:
    return "attribute given twice (namespaces)";
  case XML_NS_ERR_XML_NAMESPACE: return "misuse of the xml namespace";
  case XML_NS_ERR_EMPTY: return "empty namespace name";
  case XML_NS_ERR_COLON: return "colon in a name";
  default: return "not well-formed XML";
  }
}
