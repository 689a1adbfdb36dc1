import Foundation

extension PackedRTree {
    /// Items within `radius` metres of (lon, lat), nearest first (ties by id),
    /// at most `limit`. Exact for point trees; box trees use `itemH`.
    public func within(lon: Double, lat: Double, radius: Double, limit: Int = .max,
                       filter: ((Int32) -> Bool)? = nil, itemH: ((Int32) -> Double)? = nil) -> [Neighbor] {
        nearest(lon: lon, lat: lat, k: limit, maxDistance: radius, filter: filter, itemH: itemH)
    }

    /// How many points lie within `radius` metres of (lon, lat). A node whose
    /// box lies entirely inside the circle adds its item count without its
    /// leaves being visited; one entirely outside is skipped.
    public func countWithin(lon: Double, lat: Double, radius: Double) -> Int {
        precondition(pointLeaves, "programmer error: countWithin needs a point tree")
        guard count > 0 else { return 0 }
        let cosLat = cos(lat * Double.pi / 180)
        let r = SphericalBounds.h(metres: radius)
        // A quick planar prefilter box, padded so it never excludes a true hit.
        let dLat = radius / 111_000 * 1.01 + 1e-9
        let dLon = dLat / max(cosLat, 1e-6)
        let qMinX = lon - dLon, qMaxX = lon + dLon, qMinY = lat - dLat, qMaxY = lat + dLat
        var total = 0
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * (levels + 1) * nodeSize + 2) { stack in
            var sp = 0
            stack[sp] = levels - 1; stack[sp + 1] = 0; sp += 2
            while sp > 0 {
                sp -= 2
                let level = stack[sp], j = stack[sp + 1]
                for k in children(level, j) {
                    if level == 1 {
                        let x = leaves[2 * k], y = leaves[2 * k + 1]
                        if x < qMinX || x > qMaxX || y < qMinY || y > qMaxY { continue }
                        if SphericalBounds.haversine(lon, lat, x, y) <= r { total += 1 }
                    } else {
                        let b = nodeBox(level - 1, k)
                        if b.2 < qMinX || b.0 > qMaxX || b.3 < qMinY || b.1 > qMaxY { continue }
                        if SphericalBounds.minH(lon, lat, cosLat, b.0, b.1, b.2, b.3) > r { continue }
                        if SphericalBounds.maxH(lon, lat, b.0, b.1, b.2, b.3) <= r {
                            total += Int(nodeCounts[levelStart[level - 1] + k])
                            continue
                        }
                        stack[sp] = level - 1; stack[sp + 1] = k; sp += 2
                    }
                }
            }
        }
        return total
    }
}
