import CityOps
import Foundation
import Geo
import Geocoder
import Storage
import Testing
import TestSupport

/// The Amap-style members of forward and reverse answers (GeocodeAnswerJSON),
/// on a one-district city: a made-up district code under a real city.
extension GazetteerFromSnapshotTests {
    static func amapCity() throws -> CitySnapshot {
        let store = try SpatiaLiteStore(path: TestSupport.scratch() + "/amap.sqlite")
        let square: [Coordinate] = [Coordinate(104.0, 30.6), Coordinate(104.2, 30.6), Coordinate(104.2, 30.8), Coordinate(104.0, 30.8), Coordinate(104.0, 30.6)]
        for (name, role, code, parent) in [("d", LayerRole.district, "510199", "510100"), ("s", .street, "510199001", "510199"),
                                           ("c", .community, "510199001001", "510199001")] {
            let label = ["d": "锦华区", "s": "猛追湾街道", "c": "安华社区"][name]!
            _ = try store.importLayer(LayerSpec(name: name, role: role), mode: .replace) { w in
                try w.insert(extID: name, properties: JSONObject([("code", .string(code)), ("name", .string(label)), ("parent_code", .string(parent))]),
                             geometry: .multiPolygon([[square]]))
            }
        }
        _ = try store.importLayer(LayerSpec(name: "roads", role: .road), mode: .replace) { w in
            try w.insert(extID: "r1", properties: JSONObject([("name", .string("测试路"))]),
                         geometry: .multiLineString([[Coordinate(104.05, 30.7), Coordinate(104.15, 30.7)]]))
        }
        return try CitySnapshot.load(from: store)
    }

    @Test func forwardAndReverseAnswersCarryAmapMembers() throws {
        let snapshot = try Self.amapCity()
        let service = GeocodingService()
        let road = try #require(service.geocode("四川省成都市测试路", focus: nil, limit: 1, snapshot: snapshot).first)
        let json = GeocodeAnswerJSON.result(road)
        #expect(json["province"] == .string("四川省") && json["city"] == .string("成都市"))
        #expect(json["district_name"] == .string("锦华区") && json["adcode"] == .string("510199"))
        #expect(json["township"] == .string("猛追湾街道") && json["neighborhood"] == .string("安华社区"))
        #expect(json["amap_level"] == .string("道路") && json["out_of_area"] == .bool(false))
        #expect(json["level"] == .string("道路") && json["district"]?["code"] == .string("510199"))

        let away = try #require(service.geocode("安徽省芜湖市测试路", focus: nil, limit: 5, snapshot: snapshot).first)
        let o = GeocodeAnswerJSON.result(away)
        #expect(o["out_of_area"] == .bool(true) && JSONWriter.string(o).contains("\"lon\":null"))
        #expect(o["province"] == .string("安徽省") && o["city"] == .string("芜湖市") && o["adcode"] == .string("340200"))
        #expect(o["amap_level"] == .string("市") && (o["confidence"]?.doubleValue ?? 1) < 0.6)

        let city = try #require(service.geocode("成都", focus: nil, limit: 1, snapshot: snapshot).first)
        #expect(GeocodeAnswerJSON.result(city)["amap_level"] == .string("市"))

        let r = service.reverse(lon: 104.1, lat: 30.7, snapshot: snapshot)
        let rev = GeocodeAnswerJSON.reverse(r, at: Coordinate(104.1, 30.7))
        #expect(rev["province"] == .string("四川省") && rev["adcode"] == .string("510199") && rev["township"] == .string("猛追湾街道"))
        #expect(rev["amap_level"] == .string("道路") && rev["out_of_area"] == .bool(false))
        let outside = GeocodeAnswerJSON.reverse(service.reverse(lon: 110, lat: 20, snapshot: snapshot), at: Coordinate(110, 20))
        #expect(outside["out_of_area"] == .bool(true))
    }
}
