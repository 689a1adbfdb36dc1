import Geo
import SpatialIndex
import Storage
import Synchronization

/// Counts layers built in this process (see `LayerSnapshot.identity`).
let layerIdentities = Atomic<Int>(0)

/// One layer in memory: feature ids in store order, properties as JSON
/// text, and geometries in the index that serves the layer's queries.
public struct LayerSnapshot: Sendable {
    public let info: LayerInfo
    /// Store row ids, ascending; a feature's position is its index here.
    public let featureIDs: [Int64]
    public let extIDs: [String?]
    public let properties: PropertyColumn
    public let geometry: LayerGeometry
    /// Unique per built layer in this process: whatever is derived from the
    /// layer's contents (tile property tables) is keyed on it.
    public let identity: Int

    public var count: Int { featureIDs.count }

    /// Keys kept dictionary-encoded for `where=` filters, by role.
    static func indexedKeys(_ role: LayerRole) -> [String] {
        switch role {
        case .handler: ["type", "grid_code"]
        case .pipe: ["network", "material"]
        case .pipeNode: ["kind", "network"]
        case .bike: ["operator"]
        case .poi: ["category"]
        case .floodPoint: ["kind"]
        case .building: ["use"]
        case .road: ["kind"]
        // Areas are picked by code (a district's bike balance, the gazetteer).
        case .grid, .community, .street, .district: ["code"]
        default: []
        }
    }

    init(info: LayerInfo, ids: [Int64], extIDs: [String?], texts: [String], geometries: [Geometry]) {
        self.info = info
        featureIDs = ids
        self.extIDs = extIDs
        identity = layerIdentities.add(1, ordering: .relaxed).newValue
        properties = PropertyColumn(texts: texts, indexedKeys: Self.indexedKeys(info.role))
        let types = Set(geometries.map { $0.type.family })
        if types == [.point], geometries.allSatisfy({ $0.type == .point }) {
            var b = PackedRTreeBuilder(pointLeaves: true, reserve: geometries.count)
            for (i, g) in geometries.enumerated() { if case .point(let c) = g { b.add(id: Int32(i), x: c.x, y: c.y) } }
            let tree = b.finish()
            var slot = [Int32](repeating: 0, count: geometries.count)
            for (s, id) in tree.itemIDs.enumerated() { slot[Int(id)] = Int32(s) }
            geometry = .points(tree: tree, slot: slot)
        } else if types == [.lineString] {
            geometry = .lines(LineSet(geometries))
        } else if types == [.polygon] {
            let parts: [[[[Coordinate]]]] = geometries.map {
                switch $0 {
                case .polygon(let p): [p]
                case .multiPolygon(let ps): ps
                default: []
                }
            }
            geometry = .polygons(PolygonIndex(polygons: parts, multi: geometries.map { $0.type == .multiPolygon }))
        } else {
            var b = PackedRTreeBuilder(reserve: geometries.count)
            for (i, g) in geometries.enumerated() {
                let box = g.boundingBox
                b.add(id: Int32(i), minX: box.minX, minY: box.minY, maxX: box.maxX, maxY: box.maxY)
            }
            geometry = .mixed(tree: b.finish(), geometries: geometries)
        }
    }

    /// A layer built in memory (benchmarks): ids 1…n, properties as given.
    public static func make(name: String, role: LayerRole, geometries: [Geometry], properties: [JSONObject]) -> LayerSnapshot {
        var box = BoundingBox.empty
        for g in geometries { box.extend(g.boundingBox) }
        let z = role.defaultZoomRange
        let info = LayerInfo(name: name, role: role, geometryType: role.storedGeometryType?.rawValue ?? "Geometry", count: geometries.count, bbox: box,
                             minzoom: z.lowerBound, maxzoom: z.upperBound, version: 0, updatedAt: "", source: nil)
        return LayerSnapshot(info: info, ids: geometries.indices.map { Int64($0 + 1) }, extIDs: geometries.map { _ in nil },
                             texts: properties.map { JSONWriter.string($0) }, geometries: geometries)
    }

    /// Position of a store id (binary search).
    public func position(ofFeatureID id: Int64) -> Int? {
        var lo = 0, hi = featureIDs.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if featureIDs[mid] == id { return mid }
            if featureIDs[mid] < id { lo = mid + 1 } else { hi = mid - 1 }
        }
        return nil
    }

    /// Great-circle h (see `SphericalBounds`) from a point to feature i's geometry.
    public func h(_ i: Int, lon: Double, lat: Double) -> Double {
        switch geometry {
        case .points(let t, let slot):
            let s = Int(slot[i])
            return SphericalBounds.haversine(lon, lat, t.leaves[2 * s], t.leaves[2 * s + 1])
        case .lines(let l): return l.h(i, lon: lon, lat: lat)
        case .polygons(let p): return p.h(i, lon: lon, lat: lat)
        case .mixed(_, let gs):
            var best = Double.infinity
            gs[i].forEachCoordinate { best = min(best, SphericalBounds.haversine(lon, lat, $0.x, $0.y)) }
            return best
        }
    }

    /// Raw coordinate bytes (16 per vertex) and the bytes this snapshot's geometry and index use.
    public var memoryReport: (rawCoordinateBytes: Int, geometryBytes: Int, propertyBytes: Int) {
        var vertices = 0
        switch geometry {
        case .points(let t, _): vertices = t.count
        case .lines(let l): vertices = l.coords.count / 2
        case .polygons(let p): vertices = p.vertexCount
        case .mixed(_, let g): vertices = g.reduce(0) { $0 + $1.coordinateCount }
        }
        return (vertices * 16, geometry.memoryBytes, properties.memoryBytes + extIDs.count * 17)
    }
}
