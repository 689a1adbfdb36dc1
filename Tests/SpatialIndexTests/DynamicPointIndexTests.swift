import Geo
import SampleCity
import SpatialIndex
import Testing

/// Random inserts, moves and deletes on top of the packed base: every
/// answer equals brute force over the live points, before and after a rebuild.
@Suite struct DynamicPointIndexTests {
    @Test func deltaAnswersMatchBruteForce() {
        var r = SeededRandom(seed: 5)
        let base = (0..<3000).map { (id: Int32($0), x: 104.04 + r.uniform(0, 0.1), y: 30.62 + r.uniform(0, 0.1)) }
        var idx = DynamicPointIndex(points: base)
        var nextID: Int32 = 3000
        let old = idx
        var rebuilds = 0
        for step in 0..<1500 {
            switch step % 3 {
            case 0: idx = idx.inserting(id: nextID, x: 104.04 + r.uniform(0, 0.1), y: 30.62 + r.uniform(0, 0.1)); nextID += 1
            case 1: idx = idx.inserting(id: Int32(r.int(0...2999)), x: 104.04 + r.uniform(0, 0.1), y: 30.62 + r.uniform(0, 0.1)) // move
            default: idx = idx.removing(id: Int32(r.int(0...Int(nextID - 1))))
            }
            if idx.needsRebuild { idx = idx.rebuilt(); rebuilds += 1 }
            if step % 25 == 0 {
                let live = idx.points
                #expect(live.count == idx.count)
                #expect(Set(live.map(\.id)).count == live.count, "no id twice")
                for _ in 0..<10 {
                    let q = Coordinate(104.03 + r.uniform(0, 0.12), 30.61 + r.uniform(0, 0.12))
                    let hs = live.map { ($0.id, SphericalBounds.haversine(q.x, q.y, $0.x, $0.y)) }
                        .sorted { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
                    #expect(idx.nearest(lon: q.x, lat: q.y, k: 5).map(\.id) == hs.prefix(5).map(\.0))
                    let h = SphericalBounds.h(metres: 500)
                    #expect(idx.countWithin(lon: q.x, lat: q.y, radius: 500) == hs.filter { $0.1 <= h }.count)
                }
            }
        }
        #expect(rebuilds > 0)
        // The value held by an earlier reader is unchanged by later writes.
        #expect(old.count == 3000 && old.deltaCount == 0)
    }
}
