import Foundation
import Geo
import Storage
import VectorTiles

/// A prebuilt tileset in Tiles/ (`.mbtiles` or `.pmtiles`), served as a tile source by its file name.
public enum TileArchive: Sendable {
    case mbtiles(MBTilesArchive, Info)
    case pmtiles(PMTilesArchive, Info)

    public struct Info: Sendable {
        public var name: String
        public var format: String
        public var minzoom: Int
        public var maxzoom: Int
        public var bounds: BoundingBox
        public var center: (lon: Double, lat: Double, zoom: Int)
        public var vectorLayers: JSONValue
    }

    public var info: Info {
        switch self {
        case .mbtiles(_, let i), .pmtiles(_, let i): i
        }
    }

    /// Stored bytes of a tile, or nil.
    public func tile(_ t: TileID) throws -> [UInt8]? {
        switch self {
        case .mbtiles(let a, _): try a.tile(t)
        case .pmtiles(let a, _): try a.tile(t)
        }
    }

    /// Every archive in a folder, with one warning per file that cannot be opened.
    public static func scan(folder: String) -> (archives: [String: TileArchive], warnings: [String]) {
        var out: [String: TileArchive] = [:], warnings: [String] = []
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        for file in files.sorted() {
            let path = (folder as NSString).appendingPathComponent(file)
            let name = (file as NSString).deletingPathExtension
            do {
                if file.hasSuffix(".mbtiles") {
                    let a = try MBTilesArchive.open(path: path)
                    let m = try a.metadata()
                    let b = (m["bounds"] ?? "").split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
                    let c = (m["center"] ?? "").split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
                    let bounds = b.count == 4 ? BoundingBox(minX: b[0], minY: b[1], maxX: b[2], maxY: b[3]) : BoundingBox(minX: -180, minY: -85.05, maxX: 180, maxY: 85.05)
                    let json = m["json"].flatMap { try? JSONParser.parse($0) }
                    out[name] = .mbtiles(a, Info(name: name, format: "mbtiles", minzoom: Int(m["minzoom"] ?? "") ?? 0, maxzoom: Int(m["maxzoom"] ?? "") ?? 14,
                                                 bounds: bounds, center: c.count == 3 && (0...30).contains(c[2]) ? (c[0], c[1], Int(c[2])) : ((bounds.minX + bounds.maxX) / 2, (bounds.minY + bounds.maxY) / 2, 10),
                                                 vectorLayers: json?["vector_layers"] ?? .array([])))
                } else if file.hasSuffix(".pmtiles") {
                    let a = try PMTilesArchive(path: path)
                    out[name] = .pmtiles(a, Info(name: name, format: "pmtiles", minzoom: a.minzoom, maxzoom: a.maxzoom, bounds: a.bounds,
                                                 center: a.center, vectorLayers: a.metadata["vector_layers"] ?? .array([])))
                }
            } catch {
                warnings.append("tile archive \(path) skipped: \(error)")
            }
        }
        return (out, warnings)
    }
}
