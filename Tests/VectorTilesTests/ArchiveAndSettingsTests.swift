import Foundation
import Geo
import TestSupport
import Testing
@testable import VectorTiles

@Suite struct ArchiveAndSettingsTests {
    /// Tile ids from the PMTiles spec's reference implementation.
    @Test func pmtilesTileIDsFollowTheSpec() {
        let known: [(TileID, UInt64)] = [(TileID(z: 0, x: 0, y: 0), 0), (TileID(z: 1, x: 0, y: 0), 1), (TileID(z: 1, x: 0, y: 1), 2),
                                         (TileID(z: 1, x: 1, y: 1), 3), (TileID(z: 1, x: 1, y: 0), 4), (TileID(z: 2, x: 0, y: 0), 5),
                                         (TileID(z: 12, x: 3423, y: 1763), 19_078_479)]
        for (t, id) in known { #expect(PMTiles.tileID(t) == id, "\(t)") }
        for z in 0...8 {
            let n = 1 << z
            for x in stride(from: 0, to: n, by: max(1, n / 7)) {
                for y in stride(from: 0, to: n, by: max(1, n / 5)) {
                    let t = TileID(z: z, x: x, y: y)
                    #expect(PMTiles.tile(PMTiles.tileID(t)) == t)
                }
            }
        }
    }

    @Test func pmtilesRoundTripWithDedupLeavesAndRuns() throws {
        let dir = TestSupport.scratch()
        var w = PMTilesWriter()
        var expected: [TileID: [UInt8]] = [:]
        // 5,000 tiles: forces leaf directories; every third tile shares one content.
        for i in 0..<5000 {
            let t = TileID(z: 10, x: 100 + i % 100, y: 200 + i / 100)
            let body: [UInt8] = i % 3 == 0 ? Array("shared".utf8) : Array("tile \(i)".utf8)
            let gz = try Gzip.compress(body)
            w.add(t, gzippedMVT: gz)
            expected[t] = gz
        }
        let s = try w.write(to: dir + "/t.pmtiles", metadata: JSONObject([("name", .string("t"))]),
                            bounds: BoundingBox(minX: 100, minY: 20, maxX: 110, maxY: 30), minzoom: 10, maxzoom: 10, center: (105, 25, 10))
        #expect(s.addressed == 5000)
        #expect(s.contents == 1 + 5000 - (5000 + 2) / 3)
        let a = try PMTilesArchive(path: dir + "/t.pmtiles")
        #expect(a.minzoom == 10 && a.maxzoom == 10 && a.metadata["name"] == .string("t"))
        for (t, gz) in expected { #expect(try a.tile(t) == gz) }
        #expect(try a.tile(TileID(z: 10, x: 99, y: 200)) == nil)
        #expect(try a.tile(TileID(z: 9, x: 50, y: 100)) == nil)
    }

    @Test func brokenArchivesAreRefusedWithAReason() throws {
        let dir = TestSupport.scratch()
        TestSupport.write("not a tileset", to: dir + "/x.pmtiles")
        #expect(throws: VectorTilesError.self) { try PMTilesArchive(path: dir + "/x.pmtiles") }
        #expect(throws: VectorTilesError.self) { try PMTilesArchive(path: dir + "/missing.pmtiles") }
    }

    @Test func layersYAMLOverridesDefaultsAndReportsUnknownKeys() throws {
        let (s, warnings) = try TileSettings.parse(yaml: """
            buffer: 32
            colour: red
            layers:
              bikes: {cluster_below_zoom: 14, cluster_cell: 128, maxzom: 3}
              buildings: {properties: all, tiny_polygons: drop}
            """)
        #expect(s.buffer == 32)
        #expect(warnings.count == 2 && warnings.contains { $0.contains("colour") } && warnings.contains { $0.contains("layers.bikes.maxzom") })
        let bikes = s.config(layer: "bikes", role: .bike)
        #expect(bikes.clusterBelowZoom == 14 && bikes.clusterCell == 128 && bikes.maxzoom == 22)
        #expect(s.config(layer: "buildings", role: .building).properties == nil)
        #expect(s.config(layer: "buildings", role: .building).tinyPolygons == .drop)
        #expect(s.config(layer: "grids", role: .grid).properties == ["code", "name", "parent_code"])
        for bad in ["layers: {a: {minzoom: 40}}", "layers: {a: {cluster_cell: 100}}", "layers: {a: {tiny_polygons: merge}}",
                    "buffer: -1", "layers: {a: {minzoom: 9, maxzoom: 3}}", "layers: [1, 2]", "extent: [x"] {
            #expect(throws: VectorTilesError.self, "\(bad)") { try TileSettings.parse(yaml: bad) }
        }
    }

    @Test func gzipRoundTripsAndRefusesGarbage() throws {
        let body = (0..<10_000).map { UInt8($0 % 251) }
        let gz = try Gzip.compress(body)
        #expect(Gzip.isGzip(gz))
        #expect(try Gzip.decompress(gz) == body)
        #expect(throws: VectorTilesError.self) { try Gzip.decompress([0x1F, 0x8B, 0, 1, 2, 3]) }
    }

    /// The bound counts what an entry costs: the body and its gzip form as arrays and again
    /// as NIO buffers (the soak run found a 256 MiB cache taking about twice that), and the
    /// entry itself, so that many empty tiles are bounded too.
    @Test func cacheCountsEveryCopyOfATile() throws {
        let body = (0..<1000).map { UInt8($0 % 251) }
        let tile = try CachedTile(body: body)
        #expect(tile.byteCount >= 2 * (tile.body.count + tile.gzipped.count) + 256)
        let empty = try CachedTile(body: [])
        #expect(empty.byteCount >= 256)
        let cache = TileCache(capacityBytes: 100 * empty.byteCount)
        for i in 0..<1000 { cache.put(.init(version: 1, source: "a", tile: TileID(z: 10, x: i, y: 0)), try CachedTile(body: [])) }
        #expect(cache.stats.tiles == 100)
    }

    /// Bounded by bytes, first in first out; a key's version is the stamp of the data a
    /// tile was made from, so another stamp is another entry and stale ones age out.
    @Test func cacheIsBoundedAndKeysOnDataStamps() throws {
        let cache = TileCache(capacityBytes: 10_000)
        let tile = try CachedTile(body: (0..<1000).map { UInt8($0 % 7) })
        for i in 0..<50 { cache.put(.init(version: 1, source: "a", tile: TileID(z: 5, x: i, y: 0)), tile) }
        #expect(cache.stats.bytes <= 10_000)
        #expect(cache.get(.init(version: 1, source: "a", tile: TileID(z: 5, x: 49, y: 0))) != nil)
        #expect(cache.get(.init(version: 1, source: "a", tile: TileID(z: 5, x: 0, y: 0))) == nil)
        let before = cache.stats.tiles
        cache.put(.init(version: 2, source: "a", tile: TileID(z: 5, x: 0, y: 0)), tile)
        #expect(cache.get(.init(version: 1, source: "a", tile: TileID(z: 5, x: 0, y: 0))) == nil)
        #expect(cache.get(.init(version: 2, source: "a", tile: TileID(z: 5, x: 0, y: 0))) != nil)
        #expect(cache.stats.bytes <= 10_000 && cache.stats.tiles == before)
        #expect(cache.purge().tiles == before)
        #expect(cache.stats.tiles == 0)
    }
}

@Suite struct ArchiveCorruptionTests {
    /// A directory entry pointing outside the file is an error, not a crash.
    @Test func entriesOutsideTheFileAreRefused() throws {
        let dir = TestSupport.scratch()
        var w = PMTilesWriter()
        w.add(TileID(z: 1, x: 0, y: 0), gzippedMVT: try Gzip.compress([1, 2, 3]))
        _ = try w.write(to: dir + "/t.pmtiles", metadata: JSONObject(), bounds: BoundingBox(minX: 0, minY: 0, maxX: 1, maxY: 1),
                        minzoom: 1, maxzoom: 1, center: (0.5, 0.5, 1))
        var bytes = [UInt8](FileManager.default.contents(atPath: dir + "/t.pmtiles")!)
        // Tile data offset (header bytes 56…63) set to a huge value.
        for i in 56..<64 { bytes[i] = 0x7F }
        TestSupport.write(bytes: bytes, to: dir + "/bad.pmtiles")
        let a = try PMTilesArchive(path: dir + "/bad.pmtiles")
        #expect(throws: VectorTilesError.self) { try a.tile(TileID(z: 1, x: 0, y: 0)) }
    }
}

/// A zoom override outside the catalog's range never leaves minzoom above maxzoom
/// (loops over minzoom...maxzoom would trap).
@Suite struct TileSettingsZoomRangeTests {
    @Test func overridesAndCatalogRangesStayOrdered() throws {
        let (s, _) = try TileSettings.parse(yaml: "layers:\n  grids:\n    minzoom: 20\n  roads:\n    maxzoom: 3\n")
        let a = s.config(layer: "grids", role: .grid, minzoom: 10, maxzoom: 16)
        #expect(a.minzoom == 20 && a.maxzoom == 20)
        let b = s.config(layer: "roads", role: .road, minzoom: 10, maxzoom: 16)
        #expect(b.minzoom == 3 && b.maxzoom == 3)
        let c = TileSettings().config(layer: "x", role: .poi, minzoom: 15, maxzoom: 9)
        #expect(c.minzoom <= c.maxzoom)
    }
}
