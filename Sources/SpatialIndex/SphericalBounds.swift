import Foundation

/// Great-circle distances in "haversine space": h = sin²(Δφ/2) +
/// cos φ₁ cos φ₂ sin²(Δλ/2), monotone in distance, so searches compare h and
/// convert to metres only for answers (d = 2R·asin√h). Sphere of the IUGG
/// mean radius. Longitudes are assumed not to wrap the antimeridian (a city).
public enum SphericalBounds {
    public static let earthRadius = 6_371_008.8
    static let rad = Double.pi / 180

    @inline(__always) static func hav(_ theta: Double) -> Double { let s = sin(theta / 2); return s * s }

    @inline(__always) public static func haversine(_ lon1: Double, _ lat1: Double, _ lon2: Double, _ lat2: Double) -> Double {
        hav((lat2 - lat1) * rad) + cos(lat1 * rad) * cos(lat2 * rad) * hav((lon2 - lon1) * rad)
    }

    @inline(__always) public static func metres(_ h: Double) -> Double { 2 * earthRadius * asin(min(1, max(0, h).squareRoot())) }

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
