/// A position as longitude/latitude in degrees (x = lon, y = lat), or as
/// projected x/y before reprojection. Always x first, whatever the CRS's
/// official axis order says.
public struct Coordinate: Hashable, Sendable {
    public var x: Double
    public var y: Double

    @inlinable public init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }

    @inlinable public var lon: Double { x }
    @inlinable public var lat: Double { y }
    @inlinable public var isFinite: Bool { x.isFinite && y.isFinite }
    @inlinable public var isValidLonLat: Bool { x >= -180 && x <= 180 && y >= -90 && y <= 90 }
}
