/// An axis-aligned box [minX, minY, maxX, maxY] (west, south, east, north in lon/lat).
public struct BoundingBox: Hashable, Sendable {
    public var minX: Double
    public var minY: Double
    public var maxX: Double
    public var maxY: Double

    public init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        self.minX = minX; self.minY = minY; self.maxX = maxX; self.maxY = maxY
    }

    /// The empty box: extending it with any point yields that point's box.
    public static let empty = BoundingBox(minX: .infinity, minY: .infinity, maxX: -.infinity, maxY: -.infinity)

    public var isEmpty: Bool { minX > maxX || minY > maxY }

    public mutating func extend(_ c: Coordinate) {
        if c.x < minX { minX = c.x }
        if c.y < minY { minY = c.y }
        if c.x > maxX { maxX = c.x }
        if c.y > maxY { maxY = c.y }
    }

    public mutating func extend(_ b: BoundingBox) {
        guard !b.isEmpty else { return }
        if b.minX < minX { minX = b.minX }
        if b.minY < minY { minY = b.minY }
        if b.maxX > maxX { maxX = b.maxX }
        if b.maxY > maxY { maxY = b.maxY }
    }

    public func contains(_ c: Coordinate) -> Bool {
        c.x >= minX && c.x <= maxX && c.y >= minY && c.y <= maxY
    }

    public func intersects(_ b: BoundingBox) -> Bool {
        !(b.minX > maxX || b.maxX < minX || b.minY > maxY || b.maxY < minY)
    }

    /// `[w, s, e, n]`, the GeoJSON / TileJSON order.
    public var array: [Double] { [minX, minY, maxX, maxY] }
}
