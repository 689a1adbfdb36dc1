import CityOps
import CityTwinServer
import Foundation
import Geo
import Geocoder
import Hummingbird
import HummingbirdTesting
import Importer
import SampleCity
import Storage
import Testing
import TestSupport

/// The geocoding and event paths on a second sample city in another province
/// (安徽省芜湖市湾沚区, generated from the national table), with no code change:
/// answers are checked against the generator's true points by point-in-polygon.
@Suite(.serialized) struct SecondCityTests {
    static let profile = try! SampleCityProfile.named("安徽省芜湖市湾沚区", centre: Coordinate(118.57, 31.15))
    static var generator: SampleCityGenerator { SampleCityGenerator(profile: profile) }
    static let state: CityState = {
        let dir = TestSupport.scratch("second-city")
        _ = try! SampleCityWriter.write(generator.generate(), to: dir + "/GeoData")
        let store = try! SpatiaLiteStore(path: dir + "/city.sqlite")
        let manifest = try! GeoDataManifest.read(directory: dir + "/GeoData")
        _ = try! manifest.load(directory: dir + "/GeoData", into: store, rejectsDirectory: dir)
        return try! CityState(store: store)
    }()
    static let geocoding = GeocodingService()

    /// Grids within 1 m of a point (roads run on grid edges), by the snapshot's point-in-polygon.
    static func grids(_ c: Coordinate) -> Set<Int64> {
        let m = 1.0 / 111_319.49, k = cos(c.y * .pi / 180)
        return Set([(0.0, 0.0), (m / k, 0), (-m / k, 0), (0, m), (0, -m)].compactMap { d in
            state.snapshot.locate(lon: c.x + d.0, lat: c.y + d.1)[.grid].map { $0.0.featureIDs[$0.1] }
        })
    }

    static func rightGrid(_ r: PlacedResult?, _ truth: Coordinate) -> Bool {
        guard let r, let g = r.areas[.grid] else { return false }
        return grids(truth).contains(g.0.featureIDs[g.1])
    }

    @Test func theSampleIsThatCity() throws {
        let d = try #require(Self.state.snapshot.layer(role: .district))
        #expect(d.properties.object(0)["code"]?.textValue == "340210" && d.properties.object(0)["name"]?.stringValue == "湾沚区")
        #expect(Self.profile.cityName == "芜湖市" && Self.profile.provinceName == "安徽省")
    }

    @Test func addressesWithTheCitysPrefixesInEveryForm() {
        let s = Self.state.snapshot
        let queries = Self.generator.geocodeBenchmarkQueries(querySeed: 11, count: 300).filter { $0.form == "门址" }
        #expect(queries.count >= 15)
        var right = 0, total = 0
        for q in queries {
            for prefix in ["安徽省芜湖市湾沚区", "芜湖市湾沚区", "安徽芜湖湾沚", "芜湖湾沚区", "湾沚区", "安徽省芜湖市"] {
                total += 1
                if Self.rightGrid(Self.geocoding.geocode(prefix + q.text, focus: nil, limit: 1, snapshot: s).first, q.truth) { right += 1 }
            }
            // Another province's city: flagged, no local point among the candidates.
            for prefix in ["四川省成都市", "重庆市江北区", "北京大兴"] {
                let r = Self.geocoding.geocode(prefix + q.text, focus: nil, limit: 5, snapshot: s)
                #expect(r.first?.result.outOfArea == true && !r.contains { $0.result.hasPoint }, "\(prefix)\(q.text)")
            }
        }
        #expect(Double(right) >= 0.95 * Double(total), "\(right) of \(total)")
    }

    @Test func heldOutQueriesOfEveryForm() {
        let s = Self.state.snapshot
        var right = 0, n = 0
        for q in Self.generator.geocodeBenchmarkQueries(querySeed: 5, count: 300) where q.areaCode == nil {
            n += 1
            if Self.rightGrid(Self.geocoding.geocode(q.text, focus: nil, limit: 1, snapshot: s).first, q.truth) { right += 1 }
        }
        #expect(Double(right) >= 0.95 * Double(n), "\(right) of \(n)")
    }

    @Test func placesAndTypesInsideWorkOrderSentences() {
        let s = Self.state.snapshot
        let sentences = Self.generator.workOrderSentences(querySeed: 99, count: 160)
        var placed = 0, words = 0, typed = 0
        let taxonomy = DispatchSettings().taxonomy
        for w in sentences {
            let m = Self.geocoding.extract(w.text, focus: nil, limit: 1, snapshot: s)
            if Self.rightGrid(m?.results.first, w.truth) { placed += 1 }
            if m?.text == w.mention { words += 1 }
            if taxonomy.classify(w.text)?.type == w.type { typed += 1 }
        }
        #expect(Double(placed) >= 0.9 * Double(sentences.count), "\(placed) of \(sentences.count)")
        #expect(Double(words) >= 0.9 * Double(sentences.count))
        #expect(Double(typed) >= 0.85 * Double(sentences.count))
    }

    @Test func eventsArePlacedTypedAndDispatchedFromTheirDescription() async throws {
        let dir = TestSupport.scratch("second-city-ops")
        let hub = try await EventService(store: try SQLiteOperationalStore(path: dir + "/ops.sqlite"), state: Self.state)
        let w = try #require(Self.generator.workOrderSentences(querySeed: 7, count: 40).first { $0.form == "交叉口和" && $0.type == "井盖缺失" }
                             ?? Self.generator.workOrderSentences(querySeed: 7, count: 40).first { $0.form == "门址" })
        let r = EventRequest(type: "", description: w.text, address: nil, point: nil, source: "12345热线", reportedAt: nil, reportedAtText: nil)
        let x = try await hub.intake(r, snapshot: Self.state.snapshot, geocoding: Self.geocoding, floodWarningRatio: 0.8)
        #expect(x.plan.locationSource == "description" && x.plan.mention?.text == w.mention)
        #expect(x.event.type == w.type && x.plan.typeProposal?.type == w.type)
        #expect(x.plan.handlerType == DispatchSettings().handlerType(for: w.type))
        #expect(Self.grids(w.truth).contains(x.plan.areas[.grid].map { $0.0.featureIDs[$0.1] } ?? -1))
        // The event's areas carry the second city's codes.
        #expect(x.event.districtCode == "340210" && x.event.gridCode?.hasPrefix("340210") == true)
        // Out of area: refused, not placed at a local namesake.
        await #expect(throws: CityOpsError.self) {
            try await hub.intake(EventRequest(type: "", description: "四川省成都市" + w.mention + "有井盖缺失", address: nil, point: nil, source: nil,
                                              reportedAt: nil, reportedAtText: nil),
                                 snapshot: Self.state.snapshot, geocoding: Self.geocoding, floodWarningRatio: 0.8)
        }
    }
}
