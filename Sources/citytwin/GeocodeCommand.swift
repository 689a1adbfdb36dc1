import ArgumentParser
import CLISupport
import CityOps
import Foundation
import Geo
import Geocoder
import Storage

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
        let json = JSONValue.array(results.map { GeocodeAnswerJSON.result($0) })
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
        print(JSONWriter.string(GeocodeAnswerJSON.reverse(r, at: Coordinate(lon, lat))))
    }
}
