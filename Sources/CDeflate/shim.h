#ifndef CTSYNC_CDEFLATE_SHIM_H
#define CTSYNC_CDEFLATE_SHIM_H
// libdeflate: whole-buffer zlib-format compression of stored versions, about twice as fast as zlib at level 1.
#include <libdeflate.h>
#endif
