import Geo

/// lon/lat → tile coordinates (0…extent inside the tile, y down) for one
/// tile. Every tile of a zoom uses the same world scale, so geometry
/// simplified or clipped here lines up exactly across tile edges.
public struct TileTransform: Sendable {
    public let tile: TileID
    public let extent: Double
    let scale: Double
    let originX: Double
    let originY: Double

    public init(tile: TileID, extent: Int = 4096) {
        self.tile = tile
        self.extent = Double(extent)
        scale = Double(extent) * Double(1 << tile.z)
        originX = Double(tile.x) * Double(extent)
        originY = Double(tile.y) * Double(extent)
    }

    @inline(__always) public func x(_ lon: Double) -> Double { WebMercator.worldX(lon: lon) * scale - originX }
    @inline(__always) public func y(_ lat: Double) -> Double { WebMercator.worldY(lat: lat) * scale - originY }

    /// Inverse, for query boxes: lon/lat of tile coordinates.
    public func lonLat(x: Double, y: Double) -> Coordinate {
        Coordinate(WebMercator.lon(worldX: (x + originX) / scale), WebMercator.lat(worldY: (y + originY) / scale))
    }

    /// lon/lat box of the tile grown by `buffer` tile units on each side.
    public func bounds(buffer: Double) -> BoundingBox {
        let nw = lonLat(x: -buffer, y: -buffer), se = lonLat(x: extent + buffer, y: extent + buffer)
        return BoundingBox(minX: nw.x, minY: se.y, maxX: se.x, maxY: nw.y)
    }

    /// Flat x,y tile coordinates of a run of lon/lat coordinates.
    public func project(_ cs: [Coordinate]) -> [Double] {
        var out = [Double]()
        out.reserveCapacity(cs.count * 2)
        for c in cs { out.append(x(c.x)); out.append(y(c.y)) }
        return out
    }
}
