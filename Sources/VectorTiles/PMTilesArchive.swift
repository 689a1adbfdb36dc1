import Foundation
import Geo

/// Reads tiles from a PMTiles v3 archive (memory-mapped). Immutable after
/// opening, so it is `Sendable`; each lookup reads the root and at most
/// three levels of leaf directories.
public final class PMTilesArchive: Sendable {
    public let path: String
    let data: Data
    public let minzoom: Int
    public let maxzoom: Int
    public let bounds: BoundingBox
    public let center: (lon: Double, lat: Double, zoom: Int)
    public let metadata: JSONObject
    let root: [PMTiles.Entry]
    let leafOffset: Int, tileOffset: Int
    let internalGzip: Bool
    public let tileGzip: Bool

    public init(path: String) throws(VectorTilesError) {
        self.path = path
        // A file shorter than the header is refused before it is read: Foundation's mapped
        // read of an empty file leaks a page-sized buffer (found by `make fuzz-files`).
        if let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue, size < 127 {
            throw VectorTilesError(.archive, "\(path) is not a PMTiles archive (\(size) bytes, shorter than the 127-byte header)")
        }
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) } catch {
            throw VectorTilesError(.archive, "cannot open \(path): \(error.localizedDescription)")
        }
        guard data.count >= 127, Array(data[0..<7]) == Array("PMTiles".utf8) else { throw VectorTilesError(.archive, "\(path) is not a PMTiles archive (bad magic number)") }
        guard data[7] == 3 else { throw VectorTilesError(.archive, "\(path) is PMTiles version \(data[7]); version 3 is supported") }
        let d = data
        func u64(_ o: Int) -> Int { var v: UInt64 = 0; for i in 0..<8 { v |= UInt64(d[o + i]) << (8 * UInt64(i)) }; return Int(truncatingIfNeeded: v) }
        func i32(_ o: Int) -> Double { var v: UInt32 = 0; for i in 0..<4 { v |= UInt32(d[o + i]) << (8 * UInt32(i)) }; return Double(Int32(bitPattern: v)) / 10_000_000 }
        let rootOffset = u64(8), rootLength = u64(16), metaOffset = u64(24), metaLength = u64(32)
        leafOffset = u64(40); tileOffset = u64(56)
        internalGzip = data[0x61] == 2
        tileGzip = data[0x62] == 2
        guard data[0x63] == 1 else { throw VectorTilesError(.archive, "\(path) holds tile type \(data[0x63]); only MVT (1) is served") }
        minzoom = Int(data[0x64]); maxzoom = Int(data[0x65])
        bounds = BoundingBox(minX: i32(0x66), minY: i32(0x6A), maxX: i32(0x6E), maxY: i32(0x72))
        center = (i32(0x77), i32(0x7B), Int(data[0x76]))
        // Offsets and lengths come from the file: compared without adding, so huge values cannot overflow.
        for (o, l) in [(rootOffset, rootLength), (metaOffset, metaLength)] where o < 0 || l < 0 || o > data.count || l > data.count - o {
            throw VectorTilesError(.archive, "\(path): a section runs past the end of the file")
        }
        let ig = internalGzip
        func section(_ o: Int, _ l: Int) throws(VectorTilesError) -> [UInt8] {
            let raw = Array(d[o..<(o + l)])
            return ig ? try Gzip.decompress(raw) : raw
        }
        root = try PMTiles.deserialize(try section(rootOffset, rootLength))
        let metaBytes = try section(metaOffset, metaLength)
        metadata = (try? JSONParser.parse(String(decoding: metaBytes, as: UTF8.self)))?.objectValue ?? JSONObject()
    }

    /// The stored bytes of a tile (gzipped when `tileGzip`), or nil when absent.
    public func tile(_ t: TileID) throws(VectorTilesError) -> [UInt8]? {
        guard t.isValid else { return nil }
        let id = PMTiles.tileID(t)
        var entries = root
        for _ in 0..<4 {
            guard let e = PMTiles.find(entries, id) else { return nil }
            if e.runLength > 0 { return try slice(tileOffset, e, "tile \(t)") }
            let raw = try slice(leafOffset, e, "a leaf directory")
            entries = try PMTiles.deserialize(internalGzip ? try Gzip.decompress(raw) : raw)
        }
        return nil
    }

    /// The bytes an entry points at, relative to a section start; offsets read
    /// from the file are checked, never trusted to index the data.
    func slice(_ base: Int, _ e: PMTiles.Entry, _ what: String) throws(VectorTilesError) -> [UInt8] {
        let (o, overflow) = base.addingReportingOverflow(Int(truncatingIfNeeded: e.offset))
        guard !overflow, base >= 0, e.offset <= UInt64(Int.max), o >= 0, o <= data.count - Int(e.length) else {
            throw VectorTilesError(.archive, "\(path): \(what) lies outside the file")
        }
        return Array(data[o..<(o + Int(e.length))])
    }
}
