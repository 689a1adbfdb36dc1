import Foundation
import Geo
import MapAssets
import Testing
import TestSupport
import VectorTiles

/// Glyph ranges rendered with FreeType, decoded by Google's protobuf runtime
/// from `glyphs.proto` and compared with fontconfig's view of the font.
@Suite struct FontLibraryTests {
    static let cjkFont = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
    static let latinFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    static let library = FontLibrary(folders: ["/usr/share/fonts/truetype/wqy", "/usr/share/fonts/truetype/dejavu"])

    static func check(font: String, index: Int = 0, _ files: [String]) throws -> JSONValue {
        let r = try TestSupport.run(TestSupport.python, [TestSupport.projectRoot + "/Tests/Checkers/glyphs_check.py", font, String(index)] + files)
        guard r.status == 0 else { throw TestSupport.CheckerMissing(message: "glyphs_check.py failed: \(r.stderr.suffix(2000))") }
        return try JSONParser.parse(r.stdout)
    }

    @Test func fontsAreFoundWithTheirNames() throws {
        let names = Self.library.fonts.map(\.name)
        #expect(names.contains("WenQuanYi Micro Hei Regular"), "\(names)")
        #expect(names.contains("DejaVu Sans Book"), "\(names)")
        let cjk = try #require(Self.library.fonts.first { $0.name == "WenQuanYi Micro Hei Regular" })
        #expect(cjk.glyphs > 20_000 && cjk.first <= 0x20 && cjk.last >= 0x9FA5)
    }

    @Test func latinAndCJKRangesDecodeWithTheReferenceSchema() throws {
        let dir = TestSupport.scratch()
        let latin = try Self.library.range(stack: "DejaVu Sans Book", start: 0, end: 255)
        let cjk = try Self.library.range(stack: "WenQuanYi Micro Hei Regular", start: 0x4E00, end: 0x4EFF)
        let road = try Self.library.range(stack: "WenQuanYi Micro Hei Regular", start: 0x8D00, end: 0x8DFF)
        TestSupport.write(bytes: latin.body, to: dir + "/latin.pbf")
        TestSupport.write(bytes: cjk.body, to: dir + "/cjk.pbf")
        TestSupport.write(bytes: road.body, to: dir + "/road.pbf")
        let l = try Self.check(font: Self.latinFont, [dir + "/latin.pbf"]).arrayValue?.first
        #expect(l?["stacks"] == .number(1) && l?["name"] == .string("DejaVu Sans Book") && l?["range"] == .string("0-255"))
        // Every codepoint fontconfig says the font has is there, and nothing else.
        #expect(l?["missing"] == .array([]) && l?["extra"] == .array([]), "\(l ?? .null)")
        #expect((l?["glyphs"]?.doubleValue ?? 0) > 180 && l?["glyphs"] == l?["font_has"])
        #expect(l?["ids_sorted"] == .bool(true) && l?["ids_in_range"] == .bool(true))
        #expect(l?["printable_zero_advance"] == .array([]) && l?["bad_bitmaps"] == .array([]), "\(l ?? .null)")
        #expect(l?["sdf_without_inside"] == .array([]) && l?["sdf_without_outside"] == .array([]), "\(l ?? .null)")
        // "A": about 16×17 px at 24 px, a positive advance, top measured from the ascender (≤ 0).
        let a = l?["sample"]?["65"]?.arrayValue?.compactMap(\.doubleValue) ?? []
        #expect(a.count == 5 && (12...20).contains(a[0]) && (15...20).contains(a[1]) && a[3] <= 0 && (14...19).contains(a[4]), "\(a)")
        for report in try Self.check(font: Self.cjkFont, [dir + "/cjk.pbf", dir + "/road.pbf"]).arrayValue ?? [] {
            #expect(report["missing"] == .array([]) && report["extra"] == .array([]), "\(report)")
            #expect((report["glyphs"]?.doubleValue ?? 0) == 256 && report["glyphs"] == report["font_has"], "\(report)")
            #expect(report["printable_zero_advance"] == .array([]) && report["bad_bitmaps"] == .array([]), "\(report)")
            #expect(report["sdf_without_inside"] == .array([]), "\(report)")
        }
    }

    @Test func aCompositeStackTakesEachGlyphFromTheFirstFontHavingIt() throws {
        let dir = TestSupport.scratch()
        let stacks = ["DejaVu Sans Book,WenQuanYi Micro Hei Regular", "DejaVu Sans Book", "WenQuanYi Micro Hei Regular"]
        for (k, stack) in stacks.enumerated() {
            for start in [0, 0x4E00] {
                TestSupport.write(bytes: try Self.library.range(stack: stack, start: start, end: start + 255).body, to: dir + "/\(k)-\(start).pbf")
            }
        }
        let files = stacks.indices.flatMap { k in [0, 0x4E00].map { dir + "/\(k)-\($0).pbf" } }
        let r = try Self.check(font: Self.cjkFont, files).arrayValue ?? []
        try #require(r.count == 6)
        func digests(_ k: Int) -> [String: String] {
            Dictionary(uniqueKeysWithValues: (r[k]["digests"]?.objectValue?.members ?? []).map { ($0.key, $0.value.stringValue ?? "") })
        }
        for block in 0..<2 {
            let composite = digests(block), latin = digests(2 + block), cjk = digests(4 + block)
            #expect(!composite.isEmpty)
            for (id, digest) in composite {
                // DejaVu's glyph when it has one, else the CJK font's.
                #expect(digest == (latin[id] ?? cjk[id]), "glyph \(id)")
            }
            #expect(Set(composite.keys) == Set(latin.keys).union(cjk.keys))
        }
        // DejaVu has no ideographs: the whole CJK block comes from the second font.
        #expect(digests(1) == digests(5) && digests(3).isEmpty)
        // Unknown names are skipped; a stack of unknown names only is an error.
        let latinOnly = try Self.library.range(stack: "DejaVu Sans Book", start: 0, end: 255)
        #expect(try Self.library.range(stack: "No Such Font,DejaVu Sans Book", start: 0, end: 255).etag == latinOnly.etag)
        #expect(throws: MapAssetsError.self) { try Self.library.range(stack: "No Such Font", start: 0, end: 255) }
    }

    /// A range is rendered once; asked again, it comes from the cache (same bytes, a small fraction of the time).
    @Test func aRangeIsMadeOnceThenServedFromTheCache() throws {
        let library = FontLibrary(folders: ["/usr/share/fonts/truetype/wqy"])
        let clock = ContinuousClock()
        var first: CachedTile?, again: CachedTile?
        let made = try clock.measure { first = try library.range(stack: "WenQuanYi Micro Hei Regular", start: 0x6000, end: 0x60FF) }
        let cached = try clock.measure { again = try library.range(stack: "WenQuanYi Micro Hei Regular", start: 0x6000, end: 0x60FF) }
        #expect(first?.body == again?.body && (first?.body.count ?? 0) > 50_000)
        #expect(cached * 10 < made, "made in \(made), again in \(cached)")
    }

    @Test func rangesMustBeWholeBlocksOf256() {
        for (s, e) in [(0, 256), (1, 256), (256, 510), (-256, -1), (0x110000, 0x1100FF), (512, 255)] {
            #expect(throws: MapAssetsError.self) { try FontLibrary.checkRange(start: s, end: e) }
        }
        #expect(throws: Never.self) { try FontLibrary.checkRange(start: 0xFF00, end: 0xFFFF) }
    }

    @Test func anEmptyRangeIsAValidMessageWithNoGlyphs() throws {
        let r = try Self.library.range(stack: "DejaVu Sans Book", start: 0xE000, end: 0xE0FF)
        let dir = TestSupport.scratch()
        TestSupport.write(bytes: r.body, to: dir + "/pua.pbf")
        let report = try Self.check(font: Self.latinFont, [dir + "/pua.pbf"]).arrayValue?.first
        #expect(report?["range"] == .string("57344-57599") && report?["glyphs"] == report?["font_has"])
    }
}
