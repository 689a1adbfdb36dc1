import Geo
import GeometryOps
import Testing
import TestSupport

@Suite struct GeometryOpsTests {
    @Test func bowTieIsInvalidAndMakeValidSplitsIt() throws {
        let geos = GEOSContext()
        let bowtie = Geometry.polygon([[Coordinate(0, 0), Coordinate(2, 2), Coordinate(2, 0), Coordinate(0, 2), Coordinate(0, 0)]])
        #expect(try geos.invalidityReason(bowtie)?.hasPrefix("Self-intersection") == true)
        let parts = try geos.makeValid(bowtie)
        #expect(parts.count == 2)
        #expect(abs(try parts.reduce(0) { $0 + (try geos.area($1)) } - 2) < 1e-12)
    }

    @Test func unionOfNeighboursIsTheirOuterBoundary() throws {
        let geos = GEOSContext()
        let a = Geometry.polygon([[Coordinate(0, 0), Coordinate(1, 0), Coordinate(1, 1), Coordinate(0, 1), Coordinate(0, 0)]])
        let b = Geometry.polygon([[Coordinate(1, 0), Coordinate(2, 0), Coordinate(2, 1), Coordinate(1, 1), Coordinate(1, 0)]])
        let u = try geos.union([a, b])
        #expect(u.count == 1)
        #expect(try geos.area(u[0]) == 2)
    }

    @Test func reprojectorMatchesPyprojToOneCentimetre() throws {
        let out = try TestSupport.python("""
            from pyproj import Transformer
            t = Transformer.from_crs("EPSG:4544", "EPSG:4326", always_xy=True)
            for e, n in [(400000.0, 3390000.0), (410234.56, 3394567.89), (520000.0, 3300000.0)]:
                print(repr(e), repr(n), *map(repr, t.transform(e, n)))
            """)
        let r = try Reprojector(source: "EPSG:4544")
        for line in out.split(separator: "\n") {
            let v = line.split(separator: " ").map { Double($0)! }
            let c = try r.transform(Coordinate(v[0], v[1]))
            #expect(TestSupport.metres((c.x, c.y), (v[2], v[3])) < 0.01)
        }
    }

    @Test func unknownCRSThrows() {
        #expect(throws: GeometryOpsError.self) { try Reprojector(source: "EPSG:0") }
    }
}
