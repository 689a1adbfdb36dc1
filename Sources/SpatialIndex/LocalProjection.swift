import Foundation

/// Nearest point of a segment to a point, in an equirectangular frame at
/// the query's latitude (exact enough at city scale: the answer's distance
/// itself is then measured on the sphere).
public enum LocalProjection {
    @inline(__always)
    public static func closest(_ px: Double, _ py: Double, _ ax: Double, _ ay: Double, _ bx: Double, _ by: Double) -> (Double, Double) {
        let k = cos(py * Double.pi / 180)
        let dx = (bx - ax) * k, dy = by - ay
        let len2 = dx * dx + dy * dy
        guard len2 > 0 else { return (ax, ay) }
        let t = max(0, min(1, ((px - ax) * k * dx + (py - ay) * dy) / len2))
        return (ax + (bx - ax) * t, ay + (by - ay) * t)
    }

    /// Smallest great-circle h (see `SphericalBounds`) from (lon, lat) to the
    /// segments joining vertices `vertices` of flat x,y `coords`.
    public static func minH(lon: Double, lat: Double, coords: [Double], vertices: Range<Int>) -> Double {
        var best = Double.infinity
        guard vertices.count >= 2 else { return best }
        for v in vertices.lowerBound..<(vertices.upperBound - 1) {
            let p = closest(lon, lat, coords[2 * v], coords[2 * v + 1], coords[2 * v + 2], coords[2 * v + 3])
            best = min(best, SphericalBounds.haversine(lon, lat, p.0, p.1))
        }
        return best
    }
}
