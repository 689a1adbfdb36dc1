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
}

public enum TileGeometryKind: String, Sendable {
    case point, line, polygon, mixed
}
