import CLibDeflate
import CompressNIO
import NIOCore
import Synchronization

/// gzip for tile bodies and PMTiles directories: libdeflate compresses (whole buffers, the
/// shape of a tile, about twice zlib's speed at a smaller size), compress-nio (zlib) inflates
/// with a cap on the output.
public enum Gzip {
    /// libdeflate level for bodies made per request (level 6 here is zlib 6's size or
    /// smaller in about half its time) and for bytes written once and read many times
    /// (archives: level 12, its near-optimal parser).
    static let servedLevel: Int32 = 6, bestLevel: Int32 = 12

    /// A libdeflate compressor, used by one caller at a time (taken from the pool, then given back).
    private struct Compressor: @unchecked Sendable { let handle: OpaquePointer }

    /// Idle compressors by level (each holds hundreds of KiB of tables: kept, not reallocated per tile).
    private static let idle = Mutex<[Int32: [Compressor]]>([:])

    /// `best`: the archive level (smaller, several times slower) instead of the served one.
    public static func compress(_ bytes: [UInt8], best: Bool = false) throws(VectorTilesError) -> [UInt8] {
        let level = best ? bestLevel : servedLevel
        guard let taken = idle.withLock({ $0[level]?.popLast() }) ?? libdeflate_alloc_compressor(level).map(Compressor.init) else {
            throw VectorTilesError(.compression, "gzip failed: libdeflate could not allocate a level \(level) compressor")
        }
        defer {
            let spare = idle.withLock { pool -> Compressor? in
                guard pool[level, default: []].count < 16 else { return taken }
                pool[level, default: []].append(taken)
                return nil
            }
            if let spare { libdeflate_free_compressor(spare.handle) }
        }
        let c = taken.handle
        let bound = libdeflate_gzip_compress_bound(c, bytes.count)
        // Written into scratch of the worst-case size, returned at its exact size: cached tiles
        // keep these arrays, and a shortened array would keep the whole bound allocated.
        let scratch = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(bound, 1))
        defer { scratch.deallocate() }
        let written = bytes.withUnsafeBytes { input in
            libdeflate_gzip_compress(c, input.baseAddress, input.count, scratch.baseAddress, scratch.count)
        }
        // Only a too-small output buffer gives 0, and the bound rules that out.
        guard written > 0 else { throw VectorTilesError(.compression, "gzip failed: libdeflate wrote nothing for \(bytes.count) bytes") }
        return [UInt8](UnsafeBufferPointer(rebasing: scratch[..<written]))
    }

    /// Inflates gzip data, refusing to produce more than `maxSize` bytes.
    public static func decompress(_ bytes: [UInt8], maxSize: Int = 64 << 20) throws(VectorTilesError) -> [UInt8] {
        var input = ByteBuffer(bytes: bytes)
        do {
            var out = try input.decompress(with: .gzip(), maxSize: maxSize)
            return out.readBytes(length: out.readableBytes) ?? []
        } catch { throw VectorTilesError(.compression, "gunzip failed: \(error)") }
    }

    /// True when the bytes start with the gzip magic number.
    public static func isGzip(_ bytes: [UInt8]) -> Bool { bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B }
}
