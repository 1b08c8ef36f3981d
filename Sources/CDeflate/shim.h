#ifndef CTSYNC_CDEFLATE_SHIM_H
#define CTSYNC_CDEFLATE_SHIM_H
// libdeflate: CRC-32 and one-call raw inflate of zip entries.
#include <libdeflate.h>
#endif
