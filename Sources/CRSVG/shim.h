#ifndef CITYTWIN_CRSVG_SHIM_H
#define CITYTWIN_CRSVG_SHIM_H
// librsvg 2.5x renders SVG onto cairo surfaces; cairo also writes the PNG
// (cairo_surface_write_to_png_stream), so no PNG or deflate code of our own.
// rsvg.h pulls in glib, gdk-pixbuf and cairo; RSVG_DISABLE_DEPRECATION_WARNINGS
// keeps its deprecated declarations quiet (we call none of them).
#define RSVG_DISABLE_DEPRECATION_WARNINGS
#include <librsvg/rsvg.h>
#include <cairo.h>
#endif
