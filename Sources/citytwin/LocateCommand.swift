import ArgumentParser
import CLISupport
import CityOps
import Foundation
import Geo
import Storage

struct LocateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "locate", abstract: "Which grid, community, street and district own a point.")

    @Argument(help: "Longitude") var lon: Double
    @Argument(help: "Latitude") var lat: Double
    @Option(help: "SpatiaLite database or postgres:// URL") var db: String = "citytwin.sqlite"
    @Option(help: "CRS of the point: wgs84, cgcs2000, gcj02, bd09") var crs: String = "wgs84"

    func run() throws {
        guard lon.isFinite, lat.isFinite, (-180...180).contains(lon), (-90...90).contains(lat) else {
            throw fail("LON must be -180…180 and LAT -90…90")
        }
        guard let system = CRS(name: crs) else { throw fail("--crs must be wgs84, cgcs2000, gcj02 or bd09") }
        let p = system.toWGS84(Coordinate(lon, lat))
        if case .spatiaLite = StoreLocation(db), !FileManager.default.fileExists(atPath: db) {
            throw fail("no database \(db) (run citytwin load or serve first)")
        }
        // A SpatiaLite file or a postgres:// URL (password from PGPASSWORD).
        let snapshot = try openSnapshot(db)
        let found = snapshot.locate(lon: p.x, lat: p.y)
        var out = JSONObject()
        for role in [LayerRole.grid, .community, .street, .district] {
            if let (l, i) = found[role] {
                var o = l.properties.object(i)
                o["id"] = .number(Double(l.featureIDs[i]))
                out[role.rawValue] = .object(o)
            } else {
                out[role.rawValue] = .null
            }
        }
        print(JSONWriter.string(out))
        if found[.grid] == nil { throw ExitCode(3) }
    }
}
