/*
** The canonical form (DESIGN 3.2): libxml2's own serialiser with "utf-8"
** in lower case (it writes the name as given into the declaration), a tab
** as indent string (thread-local, set by the guard) and formatting on. The
** parser already dropped whitespace-only text, so libxml2 indents every
** element-only element and leaves text-only ones on one line: HDN's bytes.
*/
#include "internal.h"

#include <string.h>

#include <libxml/xmlsave.h>

int axl_serialize(const axl_message *m, char **out, size_t *len,
                  axl_error *err) {
  axl_guard g;
  xmlBufferPtr buf;
  xmlSaveCtxtPtr save;
  int rc = -1;
  axl_error_clear(err);
  *out = NULL;
  *len = 0;
  axl_guard_enter(&g);
  buf = xmlBufferCreate();
  save = buf ? xmlSaveToBuffer(buf, "utf-8", XML_SAVE_FORMAT) : NULL;
  if (!save) {
    axl_error_set(err, "AXL-W05", 0, "out of memory while serialising");
  } else {
    long written = xmlSaveDoc(save, m->doc);
    if (xmlSaveClose(save) < 0 || written < 0) {
      axl_error_set(err, "AXL-W05", 0, "serialising failed");
    } else {
      /* The buffer's memory is handed over, not copied. */
      size_t n = (size_t)xmlBufferLength(buf);
      xmlChar *bytes = xmlBufferDetach(buf);
      if (!bytes) {
        axl_error_set(err, "AXL-W05", 0, "out of memory while serialising");
      } else {
        *out = (char *)bytes;
        *len = n;
        rc = 0;
      }
    }
  }
  if (buf) xmlBufferFree(buf);
  if (axl_guard_leave(&g) && rc == 0) {
    xmlFree(*out);
    *out = NULL;
    *len = 0;
    rc = -1;
    axl_error_set(err, "AXL-W05", 0, "out of memory while serialising");
  }
  return rc;
}
