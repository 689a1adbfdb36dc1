import CityOps
import Foundation
import Geo
import Storage
import Testing
import TestSupport

@Suite struct SnapshotRefreshTests {
    /// A committed import is picked up by refresh; a reader's old snapshot is untouched.
    @Test func refreshPublishesANewVersionAndKeepsOldReadersIntact() throws {
        let store = try SpatiaLiteStore(path: TestSupport.scratch() + "/r.sqlite")
        _ = try store.importLayer(LayerSpec(name: "bikes", role: .bike), mode: .replace) { w in
            try w.insert(extID: "a", properties: JSONObject(), geometry: .point(Coordinate(104.1, 30.6)))
        }
        let state = try CityState(store: store)
        let old = state.snapshot
        #expect(try state.refresh().version == old.version, "no change, no rebuild")
        _ = try store.importLayer(LayerSpec(name: "bikes", role: .bike), mode: .append) { w in
            try w.insert(extID: "b", properties: JSONObject(), geometry: .point(Coordinate(104.2, 30.7)))
        }
        let fresh = try state.refresh()
        #expect(fresh.version == old.version + 1)
        #expect(try fresh.layer("bikes").count == 2 && state.snapshot.version == fresh.version)
        #expect(try old.layer("bikes").count == 1)
        let hits = fresh.nearest(try fresh.layer("bikes"), lon: 104.2, lat: 30.7, k: 1, maxDistance: .infinity, filter: nil)
        #expect(try fresh.layer("bikes").extIDs[hits[0].position] == "b")
    }

    /// An import of one layer reads that layer only: the others keep their identity
    /// (and their caches); the geocoder is rebuilt only when a layer it reads changed.
    @Test func refreshReadsOnlyTheChangedLayerAndKeepsTheGeocoder() throws {
        let store = try SpatiaLiteStore(path: TestSupport.scratch() + "/inc.sqlite")
        func importBikes(_ id: String, _ lon: Double) throws {
            _ = try store.importLayer(LayerSpec(name: "bikes", role: .bike), mode: .replace) { w in
                try w.insert(extID: id, properties: JSONObject(), geometry: .point(Coordinate(lon, 30.6)))
            }
        }
        func importAddresses(_ name: String) throws {
            var p = JSONObject(); p["address"] = .string(name)
            _ = try store.importLayer(LayerSpec(name: "addresses", role: .address), mode: .replace) { w in
                try w.insert(extID: "a1", properties: p, geometry: .point(Coordinate(104.05, 30.65)))
            }
        }
        try importBikes("a", 104.1)
        try importAddresses("幸福路1号")
        let state = try CityState(store: store)
        let geocoding = GeocodingService()
        let first = state.snapshot
        _ = geocoding.geocoder(for: first)
        #expect(geocoding.buildCount == 1)

        try importBikes("b", 104.2)
        var rebuilt: [String] = []
        let second = try state.refresh { rebuilt.append($0) }
        #expect(second.version > first.version)
        #expect(rebuilt == ["bikes"])
        #expect(try second.layer("addresses").identity == first.layer("addresses").identity)
        #expect(try second.layer("bikes").identity != first.layer("bikes").identity)
        #expect(try second.layer("bikes").extIDs == ["b"])
        _ = geocoding.geocoder(for: second)
        #expect(geocoding.buildCount == 1, "a bikes import keeps the geocoder")

        try importAddresses("幸福路2号")
        rebuilt = []
        let third = try state.refresh { rebuilt.append($0) }
        #expect(rebuilt == ["addresses"])
        #expect(try third.layer("bikes").identity == second.layer("bikes").identity)
        #expect(try third.layer("addresses").properties.object(0)["address"]?.stringValue == "幸福路2号")
        _ = geocoding.geocoder(for: third)
        #expect(geocoding.buildCount == 2, "an address import rebuilds it")

        // A layer deleted from the store leaves the snapshot.
        try store.deleteLayer("bikes")
        let fourth = try state.refresh()
        #expect(fourth.layers["bikes"] == nil && fourth.layers["addresses"] != nil)
    }
}
