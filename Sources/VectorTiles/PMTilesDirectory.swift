import Geo

/// PMTiles v3 tile ids (Hilbert order within each zoom, zooms in sequence)
/// and directory entries with their varint column encoding (spec §4).
public enum PMTiles {
    public struct Entry: Equatable, Sendable {
        public var tileID: UInt64
        public var offset: UInt64
        public var length: UInt32
        /// Consecutive tile ids sharing this content; 0 marks a leaf-directory pointer.
        public var runLength: UInt32
    }

    public static func tileID(_ t: TileID) -> UInt64 {
        var acc: UInt64 = 0
        for z in 0..<t.z { acc += UInt64(1) << (2 * UInt64(z)) }
        let n = Int64(1) << Int64(t.z)
        var x = Int64(t.x), y = Int64(t.y), d: Int64 = 0
        var s = n / 2
        while s > 0 {
            let rx: Int64 = (x & s) > 0 ? 1 : 0
            let ry: Int64 = (y & s) > 0 ? 1 : 0
            d += s * s * ((3 * rx) ^ ry)
            // rotate
            if ry == 0 {
                if rx == 1 { x = s - 1 - x; y = s - 1 - y }
                swap(&x, &y)
            }
            s /= 2
        }
        return acc + UInt64(d)
    }

    /// The tile of a PMTiles tile id; nil for an id beyond zoom 30 (the
    /// deepest zoom `TileID.isValid` accepts), so a stray id from a file
    /// can neither loop forever nor overflow.
    public static func tile(_ id: UInt64) -> TileID? {
        var acc: UInt64 = 0, z = 0
        while true {
            guard z <= 30 else { return nil }
            let count = UInt64(1) << (2 * UInt64(z))
            if id < acc + count { break }
            acc += count; z += 1
        }
        let n = Int64(1) << Int64(z)
        var t = Int64(id - acc), x: Int64 = 0, y: Int64 = 0
        var s: Int64 = 1
        while s < n {
            let rx = 1 & (t / 2), ry = 1 & (t ^ rx)
            if ry == 0 {
                if rx == 1 { x = s - 1 - x; y = s - 1 - y }
                swap(&x, &y)
            }
            x += s * rx; y += s * ry
            t /= 4; s *= 2
        }
        return TileID(z: z, x: Int(x), y: Int(y))
    }

    static func serialize(_ entries: [Entry]) -> [UInt8] {
        var w = ProtobufWriter(capacity: entries.count * 6)
        w.varint(UInt64(entries.count))
        var last: UInt64 = 0
        for e in entries { w.varint(e.tileID - last); last = e.tileID }
        for e in entries { w.varint(UInt64(e.runLength)) }
        for e in entries { w.varint(UInt64(e.length)) }
        for (i, e) in entries.enumerated() {
            if i > 0 && e.offset == entries[i - 1].offset + UInt64(entries[i - 1].length) { w.varint(0) } else { w.varint(e.offset + 1) }
        }
        return w.bytes
    }

    static func deserialize(_ bytes: [UInt8]) throws(VectorTilesError) -> [Entry] {
        var r = ProtobufReader(bytes)
        do throws(VectorTilesError) {
            let n = Int(try r.varint())
            guard n <= bytes.count else { throw VectorTilesError(.archive, "PMTiles directory claims \(n) entries in \(bytes.count) bytes") }
            var entries = [Entry](repeating: Entry(tileID: 0, offset: 0, length: 0, runLength: 0), count: n)
            var last: UInt64 = 0
            for i in 0..<n {
                let (next, overflow) = last.addingReportingOverflow(try r.varint())
                guard !overflow else { throw VectorTilesError(.archive, "tile id of entry \(i) overflows 64 bits") }
                last = next
                entries[i].tileID = last
            }
            for i in 0..<n {
                let v = try r.varint()
                guard v <= UInt64(UInt32.max) else { throw VectorTilesError(.archive, "run length \(v) of entry \(i) exceeds 32 bits") }
                entries[i].runLength = UInt32(v)
            }
            for i in 0..<n {
                let v = try r.varint()
                guard v <= UInt64(UInt32.max) else { throw VectorTilesError(.archive, "length \(v) of entry \(i) exceeds 32 bits") }
                entries[i].length = UInt32(v)
            }
            for i in 0..<n {
                let v = try r.varint()
                if i > 0 && v == 0 {
                    let (o, overflow) = entries[i - 1].offset.addingReportingOverflow(UInt64(entries[i - 1].length))
                    guard !overflow else { throw VectorTilesError(.archive, "offset of entry \(i) overflows 64 bits") }
                    entries[i].offset = o
                } else {
                    guard v > 0 else { throw VectorTilesError(.archive, "entry 0 has no offset") }
                    entries[i].offset = v - 1
                }
            }
            return entries
        } catch {
            throw VectorTilesError(.archive, "PMTiles directory is malformed: \(error.message)")
        }
    }

    /// The entry holding `id` (a tile entry covering it by run length, or the leaf pointer before it).
    static func find(_ entries: [Entry], _ id: UInt64) -> Entry? {
        var lo = 0, hi = entries.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if entries[mid].tileID == id { return entries[mid] }
            if entries[mid].tileID < id { lo = mid + 1 } else { hi = mid - 1 }
        }
        guard hi >= 0 else { return nil }
        let e = entries[hi]
        // Entries come from a file: an unsorted directory must not make `id - e.tileID` underflow.
        guard e.tileID <= id else { return nil }
        if e.runLength == 0 { return e }
        return id - e.tileID < UInt64(e.runLength) ? e : nil
    }
}
