import Geo

/// Feature properties kept as the compact JSON text the store holds, in
/// one byte buffer with offsets: parsed only for the features an answer
/// returns. A few low-cardinality keys chosen by role are also kept
/// dictionary-encoded for fast `where=key:value` filters.
public struct PropertyColumn: Sendable {
    let bytes: [UInt8]
    let offsets: [Int32]
    /// key → (value → code), and per feature the code (-1 = absent).
    let encoded: [String: (values: [String: Int32], codes: [Int32])]

    public var count: Int { offsets.count - 1 }
    public var memoryBytes: Int { bytes.count + offsets.count * 4 + encoded.values.reduce(0) { $0 + $1.codes.count * 4 } }

    init(texts: [String], indexedKeys: [String]) {
        var bytes: [UInt8] = [], offsets: [Int32] = [0]
        for t in texts { bytes += t.utf8; offsets.append(Int32(bytes.count)) }
        self.bytes = bytes
        self.offsets = offsets
        // One parse per feature for all indexed keys.
        var values = [[String: Int32]](repeating: [:], count: indexedKeys.count)
        var codes = [[Int32]](repeating: [Int32](repeating: -1, count: texts.count), count: indexedKeys.count)
        if !indexedKeys.isEmpty {
            for (i, t) in texts.enumerated() {
                guard let object = (try? JSONParser.parse(t))?.objectValue else { continue }
                for (k, key) in indexedKeys.enumerated() {
                    guard let v = object[key]?.stringValue else { continue }
                    let code = values[k][v] ?? Int32(values[k].count)
                    values[k][v] = code
                    codes[k][i] = code
                }
            }
        }
        var enc: [String: (values: [String: Int32], codes: [Int32])] = [:]
        for (k, key) in indexedKeys.enumerated() { enc[key] = (values[k], codes[k]) }
        encoded = enc
    }

    public func text(_ i: Int) -> String {
        String(decoding: bytes[Int(offsets[i])..<Int(offsets[i + 1])], as: UTF8.self)
    }

    public func object(_ i: Int) -> JSONObject {
        (try? JSONParser.parse(text(i)))?.objectValue ?? JSONObject()
    }

    /// Whether any feature has property `key` (a byte search for `"key":`, no parsing).
    public func hasKey(_ key: String) -> Bool {
        if encoded[key] != nil { return true }
        var needle = ""
        JSONWriter.writeString(key, to: &needle)
        let pattern = Array((needle + ":").utf8)
        guard let first = pattern.first, bytes.count >= pattern.count else { return false }
        var i = 0
        let last = bytes.count - pattern.count
        while i <= last {
            if bytes[i] == first {
                var j = 1
                while j < pattern.count && bytes[i + j] == pattern[j] { j += 1 }
                if j == pattern.count { return true }
            }
            i += 1
        }
        return false
    }

    /// A predicate "property `key` equals `value`" over feature positions.
    public func matcher(key: String, value: String) -> (Int) -> Bool {
        if let e = encoded[key] {
            guard let code = e.values[value] else { return { _ in false } }
            let codes = e.codes
            return { codes[$0] == code }
        }
        return { i in
            guard let v = self.object(i)[key] else { return false }
            return v.textValue == value
        }
    }
}
