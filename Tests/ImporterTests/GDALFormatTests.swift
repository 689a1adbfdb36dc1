import Foundation
import Geo
import Importer
import Storage
import Testing
import TestSupport

/// Every vector format the GDAL reader is for, written in the test by `ogr2ogr` from the
/// sample city (Chinese field names and values; GBK for MapInfo), imported, and compared
/// with what GDAL itself reads from the same file (ogr2ogr to GeoJSON in WGS84): the same
/// number of features, the same attribute values, the same coordinates to 1e-7°.
@Suite struct GDALFormatTests {
    struct Case: Sendable, CustomStringConvertible {
        var file: String
        var convert: [String]
        var srs: String? = nil
        var sourceLayer: String? = nil
        /// A spreadsheet: points from these lon/lat columns.
        var sheet = false
        var driver: String
        var description: String { file }
    }

    static var pipes: String { TestSupport.projectRoot + "/GeoData/pipes_cgcs2000_gk105.shp" }
    static var pois: String { TestSupport.projectRoot + "/GeoData/pois_amap_gcj02.geojson" }
    static let sheetSQL = ["-dialect", "sqlite", "-sql", "SELECT name, category, ST_X(geometry) AS lon, ST_Y(geometry) AS lat FROM pois_amap_gcj02"]
    static let mapInfoSQL = ["-sql", #"SELECT "管线编号" AS pipe_id, "管网类型" AS network, "材质" AS material, "管径" AS diameter FROM pipes_cgcs2000_gk105"#,
                             "-lco", "ENCODING=CP936"]

    static let cases: [Case] = [
        Case(file: "p.gpkg", convert: ["-f", "GPKG"], driver: "GPKG"),
        Case(file: "p.gdb", convert: ["-f", "OpenFileGDB"], driver: "OpenFileGDB"),
        Case(file: "p.tab", convert: ["-f", "MapInfo File"] + mapInfoSQL, driver: "MapInfo File"),
        Case(file: "p.mif", convert: ["-f", "MapInfo File", "-dsco", "FORMAT=MIF"] + mapInfoSQL, driver: "MapInfo File"),
        Case(file: "p.dxf", convert: ["-f", "DXF"], srs: "EPSG:4544", driver: "DXF"),
        Case(file: "p.kml", convert: ["-f", "KML"], driver: "LIBKML"), // GDAL reads KML with libkml when it has it
        Case(file: "p.fgb", convert: ["-f", "FlatGeobuf"], driver: "FlatGeobuf"),
        Case(file: "p.gml", convert: ["-f", "GML"], driver: "GML"),
        Case(file: "p.gpx", convert: ["-f", "GPX", "-nlt", "MULTILINESTRING", "-dsco", "GPX_USE_EXTENSIONS=YES", "-t_srs", "EPSG:4326"],
             sourceLayer: "tracks", driver: "GPX"),
        Case(file: "p.xlsx", convert: ["-f", "XLSX"] + sheetSQL, sheet: true, driver: "XLSX"),
        Case(file: "p.ods", convert: ["-f", "ODS"] + sheetSQL, sheet: true, driver: "ODS"),
    ]

    /// GDAL's own reading of `path`: features as GeoJSON in WGS84.
    static func gdal(_ path: String, layer: String?, srs: String?) throws -> [JSONValue] {
        var args = ["-f", "GeoJSON", "/vsistdout/", path, "-t_srs", "EPSG:4326"]
        if let srs { args += ["-s_srs", srs] }
        if let layer { args.append(layer) }
        let r = try TestSupport.run("/usr/bin/ogr2ogr", args)
        guard r.status == 0 else { throw TestSupport.CheckerMissing(message: "ogr2ogr failed: \(r.stderr)") }
        return try JSONParser.parse(r.stdout)["features"]?.arrayValue ?? []
    }

    static func write(_ c: Case, in dir: String) throws -> String {
        let source = c.sheet ? pois : pipes
        let out = dir + "/" + c.file
        let r = try TestSupport.run("/usr/bin/ogr2ogr", c.convert + [out, source, "-limit", "40"])
        guard r.status == 0 || FileManager.default.fileExists(atPath: out) else {
            throw TestSupport.CheckerMissing(message: "ogr2ogr \(c.file) failed: \(r.stderr)")
        }
        return out
    }

    @Test(arguments: cases)
    func importsWhatGDALReads(_ c: Case) throws {
        let fx = try ImportFixture()
        let path = try Self.write(c, in: fx.dir)
        let s = try fx.run([path], layer: "x", role: .generic) {
            $0.sourceLayer = c.sourceLayer
            if let srs = c.srs { $0.srs = try CRS.importOption(srs) }
        }
        #expect(s.readers.first?.hasPrefix("GDAL \(c.driver) driver") == true, "\(s.readers)")
        let theirs = try Self.gdal(path, layer: c.sourceLayer, srs: c.srs)
        let ours = try fx.features("x")
        #expect(s.imported == theirs.count && ours.count == theirs.count && s.rejected == 0, "\(c.file): ours \(ours.count), GDAL \(theirs.count)")
        #expect(theirs.count == (c.sheet ? 30 : 40) || theirs.count == 40)
        for (o, t) in zip(ours, theirs) {
            let props = t["properties"]?.objectValue ?? JSONObject()
            for (key, value) in props.members where !(c.sheet && (key == "lon" || key == "lat")) {
                #expect(o.properties[key] ?? .null == value, "\(c.file) \(key): ours \(String(describing: o.properties[key])), GDAL \(value)")
            }
            let expected: [Double] = c.sheet ? [props["lon"]?.doubleValue ?? .nan, props["lat"]?.doubleValue ?? .nan]
                                             : ShapefileLikeGDALTests.xy(t["geometry"])
            let got = ShapefileLikeGDALTests.xy(o.geometry)
            #expect(got.count == expected.count && zip(got, expected).allSatisfy { abs($0 - $1) < 1e-7 }, "\(c.file): \(got) vs \(expected)")
        }
        // Chinese text came through: in field names (most formats) or values (MapInfo's GBK).
        let text = ours.flatMap { $0.properties.members.compactMap { $0.value.stringValue } + $0.properties.keys }
        if c.driver != "DXF" { #expect(text.contains { $0.unicodeScalars.contains { $0.value >= 0x4E00 && $0.value <= 0x9FFF } }) }
    }

    /// OSM, as XML and as PBF (GDAL has no OSM writer: the test writes the XML itself and the PBF
    /// with pyosmium, the PyPI `osmium` package in the checker venv), compared with GDAL's reading.
    @Test(arguments: [("points", 2), ("lines", 1)], ["osm", "osm.pbf"])
    func openStreetMapLayersImportAsGDALReadsThem(_ layerCount: (String, Int), _ format: String) throws {
        let (layer, count) = layerCount
        let fx = try ImportFixture()
        let osm: String
        if format == "osm" {
            osm = fx.file("c.osm", """
            <?xml version="1.0" encoding="UTF-8"?>
            <osm version="0.6" generator="test">
              <node id="1" lat="30.60" lon="104.10"><tag k="name" v="雨水泵站"/><tag k="amenity" v="pumping_station"/></node>
              <node id="2" lat="30.61" lon="104.11"><tag k="name" v="检查井"/><tag k="man_made" v="manhole"/></node>
              <node id="3" lat="30.62" lon="104.12"/>
              <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="name" v="建设路"/><tag k="highway" v="primary"/></way>
            </osm>
            """)
        } else {
            osm = fx.dir + "/c.osm.pbf"
            _ = try TestSupport.python("""
            import osmium
            from osmium.osm.mutable import Node, Way
            w = osmium.SimpleWriter("\(osm)")
            w.add_node(Node(id=1, location=(104.10, 30.60), version=1, tags={"name": "雨水泵站", "amenity": "pumping_station"}))
            w.add_node(Node(id=2, location=(104.11, 30.61), version=1, tags={"name": "检查井", "man_made": "manhole"}))
            w.add_node(Node(id=3, location=(104.12, 30.62), version=1))
            w.add_way(Way(id=10, nodes=[1, 2, 3], version=1, tags={"name": "建设路", "highway": "primary"}))
            w.close()
            """)
            // The OSM driver knows PBF by its content: a BlobHeader naming "OSMHeader".
            let head = [UInt8](FileManager.default.contents(atPath: osm)?.prefix(32) ?? Data())
            #expect(String(decoding: head, as: UTF8.self).contains("OSMHeader"))
        }
        let s = try fx.run([osm], layer: "o", role: .generic) { $0.sourceLayer = layer }
        #expect(s.readers == ["GDAL OSM driver, layer \"\(layer)\""])
        let theirs = try Self.gdal(osm, layer: layer, srs: nil)
        let ours = try fx.features("o")
        #expect(ours.count == count && theirs.count == count)
        for (o, t) in zip(ours, theirs) {
            for (key, value) in (t["properties"]?.objectValue ?? JSONObject()).members {
                #expect(o.properties[key] ?? .null == value, "\(key)")
            }
            // PBF holds 1e-7° integers: GDAL's product 1041000000 × 1e-7 is 104.10000000000001, which
            // its GeoJSON writer prints with 15 digits; within 1e-9° then.
            let (a, b) = (ShapefileLikeGDALTests.xy(o.geometry), ShapefileLikeGDALTests.xy(t["geometry"]))
            #expect(a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) < 1e-9 }, "\(a) vs \(b)")
        }
        #expect(ours.contains { $0.properties["name"] == .string(layer == "points" ? "雨水泵站" : "建设路") })
    }

    /// DWG: Debian's GDAL reads it only through the CAD driver (libopencad), R2000 (AC1015)
    /// only; the ODA libraries for newer versions are proprietary. A newer DWG (only its header
    /// here: no free tool writes DWG) is refused with its version and the way out, on one line.
    @Test func aNewerDWGIsRefusedWithItsVersionAndTheWayOut() throws {
        let fx = try ImportFixture()
        let dwg = fx.file("plan.dwg", bytes: Array("AC1032".utf8) + [0, 0, 0, 0, 0, 3] + [UInt8](repeating: 0, count: 500))
        #expect(GDALSource.driverName(for: dwg) == "CAD")
        #expect { try fx.run([dwg], layer: "d", role: .generic) } throws: { e in
            let m = (e as? ImportError)?.message ?? ""
            return m.contains("DWG AC1032 (AutoCAD 2018)") && m.contains("R2000 (AC1015) only") && m.contains("import the .dxf") && !m.contains("\\u{A}")
        }
    }

    @Test func aMultiLayerSourceNamesItsLayersAndTakesSourceLayer() throws {
        let fx = try ImportFixture()
        let gpx = try Self.write(Self.cases.first { $0.file == "p.gpx" }!, in: fx.dir)
        #expect { try fx.run([gpx], layer: "x", role: .generic) } throws: { e in
            let m = (e as? ImportError)?.message ?? ""
            return m.contains("pick one with --source-layer") && m.contains(#""tracks""#) && m.contains(#""waypoints""#)
        }
        #expect { try fx.run([gpx], layer: "x", role: .generic) { $0.sourceLayer = "nope" } } throws: { e in
            (e as? ImportError)?.message.contains("no such layer") == true
        }
    }

    @Test func theReaderIsChosenByContentNotName() throws {
        let fx = try ImportFixture()
        let gpkg = try Self.write(Self.cases[0], in: fx.dir)
        let renamed = fx.dir + "/pipes.dat"
        try FileManager.default.copyItem(atPath: gpkg, toPath: renamed)
        let a = try fx.run([renamed], layer: "a", role: .generic)
        #expect(a.readers == [#"GDAL GPKG driver, layer "pipes_cgcs2000_gk105""#] && a.imported == 40)
        // GeoJSON under a CSV-ish name goes to the own GeoJSON reader; a real .shp to the own Shapefile reader.
        let json = fx.file("points.txt", ImportFixture.featureCollection([ImportFixture.pointFeature(#"{"名称":"井"}"#, "104.1", "30.6")]))
        #expect(try fx.run([json], layer: "b", role: .generic).readers == ["own GeoJSON reader"])
        #expect(try fx.run([Self.pipes], layer: "c", role: .generic).readers == ["own Shapefile reader"])
        // The same shapefile through GDAL lands with the same attributes.
        let g = try fx.run([Self.pipes], layer: "d", role: .generic) { $0.reader = .gdal }
        #expect(g.readers.first?.hasPrefix("GDAL ESRI Shapefile driver") == true)
        let own = try fx.features("c"), viaGDAL = try fx.features("d")
        #expect(own.count == viaGDAL.count && own.map(\.properties) == viaGDAL.map(\.properties))
        #expect { try fx.run([fx.file("x.bin", "not a format")], layer: "e", role: .generic) } throws: { e in
            (e as? ImportError)?.message.contains("unknown file type") == true
        }
    }
}
