import Geo

/// A local east/north metre frame around the city centre. Equirectangular
/// is accurate to well under a metre over 11 km at this latitude, which is
/// all a generator needs.
public struct LocalFrame: Sendable {
    public let origin: Coordinate
    let mLon: Double
    let mLat: Double

    public init(origin: Coordinate) {
        self.origin = origin
        (mLon, mLat) = Geodesy.metresPerDegree(atLatitude: origin.lat)
    }

    /// Rounded to 1e-7° (about 1 cm), the precision the GeoJSON files carry.
    public func lonLat(_ x: Double, _ y: Double) -> Coordinate {
        Coordinate(((origin.lon + x / mLon) * 1e7).rounded() / 1e7, ((origin.lat + y / mLat) * 1e7).rounded() / 1e7)
    }

    public func lonLat(_ p: Point2) -> Coordinate { lonLat(p.x, p.y) }

    public func metres(_ c: Coordinate) -> Point2 { Point2((c.lon - origin.lon) * mLon, (c.lat - origin.lat) * mLat) }
}

/// A point in the local metre frame.
public struct Point2: Hashable, Sendable {
    public var x: Double
    public var y: Double
    public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
    static func + (a: Point2, b: Point2) -> Point2 { Point2(a.x + b.x, a.y + b.y) }
    static func - (a: Point2, b: Point2) -> Point2 { Point2(a.x - b.x, a.y - b.y) }
    static func * (a: Point2, k: Double) -> Point2 { Point2(a.x * k, a.y * k) }
    var length: Double { (x * x + y * y).squareRoot() }
    var unit: Point2 { let l = length; return l > 0 ? Point2(x / l, y / l) : Point2(0, 0) }
    /// Left-hand normal (rotated +90°).
    var leftNormal: Point2 { Point2(-y, x) }
}

/// A polyline in metres with chainage lookup.
struct Polyline2 {
    let points: [Point2]
    let cumulative: [Double]

    init(_ points: [Point2]) {
        self.points = points
        var c: [Double] = [0]
        for i in 1..<points.count { c.append(c[i - 1] + (points[i] - points[i - 1]).length) }
        cumulative = c
    }

    var length: Double { cumulative.last ?? 0 }

    /// Position and unit direction at chainage `s`.
    func at(_ s: Double) -> (Point2, Point2) {
        var i = 1
        while i < points.count - 1 && cumulative[i] < s { i += 1 }
        let a = points[i - 1], b = points[i]
        let seg = cumulative[i] - cumulative[i - 1]
        let t = seg > 0 ? (s - cumulative[i - 1]) / seg : 0
        return (a + (b - a) * t, (b - a).unit)
    }
}
