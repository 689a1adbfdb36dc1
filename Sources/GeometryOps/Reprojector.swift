import CPROJ
import Geo

/// Transforms coordinates from a source CRS to WGS84 lon/lat with PROJ.
///
/// Owns one `PJ_CONTEXT` and one `PJ` transformation, both freed in deinit.
/// The transformation is normalised for visualisation, so input is always
/// (easting, northing) or (lon, lat) and output always (lon, lat), whatever
/// axis order the EPSG definition states (EPSG:4544's is northing first).
/// Thread rule: a PROJ context is single-threaded; this class is not `Sendable`.
public final class Reprojector {
    let context: OpaquePointer
    let transformation: OpaquePointer
    /// A readable name of the source CRS (e.g. "CGCS2000 / 3-degree Gauss-Kruger CM 105E").
    public let sourceName: String

    /// `source` is anything `proj_create` accepts: "EPSG:4544", a WKT
    /// string (a .prj file's text), a PROJ string.
    public init(source: String, target: String = "EPSG:4326") throws(GeometryOpsError) {
        guard let ctx = proj_context_create() else { throw GeometryOpsError(.proj, "proj_context_create failed") }
        // Never reach for network grids: every run must be reproducible offline.
        proj_context_set_enable_network(ctx, 0)
        // Errors are reported through the thrown error, not PROJ's stderr log.
        proj_log_level(ctx, PJ_LOG_NONE)
        guard let crs = proj_create(ctx, source) else {
            let msg = Reprojector.message(ctx)
            proj_context_destroy(ctx)
            throw GeometryOpsError(.unknownCRS, "unknown or unsupported CRS \(InputText.quoted(source, limit: 80)): \(msg)")
        }
        defer { proj_destroy(crs) }
        let type = proj_get_type(crs)
        let isCRS = [PJ_TYPE_GEOGRAPHIC_2D_CRS, PJ_TYPE_GEOGRAPHIC_3D_CRS, PJ_TYPE_PROJECTED_CRS, PJ_TYPE_COMPOUND_CRS,
                     PJ_TYPE_BOUND_CRS, PJ_TYPE_GEODETIC_CRS, PJ_TYPE_GEOCENTRIC_CRS, PJ_TYPE_OTHER_CRS].contains(type)
        guard isCRS else {
            proj_context_destroy(ctx)
            throw GeometryOpsError(.unknownCRS, "\(InputText.quoted(source, limit: 80)) is not a coordinate reference system")
        }
        sourceName = proj_get_name(crs).map { String(cString: $0) } ?? source
        guard let raw = proj_create_crs_to_crs(ctx, source, target, nil) else {
            let msg = Reprojector.message(ctx)
            proj_context_destroy(ctx)
            throw GeometryOpsError(.proj, "no transformation from \(InputText.quoted(source, limit: 80)) to \(target): \(msg)")
        }
        guard let norm = proj_normalize_for_visualization(ctx, raw) else {
            let msg = Reprojector.message(ctx)
            proj_destroy(raw)
            proj_context_destroy(ctx)
            throw GeometryOpsError(.proj, "cannot normalise axis order: \(msg)")
        }
        proj_destroy(raw)
        context = ctx
        transformation = norm
    }

    deinit {
        proj_destroy(transformation)
        proj_context_destroy(context)
    }

    static func message(_ ctx: OpaquePointer) -> String {
        let e = proj_context_errno(ctx)
        return proj_context_errno_string(ctx, e).map { String(cString: $0) } ?? "error \(e)"
    }

    public func transform(_ c: Coordinate) throws(GeometryOpsError) -> Coordinate {
        var input = PJ_COORD()
        input.xy = PJ_XY(x: c.x, y: c.y)
        let out = proj_trans(transformation, PJ_FWD, input)
        let x = out.xy.x, y = out.xy.y
        guard x.isFinite, y.isFinite, x != .greatestFiniteMagnitude, abs(x) < 1e30 else {
            proj_errno_reset(transformation)
            throw GeometryOpsError(.outOfDomain, "coordinate (\(c.x), \(c.y)) is outside the domain of \(sourceName)")
        }
        return Coordinate(x, y)
    }

    public func transform(_ g: Geometry) throws(GeometryOpsError) -> Geometry {
        do {
            return try g.mapCoordinates { try transform($0) }
        } catch let e as GeometryOpsError {
            throw e
        } catch {
            throw GeometryOpsError(.proj, "\(error)")
        }
    }
}

/// CRS definitions as text, for writing .prj files.
public enum CRSDefinition {
    /// The ESRI-flavoured WKT1 of a CRS (what ArcGIS and QGIS write in .prj files).
    public static func esriWKT(_ definition: String) throws(GeometryOpsError) -> String {
        guard let ctx = proj_context_create() else { throw GeometryOpsError(.proj, "proj_context_create failed") }
        defer { proj_context_destroy(ctx) }
        guard let crs = proj_create(ctx, definition) else { throw GeometryOpsError(.unknownCRS, "unknown CRS \(InputText.quoted(definition))") }
        defer { proj_destroy(crs) }
        guard let wkt = proj_as_wkt(ctx, crs, PJ_WKT1_ESRI, nil) else { throw GeometryOpsError(.proj, "no ESRI WKT for \(InputText.quoted(definition))") }
        return String(cString: wkt)
    }
}
