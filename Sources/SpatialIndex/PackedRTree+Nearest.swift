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
        let query = SphericalBounds.Query(lon: lon, lat: lat)
        let maxH = maxDistance.isFinite ? SphericalBounds.h(metres: maxDistance) : .infinity
        var heap = MinHeap(capacity: 64)
        var out: [Neighbor] = []
        out.reserveCapacity(min(k, 1024))
        // Encode (level, index) in one Int; items carry their slot with level 0.
        @inline(__always) func ref(_ level: Int, _ j: Int) -> Int { level << 40 | j }
        heap.push(.init(key: 0, tie: -1, value: ref(levels - 1, 0)))
        nodeBoxes.withUnsafeBufferPointer { boxes in
            leaves.withUnsafeBufferPointer { leaf in
                itemIDs.withUnsafeBufferPointer { ids in
                    while let e = heap.pop() {
                        if e.key > maxH { break }
                        let level = e.value >> 40, j = e.value & ((1 << 40) - 1)
                        if level == 0 {
                            out.append(Neighbor(id: ids[j], distance: SphericalBounds.metres(e.key)))
                            if out.count == k { break }
                            continue
                        }
                        let below = level == 1 ? count : levelCount[level - 1]
                        let lo = j * nodeSize, hi = min(lo + nodeSize, below)
                        if level == 1 {
                            for c in lo..<hi {
                                let id = ids[c]
                                if let filter, !filter(id) { continue }
                                let h: Double
                                if pointLeaves {
                                    h = SphericalBounds.haversine(lon, lat, leaf[2 * c], leaf[2 * c + 1])
                                } else if let itemH {
                                    h = itemH(id)
                                } else {
                                    h = SphericalBounds.minH(lon, lat, cosLat, leaf[4 * c], leaf[4 * c + 1], leaf[4 * c + 2], leaf[4 * c + 3])
                                }
                                if h <= maxH { heap.push(.init(key: h, tie: Int64(id), value: ref(0, c))) }
                            }
                        } else {
                            let base = levelStart[level - 1]
                            for c in lo..<hi {
                                let o = (base + c) * 4
                                let h = SphericalBounds.fastMinH(query, boxes[o], boxes[o + 1], boxes[o + 2], boxes[o + 3])
                                // Nodes sort before items of equal bound so ties resolve by id.
                                if h <= maxH { heap.push(.init(key: h, tie: Int64.min, value: ref(level - 1, c))) }
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
