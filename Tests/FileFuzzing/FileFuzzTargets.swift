import Foundation
import Geo
import Geocoder
import Importer
import Storage
import VectorTiles

/// The decoders of untrusted bytes, one fuzz target each, shared by the
/// libFuzzer runner (`make fuzz-files`) and the corpus replay test.
///
/// A target returns normally for any input, valid or not: decoders throw on
/// bad input and never trap. Some targets also check a property a decoder
/// must hold on every input it accepts (what it decodes re-encodes and decodes
/// to the same value; error messages hold no control character); a broken
/// property is a `preconditionFailure`, which libFuzzer reports as a crash.
public enum FileFuzzTarget: String, CaseIterable, Sendable {
    /// `JSONParser` (request bodies, properties, manifests), then GeoJSON geometry/feature decoding.
    case json
    /// `GeoJSONSource`: FeatureCollection, Feature, text sequence, newline-delimited; BOM/UTF-16 detection.
    case geojson
    /// `CSVSource`: lon/lat or WKT columns, UTF-8 or GBK (the first byte picks the options).
    case csv
    /// `ShapefileSource` with its `.dbf`: the input is split into the two files (see `shapefileParts`).
    case shapefile
    /// `WKB.decode` and `WKB.decodeParts` (GDAL and GEOS output).
    case wkb
    /// SpatiaLite's BLOB-Geometry as `Storage` reads it back.
    case spatialiteBlob = "spatialite-blob"
    /// `WKT.parse` (CSV WKT columns).
    case wkt
    /// `MVTTile(decoding:)` and each layer's `decodedFeatures()`.
    case mvt
    /// `PMTilesArchive`: header, gzipped or plain directories, leaf directories, tile lookups.
    case pmtiles
    /// The geocoder's text paths on a small generic gazetteer: normalise, parse, geocode, extract, autocomplete.
    case address
}

/// Runs fuzz inputs through one target. File-reading targets write the input
/// to files in `scratch` (one directory per harness; not shared between threads).
public final class FileFuzzHarness {
    public let target: FileFuzzTarget
    let scratch: String
    lazy var geocoder: Geocoder = Self.smallGeocoder()

    public init(_ target: FileFuzzTarget, scratch: String) {
        self.target = target
        self.scratch = scratch
        try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    /// Most records read from one input: enough to reach every record of a small
    /// file, bounded so an input claiming millions of records stays fast.
    static let recordLimit = 5_000

    public func run(_ bytes: [UInt8]) {
        switch target {
        case .json: json(bytes)
        case .geojson: geojson(bytes)
        case .csv: csv(bytes)
        case .shapefile: shapefile(bytes)
        case .wkb: wkb(bytes)
        case .spatialiteBlob: blob(bytes)
        case .wkt: if let g = try? WKT.parse(String(decoding: bytes, as: UTF8.self)) { roundTrip(g) }
        case .mvt: mvt(bytes)
        case .pmtiles: pmtiles(bytes)
        case .address: address(bytes)
        }
    }

    // MARK: targets

    func json(_ bytes: [UInt8]) {
        guard let v = try? JSONParser.parse(bytes) else { return }
        // What the parser accepts, the writer writes and the parser reads back the same, but
        // for non-finite numbers (`Infinity`, 1e999), which JSON cannot hold: written as null.
        let text = JSONWriter.string(v)
        guard let again = try? JSONParser.parse(text) else { preconditionFailure("JSONWriter output does not parse: \(text.prefix(200))") }
        precondition(again == Self.finite(v), "JSON write/parse round trip changed the value: \(text.prefix(200))")
        if let g = try? GeoJSON.decodeGeometry(v) { roundTrip(g) }
        if let f = try? GeoJSON.decodeFeature(v), let g = f.geometry { roundTrip(g) }
    }

    func geojson(_ bytes: [UInt8]) {
        let path = write(bytes, "input.geojson")
        drain { () throws(ImportError) -> any FeatureSource in
            let s = try GeoJSONSource(path: path)
            _ = try s.declaredCRS
            return s
        }
    }

    func csv(_ bytes: [UInt8]) {
        let mode = bytes.first ?? 0
        let rest = Array(bytes.dropFirst())
        let path = write(rest, mode & 4 == 0 ? "input.csv" : "input.tsv")
        var options = CSVSource.Options(encoding: mode & 1 == 0 ? .utf8 : .gbk)
        if mode & 2 != 0 { options.wktField = "wkt" }
        drain { () throws(ImportError) -> any FeatureSource in try CSVSource(path: path, options: options) }
    }

    /// The shapefile input: a little-endian UInt16 `n`, then the `.shp` bytes
    /// (the first `n`, or all that follow when fewer), then the `.dbf` bytes.
    /// The `.dbf` is left out when it is empty; encodings come from the DBF's
    /// language driver (no `.cpg` is written).
    public static func shapefileParts(_ bytes: [UInt8]) -> (shp: [UInt8], dbf: [UInt8]) {
        guard bytes.count >= 2 else { return (bytes, []) }
        let n = Int(bytes[0]) | Int(bytes[1]) << 8
        let body = bytes.dropFirst(2)
        let cut = body.startIndex + min(n, body.count)
        return (Array(body[..<cut]), Array(body[cut...]))
    }

    /// The inverse of `shapefileParts`, for seeds (a `.shp` over 65,535 bytes does not fit).
    public static func shapefileInput(shp: [UInt8], dbf: [UInt8]) -> [UInt8] {
        precondition(shp.count <= 0xFFFF, "a seed's .shp must be under 64 KiB")
        return [UInt8(shp.count & 0xFF), UInt8(shp.count >> 8)] + shp + dbf
    }

    func shapefile(_ bytes: [UInt8]) {
        let (shp, dbf) = Self.shapefileParts(bytes)
        let path = write(shp, "input.shp")
        let dbfPath = scratch + "/input.dbf"
        if dbf.isEmpty { try? FileManager.default.removeItem(atPath: dbfPath) } else { _ = write(dbf, "input.dbf") }
        drain { () throws(ImportError) -> any FeatureSource in try ShapefileSource(path: path, encoding: nil) }
    }

    func wkb(_ bytes: [UInt8]) {
        if let g = try? WKB.decode(bytes) {
            // Encoding is 2D little-endian: what it writes decodes and encodes to the same bytes
            // (bytes, not geometries, are compared: a NaN ordinate is never equal to itself).
            let once = WKB.encode(g)
            precondition((try? WKB.decode(once)).map(WKB.encode) == once, "WKB encode/decode round trip changed the geometry")
        }
        if let parts = try? WKB.decodeParts(bytes) { for p in parts { _ = WKB.encode(p) } }
    }

    func blob(_ bytes: [UInt8]) {
        guard let g = try? SpatiaLiteBlob.decode(bytes) else { return }
        let once = SpatiaLiteBlob.encode(g)
        precondition((try? SpatiaLiteBlob.decode(once)).map { SpatiaLiteBlob.encode($0) } == once,
                     "SpatiaLite blob encode/decode round trip changed the geometry")
    }

    func mvt(_ bytes: [UInt8]) {
        guard let tile = try? MVTTile(decoding: bytes) else { return }
        _ = tile.validationIssues()
        for layer in tile.layers { _ = try? layer.decodedFeatures() }
        // A decoded tile encodes to bytes that decode and encode to the same bytes.
        let once = tile.encoded()
        precondition((try? MVTTile(decoding: once))?.encoded() == once, "MVT encode/decode round trip changed the tile")
    }

    func pmtiles(_ bytes: [UInt8]) {
        let path = write(bytes, "input.pmtiles")
        guard let archive = try? PMTilesArchive(path: path) else { return }
        // Every tile of zooms 0-3 and the corners of the archive's own zooms.
        var ids: [TileID] = []
        for z in 0...3 { for x in 0..<(1 << z) { for y in 0..<(1 << z) { ids.append(TileID(z: z, x: x, y: y)) } } }
        for z in Set([archive.minzoom, archive.maxzoom]) where z <= 30 {
            let n = 1 << z
            ids += [TileID(z: z, x: 0, y: 0), TileID(z: z, x: n - 1, y: n - 1), TileID(z: z, x: n / 2, y: n / 3)]
        }
        for t in ids {
            guard let data = try? archive.tile(t) else { continue }
            if archive.tileGzip { _ = try? Gzip.decompress(data, maxSize: 1 << 20) }
        }
    }

    func address(_ bytes: [UInt8]) {
        // Whatever the bytes, the text reaching the geocoder is a Swift string (HTTP decodes it so).
        let text = String(decoding: bytes.prefix(4096), as: UTF8.self)
        let g = geocoder
        _ = g.gazetteer.normalizer.normalize(text)
        _ = g.parse(text)
        _ = g.geocode(text)
        _ = g.extract(text)
        _ = g.autocomplete(text)
    }

    // MARK: helpers

    func write(_ bytes: [UInt8], _ name: String) -> String {
        let path = scratch + "/" + name
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    /// Opens a source and reads its records (bounded); errors are expected,
    /// but no message may carry a raw control character.
    func drain(_ open: () throws(ImportError) -> any FeatureSource) {
        let source: any FeatureSource
        do { source = try open() } catch { checkEscaped(error.message); return }
        var n = 0
        while n < Self.recordLimit {
            do {
                guard let r = try source.next() else { return }
                if case .failure(let reason) = r.feature { checkEscaped(reason.message) }
            } catch { checkEscaped(error.message); return }
            n += 1
        }
    }

    func checkEscaped(_ message: String) {
        for s in message.unicodeScalars where s.value < 0x20 || (0x7F...0x9F).contains(s.value) {
            preconditionFailure("control character U+\(String(s.value, radix: 16)) in an error message: \(message.debugDescription.prefix(300))")
        }
    }

    /// `v` with non-finite numbers replaced by null, as `JSONWriter` writes them.
    static func finite(_ v: JSONValue) -> JSONValue {
        switch v {
        case .number(let d) where !d.isFinite: return .null
        case .array(let a): return .array(a.map(finite))
        case .object(let o): return .object(JSONObject(o.members.map { ($0.key, finite($0.value)) }))
        default: return v
        }
    }

    func roundTrip(_ g: Geometry) {
        _ = GeoJSON.string(g)
        _ = g.boundingBox
    }

    /// A gazetteer of generic names (no real place), enough for every geocoder path to run.
    static func smallGeocoder() -> Geocoder {
        let c = Coordinate(100.0, 30.0)
        let admin = AdminCodes()
        let roads = [RoadEntry(name: "建设路", lines: [[c, Coordinate(100.01, 30.0)]], adminCodes: []),
                     RoadEntry(name: "人民中路", lines: [[c, Coordinate(100.0, 30.01)]], adminCodes: [])]
        let addresses = (1...20).map { AddressEntry(road: "建设路", number: $0, full: "建设路\($0)号",
                                                     point: Coordinate(100.0 + Double($0) * 0.0004, 30.0), admin: admin) }
        let pois = [POIEntry(name: "第一人民医院", aliases: ["一医院"], category: "医院", point: c, admin: admin),
                    POIEntry(name: "建设路小学", aliases: [], category: "学校", point: Coordinate(100.002, 30.0), admin: admin)]
        return Geocoder(Gazetteer(admins: [], roads: roads, addresses: addresses, pois: pois))
    }
}
