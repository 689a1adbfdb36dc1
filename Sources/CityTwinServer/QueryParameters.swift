import Foundation
import Geo
import Hummingbird

/// Typed access to query parameters; every failure is a 400 naming the parameter.
struct QueryParameters {
    let params: Parameters

    init(_ request: Request) { params = request.uri.queryParameters }

    func string(_ name: String) -> String? {
        params[name[...]].map(String.init)
    }

    func required(_ name: String) throws -> String {
        guard let s = string(name), !s.isEmpty else { throw Problem.badParameter(name, "is required") }
        return s
    }

    func double(_ name: String, required: Bool = false, range: ClosedRange<Double>? = nil, default def: Double? = nil) throws -> Double? {
        guard let s = string(name), !s.isEmpty else {
            if required { throw Problem.badParameter(name, "is required") }
            return def
        }
        guard let v = Double(s), v.isFinite else { throw Problem.badParameter(name, "must be a finite number, got \"\(s.prefix(40))\"") }
        if let range, !range.contains(v) { throw Problem.badParameter(name, "must be between \(range.lowerBound) and \(range.upperBound), got \(s.prefix(40))") }
        return v
    }

    func int(_ name: String, range: ClosedRange<Int>, default def: Int) throws -> Int {
        guard let s = string(name), !s.isEmpty else { return def }
        guard let v = Int(s) else { throw Problem.badParameter(name, "must be an integer, got \"\(s.prefix(40))\"") }
        guard range.contains(v) else { throw Problem.badParameter(name, "must be between \(range.lowerBound) and \(range.upperBound), got \(v)") }
        return v
    }

    /// `crs` (input) or `out_crs` (output): one of `CRS.names`, default WGS84.
    func crs(_ name: String) throws -> CRS {
        guard let s = string(name), !s.isEmpty else { return .wgs84 }
        return try Self.crs(s, parameter: name)
    }

    /// A CRS value from a query or a body: the API speaks only `CRS.names`, never PROJ
    /// definitions, so its conversions are closed-form and cannot fail.
    static func crs(_ text: String, parameter: String) throws -> CRS {
        guard let c = CRS(name: text) else {
            throw Problem.badParameter(parameter, "must be one of \(CRS.names.joined(separator: ", "))")
        }
        return c
    }

    /// lon and lat in the request's `crs`, returned as WGS84.
    func point(lonName: String = "lon", latName: String = "lat") throws -> Coordinate {
        let lon = try double(lonName, required: true, range: -180...180)!
        let lat = try double(latName, required: true, range: -90...90)!
        return try crs("crs").toWGS84(Coordinate(lon, lat))
    }

    func bbox(_ name: String = "bbox") throws -> BoundingBox? {
        guard let s = string(name), !s.isEmpty else { return nil }
        let parts = s.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 4, let w = parts[0], let so = parts[1], let e = parts[2], let n = parts[3],
              [w, so, e, n].allSatisfy(\.isFinite) else {
            throw Problem.badParameter(name, "must be four numbers w,s,e,n")
        }
        guard (-180...180).contains(w), (-180...180).contains(e), (-90...90).contains(so), (-90...90).contains(n) else {
            throw Problem.badParameter(name, "is outside lon/lat range")
        }
        guard w <= e, so <= n else { throw Problem.badParameter(name, "must have w <= e and s <= n") }
        return BoundingBox(minX: w, minY: so, maxX: e, maxY: n)
    }
}

extension CRS {
    /// A WGS84 geometry as answered in this CRS.
    func output(_ g: Geometry) -> Geometry { fromWGS84(g) }
}
