import ArgumentParser
import CLISupport
import CityOps
import Foundation
import Geo
import Geocoder
import Storage

/// Output of one geocoding answer as JSON, shared by the CLI and the server.
enum GeocodeJSON {
    static func area(_ a: (LayerSnapshot, Int)?) -> JSONValue {
        guard let (l, i) = a else { return .null }
        let p = l.properties.object(i)
        return .object(JSONObject([("code", p["code"] ?? .null), ("name", p["name"] ?? .null), ("id", .number(Double(l.featureIDs[i])))]))
    }
}

struct GeocodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "geocode", abstract: "Geocode a Chinese address against the database.")
    @Argument(help: "Address text") var address: String
    @Option(help: "SpatiaLite database") var db = "citytwin.sqlite"
    @Option(help: "Bias towards this point: lon,lat (WGS84)") var focus: String?
    @Option(help: "Results") var limit = 5

    func run() throws {
        let snapshot = try openSnapshot(db)
        var f: Coordinate?
        if let focus {
            let v = focus.split(separator: ",").compactMap { Double($0) }
            guard v.count == 2, v[0].isFinite, v[1].isFinite, abs(v[0]) <= 180, abs(v[1]) <= 90 else { throw fail("--focus must be lon,lat") }
            f = Coordinate(v[0], v[1])
        }
        guard (1...50).contains(limit) else { throw fail("--limit must be 1-50") }
        guard !address.trimmingCharacters(in: .whitespaces).isEmpty else { throw fail("the address is empty") }
        let results = GeocodingService().geocode(address, focus: f, limit: limit, snapshot: snapshot)
        let json = JSONValue.array(results.map { r in
            .object(JSONObject([
                ("lon", .number(r.result.point.x)), ("lat", .number(r.result.point.y)), ("level", .string(r.result.level.rawValue)),
                ("match_type", .string(r.result.matchType)), ("confidence", .number((r.result.confidence * 1000).rounded() / 1000)),
                ("formatted", .string(r.result.formatted)),
                ("components", .object(JSONObject(r.result.components.map { ($0.key, JSONValue.string($0.value)) }))),
                ("grid", GeocodeJSON.area(r.areas[.grid])),
            ]))
        })
        print(JSONWriter.string(.object(JSONObject([("query", .string(address)), ("results", json)]))))
        if results.isEmpty { throw ExitCode(3) }
    }
}

struct ReverseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reverse", abstract: "Reverse-geocode a point: admin areas, grid, nearest address, road and POI.")
    @Argument(help: "Longitude (WGS84)") var lon: Double
    @Argument(help: "Latitude (WGS84)") var lat: Double
    @Option(help: "SpatiaLite database") var db = "citytwin.sqlite"

    func run() throws {
        guard lon.isFinite, lat.isFinite, abs(lon) <= 180, abs(lat) <= 90 else { throw fail("LON LAT must be WGS84 degrees") }
        let s = try openSnapshot(db)
        let r = GeocodingService().reverse(lon: lon, lat: lat, snapshot: s)
        func named(_ x: (LayerSnapshot, Int, Double)?, _ key: String) -> JSONValue {
            guard let (l, i, d) = x else { return .null }
            return .object(JSONObject([(key, l.properties.object(i)[key] ?? .null), ("distance_m", .number((d * 10).rounded() / 10))]))
        }
        print(JSONWriter.string(.object(JSONObject([
            ("formatted", .string(r.formatted)), ("description", .string(r.description)),
            ("district", GeocodeJSON.area(r.areas[.district])), ("street", GeocodeJSON.area(r.areas[.street])),
            ("community", GeocodeJSON.area(r.areas[.community])), ("grid", GeocodeJSON.area(r.areas[.grid])),
            ("address", named(r.address, "full")), ("road", named(r.road, "name")), ("poi", named(r.poi, "name")),
        ]))))
    }
}
