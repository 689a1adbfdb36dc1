#ifndef CITYTWIN_CGEOS_SHIM_H
#define CITYTWIN_CGEOS_SHIM_H
// Only the reentrant (_r) API: one context per thread of use.
// GEOSMessageHandler_r receives an already formatted message, so Swift can
// install it directly; no variadic adapter is needed here.
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>
#endif
