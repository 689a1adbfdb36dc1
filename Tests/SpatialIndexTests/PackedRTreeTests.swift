import Foundation
import Geo
import SampleCity
import SpatialIndex
import Testing

/// Every search is compared with brute force on seeded random data.
@Suite struct PackedRTreeTests {
    static let n = 5_000
    /// Points over ~11 × 10 km around the sample city, with duplicates to exercise ties.
    static let points: [Coordinate] = {
        var r = SeededRandom(seed: 99)
        var out: [Coordinate] = []
        for i in 0..<n {
            if i % 50 == 49 { out.append(out[i - 7]); continue } // exact duplicates: ties broken by id
            out.append(Coordinate(104.04 + r.uniform(0, 0.12), 30.62 + r.uniform(0, 0.1)))
        }
        return out
    }()
    static let tree: PackedRTree = {
        var b = PackedRTreeBuilder(pointLeaves: true)
        for (i, p) in points.enumerated() { b.add(id: Int32(i), x: p.x, y: p.y) }
        return b.finish()
    }()
    static let queries: [Coordinate] = {
        var r = SeededRandom(seed: 7)
        return (0..<10_000).map { i in
            i % 10 == 0 ? points[r.int(0...(n - 1))] : Coordinate(104.02 + r.uniform(0, 0.16), 30.60 + r.uniform(0, 0.14))
        }
    }()

    func bruteDistances(_ q: Coordinate) -> [(Int32, Double)] {
        var out: [(Int32, Double)] = []
        out.reserveCapacity(Self.points.count)
        for i in 0..<Self.points.count { out.append((Int32(i), SphericalBounds.haversine(q.x, q.y, Self.points[i].x, Self.points[i].y))) }
        return out
    }

    /// The k smallest by (distance, id), by selection (k is small).
    func bruteNearest(_ q: Coordinate, k: Int, where keep: (Int32, Double) -> Bool = { _, _ in true }) -> [Int32] {
        var best: [(Int32, Double)] = []
        for (id, h) in bruteDistances(q) where keep(id, h) {
            if best.count == k, let last = best.last, !(h < last.1 || (h == last.1 && id < last.0)) { continue }
            let at = best.firstIndex { h < $0.1 || (h == $0.1 && id < $0.0) } ?? best.count
            best.insert((id, h), at: at)
            if best.count > k { best.removeLast() }
        }
        return best.map(\.0)
    }

    @Test func nearestIsIdenticalToBruteForce() {
        var checked = 0
        for (qi, q) in Self.queries.enumerated() {
            let k = [1, 5, 17][qi % 3]
            let got = Self.tree.nearest(lon: q.x, lat: q.y, k: k)
            let want = bruteNearest(q, k: k)
            if got.map(\.id) != want { Issue.record("query \(qi) k=\(k): \(got.map(\.id)) vs \(want)"); return }
            checked += 1
        }
        #expect(checked == 10_000)
    }

    @Test func nearestWithMaxDistanceAndFilter() {
        for (qi, q) in Self.queries.prefix(2_000).enumerated() {
            let maxD = 300.0
            let got = Self.tree.nearest(lon: q.x, lat: q.y, k: 5, maxDistance: maxD) { $0 % 3 == 0 }
            let want = bruteNearest(q, k: 5) { id, h in id % 3 == 0 && SphericalBounds.metres(h) <= maxD }
            #expect(got.map(\.id) == want, "query \(qi)")
        }
    }

    @Test func withinAndCountAreIdenticalToBruteForce() {
        for (qi, q) in Self.queries.enumerated() {
            let radius = [50.0, 100, 400, 1500][qi % 4]
            let h = SphericalBounds.h(metres: radius)
            let want = bruteDistances(q).filter { $0.1 <= h }
            let count = Self.tree.countWithin(lon: q.x, lat: q.y, radius: radius)
            if count != want.count { Issue.record("query \(qi) r=\(radius): count \(count) vs \(want.count)"); return }
            if qi % 10 == 0 {
                let got = Self.tree.within(lon: q.x, lat: q.y, radius: radius)
                #expect(Set(got.map(\.id)) == Set(want.map(\.0)))
                #expect(zip(got, got.dropFirst()).allSatisfy { $0.distance <= $1.distance })
            }
        }
    }

    @Test func bboxSearchIsIdenticalToBruteForce() {
        var r = SeededRandom(seed: 3)
        for _ in 0..<10_000 {
            let x = 104.03 + r.uniform(0, 0.14), y = 30.61 + r.uniform(0, 0.12)
            let w = r.uniform(0, 0.02), h = r.uniform(0, 0.02)
            let got = Set(Self.tree.search(minX: x, minY: y, maxX: x + w, maxY: y + h))
            var want = Set<Int32>()
            for i in 0..<Self.points.count {
                let p = Self.points[i]
                if p.x >= x && p.x <= x + w && p.y >= y && p.y <= y + h { want.insert(Int32(i)) }
            }
            if got != want { Issue.record("bbox mismatch"); return }
        }
    }

    @Test func boxTreeSearchAndEdgeCases() {
        var b = PackedRTreeBuilder()
        for i in 0..<1000 {
            let x = Double(i % 40), y = Double(i / 40)
            b.add(id: Int32(i), minX: x, minY: y, maxX: x + 1.5, maxY: y + 1.5)
        }
        let t = b.finish(nodeSize: 4)
        let expected: Set<Int32> = [129, 130, 89, 90]
        #expect(Set(t.search(minX: 10.2, minY: 3.2, maxX: 10.4, maxY: 3.4)) == expected)
        let empty = PackedRTreeBuilder(pointLeaves: true).finish()
        #expect(empty.nearest(lon: 0, lat: 0, k: 3).isEmpty && empty.countWithin(lon: 0, lat: 0, radius: 10) == 0)
        var one = PackedRTreeBuilder(pointLeaves: true)
        one.add(id: 42, x: 104, y: 30)
        #expect(one.finish().nearest(lon: 104, lat: 30.001, k: 5).map(\.id) == [42])
    }

    @Test func distancesAreGreatCircleMetres() {
        // 0.001° of latitude is 111.195 m on the IUGG mean sphere.
        let got = Self.tree.nearest(lon: Self.points[0].x, lat: Self.points[0].y + 0.001, k: 20)
        #expect(got.contains { $0.id == 0 && abs($0.distance - 111.195) < 0.01 })
    }

    @Test func pointTreeMemoryIsNearTheRawCoordinates() {
        let raw = Self.points.count * 16
        #expect(Double(Self.tree.memoryBytes) / Double(raw) < 1.6)
    }
}
