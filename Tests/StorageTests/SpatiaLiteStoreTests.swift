import Foundation
import Geo
import Storage
import Testing
import TestSupport

struct Boom: Error {}

@Suite struct SpatiaLiteStoreTests {
    func store() throws -> SpatiaLiteStore { try SpatiaLiteStore(path: TestSupport.scratch() + "/s.sqlite") }

    @Test func freshStoreHasSchemaAndNoLayers() throws {
        let s = try store()
        #expect(try s.layers().isEmpty)
        #expect(try s.dataVersion() == 0)
        #expect(try s.check().integrity == ["ok"])
        // Reopening runs no migration twice.
        _ = try SpatiaLiteStore(path: s.path)
    }

    @Test func importWritesFeaturesCatalogAndSpatialIndex() throws {
        let s = try store()
        let (n, commit) = try s.importLayer(LayerSpec(name: "grids", role: .grid), mode: .replace) { w in
            for k in 0..<10 {
                let x = 104 + Double(k) * 0.01
                let ring = [Coordinate(x, 30), Coordinate(x + 0.01, 30), Coordinate(x + 0.01, 30.01), Coordinate(x, 30.01), Coordinate(x, 30)]
                try w.insert(extID: "G\(k)", properties: JSONObject([(key: "code", value: .string("G\(k)"))]), geometry: .multiPolygon([[ring]]))
            }
            return w.inserted
        }
        #expect(n == 10 && commit.inserted == 10)
        #expect(commit.layer.count == 10 && commit.layer.geometryType == "MultiPolygon" && commit.layer.version == 1)
        let b = commit.layer.bbox
        #expect(b.minX == 104 && b.minY == 30 && abs(b.maxX - 104.1) < 1e-12 && b.maxY == 30.01)
        #expect(try s.dataVersion() == 1)
        let hits = try s.features(in: "grids", intersecting: BoundingBox(minX: 104.015, minY: 30.005, maxX: 104.025, maxY: 30.006), limit: 100)
        #expect(hits.map(\.extID) == ["G1", "G2"])
        let report = try s.check()
        #expect(report.isOK && report.layers.first?.spatialIndexValid == true)
    }

    @Test func aThrowingBodyRollsEverythingBack() throws {
        let s = try store()
        _ = try s.importLayer(LayerSpec(name: "bikes", role: .bike), mode: .replace) { w in
            try w.insert(extID: "keep", properties: JSONObject(), geometry: .point(Coordinate(104, 30)))
        }
        let before = try s.layers()
        #expect(throws: Boom.self) {
            _ = try s.importLayer(LayerSpec(name: "bikes", role: .bike), mode: .replace) { w in
                for _ in 0..<100 { try w.insert(extID: "new", properties: JSONObject(), geometry: .point(Coordinate(105, 31))) }
                throw Boom()
            }
        }
        #expect(try s.layers() == before)
        var ids: [String?] = []
        try s.forEachFeature(in: "bikes") { ids.append($0.extID) }
        #expect(ids == ["keep"])
        #expect(try s.dataVersion() == 1)
        #expect(try s.check().isOK)
    }

    @Test func deleteLayerAndNameRules() throws {
        let s = try store()
        _ = try s.importLayer(LayerSpec(name: "x1", role: .generic), mode: .replace) { w in
            try w.insert(extID: nil, properties: JSONObject(), geometry: .lineString([Coordinate(0, 0), Coordinate(1, 1)]))
        }
        try s.deleteLayer("x1")
        #expect(try s.layers().isEmpty)
        #expect(throws: StorageError.self) { try s.deleteLayer("x1") }
        #expect(!LayerInfo.isValidName("1abc") && !LayerInfo.isValidName("a-b") && !LayerInfo.isValidName("A") && LayerInfo.isValidName("bike_stations"))
        #expect(throws: StorageError.self) { _ = try s.importLayer(LayerSpec(name: "drop table", role: .generic), mode: .replace) { _ in } }
    }
}
