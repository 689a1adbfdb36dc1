import Foundation
import Geo
import Importer
import Storage
import Testing
import TestSupport

/// The import failure policy: a fault in one feature rejects that feature (reject file);
/// a fault in the file (syntax, encoding, CRS) aborts and leaves the database as it was.
@Suite struct FailurePolicyTests {
    func bikes(_ n: Int, crsMember: String = "") -> String {
        #"{"type":"FeatureCollection",\#(crsMember)"features":["# + (0..<n).map { k in
            ImportFixture.pointFeature(#"{"bike_id":"B\#(k)","operator":"美团"}"#, "104.0\(k)", "30.6\(k)")
        }.joined(separator: ",") + "]}"
    }

    @Test func aGeoJSONCRSMemberPROJCannotReadAbortsAndKeepsTheLayer() throws {
        let fx = try ImportFixture()
        try fx.run([fx.file("ok.geojson", bikes(2))], layer: "bikes", role: .bike)
        let before = try fx.features("bikes")
        let member = #""crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::999999"}},"#
        let bad = fx.file("bad.geojson", bikes(3, crsMember: member))
        #expect {
            try fx.run([bad], layer: "bikes", role: .bike)
        } throws: { e in
            guard let e = e as? ImportError else { return false }
            return e.code == .crs && e.message.contains("crs member") && e.message.contains("EPSG:999999")
        }
        #expect(try fx.features("bikes").map(\.id) == before.map(\.id))
        // --srs overrides the declaration, so the same file then imports.
        try fx.run([bad], layer: "bikes", role: .bike) { $0.srs = .wgs84 }
        #expect(try fx.features("bikes").count == 3)
    }

    @Test func aNonNumericDBFCellRejectsOnlyItsFeature() throws {
        let fx = try ImportFixture()
        let fields: [ShapefileWriter.Field] = [.init("station_id", .text(length: 6)), .init("capacity", .number(length: 8, decimals: 0))]
        let rows = (0..<3).map { k in
            (JSONObject([(key: "station_id", value: .string("P\(k)")), (key: "capacity", value: .number(Double(10 * (k + 1))))]),
             Geometry.point(Coordinate(104.01 + 0.01 * Double(k), 30.66)))
        }
        try ShapefileWriter(fields: fields, encoding: .utf8).write(basePath: fx.dir + "/st", features: rows, prj: nil)
        // Overwrite record 2's capacity cell: header 32 + 2 × 32 + 1 bytes, records 1 + 6 + 8 bytes.
        var dbf = try [UInt8](Data(contentsOf: URL(fileURLWithPath: fx.dir + "/st.dbf")))
        let cell = 97 + 15 * 1 + 1 + 6
        dbf.replaceSubrange(cell..<(cell + 8), with: Array("   abc  ".utf8))
        TestSupport.write(bytes: dbf, to: fx.dir + "/st.dbf")

        let summary = try fx.run([fx.dir + "/st.shp"], layer: "stations", role: .bikeStation)
        #expect(summary.imported == 2 && summary.rejected == 1)
        #expect(try fx.features("stations").map { $0.properties["station_id"]?.stringValue } == ["P0", "P2"])
        let reasons = try fx.rejects("stations").map { $0["reject_reason"]?.stringValue ?? "" }
        #expect(reasons.count == 1 && reasons[0].contains("record 2") && reasons[0].contains("is not a number"), "\(reasons)")
    }
}
