#ifndef CITYTWIN_CLIBDEFLATE_SHIM_H
#define CITYTWIN_CLIBDEFLATE_SHIM_H
// libdeflate: whole-buffer DEFLATE/gzip, the shape of a tile body.
#include <libdeflate.h>
#endif
