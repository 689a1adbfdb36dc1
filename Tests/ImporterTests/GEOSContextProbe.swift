import Geo
import GeometryOps

/// A thin validity probe over GEOS for assertions.
struct GEOSContextProbe {
    let ctx = GEOSContext()
    func isValid(_ g: Geometry) throws -> Bool { try ctx.invalidityReason(g) == nil }
}
