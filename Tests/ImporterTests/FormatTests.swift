import Foundation
import Geo
import Importer
import Storage
import Testing
import TestSupport

@Suite struct FormatTests {
    @Test func geoJSONFeatureCollectionLandsWithCatalogAndIndex() throws {
        let fx = try ImportFixture()
        let f = fx.file("bikes.geojson", ImportFixture.featureCollection((0..<50).map {
            ImportFixture.pointFeature(#"{"bike_id":"B\#($0)","operator":"美团"}"#, "104.\(10 + $0)", "30.67")
        }))
        let s = try fx.run([f], layer: "bikes", role: .bike) { $0.idField = "bike_id" }
        #expect(s.read == 50 && s.imported == 50 && s.rejected == 0)
        let info = try #require(try fx.store.layer(named: "bikes"))
        #expect(info.count == 50 && info.role == .bike && info.geometryType == "Point")
        #expect(abs(info.bbox.minX - 104.10) < 1e-9 && abs(info.bbox.maxX - 104.59) < 1e-9)
        let stored = try fx.features("bikes")
        #expect(stored[3].extID == "B3")
        #expect(stored[3].properties["operator"] == .string("美团"))
        #expect(try fx.store.check().isOK)
        let hits = try fx.store.features(in: "bikes", intersecting: BoundingBox(minX: 104.195, minY: 30, maxX: 104.215, maxY: 31), limit: 10)
        #expect(hits.map(\.extID) == ["B10", "B11"])
    }

    @Test func newlineDelimitedGeoJSON() throws {
        let fx = try ImportFixture()
        let lines = (0..<10).map { ImportFixture.pointFeature(#"{"name":"n\#($0)","category":"餐饮"}"#, "104.1", "30.\($0)") }
        let f = fx.file("p.geojsonl", lines.joined(separator: "\n") + "\n")
        #expect(try fx.run([f], layer: "pois", role: .poi).imported == 10)
    }

    @Test func csvWithLonLatColumnsQuotingAndBOM() throws {
        let fx = try ImportFixture()
        let f = fx.file("a.csv", "\u{FEFF}road,number,full,lng,lat\n建设路,12,\"建设路12号\",104.1,30.67\r\n\"东风路, 一段\",3,\"东风路一段3号 \"\"A\"\"\",104.2,30.68\n")
        let s = try fx.run([f], layer: "addresses", role: .address)
        #expect(s.imported == 2)
        let stored = try fx.features("addresses")
        #expect(stored[1].properties["road"] == .string("东风路, 一段"))
        #expect(stored[1].properties["full"] == .string("东风路一段3号 \"A\""))
        #expect(stored[1].geometry == .point(Coordinate(104.2, 30.68)))
    }

    /// Over 2 MiB, so records and quoted fields straddle the reader's 1 MiB chunks: every
    /// value comes back as generated (RFC 4180 quoting of commas, quotes and line breaks;
    /// coordinates padded with ASCII and ideographic spaces), and a short row's reject
    /// keeps its source text.
    @Test func largeCSVAcrossChunksKeepsEveryValue() throws {
        let fx = try ImportFixture()
        var rng = SplitMix64(seed: 17)
        let pieces = ["建设路", "a,b", "say \"hi\"", "two\nlines", " padded ", "", "x\r\ny", "东风路一段"]
        func quoted(_ v: String) -> String {
            v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r\n" || $0 == " " })
                ? "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : v
        }
        var text = "name,note,lon,lat\n"
        var expected: [(String, String, Double, Double)] = []
        let pads = ["", " ", "\t", "\u{3000}"]
        while text.utf8.count < 2_300_000 {
            let name = (0..<3).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
            let note = String(repeating: "注", count: Int(rng.next() % 40))
            let lon = 104 + Double(rng.next() % 100_000) / 1e6, lat = 30 + Double(rng.next() % 100_000) / 1e6
            let pad = pads[Int(rng.next() % UInt64(pads.count))]
            text += "\(quoted(name)),\(quoted(note)),\(pad)\(lon)\(pad),\(lat)\n"
            expected.append((name, note, lon, lat))
        }
        text += "short,row\n"
        let f = fx.file("big.csv", text)
        let s = try fx.run([f], layer: "generic_points", role: .generic)
        #expect(s.read == expected.count + 1 && s.imported == expected.count && s.rejected == 1)
        let stored = try fx.features("generic_points")
        #expect(stored.count == expected.count)
        var mismatches = 0
        for (f, e) in zip(stored, expected) {
            let name: JSONValue = e.0.isEmpty ? .null : .string(e.0), note: JSONValue = e.1.isEmpty ? .null : .string(e.1)
            if f.properties["name"] != name || f.properties["note"] != note || f.geometry != .point(Coordinate(e.2, e.3)) {
                mismatches += 1
            }
        }
        #expect(mismatches == 0)
        let reject = try #require(try fx.rejects("generic_points").first)
        #expect(reject.objectValue?["source_text"] == .string("short,row"))
    }

    @Test func csvWithWKTColumnAndExplicitFields() throws {
        let fx = try ImportFixture()
        let f = fx.file("r.csv", "名称,形状\n建设路,\"LINESTRING (104.1 30.6, 104.2 30.6)\"\n")
        let s = try fx.run([f], layer: "roads", role: .road) { $0.wktField = "形状"; $0.fieldMap = ["名称": "name"] }
        #expect(s.imported == 1)
        #expect(try fx.features("roads")[0].geometry == .multiLineString([[Coordinate(104.1, 30.6), Coordinate(104.2, 30.6)]]))
    }

    @Test func csvNamesAMissingGeometryColumn() throws {
        let fx = try ImportFixture()
        let f = fx.file("x.csv", "a,b\n1,2\n")
        #expect { try fx.run([f], layer: "x", role: .generic) } throws: { ($0 as? ImportError)?.message.contains("--lon-field") == true }
        let g = fx.file("y.csv", "name,lon,lat\nx,104,30\n")
        #expect { try fx.run([g], layer: "y", role: .generic) { $0.lonField = "lng" } } throws: {
            ($0 as? ImportError)?.message.contains("--lon-field lng: no such column") == true
        }
    }

    @Test func shapefilePolygonsWithHolesRoundTripThroughOurWriter() throws {
        let fx = try ImportFixture()
        let outer = [Coordinate(104.0, 30.0), Coordinate(104.1, 30.0), Coordinate(104.1, 30.1), Coordinate(104.0, 30.1), Coordinate(104.0, 30.0)]
        let hole = [Coordinate(104.02, 30.02), Coordinate(104.04, 30.02), Coordinate(104.04, 30.04), Coordinate(104.02, 30.04), Coordinate(104.02, 30.02)]
        let far = [Coordinate(105.0, 31.0), Coordinate(105.1, 31.0), Coordinate(105.1, 31.1), Coordinate(105.0, 31.0)]
        let props = JSONObject([(key: "code", value: .string("G1")), (key: "name", value: .string("第一网格")), (key: "parent_code", value: .string("C1"))])
        try ShapefileWriter(fields: [.init("code", .text(length: 10)), .init("name", .text(length: 20)), .init("parent_code", .text(length: 10))],
                            encoding: .utf8)
            .write(basePath: fx.dir + "/g", features: [(props, .multiPolygon([[outer, hole], [far]]))], prj: nil)
        // DBF field names stop at 10 bytes ("parent_cod"): the field map restores the role's name.
        let s = try fx.run([fx.dir + "/g.shp"], layer: "grids", role: .grid) { $0.fieldMap = ["parent_cod": "parent_code"] }
        #expect(s.imported == 1 && s.repairedCount == 0)
        guard case .multiPolygon(let ps) = try fx.features("grids")[0].geometry else { Issue.record("not multipolygon"); return }
        #expect(ps.count == 2)
        #expect(ps[0].count == 2, "the hole is assigned to its outer ring")
        #expect(try fx.features("grids")[0].properties["name"] == .string("第一网格"))
    }

    @Test func deletedDBFRecordsAreSkippedWithTheirShapes() throws {
        let fx = try ImportFixture()
        let features = (0..<5).map { k in
            (JSONObject([(key: "bike_id", value: .string("B\(k)")), (key: "operator", value: .string("美团"))]), Geometry.point(Coordinate(104 + Double(k) * 0.01, 30.6)))
        }
        try ShapefileWriter(fields: [.init("bike_id", .text(length: 4)), .init("operator", .text(length: 8))], encoding: .utf8)
            .write(basePath: fx.dir + "/b", features: features, prj: nil)
        var dbf = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fx.dir + "/b.dbf")))
        let header = Int(dbf[8]) | Int(dbf[9]) << 8, record = Int(dbf[10]) | Int(dbf[11]) << 8
        for k in [0, 1, 3] { dbf[header + k * record] = 0x2A } // '*': deleted
        TestSupport.write(bytes: dbf, to: fx.dir + "/b.dbf")
        let s = try fx.run([fx.dir + "/b.shp"], layer: "bikes", role: .bike)
        #expect(s.read == 2 && s.imported == 2)
        #expect(try fx.features("bikes").map { $0.properties["bike_id"] } == [.string("B2"), .string("B4")])
        #expect(try fx.features("bikes").map(\.geometry) == [features[2].1, features[4].1])
    }

    @Test func ogrReadsWhatWeWroteAndAgreesOnAttributes() throws {
        // Independent reader: GDAL's ogrinfo on a GBK shapefile written by ShapefileWriter.
        let fx = try ImportFixture()
        let props = JSONObject([(key: "name", value: .string("锦华区人民医院")), (key: "category", value: .string("医院"))])
        try ShapefileWriter(fields: [.init("name", .text(length: 30)), .init("category", .text(length: 10))], encoding: .gbk)
            .write(basePath: fx.dir + "/h", features: [(props, .point(Coordinate(104.1, 30.67)))], prj: nil)
        let r = try TestSupport.run("/usr/bin/ogrinfo", ["-al", "-q", fx.dir + "/h.shp"])
        #expect(r.stdout.contains("锦华区人民医院"), "ogrinfo output: \(r.stdout) \(r.stderr)")
        #expect(r.stdout.contains("POINT (104.1 30.67)"))
    }

    @Test func unknownExtensionAndMissingFileAreClearErrors() throws {
        let fx = try ImportFixture()
        let f = fx.file("x.xyz", "neither GeoJSON, CSV, Shapefile nor anything GDAL reads")
        #expect { try fx.run([f], layer: "x", role: .generic) } throws: { ($0 as? ImportError)?.message.contains("unknown file type") == true }
        #expect { try fx.run([fx.dir + "/nope.geojson"], layer: "x", role: .generic) } throws: { ($0 as? ImportError)?.message == "no such file" }
    }
}
