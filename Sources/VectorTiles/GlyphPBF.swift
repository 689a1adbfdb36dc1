/// One glyph of a font range: a signed distance field with a 3-pixel border
/// around the glyph box, and the box's metrics in pixels at 24 px.
///
/// `bitmap` holds `(width + 6) × (height + 6)` bytes, row by row (empty for a
/// glyph with no ink, e.g. a space). `top` is measured from the font's
/// ascender (bitmap top minus ascender), as MapLibre's server glyphs are.
public struct SDFGlyph: Sendable, Equatable {
    public var id: UInt32
    public var width: Int
    public var height: Int
    public var left: Int
    public var top: Int
    public var advance: Int
    public var bitmap: [UInt8]

    public init(id: UInt32, width: Int, height: Int, left: Int, top: Int, advance: Int, bitmap: [UInt8]) {
        self.id = id; self.width = width; self.height = height
        self.left = left; self.top = top; self.advance = advance; self.bitmap = bitmap
    }
}

/// Writes glyph ranges in the `glyphs.proto` format MapLibre reads from
/// `/fonts/{stack}/{start}-{end}.pbf`: `glyphs { fontstack stacks = 1 }`,
/// `fontstack { name = 1, range = 2, glyph glyphs = 3 }`, `glyph { id = 1,
/// bitmap = 2, width = 3, height = 4, left = 5 (sint32), top = 6 (sint32), advance = 7 }`.
public enum GlyphPBF {
    /// Size of the SDF border around each glyph box, in pixels (MapLibre's GLYPH_PBF_BORDER).
    public static let border = 3

    /// One fontstack message holding `glyphs` (ids in ascending order), named
    /// `stack`, for the range `start-end`.
    public static func encode(stack: String, start: Int, end: Int, glyphs: [SDFGlyph]) -> [UInt8] {
        var w = ProtobufWriter(capacity: 64 + glyphs.reduce(0) { $0 + $1.bitmap.count + 24 })
        w.message(1) { s in
            s.string(1, stack)
            s.string(2, "\(start)-\(end)")
            for g in glyphs {
                s.message(3) { m in
                    m.uint(1, UInt64(g.id))
                    if !g.bitmap.isEmpty { m.bytes(2, g.bitmap) }
                    m.uint(3, UInt64(max(0, g.width)))
                    m.uint(4, UInt64(max(0, g.height)))
                    m.sint(5, Int64(g.left))
                    m.sint(6, Int64(g.top))
                    m.uint(7, UInt64(max(0, g.advance)))
                }
            }
        }
        return w.bytes
    }
}
