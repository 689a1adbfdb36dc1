import Geo
import Testing
import TestSupport

@Suite struct ChinaCRSTests {
    /// Points over the whole sample district and beyond (Chengdu to Beijing).
    static var points: [Coordinate] {
        var out: [Coordinate] = []
        for i in 0..<20 { for j in 0..<20 { out.append(Coordinate(103.9 + Double(i) * 0.02, 30.5 + Double(j) * 0.02)) } }
        out += [Coordinate(116.397428, 39.90923), Coordinate(121.4737, 31.2304), Coordinate(113.2644, 23.1291)]
        return out
    }

    @Test func gcj02InverseIsBelowOneCentimetre() {
        for p in Self.points {
            let back = ChinaCRS.gcj02ToWGS84(ChinaCRS.wgs84ToGCJ02(p))
            #expect(TestSupport.metres((p.x, p.y), (back.x, back.y)) < 0.01)
        }
    }

    @Test func bd09InverseIsBelowOneCentimetre() {
        for p in Self.points {
            let back = ChinaCRS.bd09ToWGS84(ChinaCRS.wgs84ToBD09(p))
            #expect(TestSupport.metres((p.x, p.y), (back.x, back.y)) < 0.01)
        }
    }

    @Test func offsetsHaveTheKnownMagnitude() {
        // GCJ-02 shifts Chengdu by a few hundred metres; BD-09 adds roughly another kilometre.
        let p = Coordinate(104.10, 30.67)
        let g = ChinaCRS.wgs84ToGCJ02(p), b = ChinaCRS.wgs84ToBD09(p)
        let dg = TestSupport.metres((p.x, p.y), (g.x, g.y)), db = TestSupport.metres((p.x, p.y), (b.x, b.y))
        #expect(dg > 200 && dg < 800)
        #expect(db > 800 && db < 2000)
        // Outside China nothing moves.
        #expect(ChinaCRS.wgs84ToGCJ02(Coordinate(2.35, 48.85)) == Coordinate(2.35, 48.85))
    }
}
