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
            let keys = indexedKeys.map { Array($0.utf8) }
            var found = [String?](repeating: nil, count: keys.count)
            for i in 0..<texts.count {
                // A scan for the keys' string values, no dictionary per feature (a full
                // parse was most of a city's snapshot load); a full parse where the scan
                // meets anything it does not take on trust (escapes, odd layout).
                let scanned = bytes.withUnsafeBufferPointer { b in
                    TopLevelStrings.scan(b, from: Int(offsets[i]), to: Int(offsets[i + 1]), keys: keys, into: &found)
                }
                if !scanned {
                    let object = (try? JSONParser.parse(texts[i]))?.objectValue
                    for (k, key) in indexedKeys.enumerated() { found[k] = object?[key]?.stringValue }
                }
                for k in 0..<keys.count {
                    guard let v = found[k] else { continue }
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

    /// `object(i)[key]?.textValue` for each key (nil: absent), without building the
    /// object when the values are plain strings: for reading a key or two of every
    /// feature of a large layer.
    public func texts(_ i: Int, keys: [[UInt8]]) -> [String?] {
        var found = [String?](repeating: nil, count: keys.count)
        let scanned = bytes.withUnsafeBufferPointer { b in
            TopLevelStrings.scan(b, from: Int(offsets[i]), to: Int(offsets[i + 1]), keys: keys, into: &found, onlyStrings: false)
        }
        if scanned { return found }
        let object = self.object(i)
        return keys.map { k in object[String(decoding: k, as: UTF8.self)]?.textValue }
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

/// Reads the string values of a few top-level keys straight from a JSON
/// object's bytes, skipping every other value unparsed. Says `false` (the
/// caller parses the text fully) at anything it does not read itself: an
/// escape in a key or a wanted value, a wanted value that is not a string
/// (unless `onlyStrings`, where such a value counts as absent, as
/// `stringValue` has it), or bytes that are not a well-formed object.
/// The last of duplicate keys wins, as in a full parse.
enum TopLevelStrings {
    static func scan(_ b: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, keys: [[UInt8]],
                     into found: inout [String?], onlyStrings: Bool = true) -> Bool {
        for k in found.indices { found[k] = nil }
        var i = start, seen: UInt64 = 0
        func skipSpace() { while i < end, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 } }
        /// Moves past a string whose opening quote is at i; returns its contents' range and whether it had an escape.
        func string() -> (Range<Int>, Bool)? {
            guard i < end, b[i] == 0x22 else { return nil }
            i += 1
            let first = i
            var escaped = false
            while i < end {
                let c = b[i]
                if c == 0x22 { i += 1; return (first..<(i - 1), escaped) }
                if c == 0x5C { escaped = true; i += 2; continue }
                i += 1
            }
            return nil
        }
        /// Moves past any value (nested objects and arrays by depth, strings by their quotes).
        func skipValue() -> Bool {
            guard i < end else { return false }
            if b[i] == 0x22 { return string() != nil }
            var depth = 0
            while i < end {
                let c = b[i]
                if c == 0x22 { guard string() != nil else { return false }; continue }
                if c == 0x7B || c == 0x5B { depth += 1 } else if c == 0x7D || c == 0x5D {
                    if depth == 0 { return true }
                    depth -= 1
                    if depth == 0 { i += 1; return true }
                } else if c == 0x2C, depth == 0 { return true }
                i += 1
            }
            return false
        }
        skipSpace()
        guard i < end, b[i] == 0x7B else { return false }
        i += 1
        skipSpace()
        if i < end, b[i] == 0x7D { return true }
        while true {
            skipSpace()
            guard let (key, keyEscaped) = string(), !keyEscaped else { return false }
            skipSpace()
            guard i < end, b[i] == 0x3A else { return false }
            i += 1
            skipSpace()
            var wanted = -1
            for (k, want) in keys.enumerated() where want.count == key.count {
                var same = true
                for j in 0..<want.count where want[j] != b[key.lowerBound + j] { same = false; break }
                if same { wanted = k; break }
            }
            if wanted >= 0, seen & (UInt64(1) << wanted) != 0 {
                // A later duplicate: the full parse's lookup answers the first.
                guard skipValue() else { return false }
            } else if wanted >= 0 {
                seen |= UInt64(1) << wanted
                if i < end, b[i] == 0x22 {
                    guard let (value, escaped) = string(), !escaped else { return false }
                    found[wanted] = String(decoding: UnsafeBufferPointer(rebasing: b[value]), as: UTF8.self)
                } else if onlyStrings {
                    guard skipValue() else { return false }
                    found[wanted] = nil
                } else {
                    return false
                }
            } else {
                guard skipValue() else { return false }
            }
            skipSpace()
            guard i < end else { return false }
            if b[i] == 0x2C { i += 1; continue }
            if b[i] == 0x7D { return true }
            return false
        }
    }
}
