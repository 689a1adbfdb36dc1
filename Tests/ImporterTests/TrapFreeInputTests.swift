import Foundation
import Geo
import Importer
import Storage
import Testing
import TestSupport

/// Issue 18: files being imported reach no runtime trap, however broken.
@Suite struct ImporterTrapFreeInputTests {
    typealias Rng = SplitMix64

    static func mutate(_ seed: [UInt8], _ i: Int, _ rng: inout Rng, protectPrefix: Int = 0) -> [UInt8] {
        var b = seed
        let lo = min(protectPrefix, b.count)
        switch i % 4 {
        case 0: b = Array(b.prefix(lo + rng.below(b.count - lo + 1)))
        case 1: for _ in 0...rng.below(4) where b.count > lo { b[lo + rng.below(b.count - lo)] ^= UInt8(1 << rng.below(8)) }
        case 2: for _ in 0...rng.below(4) where b.count > lo { b[lo + rng.below(b.count - lo)] = UInt8(truncatingIfNeeded: rng.next()) }
        default: if b.count > lo { let at = lo + rng.below(b.count - lo); b.removeSubrange(at..<min(b.count, at + 1 + rng.below(8))) }
        }
        return b
    }

    /// Reads every record a source gives (bounded), ignoring thrown errors.
    static func drain(_ make: () throws -> any FeatureSource) {
        guard let s = try? make() else { return }
        var n = 0
        while n < 500, let r = try? s.next() { _ = r; n += 1 }
    }

    // MARK: regressions

    /// The reject writer formats coordinates at precision 9: `Int64(1e12 × 1e9)` trapped
    /// while writing a feature rejected for being far outside the lon/lat range.
    @Test func featureWithHugeCoordinatesIsRejectedNotATrap() throws {
        let fx = try ImportFixture()
        let f = fx.file("huge.geojson", ImportFixture.featureCollection([
            ImportFixture.pointFeature(#"{"bike_id":"B1","operator":"美团"}"#, "1e12", "-3e14"),
            ImportFixture.pointFeature(#"{"bike_id":"B2","operator":"美团"}"#, "104.1", "30.6"),
        ]))
        let s = try fx.run([f], layer: "bikes", role: .bike)
        #expect(s.imported == 1 && s.rejected == 1)
        let rejects = try fx.rejects("bikes")
        #expect(rejects.count == 1)
        #expect(rejects.first?["reject_reason"]?.stringValue?.contains("outside the lon/lat range") == true)
        #expect(rejects.first?["geometry"]?["coordinates"] == .array([.number(1e12), .number(-3e14)]))
    }

    @Test func dbfHeaderShorterThanItsFixedPartIsAFormatError() throws {
        let fx = try ImportFixture()
        try ShapefileWriter(fields: [.init("bike_id", .text(length: 4)), .init("operator", .text(length: 8))], encoding: .utf8)
            .write(basePath: fx.dir + "/b", features: [(JSONObject([(key: "bike_id", value: .string("B1"))]), .point(Coordinate(104, 30)))], prj: nil)
        var dbf = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fx.dir + "/b.dbf")))
        dbf[8] = 4; dbf[9] = 0
        TestSupport.write(bytes: dbf, to: fx.dir + "/b.dbf")
        #expect { try ShapefileSource(path: fx.dir + "/b.shp", encoding: nil) } throws: {
            ($0 as? ImportError)?.code == .format && ($0 as? ImportError)?.message.contains("header length") == true
        }
    }

    /// `make fuzz-files` (issue 15): a CSV whose header is one quoted field holding a tab
    /// switched to tab-separated and re-read the header, which was again one field with a tab:
    /// unbounded recursion (a stack overflow under AddressSanitizer). Input minimised from the find.
    @Test(arguments: ["h.csv", "h.tsv"])
    func oneQuotedHeaderFieldWithATabIsReadOnce(_ name: String) throws {
        let fx = try ImportFixture()
        let f = fx.file(name, "\"d,\t1\"\n104,30\n")
        #expect { try CSVSource(path: f, options: .init()) } throws: {
            ($0 as? ImportError)?.code == .options && ($0 as? ImportError)?.message.contains(#"(columns: "d,\u{9}1")"#) == true
        }
        // The tab-separated header the switch is for still reads as columns.
        let tsv = fx.file("t.csv", "lon\tlat\tname\n104.1\t30.6\t甲\n")
        let source = try CSVSource(path: tsv, options: .init())
        #expect(source.header == ["lon", "lat", "name"])
        guard case .success(let feature)? = try source.next()?.feature else { Issue.record("no feature"); return }
        #expect(feature.properties["name"] == .string("甲"))
    }

    @Test func controlCharactersFromInputAreEscapedInReasons() throws {
        let fx = try ImportFixture()
        let f = fx.file("p.csv", "lon,lat,bike_id,operator\n\"1\u{1B}[2J\",30,B1,x\n104,30,B2,y\n")
        let s = try fx.run([f], layer: "bikes", role: .bike)
        #expect(s.rejected == 1)
        let reason = s.firstRejectReasons.first ?? ""
        #expect(reason.contains("\\u{1B}[2J") && !reason.contains("\u{1B}"))
    }

    // MARK: fuzz

    @Test func shapefileAndDBFFuzz() throws {
        let fx = try ImportFixture()
        let ring = [Coordinate(104, 30), Coordinate(104, 30.1), Coordinate(104.1, 30.1), Coordinate(104.1, 30), Coordinate(104, 30)]
        let hole = [Coordinate(104.02, 30.02), Coordinate(104.04, 30.02), Coordinate(104.04, 30.04), Coordinate(104.02, 30.02)]
        let props = JSONObject([(key: "name", value: .string("网格一")), (key: "n", value: .number(12.5))])
        try ShapefileWriter(fields: [.init("name", .text(length: 12)), .init("n", .number(length: 8, decimals: 2))], encoding: .gbk)
            .write(basePath: fx.dir + "/s", features: [(props, .polygon([ring, hole])), (props, .multiPolygon([[ring], [hole]])), (props, .polygon([ring]))], prj: nil)
        let shp = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fx.dir + "/s.shp")))
        let dbf = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fx.dir + "/s.dbf")))
        var rng = Rng(state: 1234)
        for i in 0..<400 {
            // Half the runs keep the .shp file code intact so the record decoder is reached.
            TestSupport.write(bytes: i % 2 == 0 ? Self.mutate(shp, i / 2, &rng, protectPrefix: i % 4 == 0 ? 4 : 0) : shp, to: fx.dir + "/m.shp")
            TestSupport.write(bytes: i % 2 == 1 ? Self.mutate(dbf, i / 2, &rng) : dbf, to: fx.dir + "/m.dbf")
            Self.drain { try ShapefileSource(path: fx.dir + "/m.shp", encoding: nil) }
        }
    }

    @Test func csvFuzz() throws {
        let fx = try ImportFixture()
        let seed = Array("\u{FEFF}lon,lat,name,wkt\n104.1,30.6,\"a \"\"q\"\" b\",\n104.2,30.7,网格,\n".utf8)
        let wkt = Array("id\twkt\n1\tPOLYGON((1 2, 3 4, 5 6, 1 2))\n2\tMULTIPOINT(1 2, 3 4)\n".utf8)
        var rng = Rng(state: 77)
        for i in 0..<300 {
            TestSupport.write(bytes: Self.mutate(i % 2 == 0 ? seed : wkt, i / 2, &rng), to: fx.dir + "/m.csv")
            Self.drain { try CSVSource(path: fx.dir + "/m.csv", options: .init(encoding: i % 3 == 0 ? .gbk : .utf8)) }
        }
    }
}
