import Geo
import GeometryOps

/// Turns a source feature into what the store accepts for a role, or says
/// why not. Order: properties, CRS, finiteness, lon/lat range, geometry
/// type, ring closure, GEOS validity (repaired with make-valid), then
/// promotion to the role's stored type. Not Sendable: owns GEOS and PROJ state.
public final class FeatureValidator {
    public struct Accepted {
        public var properties: JSONObject
        public var geometry: Geometry
        /// Repairs applied, e.g. ["Self-intersection"].
        public var repairs: [String]
    }

    let role: LayerRole
    let transform: CRSTransform
    let geos = GEOSContext()

    public init(role: LayerRole, transform: CRSTransform) {
        self.role = role
        self.transform = transform
    }

    public func validate(_ feature: Feature) -> Result<Accepted, RejectReason> {
        do throws(RejectReason) {
            let props = try validateProperties(feature.properties)
            guard var g = feature.geometry else { throw RejectReason("feature has no geometry (null)") }
            if g.isEmpty { throw RejectReason("empty geometry") }
            var finite = true
            g.forEachCoordinate { if !$0.isFinite { finite = false } }
            guard finite else { throw RejectReason("non-finite coordinate (NaN or Infinity)") }
            do { g = try transform.toWGS84(g) } catch {
                throw RejectReason("reprojection failed: \(error.message)")
            }
            var outside: Coordinate?
            g.forEachCoordinate { if outside == nil && (!$0.isFinite || !$0.isValidLonLat) { outside = $0 } }
            if let c = outside {
                throw RejectReason("coordinate (\(c.x), \(c.y)) is outside the lon/lat range after reprojection (wrong --srs?)")
            }
            var repairs: [String] = []
            g = try fitRole(g)
            g = try repairStructure(g, &repairs)
            if g.type.family == .polygon { g = try repairPolygon(g, &repairs) }
            // Last line of defence: the store's R*Tree cannot take an empty box.
            guard !g.isEmpty, !g.boundingBox.isEmpty else { throw RejectReason("empty geometry after repair") }
            return .success(Accepted(properties: props, geometry: promote(g), repairs: repairs))
        } catch {
            return .failure(error)
        }
    }

    func validateProperties(_ p: JSONObject) throws(RejectReason) -> JSONObject {
        var out = p
        for key in role.requiredProperties {
            switch p[key] {
            case nil, .null?: throw RejectReason("missing required property \"\(key)\" (role \(role.rawValue))")
            case .string(let s)? where s.isBlank:
                throw RejectReason("required property \"\(key)\" is empty (role \(role.rawValue))")
            default: break
            }
        }
        for key in role.numericProperties {
            guard let v = p[key] else { continue }
            switch v {
            case .number(let d) where d.isFinite: break
            case .string(let s):
                guard let d = Double(s.trimmingCharacters(in: .whitespaces)), d.isFinite else {
                    throw RejectReason("property \"\(key)\" must be a number, found \(InputText.quoted(s))")
                }
                out[key] = .number(d)
            case .null: break
            default: throw RejectReason("property \"\(key)\" must be a number, found \(JSONWriter.string(v))")
            }
        }
        if role == .building, case .number(let level)? = out["cim_level"], !(1...6).contains(level) || level != level.rounded() {
            throw RejectReason("property \"cim_level\" must be an integer from 1 to 6, found \(level)")
        }
        if role == .bikeFence, out["kind"]?.stringValue != "parking", out["kind"]?.stringValue != "no_parking" {
            throw RejectReason("property \"kind\" must be parking or no_parking, found \(JSONWriter.string(out["kind"] ?? .null))")
        }
        return out
    }

    /// Checks the geometry family against the role; single-part multis are
    /// demoted where the role stores single geometries.
    func fitRole(_ g: Geometry) throws(RejectReason) -> Geometry {
        guard let stored = role.storedGeometryType else { return g }
        if g.type.family != stored.family {
            let want = stored.family == stored ? stored.rawValue : "\(stored.family.rawValue) or \(stored.rawValue)"
            throw RejectReason("geometry type \(g.type.rawValue) does not fit role \(role.rawValue) (needs \(want))")
        }
        switch (g, stored) {
        case (.multiPoint(let cs), .point):
            guard cs.count == 1 else { throw RejectReason("MultiPoint with \(cs.count) points does not fit role \(role.rawValue) (needs one Point)") }
            return .point(cs[0])
        case (.multiLineString(let ls), .lineString):
            guard ls.count == 1 else { throw RejectReason("MultiLineString with \(ls.count) parts does not fit role \(role.rawValue) (needs one LineString)") }
            return .lineString(ls[0])
        default:
            return g
        }
    }

    /// Closes unclosed rings, drops repeated consecutive points, and rejects
    /// lines and rings with too few distinct points.
    func repairStructure(_ g: Geometry, _ repairs: inout [String]) throws(RejectReason) -> Geometry {
        func dedup(_ cs: [Coordinate]) -> [Coordinate] {
            var out: [Coordinate] = []
            out.reserveCapacity(cs.count)
            for c in cs where out.last != c { out.append(c) }
            return out
        }
        func line(_ cs: [Coordinate]) throws(RejectReason) -> [Coordinate] {
            let d = dedup(cs)
            guard d.count >= 2 else { throw RejectReason("degenerate line: fewer than 2 distinct points") }
            return d
        }
        func ring(_ cs: [Coordinate]) throws(RejectReason) -> [Coordinate] {
            var d = dedup(cs)
            if d.count >= 2, d.first != d.last {
                d.append(d[0])
                if !repairs.contains("unclosed ring") { repairs.append("unclosed ring") }
            }
            guard d.count >= 4 else { throw RejectReason("degenerate ring: fewer than 3 distinct points") }
            return d
        }
        func polygon(_ rs: [[Coordinate]]) throws(RejectReason) -> [[Coordinate]] {
            var out: [[Coordinate]] = []
            for (i, r) in rs.enumerated() {
                do { out.append(try ring(r)) } catch {
                    if i == 0 { throw error }
                    if !repairs.contains("degenerate hole dropped") { repairs.append("degenerate hole dropped") }
                }
            }
            return out
        }
        switch g {
        case .point, .multiPoint: return g
        case .lineString(let cs): return .lineString(try line(cs))
        case .multiLineString(let ls):
            var out: [[Coordinate]] = []
            for l in ls { out.append(try line(l)) }
            return .multiLineString(out)
        case .polygon(let rs): return .polygon(try polygon(rs))
        case .multiPolygon(let ps):
            var out: [[[Coordinate]]] = []
            for p in ps { out.append(try polygon(p)) }
            return .multiPolygon(out)
        }
    }

    /// GEOS validity; invalid polygons are made valid and their polygonal
    /// parts kept (collapsed spikes and slivers become lines and are dropped).
    func repairPolygon(_ g: Geometry, _ repairs: inout [String]) throws(RejectReason) -> Geometry {
        let reason: String?
        do { reason = try geos.invalidityReason(g) } catch { throw RejectReason("GEOS could not read the geometry: \(error.message)") }
        guard let reason else { return g }
        let short = reason.split(separator: "[").first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? reason
        let parts: [Geometry]
        do { parts = try geos.makeValid(g) } catch { throw RejectReason("invalid geometry (\(short)) could not be repaired: \(error.message)") }
        // GEOS may return POLYGON EMPTY for a fully collapsed input: keep only real polygons.
        let polygons: [[[Coordinate]]] = parts.compactMap { if case .polygon(let p) = $0, (p.first?.count ?? 0) >= 4 { p } else { nil } }
        guard !polygons.isEmpty else { throw RejectReason("invalid geometry (\(short)) is not repairable: nothing polygonal remains") }
        repairs.append(short)
        return polygons.count == 1 ? .polygon(polygons[0]) : .multiPolygon(polygons)
    }

    func promote(_ g: Geometry) -> Geometry {
        guard let stored = role.storedGeometryType else { return g }
        switch (g, stored) {
        case (.polygon(let p), .multiPolygon): return .multiPolygon([p])
        case (.lineString(let l), .multiLineString): return .multiLineString([l])
        case (.point(let c), .multiPoint): return .multiPoint([c])
        default: return g
        }
    }
}

extension String {
    /// Empty or only spaces/tabs (a cheap check on the per-feature path).
    var isBlank: Bool { utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 } }
}
