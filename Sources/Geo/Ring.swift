/// Helpers on polygon rings: closed coordinate lists, the first point repeated
/// last. Areas are planar in the coordinates' own units (degrees² for lon/lat):
/// fit for orientation, comparison and centroids, not for square metres.
public enum Ring {
    /// Signed area by the shoelace formula: positive counter-clockwise, negative
    /// clockwise, 0 for fewer than 3 points. Summed relative to the first vertex:
    /// products of raw lon/lat (~3,000) would cancel away the digits that matter.
    public static func signedArea(_ ring: [Coordinate]) -> Double {
        guard ring.count > 2, let o = ring.first else { return 0 }
        var s = 0.0
        for (p, q) in zip(ring, ring.dropFirst()) {
            s += (p.x - o.x) * (q.y - o.y) - (q.x - o.x) * (p.y - o.y)
        }
        return s / 2
    }

    /// Whether `p` is inside the ring by the even-odd rule. Points on the boundary may
    /// fall either way; use `PolygonIndex` where the boundary rule matters.
    public static func contains(_ ring: [Coordinate], _ p: Coordinate) -> Bool {
        var inside = false
        var j = ring.count - 1
        for i in ring.indices {
            let a = ring[i], b = ring[j]
            if (a.y > p.y) != (b.y > p.y), p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x { inside.toggle() }
            j = i
        }
        return inside
    }

    /// Whether `p` is inside a polygon (outer ring, then holes) by the even-odd rule.
    public static func polygonContains(_ polygon: [[Coordinate]], _ p: Coordinate) -> Bool {
        polygon.reduce(false) { $0 != contains($1, p) }
    }

    /// The area centroid of a ring; its first point when the area is 0.
    public static func centroid(_ ring: [Coordinate]) -> Coordinate? {
        guard let o = ring.first else { return nil }
        let local = ring.map { Coordinate($0.x - o.x, $0.y - o.y) }
        let a = signedArea(local)
        guard a != 0 else { return o }
        var cx = 0.0, cy = 0.0
        for (p, q) in zip(local, local.dropFirst()) {
            let f = p.x * q.y - q.x * p.y
            cx += (p.x + q.x) * f
            cy += (p.y + q.y) * f
        }
        return Coordinate(o.x + cx / (6 * a), o.y + cy / (6 * a))
    }

    /// A point inside a polygon (outer ring, then holes), for labels and geocoder anchors:
    /// the outer ring's centroid when `isInside` accepts it (default: even-odd over all
    /// rings), else the midpoint of the widest inside run of the horizontal line through
    /// the middle of the box. nil for an outer ring of fewer than 4 points.
    public static func labelPoint(_ polygon: [[Coordinate]], isInside: ((Coordinate) -> Bool)? = nil) -> Coordinate? {
        guard let outer = polygon.first, outer.count >= 4, let centroid = centroid(outer) else { return nil }
        if isInside?(centroid) ?? polygonContains(polygon, centroid) { return centroid }
        let box = Geometry.polygon(polygon).boundingBox
        let y = (box.minY + box.maxY) / 2
        var xs: [Double] = []
        for r in polygon {
            for (p, q) in zip(r, r.dropFirst()) where (p.y > y) != (q.y > y) {
                xs.append(p.x + (y - p.y) * (q.x - p.x) / (q.y - p.y))
            }
        }
        xs.sort()
        var best: (Double, Double)?
        var k = 0
        while k + 1 < xs.count {
            if best.map({ xs[k + 1] - xs[k] > $0.1 - $0.0 }) ?? true { best = (xs[k], xs[k + 1]) }
            k += 2
        }
        return best.map { Coordinate(($0.0 + $0.1) / 2, y) } ?? centroid
    }
}
