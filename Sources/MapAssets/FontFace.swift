import CFreeType
import VectorTiles

/// One face of a TTF/OTF/TTC file opened with FreeType at 24 px.
///
/// Owns its own `FT_Library` and `FT_Face` (a library per face, so no two
/// faces share FreeType state), both released in `deinit` and nowhere else.
/// Not `Sendable`: a FreeType face is used by one thread at a time;
/// `FontLibrary` keeps each face behind a `Mutex`.
final class FontFace {
    private let library: FT_Library
    private let face: FT_Face
    /// "Family Style", e.g. "WenQuanYi Micro Hei Regular": the name fontstacks use.
    let name: String
    let family: String
    let style: String
    /// Ascender at 24 px, in pixels: glyph tops are measured from it.
    let ascender: Int
    private var sdf = SignedDistanceField()

    /// Number of faces in a font file (several in a .ttc), 0 if FreeType cannot read it.
    static func faceCount(path: String) -> Int {
        var lib: FT_Library?
        guard FT_Init_FreeType(&lib) == 0, let lib else { return 0 }
        defer { FT_Done_FreeType(lib) }
        var f: FT_Face?
        guard FT_New_Face(lib, path, -1, &f) == 0, let f else { return 0 }
        defer { FT_Done_Face(f) }
        return Int(f.pointee.num_faces)
    }

    init(path: String, index: Int) throws(MapAssetsError) {
        var lib: FT_Library?
        guard FT_Init_FreeType(&lib) == 0, let lib else { throw MapAssetsError(.unreadable, "FreeType did not start") }
        var f: FT_Face?
        guard FT_New_Face(lib, path, index, &f) == 0, let f else {
            FT_Done_FreeType(lib)
            throw MapAssetsError(.unreadable, "FreeType cannot read face \(index) of \(path)")
        }
        guard f.pointee.face_flags & FT_Long(FT_FACE_FLAG_SCALABLE) != 0,
              FT_Set_Pixel_Sizes(f, 0, FT_UInt(SignedDistanceField.fontSize)) == 0 else {
            FT_Done_Face(f)
            FT_Done_FreeType(lib)
            throw MapAssetsError(.unreadable, "face \(index) of \(path) is not a scalable font")
        }
        library = lib
        face = f
        family = f.pointee.family_name.map { String(cString: $0) } ?? "Unknown"
        style = f.pointee.style_name.map { String(cString: $0) } ?? "Regular"
        name = "\(family) \(style)"
        ascender = Int(f.pointee.size.pointee.metrics.ascender >> 6)
    }

    deinit {
        FT_Done_Face(face)
        FT_Done_FreeType(library)
    }

    func hasGlyph(_ codepoint: UInt32) -> Bool { FT_Get_Char_Index(face, FT_ULong(codepoint)) != 0 }

    /// Codepoints the face maps, in ascending order.
    func codepoints() -> [UInt32] {
        var out: [UInt32] = []
        var index: FT_UInt = 0
        var c = FT_Get_First_Char(face, &index)
        while index != 0 {
            out.append(UInt32(truncatingIfNeeded: c))
            c = FT_Get_Next_Char(face, c, &index)
        }
        return out
    }

    /// The SDF glyph of `codepoint`, nil when the face has none or FreeType fails.
    func render(_ codepoint: UInt32) -> SDFGlyph? {
        guard hasGlyph(codepoint) else { return nil }
        // Unhinted outlines: hinting would snap stems to the 24 px grid that MapLibre then scales.
        guard FT_Load_Char(face, FT_ULong(codepoint), FT_Int32(FT_LOAD_RENDER | FT_LOAD_NO_HINTING)) == 0,
              let slot = face.pointee.glyph else { return nil }
        let bm = slot.pointee.bitmap
        let advance = Int((slot.pointee.metrics.horiAdvance + 32) >> 6)
        let width = Int(bm.width), height = Int(bm.rows)
        var glyph = SDFGlyph(id: codepoint, width: width, height: height, left: Int(slot.pointee.bitmap_left),
                             top: Int(slot.pointee.bitmap_top) - ascender, advance: advance, bitmap: [])
        guard width > 0, height > 0, let pixels = bm.buffer, bm.pitch > 0,
              bm.pixel_mode == UInt8(FT_PIXEL_MODE_GRAY.rawValue) else {
            glyph.width = 0
            glyph.height = 0
            return glyph
        }
        let pitch = Int(bm.pitch)
        glyph.bitmap = sdf.make(coverage: UnsafeBufferPointer(start: pixels, count: pitch * height), pitch: pitch, width: width, height: height)
        return glyph
    }
}
