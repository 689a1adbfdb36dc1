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
}

extension TileFeatureSource {
    public func tileForEachRing(_ i: Int, _ body: (Int, Int, UnsafeBufferPointer<Double>) -> Void) -> Bool { false }
    public func tileForEachLine(_ i: Int, _ body: (UnsafeBufferPointer<Double>) -> Void) -> Bool { false }
}

public enum TileGeometryKind: String, Sendable {
    case point, line, polygon, mixed
}
