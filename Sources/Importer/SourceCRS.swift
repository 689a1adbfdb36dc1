import Geo
import GeometryOps

/// The coordinate reference system of a source file, from `--srs`, a .prj
/// or a GeoJSON `crs` member.
public enum SourceCRS: Sendable, Equatable, CustomStringConvertible {
    /// WGS84 or CGCS2000 lon/lat (EPSG:4326 / 4490), stored as they are.
    case wgs84
    case gcj02
    case bd09
    /// Anything PROJ understands: "EPSG:4544", WKT, a PROJ string.
    case proj(String)

    /// Parses `--srs`: EPSG:n, gcj02, bd09, wgs84, cgcs2000, or a PROJ/WKT definition.
    public init(argument: String) throws(ImportError) {
        let a = argument.trimmingCharacters(in: .whitespaces)
        switch a.lowercased() {
        case "", "wgs84", "epsg:4326", "4326", "crs84", "ogc:crs84", "cgcs2000", "epsg:4490", "4490": self = .wgs84
        case "gcj02", "gcj-02", "gcj": self = .gcj02
        case "bd09", "bd-09", "baidu": self = .bd09
        default:
            if a.allSatisfy(\.isNumber) { self = .proj("EPSG:\(a)") }
            else if a.lowercased().hasPrefix("epsg:") { self = .proj("EPSG:" + a.dropFirst(5)) }
            else { self = .proj(a) }
        }
        if case .proj(let def) = self {
            // Validate now, so a wrong --srs fails before any file is read.
            do { _ = try Reprojector(source: def) } catch {
                throw ImportError(.crs, "--srs \(argument): \(error.message)")
            }
        }
    }

    public var description: String {
        switch self {
        case .wgs84: "WGS84"
        case .gcj02: "GCJ-02"
        case .bd09: "BD-09"
        case .proj(let d): d.count > 40 ? String(d.prefix(40)) + "…" : d
        }
    }

    /// A per-import transformer to WGS84 lon/lat. Not Sendable (owns PROJ state).
    public func makeTransformer() throws(ImportError) -> CoordinateTransformer {
        switch self {
        case .wgs84: return CoordinateTransformer(kind: .identity)
        case .gcj02: return CoordinateTransformer(kind: .gcj02)
        case .bd09: return CoordinateTransformer(kind: .bd09)
        case .proj(let d):
            do { return CoordinateTransformer(kind: .proj(try Reprojector(source: d))) } catch {
                throw ImportError(.crs, "CRS \(description): \(error.message)")
            }
        }
    }
}

/// Applies a `SourceCRS` to geometries.
public final class CoordinateTransformer {
    enum Kind { case identity, gcj02, bd09, proj(Reprojector) }
    let kind: Kind

    init(kind: Kind) { self.kind = kind }

    public var isIdentity: Bool { if case .identity = kind { true } else { false } }

    public func transform(_ g: Geometry) throws(GeometryOpsError) -> Geometry {
        switch kind {
        case .identity: return g
        case .gcj02: return g.mapCoordinates(ChinaCRS.gcj02ToWGS84)
        case .bd09: return g.mapCoordinates(ChinaCRS.bd09ToWGS84)
        case .proj(let r): return try r.transform(g)
        }
    }
}
