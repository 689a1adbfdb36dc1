import CityOps
import Foundation
import Geo
import Geocoder
import GeocoderFuzzing
import Importer
import Storage
import Testing
import TestSupport

@Suite struct IncrementalGeocoderTests {
    static func signature(_ rs: [GeocodeResult]) -> String {
        rs.map { r in
            "\(r.level.rawValue)|\(r.matchType)|\(r.confidence)|\(r.formatted)|\(r.point.x),\(r.point.y)|"
                + r.components.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "|\(r.admin)|\(r.region)"
        }.joined(separator: "\n")
    }

    static func signature(_ rs: [(text: String, kind: Gazetteer.Suggestion.Kind, point: Coordinate)]) -> String {
        rs.map { "\($0.text)|\($0.kind)|\($0.point.x),\($0.point.y)" }.joined(separator: "\n")
    }

    /// A POI import rebuilds the POI part only (the admin, road and address parts
    /// are the same objects), and the geocoder so assembled answers every query
    /// exactly as one built from scratch on the new snapshot: forward with and
    /// without focus, autocomplete, free-text extraction.
    @Test func poiImportRebuildsOnlyThePOIPartWithTheSameAnswers() throws {
        let dir = TestSupport.scratch("incremental-geocoder")
        let store = try SpatiaLiteStore(path: dir + "/sample.sqlite")
        let manifest = try GeoDataManifest.read(directory: TestSupport.projectRoot + "/GeoData")
        _ = try manifest.load(directory: TestSupport.projectRoot + "/GeoData", into: store, rejectsDirectory: dir)
        let state = try CityState(store: store)
        let service = GeocodingService()
        let before = service.geocoder(for: state.snapshot)
        for kind in GazetteerPartKind.allCases { #expect(service.buildCount(of: kind) == 1, "\(kind)") }

        // New POIs: a new name, an alias, a branch, and a namesake of an existing POI elsewhere.
        let poiLayer = try #require(state.snapshot.layer(role: .poi))
        let existing = try #require(before.gazetteer.pois.first)
        let added: [(String, [String], Coordinate)] = [
            ("增量测试广场", [], Coordinate(104.08, 30.66)),
            ("增量咖啡(荆翠店)", ["ZLCoffee"], Coordinate(104.09, 30.65)),
            (existing.name, existing.aliases, Coordinate(104.11, 30.68)),
        ]
        _ = try store.importLayer(LayerSpec(name: poiLayer.info.name, role: .poi), mode: .append) { w in
            for (k, (name, aliases, c)) in added.enumerated() {
                try w.insert(extID: "incremental-\(k)", properties: JSONObject([("name", .string(name)), ("category", .string("测试")),
                                                                               ("aliases", .array(aliases.map { .string($0) }))]),
                             geometry: .point(c))
            }
        }
        var rebuilt: [String] = []
        let snapshot = try state.refresh { rebuilt.append($0) }
        #expect(rebuilt == [poiLayer.info.name])
        let after = service.geocoder(for: snapshot)
        #expect(service.buildCount(of: .pois) == 2)
        #expect(service.buildCount(of: .admin) == 1 && service.buildCount(of: .roads) == 1 && service.buildCount(of: .addresses) == 1)
        #expect(after.gazetteer.addressPart === before.gazetteer.addressPart)
        #expect(after.gazetteer.roadPart === before.gazetteer.roadPart)
        #expect(after.gazetteer.adminPart === before.gazetteer.adminPart)
        #expect(after.gazetteer.poiPart !== before.gazetteer.poiPart)
        #expect(after.gazetteer.pois.count == before.gazetteer.pois.count + added.count)

        let full = Geocoder(snapshot.makeGazetteer())
        // Queries: every gazetteer phrase (names, aliases, short forms, 2,000 addresses),
        // every prefix of the new names, the fuzz corpus' seeds, random fuzz inputs.
        let inputs = AddressFuzzInputs(gazetteer: full.gazetteer)
        var queries = inputs.phrases
        for (name, aliases, _) in added { for t in [name] + aliases { queries += AddressFuzzInputs.truncations(of: t) } }
        for k in 0..<8 {
            if let s = try? String(contentsOfFile: TestSupport.projectRoot + "/Tests/FuzzCorpus/address/seed-\(k).txt", encoding: .utf8) {
                queries.append(s)
            }
        }
        var rng = SplitMix64(state: 3)
        for _ in 0..<1500 { queries.append(inputs.make(&rng)) }
        let focus = Coordinate(104.1, 30.66)
        var differences: [String] = []
        for q in queries {
            if Self.signature(after.geocode(q)) != Self.signature(full.geocode(q)) { differences.append("geocode \(q)") }
            if Self.signature(after.geocode(q, focus: focus, limit: 10)) != Self.signature(full.geocode(q, focus: focus, limit: 10)) {
                differences.append("geocode+focus \(q)")
            }
            if Self.signature(after.autocomplete(q)) != Self.signature(full.autocomplete(q)) { differences.append("autocomplete \(q)") }
            let prefix = String(q.prefix(2))
            if Self.signature(after.autocomplete(prefix, focus: focus)) != Self.signature(full.autocomplete(prefix, focus: focus)) {
                differences.append("autocomplete+focus \(prefix)")
            }
        }
        #expect(differences.isEmpty, "\(differences.count) of \(queries.count): \(differences.prefix(10))")
        // The new POIs are found (the comparison would also pass were both blind to them).
        #expect(after.geocode("增量测试广场").first?.formatted.hasSuffix("增量测试广场") == true)
        #expect(after.autocomplete("增量").count == 2)

        // An admin layer change rebuilds every part (entries carry admin codes).
        let districts = try #require(snapshot.layer(role: .district))
        _ = try store.importLayer(LayerSpec(name: districts.info.name, role: .district), mode: .append) { w in
            try w.insert(extID: "incremental-d", properties: JSONObject([("code", .string("510198")), ("name", .string("增量区"))]),
                         geometry: .multiPolygon([[[Coordinate(103.0, 30.0), Coordinate(103.01, 30.0), Coordinate(103.01, 30.01), Coordinate(103.0, 30.0)]]]))
        }
        _ = service.geocoder(for: try state.refresh())
        for kind in GazetteerPartKind.allCases { #expect(service.buildCount(of: kind) == (kind == .pois ? 3 : 2), "\(kind)") }
    }
}
