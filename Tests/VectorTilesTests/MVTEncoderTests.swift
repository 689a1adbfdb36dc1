import Geo
import Testing
@testable import VectorTiles

@Suite struct MVTEncoderTests {
    func decode(_ b: MVTLayerBuilder) throws -> MVTLayer {
        let tile = try MVTTile(decoding: MVTLayerBuilder.tile(layers: [try #require(b.finish())]))
        #expect(tile.validationIssues().isEmpty, "\(tile.validationIssues())")
        return tile.layers[0]
    }

    @Test func keysAndValuesAreDeduplicatedByType() throws {
        var b = MVTLayerBuilder(name: "l")
        for i in 0..<4 {
            b.property("name", json: .string("a"))
            b.property("n", json: .number(1))          // uint 1
            b.property("x", json: .number(1.5))        // double
            b.property("s", json: .string("1"))        // string "1": not the same value as uint 1
            b.property("neg", json: .number(-3))       // sint
            b.property("flag", json: .bool(true))
            b.addPoints(id: UInt64(i), [Int32(i), 0])
        }
        let l = try decode(b)
        #expect(l.keys == ["name", "n", "x", "s", "neg", "flag"])
        #expect(l.values == [.string("a"), .uint(1), .double(1.5), .string("1"), .sint(-3), .bool(true)])
        #expect(l.features.map(\.id) == [0, 1, 2, 3])
        #expect(l.features.allSatisfy { $0.tags == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5] })
    }

    @Test func linesDropRepeatedPointsAndDegenerateParts() throws {
        var b = MVTLayerBuilder(name: "l")
        b.addLines(id: 7, [[0, 0, 0, 0, 10, 0, 10, 0, 10, 5], [3, 3, 3, 3], [20, 20, 30, 30]])
        let l = try decode(b)
        guard case .lines(let parts) = try MVTGeometry.decode(type: .lineString, commands: l.features[0].geometry!) else { Issue.record("not lines"); return }
        #expect(parts == [[.init(0, 0), .init(10, 0), .init(10, 5)], [.init(20, 20), .init(30, 30)]])
        // Only a degenerate line: nothing written.
        var e = MVTLayerBuilder(name: "e")
        e.property("k", .string("v"))
        let written = e.addLines(id: 1, [[5, 5, 5, 5]])
        #expect(!written)
        #expect(e.finish() == nil)
    }

    @Test func polygonRingsAreOrientedAfterRounding() throws {
        var b = MVTLayerBuilder(name: "p")
        // Exterior given counter-clockwise on screen, hole given clockwise: both must be flipped.
        let exterior: [Int32] = [0, 0, 0, 100, 100, 100, 100, 0]
        let hole: [Int32] = [20, 20, 80, 20, 80, 80, 20, 80]
        b.addPolygons(id: 1, [[exterior, hole]])
        // A ring collapsing to a line is dropped with its polygon.
        b.addPolygons(id: 2, [[[0, 0, 10, 10, 20, 20]]])
        let l = try decode(b)
        #expect(l.features.count == 1)
        guard case .polygons(let ps) = try MVTGeometry.decode(type: .polygon, commands: l.features[0].geometry!) else { Issue.record("not polygons"); return }
        #expect(ps.count == 1 && ps[0].count == 2)
        #expect(MVTGeometry.signedArea(ps[0][0]) == 10_000)
        #expect(MVTGeometry.signedArea(ps[0][1]) == -3_600)
    }

    @Test func zigzagAndVarintsRoundTrip() throws {
        for v: Int64 in [0, -1, 1, -2, 2, Int64(Int32.max), Int64(Int32.min), -123_456_789] {
            #expect(unzigzag(zigzag64(v)) == v)
        }
        var w = ProtobufWriter()
        for v: UInt64 in [0, 1, 127, 128, 300, UInt64.max] { w.varint(v) }
        var r = ProtobufReader(w.bytes)
        for v: UInt64 in [0, 1, 127, 128, 300, UInt64.max] { #expect(try r.varint() == v) }
        #expect(r.atEnd)
    }

    @Test func truncatedAndGarbageInputIsRefusedWithAReason() {
        let cases: [[UInt8]] = [[0x1A], [0x1A, 0x05, 0x78], [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], [0x1B]]
        for bytes in cases {
            #expect(throws: VectorTilesError.self) { try MVTTile(decoding: bytes) }
        }
    }
}
