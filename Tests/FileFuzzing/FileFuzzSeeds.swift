import Foundation
import Geo
import Importer
import Storage
import VectorTiles

/// The committed seed corpora (Tests/FuzzCorpus/<target>/seed-*), written by
/// `file-fuzz seed Tests/FuzzCorpus` from the project root: small pieces of
/// the sample city in GeoData/, files written by the project's own encoders,
/// and the public mvt-fixtures tiles (../shared/fixtures) under 4 KiB.
public enum FileFuzzSeeds {
    public static func write(root: String) throws {
        let fm = FileManager.default
        var total = 0
        for target in FileFuzzTarget.allCases {
            let dir = root + "/" + target.rawValue
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
            // Seeds are rewritten; inputs kept from fuzzing runs (crash-*, regression-*) stay.
            for old in (try? fm.contentsOfDirectory(atPath: dir)) ?? [] where old.hasPrefix("seed-") {
                try fm.removeItem(atPath: dir + "/" + old)
            }
            let seeds = try self.seeds(target)
            for (name, bytes) in seeds { fm.createFile(atPath: dir + "/seed-" + name, contents: Data(bytes)) }
            total += seeds.count
            print("file-fuzz: \(target.rawValue): \(seeds.count) seeds")
        }
        print("file-fuzz: \(total) seeds in \(root)")
    }

    static func text(_ path: String) throws -> String {
        guard let d = FileManager.default.contents(atPath: path), let s = String(data: d, encoding: .utf8) else {
            throw ImportError(.io, "cannot read \(path) (run from the project root)")
        }
        return s
    }

    static func lines(_ path: String, _ n: Int) throws -> String {
        try text(path).split(separator: "\n", omittingEmptySubsequences: false).prefix(n).joined(separator: "\n") + "\n"
    }

    static let geometries: [Geometry] = [
        .point(Coordinate(104.07, 30.64)),
        .lineString([Coordinate(104.0, 30.6), Coordinate(104.01, 30.61), Coordinate(104.02, 30.6)]),
        .polygon([[Coordinate(0, 0), Coordinate(0, 1), Coordinate(1, 1), Coordinate(1, 0), Coordinate(0, 0)],
                  [Coordinate(0.2, 0.2), Coordinate(0.8, 0.2), Coordinate(0.8, 0.8), Coordinate(0.2, 0.2)]]),
        .multiPoint([Coordinate(1, 2), Coordinate(3, 4)]),
        .multiLineString([[Coordinate(1, 2), Coordinate(3, 4)], [Coordinate(5, 6), Coordinate(7, 8)]]),
        .multiPolygon([[[Coordinate(0, 0), Coordinate(0, 1), Coordinate(1, 1), Coordinate(0, 0)]],
                       [[Coordinate(2, 2), Coordinate(2, 3), Coordinate(3, 3), Coordinate(2, 2)]]]),
    ]

    static func seeds(_ target: FileFuzzTarget) throws -> [(String, [UInt8])] {
        func utf8(_ s: String) -> [UInt8] { Array(s.utf8) }
        switch target {
        case .json:
            let feature = try lines("GeoData/flood_points.geojson", 2).split(separator: "\n")[1].dropLast()
            return [("feature.json", utf8(String(feature))),
                    ("manifest.json", utf8(try text("GeoData/manifest.json"))),
                    ("values.json", utf8(#"[0,-0.0,1e-7,1.5E+300,-12345678901234567890,true,false,null,"\u4e2d\ud83c\udfe0\n\"\\/",{"":{}},[]]"#)),
                    ("geometry.json", utf8(GeoJSON.string(geometries[2])))]
        case .geojson:
            let collection = try lines("GeoData/flood_points.geojson", 3).dropLast(2) + "]}\n"
            let sequence = try lines("GeoData/handlers.geojsonl", 2)
            let withCRS = #"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4490"}},"features":["#
                + geometries.enumerated().map { #"{"type":"Feature","id":\#($0.offset),"properties":{"n":\#($0.offset)},"geometry":"# + GeoJSON.string($0.element) + "}" }
                    .joined(separator: ",") + "]}"
            return [("collection.geojson", utf8(String(collection))),
                    ("bom.geojson", [0xEF, 0xBB, 0xBF] + utf8(String(collection))),
                    ("sequence.geojsonl", utf8(sequence)),
                    ("rfc8142.geojsons", utf8(sequence.split(separator: "\n").map { "\u{1E}" + $0 + "\n" }.joined())),
                    ("crs.geojson", utf8(withCRS)),
                    ("utf16.geojson", [0xFF, 0xFE] + Array(#"{"type":"FeatureCollection","features":[]}"#.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }))]
        case .csv:
            let gbk = TextEncoding.gbk.encode(try lines("GeoData/bikes.csv", 4)) ?? []
            return [("addresses.csv", [0] + utf8(try lines("GeoData/addresses.csv", 4))),
                    ("pipe_nodes.csv", [0] + utf8(try lines("GeoData/pipe_nodes.csv", 4))),
                    ("bikes-gbk.csv", [1] + gbk),
                    ("bom-quoted.csv", [0] + [0xEF, 0xBB, 0xBF] + utf8("name,\"note\",lon,lat\r\n\"a,\"\"b\"\"\",\"line\nbreak\",104.1,30.6\r\n")),
                    ("wkt.csv", [2] + utf8("id,wkt\n1,\"POINT (104.1 30.6)\"\n2,\"LINESTRING (1 2, 3 4)\"\n3,\"MULTIPOLYGON (((0 0, 0 1, 1 1, 0 0)))\"\n")),
                    ("tabs.tsv", [4] + utf8("x\ty\tname\n104.1\t30.6\t甲\n"))]
        case .shapefile:
            let dir = NSTemporaryDirectory() + "/citytwin-seeds-\(getpid())"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            var out: [(String, [UInt8])] = []
            let fields = [ShapefileWriter.Field("name", .text(length: 20)), ShapefileWriter.Field("depth", .number(length: 10, decimals: 2))]
            let kinds: [(String, [Geometry])] = [("points", [geometries[0], .point(Coordinate(104.08, 30.65))]),
                                                  ("lines", [geometries[1], .lineString([Coordinate(5, 6), Coordinate(7, 8)])]),
                                                  ("polygons", [geometries[2], .polygon([[Coordinate(2, 2), Coordinate(2, 3), Coordinate(3, 3), Coordinate(2, 2)]])])]
            for (name, gs) in kinds {
                for enc in [TextEncoding.gbk, .utf8] {
                    let w = ShapefileWriter(fields: fields, encoding: enc, writeCPG: false)
                    let features: [(JSONObject, Geometry)] = gs.enumerated().map { i, g in
                        var p = JSONObject()
                        p["name"] = .string(i == 0 ? "给水管道" : "井盖")
                        p["depth"] = .number(Double(i) + 1.25)
                        return (p, g)
                    }
                    try w.write(basePath: dir + "/s", features: features, prj: nil)
                    let shp = [UInt8](FileManager.default.contents(atPath: dir + "/s.shp") ?? Data())
                    let dbf = [UInt8](FileManager.default.contents(atPath: dir + "/s.dbf") ?? Data())
                    out.append(("\(name)-\(enc.rawValue)", FileFuzzHarness.shapefileInput(shp: shp, dbf: dbf)))
                }
            }
            return out
        case .wkb:
            var out = geometries.enumerated().map { ("\($0.offset).wkb", WKB.encode($0.element)) }
            // Big-endian ISO PointZ: byte order 0, type 1001, three ordinates.
            var be: [UInt8] = [0, 0, 0, 0x03, 0xE9]
            for d in [104.1, 30.6, 12.5] { withUnsafeBytes(of: d.bitPattern.bigEndian) { be += $0 } }
            out.append(("pointz-be.wkb", be))
            return out
        case .spatialiteBlob:
            return geometries.enumerated().map { ("\($0.offset).blob", SpatiaLiteBlob.encode($0.element)) }
        case .wkt:
            return [("point", utf8("POINT (104.1 30.6)")), ("pointz", utf8("POINT Z (1 2 3)")),
                    ("polygon", utf8("POLYGON ((0 0, 0 1, 1 1, 0 0), (0.2 0.2, 0.8 0.2, 0.8 0.8, 0.2 0.2))")),
                    ("multipoint", utf8("MULTIPOINT ((1 2), (3 4))")), ("multipoint-bare", utf8("MULTIPOINT (1 2, 3 4)")),
                    ("multilinestring", utf8("MULTILINESTRING ((1 2, 3 4), (5 6, 7 8))")),
                    ("multipolygon", utf8("MULTIPOLYGON (((0 0, 0 1, 1 1, 0 0)), ((2 2, 2 3, 3 3, 2 2)))")),
                    ("empty", utf8("LINESTRING EMPTY")), ("srid", utf8("SRID=4326;POINT(1 2)"))]
        case .mvt:
            var out: [(String, [UInt8])] = []
            let folder = "../shared/fixtures/mvt-fixtures/fixtures"
            for id in ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted() {
                if let d = FileManager.default.contents(atPath: "\(folder)/\(id)/tile.mvt"), d.count <= 4096 {
                    out.append(("fixture-\(id).mvt", [UInt8](d)))
                }
            }
            out.append(("own.mvt", ownTile().encoded()))
            return out
        case .pmtiles:
            let dir = NSTemporaryDirectory() + "/citytwin-seeds-\(getpid())"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let tile = try Gzip.compress(ownTile().encoded())
            var w = PMTilesWriter()
            for t in [TileID(z: 0, x: 0, y: 0), TileID(z: 1, x: 1, y: 0), TileID(z: 2, x: 3, y: 1), TileID(z: 2, x: 3, y: 2)] {
                w.add(t, gzippedMVT: tile)
            }
            var meta = JSONObject()
            meta["name"] = .string("seed")
            _ = try w.write(to: dir + "/s.pmtiles", metadata: meta, bounds: BoundingBox(minX: -180, minY: -85, maxX: 180, maxY: 85),
                            minzoom: 0, maxzoom: 2, center: (0, 0, 0))
            return [("small.pmtiles", [UInt8](FileManager.default.contents(atPath: dir + "/s.pmtiles") ?? Data()))]
        case .address:
            return ["建设路12号", "四川省成都市建设路3号附近", "第一人民医院门口积水", "建设路与人民中路交叉口",
                    "建设路十二号2栋1单元301室", "一医院", "市民反映：建设路", "ｊｉａｎｓｈｅ路１２号"]
                .enumerated().map { ("\($0.offset).txt", utf8($0.element)) }
        }
    }

    static func ownTile() -> MVTTile {
        // Point (MoveTo 1 at 25,17), line (MoveTo, LineTo 2), polygon (MoveTo, LineTo 2, ClosePath).
        let point = MVTFeature(id: 1, tags: [0, 0, 1, 1], type: 1, geometry: [9, 50, 34])
        let line = MVTFeature(id: 2, tags: [0, 2], type: 2, geometry: [9, 4, 4, 18, 0, 16, 16, 0])
        let polygon = MVTFeature(id: 3, tags: [1, 3], type: 3, geometry: [9, 6, 12, 18, 10, 12, 24, 44, 15])
        return MVTTile(layers: [MVTLayer(name: "seed", features: [point, line, polygon], keys: ["name", "n"],
                                         values: [.string("给水"), .int(7), .string("路"), .double(2.5)])])
    }
}
