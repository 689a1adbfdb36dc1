import Foundation

/// Great-circle distances on the mean Earth sphere (R = 6,371,008.8 m, the
/// IUGG mean radius). At city scale the spherical error against the
/// ellipsoid is below 0.5%, documented in the README.
public enum Geodesy {
    public static let earthRadius = 6_371_008.8

    @inlinable public static func haversine(_ a: Coordinate, _ b: Coordinate) -> Double {
        let rad = Double.pi / 180
        let dLat = (b.y - a.y) * rad
        let dLon = (b.x - a.x) * rad
        let s1 = sin(dLat / 2), s2 = sin(dLon / 2)
        let h = s1 * s1 + cos(a.y * rad) * cos(b.y * rad) * s2 * s2
        return 2 * earthRadius * asin(min(1, h.squareRoot()))
    }

    /// Metres per degree of longitude and latitude at `lat`, for a local
    /// equirectangular frame (used to generate and offset city-scale data).
    public static func metresPerDegree(atLatitude lat: Double) -> (lon: Double, lat: Double) {
        let m = earthRadius * Double.pi / 180
        return (m * cos(lat * Double.pi / 180), m)
    }
}
