import Geo

/// Builds one MVT layer: keys and values deduplicated (values by type),
/// geometry written as commands with zigzag deltas, repeated points and
/// degenerate parts dropped, ring orientation enforced after rounding.
/// Mutable builder; `finish()` yields the encoded layer bytes.
public struct MVTLayerBuilder {
    public let name: String
    public let extent: UInt32
    var keys: [String] = []
    var keyIndex: [String: UInt32] = [:]
    var values: [MVTValue] = []
    var valueIndex: [MVTValue: UInt32] = [:]
    var features = ProtobufWriter(capacity: 4096)
    public private(set) var featureCount = 0
    /// Scratch buffers reused across features.
    var tags: [UInt32] = []
    var commands: [UInt32] = []

    public init(name: String, extent: UInt32 = 4096) { self.name = name; self.extent = extent }

    /// Bytes of features written so far (to enforce a tile size cap).
    public var approximateSize: Int { features.bytes.count + keys.reduce(0) { $0 + $1.utf8.count + 2 } + values.count * 8 }

    // MARK: properties

    public mutating func property(_ key: String, _ value: MVTValue) {
        let k: UInt32
        if let i = keyIndex[key] { k = i } else { k = UInt32(keys.count); keys.append(key); keyIndex[key] = k }
        let v: UInt32
        if let i = valueIndex[value] { v = i } else { v = UInt32(values.count); values.append(value); valueIndex[value] = v }
        tags.append(k); tags.append(v)
    }

    /// JSON property as an MVT value: integers as uint/sint, other numbers as
    /// double, strings, booleans; arrays and objects as compact JSON text; null omitted.
    public mutating func property(_ key: String, json: JSONValue) {
        switch json {
        case .null: return
        case .bool(let b): property(key, .bool(b))
        case .string(let s): property(key, .string(s))
        case .number(let d):
            if d.rounded() == d, abs(d) < 9.0e15 {
                property(key, d >= 0 ? .uint(UInt64(d)) : .sint(Int64(d)))
            } else {
                property(key, .double(d))
            }
        case .array, .object: property(key, .string(JSONWriter.string(json)))
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

    mutating func writeFeature(id: UInt64?, type: MVTGeomType) {
        let tagsNow = tags, commandsNow = commands
        features.message(2) { w in
            if let id { w.uint(1, id) }
            w.packed(2, tagsNow)
            w.uint(3, type.rawValue)
            w.packed(4, commandsNow)
        }
        tags.removeAll(keepingCapacity: true)
        featureCount += 1
    }

    /// Discards properties added for a feature that was then not written.
    public mutating func discardPendingProperties() { tags.removeAll(keepingCapacity: true) }

    /// The encoded `Layer` message (without the enclosing tile field), or nil when empty.
    public func finish() -> [UInt8]? {
        guard featureCount > 0 else { return nil }
        var w = ProtobufWriter(capacity: features.bytes.count + 256)
        w.uint(15, 2)
        w.string(1, name)
        w.bytes.append(contentsOf: features.bytes)
        for k in keys { w.string(3, k) }
        for v in values { w.message(4) { v.encode(into: &$0) } }
        w.uint(5, UInt64(extent))
        return w.bytes
    }

    /// Wraps encoded layers into a tile.
    public static func tile(layers: [[UInt8]]) -> [UInt8] {
        var w = ProtobufWriter(capacity: layers.reduce(0) { $0 + $1.count + 6 })
        for l in layers { w.bytes(3, l) }
        return w.bytes
    }
}
