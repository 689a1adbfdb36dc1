import Foundation

/// A tile address in the XYZ scheme (y grows southwards), as served on /tiles.
public struct TileID: Hashable, Sendable, CustomStringConvertible {
    public var z: Int
    public var x: Int
    public var y: Int
    public init(z: Int, x: Int, y: Int) { self.z = z; self.x = x; self.y = y }

    public var description: String { "\(z)/\(x)/\(y)" }
    /// True when x and y exist at zoom z (0 ≤ x, y < 2^z), for z in 0...30.
    public var isValid: Bool { z >= 0 && z <= 30 && x >= 0 && y >= 0 && x < (1 << z) && y < (1 << z) }
    /// The TMS row (y grows northwards), as MBTiles stores it.
    /// Wrapping arithmetic: for a tile that is not `isValid` the row is
    /// meaningless (it matches nothing) but computing it never traps.
    public var tmsY: Int { (1 &<< z) &- 1 &- y }

    /// lon/lat bounds of the tile.
    public var bounds: BoundingBox {
        // In Double, so x + 1 cannot overflow for a tile that is not `isValid`.
        let n = Double(1 &<< z), fx = Double(x), fy = Double(y)
        return BoundingBox(minX: WebMercator.lon(worldX: fx / n), minY: WebMercator.lat(worldY: (fy + 1) / n),
                           maxX: WebMercator.lon(worldX: (fx + 1) / n), maxY: WebMercator.lat(worldY: fy / n))
    }
}

/// Spherical Web Mercator (EPSG:3857) in "world" units: x and y in 0...1
/// over the whole square world, y down from the north edge, as tiles need.
public enum WebMercator {
    public static let maxLatitude = 85.05112877980659

    @inlinable public static func worldX(lon: Double) -> Double { (lon + 180) / 360 }

    @inlinable public static func worldY(lat: Double) -> Double {
        let l = min(max(lat, -maxLatitude), maxLatitude) * .pi / 180
        return 0.5 - log(tan(.pi / 4 + l / 2)) / (2 * .pi)
    }

    public static func lon(worldX: Double) -> Double { worldX * 360 - 180 }
    public static func lat(worldY: Double) -> Double { atan(sinh(.pi * (1 - 2 * worldY))) * 180 / .pi }

    /// Tiles at zoom z covering a lon/lat box (clamped to the world).
    /// z is clamped to 0...30. Never traps, whatever the box: a NaN bound
    /// counts as the world's west/north edge, ±infinity as the edge it points
    /// to, and an inverted box is taken corner to corner, so the result
    /// always has minX ≤ maxX and minY ≤ maxY and `minX...maxX` is a valid range.
    public static func tileRange(_ box: BoundingBox, z: Int) -> (minX: Int, minY: Int, maxX: Int, maxY: Int) {
        let z = min(max(z, 0), 30)
        let n = Double(1 << z), last = (1 << z) - 1
        func clamp(_ v: Double) -> Int {
            let t = (v * n).rounded(.down)
            guard t >= 0 else { return 0 }             // also NaN
            return t >= Double(last) ? last : Int(t)
        }
        let x0 = clamp(worldX(lon: box.minX)), y0 = clamp(worldY(lat: box.maxY))
        let x1 = clamp(worldX(lon: box.maxX)), y1 = clamp(worldY(lat: box.minY))
        return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    }

    /// Metres per tile pixel (256 px tiles) at a latitude, for scale-aware styling.
    public static func metresPerPixel(z: Int, lat: Double) -> Double {
        40_075_016.686 * cos(lat * .pi / 180) / Double(256 << z)
    }
}
