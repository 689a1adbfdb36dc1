import Geo
import Yams

/// Tile settings for the whole server: extent, buffer, caps, cache size and
/// per-layer overrides, read from Tiles/layers.yaml. Unknown keys are
/// reported as warnings, not ignored silently (as Martin does).
public struct TileSettings: Sendable, Equatable {
    public var extent: Int = 4096
    public var buffer: Int = 64
    /// A tile larger than this (uncompressed) stops taking features.
    public var maxTileBytes: Int = 4 << 20
    public var cacheBytes: Int = 256 << 20
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
        }
        // A stored catalog range may be reversed too (written by another tool).
        if c.minzoom > c.maxzoom { c.maxzoom = c.minzoom }
        return c
    }

    /// Parses layers.yaml. Returns the settings and one warning per unknown
    /// key; throws `.invalidConfig` naming the key for values of the wrong type or range.
    public static func parse(yaml text: String, source: String = "layers.yaml") throws(VectorTilesError) -> (TileSettings, [String]) {
        let node: Any?
        do { node = try Yams.load(yaml: text) } catch { throw VectorTilesError(.invalidConfig, "\(source): not valid YAML: \(error)") }
        var s = TileSettings(), warnings: [String] = []
        guard let node else { return (s, warnings) }
        guard let root = node as? [String: Any] else { throw VectorTilesError(.invalidConfig, "\(source): top level must be a mapping") }
        func int(_ v: Any, _ key: String, _ range: ClosedRange<Int>) throws(VectorTilesError) -> Int {
            guard let i = v as? Int, range.contains(i) else { throw VectorTilesError(.invalidConfig, "\(source): \(key) must be an integer in \(range.lowerBound)...\(range.upperBound)") }
            return i
        }
        for (key, value) in root.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "extent": s.extent = try int(value, key, 256...65_536)
            case "buffer": s.buffer = try int(value, key, 0...2048)
            case "max_tile_bytes": s.maxTileBytes = try int(value, key, 1024...(1 << 30))
            case "cache_mb": s.cacheBytes = try int(value, key, 0...65_536) << 20
            case "layers":
                guard let layers = value as? [String: Any] else { throw VectorTilesError(.invalidConfig, "\(source): layers must be a mapping of layer name to settings") }
                for (name, lv) in layers.sorted(by: { $0.key < $1.key }) {
                    guard let m = lv as? [String: Any] else { throw VectorTilesError(.invalidConfig, "\(source): layers.\(InputText.escaped(name)) must be a mapping") }
                    var o = LayerOverride()
                    for (k, v) in m.sorted(by: { $0.key < $1.key }) {
                        let path = "layers.\(InputText.escaped(name)).\(InputText.escaped(k))"
                        switch k {
                        case "minzoom": o.minzoom = try int(v, path, 0...30)
                        case "maxzoom": o.maxzoom = try int(v, path, 0...30)
                        case "properties":
                            if let str = v as? String, str == "all" { o.allProperties = true }
                            else if let list = v as? [Any], case let names = list.compactMap({ $0 as? String }), names.count == list.count { o.properties = names }
                            else { throw VectorTilesError(.invalidConfig, "\(source): \(path) must be a list of property names or \"all\"") }
                        case "simplify":
                            guard let d = (v as? Double) ?? (v as? Int).map(Double.init), d >= 0, d <= 256 else {
                                throw VectorTilesError(.invalidConfig, "\(source): \(path) must be a number of tile units in 0...256")
                            }
                            o.simplify = d
                        case "cluster_below_zoom": o.clusterBelowZoom = try int(v, path, 0...30)
                        case "cluster_cell":
                            let c = try int(v, path, 1...4096)
                            guard 4096 % c == 0 else { throw VectorTilesError(.invalidConfig, "\(source): \(path) must divide 4096") }
                            o.clusterCell = c
                        case "tiny_polygons":
                            guard let str = v as? String, let t = TileLayerConfig.TinyPolygons(rawValue: str) else {
                                throw VectorTilesError(.invalidConfig, "\(source): \(path) must be one of drop, dot")
                            }
                            o.tinyPolygons = t
                        case "max_features": o.maxFeatures = try int(v, path, 1...10_000_000)
                        case "buffer": o.buffer = try int(v, path, 0...2048)
                        default: warnings.append("\(source): unknown key \(path) (ignored)")
                        }
                    }
                    if let a = o.minzoom, let b = o.maxzoom, a > b { throw VectorTilesError(.invalidConfig, "\(source): layers.\(InputText.escaped(name)) has minzoom \(a) above maxzoom \(b)") }
                    s.layers[name] = o
                }
            default: warnings.append("\(source): unknown key \(InputText.escaped(key)) (ignored)")
            }
        }
        return (s, warnings)
    }
}
