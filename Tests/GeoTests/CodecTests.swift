import Geo
import Testing
import TestSupport

@Suite struct CodecTests {
    static let samples = Samples.geometries

    @Test(arguments: samples) func wkbRoundTrips(_ g: Geometry) throws {
        #expect(try WKB.decode(WKB.encode(g)) == g)
    }

    @Test(arguments: samples) func geoJSONRoundTrips(_ g: Geometry) throws {
        #expect(try GeoJSON.decodeGeometry(JSONParser.parse(GeoJSON.string(g))) == g)
    }

    @Test func truncatedBinaryIsAnErrorNotACrash() {
        let wkb = WKB.encode(Self.samples[4])
        for cut in [1, 5, 9, 20, wkb.count - 1] {
            #expect(throws: GeoError.self) { try WKB.decode(Array(wkb.prefix(cut))) }
        }
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
