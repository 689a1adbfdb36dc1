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
}
