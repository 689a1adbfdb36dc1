/// Clipping in tile coordinates against the buffered tile square
/// [lo, hi]². Lines: segment by segment (Liang–Barsky), split where they
/// leave. Polygons: Sutherland–Hodgman per ring, which may leave edges
/// running along the square's border; `RingValidity` catches the cases
/// where that makes a polygon invalid and the builder repairs them with GEOS.
public struct TileClipper: Sendable {
    public let lo: Double
    public let hi: Double

    public init(lo: Double, hi: Double) { self.lo = lo; self.hi = hi }

    /// Bounds test of flat x,y pairs: 0 = fully inside, 1 = crosses, 2 = fully outside.
    public func relation(_ xy: [Double]) -> Int {
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        var i = 0
        while i + 1 < xy.count {
            minX = min(minX, xy[i]); maxX = max(maxX, xy[i]); minY = min(minY, xy[i + 1]); maxY = max(maxY, xy[i + 1]); i += 2
        }
        if minX >= lo && maxX <= hi && minY >= lo && maxY <= hi { return 0 }
        if maxX < lo || minX > hi || maxY < lo || minY > hi { return 2 }
        return 1
    }

    /// Pieces of a polyline inside the square.
    public func clipLine(_ xy: [Double]) -> [[Double]] {
        switch relation(xy) {
        case 0: return [xy]
        case 2: return []
        default: break
        }
        var pieces: [[Double]] = []
        var current: [Double] = []
        var i = 0
        while i + 3 < xy.count {
            let x0 = xy[i], y0 = xy[i + 1], x1 = xy[i + 2], y1 = xy[i + 3]
            i += 2
            // Liang–Barsky
            var t0 = 0.0, t1 = 1.0
            let dx = x1 - x0, dy = y1 - y0
            var inside = true
            for (p, q) in [(-dx, x0 - lo), (dx, hi - x0), (-dy, y0 - lo), (dy, hi - y0)] {
                if p == 0 { if q < 0 { inside = false; break } } else {
                    let r = q / p
                    if p < 0 { if r > t1 { inside = false; break }; if r > t0 { t0 = r } } else { if r < t0 { inside = false; break }; if r < t1 { t1 = r } }
                }
            }
            guard inside else {
                if current.count >= 4 { pieces.append(current) }
                current = []
                continue
            }
            let ax = x0 + t0 * dx, ay = y0 + t0 * dy
            let bx = x0 + t1 * dx, by = y0 + t1 * dy
            if current.isEmpty || t0 > 0 {
                if current.count >= 4 { pieces.append(current) }
                current = [ax, ay]
            }
            current.append(bx); current.append(by)
            if t1 < 1 { pieces.append(current); current = [] }
        }
        if current.count >= 4 { pieces.append(current) }
        return pieces
    }

    /// A ring (flat x,y, not repeating its first point) clipped to the square; empty when nothing is left.
    public func clipRing(_ xy: [Double]) -> [Double] {
        switch relation(xy) {
        case 0: return xy
        case 2: return []
        default: break
        }
        var ring = xy
        for edge in 0..<4 {
            guard ring.count >= 6 else { return [] }
            var out: [Double] = []
            out.reserveCapacity(ring.count + 8)
            let n = ring.count / 2
            var px = ring[2 * (n - 1)], py = ring[2 * (n - 1) + 1]
            var pIn = inside(px, py, edge)
            for k in 0..<n {
                let cx = ring[2 * k], cy = ring[2 * k + 1]
                let cIn = inside(cx, cy, edge)
                if cIn != pIn {
                    let (ix, iy) = intersect(px, py, cx, cy, edge)
                    out.append(ix); out.append(iy)
                }
                if cIn { out.append(cx); out.append(cy) }
                px = cx; py = cy; pIn = cIn
            }
            ring = out
        }
        return ring.count >= 6 ? ring : []
    }

    @inline(__always) func inside(_ x: Double, _ y: Double, _ edge: Int) -> Bool {
        switch edge {
        case 0: x >= lo
        case 1: x <= hi
        case 2: y >= lo
        default: y <= hi
        }
    }

    @inline(__always) func intersect(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, _ edge: Int) -> (Double, Double) {
        switch edge {
        case 0: (lo, y0 + (y1 - y0) * (lo - x0) / (x1 - x0))
        case 1: (hi, y0 + (y1 - y0) * (hi - x0) / (x1 - x0))
        case 2: (x0 + (x1 - x0) * (lo - y0) / (y1 - y0), lo)
        default: (x0 + (x1 - x0) * (hi - y0) / (y1 - y0), hi)
        }
    }
}
