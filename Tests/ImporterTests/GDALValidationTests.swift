import Foundation
import Geo
import Importer
import Storage
import Testing
import TestSupport

/// Issue 15 item 2, "same validation, repair, rejects and atomicity as today" for the GDAL
/// reader: the same features as a GeoPackage (written by ogr2ogr) and as GeoJSON (the own
/// reader) give the same counts, repairs, reject reasons and stored features; an import
/// through GDAL that stops half-way leaves the layer as it was.
@Suite struct GDALValidationTests {
    static let props = #"{"code":"G1","name":"网格1","parent_code":"C1"}"#
    static let features = [
        ImportFixture.polygonFeature(props, "[[104,30],[104.01,30],[104.01,30.01],[104,30.01],[104,30]]"),
        // A bow-tie: repaired by make-valid.
        ImportFixture.polygonFeature(#"{"code":"G2","name":"网格2","parent_code":"C1"}"#, "[[104.1,30],[104.11,30.01],[104.11,30],[104.1,30.01],[104.1,30]]"),
        // A line in a grid layer: rejected.
        #"{"type":"Feature","properties":\#(props),"geometry":{"type":"LineString","coordinates":[[104,30],[104.1,30.1]]}}"#,
        // No name: rejected.
        ImportFixture.polygonFeature(#"{"code":"G4","parent_code":"C1"}"#, "[[104.2,30],[104.21,30],[104.21,30.01],[104.2,30]]"),
        // Collapsed to a line: not repairable.
        ImportFixture.polygonFeature(#"{"code":"G5","name":"网格5","parent_code":"C1"}"#, "[[104.3,30],[104.31,30],[104.32,30],[104.3,30]]"),
        ImportFixture.polygonFeature(#"{"code":"G6","name":"网格6","parent_code":"C2"}"#, "[[104.4,30],[104.41,30],[104.41,30.01],[104.4,30]]"),
    ]

    static func reasons(_ fx: ImportFixture, _ layer: String) throws -> [String] {
        try fx.rejects(layer).map { r in
            // "feature 3: …" and the like: the reason after the position, which the readers word alike.
            (r["reject_reason"]?.stringValue ?? "").replacingOccurrences(of: #"^feature \d+: "#, with: "", options: .regularExpression)
        }
    }

    @Test func aGeoPackageValidatesRepairsAndRejectsAsTheOwnReaderDoes() throws {
        let fx = try ImportFixture()
        let json = fx.file("g.geojson", ImportFixture.featureCollection(Self.features))
        let gpkg = fx.dir + "/g.gpkg"
        let r = try TestSupport.run("/usr/bin/ogr2ogr", ["-f", "GPKG", "-nlt", "GEOMETRY", "-nln", "grids", gpkg, json])
        #expect(r.status == 0, "\(r.stderr)")
        let own = try fx.run([json], layer: "own", role: .grid)
        let viaGDAL = try fx.run([gpkg], layer: "gdal", role: .grid)
        #expect(own.readers == ["own GeoJSON reader"] && viaGDAL.readers == [#"GDAL GPKG driver, layer "grids""#])
        #expect(own.read == 6 && own.imported == 3 && own.repairedCount == 1 && own.rejected == 3)
        #expect(viaGDAL.read == own.read && viaGDAL.imported == own.imported && viaGDAL.repaired == own.repaired && viaGDAL.rejected == own.rejected)
        let ownReasons = try Self.reasons(fx, "own"), gdalReasons = try Self.reasons(fx, "gdal")
        #expect(ownReasons.count == 3 && ownReasons == gdalReasons, "own \(ownReasons)\nGDAL \(gdalReasons)")
        #expect(try fx.rejects("gdal").compactMap { $0["source_index"]?.doubleValue } == [2, 3, 4])
        let a = try fx.features("own"), b = try fx.features("gdal")
        #expect(a.map(\.properties) == b.map(\.properties))
        #expect(a.count == b.count && zip(a, b).allSatisfy { x, y in
            let (p, q) = (ShapefileLikeGDALTests.xy(x.geometry), ShapefileLikeGDALTests.xy(y.geometry))
            return p.count == q.count && zip(p, q).allSatisfy { abs($0 - $1) < 1e-9 }
        })
        #expect(b.allSatisfy { if case .multiPolygon = $0.geometry { true } else { false } })
    }

    @Test func aGDALImportThatStopsHalfWayLeavesTheLayerAsItWas() throws {
        let fx = try ImportFixture()
        let json = fx.file("g.geojson", ImportFixture.featureCollection([Self.features[0], Self.features[5]]))
        let gpkg = fx.dir + "/g.gpkg"
        #expect(try TestSupport.run("/usr/bin/ogr2ogr", ["-f", "GPKG", gpkg, json]).status == 0)
        try fx.run([gpkg], layer: "grids", role: .grid)
        let before = try fx.features("grids")
        #expect(before.count == 2)
        // A MapInfo file with the Neutral charset: the first record is ASCII, the second holds
        // a byte no UTF-8 text has, so the import stops at the second feature.
        _ = fx.file("m.mif", """
        Version 300
        Charset "Neutral"
        Delimiter ","
        CoordSys Earth Projection 1, 104
        Columns 3
          code Char(10)
          name Char(20)
          parent_code Char(10)
        Data

        Region 1
          4
        104.5 30
        104.51 30
        104.51 30.01
        104.5 30
        Region 1
          4
        104.6 30
        104.61 30
        104.61 30.01
        104.6 30

        """)
        _ = fx.file("m.mid", bytes: Array("\"G7\",\"A\",\"C1\"\n\"G8\",\"".utf8) + [0xC1, 0xFA] + Array("\",\"C1\"\n".utf8))
        #expect { try fx.run([fx.dir + "/m.mif"], layer: "grids", role: .grid) } throws: { e in
            (e as? ImportError)?.code == .encoding
        }
        let after = try fx.features("grids")
        #expect(after.map(\.properties) == before.map(\.properties) && after.map(\.geometry) == before.map(\.geometry))
        // Everything rejected through GDAL: nothing imported, the layer kept.
        let lines = fx.file("l.geojson", ImportFixture.featureCollection([Self.features[2]]))
        let linesGPKG = fx.dir + "/l.gpkg"
        #expect(try TestSupport.run("/usr/bin/ogr2ogr", ["-f", "GPKG", linesGPKG, lines]).status == 0)
        #expect(throws: ImportError.self) { try fx.run([linesGPKG], layer: "grids", role: .grid) }
        #expect(try fx.features("grids").map(\.properties) == before.map(\.properties))
    }
}
