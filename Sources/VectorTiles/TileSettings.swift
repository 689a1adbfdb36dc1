import Geo
import YAMLConfig

/// Tile settings for the whole server: extent, buffer, caps, cache size and
/// per-layer overrides, read from Tiles/layers.yaml. Unknown keys are
/// reported as warnings, not ignored silently (as Martin does).
public struct TileSettings: Sendable, Equatable {
    public var extent: Int = 4096
    public var buffer: Int = 64
    /// A tile larger than this (uncompressed) stops taking features.
    public var maxTileBytes: Int = 4 << 20
    public var cacheBytes: Int = 256 << 20
    /// A tile with a `drop_densest_as_needed` layer below its base zoom is thinned until it
    /// fits this (uncompressed; tippecanoe's default maximum tile size).
    public var maxThinnedTileBytes: Int = 500_000
    public var layers: [String: LayerOverride] = [:]

    /// Per-layer keys; every field optional (unset keeps the role default).
    public struct LayerOverride: Sendable, Equatable {
        public var minzoom: Int?
        public var maxzoom: Int?
        public var properties: [String]?
        public var allProperties = false
        public var simplify: Double?
        public var clusterBelowZoom: Int?
        public var clusterCell: Int?
        public var tinyPolygons: TileLayerConfig.TinyPolygons?
        public var maxFeatures: Int?
        public var buffer: Int?
        public var baseZoom: Int?
        public var dropSpacing: Int?
        public var dropDensestAsNeeded: Bool?
        public init() {}
    }

    public init() {}

    /// The effective configuration of a layer: role defaults, the catalog's zoom range, then overrides.
    public func config(layer: String, role: LayerRole, minzoom: Int? = nil, maxzoom: Int? = nil) -> TileLayerConfig {
        var c = TileLayerConfig.defaults(for: role)
        if let minzoom { c.minzoom = minzoom }
        if let maxzoom { c.maxzoom = maxzoom }
        if let o = layers[layer] {
            if let v = o.minzoom { c.minzoom = v }
            if let v = o.maxzoom { c.maxzoom = v }
            // One override (minzoom 17 on a layer whose catalog range ends at 16) must not
            // leave an empty range: loops over minzoom...maxzoom would trap.
            if o.maxzoom == nil, c.minzoom > c.maxzoom { c.maxzoom = c.minzoom }
            if o.minzoom == nil, c.minzoom > c.maxzoom { c.minzoom = c.maxzoom }
            if o.allProperties { c.properties = nil } else if let v = o.properties { c.properties = v }
            if let v = o.simplify { c.simplify = v }
            if let v = o.clusterBelowZoom { c.clusterBelowZoom = v }
            if let v = o.clusterCell { c.clusterCell = v }
            if let v = o.tinyPolygons { c.tinyPolygons = v }
            if let v = o.maxFeatures { c.maxFeatures = v }
            if let v = o.buffer { c.buffer = v }
            if let v = o.baseZoom { c.baseZoom = v }
            if let v = o.dropSpacing { c.dropSpacing = v }
            if let v = o.dropDensestAsNeeded { c.dropDensestAsNeeded = v }
        }
        // A stored catalog range may be reversed too (written by another tool).
        if c.minzoom > c.maxzoom { c.maxzoom = c.minzoom }
        return c
    }

    /// Parses layers.yaml. Returns the settings and one warning per unknown
    /// key; throws `.invalidConfig` naming the key for values of the wrong type or range.
    public static func parse(yaml text: String, source: String = "layers.yaml") throws(VectorTilesError) -> (TileSettings, [String]) {
        let file: LayersFile, unknown: [String]
        do { (file, unknown) = try YAMLConfig.decode(LayersFile.self, from: text, schema: LayersFile.schema) } catch {
            throw VectorTilesError(.invalidConfig, "\(source): \(error.message)")
        }
        return (try file.settings(source: source), unknown.map { "\(source): unknown key \($0) (ignored)" })
    }
}

/// layers.yaml as written, decoded by `YAMLDecoder`; `settings` checks ranges.
struct LayersFile: Decodable {
    var extent: Int?, buffer: Int?, maxTileBytes: Int?, cacheMB: Int?, maxThinnedTileBytes: Int?
    var layers: [String: Layer]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case extent, buffer, maxTileBytes = "max_tile_bytes", cacheMB = "cache_mb", layers
        case maxThinnedTileBytes = "max_thinned_tile_bytes"
    }

    struct Layer: Decodable {
        var minzoom: Int?, maxzoom: Int?, properties: Properties?, simplify: Double?, clusterBelowZoom: Int?
        var clusterCell: Int?, tinyPolygons: String?, maxFeatures: Int?, buffer: Int?
        var baseZoom: Int?, dropSpacing: Int?, dropDensestAsNeeded: Bool?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case minzoom, maxzoom, properties, simplify, clusterBelowZoom = "cluster_below_zoom", clusterCell = "cluster_cell"
            case tinyPolygons = "tiny_polygons", maxFeatures = "max_features", buffer
            case baseZoom = "base_zoom", dropSpacing = "drop_spacing", dropDensestAsNeeded = "drop_densest_as_needed"
        }
    }

    /// `properties: all` or a list of property names.
    enum Properties: Decodable {
        case all, names([String])
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let names = try? c.decode([String].self) { self = .names(names); return }
            if let word = try? c.decode(String.self), word == "all" { self = .all; return }
            throw DecodingError.typeMismatch([String].self, .init(codingPath: decoder.codingPath, debugDescription: "a list of property names or \"all\""))
        }
    }

    static let schema: KeySchema = {
        guard case .mapping(var top) = KeySchema.leaves(CodingKeys.self) else { return .value }
        top["layers"] = .mapOf(.leaves(Layer.CodingKeys.self))
        return .mapping(top)
    }()

    func settings(source: String) throws(VectorTilesError) -> TileSettings {
        func int(_ v: Int?, _ key: String, _ range: ClosedRange<Int>) throws(VectorTilesError) -> Int? {
            guard let v else { return nil }
            guard range.contains(v) else { throw VectorTilesError(.invalidConfig, "\(source): \(key) must be an integer in \(range.lowerBound)...\(range.upperBound)") }
            return v
        }
        var s = TileSettings()
        if let v = try int(extent, "extent", 256...65_536) { s.extent = v }
        if let v = try int(buffer, "buffer", 0...2048) { s.buffer = v }
        if let v = try int(maxTileBytes, "max_tile_bytes", 1024...(1 << 30)) { s.maxTileBytes = v }
        if let v = try int(cacheMB, "cache_mb", 0...65_536) { s.cacheBytes = v << 20 }
        if let v = try int(maxThinnedTileBytes, "max_thinned_tile_bytes", 1024...(1 << 30)) { s.maxThinnedTileBytes = v }
        for (name, l) in (layers ?? [:]).sorted(by: { $0.key < $1.key }) {
            let path = "layers.\(InputText.escaped(name))"
            var o = TileSettings.LayerOverride()
            o.minzoom = try int(l.minzoom, path + ".minzoom", 0...30)
            o.maxzoom = try int(l.maxzoom, path + ".maxzoom", 0...30)
            switch l.properties {
            case .all?: o.allProperties = true
            case .names(let n)?: o.properties = n
            case nil: break
            }
            if let d = l.simplify {
                guard d.isFinite, d >= 0, d <= 256 else { throw VectorTilesError(.invalidConfig, "\(source): \(path).simplify must be a number of tile units in 0...256") }
                o.simplify = d
            }
            o.clusterBelowZoom = try int(l.clusterBelowZoom, path + ".cluster_below_zoom", 0...30)
            // The cluster grid must tile the configured extent exactly (not a fixed 4096).
            if let c = try int(l.clusterCell, path + ".cluster_cell", 1...s.extent) {
                guard s.extent % c == 0 else { throw VectorTilesError(.invalidConfig, "\(source): \(path).cluster_cell must divide the extent \(s.extent)") }
                o.clusterCell = c
            }
            if let t = l.tinyPolygons {
                guard let v = TileLayerConfig.TinyPolygons(rawValue: t) else { throw VectorTilesError(.invalidConfig, "\(source): \(path).tiny_polygons must be one of drop, dot") }
                o.tinyPolygons = v
            }
            o.maxFeatures = try int(l.maxFeatures, path + ".max_features", 1...10_000_000)
            o.buffer = try int(l.buffer, path + ".buffer", 0...2048)
            o.baseZoom = try int(l.baseZoom, path + ".base_zoom", 0...30)
            o.dropSpacing = try int(l.dropSpacing, path + ".drop_spacing", 1...s.extent)
            o.dropDensestAsNeeded = l.dropDensestAsNeeded
            if let a = o.minzoom, let b = o.maxzoom, a > b { throw VectorTilesError(.invalidConfig, "\(source): \(path) has minzoom \(a) above maxzoom \(b)") }
            s.layers[name] = o
        }
        return s
    }
}
