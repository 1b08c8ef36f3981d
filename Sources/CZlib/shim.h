#ifndef CTSYNC_CZLIB_SHIM_H
#define CTSYNC_CZLIB_SHIM_H
#include <zlib.h>
#endif
