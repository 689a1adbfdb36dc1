import CompressNIO
import NIOCore

/// gzip through compress-nio (zlib), for tile bodies and PMTiles directories.
public enum Gzip {
    /// `best`: zlib level 9 instead of the default 6, for bytes written once and read many
    /// times (archives): a few percent smaller for about twice the deflate time.
    public static func compress(_ bytes: [UInt8], best: Bool = false) throws(VectorTilesError) -> [UInt8] {
        var input = ByteBuffer(bytes: bytes)
        do {
            var out = try input.compress(with: .gzip(configuration: best ? ZlibConfiguration(compressionLevel: 9) : ZlibConfiguration()))
            return out.readBytes(length: out.readableBytes) ?? []
        } catch { throw VectorTilesError(.compression, "gzip failed: \(error)") }
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
