import Geo
import Testing

@Suite struct CodecTests {
    static let samples: [Geometry] = [
        .point(Coordinate(104.1, 30.67)),
        .multiPoint([Coordinate(1, 2), Coordinate(3, 4)]),
        .lineString([Coordinate(0, 0), Coordinate(1, 1), Coordinate(2, 0)]),
        .multiLineString([[Coordinate(0, 0), Coordinate(1, 1)], [Coordinate(2, 2), Coordinate(3, 3)]]),
        .polygon([[Coordinate(0, 0), Coordinate(4, 0), Coordinate(4, 4), Coordinate(0, 0)],
                  [Coordinate(1, 1), Coordinate(2, 1), Coordinate(2, 2), Coordinate(1, 1)]]),
        .multiPolygon([[[Coordinate(0, 0), Coordinate(1, 0), Coordinate(1, 1), Coordinate(0, 0)]],
                       [[Coordinate(5, 5), Coordinate(6, 5), Coordinate(6, 6), Coordinate(5, 5)]]]),
    ]

    @Test(arguments: samples) func wkbRoundTrips(_ g: Geometry) throws {
        #expect(try WKB.decode(WKB.encode(g)) == g)
    }

    @Test(arguments: samples) func spatiaLiteBlobRoundTrips(_ g: Geometry) throws {
        let blob = SpatiaLiteBlob.encode(g)
        #expect(blob.first == 0x00 && blob.last == 0xFE && blob[38] == 0x7C)
        #expect(try SpatiaLiteBlob.decode(blob) == g)
    }

    @Test(arguments: samples) func geoJSONRoundTrips(_ g: Geometry) throws {
        #expect(try GeoJSON.decodeGeometry(JSONParser.parse(GeoJSON.string(g))) == g)
    }

    @Test func truncatedBinaryIsAnErrorNotACrash() {
        let wkb = WKB.encode(Self.samples[4])
        for cut in [1, 5, 9, 20, wkb.count - 1] {
            #expect(throws: GeoError.self) { try WKB.decode(Array(wkb.prefix(cut))) }
        }
        #expect(throws: GeoError.self) { try SpatiaLiteBlob.decode([0, 1, 2]) }
    }

    @Test func wktParsesTheSimpleTypesWithZAndSRID() throws {
        #expect(try WKT.parse("POINT (104.1 30.6)") == .point(Coordinate(104.1, 30.6)))
        #expect(try WKT.parse("SRID=4326;POINT Z (1 2 3)") == .point(Coordinate(1, 2)))
        #expect(try WKT.parse("MULTIPOINT ((1 2), (3 4))") == .multiPoint([Coordinate(1, 2), Coordinate(3, 4)]))
        #expect(try WKT.parse("MULTIPOINT (1 2, 3 4)") == .multiPoint([Coordinate(1, 2), Coordinate(3, 4)]))
        #expect(try WKT.parse("polygon((0 0,1 0,1 1,0 0))") == .polygon([[Coordinate(0, 0), Coordinate(1, 0), Coordinate(1, 1), Coordinate(0, 0)]]))
        #expect(try WKT.parse("MULTIPOLYGON (((0 0,1 0,1 1,0 0)),((5 5,6 5,6 6,5 5)))") == Self.samples[5])
        #expect(throws: GeoError.self) { try WKT.parse("POINT EMPTY") }
        #expect(throws: GeoError.self) { try WKT.parse("CIRCLE (1 2)") }
        #expect(throws: GeoError.self) { try WKT.parse("POINT (1 2") }
    }
}
