import Foundation
import Geo
import GeometryOps
import SampleCity
import SpatialIndex
import Testing

/// Point-in-polygon against GEOS, on the sample city's 1,000 grids.
@Suite(.serialized) struct PolygonIndexTests {
    static let grids: [Geometry] = SampleCityGenerator().generate().features("grids").compactMap(\.geometry)
    static let index = PolygonIndex(polygons: grids.map(parts))

    static func parts(_ g: Geometry) -> [[[Coordinate]]] {
        switch g {
        case .polygon(let p): [p]
        case .multiPolygon(let ps): ps
        default: []
        }
    }

    @Test func randomPointsAgreeWithGEOS() throws {
        let geos = GEOSContext()
        var r = SeededRandom(seed: 11)
        let bounds = Self.grids.reduce(BoundingBox.empty) { var b = $0; b.extend($1.boundingBox); return b }
        for _ in 0..<10_000 {
            let p = Coordinate(r.uniform(bounds.minX - 0.002, bounds.maxX + 0.002), r.uniform(bounds.minY - 0.002, bounds.maxY + 0.002))
            let got = Self.index.locate(x: p.x, y: p.y)
            // Brute force with GEOS over the candidate boxes.
            var owners: [Int32] = []
            for (i, g) in Self.grids.enumerated() where g.boundingBox.contains(p) {
                if try geos.covers(g, p) { owners.append(Int32(i)) }
            }
            if owners.count == 1 { #expect(got == owners[0]) } else if owners.isEmpty { #expect(got == nil) } else {
                #expect(got.map { owners.contains($0) } == true, "boundary point owned by a covering grid")
            }
        }
    }

    /// Vertices and points on shared edges: exactly one owner each, and a GEOS-covering one.
    @Test func boundaryPointsHaveExactlyOneOwner() throws {
        let geos = GEOSContext()
        let district = Self.grids.reduce(BoundingBox.empty) { var b = $0; b.extend($1.boundingBox); return b }
        var tested = 0
        for g in Self.grids.prefix(400) {
            guard case .polygon(let rings) = g else { continue }
            let ring = rings[0]
            for i in 0..<(ring.count - 1) {
                let a = ring[i], b = ring[i + 1]
                for p in [a, Coordinate((a.x + b.x) / 2, (a.y + b.y) / 2), Coordinate(a.x + (b.x - a.x) / 3, a.y + (b.y - a.y) / 3)] {
                    // Skip the district's outer boundary, where the owner may legitimately be none.
                    if abs(p.x - district.minX) < 0.003 || abs(p.x - district.maxX) < 0.003 || abs(p.y - district.minY) < 0.003 || abs(p.y - district.maxY) < 0.003 { continue }
                    var claims = 0
                    for j in 0..<Self.index.count where Self.grids[j].boundingBox.contains(p) && Self.index.contains(j, x: p.x, y: p.y) { claims += 1 }
                    #expect(claims == 1, "point \(p) is claimed by \(claims) grids")
                    let owner = try #require(Self.index.locate(x: p.x, y: p.y))
                    // The owner covers the point within floating-point tolerance of the shared edge.
                    let near = try geos.covers(Self.grids[Int(owner)], p) || geos.intersects(Self.grids[Int(owner)], .polygon([[
                        Coordinate(p.x - 1e-9, p.y - 1e-9), Coordinate(p.x + 1e-9, p.y - 1e-9), Coordinate(p.x + 1e-9, p.y + 1e-9),
                        Coordinate(p.x - 1e-9, p.y + 1e-9), Coordinate(p.x - 1e-9, p.y - 1e-9)]]))
                    #expect(near)
                    tested += 1
                }
            }
        }
        #expect(tested > 5_000)
    }

    @Test func holesMultipolygonsAndTheBoundaryRule() {
        let outer = [Coordinate(0, 0), Coordinate(10, 0), Coordinate(10, 10), Coordinate(0, 10), Coordinate(0, 0)]
        let hole = [Coordinate(4, 4), Coordinate(6, 4), Coordinate(6, 6), Coordinate(4, 6), Coordinate(4, 4)]
        let island = [Coordinate(20, 0), Coordinate(30, 0), Coordinate(30, 10), Coordinate(20, 0)]
        let right = [Coordinate(10, 0), Coordinate(20, 0), Coordinate(20, 10), Coordinate(10, 10), Coordinate(10, 0)]
        let idx = PolygonIndex(polygons: [[[outer, hole], [island]], [[right]]], bandThreshold: 2)
        #expect(idx.locate(x: 1, y: 1) == 0)
        #expect(idx.locate(x: 5, y: 5) == nil, "inside the hole")
        #expect(idx.locate(x: 25, y: 2) == 0, "second part of the multipolygon")
        #expect(idx.locate(x: 15, y: 5) == 1)
        // On the shared edge x = 10: the east polygon owns it (west/south boundaries are inside).
        #expect(idx.locate(x: 10, y: 5) == 1)
        #expect(idx.locate(x: 0, y: 5) == 0, "west boundary is inside")
        #expect(idx.locate(x: 5, y: 0) == 0, "south boundary is inside")
        #expect(idx.locate(x: 5, y: 10) == nil, "north boundary is outside")
    }
}

extension PolygonIndexTests {
    @Test func bulkLocateMatchesSingleLocate() {
        var r = SeededRandom(seed: 17)
        let b = Self.index.tree.bounds
        var xy: [Double] = []
        for _ in 0..<5_000 { xy.append(r.uniform(b.minX - 0.001, b.maxX + 0.001)); xy.append(r.uniform(b.minY - 0.001, b.maxY + 0.001)) }
        let bulk = Self.index.locateAll(xy)
        for i in 0..<5_000 { #expect(bulk[i] == Self.index.locate(x: xy[2 * i], y: xy[2 * i + 1])) }
    }
}
