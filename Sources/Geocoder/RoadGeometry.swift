import Foundation
import Geo
import SpatialIndex

/// Small helpers on lon/lat polylines at city scale: lengths on the sphere
/// (`Geodesy`), nearest points in a local frame (`LocalProjection`).
enum RoadGeometry {
    static func metres(_ a: Coordinate, _ b: Coordinate) -> Double { Geodesy.haversine(a, b) }

    static func length(_ line: [Coordinate]) -> Double {
        zip(line, line.dropFirst()).reduce(0) { $0 + metres($1.0, $1.1) }
    }

    /// The point halfway along the longest line (by length).
    static func midpoint(_ lines: [[Coordinate]]) -> Coordinate? {
        guard let line = lines.max(by: { length($0) < length($1) }), let first = line.first else { return nil }
        var remaining = length(line) / 2
        for (a, b) in zip(line, line.dropFirst()) {
            let d = metres(a, b)
            if d >= remaining && d > 0 {
                let t = remaining / d
                return Coordinate(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t)
            }
            remaining -= d
        }
        return line.last ?? first
    }

    /// Where two roads meet: a shared vertex exactly, else the crossing of
    /// two segments, else the closest approach when within `tolerance` metres.
    static func intersection(_ a: [[Coordinate]], _ b: [[Coordinate]], tolerance: Double = 40) -> Coordinate? {
        var vertices = Set<Coordinate>()
        for l in a { for c in l { vertices.insert(c) } }
        for l in b { for c in l where vertices.contains(c) { return c } }
        var best: (Double, Coordinate)?
        for la in a {
            for (p, q) in zip(la, la.dropFirst()) {
                for lb in b {
                    for (r, s) in zip(lb, lb.dropFirst()) {
                        if let x = segmentCrossing(p, q, r, s) { return x }
                        for (c, seg) in [(p, (r, s)), (q, (r, s)), (r, (p, q)), (s, (p, q))] {
                            let near = closest(c, seg.0, seg.1)
                            let d = metres(c, near)
                            if best == nil || d < best!.0 { best = (d, Coordinate((c.x + near.x) / 2, (c.y + near.y) / 2)) }
                        }
                    }
                }
            }
        }
        if let best, best.0 <= tolerance { return best.1 }
        return nil
    }

    static func segmentCrossing(_ p: Coordinate, _ q: Coordinate, _ r: Coordinate, _ s: Coordinate) -> Coordinate? {
        let d = (q.x - p.x) * (s.y - r.y) - (q.y - p.y) * (s.x - r.x)
        guard d != 0 else { return nil }
        let t = ((r.x - p.x) * (s.y - r.y) - (r.y - p.y) * (s.x - r.x)) / d
        let u = ((r.x - p.x) * (q.y - p.y) - (r.y - p.y) * (q.x - p.x)) / d
        guard t >= 0, t <= 1, u >= 0, u <= 1 else { return nil }
        return Coordinate(p.x + t * (q.x - p.x), p.y + t * (q.y - p.y))
    }

    static func closest(_ c: Coordinate, _ a: Coordinate, _ b: Coordinate) -> Coordinate {
        let p = LocalProjection.closest(c.x, c.y, a.x, a.y, b.x, b.y)
        return Coordinate(p.0, p.1)
    }
}
