import Foundation
import Geo
import Importer
import Storage
import Testing
import TestSupport

/// Every bad-input case of the importer, each with the reason it reports.
@Suite struct BadInputTests {
    static let gridProps = #"{"code":"G1","name":"网格1","parent_code":"C1"}"#

    struct Case: CustomStringConvertible, Sendable {
        let name: String
        let feature: String
        let role: LayerRole
        let reason: String
        var description: String { name }
    }

    static let rejected: [Case] = [
        Case(name: "missing required property", feature: ImportFixture.pointFeature(#"{"bike_id":"B1"}"#, "104.1", "30.6"),
             role: .bike, reason: "missing required property \"operator\" (role bike)"),
        Case(name: "empty required property", feature: ImportFixture.pointFeature(#"{"bike_id":" ","operator":"美团"}"#, "104.1", "30.6"),
             role: .bike, reason: "required property \"bike_id\" is empty"),
        Case(name: "non-numeric property", feature: ImportFixture.pointFeature(#"{"station_id":"P1","capacity":"many"}"#, "104.1", "30.6"),
             role: .bikeStation, reason: "property \"capacity\" must be a number, found \"many\""),
        Case(name: "cim level out of range",
             feature: ImportFixture.polygonFeature(#"{"height_m":10,"floors":3,"cim_level":9,"use":"住宅"}"#, "[[104,30],[104.001,30],[104.001,30.001],[104,30]]"),
             role: .building, reason: "\"cim_level\" must be an integer from 1 to 6"),
        Case(name: "NaN coordinate", feature: ImportFixture.pointFeature(#"{"bike_id":"B1","operator":"美团"}"#, "NaN", "30.6"),
             role: .bike, reason: "non-finite coordinate (NaN or Infinity)"),
        Case(name: "Infinity coordinate", feature: ImportFixture.pointFeature(#"{"bike_id":"B1","operator":"美团"}"#, "104.1", "-Infinity"),
             role: .bike, reason: "non-finite coordinate"),
        Case(name: "null geometry", feature: #"{"type":"Feature","properties":{"bike_id":"B1","operator":"美团"},"geometry":null}"#,
             role: .bike, reason: "feature has no geometry (null)"),
        Case(name: "empty geometry", feature: #"{"type":"Feature","properties":\#(gridProps),"geometry":{"type":"Polygon","coordinates":[]}}"#,
             role: .grid, reason: "empty geometry"),
        Case(name: "wrong geometry type for the role",
             feature: #"{"type":"Feature","properties":\#(gridProps),"geometry":{"type":"LineString","coordinates":[[104,30],[104.1,30.1]]}}"#,
             role: .grid, reason: "geometry type LineString does not fit role grid (needs Polygon or MultiPolygon)"),
        Case(name: "lon/lat out of range", feature: ImportFixture.pointFeature(#"{"bike_id":"B1","operator":"美团"}"#, "410234.5", "3394567.8"),
             role: .bike, reason: "outside the lon/lat range after reprojection (wrong --srs?)"),
        Case(name: "malformed coordinates", feature: #"{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":["a","b"]}}"#,
             role: .generic, reason: "a position must be an array of at least two numbers"),
        Case(name: "unknown geometry type", feature: #"{"type":"Feature","properties":{},"geometry":{"type":"Circle","coordinates":[1,2]}}"#,
             role: .generic, reason: "unknown geometry type \"Circle\""),
        Case(name: "degenerate ring", feature: ImportFixture.polygonFeature(gridProps, "[[104,30],[104.1,30],[104,30]]"),
             role: .grid, reason: "degenerate ring: fewer than 3 distinct points"),
        Case(name: "unrepairable collapsed polygon", feature: ImportFixture.polygonFeature(gridProps, "[[104,30],[104.1,30],[104.2,30],[104,30]]"),
             role: .grid, reason: "is not repairable: nothing polygonal remains"),
    ]

    @Test(arguments: rejected) func rejectedWithItsReason(_ c: Case) throws {
        let fx = try ImportFixture()
        let good = switch c.role {
        case .bike: ImportFixture.pointFeature(#"{"bike_id":"OK","operator":"哈啰"}"#, "104.2", "30.7")
        case .bikeStation: ImportFixture.pointFeature(#"{"station_id":"OK","capacity":5}"#, "104.2", "30.7")
        case .building: ImportFixture.polygonFeature(#"{"height_m":10,"floors":3,"cim_level":2,"use":"住宅"}"#, "[[104,30],[104.001,30],[104.001,30.001],[104,30]]")
        case .grid: ImportFixture.polygonFeature(Self.gridProps, "[[104,30],[104.1,30],[104.1,30.1],[104,30]]")
        default: ImportFixture.pointFeature("{}", "104.2", "30.7")
        }
        let f = fx.file("in.geojson", ImportFixture.featureCollection([good, c.feature]))
        let s = try fx.run([f], layer: "layer", role: c.role)
        #expect(s.read == 2 && s.imported == 1 && s.rejected == 1)
        #expect(s.firstRejectReasons.first?.contains(c.reason) == true, "\(s.firstRejectReasons)")
        let rejects = try fx.rejects("layer")
        #expect(rejects.count == 1)
        #expect(rejects.first?["reject_reason"]?.stringValue?.contains(c.reason) == true)
        #expect(rejects.first?["source_index"] == .number(1))
        #expect(try fx.features("layer").count == 1)
    }

    static let repaired: [(String, String, String)] = [
        ("bow-tie self-intersection", "[[104,30],[104.1,30.1],[104.1,30],[104,30.1],[104,30]]", "Self-intersection"),
        ("unclosed ring", "[[104,30],[104.1,30],[104.1,30.1],[104,30.1]]", "unclosed ring"),
        ("spike", "[[104,30],[104.1,30],[104.1,30.1],[104.15,30.1],[104.1,30.1],[104,30.1],[104,30]]", "Self-intersection"),
    ]

    @Test(arguments: 0..<3) func repairedWithGEOSMakeValidAndCounted(_ k: Int) throws {
        let (name, ring, reason) = Self.repaired[k]
        let fx = try ImportFixture()
        let f = fx.file("in.geojson", ImportFixture.featureCollection([ImportFixture.polygonFeature(Self.gridProps, ring)]))
        let s = try fx.run([f], layer: "grids", role: .grid)
        #expect(s.imported == 1, "\(name)")
        #expect(s.repaired.keys.contains { $0.contains(reason) }, "\(name): \(s.repaired)")
        let g = try fx.features("grids")[0].geometry
        let geos = GEOSContextProbe()
        #expect(try geos.isValid(g), "\(name): stored geometry must be valid")
        #expect(s.line.contains("repaired 1"))
    }

    @Test func malformedJSONAbortsAndLeavesTheOldLayer() throws {
        let fx = try ImportFixture()
        let good = fx.file("good.geojson", ImportFixture.featureCollection([ImportFixture.pointFeature(#"{"bike_id":"A","operator":"美团"}"#, "104.1", "30.6")]))
        try fx.run([good], layer: "bikes", role: .bike)
        let before = try #require(try fx.store.layer(named: "bikes"))
        var features = (0..<500).map { ImportFixture.pointFeature(#"{"bike_id":"N\#($0)","operator":"哈啰"}"#, "104.2", "30.7") }
        features.append(#"{"type":"Feature","properties":{"bike_id":"X","operator":"美团"},"geometry":{"type":"Point","coordinates":[1,2]"#)
        let bad = fx.file("bad.geojson", ImportFixture.featureCollection(features))
        #expect { try fx.run([bad], layer: "bikes", role: .bike) } throws: { e in
            let m = (e as? ImportError)?.description ?? ""
            return m.contains("bad.geojson") && m.contains("malformed")
        }
        #expect(try fx.store.layer(named: "bikes") == before)
        #expect(try fx.features("bikes").map(\.properties) == [JSONObject([(key: "bike_id", value: .string("A")), (key: "operator", value: .string("美团"))])])
        #expect(try fx.store.check().isOK)
    }

    @Test func everythingRejectedImportsNothing() throws {
        let fx = try ImportFixture()
        let f = fx.file("in.geojson", ImportFixture.featureCollection([ImportFixture.pointFeature("{}", "104", "30")]))
        #expect { try fx.run([f], layer: "bikes", role: .bike) } throws: { e in
            (e as? ImportError)?.message.contains("no feature could be imported (read 1, rejected 1); first: feature 0: missing required property") == true
        }
        #expect(try fx.store.layer(named: "bikes") == nil)
        #expect(try fx.rejects("bikes").count == 1)
    }

    @Test func appendAddsAndReplaceReplaces() throws {
        let fx = try ImportFixture()
        let a = fx.file("a.geojson", ImportFixture.featureCollection([ImportFixture.pointFeature(#"{"bike_id":"A","operator":"美团"}"#, "104.1", "30.6")]))
        let b = fx.file("b.geojson", ImportFixture.featureCollection([ImportFixture.pointFeature(#"{"bike_id":"B","operator":"美团"}"#, "104.3", "30.8")]))
        try fx.run([a], layer: "bikes", role: .bike)
        try fx.run([b], layer: "bikes", role: .bike) { $0.mode = .append }
        let info = try #require(try fx.store.layer(named: "bikes"))
        #expect(info.count == 2 && info.version == 2)
        #expect(info.bbox == BoundingBox(minX: 104.1, minY: 30.6, maxX: 104.3, maxY: 30.8))
        try fx.run([b], layer: "bikes", role: .bike)
        #expect(try fx.store.layer(named: "bikes")?.count == 1)
        #expect { try fx.run([b], layer: "bikes", role: .poi) { $0.mode = .append } } throws: { ($0 as? ImportError)?.message.contains("has role bike") == true }
        #expect(try fx.store.check().isOK)
    }

    @Test func invalidLayerNameAndEventRole() throws {
        let fx = try ImportFixture()
        let a = fx.file("a.geojson", ImportFixture.featureCollection([]))
        #expect { try fx.run([a], layer: "Bad-Name", role: .bike) } throws: { ($0 as? ImportError)?.message.contains("invalid layer name") == true }
        #expect { try fx.run([a], layer: "ev", role: .event) } throws: { ($0 as? ImportError)?.message.contains("managed by the server") == true }
    }
}
