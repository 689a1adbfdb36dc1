import Foundation
import Geo
import VectorTiles

/// What the catalog (`/catalog`) says of one tile source.
public struct TileSourceEntry: Sendable {
    public var id: String
    /// `live` (cut from the snapshot on request), `mbtiles` or `pmtiles` (prebuilt).
    public var kind: String
    /// The layer role, for live single-layer sources.
    public var role: String?
    public var description: String
    public var minzoom: Int
    public var maxzoom: Int
}

/// One tile source, as Martin's `Source`: an id, its TileJSON, its catalog
/// entry and its tiles. Live snapshot layers (alone or composed) and prebuilt
/// archives (MBTiles, PMTiles) implement it; the tile, TileJSON and catalog
/// routes work from `TileService.source(_:in:)` and `sources(in:)` with no
/// special case per kind. Caching is the service's, the same for every source.
public protocol TileSource: Sendable {
    var id: String { get }
    var entry: TileSourceEntry { get }
    /// TileJSON 3.0.0 with `tileURL` as its one tile template.
    func tileJSON(tileURL: String) -> JSONObject
    /// The tile made now (built or read; not cached): nil when it holds no features.
    /// Throws the reader's or encoder's error (`StorageError`, `VectorTilesError`).
    func makeTile(_ t: TileID) throws -> CachedTile?
}

/// Layers of one snapshot cut into one tile, in the order given (a composite;
/// a single layer is a composite of one).
public struct LiveLayersSource: TileSource {
    let service: TileService
    let snapshot: CitySnapshot
    public let names: [String]

    public var id: String { names.joined(separator: ",") }

    public var entry: TileSourceEntry {
        let layers = names.compactMap { snapshot.layers[$0] }
        let configs = layers.map { service.config(for: $0) }
        let description = layers.count == 1 ? "\(layers[0].info.role.rawValue) layer, \(layers[0].count) features"
                                            : "composite of \(names.joined(separator: ", "))"
        return TileSourceEntry(id: id, kind: "live", role: layers.count == 1 ? layers[0].info.role.rawValue : nil, description: description,
                               minzoom: configs.map(\.minzoom).min() ?? 0, maxzoom: configs.map(\.maxzoom).max() ?? 0)
    }

    public func tileJSON(tileURL: String) -> JSONObject {
        var layers: [VectorLayerInfo] = [], box = BoundingBox.empty, minz = 30, maxz = 0
        var stats: [JSONValue] = []
        for n in names {
            guard let l = snapshot.layers[n] else { continue }
            let c = service.config(for: l)
            stats.append(.object(JSONObject([("layer", .string(n)), ("count", .number(Double(l.count))),
                                             ("geometry", .string(l.tileGeometryKind.tileStatsName))])))
            layers.append(VectorLayerInfo(id: n, description: "\(l.info.role.rawValue) layer, \(l.count) features",
                                          minzoom: c.minzoom, maxzoom: c.maxzoom, fields: l.vectorFields(c)))
            if !l.info.bbox.isEmpty { box.extend(l.info.bbox) }
            minz = min(minz, c.minzoom); maxz = max(maxz, c.maxzoom)
        }
        if box.isEmpty { box = BoundingBox(minX: -180, minY: -85.0511, maxX: 180, maxY: 85.0511) }
        let centerZoom = min(max(minz, 12), maxz)
        var doc = TileJSON.document(name: id, tiles: [tileURL], layers: layers, bounds: box, minzoom: minz, maxzoom: maxz,
                                    center: ((box.minX + box.maxX) / 2, (box.minY + box.maxY) / 2, centerZoom),
                                    description: "CityTwin live tiles (snapshot \(snapshot.version))")
        // Layer totals as tippecanoe writes them (mapbox-geostats `tilestats`); a tile's own
        // counts, after thinning, are in its X-Tile-Feature-Count header.
        doc["tilestats"] = .object(JSONObject([("layerCount", .number(Double(stats.count))), ("layers", .array(stats))]))
        return doc
    }

    public func makeTile(_ t: TileID) throws -> CachedTile? {
        service.prepareInBackground(snapshot)
        let built = service.build(t, inputs: service.inputs(names, snapshot, zoom: t.z, tablesInBackground: true))
        // An RFC 8941 dictionary in request order (layer names are lower-case letters, digits and _).
        let counts = names.compactMap { n in built.featureCounts[n].map { "\(n)=\($0)" } }.joined(separator: ", ")
        let tile = try CachedTile(body: built.bytes, truncated: built.truncated, featureCounts: counts.isEmpty ? nil : counts)
        return tile.body.isEmpty ? nil : tile
    }
}

extension TileGeometryKind {
    /// The geometry word of mapbox-geostats (tippecanoe's `tilestats`).
    var tileStatsName: String {
        switch self {
        case .point: "Point"
        case .line: "LineString"
        case .polygon: "Polygon"
        case .mixed: "Unknown"
        }
    }
}

/// A prebuilt archive in Tiles/ is a source by its file name. The MBTiles and
/// PMTiles readers stay in their modules (MBTiles is SQLite, which only
/// `Storage` speaks); they meet here, side by side, as one kind of source.
extension TileArchive: TileSource {
    public var id: String { info.name }

    public var entry: TileSourceEntry {
        let i = info
        return TileSourceEntry(id: i.name, kind: i.format, role: nil, description: "prebuilt \(i.format) tileset", minzoom: i.minzoom, maxzoom: i.maxzoom)
    }

    public func tileJSON(tileURL: String) -> JSONObject {
        let a = info
        var doc = TileJSON.document(name: a.name, tiles: [tileURL], layers: [], bounds: a.bounds, minzoom: a.minzoom, maxzoom: a.maxzoom,
                                    center: a.center, description: "prebuilt \(a.format) tileset")
        doc["vector_layers"] = a.vectorLayers
        return doc
    }

    public func makeTile(_ t: TileID) throws -> CachedTile? {
        guard let bytes = try tile(t), !bytes.isEmpty else { return nil }
        return try CachedTile(archived: bytes)
    }
}
