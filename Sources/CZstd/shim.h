#ifndef CTSYNC_CZSTD_SHIM_H
#define CTSYNC_CZSTD_SHIM_H
// zstd: the compression of stored versions, about twice as fast as deflate at level 1 and smaller.
#include <zstd.h>
#endif
