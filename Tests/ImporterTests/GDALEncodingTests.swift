import Foundation
import Geo
import Importer
import Storage
import Testing
import TestSupport

/// Issue 15 item 2: `--encoding` reaches GDAL. Files that do not say their encoding (a DBF
/// with no .cpg and no language driver; a MapInfo MIF/MID with the "Neutral" charset) and
/// hold GBK text: without `--encoding` the import stops and says to try it (never mojibake);
/// with `--encoding gbk` the values land as written. The Shapefile driver takes it as its
/// ENCODING open option (checked against `ogr2ogr -oo ENCODING=CP936`); MapInfo's has no such
/// option in GDAL 3.6, so its raw strings are decoded in the chosen encoding.
@Suite struct GDALEncodingTests {
    static let name = "锦华区人民医院", category = "医院"

    @Test func aShapefileThroughGDALTakesEncodingAsItsOpenOption() throws {
        let fx = try ImportFixture()
        let props = JSONObject([(key: "name", value: .string(Self.name)), (key: "category", value: .string(Self.category))])
        try ShapefileWriter(fields: [.init("name", .text(length: 30)), .init("category", .text(length: 12))], encoding: .gbk,
                            languageDriver: 0, writeCPG: false)
            .write(basePath: fx.dir + "/g", features: [(props, .point(Coordinate(104.1, 30.67)))], prj: nil)
        let shp = fx.dir + "/g.shp"
        #expect { try fx.run([shp], layer: "a", role: .generic) { $0.reader = .gdal } } throws: { e in
            let m = (e as? ImportError)?.message ?? ""
            return (e as? ImportError)?.code == .encoding && m.contains("try --encoding gbk")
        }
        let s = try fx.run([shp], layer: "b", role: .generic) { $0.reader = .gdal; $0.encoding = .gbk }
        #expect(s.readers.first?.hasPrefix("GDAL ESRI Shapefile driver") == true && s.imported == 1)
        let ours = try fx.features("b")
        #expect(ours.first?.properties["name"] == .string(Self.name) && ours.first?.properties["category"] == .string(Self.category))
        // GDAL's own reading with the same open option.
        let r = try TestSupport.run("/usr/bin/ogr2ogr", ["-f", "GeoJSON", "/vsistdout/", "-oo", "ENCODING=CP936", shp])
        let theirs = try JSONParser.parse(r.stdout)["features"]?.arrayValue?.first?["properties"]
        #expect(theirs?["name"] == .string(Self.name), "\(r.stdout)\(r.stderr)")
        #expect(ours.first.map { $0.properties["name"] } == theirs?["name"])
    }

    @Test func aNeutralCharsetMapInfoFileIsDecodedInTheGivenEncoding() throws {
        let fx = try ImportFixture()
        _ = fx.file("m.mif", """
        Version 300
        Charset "Neutral"
        Delimiter ","
        CoordSys Earth Projection 1, 104
        Columns 2
          name Char(30)
          category Char(12)
        Data

        Point 104.1 30.67

        """)
        let mid = try #require(TextEncoding.gbk.encode("\"\(Self.name)\",\"\(Self.category)\"\n"))
        #expect(!mid.isEmpty && String(validating: mid, as: UTF8.self) == nil, "the MID must hold GBK bytes, not UTF-8")
        _ = fx.file("m.mid", bytes: mid)
        let mif = fx.dir + "/m.mif"
        #expect { try fx.run([mif], layer: "a", role: .generic) } throws: { e in
            (e as? ImportError)?.code == .encoding && (e as? ImportError)?.message.contains("try --encoding gbk") == true
        }
        let s = try fx.run([mif], layer: "b", role: .generic) { $0.encoding = .gbk }
        #expect(s.readers.first?.hasPrefix("GDAL MapInfo File driver") == true && s.imported == 1)
        let f = try #require(try fx.features("b").first)
        #expect(f.properties["name"] == .string(Self.name) && f.properties["category"] == .string(Self.category))
        #expect(ShapefileLikeGDALTests.xy(f.geometry) == [104.1, 30.67])
    }
}
