import Foundation
import Geo
import GeometryOps
import Importer
import Storage
import Testing
import TestSupport

/// Every CRS path is checked against an independent implementation:
/// pyproj (its own bundled PROJ build) for EPSG codes, and a separate
/// Python transcription of the published GCJ-02/BD-09 formulas.
@Suite struct CRSTests {
    /// Points across the sample district and beyond.
    static let lonLats: [(Double, Double)] = (0..<40).map { (k: Int) -> (Double, Double) in
        let lon: Double = 103.95 + Double(k % 8) * 0.04
        let lat: Double = 30.55 + Double(k / 8) * 0.05
        return (lon, lat)
    }

    func pyproj(_ epsg: Int) throws -> [(Double, Double)] {
        let pts = Self.lonLats.map { "(\($0.0),\($0.1))" }.joined(separator: ",")
        let out = try TestSupport.python("""
            from pyproj import Transformer
            t = Transformer.from_crs("EPSG:4326", "EPSG:\(epsg)", always_xy=True)
            for lon, lat in [\(pts)]:
                x, y = t.transform(lon, lat)
                print(repr(x), repr(y))
            """)
        return out.split(separator: "\n").map { l in let p = l.split(separator: " "); return (Double(p[0])!, Double(p[1])!) }
    }

    func check(_ fx: ImportFixture, _ layer: String) throws {
        let stored = try fx.features(layer)
        #expect(stored.count == Self.lonLats.count)
        for (f, truth) in zip(stored, Self.lonLats) {
            let c = try #require(f.geometry.firstCoordinate)
            let d = TestSupport.metres((c.x, c.y), truth)
            #expect(d < 0.01, "\(layer): \(c) vs \(truth) is \(d) m apart")
        }
    }

    func geojson(_ coords: [(Double, Double)], crsMember: String = "") -> String {
        #"{"type":"FeatureCollection",\#(crsMember)"features":["# + coords.enumerated().map { k, c in
            ImportFixture.pointFeature(#"{"bike_id":"B\#(k)","operator":"美团"}"#, "\(c.0)", "\(c.1)")
        }.joined(separator: ",") + "]}"
    }

    @Test func gaussKrugerCM105FromSrsFlag() throws {
        let fx = try ImportFixture()
        let f = fx.file("gk.geojson", geojson(try pyproj(4544)))
        try fx.run([f], layer: "bikes", role: .bike) { $0.srs = try CRS.importOption("EPSG:4544") }
        try check(fx, "bikes")
    }

    @Test func gaussKrugerZone35WithZonePrefix() throws {
        let fx = try ImportFixture()
        let gk = try pyproj(4523)
        #expect(gk[0].0 > 35_000_000, "EPSG:4523 eastings carry the zone number")
        let f = fx.file("gk35.geojson", geojson(gk))
        try fx.run([f], layer: "bikes", role: .bike) { $0.srs = try CRS.importOption("4523") }
        try check(fx, "bikes")
    }

    @Test func crsFromALegacyGeoJSONCRSMember() throws {
        let fx = try ImportFixture()
        let f = fx.file("gk.geojson", geojson(try pyproj(4544), crsMember: #""crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4544"}},"#))
        try fx.run([f], layer: "bikes", role: .bike)
        try check(fx, "bikes")
    }

    @Test func shapefilePrjInESRIWKT() throws {
        let fx = try ImportFixture()
        let gk = try pyproj(4544)
        let wkt = try TestSupport.python("from pyproj import CRS; print(CRS.from_epsg(4544).to_wkt('WKT1_ESRI'))")
        let features = gk.enumerated().map { k, c in
            (JSONObject([(key: "bike_id", value: .string("B\(k)")), (key: "operator", value: .string("哈啰"))]), Geometry.point(Coordinate(c.0, c.1)))
        }
        try ShapefileWriter(fields: [.init("bike_id", .text(length: 8)), .init("operator", .text(length: 8))], encoding: .utf8)
            .write(basePath: fx.dir + "/gk", features: features, prj: wkt)
        try fx.run([fx.dir + "/gk.shp"], layer: "bikes", role: .bike)
        try check(fx, "bikes")
    }

    /// An independent transcription of the GCJ-02 / BD-09 forward formulas.
    func chinaForward(_ kind: String) throws -> [(Double, Double)] {
        let pts = Self.lonLats.map { "(\($0.0),\($0.1))" }.joined(separator: ",")
        let out = try TestSupport.python("""
            import math
            A, EE = 6378245.0, 0.00669342162296594323
            def tlat(x, y):
                r = -100 + 2*x + 3*y + 0.2*y*y + 0.1*x*y + 0.2*math.sqrt(abs(x))
                r += (20*math.sin(6*x*math.pi) + 20*math.sin(2*x*math.pi)) * 2/3
                r += (20*math.sin(y*math.pi) + 40*math.sin(y/3*math.pi)) * 2/3
                r += (160*math.sin(y/12*math.pi) + 320*math.sin(y*math.pi/30)) * 2/3
                return r
            def tlon(x, y):
                r = 300 + x + 2*y + 0.1*x*x + 0.1*x*y + 0.1*math.sqrt(abs(x))
                r += (20*math.sin(6*x*math.pi) + 20*math.sin(2*x*math.pi)) * 2/3
                r += (20*math.sin(x*math.pi) + 40*math.sin(x/3*math.pi)) * 2/3
                r += (150*math.sin(x/12*math.pi) + 300*math.sin(x/30*math.pi)) * 2/3
                return r
            def gcj(lon, lat):
                dlat, dlon = tlat(lon-105, lat-35), tlon(lon-105, lat-35)
                rad = lat/180*math.pi
                m = 1 - EE*math.sin(rad)**2
                sm = math.sqrt(m)
                return lon + dlon*180/(A/sm*math.cos(rad)*math.pi), lat + dlat*180/((A*(1-EE))/(m*sm)*math.pi)
            def bd(lon, lat):
                x, y = gcj(lon, lat)
                xp = math.pi*3000/180
                z = math.sqrt(x*x+y*y) + 0.00002*math.sin(y*xp)
                t = math.atan2(y, x) + 0.000003*math.cos(x*xp)
                return z*math.cos(t) + 0.0065, z*math.sin(t) + 0.006
            for lon, lat in [\(pts)]:
                x, y = \(kind)(lon, lat)
                print(repr(x), repr(y))
            """)
        return out.split(separator: "\n").map { l in let p = l.split(separator: " "); return (Double(p[0])!, Double(p[1])!) }
    }

    @Test func gcj02() throws {
        let fx = try ImportFixture()
        let f = fx.file("amap.geojson", geojson(try chinaForward("gcj")))
        try fx.run([f], layer: "bikes", role: .bike) { $0.srs = try CRS.importOption("gcj02") }
        try check(fx, "bikes")
    }

    @Test func bd09() throws {
        let fx = try ImportFixture()
        let f = fx.file("baidu.geojson", geojson(try chinaForward("bd")))
        try fx.run([f], layer: "bikes", role: .bike) { $0.srs = try CRS.importOption("bd09") }
        try check(fx, "bikes")
    }

    @Test func unknownCRSIsAClearError() {
        #expect { try CRS.importOption("EPSG:999999") } throws: { e in
            let m = (e as? ImportError)?.message ?? ""
            return m.contains("--srs EPSG:999999") && m.contains("unknown")
        }
        #expect { try CRS.importOption("not a crs") } throws: { ($0 as? ImportError)?.code == .crs }
    }
}
