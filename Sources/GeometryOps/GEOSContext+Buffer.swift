import CGEOS
import Geo

extension GEOSContext {
    /// GEOS buffer of `g` by `distance` (in `g`'s own units: give planar coordinates,
    /// e.g. metres in a local frame; lon/lat degrees are not a distance) with round
    /// caps and joins and `quadrantSegments` segments per quarter circle. The buffer
    /// of a multi-geometry is the union of its parts' buffers, so overlapping
    /// buffers of many lines come back as one outline. Returns simple polygons
    /// (holes kept); empty for an empty result. Errors: GEOS's message as `.geos`.
    public func buffer(_ g: Geometry, distance: Double, quadrantSegments: Int = 8) throws(GeometryOpsError) -> [Geometry] {
        let p = try make(g)
        defer { destroy(p) }
        guard let b = GEOSBuffer_r(handle, p, distance, Int32(max(1, quadrantSegments))) else { throw failure("buffer") }
        defer { destroy(b) }
        return try parts(b).filter {
            if case .polygon = $0 { return true }
            return false
        }
    }
}
