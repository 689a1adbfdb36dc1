import Foundation
import Testing
import TestSupport
@testable import Geo

/// Issue 18: input that used to reach a runtime trap in Geo now throws or is
/// handled; fuzz tests feed mutated inputs to every decoder and require only
/// that it returns or throws.
@Suite struct TrapFreeInputTests {
    typealias Rng = SplitMix64

    /// Truncations, bit flips, byte overwrites, deletions and duplications of `seed`.
    static func mutations(of seed: [UInt8], count: Int, rng: inout Rng) -> [[UInt8]] {
        var out: [[UInt8]] = []
        for i in 0..<count {
            var b = seed
            switch i % 5 {
            case 0: b = Array(b.prefix(rng.below(b.count + 1)))
            case 1: for _ in 0...rng.below(4) where !b.isEmpty { b[rng.below(b.count)] ^= UInt8(1 << rng.below(8)) }
            case 2: for _ in 0...rng.below(4) where !b.isEmpty { b[rng.below(b.count)] = UInt8(truncatingIfNeeded: rng.next()) }
            case 3: if !b.isEmpty { let at = rng.below(b.count); b.removeSubrange(at..<min(b.count, at + 1 + rng.below(8))) }
            default: if !b.isEmpty { let at = rng.below(b.count); b.insert(contentsOf: b[at..<min(b.count, at + 1 + rng.below(16))], at: rng.below(b.count)) }
            }
            out.append(b)
        }
        return out
    }

    // MARK: regressions

    /// A GeometryCollection nested 100,000 deep used to recurse until the stack overflowed.
    @Test func deeplyNestedWKBCollectionsThrow() throws {
        var bytes: [UInt8] = []
        for _ in 0..<100_000 { bytes += [1, 7, 0, 0, 0, 1, 0, 0, 0] }
        #expect(throws: GeoError.self) { try WKB.decodeParts(bytes) }
        // A MultiPolygon whose member is another MultiPolygon, nested deep: refused at the first level.
        var multi: [UInt8] = []
        for _ in 0..<100_000 { multi += [1, 6, 0, 0, 0, 1, 0, 0, 0] }
        #expect { try WKB.decode(multi) } throws: { ($0 as? GeoError)?.message.contains("nested") == true }
        // A legitimate collection still flattens.
        let point = WKB.encode(.point(Coordinate(1, 2)))
        #expect(try WKB.decodeParts([1, 7, 0, 0, 0, 2, 0, 0, 0] + point + point) == [.point(Coordinate(1, 2)), .point(Coordinate(1, 2))])
    }

    /// `Int64((|r| * scale).rounded())` trapped for |r| ≥ ~9.2e9 at precision 9 (the reject file's).
    @Test func formattingHugeCoordinatesDoesNotTrap() {
        #expect(GeoJSON.formatCoordinate(1e12, 9) == "1000000000000.0")
        #expect(GeoJSON.formatCoordinate(-4.1e10, 9) == "-41000000000.0")
        #expect(GeoJSON.formatCoordinate(104.123456789, 9) == "104.123456789")
        #expect(GeoJSON.formatCoordinate(1.5, -3) == "2")      // negative precision indexed the power table
        #expect(GeoJSON.formatCoordinate(1.25, 40) == "1.25")
        let g = Geometry.lineString([Coordinate(1e12, -3e14), Coordinate(9.3e9, 1)])
        #expect(GeoJSON.string(g, precision: 9).contains("1000000000000.0"))
    }

    /// `Int(floor(inf))` trapped for an empty or non-finite box, `1 << 63 - 1` for z = 63.
    @Test func tileRangeOfAnyBoxIsAValidRange() {
        let boxes = [BoundingBox.empty, BoundingBox(minX: .nan, minY: .nan, maxX: .nan, maxY: .nan),
                     BoundingBox(minX: -.infinity, minY: -.infinity, maxX: .infinity, maxY: .infinity),
                     BoundingBox(minX: 110, minY: 40, maxX: 100, maxY: 30), BoundingBox(minX: 1e308, minY: -1e308, maxX: 1e308, maxY: 1e308)]
        for b in boxes {
            for z in [-5, 0, 14, 30, 31, 63, 64, Int.max] {
                let r = WebMercator.tileRange(b, z: z)
                #expect(r.minX <= r.maxX && r.minY <= r.maxY, "\(b) z \(z)")
                #expect(r.minX >= 0 && r.minY >= 0 && r.maxX < 1 << 30 && r.maxY < 1 << 30)
            }
        }
        let r = WebMercator.tileRange(BoundingBox(minX: 104, minY: 30.6, maxX: 104.2, maxY: 30.7), z: 14)
        #expect(r.minX == Int((284.0 / 360 * 16384).rounded(.down)) && r.maxX == Int((284.2 / 360 * 16384).rounded(.down)))
    }

    /// `y + 1` and `(1 << z) - 1 - y` overflowed for tile ids that are not valid.
    @Test func invalidTileIDsDoNotOverflow() {
        let t = TileID(z: 5, x: Int.max, y: Int.min)
        #expect(!t.isValid)
        _ = t.tmsY
        _ = t.bounds
        _ = TileID(z: 70, x: Int.max, y: Int.max).bounds
        #expect(TileID(z: 2, x: 1, y: 0).tmsY == 3)
    }

    @Test func chunkedReaderToleratesAPositionPastItsWindow() throws {
        let path = NSTemporaryDirectory() + "citytwin-chunk-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: path, contents: Data(repeating: 7, count: 100))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try ChunkedByteReader(path: path, chunkSize: 16)
        r.pos = 1000 // e.g. a DBF header length pointing past the end of a short file
        #expect(try r.peek() == nil)
        #expect(try r.peek(-5) == nil)
    }

    @Test func inputTextEscapesControlCharacters() {
        #expect(InputText.quoted("a\nb\u{1B}[31m\u{202E}c") == #""a\u{A}b\u{1B}[31m\u{202E}c""#)
        #expect(InputText.escaped(String(repeating: "x", count: 100), limit: 3) == "xxx…")
        #expect(InputText.quoted("网格") == "\"网格\"")
    }

    // MARK: fuzz

    @Test func jsonParserFuzz() {
        let seed = Array(#"{"type":"FeatureCollection","features":[{"type":"Feature","id":7,"properties":{"名称":"\u4e2d\ud83d\ude00","n":-1.5e-3,"a":[true,false,null,NaN,-Infinity]},"geometry":{"type":"Point","coordinates":[104.06,30.67]}}]}"#.utf8)
        var rng = Rng(state: 18)
        var ok = 0
        for m in Self.mutations(of: seed, count: 4000, rng: &rng) {
            if let v = try? JSONParser.parse(m) { ok += 1; _ = try? GeoJSON.decodeFeature(v) }
        }
        #expect(ok > 0)
        // Nesting at the limit parses (no stack overflow); beyond it throws.
        #expect((try? JSONParser.parse(String(repeating: "[", count: 511) + String(repeating: "]", count: 511))) != nil)
        #expect(throws: GeoError.self) { try JSONParser.parse(String(repeating: "[", count: 100_000)) }
    }

    @Test func geoJSONFeatureReaderFuzz() throws {
        let text = #"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4544"}},"features":[{"type":"Feature","properties":{"a":"x"},"geometry":{"type":"Polygon","coordinates":[[[1,2],[3,4],[5,6],[1,2]]]}},{"type":"Feature","properties":null,"geometry":{"type":"MultiPoint","coordinates":[[1,2],[3,4]]}}]}"# + "\n\u{1E}{\"type\":\"Point\",\"coordinates\":[1,2]}\n"
        let path = NSTemporaryDirectory() + "citytwin-geojson-fuzz-\(UUID().uuidString).geojson"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var rng = Rng(state: 1818)
        for m in Self.mutations(of: Array(text.utf8), count: 600, rng: &rng) {
            _ = FileManager.default.createFile(atPath: path, contents: Data(m))
            guard let reader = try? GeoJSONFeatureReader(path: path) else { continue }
            var n = 0
            while n < 100, let r = try? reader.next() { _ = r; n += 1 }
            _ = reader.declaredCRS
        }
    }

    @Test func wkbFuzz() throws {
        let geometries: [Geometry] = [
            .point(Coordinate(1, 2)), .lineString([Coordinate(0, 0), Coordinate(1, 1), Coordinate(2, 0)]),
            .polygon([[Coordinate(0, 0), Coordinate(1, 0), Coordinate(1, 1), Coordinate(0, 0)]]),
            .multiPoint([Coordinate(0, 0), Coordinate(3, 3)]),
            .multiLineString([[Coordinate(0, 0), Coordinate(1, 1)], [Coordinate(2, 2), Coordinate(3, 3)]]),
            .multiPolygon([[[Coordinate(0, 0), Coordinate(1, 0), Coordinate(1, 1), Coordinate(0, 0)]], [[Coordinate(5, 5), Coordinate(6, 5), Coordinate(6, 6), Coordinate(5, 5)]]]),
        ]
        var rng = Rng(state: 42)
        for g in geometries {
            let wkb = WKB.encode(g)
            #expect(try WKB.decode(wkb) == g)
            for m in Self.mutations(of: wkb, count: 400, rng: &rng) { _ = try? WKB.decode(m); _ = try? WKB.decodeParts(m) }
        }
        for _ in 0..<1000 {
            var bytes: [UInt8] = []
            for _ in 0..<rng.below(64) { bytes.append(UInt8(truncatingIfNeeded: rng.next())) }
            _ = try? WKB.decode(bytes); _ = try? WKB.decodeParts(bytes)
        }
    }

    @Test func wktFuzz() {
        let seeds = ["SRID=4326;MULTIPOLYGON Z (((1 2 3, 4 5 6, 7 8 9, 1 2 3)), ((0 0, 1 0, 1 1, 0 0)))",
                     "MULTIPOINT((1 2),(3 4))", "LINESTRING(104.1 30.6, 104.2 30.7)", "POINT ZM (1 2 3 4)"]
        var rng = Rng(state: 7)
        for s in seeds {
            for m in Self.mutations(of: Array(s.utf8), count: 600, rng: &rng) { _ = try? WKT.parse(String(decoding: m, as: UTF8.self)) }
        }
    }
}
