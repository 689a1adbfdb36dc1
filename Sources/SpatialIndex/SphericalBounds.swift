import Foundation
import Geo

/// Great-circle distances in "haversine space": h = sin²(Δφ/2) +
/// cos φ₁ cos φ₂ sin²(Δλ/2), monotone in distance, so searches compare h and
/// convert to metres only for answers (d = 2R·asin√h). Sphere of the IUGG
/// mean radius. Longitudes are assumed not to wrap the antimeridian (a city).
public enum SphericalBounds {
    public static let earthRadius = Geodesy.earthRadius
    static let rad = Double.pi / 180

    @inline(__always) static func hav(_ theta: Double) -> Double { let s = sin(theta / 2); return s * s }

    /// `Geodesy.haversineTerm`, under the name the index's callers use.
    @inline(__always) public static func haversine(_ lon1: Double, _ lat1: Double, _ lon2: Double, _ lat2: Double) -> Double {
        Geodesy.haversineTerm(lon1, lat1, lon2, lat2)
    }

    @inline(__always) public static func metres(_ h: Double) -> Double { Geodesy.metres(haversineTerm: h) }

    /// The h of a distance in metres.
    @inline(__always) public static func h(metres d: Double) -> Double {
        if d >= Double.pi * earthRadius { return 1 }
        return hav(d / earthRadius)
    }

    /// A lower bound (exact minimum) of h from (lon, lat) to any point of the box.
    /// On the query's own meridian the nearest point is due north or south; else
    /// it lies on the nearer meridian edge, at the latitude where the great
    /// circle to that meridian is perpendicular to it (clamped to the edge).
    @inline(__always)
    public static func minH(_ lon: Double, _ lat: Double, _ cosLat: Double,
                            _ minX: Double, _ minY: Double, _ maxX: Double, _ maxY: Double) -> Double {
        if lon >= minX && lon <= maxX {
            if lat < minY { return hav((minY - lat) * rad) }
            if lat > maxY { return hav((lat - maxY) * rad) }
            return 0
        }
        let havDLon = min(hav((minX - lon) * rad), hav((maxX - lon) * rad))
        let cosDLon = 1 - 2 * havDLon
        let extremum: Double = cosDLon <= 0 ? (lat > 0 ? 90 : -90) : atan(tan(lat * rad) / cosDLon) / rad
        func along(_ lat2: Double) -> Double { hav((lat2 - lat) * rad) + cosLat * cos(lat2 * rad) * havDLon }
        if extremum > minY && extremum < maxY { return along(extremum) }
        return min(along(minY), along(maxY))
    }

    /// An upper bound (exact maximum) of h from (lon, lat) to any point of
    /// the box: distance along each edge is monotone away from the query
    /// (for boxes narrower than 180°), so the farthest point is a corner.
    @inline(__always)
    public static func maxH(_ lon: Double, _ lat: Double,
                            _ minX: Double, _ minY: Double, _ maxX: Double, _ maxY: Double) -> Double {
        max(max(haversine(lon, lat, minX, minY), haversine(lon, lat, maxX, minY)),
            max(haversine(lon, lat, minX, maxY), haversine(lon, lat, maxX, maxY)))
    }
}

extension SphericalBounds {
    /// Per-query constants for `fastMinH`.
    public struct Query {
        let lon: Double, lat: Double, absLatRad: Double, cosLat: Double, sinAbsLat: Double
        public init(lon: Double, lat: Double) {
            self.lon = lon
            self.lat = lat
            absLatRad = abs(lat) * SphericalBounds.rad
            cosLat = cos(absLatRad)
            sinAbsLat = sin(absLatRad)
        }
    }

    /// A trig-free lower bound of h from the query to a box, for pruning
    /// internal nodes: h = hav(Δφ) + cosφ₁cosφ₂·hav(Δλ) ≥ s(Δφ)² + c²·s(Δλ)²
    /// with s(x) = x/2 − (x/2)³/6 ≤ sin(x/2) and c ≤ cos of the largest
    /// |latitude| involved (cos(a+δ) ≥ cos a − δ·sin a − δ²/2). Never above the
    /// exact minimum, so best-first search stays exact.
    @inline(__always)
    public static func fastMinH(_ q: Query, _ minX: Double, _ minY: Double, _ maxX: Double, _ maxY: Double) -> Double {
        let dLat = max(0, minY - q.lat, q.lat - maxY) * rad
        let dLon = max(0, minX - q.lon, q.lon - maxX) * rad
        let t1 = dLat / 2, t2 = dLon / 2
        let s1 = t1 - t1 * t1 * t1 / 6, s2 = t2 - t2 * t2 * t2 / 6
        if dLon == 0 { return s1 * s1 }
        let delta = max(0, max(abs(minY), abs(maxY)) * rad - q.absLatRad)
        let c = max(0, q.cosLat - delta * q.sinAbsLat - delta * delta / 2)
        return s1 * s1 + c * c * s2 * s2
    }
}
