import Foundation
import Geo

/// A layer's tile properties encoded once: every distinct key and value
/// of the configured properties, and per feature its (key, value) index
/// pairs. Built when a snapshot's layer is first tiled, so cutting a tile
/// never parses JSON or hashes strings: the layer builder maps these
/// layer-wide indices to the tile's own tables with two flat arrays.
/// Values are sorted (`MVTValue.precedes`), so comparing two indices
/// compares their values: tiles order their value tables by integers.
public struct TilePropertyTable: Sendable {
    public let keys: [String]
    public let values: [MVTValue]
    /// Pairs of (key index, value index); feature i's are tagStart[i] ..< tagStart[i + 1] (pairs).
    let tags: [UInt32]
    let tagStart: [Int32]

    public var memoryBytes: Int { tags.count * 4 + tagStart.count * 4 + values.count * 24 + keys.reduce(0) { $0 + $1.utf8.count + 16 } }

    /// Reads every feature's properties through `properties` once.
    public init(count: Int, keys wanted: [String]?, properties: (Int) -> JSONObject) {
        var keys: [String] = [], keyIndex: [String: UInt32] = [:]
        var values: [MVTValue] = [], valueIndex: [MVTValue: UInt32] = [:]
        var tags: [UInt32] = [], tagStart: [Int32] = [0]
        tags.reserveCapacity(count * 2 * (wanted?.count ?? 4))
        for i in 0..<count {
            let props = properties(i)
            func add(_ k: String, _ json: JSONValue) {
                guard let v = MVTValue(json: json) else { return }
                let ki: UInt32
                if let e = keyIndex[k] { ki = e } else { ki = UInt32(keys.count); keys.append(k); keyIndex[k] = ki }
                let vi: UInt32
                if let e = valueIndex[v] { vi = e } else { vi = UInt32(values.count); values.append(v); valueIndex[v] = vi }
                tags.append(ki); tags.append(vi)
            }
            if let wanted { for k in wanted { if let v = props[k] { add(k, v) } } } else { for m in props.members { add(m.key, m.value) } }
            tagStart.append(Int32(tags.count / 2))
        }
        let order = MVTValue.sortedIndices(values)
        var position = [UInt32](repeating: 0, count: values.count)
        for (n, v) in order.enumerated() { position[v] = UInt32(n) }
        var t = 1
        while t < tags.count { tags[t] = position[Int(tags[t])]; t += 2 }
        self.keys = keys; self.values = order.map { values[$0] }; self.tags = tags; self.tagStart = tagStart
    }
}

extension MVTValue {
    /// A total order for value tables: by type (string, float, double, int,
    /// uint, sint, bool, as the proto numbers them), then by value, strings
    /// by their UTF-8 bytes, so similar strings sit together for gzip.
    public func precedes(_ other: MVTValue) -> Bool {
        switch (self, other) {
        case (.string(let a), .string(let b)): return Self.utf8Less(a, b)
        case (.float(let a), .float(let b)): return a < b || (a == b && a.sign == .minus && b.sign == .plus) || (!a.isNaN && b.isNaN)
        case (.double(let a), .double(let b)): return a < b || (a == b && a.sign == .minus && b.sign == .plus) || (!a.isNaN && b.isNaN)
        case (.int(let a), .int(let b)), (.sint(let a), .sint(let b)): return a < b
        case (.uint(let a), .uint(let b)): return a < b
        case (.bool(let a), .bool(let b)): return !a && b
        default: return typeRank < other.typeRank
        }
    }

    /// `values.indices` sorted by `precedes`. Strings (most of a big table)
    /// are compared as slices of one byte buffer, without per-comparison
    /// reference counting: this runs over every distinct value of a layer.
    static func sortedIndices(_ values: [MVTValue]) -> [Int] {
        var strings: [Int] = [], others: [Int] = []
        var bytes: [UInt8] = [], start: [Int] = [], end: [Int] = []
        start.reserveCapacity(values.count); end.reserveCapacity(values.count)
        for (i, v) in values.enumerated() {
            if case .string(let s) = v {
                strings.append(i)
                start.append(bytes.count); bytes.append(contentsOf: s.utf8); end.append(bytes.count)
            } else {
                others.append(i)
                start.append(0); end.append(0)
            }
        }
        bytes.withUnsafeBufferPointer { b in
            let base = b.baseAddress
            strings.sort { x, y in
                let lx = end[x] - start[x], ly = end[y] - start[y], n = min(lx, ly)
                let c = n == 0 ? 0 : memcmp(base! + start[x], base! + start[y], n)
                return c != 0 ? c < 0 : lx < ly
            }
        }
        others.sort { values[$0].precedes(values[$1]) }
        return strings + others  // strings rank first in `precedes`
    }

    var typeRank: Int {
        switch self {
        case .string: 1
        case .float: 2
        case .double: 3
        case .int: 4
        case .uint: 5
        case .sint: 6
        case .bool: 7
        }
    }

    static func utf8Less(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let n = min(x.count, y.count)
                let c = n == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, n)
                return c != 0 ? c < 0 : x.count < y.count
            }
        }
    }

    /// JSON property as an MVT value: integers as uint/sint, other numbers as
    /// double, strings, booleans; arrays and objects as compact JSON text; null → nil (omitted).
    public init?(json: JSONValue) {
        switch json {
        case .null: return nil
        case .bool(let b): self = .bool(b)
        case .string(let s): self = .string(s)
        case .number(let d):
            if d.rounded() == d, abs(d) < 9.0e15 { self = d >= 0 ? .uint(UInt64(d)) : .sint(Int64(d)) } else { self = .double(d) }
        case .array, .object: self = .string(JSONWriter.string(json))
        }
    }
}

/// Maps a property table's layer-wide key and value indices to one tile's
/// indices. Entries are valid only when their stamp equals the current
/// stamp, so a new tile costs one increment (`nextTile`) instead of clearing
/// arrays as long as the layer's value table. A tile builder keeps one per
/// layer and moves it into each tile's layer builder.
public struct TilePropertyRemap: Sendable {
    var keyMap: [UInt32] = [], keyStamp: [UInt32] = []
    var valueMap: [UInt32] = [], valueStamp: [UInt32] = []
    var stamp: UInt32 = 1

    public init() {}

    mutating func prepare(for table: TilePropertyTable) {
        if keyMap.count != table.keys.count { keyMap = .init(repeating: 0, count: table.keys.count); keyStamp = .init(repeating: 0, count: table.keys.count) }
        if valueMap.count != table.values.count { valueMap = .init(repeating: 0, count: table.values.count); valueStamp = .init(repeating: 0, count: table.values.count) }
    }

    /// Invalidates every entry (call before a new tile).
    public mutating func nextTile() {
        stamp &+= 1
        if stamp == 0 {  // wrapped: clear once every 2^32 tiles
            for i in keyStamp.indices { keyStamp[i] = 0 }
            for i in valueStamp.indices { valueStamp[i] = 0 }
            stamp = 1
        }
    }
}
