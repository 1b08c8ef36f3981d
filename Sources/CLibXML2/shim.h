#ifndef CTSYNC_CLIBXML2_SHIM_H
#define CTSYNC_CLIBXML2_SHIM_H
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

/* xmlFree is a global function-pointer variable: Swift 6 rejects touching it directly. */
static inline void cxml_free(void *p) { xmlFree(p); }
#endif
