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
}
