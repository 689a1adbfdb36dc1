import Geo

/// Converts coordinates from a `CRS` to WGS84 lon/lat: in closed form for the
/// lon/lat systems, through one owned `Reprojector` for a `.proj` definition.
/// Not `Sendable` (a PROJ context is single-threaded): make one per import or task.
public final class CRSTransform {
    public let crs: CRS
    let reprojector: Reprojector?

    /// Throws `.unknownCRS` (or `.proj`) with PROJ's reason when a `.proj` definition
    /// is not a CRS PROJ can transform to WGS84.
    public init(_ crs: CRS) throws(GeometryOpsError) {
        self.crs = crs
        if case .proj(let definition) = crs { reprojector = try Reprojector(source: definition) } else { reprojector = nil }
    }

    /// Whether input is WGS84 lon/lat already (to centimetres): nothing to convert.
    public var isIdentity: Bool { crs.isWGS84 }

    /// Throws `.outOfDomain` for a coordinate outside the `.proj` CRS's domain.
    public func toWGS84(_ c: Coordinate) throws(GeometryOpsError) -> Coordinate {
        if let reprojector { return try reprojector.transform(c) }
        return crs.toWGS84(c)
    }

    public func toWGS84(_ g: Geometry) throws(GeometryOpsError) -> Geometry {
        if let reprojector { return try reprojector.transform(g) }
        return isIdentity ? g : g.mapCoordinates { (c: Coordinate) in crs.toWGS84(c) }
    }
}
