import Foundation

/// A coordinate reference system, as a request, a CLI option, a .prj file or a
/// GeoJSON `crs` member names it. The four lon/lat systems convert to and from
/// WGS84 here in closed form (`ChinaCRS`); `.proj` needs PROJ, which only
/// GeometryOps links: convert through its `CRSTransform`.
public enum CRS: Sendable, Hashable, CustomStringConvertible {
    /// WGS84 lon/lat, EPSG:4326: what the store holds.
    case wgs84
    /// CGCS2000 lon/lat, EPSG:4490: within centimetres of WGS84, so stored as given.
    case cgcs2000
    /// GCJ-02 (Amap, Tencent): WGS84 shifted by the published obfuscation.
    case gcj02
    /// BD-09 (Baidu): GCJ-02 shifted again.
    case bd09
    /// Anything PROJ reads: "EPSG:4544", WKT (a .prj's text), a PROJ string.
    case proj(String)

    /// The names the HTTP API and `locate --crs` accept, in the order error messages list them.
    public static let names = ["wgs84", "cgcs2000", "gcj02", "bd09"]

    /// One of `names`, case-insensitive; nil for anything else (no aliases, no EPSG codes).
    public init?(name: String) {
        switch name.lowercased() {
        case "wgs84": self = .wgs84
        case "cgcs2000": self = .cgcs2000
        case "gcj02": self = .gcj02
        case "bd09": self = .bd09
        default: return nil
        }
    }

    /// Parses a CRS definition (`--srs`, a .prj, a GeoJSON `crs` name): the names and their
    /// aliases, "EPSG:n" or a bare code n, else PROJ text. A `.proj` result is not checked
    /// here; GeometryOps' `CRSTransform` reports what PROJ cannot read.
    public init(definition: String) {
        let d = definition.trimmingCharacters(in: .whitespaces)
        switch d.lowercased() {
        case "", "wgs84", "epsg:4326", "4326", "crs84", "ogc:crs84": self = .wgs84
        case "cgcs2000", "epsg:4490", "4490": self = .cgcs2000
        case "gcj02", "gcj-02", "gcj": self = .gcj02
        case "bd09", "bd-09", "baidu": self = .bd09
        default:
            if d.allSatisfy(\.isNumber) { self = .proj("EPSG:\(d)") }
            else if d.lowercased().hasPrefix("epsg:") { self = .proj("EPSG:" + d.dropFirst(5)) }
            else { self = .proj(d) }
        }
    }

    /// Whether coordinates in this CRS are WGS84 lon/lat already (to centimetres).
    public var isWGS84: Bool { self == .wgs84 || self == .cgcs2000 }

    /// `c` (lon, lat in this CRS) as WGS84 lon/lat, in closed form. `.proj` has none: its
    /// result is not finite, as PROJ's own failed transform; convert it with `CRSTransform`.
    public func toWGS84(_ c: Coordinate) -> Coordinate {
        switch self {
        case .wgs84, .cgcs2000: c
        case .gcj02: ChinaCRS.gcj02ToWGS84(c)
        case .bd09: ChinaCRS.bd09ToWGS84(c)
        case .proj: Coordinate(.nan, .nan)
        }
    }

    /// WGS84 lon/lat `c` in this CRS, in closed form (`.proj`: not finite, as `toWGS84`).
    public func fromWGS84(_ c: Coordinate) -> Coordinate {
        switch self {
        case .wgs84, .cgcs2000: c
        case .gcj02: ChinaCRS.wgs84ToGCJ02(c)
        case .bd09: ChinaCRS.wgs84ToBD09(c)
        case .proj: Coordinate(.nan, .nan)
        }
    }

    /// A WGS84 geometry in this CRS (unchanged, not copied, for the WGS84-equal systems).
    public func fromWGS84(_ g: Geometry) -> Geometry {
        isWGS84 ? g : g.mapCoordinates { (c: Coordinate) in fromWGS84(c) }
    }

    public var description: String {
        switch self {
        case .wgs84: "WGS84"
        case .cgcs2000: "CGCS2000"
        case .gcj02: "GCJ-02"
        case .bd09: "BD-09"
        case .proj(let d): d.count > 40 ? String(d.prefix(40)) + "…" : d
        }
    }
}
