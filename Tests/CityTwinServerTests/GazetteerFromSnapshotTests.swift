import CityOps
import Foundation
import Geo
import Geocoder
import Storage
import Testing
import TestSupport

@Suite struct GazetteerFromSnapshotTests {
    /// A building whose address the address layer lacks still geocodes, to its footprint.
    @Test func buildingAddressesFillGapsInTheAddressLayer() throws {
        let store = try SpatiaLiteStore(path: TestSupport.scratch() + "/b.sqlite")
        let square: [Coordinate] = [Coordinate(104.1, 30.67), Coordinate(104.1002, 30.67), Coordinate(104.1002, 30.6702), Coordinate(104.1, 30.6702), Coordinate(104.1, 30.67)]
        _ = try store.importLayer(LayerSpec(name: "buildings", role: .building), mode: .replace) { w in
            try w.insert(extID: "b1", properties: JSONObject([("height_m", .number(10)), ("floors", .number(3)), ("cim_level", .number(2)),
                                                              ("use", .string("住宅")), ("address", .string("测试路5号"))]),
                         geometry: .multiPolygon([[square]]))
        }
        _ = try store.importLayer(LayerSpec(name: "roads", role: .road), mode: .replace) { w in
            try w.insert(extID: "r1", properties: JSONObject([("name", .string("测试路"))]),
                         geometry: .multiLineString([[Coordinate(104.099, 30.6699), Coordinate(104.102, 30.6699)]]))
        }
        let snapshot = try CitySnapshot.load(from: store)
        let top = try #require(GeocodingService().geocode("测试路5号", focus: nil, limit: 1, snapshot: snapshot).first)
        #expect(top.result.level == .address && top.result.matchType == "exact")
        let p = top.result.point
        #expect(abs(p.x - 104.1001) < 1e-6 && abs(p.y - 30.6701) < 1e-6, "\(p.x) \(p.y)")
    }
}
