import CGEOS
import Geo

/// Owns one GEOS context handle (`GEOSContextHandle_t`) and its WKB reader
/// and writer. Thread rule: a context is used by one thread at a time, so
/// this class is deliberately not `Sendable`; make one per task or thread.
/// Errors: GEOS reports through the installed handler, whose last message is
/// captured here and thrown as `GeometryOpsError(.geos, message)`.
public final class GEOSContext {
    let handle: GEOSContextHandle_t
    let reader: OpaquePointer
    let writer: OpaquePointer
    /// Last message from GEOS's error handler; written only from GEOS calls made on this context.
    var lastError = ""

    public init() {
        guard let h = GEOS_init_r() else { fatalError("GEOS_init_r returned NULL (out of memory)") }
        handle = h
        reader = GEOSWKBReader_create_r(h)
        writer = GEOSWKBWriter_create_r(h)
        GEOSWKBWriter_setOutputDimension_r(h, writer, 2)
        GEOSWKBWriter_setByteOrder_r(h, writer, Int32(GEOS_WKB_NDR.rawValue))
        let me = Unmanaged.passUnretained(self).toOpaque()
        GEOSContext_setErrorMessageHandler_r(h, { message, userdata in
            guard let userdata, let message else { return }
            Unmanaged<GEOSContext>.fromOpaque(userdata).takeUnretainedValue().lastError = String(cString: message)
        }, me)
    }

    deinit {
        GEOSWKBReader_destroy_r(handle, reader)
        GEOSWKBWriter_destroy_r(handle, writer)
        GEOS_finish_r(handle)
    }

    func failure(_ what: String) -> GeometryOpsError {
        let msg = lastError.isEmpty ? "\(what) failed" : "\(what): \(lastError)"
        lastError = ""
        return GeometryOpsError(.geos, msg)
    }

    /// A GEOS geometry owned by the caller (destroy with `destroy`).
    func make(_ g: Geometry) throws(GeometryOpsError) -> OpaquePointer {
        let wkb = WKB.encode(g)
        let p = wkb.withUnsafeBufferPointer { GEOSWKBReader_read_r(handle, reader, $0.baseAddress, $0.count) }
        guard let p else { throw failure("reading geometry into GEOS") }
        return p
    }

    func destroy(_ p: OpaquePointer) { GEOSGeom_destroy_r(handle, p) }

    /// Simple parts of a GEOS geometry (collections flattened). Does not take ownership of `p`.
    func parts(_ p: OpaquePointer) throws(GeometryOpsError) -> [Geometry] {
        var size = 0
        guard let buf = GEOSWKBWriter_write_r(handle, writer, p, &size) else { throw failure("writing WKB from GEOS") }
        defer { GEOSFree_r(handle, buf) }
        let bytes = Array(UnsafeBufferPointer(start: buf, count: size))
        do { return try WKB.decodeParts(bytes) } catch { throw GeometryOpsError(.geos, "GEOS returned unreadable WKB: \(error)") }
    }

    /// nil when `g` is valid by OGC rules, else GEOS's reason (e.g. "Self-intersection[104.1 30.6]").
    public func invalidityReason(_ g: Geometry) throws(GeometryOpsError) -> String? {
        let p = try make(g)
        defer { destroy(p) }
        let v = GEOSisValid_r(handle, p)
        if v == 1 { return nil }
        if v == 2 { throw failure("validity check") }
        guard let r = GEOSisValidReason_r(handle, p) else { throw failure("validity reason") }
        defer { GEOSFree_r(handle, r) }
        return String(cString: r)
    }

    /// GEOS `MakeValid` (the "structure" method, keeping collapsed parts out),
    /// returned as simple parts; callers keep the parts that fit their role.
    public func makeValid(_ g: Geometry) throws(GeometryOpsError) -> [Geometry] {
        let p = try make(g)
        defer { destroy(p) }
        let out = try validHandle(p)
        defer { destroy(out) }
        return try parts(out)
    }

    /// GEOS make-valid (structure method, collapsed parts dropped) of `p`;
    /// the caller owns the result (destroy with `destroy`), `p` is not consumed.
    func validHandle(_ p: OpaquePointer) throws(GeometryOpsError) -> OpaquePointer {
        guard let params = GEOSMakeValidParams_create_r(handle) else { throw failure("make-valid params") }
        defer { GEOSMakeValidParams_destroy_r(handle, params) }
        GEOSMakeValidParams_setMethod_r(handle, params, GEOS_MAKE_VALID_STRUCTURE)
        GEOSMakeValidParams_setKeepCollapsed_r(handle, params, 0)
        guard let out = GEOSMakeValidWithParams_r(handle, p, params) else { throw failure("make-valid") }
        return out
    }

    public func area(_ g: Geometry) throws(GeometryOpsError) -> Double {
        let p = try make(g)
        defer { destroy(p) }
        var a = 0.0
        guard GEOSArea_r(handle, p, &a) == 1 else { throw failure("area") }
        return a
    }

    /// Unary union of polygons (used to build parent admin areas from their children).
    public func union(_ gs: [Geometry]) throws(GeometryOpsError) -> [Geometry] {
        var ps: [OpaquePointer?] = []
        ps.reserveCapacity(gs.count)
        do {
            for g in gs { ps.append(try make(g)) }
        } catch {
            // The members made so far are ours until the collection takes them over.
            for case let p? in ps { destroy(p) }
            throw error
        }
        // GEOS owns the members from here on, even when the collection fails (it wraps them first).
        let coll = ps.withUnsafeMutableBufferPointer {
            GEOSGeom_createCollection_r(handle, Int32(GEOS_GEOMETRYCOLLECTION.rawValue), $0.baseAddress, UInt32(gs.count))
        }
        guard let coll else { throw failure("collection") }
        defer { destroy(coll) }
        guard let u = GEOSUnaryUnion_r(handle, coll) else { throw failure("union") }
        defer { destroy(u) }
        return try parts(u)
    }

    /// Point-in-polygon by GEOS `Covers` (boundary counts), for cross-checks.
    public func covers(_ polygon: Geometry, _ point: Coordinate) throws(GeometryOpsError) -> Bool {
        let a = try make(polygon)
        defer { destroy(a) }
        let b = try make(.point(point))
        defer { destroy(b) }
        let r = GEOSCovers_r(handle, a, b)
        if r == 2 { throw failure("covers") }
        return r == 1
    }

    /// Runs `body` with both geometries in GEOS, destroying them afterwards.
    func withPair<T>(_ a: Geometry, _ b: Geometry, _ body: (OpaquePointer, OpaquePointer) throws(GeometryOpsError) -> T) throws(GeometryOpsError) -> T {
        let pa = try make(a)
        defer { destroy(pa) }
        let pb = try make(b)
        defer { destroy(pb) }
        return try body(pa, pb)
    }

    public func intersects(_ a: Geometry, _ b: Geometry) throws(GeometryOpsError) -> Bool {
        try withPair(a, b) { (pa, pb) throws(GeometryOpsError) -> Bool in
            let r = GEOSIntersects_r(handle, pa, pb)
            if r == 2 { throw failure("intersects") }
            return r == 1
        }
    }

    /// Area of the intersection of two polygonal geometries.
    public func intersectionArea(_ a: Geometry, _ b: Geometry) throws(GeometryOpsError) -> Double {
        try withPair(a, b) { (pa, pb) throws(GeometryOpsError) -> Double in
            guard let i = GEOSIntersection_r(handle, pa, pb) else { throw failure("intersection") }
            defer { destroy(i) }
            var area = 0.0
            guard GEOSArea_r(handle, i, &area) == 1 else { throw failure("area") }
            return area
        }
    }
}

extension GEOSContext {
    /// Polygonal parts of `g` made valid and snap-rounded to a grid of
    /// `gridSize` (GEOS `setPrecision`, whose overlay keeps the result valid).
    /// Used for tile geometry whose rounding broke validity. Returns simple
    /// parts; parts that collapse below the grid are dropped.
    public func validOnGrid(_ g: Geometry, gridSize: Double) throws(GeometryOpsError) -> [Geometry] {
        let p = try make(g)
        defer { destroy(p) }
        let valid = try validHandle(p)
        defer { destroy(valid) }
        guard let snapped = GEOSGeom_setPrecision_r(handle, valid, gridSize, 0) else { throw failure("set-precision") }
        defer { destroy(snapped) }
        return try parts(snapped)
    }
}
