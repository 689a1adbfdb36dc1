import CPROJ
import Geo

/// Owns one `PJ_CONTEXT`: created with the network off and logging silenced,
/// destroyed only in deinit. PROJ objects made in it must die first, so each
/// owner of such an object keeps a reference to its context.
final class PROJContext {
    let handle: OpaquePointer

    init() throws(GeometryOpsError) {
        guard let ctx = proj_context_create() else { throw GeometryOpsError(.proj, "proj_context_create failed") }
        // Never reach for network grids: every run must be reproducible offline.
        proj_context_set_enable_network(ctx, 0)
        // Errors are reported through the thrown error, not PROJ's stderr log.
        proj_log_level(ctx, PJ_LOG_NONE)
        handle = ctx
    }

    deinit { proj_context_destroy(handle) }

    /// PROJ's text for the context's last error.
    var lastError: String {
        let e = proj_context_errno(handle)
        return proj_context_errno_string(handle, e).map { String(cString: $0) } ?? "error \(e)"
    }

    /// The CRS `definition` names, destroyed after `body`; throws `.unknownCRS` with PROJ's reason.
    func withCRS<T>(_ definition: String, _ body: (OpaquePointer) throws(GeometryOpsError) -> T) throws(GeometryOpsError) -> T {
        guard let crs = proj_create(handle, definition) else {
            throw GeometryOpsError(.unknownCRS, "unknown or unsupported CRS \(InputText.quoted(definition, limit: 80)): \(lastError)")
        }
        defer { proj_destroy(crs) }
        return try body(crs)
    }
}

/// Transforms coordinates from a source CRS to WGS84 lon/lat with PROJ.
///
/// Owns one `PROJContext` and one `PJ` transformation, freed in deinit.
/// The transformation is normalised for visualisation, so input is always
/// (easting, northing) or (lon, lat) and output always (lon, lat), whatever
/// axis order the EPSG definition states (EPSG:4544's is northing first).
/// Thread rule: a PROJ context is single-threaded; this class is not `Sendable`.
public final class Reprojector {
    let context: PROJContext
    let transformation: OpaquePointer
    /// A readable name of the source CRS (e.g. "CGCS2000 / 3-degree Gauss-Kruger CM 105E").
    public let sourceName: String

    /// `source` is anything `proj_create` accepts: "EPSG:4544", a WKT
    /// string (a .prj file's text), a PROJ string.
    public init(source: String, target: String = "EPSG:4326") throws(GeometryOpsError) {
        let ctx = try PROJContext()
        let quoted = InputText.quoted(source, limit: 80)
        sourceName = try ctx.withCRS(source) { (crs) throws(GeometryOpsError) -> String in
            let type = proj_get_type(crs)
            let isCRS = [PJ_TYPE_GEOGRAPHIC_2D_CRS, PJ_TYPE_GEOGRAPHIC_3D_CRS, PJ_TYPE_PROJECTED_CRS, PJ_TYPE_COMPOUND_CRS,
                         PJ_TYPE_BOUND_CRS, PJ_TYPE_GEODETIC_CRS, PJ_TYPE_GEOCENTRIC_CRS, PJ_TYPE_OTHER_CRS].contains(type)
            guard isCRS else { throw GeometryOpsError(.unknownCRS, "\(quoted) is not a coordinate reference system") }
            return proj_get_name(crs).map { String(cString: $0) } ?? source
        }
        guard let raw = proj_create_crs_to_crs(ctx.handle, source, target, nil) else {
            throw GeometryOpsError(.proj, "no transformation from \(quoted) to \(target): \(ctx.lastError)")
        }
        defer { proj_destroy(raw) }
        guard let norm = proj_normalize_for_visualization(ctx.handle, raw) else {
            throw GeometryOpsError(.proj, "cannot normalise axis order: \(ctx.lastError)")
        }
        context = ctx
        transformation = norm
    }

    deinit { proj_destroy(transformation) }

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
        let ctx = try PROJContext()
        return try ctx.withCRS(definition) { (crs) throws(GeometryOpsError) -> String in
            guard let wkt = proj_as_wkt(ctx.handle, crs, PJ_WKT1_ESRI, nil) else {
                throw GeometryOpsError(.proj, "no ESRI WKT for \(InputText.quoted(definition))")
            }
            return String(cString: wkt)
        }
    }
}
