#ifndef CITYTWIN_CGDAL_SHIM_H
#define CITYTWIN_CGDAL_SHIM_H
// GDAL's C API for reading vector data (OGR): datasets, layers, features,
// geometries and spatial references. Errors are read back with
// CPLGetLastErrorType/Msg, which are thread-local, so a reader on one
// thread sees only its own errors.
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#endif
