#ifndef CTSYNC_CTZLIB_SHIM_H
#define CTSYNC_CTZLIB_SHIM_H
#include <zlib.h>
#endif
