import Geo

/// What the tile builder reads from a layer: a bbox search and per-feature
/// id, geometry and properties. The city snapshot's layers implement it
/// (in CityOps), so this module needs no knowledge of the snapshot.
public protocol TileFeatureSource: Sendable {
    var tileGeometryKind: TileGeometryKind { get }
    /// Calls `visit` with the position of every feature whose box meets the lon/lat box.
    func forEachFeature(in box: BoundingBox, _ visit: (Int) -> Void)
    /// The stable id written to tiles (the same in every tile and zoom).
    func tileFeatureID(_ i: Int) -> UInt64
    /// Fast path for point layers: the point of feature i.
    func tilePoint(_ i: Int) -> Coordinate?
    func tileGeometry(_ i: Int) -> Geometry
    func tileProperties(_ i: Int) -> JSONObject
    /// Fast path for polygon layers: `body(part, ringInPart, closed ring as flat lon,lat)`
    /// for every ring, without building a `Geometry`. Returns false when not supported.
    func tileForEachRing(_ i: Int, _ body: (Int, Int, UnsafeBufferPointer<Double>) -> Void) -> Bool
    /// Fast path for line layers: `body(line as flat lon,lat)`. Returns false when not supported.
    func tileForEachLine(_ i: Int, _ body: (UnsafeBufferPointer<Double>) -> Void) -> Bool
    /// The lon/lat box of feature i (its outer rings for polygons), for thinning below a base zoom.
    func tileBox(_ i: Int) -> BoundingBox
    /// As `forEachFeature`, with each feature's `tileBox` (an index keeps them at hand).
    func forEachFeatureBox(in box: BoundingBox, _ visit: (Int, BoundingBox) -> Void)
}

extension TileFeatureSource {
    public func tileForEachRing(_ i: Int, _ body: (Int, Int, UnsafeBufferPointer<Double>) -> Void) -> Bool { false }
    public func tileForEachLine(_ i: Int, _ body: (UnsafeBufferPointer<Double>) -> Void) -> Bool { false }

    public func forEachFeatureBox(in box: BoundingBox, _ visit: (Int, BoundingBox) -> Void) {
        forEachFeature(in: box) { visit($0, tileBox($0)) }
    }

    /// From the flat fast paths when the source has them (no `Geometry` built), else the geometry.
    public func tileBox(_ i: Int) -> BoundingBox {
        if let p = tilePoint(i) { return BoundingBox(minX: p.x, minY: p.y, maxX: p.x, maxY: p.y) }
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        func extend(_ flat: UnsafeBufferPointer<Double>) {
            var k = 0
            while k + 1 < flat.count {
                minX = min(minX, flat[k]); maxX = max(maxX, flat[k])
                minY = min(minY, flat[k + 1]); maxY = max(maxY, flat[k + 1])
                k += 2
            }
        }
        let flat = tileForEachRing(i) { _, ring, xy in if ring == 0 { extend(xy) } } || tileForEachLine(i) { extend($0) }
        return flat ? BoundingBox(minX: minX, minY: minY, maxX: maxX, maxY: maxY) : tileGeometry(i).boundingBox
    }
}

public enum TileGeometryKind: String, Sendable {
    case point, line, polygon, mixed
}
