import Foundation
import Geo
import GeometryOps
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
    /// The ground within the service distance of the pipes (at least `minimumOutlineM`): the
    /// union of the pipes' buffers, a Polygon or, for pipes far apart, a MultiPolygon, in WGS84.
    /// nil without pipes (or when GEOS fails, which it should not on lines).
    public var outline: Geometry?

    /// The outline's width when the service distance is below it (metres), so a zero
    /// service distance still outlines the pipes.
    public static let minimumOutlineM = 1.0
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
        area.outline = Self.outline(network, pipes: pipes, widthM: max(serviceDistanceM, AffectedArea.minimumOutlineM))
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

    /// The union of the pipes' buffers of `widthM` metres. GEOS buffers in planar units, so the
    /// pipes go into a local equirectangular frame in metres around their centre (at city scale
    /// its scale error is far below a metre) and the outline comes back to lon/lat. Four segments
    /// per quarter circle: the rounded ends lie at most 8% of the width inside the true circle.
    static func outline(_ network: PipeNetwork, pipes: [Int32], widthM: Double) -> Geometry? {
        var box = BoundingBox.empty
        for p in pipes { box.extend(network.pipeLayer.geometry.geometry(Int(network.pipeFeature[Int(p)])).boundingBox) }
        guard !pipes.isEmpty, !box.isEmpty else { return nil }
        let lon0 = (box.minX + box.maxX) / 2, lat0 = (box.minY + box.maxY) / 2
        let perDegree = Geodesy.metresPerDegree(atLatitude: lat0)
        var lines: [[Coordinate]] = []
        lines.reserveCapacity(pipes.count)
        for p in pipes {
            var line: [Coordinate] = []
            network.pipeLayer.geometry.geometry(Int(network.pipeFeature[Int(p)])).forEachCoordinate {
                line.append(Coordinate(($0.x - lon0) * perDegree.lon, ($0.y - lat0) * perDegree.lat))
            }
            // A pipe of one point (or repeated points) still gets a round outline.
            if line.count == 1 { line.append(line[0]) }
            if !line.isEmpty { lines.append(line) }
        }
        guard !lines.isEmpty, let parts = try? GEOSContext().lineBufferUnion(lines, distance: widthM, quadrantSegments: 4),
              !parts.isEmpty else { return nil }
        let back = { (c: Coordinate) in Coordinate(lon0 + c.x / perDegree.lon, lat0 + c.y / perDegree.lat) }
        // GeoJSON's winding (RFC 7946): exterior rings counter-clockwise, holes clockwise.
        func signedArea(_ r: [Coordinate]) -> Double {
            zip(r, r.dropFirst()).reduce(0) { $0 + ($1.0.x * $1.1.y - $1.1.x * $1.0.y) } / 2
        }
        let polygons: [[[Coordinate]]] = parts.compactMap { part in
            guard case .polygon(let rings) = part.mapCoordinates(back) else { return nil }
            return rings.enumerated().map { k, r in (signedArea(r) > 0) == (k == 0) ? r : r.reversed() }
        }
        return polygons.count == 1 ? .polygon(polygons[0]) : .multiPolygon(polygons)
    }
}
