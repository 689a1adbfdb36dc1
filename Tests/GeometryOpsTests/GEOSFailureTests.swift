import Geo
import GeometryOps
import Testing

/// GEOS failures come back as thrown errors carrying GEOS's own text (captured by the
/// context's message handler), and a failure part-way leaves the context usable.
@Suite struct GEOSFailureTests {
    static let square = Geometry.polygon([[Coordinate(0, 0), Coordinate(1, 0), Coordinate(1, 1), Coordinate(0, 1), Coordinate(0, 0)]])
    /// A ring that does not close: GEOS's WKB reader refuses it.
    static let openRing = Geometry.polygon([[Coordinate(0, 0), Coordinate(1, 0), Coordinate(1, 1), Coordinate(0, 1)]])

    func geosMessage(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let e as GeometryOpsError {
            return e.code == .geos ? e.message : nil
        } catch {
            return nil
        }
    }

    @Test func aRingGEOSRefusesThrowsGEOSsText() throws {
        let geos = GEOSContext()
        let message = geosMessage { _ = try geos.area(Self.openRing) }
        #expect(message?.contains("Points of LinearRing do not form a closed linestring") == true, "\(message ?? "no GEOS error")")
        // The context is still good, and the old message does not leak into the next answer.
        #expect(try geos.area(Self.square) == 1)
    }

    @Test func unionFailingOnALaterMemberThrowsAndRecovers() throws {
        let geos = GEOSContext()
        let message = geosMessage { _ = try geos.union([Self.square, Self.square, Self.openRing]) }
        #expect(message?.contains("LinearRing") == true, "\(message ?? "no GEOS error")")
        #expect(try geos.union([Self.square]).count == 1)
    }
}
