import Foundation
import Synchronization
import VectorTiles

/// Fonts found in folders (a configured one, then the system's), served as
/// SDF glyph ranges for MapLibre (`/fonts/{stack}/{start}-{end}.pbf`).
///
/// A stack is a comma-separated list of font names; for each codepoint the
/// first font that has it wins. Generated ranges are cached (bounded by
/// bytes); a range is computed again only after the cache was emptied.
public final class FontLibrary: Sendable {
    /// A font as the catalog lists it.
    public struct Font: Sendable {
        public let name: String
        public let family: String
        public let style: String
        public let path: String
        /// Codepoints with a glyph, and the first and last of them.
        public let glyphs: Int
        public let first: UInt32
        public let last: UInt32
    }

    /// Fonts by name, in discovery order (earlier folders first).
    public let fonts: [Font]
    private let faces: [String: LockedFace]
    private let cache = Mutex(RangeCache())
    private let cacheBytes: Int

    private struct RangeCache {
        var entries: [String: CachedTile] = [:]
        var bytes = 0
    }

    /// Scans `folders` (recursively; missing folders are skipped) for .ttf,
    /// .otf, .ttc and .otc files; every scalable face is loaded once, a name
    /// seen before (an earlier folder) wins. Unreadable files are skipped.
    public init(folders: [String], cacheBytes: Int = 64 << 20) {
        self.cacheBytes = cacheBytes
        var fonts: [Font] = [], faces: [String: LockedFace] = [:]
        for folder in folders {
            for path in Self.fontFiles(in: folder) {
                for index in 0..<FontFace.faceCount(path: path) {
                    guard let locked = try? LockedFace(path: path, index: index) else { continue }
                    let font = locked.lock.withLock { face in
                        let points = face.codepoints()
                        return Font(name: face.name, family: face.family, style: face.style, path: path,
                                    glyphs: points.count, first: points.first ?? 0, last: points.last ?? 0)
                    }
                    guard faces[font.name] == nil else { continue }
                    fonts.append(font)
                    faces[font.name] = locked
                }
            }
        }
        self.fonts = fonts
        self.faces = faces
    }

    static func fontFiles(in folder: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        var out: [String] = []
        while let rel = walker.nextObject() as? String {
            let ext = (rel as NSString).pathExtension.lowercased()
            if ["ttf", "otf", "ttc", "otc"].contains(ext) { out.append(folder + "/" + rel) }
        }
        return out.sorted()
    }

    /// Checks a range: it must be exactly `n×256 … n×256+255` within Unicode.
    public static func checkRange(start: Int, end: Int) throws(MapAssetsError) {
        guard start >= 0, start % 256 == 0, end == start + 255, end <= 0x10FFFF else {
            throw MapAssetsError(.badRange, "glyph range \(start)-\(end) must be n×256-(n×256+255), e.g. 0-255 or 19968-20223")
        }
    }

    /// The PBF of one range for a stack (names separated by commas), gzipped
    /// copy and ETag included. Fonts of the stack that are not known are
    /// skipped; throws `.unknownFont` when none is known, `.badRange` for a
    /// range that is not n×256…n×256+255.
    public func range(stack: String, start: Int, end: Int) throws(MapAssetsError) -> CachedTile {
        try Self.checkRange(start: start, end: end)
        let names = stack.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let known = names.filter { faces[$0] != nil }
        guard !known.isEmpty else {
            throw MapAssetsError(.unknownFont, "no font named \(names.map { "\"\($0.prefix(64))\"" }.prefix(4).joined(separator: ", ")) is known; see /catalog")
        }
        let key = known.joined(separator: ",") + "/\(start)"
        if let hit = cache.withLock({ $0.entries[key] }) { return hit }
        var glyphs: [SDFGlyph] = []
        for cp in UInt32(start)...UInt32(end) {
            for name in known {
                guard let face = faces[name] else { continue }
                if let g = face.lock.withLock({ $0.render(cp) }) {
                    glyphs.append(g)
                    break
                }
            }
        }
        let bytes = GlyphPBF.encode(stack: known.joined(separator: ","), start: start, end: end, glyphs: glyphs)
        let answer: CachedTile
        do { answer = try CachedTile(body: bytes) } catch {
            throw MapAssetsError(.unreadable, "glyph range could not be compressed: \(error)")
        }
        cache.withLock { c in
            // Past the budget, start over: ranges are cheap to make again and few are hot.
            if c.bytes + bytes.count > cacheBytes { c = RangeCache() }
            c.entries[key] = answer
            c.bytes += bytes.count + answer.gzipped.count
        }
        return answer
    }

    /// Whether some font of the library has a glyph for `codepoint` (tests, checks).
    public func fonts(having codepoint: UInt32) -> [String] {
        fonts.map(\.name).filter { faces[$0]?.lock.withLock { $0.hasGlyph(codepoint) } ?? false }
    }
}

/// A FreeType face behind its lock (a `Mutex` cannot sit in a dictionary itself).
private final class LockedFace: Sendable {
    let lock: Mutex<FontFace>
    init(path: String, index: Int) throws(MapAssetsError) { lock = Mutex(try FontFace(path: path, index: index)) }
}
