import Foundation

/// Great-circle distances on the mean Earth sphere (R = 6,371,008.8 m, the
/// IUGG mean radius). At city scale the spherical error against the
/// ellipsoid is below 0.5%, documented in the README.
public enum Geodesy {
    /// The IUGG mean radius in metres; every distance in CityTwin uses this sphere.
    public static let earthRadius = 6_371_008.8

    /// The haversine term h = sin²(Δφ/2) + cos φ₁ cos φ₂ sin²(Δλ/2) of two lon/lat points in
    /// degrees. Monotone in distance, so searches compare h and convert only answers to metres.
    @inlinable @inline(__always)
    public static func haversineTerm(_ lon1: Double, _ lat1: Double, _ lon2: Double, _ lat2: Double) -> Double {
        let rad = Double.pi / 180
        let sLat = sin((lat2 - lat1) * rad / 2), sLon = sin((lon2 - lon1) * rad / 2)
        return sLat * sLat + cos(lat1 * rad) * cos(lat2 * rad) * (sLon * sLon)
    }

    /// Metres for a haversine term: d = 2R·asin√h.
    @inlinable @inline(__always)
    public static func metres(haversineTerm h: Double) -> Double { 2 * earthRadius * asin(min(1, max(0, h).squareRoot())) }

    /// Great-circle distance in metres between two lon/lat points.
    @inlinable public static func haversine(_ a: Coordinate, _ b: Coordinate) -> Double {
        metres(haversineTerm: haversineTerm(a.x, a.y, b.x, b.y))
    }

    /// Metres per degree of longitude and latitude at `lat`, for a local
    /// equirectangular frame (used to generate and offset city-scale data).
    public static func metresPerDegree(atLatitude lat: Double) -> (lon: Double, lat: Double) {
        let m = earthRadius * Double.pi / 180
        return (m * cos(lat * Double.pi / 180), m)
    }
}
