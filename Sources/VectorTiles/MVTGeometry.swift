/// A feature's geometry in tile coordinates, interpreted from its command
/// stream (MVT 2.1 §4.3). Coordinates accumulate in Int64 so that the
/// int32-overflow fixtures decode rather than trap.
public enum MVTGeometry: Equatable, Sendable {
    public struct Point: Hashable, Sendable {
        public var x: Int64
        public var y: Int64
        public init(_ x: Int64, _ y: Int64) { self.x = x; self.y = y }
    }

    case unknown
    case points([Point])
    case lines([[Point]])
    /// Polygons: each is an exterior ring followed by its interior rings, rings
    /// not repeating the first point (the ClosePath command closes them).
    case polygons([[[Point]]])

    static let moveTo: UInt32 = 1, lineTo: UInt32 = 2, closePath: UInt32 = 7

    /// Signed area by the spec's surveyor's formula: positive for an exterior
    /// ring (clockwise on screen, y down), negative for an interior ring.
    public static func signedArea(_ ring: [Point]) -> Double {
        guard ring.count >= 3 else { return 0 }
        var s: Double = 0
        var prev = ring[ring.count - 1]
        for p in ring {
            s += Double(prev.x) * Double(p.y) - Double(p.x) * Double(prev.y)
            prev = p
        }
        return s / 2
    }

    /// Interprets `commands` for a feature of raw geometry type `type`.
    /// Fatal errors (`.malformedTile`): unknown commands, wrong counts, a
    /// command stream running out of parameters, ClosePath outside polygons.
    /// Recoverable (`.invalidFeature`): zero-length line segments,
    /// rings with fewer than 3 points or zero area, a polygon starting with an interior ring.
    public static func decode(type: MVTGeomType, commands: [UInt32]) throws(VectorTilesError) -> MVTGeometry {
        var i = 0, x: Int64 = 0, y: Int64 = 0
        var parts: [[Point]] = []
        var current: [Point] = []
        var sawZeroLength = false
        func params(_ count: Int) throws(VectorTilesError) {
            guard count <= (commands.count - i) / 2 else {
                throw VectorTilesError(.malformedTile, "command count \(count) needs \(2 * count) parameters but \(commands.count - i) remain")
            }
        }
        func next() -> Point {
            x &+= unzigzag(UInt64(commands[i])); y &+= unzigzag(UInt64(commands[i + 1])); i += 2
            return Point(x, y)
        }
        while i < commands.count {
            let c = commands[i]
            let id = c & 7, count = Int(c >> 3)
            i += 1
            switch id {
            case moveTo:
                guard count >= 1 else { throw VectorTilesError(.malformedTile, "MoveTo with count 0") }
                if type != .point && count != 1 { throw VectorTilesError(.malformedTile, "MoveTo count \(count) in a \(type); must be 1") }
                try params(count)
                if !current.isEmpty { parts.append(current); current = [] }
                if type == .point {
                    if !parts.isEmpty || !current.isEmpty { throw VectorTilesError(.malformedTile, "a point geometry has more than one MoveTo command") }
                    for _ in 0..<count { current.append(next()) }
                } else {
                    current = [next()]
                }
            case lineTo:
                guard type == .lineString || type == .polygon else { throw VectorTilesError(.malformedTile, "LineTo in a \(type) geometry") }
                guard !current.isEmpty else { throw VectorTilesError(.malformedTile, "LineTo before any MoveTo") }
                guard count >= 1 else { throw VectorTilesError(.malformedTile, "LineTo with count 0") }
                try params(count)
                for _ in 0..<count {
                    let p = next()
                    if p == current[current.count - 1] { sawZeroLength = true }
                    current.append(p)
                }
            case closePath:
                guard type == .polygon else { throw VectorTilesError(.malformedTile, "ClosePath in a \(type) geometry") }
                guard count == 1 else { throw VectorTilesError(.malformedTile, "ClosePath with count \(count); must be 1") }
                guard !current.isEmpty else { throw VectorTilesError(.malformedTile, "ClosePath before any MoveTo") }
                parts.append(current); current = []
            default:
                throw VectorTilesError(.malformedTile, "unknown command id \(id)")
            }
        }
        if !current.isEmpty {
            if type == .polygon { throw VectorTilesError(.malformedTile, "polygon ring not closed by ClosePath") }
            parts.append(current)
        }
        switch type {
        case .unknown: return .unknown
        case .point:
            guard let pts = parts.first, !pts.isEmpty else { throw VectorTilesError(.malformedTile, "point geometry without a MoveTo") }
            return .points(pts)
        case .lineString:
            guard !parts.isEmpty else { throw VectorTilesError(.malformedTile, "linestring geometry without commands") }
            if parts.contains(where: { $0.count < 2 }) { throw VectorTilesError(.malformedTile, "linestring with a MoveTo not followed by LineTo") }
            if sawZeroLength { throw VectorTilesError(.invalidFeature, "linestring has a zero-length segment (two consecutive equal points)") }
            return .lines(parts)
        case .polygon:
            var polygons: [[[Point]]] = []
            for ring in parts {
                guard ring.count >= 3 else { throw VectorTilesError(.invalidFeature, "polygon ring with \(ring.count) points; at least 3 are needed") }
                let a = signedArea(ring)
                guard a != 0 else { throw VectorTilesError(.invalidFeature, "polygon ring with zero area") }
                if a > 0 { polygons.append([ring]) } else {
                    guard !polygons.isEmpty else { throw VectorTilesError(.invalidFeature, "polygon starts with an interior (counter-clockwise) ring") }
                    polygons[polygons.count - 1].append(ring)
                }
            }
            guard !polygons.isEmpty else { throw VectorTilesError(.malformedTile, "polygon geometry without rings") }
            return .polygons(polygons)
        }
    }
}
