#ifndef CITYTWIN_CFREETYPE_SHIM_H
#define CITYTWIN_CFREETYPE_SHIM_H
// FreeType 2 through its one public entry header. FT_FREETYPE_H is a macro
// naming <freetype/freetype.h>; ft2build.h must come first.
#include <ft2build.h>
#include FT_FREETYPE_H
#endif
