import Geo

/// Builds one MVT layer: keys and values deduplicated (values by type),
/// geometry written as commands with zigzag deltas, repeated points and
/// degenerate parts dropped, ring orientation enforced after rounding.
/// The value table is written most used first (ties in value order, see
/// `valueRanks`): frequent values get one-byte indices and similar values
/// sit together, which makes gzipped tiles about 2% smaller. Feature tags
/// are therefore kept aside and written, remapped, by `finish`.
/// Mutable builder; `finish()` yields the encoded layer bytes.
public struct MVTLayerBuilder {
    public let name: String
    public let extent: UInt32
    /// The tile's key and value tables in order: an entry ≥ 0 is an index
    /// into `table` (pre-encoded layer properties), < 0 is −1 − an index into
    /// the directly added `keys`/`values`. Table entries are thus never copied
    /// (no string retains on the hot path); `finish` writes both kinds.
    var keyOrder: [Int32] = []
    var valueOrder: [Int32] = []
    var keys: [String] = []
    var keyIndex: [String: UInt32] = [:]
    var values: [MVTValue] = []
    var valueIndex: [MVTValue: UInt32] = [:]
    var table: TilePropertyTable?
    /// Uses of each tile value index by the features written so far.
    var valueUses: [UInt32] = []
    /// Per feature, its fields without the tags: the id field ends at
    /// `idEnd[f]`, type and geometry follow up to `featureEnd[f]` (the
    /// next feature's start); its tags are `featureTags[tagEnd[f - 1] ..< tagEnd[f]]`.
    var features = ProtobufWriter(capacity: 4096)
    var idEnd: [Int] = []
    var featureEnd: [Int] = []
    var featureTags: [UInt32] = []
    var tagEnd: [Int] = []
    public private(set) var featureCount = 0
    /// Scratch buffers reused across features.
    var tags: [UInt32] = []
    var commands: [UInt32] = []

    public init(name: String, extent: UInt32 = 4096) { self.name = name; self.extent = extent }

    /// Bytes of features written so far (to enforce a tile size cap).
    public var approximateSize: Int { features.bytes.count + featureTags.count + featureCount * 3 + keyOrder.count * 12 + valueOrder.count * 12 }

    // MARK: properties

    public mutating func property(_ key: String, _ value: MVTValue) {
        let k: UInt32
        if let i = keyIndex[key] { k = i } else {
            k = UInt32(keyOrder.count); keys.append(key); keyOrder.append(-Int32(keys.count)); keyIndex[key] = k
        }
        let v: UInt32
        if let i = valueIndex[value] { v = i } else {
            v = UInt32(valueOrder.count); values.append(value); valueOrder.append(-Int32(values.count)); valueUses.append(0); valueIndex[value] = v
        }
        tags.append(k); tags.append(v)
    }

    /// JSON property as an MVT value: integers as uint/sint, other numbers as
    /// double, strings, booleans; arrays and objects as compact JSON text; null omitted.
    public mutating func property(_ key: String, json: JSONValue) {
        if let v = MVTValue(json: json) { property(key, v) }
    }

    /// Layer-wide → tile index maps for `properties(of:in:)`; see `TilePropertyRemap`.
    public var remap = TilePropertyRemap()

    /// Adds feature i's pre-encoded properties: array lookups, no hashing.
    public mutating func properties(of i: Int, in table: TilePropertyTable) {
        if self.table == nil { self.table = table }
        remap.prepare(for: table)
        let stamp = remap.stamp
        let first = Int(table.tagStart[i]) * 2, end = Int(table.tagStart[i + 1]) * 2
        table.tags.withUnsafeBufferPointer { tt in
            var t = first
            while t < end {
                let gk = Int(tt[t]), gv = Int(tt[t + 1])
                let k: UInt32
                if remap.keyStamp[gk] == stamp { k = remap.keyMap[gk] } else {
                    k = UInt32(keyOrder.count); keyOrder.append(Int32(gk)); remap.keyMap[gk] = k; remap.keyStamp[gk] = stamp
                }
                let v: UInt32
                if remap.valueStamp[gv] == stamp { v = remap.valueMap[gv] } else {
                    v = UInt32(valueOrder.count); valueOrder.append(Int32(gv)); valueUses.append(0); remap.valueMap[gv] = v; remap.valueStamp[gv] = stamp
                }
                tags.append(k); tags.append(v)
                t += 2
            }
        }
    }

    // MARK: geometry (tile coordinates, already rounded)

    /// Adds a point feature (several points make a multipoint). Returns false if nothing was written.
    @discardableResult
    public mutating func addPoints(id: UInt64?, _ xy: [Int32]) -> Bool {
        guard xy.count >= 2 else { tags.removeAll(keepingCapacity: true); return false }
        commands.removeAll(keepingCapacity: true)
        commands.append(command(1, xy.count / 2))
        var cx: Int32 = 0, cy: Int32 = 0
        var i = 0
        while i + 1 < xy.count {
            commands.append(zigzag32(xy[i] &- cx)); commands.append(zigzag32(xy[i + 1] &- cy))
            cx = xy[i]; cy = xy[i + 1]; i += 2
        }
        writeFeature(id: id, type: .point)
        return true
    }

    /// Adds a (multi)linestring; each line is flat x,y pairs. Repeated
    /// points are skipped; lines left with fewer than 2 points are dropped.
    @discardableResult
    public mutating func addLines(id: UInt64?, _ lines: [[Int32]]) -> Bool {
        commands.removeAll(keepingCapacity: true)
        var cx: Int32 = 0, cy: Int32 = 0
        for line in lines {
            let start = commands.count
            var n = 0, lx: Int32 = 0, ly: Int32 = 0
            var i = 0
            var savedX = cx, savedY = cy
            while i + 1 < line.count {
                let x = line[i], y = line[i + 1]
                i += 2
                if n > 0 && x == lx && y == ly { continue }
                if n == 0 {
                    savedX = cx; savedY = cy
                    commands.append(command(1, 1))
                    commands.append(zigzag32(x &- cx)); commands.append(zigzag32(y &- cy))
                    commands.append(0) // LineTo placeholder
                } else {
                    commands.append(zigzag32(x &- cx)); commands.append(zigzag32(y &- cy))
                }
                cx = x; cy = y; lx = x; ly = y; n += 1
            }
            if n >= 2 {
                commands[start + 3] = command(2, n - 1)
            } else {
                commands.removeSubrange(start...)
                cx = savedX; cy = savedY
            }
        }
        guard !commands.isEmpty else { tags.removeAll(keepingCapacity: true); return false }
        writeFeature(id: id, type: .lineString)
        return true
    }

    /// Adds a (multi)polygon: polygons of rings of flat x,y pairs (not
    /// repeating the first point). Exterior rings are written clockwise in
    /// tile coordinates (positive area), interior rings counter-clockwise;
    /// rings with fewer than 3 distinct points or zero area are dropped, and
    /// a polygon whose exterior ring is dropped is dropped whole.
    @discardableResult
    public mutating func addPolygons(id: UInt64?, _ polygons: [[[Int32]]]) -> Bool {
        commands.removeAll(keepingCapacity: true)
        var cx: Int32 = 0, cy: Int32 = 0
        for polygon in polygons {
            for (r, ring) in polygon.enumerated() {
                var pts = Self.dedupe(ring)
                guard pts.count >= 6 else { if r == 0 { break } else { continue } }
                let area = Self.signedArea2(pts)
                guard area != 0 else { if r == 0 { break } else { continue } }
                if (r == 0) != (area > 0) { pts = Self.reversed(pts) }
                commands.append(command(1, 1))
                commands.append(zigzag32(pts[0] &- cx)); commands.append(zigzag32(pts[1] &- cy))
                cx = pts[0]; cy = pts[1]
                commands.append(command(2, pts.count / 2 - 1))
                var i = 2
                while i < pts.count {
                    commands.append(zigzag32(pts[i] &- cx)); commands.append(zigzag32(pts[i + 1] &- cy))
                    cx = pts[i]; cy = pts[i + 1]; i += 2
                }
                commands.append(command(7, 1))
            }
        }
        guard !commands.isEmpty else { tags.removeAll(keepingCapacity: true); return false }
        writeFeature(id: id, type: .polygon)
        return true
    }

    /// Adds a (multi)polygon from rings already rounded and deduplicated in
    /// one flat buffer (ring k starts at `starts[k]`, ends at the next start).
    /// Each ring is written in the orientation its role needs.
    public mutating func addRings(id: UInt64?, flat: [Int32], starts: [Int], exterior: [Bool]) {
        commands.removeAll(keepingCapacity: true)
        var cx: Int32 = 0, cy: Int32 = 0
        for k in starts.indices {
            let a = starts[k], b = k + 1 < starts.count ? starts[k + 1] : flat.count
            let n = (b - a) / 2
            let reverse = exterior[k] != (Self.signedArea2(flat, from: a, to: b) > 0)
            commands.append(command(1, 1))
            for j in 0..<n {
                let v = reverse ? (j == 0 ? 0 : n - j) : j
                let x = flat[a + 2 * v], y = flat[a + 2 * v + 1]
                commands.append(zigzag32(x &- cx)); commands.append(zigzag32(y &- cy))
                cx = x; cy = y
                if j == 0 { commands.append(command(2, n - 1)) }
            }
            commands.append(command(7, 1))
        }
        writeFeature(id: id, type: .polygon)
    }

    /// Adds a (multi)linestring from lines already rounded and deduplicated in one flat buffer.
    public mutating func addLineRuns(id: UInt64?, flat: [Int32], starts: [Int]) {
        commands.removeAll(keepingCapacity: true)
        var cx: Int32 = 0, cy: Int32 = 0
        for k in starts.indices {
            let a = starts[k], b = k + 1 < starts.count ? starts[k + 1] : flat.count
            let n = (b - a) / 2
            commands.append(command(1, 1))
            for j in 0..<n {
                let x = flat[a + 2 * j], y = flat[a + 2 * j + 1]
                commands.append(zigzag32(x &- cx)); commands.append(zigzag32(y &- cy))
                cx = x; cy = y
                if j == 0 { commands.append(command(2, n - 1)) }
            }
        }
        writeFeature(id: id, type: .lineString)
    }

    /// Twice the signed area of the ring stored in p[from..<to].
    static func signedArea2(_ p: [Int32], from: Int, to: Int) -> Int64 {
        var s: Int64 = 0
        let n = (to - from) / 2
        guard n >= 3 else { return 0 }
        var j = n - 1
        for i in 0..<n {
            s += Int64(p[from + 2 * j]) * Int64(p[from + 2 * i + 1]) - Int64(p[from + 2 * i]) * Int64(p[from + 2 * j + 1])
            j = i
        }
        return s
    }

    /// Consecutive duplicates and a closing point equal to the first removed.
    static func dedupe(_ ring: [Int32]) -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(ring.count)
        var i = 0
        while i + 1 < ring.count {
            let x = ring[i], y = ring[i + 1]
            if out.count < 2 || out[out.count - 2] != x || out[out.count - 1] != y { out.append(x); out.append(y) }
            i += 2
        }
        while out.count >= 4 && out[0] == out[out.count - 2] && out[1] == out[out.count - 1] { out.removeLast(2) }
        return out
    }

    /// Twice the signed area (surveyor's formula, tile coordinates, y down).
    static func signedArea2(_ p: [Int32]) -> Int64 {
        var s: Int64 = 0
        let n = p.count / 2
        var j = n - 1
        for i in 0..<n {
            s += Int64(p[2 * j]) * Int64(p[2 * i + 1]) - Int64(p[2 * i]) * Int64(p[2 * j + 1])
            j = i
        }
        return s
    }

    static func reversed(_ p: [Int32]) -> [Int32] {
        var out = [Int32](repeating: 0, count: p.count)
        let n = p.count / 2
        for i in 0..<n { out[2 * i] = p[2 * (n - 1 - i)]; out[2 * i + 1] = p[2 * (n - 1 - i) + 1] }
        return out
    }

    @inline(__always) func command(_ id: UInt32, _ count: Int) -> UInt32 { UInt32(count) << 3 | id }

    /// Writes the feature's id, type and geometry fields; its tags wait for
    /// the value table's final order (`finish`).
    mutating func writeFeature(id: UInt64?, type: MVTGeomType) {
        var commandBytes = 0
        for c in commands { commandBytes += ProtobufWriter.varintSize(UInt64(c)) }
        if let id { features.uint(1, id) }
        idEnd.append(features.bytes.count)
        features.uint(3, type.rawValue)
        features.key(4, 2); features.varint(UInt64(commandBytes))
        for c in commands { features.varint(UInt64(c)) }
        featureEnd.append(features.bytes.count)
        var j = 1
        while j < tags.count { valueUses[Int(tags[j])] += 1; j += 2 }
        featureTags.append(contentsOf: tags)
        tagEnd.append(featureTags.count)
        tags.removeAll(keepingCapacity: true)
        featureCount += 1
    }

    /// Final position of each tile value index: most used first, ties in
    /// value order (a property table's values are sorted, so its indices
    /// compare as the values do; directly added values follow them, in
    /// `MVTValue.precedes` order). Integer sorts only on the table path.
    func valueRanks() -> [UInt32] {
        // One packed key per value (uses inverted, then the tie order: table
        // index < 2^31, or 2^32 + rank among directly added values), so the
        // sort compares integers: it runs once per layer of every tile served.
        let direct = MVTValue.sortedIndices(values)  // tiles cut before a layer's table is ready
        var directRank = [UInt64](repeating: 0, count: values.count)
        for (n, d) in direct.enumerated() { directRank[d] = 1 << 32 | UInt64(n) }
        var keyed = [(key: UInt64, local: UInt32)]()
        keyed.reserveCapacity(valueOrder.count)
        for (v, o) in valueOrder.enumerated() {
            let tie = o >= 0 ? UInt64(o) : directRank[Int(-1 - o)]
            let unused = UInt64(0x7FFF_FFFF - min(valueUses[v], 0x7FFF_FFFF))  // 31 bits above the 33 of `tie`
            keyed.append((unused << 33 | tie, UInt32(v)))
        }
        keyed.sort { $0.key < $1.key }
        var rank = [UInt32](repeating: 0, count: keyed.count)
        for (n, e) in keyed.enumerated() { rank[Int(e.local)] = UInt32(n) }
        return rank
    }

    /// Encoded size of each feature's packed tags (values remapped by `rank`).
    func tagSizes(rank: [UInt32]) -> [Int] {
        var sizes = [Int](repeating: 0, count: featureCount)
        var t = 0
        for f in 0..<featureCount {
            var n = 0
            while t < tagEnd[f] {
                n += ProtobufWriter.varintSize(UInt64(featureTags[t])) + ProtobufWriter.varintSize(UInt64(rank[Int(featureTags[t + 1])]))
                t += 2
            }
            sizes[f] = n
        }
        return sizes
    }

    /// Size of feature f's message body given its packed tags' size.
    @inline(__always) func featureSize(_ f: Int, tagBytes: Int) -> Int {
        let start = f == 0 ? 0 : featureEnd[f - 1]
        return featureEnd[f] - start + (tagBytes == 0 ? 0 : 1 + ProtobufWriter.varintSize(UInt64(tagBytes)) + tagBytes)
    }

    /// Discards properties added for a feature that was then not written.
    public mutating func discardPendingProperties() { tags.removeAll(keepingCapacity: true) }

    /// The encoded `Layer` message (without the enclosing tile field), or nil when empty.
    public func finish() -> [UInt8]? {
        guard featureCount > 0 else { return nil }
        var w = ProtobufWriter(capacity: approximateSize + 256)
        let rank = valueRanks()
        writeBody(into: &w, rank: rank, tagBytes: tagSizes(rank: rank))
        return w.bytes
    }

    /// Appends this layer as a `layers` field of a tile being written in
    /// `tile`: the layer's size is computed first so its features are copied once.
    /// Returns false (writing nothing) when the layer has no features.
    @discardableResult
    func finish(into tile: inout ProtobufWriter) -> Bool {
        guard featureCount > 0 else { return false }
        let rank = valueRanks(), tagBytes = tagSizes(rank: rank)
        var size = 2 + ProtobufWriter.stringSize(name) + 1 + ProtobufWriter.varintSize(UInt64(extent))
        for f in 0..<featureCount {
            let n = featureSize(f, tagBytes: tagBytes[f])
            size += 1 + ProtobufWriter.varintSize(UInt64(n)) + n
        }
        for k in keyOrder { size += ProtobufWriter.stringSize(key(k)) }
        for v in valueOrder {
            let n = value(v).encodedSize
            size += 1 + ProtobufWriter.varintSize(UInt64(n)) + n
        }
        tile.key(3, 2); tile.varint(UInt64(size))
        let before = tile.bytes.count
        writeBody(into: &tile, rank: rank, tagBytes: tagBytes)
        assert(tile.bytes.count - before == size, "layer size mismatch")
        return true
    }

    @inline(__always) func key(_ k: Int32) -> String { k >= 0 ? table!.keys[Int(k)] : keys[Int(-1 - k)] }
    @inline(__always) func value(_ v: Int32) -> MVTValue { v >= 0 ? table!.values[Int(v)] : values[Int(-1 - v)] }

    func writeBody(into w: inout ProtobufWriter, rank: [UInt32], tagBytes: [Int]) {
        w.uint(15, 2)
        w.string(1, name)
        features.bytes.withUnsafeBufferPointer { body in
            var t = 0
            for f in 0..<featureCount {
                let start = f == 0 ? 0 : featureEnd[f - 1]
                w.key(2, 2); w.varint(UInt64(featureSize(f, tagBytes: tagBytes[f])))
                w.bytes.append(contentsOf: body[start..<idEnd[f]])
                if tagBytes[f] > 0 {
                    w.key(2, 2); w.varint(UInt64(tagBytes[f]))
                    while t < tagEnd[f] { w.varint(UInt64(featureTags[t])); w.varint(UInt64(rank[Int(featureTags[t + 1])])); t += 2 }
                }
                w.bytes.append(contentsOf: body[idEnd[f]..<featureEnd[f]])
            }
        }
        var inverse = [Int32](repeating: 0, count: valueOrder.count)
        for (v, r) in rank.enumerated() { inverse[Int(r)] = valueOrder[v] }
        for k in keyOrder { w.string(3, key(k)) }
        for v in inverse {
            let val = value(v)
            w.key(4, 2); w.varint(UInt64(val.encodedSize))
            val.encode(into: &w)
        }
        w.uint(5, UInt64(extent))
    }

    /// Wraps encoded layers into a tile.
    public static func tile(layers: [[UInt8]]) -> [UInt8] {
        var w = ProtobufWriter(capacity: layers.reduce(0) { $0 + $1.count + 6 })
        for l in layers { w.bytes(3, l) }
        return w.bytes
    }
}
