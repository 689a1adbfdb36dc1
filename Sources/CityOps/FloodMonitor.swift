import Foundation
import Geo
import SpatialIndex
import Storage

/// Flood points with their latest water level against threshold.
public struct FloodPointStatus: Sendable {
    public var position: Int
    public var reading: SensorReading?
    public var threshold: Double
    /// normal, warning (≥ warningRatio × threshold) or flooded (≥ threshold).
    public var status: String
    /// level / threshold, 0 without a reading: the ranking key.
    public var risk: Double

    /// Status and risk of a level against a threshold.
    public static func classify(level: Double?, threshold: Double, warningRatio: Double) -> (status: String, risk: Double) {
        guard let level, threshold > 0 else { return ("normal", 0) }
        let status = level >= threshold ? "flooded" : (level >= warningRatio * threshold ? "warning" : "normal")
        return (status, level / threshold)
    }
}

extension CitySnapshot {
    /// Flood points in a box, or within `buffer` metres of a route, riskiest first.
    public func floodPoints(bbox: BoundingBox?, route: [Coordinate]?, buffer: Double, warningRatio: Double) throws(CityOpsError) -> (LayerSnapshot, [FloodPointStatus]) {
        guard let l = layer(role: .floodPoint) else { throw CityOpsError(.unknownLayer, "no layer with role flood_point") }
        var positions: [Int]
        if let route {
            // A route of no points would index route[0] below.
            guard !route.isEmpty else { throw CityOpsError(.invalidParameter, "route needs at least one point", parameter: "route") }
            var found = Set<Int>()
            for i in 0..<l.count {
                guard case .point(let c) = l.geometry.geometry(i) else { continue }
                for s in 0..<max(route.count - 1, 1) {
                    let a = route[s], b = route[min(s + 1, route.count - 1)]
                    let p = LocalProjection.closest(c.x, c.y, a.x, a.y, b.x, b.y)
                    if SphericalBounds.metres(SphericalBounds.haversine(c.x, c.y, p.0, p.1)) <= buffer { found.insert(i); break }
                }
            }
            positions = found.sorted()
        } else {
            positions = features(l, bbox: bbox)
        }
        var out: [FloodPointStatus] = []
        for i in positions {
            let p = l.properties.object(i)
            let threshold = p["threshold_cm"]?.doubleValue ?? 0
            let reading = p["sensor_id"].flatMap { readings[$0.textValue] }
            let (status, risk) = FloodPointStatus.classify(level: reading?.levelCM, threshold: threshold, warningRatio: warningRatio)
            out.append(.init(position: i, reading: reading, threshold: threshold, status: status, risk: risk))
        }
        out.sort { $0.risk > $1.risk || ($0.risk == $1.risk && $0.position < $1.position) }
        return (l, out)
    }
}
