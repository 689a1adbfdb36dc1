import Geo
import VectorTiles

/// The snapshot's layers feed the tile builder directly from memory.
extension LayerSnapshot: TileFeatureSource {
    public var tileGeometryKind: TileGeometryKind {
        switch geometry {
        case .points: .point
        case .lines: .line
        case .polygons: .polygon
        case .mixed: .mixed
        }
    }

    public func forEachFeature(in box: BoundingBox, _ visit: (Int) -> Void) {
        geometry.tree.search(minX: box.minX, minY: box.minY, maxX: box.maxX, maxY: box.maxY) { visit(Int($0)); return true }
    }

    /// The index's leaf boxes are the features' boxes.
    public func forEachFeatureBox(in box: BoundingBox, _ visit: (Int, BoundingBox) -> Void) {
        geometry.tree.searchLeafBoxes(minX: box.minX, minY: box.minY, maxX: box.maxX, maxY: box.maxY) { i, x0, y0, x1, y1 in
            visit(Int(i), BoundingBox(minX: x0, minY: y0, maxX: x1, maxY: y1))
        }
    }

    /// The store's row id: stable across tiles, zooms and snapshot versions.
    public func tileFeatureID(_ i: Int) -> UInt64 { UInt64(featureIDs[i]) }

    public func tilePoint(_ i: Int) -> Coordinate? {
        guard case .points(let t, let slot) = geometry else { return nil }
        let s = Int(slot[i])
        return Coordinate(t.leaves[2 * s], t.leaves[2 * s + 1])
    }

    public func tileGeometry(_ i: Int) -> Geometry { geometry.geometry(i) }

    public func tileProperties(_ i: Int) -> JSONObject { properties.object(i) }

    public func tileForEachRing(_ i: Int, _ body: (Int, Int, UnsafeBufferPointer<Double>) -> Void) -> Bool {
        guard case .polygons(let p) = geometry else { return false }
        p.forEachRing(i, body)
        return true
    }

    public func tileForEachLine(_ i: Int, _ body: (UnsafeBufferPointer<Double>) -> Void) -> Bool {
        guard case .lines(let l) = geometry else { return false }
        l.forEachLine(i, body)
        return true
    }

    /// TileJSON fields: the configured properties (or all seen), typed from the first features that have them.
    func vectorFields(_ config: TileLayerConfig) -> [(String, String)] {
        var types: [String: String] = [:], order: [String] = config.properties ?? []
        for i in 0..<min(count, 2000) {
            for m in properties.object(i).members {
                guard config.properties == nil || config.properties!.contains(m.key), types[m.key] == nil,
                      let t = VectorLayerInfo.fieldType(m.value) else { continue }
                types[m.key] = t
                if config.properties == nil { order.append(m.key) }
            }
        }
        var fields = order.compactMap { k in types[k].map { (k, $0) } }
        if info.role == .floodPoint { fields.append(("status", "String")); fields.append(("level_cm", "Number")) }
        if config.clusterBelowZoom != nil { fields.append(("count", "Number")); fields.append(("cluster", "Boolean")) }
        return fields
    }
}
