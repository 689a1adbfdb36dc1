import Foundation

/// A search hit: the item's id and its great-circle distance in metres.
public struct Neighbor: Sendable, Equatable {
    public var id: Int32
    public var distance: Double
    public init(id: Int32, distance: Double) { self.id = id; self.distance = distance }
}

extension PackedRTree {
    /// Exact k nearest items by great-circle distance from (lon, lat),
    /// nearest first, ties by id. Best-first search: nodes are ordered by
    /// the exact minimum distance to their box (`SphericalBounds.minH`), so an
    /// item is emitted only when nothing unexplored can be closer. For box
    /// items, `itemH(id)` must give the item's own h (≥ its box's minH);
    /// for point trees it defaults to the point's h. `filter` skips items.
    public func nearest(lon: Double, lat: Double, k: Int, maxDistance: Double = .infinity,
                        filter: ((Int32) -> Bool)? = nil, itemH: ((Int32) -> Double)? = nil) -> [Neighbor] {
        guard count > 0, k > 0 else { return [] }
        let cosLat = cos(lat * Double.pi / 180)
        let maxH = maxDistance.isFinite ? SphericalBounds.h(metres: maxDistance) : .infinity
        var heap = MinHeap(capacity: 64)
        var out: [Neighbor] = []
        out.reserveCapacity(min(k, 1024))
        // Encode (level, index) in one Int; items carry their slot with level 0.
        func ref(_ level: Int, _ j: Int) -> Int { level << 40 | j }
        heap.push(.init(key: 0, tie: -1, value: ref(levels - 1, 0)))
        while let e = heap.pop() {
            if e.key > maxH { break }
            let level = e.value >> 40, j = e.value & ((1 << 40) - 1)
            if level == 0 {
                out.append(Neighbor(id: itemIDs[j], distance: SphericalBounds.metres(e.key)))
                if out.count == k { break }
                continue
            }
            for c in children(level, j) {
                if level == 1 {
                    let id = itemIDs[c]
                    if let filter, !filter(id) { continue }
                    let h: Double
                    if pointLeaves {
                        h = SphericalBounds.haversine(lon, lat, leaves[2 * c], leaves[2 * c + 1])
                    } else if let itemH {
                        h = itemH(id)
                    } else {
                        let b = leafBox(c)
                        h = SphericalBounds.minH(lon, lat, cosLat, b.0, b.1, b.2, b.3)
                    }
                    if h <= maxH { heap.push(.init(key: h, tie: Int64(id), value: ref(0, c))) }
                } else {
                    let b = nodeBox(level - 1, c)
                    let h = SphericalBounds.minH(lon, lat, cosLat, b.0, b.1, b.2, b.3)
                    // Nodes sort before items of equal distance so ties resolve by id.
                    if h <= maxH { heap.push(.init(key: h, tie: Int64.min, value: ref(level - 1, c))) }
                }
            }
        }
        return out
    }
}
