import Foundation
import Geo
import Importer
import Storage
import TestSupport

/// A scratch folder with a fresh store, plus helpers to write inputs and import them.
struct ImportFixture {
    let dir: String
    let store: SpatiaLiteStore

    init(_ name: String = #function) throws {
        dir = TestSupport.scratch(name)
        store = try SpatiaLiteStore(path: dir + "/t.sqlite")
    }

    func file(_ name: String, _ text: String) -> String {
        TestSupport.write(text, to: dir + "/" + name)
        return dir + "/" + name
    }

    func file(_ name: String, bytes: [UInt8]) -> String {
        TestSupport.write(bytes: bytes, to: dir + "/" + name)
        return dir + "/" + name
    }

    @discardableResult
    func run(_ files: [String], layer: String, role: LayerRole, configure: (inout ImportOptions) throws -> Void = { _ in }) throws -> ImportSummary {
        var o = ImportOptions(layer: layer, role: role)
        o.rejectsPath = dir + "/\(layer).rejects.geojsonl"
        try configure(&o)
        return try LayerImporter.run(files: files, options: o, store: store)
    }

    func features(_ layer: String) throws -> [StoredFeature] {
        var out: [StoredFeature] = []
        try store.forEachFeature(in: layer) { out.append($0) }
        return out
    }

    func rejects(_ layer: String) throws -> [JSONValue] {
        let text = (try? String(contentsOfFile: dir + "/\(layer).rejects.geojsonl", encoding: .utf8)) ?? ""
        return try text.split(separator: "\n").map { try JSONParser.parse(String($0)) }
    }

    static func featureCollection(_ features: [String]) -> String {
        #"{"type":"FeatureCollection","features":["# + features.joined(separator: ",") + "]}"
    }

    static func pointFeature(_ props: String, _ x: String, _ y: String) -> String {
        #"{"type":"Feature","properties":\#(props),"geometry":{"type":"Point","coordinates":[\#(x),\#(y)]}}"#
    }

    static func polygonFeature(_ props: String, _ ring: String) -> String {
        #"{"type":"Feature","properties":\#(props),"geometry":{"type":"Polygon","coordinates":[\#(ring)]}}"#
    }
}

extension Geometry {
    var firstCoordinate: Coordinate? {
        var c: Coordinate?
        forEachCoordinate { if c == nil { c = $0 } }
        return c
    }
}
