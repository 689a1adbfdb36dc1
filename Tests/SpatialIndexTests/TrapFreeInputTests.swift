import Foundation
import Geo
import SpatialIndex
import Testing

/// Issue 18: query points and coordinates that are huge, infinite or NaN
/// used to reach `Int(Double)` / `UInt32(Double)` traps in the indexes.
@Suite struct SpatialIndexTrapFreeInputTests {
    static func square(_ x: Double, _ y: Double, _ d: Double, vertices: Int = 4) -> [Coordinate] {
        // A many-vertex square (for the band index) when `vertices` is large.
        var ring: [Coordinate] = []
        let side = max(vertices / 4, 1)
        for k in 0..<side { ring.append(Coordinate(x + d * Double(k) / Double(side), y)) }
        for k in 0..<side { ring.append(Coordinate(x + d, y + d * Double(k) / Double(side))) }
        for k in 0..<side { ring.append(Coordinate(x + d - d * Double(k) / Double(side), y + d)) }
        for k in 0..<side { ring.append(Coordinate(x, y + d - d * Double(k) / Double(side))) }
        ring.append(ring[0])
        return ring
    }

    @Test func polygonLookupsWithExtremeQueryPointsDoNotTrap() {
        let index = PolygonIndex(polygons: [[[Self.square(104, 30, 0.1)]], [[Self.square(104.1, 30, 0.1, vertices: 200)]]])
        let extreme: [Double] = [.nan, .infinity, -.infinity, 1e300, -1e300, Double.greatestFiniteMagnitude, 30.05, 104.15]
        for x in extreme {
            for y in extreme {
                _ = index.locate(x: x, y: y)
                _ = index.contains(0, x: x, y: y)
                _ = index.contains(1, x: x, y: y)
            }
        }
        #expect(index.locate(x: 104.05, y: 30.05) == 0)
        #expect(index.locate(x: 104.15, y: 30.05) == 1)
        #expect(index.contains(1, x: 104.15, y: 30.05))
        #expect(!index.contains(1, x: 104.15, y: .nan))
    }

    @Test func treesBuiltFromNonFiniteCoordinatesDoNotTrap() {
        var b = PackedRTreeBuilder(pointLeaves: true)
        b.add(id: 0, x: 104, y: 30)
        b.add(id: 1, x: .nan, y: .infinity)
        b.add(id: 2, x: -1e308, y: 1e308)
        b.add(id: 3, x: 1e308, y: -1e308)
        let tree = b.finish()
        #expect(tree.count == 4)
        _ = tree.nearest(lon: 104, lat: 30, k: 2)
        _ = tree.countWithin(lon: .nan, lat: 30, radius: 100)
    }
}
