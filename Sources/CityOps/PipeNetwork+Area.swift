import Foundation
import Geo
import SpatialIndex

/// Who and what lies along a set of pipes: buildings within a service
/// distance, the grids the pipes cross and those grids' handlers, and an outline.
public struct AffectedArea: Sendable {
    /// Building layer positions, ascending.
    public var buildings: [Int] = []
    /// Grid layer positions, ascending.
    public var grids: [Int] = []
    /// Handler layer positions, ascending.
    public var handlers: [Int] = []
    /// Convex hull of the pipes' vertices, closed and counter-clockwise; empty below three distinct points.
    public var outline: [Coordinate] = []
}

extension CitySnapshot {
    /// The area served by `pipes` of `network`: a building is affected when its footprint
    /// comes within `serviceDistanceM` metres of one of the pipes (measured from the pipe's
    /// vertices to the footprint and from the footprint's vertices to the pipe).
    public func affectedArea(_ network: PipeNetwork, pipes: [Int32], serviceDistanceM: Double) -> AffectedArea {
        var area = AffectedArea()
        var vertices: [Coordinate] = []
        for p in pipes {
            network.pipeLayer.geometry.geometry(Int(network.pipeFeature[Int(p)])).forEachCoordinate { vertices.append($0) }
        }
        area.outline = Self.convexHull(vertices)
        if let b = layer(role: .building), case .polygons(let idx) = b.geometry {
            area.buildings = buildingsNear(network, pipes: pipes, buildings: idx, distance: serviceDistanceM)
        }
        if let g = layer(role: .grid), case .polygons(let idx) = g.geometry {
            var found = Set<Int>()
            for c in vertices { if let i = idx.locate(x: c.x, y: c.y) { found.insert(Int(i)) } }
            area.grids = found.sorted()
            if let h = layer(role: .handler), !found.isEmpty {
                var codes = Set<String>()
                for i in found { if let code = g.properties.object(i)["code"]?.textValue { codes.insert(code) } }
                area.handlers = (0..<h.count).filter { i in
                    h.properties.object(i)["grid_code"].map { codes.contains($0.textValue) } ?? false
                }
            }
        }
        return area
    }

    private func buildingsNear(_ network: PipeNetwork, pipes: [Int32], buildings idx: PolygonIndex, distance: Double) -> [Int] {
        let limitH = SphericalBounds.h(metres: distance)
        var accepted = Set<Int>()
        for p in pipes {
            let feature = Int(network.pipeFeature[Int(p)])
            let box = network.pipeLayer.geometry.geometry(feature).boundingBox
            guard !box.isEmpty else { continue }
            let perDegree = Geodesy.metresPerDegree(atLatitude: (box.minY + box.maxY) / 2)
            let dx = distance / max(perDegree.lon, 1), dy = distance / perDegree.lat
            idx.tree.search(minX: box.minX - dx, minY: box.minY - dy, maxX: box.maxX + dx, maxY: box.maxY + dy) { id in
                let b = Int(id)
                if accepted.contains(b) { return true }
                var near = false
                network.pipeLayer.geometry.geometry(feature).forEachCoordinate { c in
                    if !near && idx.h(b, lon: c.x, lat: c.y) <= limitH { near = true }
                }
                if !near {
                    idx.forEachRing(b) { _, _, ring in
                        var k = 0
                        while !near && k + 1 < ring.count {
                            if network.pipeLayer.h(feature, lon: ring[k], lat: ring[k + 1]) <= limitH { near = true }
                            k += 2
                        }
                    }
                }
                if near { accepted.insert(b) }
                return true
            }
        }
        return accepted.sorted()
    }

    /// Andrew's monotone chain on lon/lat (a city is small enough to treat them as planar).
    static func convexHull(_ points: [Coordinate]) -> [Coordinate] {
        let unique: Set<[Double]> = Set(points.map { [$0.x, $0.y] })
        let pts: [[Double]] = unique.sorted { (a: [Double], b: [Double]) -> Bool in a[0] != b[0] ? a[0] < b[0] : a[1] < b[1] }
        guard pts.count >= 3 else { return [] }
        func cross(_ o: [Double], _ a: [Double], _ b: [Double]) -> Double {
            (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
        }
        var lower: [[Double]] = [], upper: [[Double]] = []
        for p in pts {
            while lower.count >= 2 && cross(lower[lower.count - 2], lower[lower.count - 1], p) <= 0 { lower.removeLast() }
            lower.append(p)
        }
        for p in pts.reversed() {
            while upper.count >= 2 && cross(upper[upper.count - 2], upper[upper.count - 1], p) <= 0 { upper.removeLast() }
            upper.append(p)
        }
        let hull = lower.dropLast() + upper.dropLast()
        guard hull.count >= 3 else { return [] }
        return (hull + [hull[0]]).map { Coordinate($0[0], $0[1]) }
    }
}
