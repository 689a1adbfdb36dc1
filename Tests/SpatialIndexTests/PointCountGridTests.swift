import Geo
import SampleCity
import SpatialIndex
import Testing

/// Counts from whole cells plus edge points equal brute force over every point,
/// at radii from below a cell to most of the extent, with points on cell edges,
/// clusters, duplicates and non-finite input.
@Suite struct PointCountGridTests {
    @Test func countsMatchBruteForce() {
        var r = SeededRandom(seed: 11)
        var points = (0..<20_000).map { _ in Coordinate(104.03 + r.uniform(0, 0.14), 30.58 + r.uniform(0, 0.14)) }
        // A dense cluster, exact duplicates and points on the grid's own lines.
        points += (0..<3_000).map { _ in Coordinate(104.1 + r.uniform(0, 0.001), 30.65 + r.uniform(0, 0.001)) }
        points += Array(repeating: Coordinate(104.08, 30.61), count: 50)
        points += [Coordinate(.nan, 30.6), Coordinate(104.05, .infinity)]
        let grid = PointCountGrid(points: points)
        #expect(grid.count == points.count - 2)
        let finite = points.filter { $0.x.isFinite && $0.y.isFinite }
        for radius in [0.0, 20, 100, 250, 1_000, 4_999, 20_000] {
            for k in 0..<40 {
                let q = k % 10 == 0 ? finite[r.int(0...(finite.count - 1))]
                                    : Coordinate(104.0 + r.uniform(0, 0.2), 30.55 + r.uniform(0, 0.2))
                let h = SphericalBounds.h(metres: radius)
                let want = finite.filter { SphericalBounds.haversine(q.x, q.y, $0.x, $0.y) <= h }.count
                #expect(grid.count(lon: q.x, lat: q.y, radius: radius) == want, "radius \(radius) at \(q)")
            }
        }
        #expect(grid.count(lon: .nan, lat: 30.6, radius: 100) == 0)
        #expect(PointCountGrid(points: []).count(lon: 104, lat: 30, radius: 1e6) == 0)
    }
}
