import Geo

/// How one layer is cut into tiles: zoom range, properties kept,
/// simplification, point clustering and caps (Tiles/layers.yaml).
public struct TileLayerConfig: Sendable, Equatable {
    public enum TinyPolygons: String, Sendable, CaseIterable {
        /// Polygons smaller than a tile unit are left out.
        case drop
        /// They are kept as a one-unit square at their centre, so dense small
        /// footprints still show as dots at low zoom.
        case dot
    }

    public var minzoom: Int
    public var maxzoom: Int
    /// Property names to write; nil writes all.
    public var properties: [String]?
    /// Douglas–Peucker tolerance in tile units (4096 per tile side).
    public var simplify: Double
    /// Point layers: zooms below this are written as clusters with a `count`.
    public var clusterBelowZoom: Int?
    /// Cluster cell size in tile units (must divide the extent).
    public var clusterCell: Int
    public var tinyPolygons: TinyPolygons
    /// At most this many features per layer per tile; the rest are left out (and the tile marked truncated).
    public var maxFeatures: Int
    /// Clip buffer in tile units; nil uses the server-wide buffer.
    public var buffer: Int?
    /// Zooms below this are thinned (as tippecanoe's base zoom): at most one feature per
    /// `dropSpacing` cell, so dense areas lose features first and sparse ones keep theirs.
    /// From this zoom on every feature is written. Nil: never thinned.
    public var baseZoom: Int?
    /// Thinning cell side in tile units, on a grid aligned to the world (so cells nest
    /// from zoom to zoom and a feature kept at one zoom is kept at every higher one).
    public var dropSpacing: Int
    /// Below the base zoom, widen the cells (×2) until the tile fits `maxThinnedTileBytes`
    /// (tippecanoe's `--drop-densest-as-needed`) rather than cutting the tile short.
    public var dropDensestAsNeeded: Bool

    public init(minzoom: Int, maxzoom: Int, properties: [String]? = nil, simplify: Double = 1,
                clusterBelowZoom: Int? = nil, clusterCell: Int = 64, tinyPolygons: TinyPolygons = .drop,
                maxFeatures: Int = 200_000, buffer: Int? = nil, baseZoom: Int? = nil, dropSpacing: Int = 16,
                dropDensestAsNeeded: Bool = false) {
        self.minzoom = minzoom; self.maxzoom = maxzoom; self.properties = properties; self.simplify = simplify
        self.clusterBelowZoom = clusterBelowZoom; self.clusterCell = clusterCell; self.tinyPolygons = tinyPolygons
        self.maxFeatures = maxFeatures; self.buffer = buffer
        self.baseZoom = baseZoom; self.dropSpacing = dropSpacing; self.dropDensestAsNeeded = dropDensestAsNeeded
    }

    /// Whether tiles of zoom z are thinned.
    public func thins(at z: Int) -> Bool { baseZoom.map { z < $0 } ?? false }

    /// Defaults by role: the role's zoom range, the properties a map styles
    /// by, clusters for dense point layers.
    public static func defaults(for role: LayerRole) -> TileLayerConfig {
        let z = role.defaultZoomRange
        var c = TileLayerConfig(minzoom: z.lowerBound, maxzoom: z.upperBound)
        switch role {
        case .district, .street, .community, .grid: c.properties = ["code", "name", "parent_code"]
        case .road: c.properties = ["name", "kind"]
        case .address: c.properties = ["full", "road", "number"]
        case .poi: c.properties = ["name", "category"]
        case .building: c.properties = ["height_m", "floors", "cim_level", "use", "name"]; c.tinyPolygons = .dot
        case .pipe: c.properties = ["network", "diameter_mm", "material"]
        case .pipeNode: c.properties = ["node_id", "kind", "network"]
        case .bikeStation: c.properties = ["station_id", "capacity", "name", "count", "status"]
        case .bike: c.properties = ["bike_id", "operator", "status"]; c.clusterBelowZoom = 15
        case .bikeFence: c.properties = ["fence_id", "kind", "capacity", "name"]
        case .floodPoint: c.properties = ["name", "kind", "sensor_id", "threshold_cm", "status", "level_cm"]
        case .handler: c.properties = ["handler_id", "type", "name", "grid_code"]
        case .event: c.properties = ["type", "status", "description", "grid_code", "reported_at"]
        case .generic: c.properties = nil
        }
        if role == .address || role == .bike || role == .pipeNode { c.simplify = 0 }
        return c
    }
}
