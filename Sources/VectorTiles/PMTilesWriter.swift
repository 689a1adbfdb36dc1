import Foundation
import Geo

/// Writes a PMTiles v3 archive: tiles sorted by tile id (clustered),
/// identical tiles stored once, runs of identical consecutive tiles
/// run-length encoded, gzip directories and metadata, leaf directories
/// when the root would not fit in the first 16 KiB.
/// Mutable builder: `add` tiles (gzipped MVT) in any order, then `write`.
public struct PMTilesWriter {
    var tiles: [(id: UInt64, data: [UInt8])] = []
    public init() {}

    public mutating func add(_ tile: TileID, gzippedMVT: [UInt8]) { tiles.append((PMTiles.tileID(tile), gzippedMVT)) }

    public struct Summary: Sendable { public var addressed: Int; public var entries: Int; public var contents: Int; public var bytes: Int }

    public func write(to path: String, metadata: JSONObject, bounds: BoundingBox, minzoom: Int, maxzoom: Int,
                      center: (lon: Double, lat: Double, zoom: Int)) throws(VectorTilesError) -> Summary {
        let sorted = tiles.sorted { $0.id < $1.id }
        var data: [UInt8] = []
        var entries: [PMTiles.Entry] = []
        var seen: [[UInt8]: UInt64] = [:]
        for t in sorted {
            let offset: UInt64
            if let o = seen[t.data] { offset = o } else {
                offset = UInt64(data.count)
                seen[t.data] = offset
                data.append(contentsOf: t.data)
            }
            if let last = entries.last, last.offset == offset, last.tileID + UInt64(last.runLength) == t.id {
                entries[entries.count - 1].runLength += 1
            } else {
                entries.append(.init(tileID: t.id, offset: offset, length: UInt32(t.data.count), runLength: 1))
            }
        }
        var root = try Gzip.compress(PMTiles.serialize(entries))
        var leaves: [UInt8] = []
        var leafSize = 4096
        while root.count > 16_257 {
            leaves = []
            var rootEntries: [PMTiles.Entry] = []
            var i = 0
            while i < entries.count {
                let chunk = Array(entries[i..<min(i + leafSize, entries.count)])
                let bytes = try Gzip.compress(PMTiles.serialize(chunk))
                rootEntries.append(.init(tileID: chunk[0].tileID, offset: UInt64(leaves.count), length: UInt32(bytes.count), runLength: 0))
                leaves.append(contentsOf: bytes)
                i += leafSize
            }
            root = try Gzip.compress(PMTiles.serialize(rootEntries))
            leafSize *= 2
        }
        // Header fields are one byte (zooms) and fixed-point Int32 (degrees × 10^7):
        // values from config or a command line that do not fit are an error, not a trap.
        for (name, z) in [("minzoom", minzoom), ("maxzoom", maxzoom), ("center zoom", center.zoom)] where !(0...30).contains(z) {
            throw VectorTilesError(.invalidConfig, "PMTiles \(name) \(z) is outside 0...30")
        }
        for (name, v) in [("west", bounds.minX), ("south", bounds.minY), ("east", bounds.maxX), ("north", bounds.maxY),
                          ("center longitude", center.lon), ("center latitude", center.lat)] where !(v.isFinite && abs(v) <= 180) {
            throw VectorTilesError(.invalidConfig, "PMTiles \(name) bound \(v) is not a longitude/latitude in -180...180")
        }
        let meta = try Gzip.compress(Array(JSONWriter.string(metadata).utf8))
        let rootOffset = 127, metaOffset = rootOffset + root.count, leafOffset = metaOffset + meta.count, dataOffset = leafOffset + leaves.count
        var h = [UInt8]()
        h.reserveCapacity(127)
        h.append(contentsOf: Array("PMTiles".utf8)); h.append(3)
        func u64(_ v: Int) { withUnsafeBytes(of: UInt64(v).littleEndian) { h.append(contentsOf: $0) } }
        func i32(_ v: Double) { withUnsafeBytes(of: Int32((v * 10_000_000).rounded()).littleEndian) { h.append(contentsOf: $0) } }
        u64(rootOffset); u64(root.count); u64(metaOffset); u64(meta.count); u64(leafOffset); u64(leaves.count)
        u64(dataOffset); u64(data.count); u64(sorted.count); u64(entries.count); u64(seen.count)
        h.append(1)  // clustered
        h.append(2)  // internal compression: gzip
        h.append(2)  // tile compression: gzip
        h.append(1)  // tile type: MVT
        h.append(UInt8(minzoom)); h.append(UInt8(maxzoom))
        i32(bounds.minX); i32(bounds.minY); i32(bounds.maxX); i32(bounds.maxY)
        h.append(UInt8(center.zoom)); i32(center.lon); i32(center.lat)
        // Programmer error only: the fields above are fixed-size, whatever the input.
        precondition(h.count == 127, "PMTiles header must be 127 bytes")
        var file = Data(capacity: dataOffset + data.count)
        file.append(contentsOf: h); file.append(contentsOf: root); file.append(contentsOf: meta); file.append(contentsOf: leaves); file.append(contentsOf: data)
        do { try file.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw VectorTilesError(.archive, "cannot write \(path): \(error.localizedDescription)")
        }
        return Summary(addressed: sorted.count, entries: entries.count, contents: seen.count, bytes: file.count)
    }
}
