import Foundation
import Geo
import TestSupport
import Testing
@testable import VectorTiles

/// Issue 18: tiles, archives and config from outside reach no runtime trap.
@Suite struct VectorTilesTrapFreeInputTests {
    typealias Rng = SplitMix64

    static func mutate(_ seed: [UInt8], _ i: Int, _ rng: inout Rng) -> [UInt8] {
        var b = seed
        switch i % 4 {
        case 0: b = Array(b.prefix(rng.below(b.count + 1)))
        case 1: for _ in 0...rng.below(4) where !b.isEmpty { b[rng.below(b.count)] ^= UInt8(1 << rng.below(8)) }
        case 2: for _ in 0...rng.below(4) where !b.isEmpty { b[rng.below(b.count)] = UInt8(truncatingIfNeeded: rng.next()) }
        default: if !b.isEmpty { let at = rng.below(b.count); b.removeSubrange(at..<min(b.count, at + 1 + rng.below(8))) }
        }
        return b
    }

    static func varint(_ v: UInt64) -> [UInt8] {
        var w = ProtobufWriter()
        w.varint(v)
        return w.bytes
    }

    // MARK: PMTiles regressions

    /// `make fuzz-files` (issue 15): opening an empty archive leaked Foundation's read buffer
    /// (LeakSanitizer); a file shorter than the header is now refused before it is read.
    @Test func archiveShorterThanItsHeaderIsRefusedUnread() throws {
        let dir = NSTemporaryDirectory() + "/citytwin-pmtiles-short-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for size in [0, 7, 126] {
            let path = dir + "/t\(size).pmtiles"
            FileManager.default.createFile(atPath: path, contents: Data(Array("PMTiles\u{3}".utf8).prefix(size) + [UInt8](repeating: 0, count: max(0, size - 8))))
            #expect { try PMTilesArchive(path: path) } throws: {
                ($0 as? VectorTilesError)?.message.contains("\(size) bytes, shorter than the 127-byte header") == true
            }
        }
    }

    /// `last += delta` trapped when tile id deltas overflowed 64 bits.
    @Test func directoryTileIDOverflowThrows() {
        let bytes = Self.varint(2) + Self.varint(UInt64.max) + Self.varint(5) + Self.varint(1) + Self.varint(1) + Self.varint(10) + Self.varint(10) + Self.varint(1) + Self.varint(1)
        #expect { try PMTiles.deserialize(bytes) } throws: { ($0 as? VectorTilesError)?.message.contains("overflows") == true }
    }

    /// Entry 0 with offset field 0 wrapped to UInt64.max; the next "consecutive" entry then overflowed.
    @Test func directoryOffsetOverflowThrows() {
        let bytes = Self.varint(2) + Self.varint(1) + Self.varint(1) + Self.varint(1) + Self.varint(1) + Self.varint(10) + Self.varint(10) + Self.varint(0) + Self.varint(0)
        #expect(throws: VectorTilesError.self) { try PMTiles.deserialize(bytes) }
        var big = Self.varint(2) + Self.varint(1) + Self.varint(1) + Self.varint(1) + Self.varint(1) + Self.varint(10) + Self.varint(10)
        big += Self.varint(UInt64.max) + Self.varint(0)
        #expect { try PMTiles.deserialize(big) } throws: { ($0 as? VectorTilesError)?.message.contains("overflows") == true }
        // A length wider than 32 bits is an error, not silently truncated.
        let wide = Self.varint(1) + Self.varint(1) + Self.varint(1) + Self.varint(1 << 40) + Self.varint(1)
        #expect(throws: VectorTilesError.self) { try PMTiles.deserialize(wide) }
    }

    /// Defensive: `find` must stay safe on any entries (the binary search already keeps `id - e.tileID` non-negative).
    @Test func findInAnUnsortedDirectoryIsSafe() {
        let entries = [PMTiles.Entry(tileID: 50, offset: 0, length: 1, runLength: 1), PMTiles.Entry(tileID: 10, offset: 0, length: 1, runLength: 1)]
        _ = PMTiles.find(entries, 20)
        _ = PMTiles.find(entries, 0)
        _ = PMTiles.find([], 3)
    }

    /// The tile of an id past zoom 31 looped forever (the count shifted out to 0), then overflowed Int64.
    @Test func tileOfAnImpossibleIDIsNil() {
        #expect(PMTiles.tile(UInt64.max) == nil)
        #expect(PMTiles.tile(PMTiles.tileID(TileID(z: 30, x: (1 << 30) - 1, y: 5))) == TileID(z: 30, x: (1 << 30) - 1, y: 5))
    }

    static func header(rootOffset: UInt64, rootLength: UInt64, metaOffset: UInt64 = 127, metaLength: UInt64 = 0) -> [UInt8] {
        var h = Array("PMTiles".utf8) + [3]
        for v in [rootOffset, rootLength, metaOffset, metaLength, 127, 0, 127, 0, 0, 0, 0] { withUnsafeBytes(of: v.littleEndian) { h += $0 } }
        h += [1, 1, 1, 1, 0, 14]
        h += [UInt8](repeating: 0, count: 127 - h.count)
        return h
    }

    /// `o + l > data.count` overflowed for section offsets and lengths near Int.max.
    @Test func headerSectionsNearIntMaxAreRefused() throws {
        let dir = TestSupport.scratch()
        for (o, l) in [(UInt64(Int.max), UInt64(Int.max)), (127, UInt64(Int.max)), (UInt64(Int.max - 10), 20), (UInt64.max, 1)] {
            TestSupport.write(bytes: Self.header(rootOffset: o, rootLength: l) + [0, 0, 0], to: dir + "/h.pmtiles")
            #expect(throws: VectorTilesError.self) { try PMTilesArchive(path: dir + "/h.pmtiles") }
        }
    }

    /// `UInt8(minzoom)` and `Int32(bound × 10^7)` trapped for values from a command line or config.
    @Test func writerRefusesHeaderValuesThatDoNotFit() throws {
        let dir = TestSupport.scratch()
        var w = PMTilesWriter()
        w.add(TileID(z: 1, x: 0, y: 0), gzippedMVT: try Gzip.compress([1, 2, 3]))
        let box = BoundingBox(minX: 100, minY: 20, maxX: 110, maxY: 30)
        #expect(throws: VectorTilesError.self) { try w.write(to: dir + "/a.pmtiles", metadata: JSONObject(), bounds: box, minzoom: 0, maxzoom: 300, center: (105, 25, 1)) }
        #expect(throws: VectorTilesError.self) { try w.write(to: dir + "/a.pmtiles", metadata: JSONObject(), bounds: box, minzoom: -1, maxzoom: 3, center: (105, 25, 1)) }
        #expect(throws: VectorTilesError.self) { try w.write(to: dir + "/a.pmtiles", metadata: JSONObject(), bounds: .empty, minzoom: 0, maxzoom: 3, center: (105, 25, 1)) }
        #expect(throws: VectorTilesError.self) { try w.write(to: dir + "/a.pmtiles", metadata: JSONObject(), bounds: box, minzoom: 0, maxzoom: 3, center: (.nan, 25, 1)) }
        _ = try w.write(to: dir + "/a.pmtiles", metadata: JSONObject(), bounds: box, minzoom: 0, maxzoom: 3, center: (105, 25, 1))
    }

    @Test func layersYAMLEscapesControlCharactersInNames() {
        #expect { try TileSettings.parse(yaml: "layers:\n  \"bad\\u001b[31mname\": 3\n") } throws: {
            guard let e = $0 as? VectorTilesError else { return false }
            return e.message.contains("\\u{1B}") && !e.message.contains("\u{1B}")
        }
        // YAML scalars are property names whatever they look like (a property may be called "3").
        let names = try? TileSettings.parse(yaml: "layers:\n  bikes: {properties: [a, 3]}\n").0.layers["bikes"]?.properties
        #expect(names == ["a", "3"])
        #expect(throws: VectorTilesError.self) { try TileSettings.parse(yaml: "layers:\n  bikes: {properties: {a: 3}}\n") }
    }

    // MARK: fuzz

    static func fixtureTiles() -> [[UInt8]] {
        let folder = TestSupport.projectRoot + "/../shared/fixtures/mvt-fixtures/fixtures"
        let ids = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        return ids.compactMap { FileManager.default.contents(atPath: "\(folder)/\($0)/tile.mvt").map { [UInt8]($0) } }
    }

    @Test func mvtDecodeFuzz() {
        let tiles = Self.fixtureTiles()
        #expect(tiles.count >= 70)
        var rng = Rng(state: 2024)
        var decoded = 0
        for i in 0..<4000 {
            let m = Self.mutate(tiles[i % tiles.count], i / tiles.count, &rng)
            guard let t = try? MVTTile(decoding: m) else { continue }
            decoded += 1
            _ = t.validationIssues()
            for l in t.layers { _ = try? l.decodedFeatures() }
        }
        #expect(decoded > 0)
    }

    @Test func pmtilesDirectoryAndArchiveFuzz() throws {
        var rng = Rng(state: 99)
        // Directories: random bytes and mutations of a real one.
        var realEntries: [PMTiles.Entry] = []
        for k in 0..<50 {
            let run: UInt32 = k % 7 == 0 ? 0 : 1
            realEntries.append(PMTiles.Entry(tileID: UInt64(k * 3), offset: UInt64(k * 10), length: 10, runLength: run))
        }
        let real = PMTiles.serialize(realEntries)
        for i in 0..<2000 {
            var bytes: [UInt8] = []
            if i % 2 == 0 { bytes = Self.mutate(real, i / 2, &rng) } else { for _ in 0..<rng.below(40) { bytes.append(UInt8(truncatingIfNeeded: rng.next())) } }
            if let entries = try? PMTiles.deserialize(bytes) { _ = PMTiles.find(entries, rng.next() % 200) }
        }
        // Archives: mutations of a small real archive, header and directories alike.
        let dir = TestSupport.scratch()
        var w = PMTilesWriter()
        for i in 0..<40 { w.add(TileID(z: 6, x: 50 + i % 8, y: 20 + i / 8), gzippedMVT: try Gzip.compress(Array("tile \(i % 5)".utf8))) }
        _ = try w.write(to: dir + "/r.pmtiles", metadata: JSONObject([("name", .string("r"))]), bounds: BoundingBox(minX: 100, minY: 20, maxX: 110, maxY: 30),
                        minzoom: 6, maxzoom: 6, center: (105, 25, 6))
        let archive = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/r.pmtiles")))
        for i in 0..<300 {
            var m = archive
            if i % 3 == 0 { for _ in 0..<4 { m[rng.below(127)] = UInt8(truncatingIfNeeded: rng.next()) } } else { m = Self.mutate(archive, i, &rng) }
            TestSupport.write(bytes: m, to: dir + "/m.pmtiles")
            guard let a = try? PMTilesArchive(path: dir + "/m.pmtiles") else { continue }
            for k in 0..<8 { _ = try? a.tile(TileID(z: 6, x: 50 + k, y: 20 + k % 5)) }
        }
    }

    @Test func layersYAMLFuzz() {
        let seed = Array("""
            extent: 4096
            buffer: 64
            cache_mb: 128
            layers:
              bikes: {cluster_below_zoom: 14, cluster_cell: 128, properties: [bike_id, operator], simplify: 0.5}
              buildings: {minzoom: 14, maxzoom: 22, tiny_polygons: dot, max_features: 5000, buffer: 8, properties: all}
            """.utf8)
        var rng = Rng(state: 5)
        for i in 0..<1500 { _ = try? TileSettings.parse(yaml: String(decoding: Self.mutate(seed, i, &rng), as: UTF8.self)) }
    }
}
