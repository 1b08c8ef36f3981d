#ifndef CTSYNC_CLIBXML2_SHIM_H
#define CTSYNC_CLIBXML2_SHIM_H
#include <libxml/xmlversion.h>
/* The system libxml2 is built with ICU, so <libxml/encoding.h> includes the system <unicode/ucnv.h>. A Swift file
   that also imports Foundation then fails: Foundation's bundled ICU defines `UErrorCode` differently ("... is not
   present in definition of 'enum UErrorCode' in module 'CLibXML2'"). Only the ICU fields at the end of
   xmlCharEncodingHandler depend on it, and ctsync only ever holds pointers to that struct. */
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

/* xmlFree is a global function-pointer variable: Swift 6 rejects touching it directly. */
static inline void cxml_free(void *p) { xmlFree(p); }
#endif
