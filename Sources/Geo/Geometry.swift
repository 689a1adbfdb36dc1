/// The six OGC simple-feature types used by the twin. Rings are closed
/// (first == last) once a geometry has passed validation; readers may
/// produce unclosed rings, which the importer repairs and reports.
public enum Geometry: Hashable, Sendable {
    case point(Coordinate)
    case multiPoint([Coordinate])
    case lineString([Coordinate])
    case multiLineString([[Coordinate]])
    case polygon([[Coordinate]])
    case multiPolygon([[[Coordinate]]])

    public var type: GeometryType {
        switch self {
        case .point: .point
        case .multiPoint: .multiPoint
        case .lineString: .lineString
        case .multiLineString: .multiLineString
        case .polygon: .polygon
        case .multiPolygon: .multiPolygon
        }
    }

    /// Calls `body` for every coordinate, in storage order.
    @inlinable public func forEachCoordinate(_ body: (Coordinate) throws -> Void) rethrows {
        switch self {
        case .point(let c): try body(c)
        case .multiPoint(let cs), .lineString(let cs): for c in cs { try body(c) }
        case .multiLineString(let ls), .polygon(let ls): for l in ls { for c in l { try body(c) } }
        case .multiPolygon(let ps): for p in ps { for r in p { for c in r { try body(c) } } }
        }
    }

    /// A copy with every coordinate passed through `transform`.
    public func mapCoordinates(_ transform: (Coordinate) throws -> Coordinate) rethrows -> Geometry {
        switch self {
        case .point(let c): return .point(try transform(c))
        case .multiPoint(let cs): return .multiPoint(try cs.map(transform))
        case .lineString(let cs): return .lineString(try cs.map(transform))
        case .multiLineString(let ls): return .multiLineString(try ls.map { try $0.map(transform) })
        case .polygon(let rs): return .polygon(try rs.map { try $0.map(transform) })
        case .multiPolygon(let ps): return .multiPolygon(try ps.map { try $0.map { try $0.map(transform) } })
        }
    }

    public var boundingBox: BoundingBox {
        var b = BoundingBox.empty
        forEachCoordinate { b.extend($0) }
        return b
    }

    public var coordinateCount: Int {
        var n = 0
        forEachCoordinate { _ in n += 1 }
        return n
    }

    /// True when the geometry has no coordinates at all (e.g. `"coordinates": []`).
    public var isEmpty: Bool {
        switch self {
        case .point: return false
        case .multiPoint(let cs), .lineString(let cs): return cs.isEmpty
        case .multiLineString(let ls): return ls.allSatisfy { $0.isEmpty }
        case .polygon(let rs): return rs.first?.isEmpty ?? true
        case .multiPolygon(let ps): return ps.allSatisfy { $0.first?.isEmpty ?? true }
        }
    }
}

public enum GeometryType: String, Sendable, CaseIterable {
    case point = "Point", multiPoint = "MultiPoint"
    case lineString = "LineString", multiLineString = "MultiLineString"
    case polygon = "Polygon", multiPolygon = "MultiPolygon"

    /// OGC WKB type code (2D).
    public var wkbCode: UInt32 {
        switch self {
        case .point: 1
        case .lineString: 2
        case .polygon: 3
        case .multiPoint: 4
        case .multiLineString: 5
        case .multiPolygon: 6
        }
    }

    /// The SpatiaLite / OGC upper-case name used in `geometry_columns`.
    public var sqlName: String { rawValue.uppercased() }

    /// The single-part family: Point, LineString or Polygon.
    public var family: GeometryType {
        switch self {
        case .point, .multiPoint: .point
        case .lineString, .multiLineString: .lineString
        case .polygon, .multiPolygon: .polygon
        }
    }

    public var multi: GeometryType {
        switch family {
        case .point: .multiPoint
        case .lineString: .multiLineString
        default: .multiPolygon
        }
    }
}
