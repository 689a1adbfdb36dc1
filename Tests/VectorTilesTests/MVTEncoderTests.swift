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
        // Equally used values are in value order: strings, double, uint, sint, bool.
        #expect(l.values == [.string("1"), .string("a"), .double(1.5), .uint(1), .sint(-3), .bool(true)])
        #expect(l.features.map(\.id) == [0, 1, 2, 3])
        #expect(l.features.allSatisfy { $0.tags == [0, 1, 1, 3, 2, 2, 3, 0, 4, 4, 5, 5] })
    }

    /// The value table is most used first, ties in value order, and every
    /// feature still decodes to exactly the properties it was given.
    @Test func valuesAreMostUsedFirstAndTagsFollowThem() throws {
        var b = MVTLayerBuilder(name: "l")
        let given: [[(String, MVTValue)]] = [
            [("k", .string("b")), ("n", .uint(7))],
            [("k", .string("c")), ("n", .uint(2))],
            [("k", .string("b")), ("n", .uint(7))],
            [("k", .string("a"))],
            [],
            [("n", .uint(7)), ("k", .string("b"))],
        ]
        for (i, props) in given.enumerated() {
            for (k, v) in props { b.property(k, v) }
            b.addPoints(id: UInt64(i), [Int32(i), 0])
        }
        let l = try decode(b)
        #expect(l.values == [.string("b"), .uint(7), .string("a"), .string("c"), .uint(2)])
        let decoded = try l.decodedFeatures().features
        #expect(decoded.count == given.count)
        for (f, props) in zip(decoded, given) {
            #expect(f.properties.map(\.key) == props.map(\.0))
            #expect(f.properties.map(\.value) == props.map(\.1))
        }
    }

    /// The table's fast sort agrees with `precedes` (byte order: prefixes
    /// first, multi-byte UTF-8 after ASCII), across types.
    @Test func tableSortAgreesWithPrecedes() {
        var rng = SystemRandomNumberGenerator()
        let pieces = ["", "a", "ab", "b", "街", "路", "1", "10", "9", "é", "\u{0}"]
        var values: [MVTValue] = []
        for _ in 0..<500 {
            switch Int.random(in: 0..<6, using: &rng) {
            case 0, 1: values.append(.string((0..<Int.random(in: 0...3, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()))
            case 2: values.append(.uint(UInt64.random(in: 0...20, using: &rng)))
            case 3: values.append(.sint(Int64.random(in: -20...(-1), using: &rng)))
            case 4: values.append(.double(Double(Int.random(in: -8...8, using: &rng)) / 4))
            default: values.append(.bool(Bool.random(using: &rng)))
            }
        }
        let fast = MVTValue.sortedIndices(values).map { values[$0] }
        #expect(zip(fast, fast.dropFirst()).allSatisfy { !$1.precedes($0) })
        #expect(fast.count == values.count)
        #expect(MVTValue.string("ab").precedes(.string("b")) && MVTValue.string("a").precedes(.string("ab")))
        #expect(MVTValue.string("z").precedes(.string("街")) && MVTValue.string("街").precedes(.uint(0)))
    }

    /// Through a property table (the snapshot path): the table's values are
    /// sorted, tags decode to the JSON given, and a tile's value table is
    /// most used first then in value order, whatever order features came in.
    @Test func propertyTableValuesAreSortedAndRoundTrip() throws {
        var rng = SystemRandomNumberGenerator()
        let words = ["街", "路12号", "路3号", "a", "B", "", "é", "e\u{301}"]
        var objects: [JSONObject] = []
        for _ in 0..<300 {
            var o: [(String, JSONValue)] = [("w", .string(words.randomElement(using: &rng)!))]
            if Bool.random(using: &rng) { o.append(("n", .number(Double(Int.random(in: -5...5, using: &rng))))) }
            if Bool.random(using: &rng) { o.append(("x", .number(Double(Int.random(in: 0...3, using: &rng)) + 0.25))) }
            if Bool.random(using: &rng) { o.append(("f", .bool(Bool.random(using: &rng)))) }
            objects.append(JSONObject(o))
        }
        let table = TilePropertyTable(count: objects.count, keys: nil) { objects[$0] }
        #expect(zip(table.values, table.values.dropFirst()).allSatisfy { $0.precedes($1) && !$1.precedes($0) })
        var b = MVTLayerBuilder(name: "l")
        let order = objects.indices.shuffled(using: &rng)
        for i in order {
            b.properties(of: i, in: table)
            b.addPoints(id: UInt64(i), [0, 0])
        }
        let l = try decode(b)
        var uses = [Int](repeating: 0, count: l.values.count)
        for f in l.features { for t in stride(from: 1, to: f.tags.count, by: 2) { uses[Int(f.tags[t])] += 1 } }
        for v in 1..<l.values.count {
            #expect(uses[v - 1] > uses[v] || (uses[v - 1] == uses[v] && l.values[v - 1].precedes(l.values[v])))
        }
        let decoded = try l.decodedFeatures().features
        for f in decoded {
            let want = objects[Int(f.id!)].members.compactMap { m in MVTValue(json: m.value).map { (m.key, $0) } }
            #expect(f.properties.map(\.key) == want.map(\.0))
            #expect(f.properties.map(\.value) == want.map(\.1))
        }
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
