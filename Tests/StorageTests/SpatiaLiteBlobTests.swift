import Geo
@testable import Storage
import Testing
import TestSupport

/// The SpatiaLite blob codec, internal to Storage since the store hands out `Geometry`.
@Suite struct SpatiaLiteBlobTests {
    static let samples = Samples.geometries

    @Test(arguments: samples) func roundTrips(_ g: Geometry) throws {
        let blob = SpatiaLiteBlob.encode(g)
        #expect(blob.first == 0x00 && blob.last == 0xFE && blob[38] == 0x7C)
        #expect(try SpatiaLiteBlob.decode(blob) == g)
    }

    /// Every truncation and every single-byte change returns or throws; none traps.
    @Test(arguments: samples) func damagedBlobsThrowNotTrap(_ g: Geometry) {
        let blob = SpatiaLiteBlob.encode(g)
        for cut in 0..<blob.count { _ = try? SpatiaLiteBlob.decode(Array(blob.prefix(cut))) }
        for i in blob.indices {
            for value: UInt8 in [0x00, 0x7F, 0xFF] {
                var b = blob
                b[i] = value
                _ = try? SpatiaLiteBlob.decode(b)
            }
        }
        #expect(throws: GeoError.self) { try SpatiaLiteBlob.decode([0, 1, 2]) }
    }
}
