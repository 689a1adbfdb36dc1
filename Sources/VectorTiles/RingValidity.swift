/// Validity of rounded polygon rings in integer tile coordinates, exact
/// (Int64 orientation tests). Conservative: any contact between two edges
/// other than neighbours in one ring sharing their vertex counts as
/// invalid, so rings touching at a point also go to the GEOS repair path.
enum RingValidity {
    struct Segment {
        var x0: Int64, y0: Int64, x1: Int64, y1: Int64
        var ring: Int32, index: Int32, ringSize: Int32
        var minX: Int64 { min(x0, x1) }
        var maxX: Int64 { max(x0, x1) }
    }

    /// Rings are flat x,y pairs without the closing point, already deduplicated.
    static func isValid(_ rings: [[Int32]]) -> Bool {
        var flat: [Int32] = [], starts: [Int] = [], segments: [Segment] = [], active: [Segment] = []
        for r in rings { starts.append(flat.count); flat.append(contentsOf: r) }
        return isValid(flat: flat, starts: starts, segments: &segments, active: &active)
    }

    /// The same check on rings in one flat buffer (ring k from starts[k] to the next start),
    /// with caller-owned scratch arrays so a tile's many small polygons allocate nothing.
    static func isValid(flat: [Int32], starts: [Int], segments: inout [Segment], active: inout [Segment]) -> Bool {
        segments.removeAll(keepingCapacity: true)
        active.removeAll(keepingCapacity: true)
        for r in starts.indices {
            let a = starts[r], b = r + 1 < starts.count ? starts[r + 1] : flat.count
            let n = (b - a) / 2
            guard n >= 3 else { return false }
            for i in 0..<n {
                let j = (i + 1) % n
                segments.append(Segment(x0: Int64(flat[a + 2 * i]), y0: Int64(flat[a + 2 * i + 1]), x1: Int64(flat[a + 2 * j]), y1: Int64(flat[a + 2 * j + 1]),
                                        ring: Int32(r), index: Int32(i), ringSize: Int32(n)))
            }
        }
        segments.sort { $0.minX < $1.minX }
        for s in segments {
            let sMin = s.minX
            active.removeAll { $0.maxX < sMin }
            for a in active where intersects(a, s) {
                if adjacent(a, s) { if overlapsAdjacent(a, s) { return false } } else { return false }
            }
            active.append(s)
        }
        return true
    }

    /// A 4-vertex ring (distinct consecutive points, non-zero area) is simple
    /// when neither pair of opposite sides touches and no side folds back on its neighbour.
    static func isSimpleQuadrilateral(_ p: [Int32]) -> Bool {
        func seg(_ i: Int) -> Segment {
            let j = (i + 1) % 4
            return Segment(x0: Int64(p[2 * i]), y0: Int64(p[2 * i + 1]), x1: Int64(p[2 * j]), y1: Int64(p[2 * j + 1]), ring: 0, index: Int32(i), ringSize: 4)
        }
        let s0 = seg(0), s1 = seg(1), s2 = seg(2), s3 = seg(3)
        if intersects(s0, s2) || intersects(s1, s3) { return false }
        return !(overlapsAdjacent(s0, s1) || overlapsAdjacent(s1, s2) || overlapsAdjacent(s2, s3) || overlapsAdjacent(s3, s0))
    }

    static func adjacent(_ a: Segment, _ b: Segment) -> Bool {
        guard a.ring == b.ring else { return false }
        let d = abs(Int(a.index) - Int(b.index))
        return d == 1 || d == Int(a.ringSize) - 1
    }

    @inline(__always) static func orient(_ ax: Int64, _ ay: Int64, _ bx: Int64, _ by: Int64, _ cx: Int64, _ cy: Int64) -> Int64 {
        let v = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
        return v > 0 ? 1 : (v < 0 ? -1 : 0)
    }

    @inline(__always) static func onSegment(_ ax: Int64, _ ay: Int64, _ bx: Int64, _ by: Int64, _ px: Int64, _ py: Int64) -> Bool {
        min(ax, bx) <= px && px <= max(ax, bx) && min(ay, by) <= py && py <= max(ay, by)
    }

    static func intersects(_ a: Segment, _ b: Segment) -> Bool {
        let o1 = orient(a.x0, a.y0, a.x1, a.y1, b.x0, b.y0), o2 = orient(a.x0, a.y0, a.x1, a.y1, b.x1, b.y1)
        let o3 = orient(b.x0, b.y0, b.x1, b.y1, a.x0, a.y0), o4 = orient(b.x0, b.y0, b.x1, b.y1, a.x1, a.y1)
        if o1 != o2 && o3 != o4 && o1 != 0 && o2 != 0 && o3 != 0 && o4 != 0 { return true }
        if o1 == 0 && onSegment(a.x0, a.y0, a.x1, a.y1, b.x0, b.y0) { return true }
        if o2 == 0 && onSegment(a.x0, a.y0, a.x1, a.y1, b.x1, b.y1) { return true }
        if o3 == 0 && onSegment(b.x0, b.y0, b.x1, b.y1, a.x0, a.y0) { return true }
        if o4 == 0 && onSegment(b.x0, b.y0, b.x1, b.y1, a.x1, a.y1) { return true }
        return (o1 != o2 && o3 != o4)
    }

    /// Neighbouring edges may share their common vertex only: a fold-back
    /// (the next edge running back over the previous one) is invalid.
    static func overlapsAdjacent(_ a: Segment, _ b: Segment) -> Bool {
        // Shared vertex: the one both segments have.
        let shared: (Int64, Int64)
        if (a.x1 == b.x0 && a.y1 == b.y0) { shared = (a.x1, a.y1) } else if (b.x1 == a.x0 && b.y1 == a.y0) { shared = (a.x0, a.y0) } else { return true }
        let (ox, oy) = (a.x0 == shared.0 && a.y0 == shared.1) ? (a.x1, a.y1) : (a.x0, a.y0)
        let (px, py) = (b.x0 == shared.0 && b.y0 == shared.1) ? (b.x1, b.y1) : (b.x0, b.y0)
        // Collinear and pointing the same way from the shared vertex = overlap.
        guard orient(shared.0, shared.1, ox, oy, px, py) == 0 else { return false }
        return (ox - shared.0) * (px - shared.0) + (oy - shared.1) * (py - shared.1) > 0
    }
}
