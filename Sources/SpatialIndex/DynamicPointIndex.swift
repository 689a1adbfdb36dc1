/// A packed point tree plus a small delta of inserts and deletes (new
/// events, moved bikes), as an immutable value: every change returns a new
/// index sharing the base arrays, so readers holding the old one are never
/// blocked or disturbed. When the delta grows past `rebuildThreshold` the
/// owner calls `rebuilt()` (off the read path) and publishes the result.
///
/// Ids are the caller's, non-negative and unique. A moved point is a delete
/// of its base entry plus an insert.
public struct DynamicPointIndex: Sendable {
    public let base: PackedRTree
    /// Base slot of each base id (ids are positions 0..<n in the base).
    let baseSlot: [Int32]
    let addedIDs: [Int32]
    let addedXY: [Double]
    let removed: Set<Int32>

    public init(points: [(id: Int32, x: Double, y: Double)], nodeSize: Int = 16) {
        var b = PackedRTreeBuilder(pointLeaves: true, reserve: points.count)
        for p in points { b.add(id: p.id, x: p.x, y: p.y) }
        base = b.finish(nodeSize: nodeSize)
        var slot = [Int32](repeating: -1, count: (points.map(\.id).max().map { Int($0) + 1 }) ?? 0)
        for (s, id) in base.itemIDs.enumerated() { slot[Int(id)] = Int32(s) }
        baseSlot = slot
        addedIDs = []
        addedXY = []
        removed = []
    }

    init(base: PackedRTree, baseSlot: [Int32], addedIDs: [Int32], addedXY: [Double], removed: Set<Int32>) {
        self.base = base; self.baseSlot = baseSlot; self.addedIDs = addedIDs; self.addedXY = addedXY; self.removed = removed
    }

    public var deltaCount: Int { addedIDs.count + removed.count }
    public var count: Int { base.count - removed.count + addedIDs.count }
    /// Rebuild once the delta exceeds 1/16 of the base (at least 256 entries).
    public var needsRebuild: Bool { deltaCount > max(256, base.count / 16) }

    func inBase(_ id: Int32) -> Bool { Int(id) < baseSlot.count && baseSlot[Int(id)] >= 0 && !removed.contains(id) }

    /// Whether a point with this id is in the index.
    public func contains(_ id: Int32) -> Bool { inBase(id) || addedIDs.contains(id) }

    /// Inserts a point, or moves it if the id exists.
    public func inserting(id: Int32, x: Double, y: Double) -> DynamicPointIndex {
        let r = removing(id: id)
        return DynamicPointIndex(base: r.base, baseSlot: r.baseSlot, addedIDs: r.addedIDs + [id], addedXY: r.addedXY + [x, y], removed: r.removed)
    }

    public func removing(id: Int32) -> DynamicPointIndex {
        var ids = addedIDs, xy = addedXY, rm = removed
        if let k = ids.firstIndex(of: id) {
            ids.remove(at: k)
            xy.removeSubrange((2 * k)..<(2 * k + 2))
        }
        if inBase(id) { rm.insert(id) }
        return DynamicPointIndex(base: base, baseSlot: baseSlot, addedIDs: ids, addedXY: xy, removed: rm)
    }

    /// All live points, for a rebuild or a brute-force check.
    public var points: [(id: Int32, x: Double, y: Double)] {
        var out: [(id: Int32, x: Double, y: Double)] = []
        out.reserveCapacity(count)
        for (s, id) in base.itemIDs.enumerated() where !removed.contains(id) { out.append((id, base.leaves[2 * s], base.leaves[2 * s + 1])) }
        for (k, id) in addedIDs.enumerated() { out.append((id, addedXY[2 * k], addedXY[2 * k + 1])) }
        return out
    }

    /// A fresh packed base holding everything, with an empty delta.
    public func rebuilt() -> DynamicPointIndex { DynamicPointIndex(points: points, nodeSize: base.nodeSize) }

    /// Exact k nearest (great-circle), ties by id: base (minus deletions) merged with the delta.
    public func nearest(lon: Double, lat: Double, k: Int, maxDistance: Double = .infinity, filter: ((Int32) -> Bool)? = nil) -> [Neighbor] {
        let rm = removed
        var out = base.nearest(lon: lon, lat: lat, k: k, maxDistance: maxDistance) { id in !rm.contains(id) && (filter?(id) ?? true) }
        let maxH = maxDistance.isFinite ? SphericalBounds.h(metres: maxDistance) : .infinity
        // Distance first: the filter may be costly and the delta holds thousands of points.
        for (i, id) in addedIDs.enumerated() {
            let h = SphericalBounds.haversine(lon, lat, addedXY[2 * i], addedXY[2 * i + 1])
            if h <= maxH, filter?(id) ?? true { out.append(Neighbor(id: id, distance: SphericalBounds.metres(h))) }
        }
        out.sort { $0.distance < $1.distance || ($0.distance == $1.distance && $0.id < $1.id) }
        return Array(out.prefix(k))
    }

    public func countWithin(lon: Double, lat: Double, radius: Double) -> Int {
        let h = SphericalBounds.h(metres: radius)
        var n = base.countWithin(lon: lon, lat: lat, radius: radius)
        for id in removed {
            let s = Int(baseSlot[Int(id)])
            if SphericalBounds.haversine(lon, lat, base.leaves[2 * s], base.leaves[2 * s + 1]) <= h { n -= 1 }
        }
        for i in 0..<addedIDs.count where SphericalBounds.haversine(lon, lat, addedXY[2 * i], addedXY[2 * i + 1]) <= h { n += 1 }
        return n
    }
}
