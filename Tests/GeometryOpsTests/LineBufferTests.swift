import Geo
import GeometryOps
import Testing
import TestSupport

@Suite struct LineBufferTests {
    /// A jittered lattice of lines split near one end (as a pipe at a valve): collinear pieces meeting end to end.
    static func lattice(_ n: Int) -> [[Coordinate]] {
        var rng = SplitMix64(seed: 3)
        var at: [[Coordinate]] = []
        for i in 0...n {
            at.append((0...n).map { j in Coordinate(Double(i) * 70 + rng.unit() * 20 - 10, Double(j) * 70 + rng.unit() * 20 - 10) })
        }
        var lines: [[Coordinate]] = []
        for i in 0...n {
            for j in 0...n {
                for (di, dj) in [(1, 0), (0, 1)] where i + di <= n && j + dj <= n {
                    let a = at[i][j], b = at[i + di][j + dj]
                    let v = Coordinate(a.x + (b.x - a.x) * 0.1, a.y + (b.y - a.y) * 0.1)
                    lines.append([a, v])
                    lines.append([v, b])
                }
            }
        }
        return lines
    }

    @Test(arguments: [(4, 30.0), (6, 12.0), (3, 50.0)])
    func lineBufferUnionIsTheBufferOfAllTheLines(size: Int, distance: Double) throws {
        let geos = GEOSContext()
        let lines = Self.lattice(size)
        func multi(_ parts: [Geometry]) -> Geometry {
            .multiPolygon(parts.compactMap { if case .polygon(let r) = $0 { r } else { nil } })
        }
        // Same ground, up to how arcs are cut into segments: caps of two lines meeting at a point
        // and the round join of the merged line place their vertices differently (a sliver per
        // joint, shrinking as the arcs get more segments).
        var fast: [Geometry] = []
        for (segments, tolerance) in [(4, 2e-3), (32, 5e-5)] {
            fast = try geos.lineBufferUnion(lines, distance: distance, quadrantSegments: segments)
            let plain = try geos.buffer(.multiLineString(lines), distance: distance, quadrantSegments: segments)
            let a = try geos.area(multi(fast)), b = try geos.area(multi(plain))
            let common = try geos.intersectionArea(multi(fast), multi(plain))
            #expect(a + b - 2 * common < tolerance * b, "\(segments) segments: fast \(a) plain \(b) common \(common)")
            #expect(fast.count == plain.count)
        }
        // Every line end lies inside, and a point farther than the distance from every line lies outside.
        for l in lines {
            #expect(try geos.covers(multi(fast), l[0]))
        }
        #expect(try !geos.covers(multi(fast), Coordinate(-distance - 30, -distance - 30)))
    }

    @Test func noLinesNoBuffer() throws {
        #expect(try GEOSContext().lineBufferUnion([], distance: 10).isEmpty)
    }
}
