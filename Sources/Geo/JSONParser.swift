/// A strict, allocation-light JSON parser over UTF-8 bytes.
///
/// Leniency, on purpose: the bare tokens `NaN`, `Infinity` and `-Infinity`
/// (written by Python's json module and some GIS exporters) parse as
/// numbers, so an importer can reject the *feature* with a clear reason
/// instead of failing the whole file on a syntax error.
public struct JSONParser {
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(GeoError) -> JSONValue {
        var p = JSONParser(bytes)
        // RFC 8259 §8.1: a parser may ignore a leading UTF-8 byte-order mark; UTF-16/32 is refused by name.
        // Checked only when the first bytes could be a mark or wide text (no allocation per feature).
        if let b0 = bytes.first, b0 == 0xEF || b0 == 0xFE || b0 == 0xFF || b0 == 0 || (bytes.count > 1 && bytes[1] == 0) {
            let start = TextStart(Array(bytes.prefix(4)))
            if let refusal = start.refusal { throw p.error(refusal) }
            p.pos = start.skip
        }
        p.skipWhitespace()
        let v = try p.parseValue(depth: 0)
        p.skipWhitespace()
        guard p.pos == p.end else { throw p.error("unexpected trailing characters") }
        return v
    }

    public static func parse(_ text: String) throws(GeoError) -> JSONValue {
        var t = text
        let r: Result<JSONValue, GeoError> = t.withUTF8 { buf in
            do throws(GeoError) { return .success(try parse(buf)) } catch { return .failure(error) }
        }
        return try r.get()
    }

    public static func parse(_ bytes: [UInt8]) throws(GeoError) -> JSONValue {
        let r: Result<JSONValue, GeoError> = bytes.withUnsafeBufferPointer { buf in
            do throws(GeoError) { return .success(try parse(buf)) } catch { return .failure(error) }
        }
        return try r.get()
    }

    static let maxDepth = 512

    let base: UnsafePointer<UInt8>
    var pos: Int
    let end: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        // An empty buffer may have a nil base; point at a static byte instead.
        base = bytes.baseAddress ?? UnsafePointer(JSONParser.emptyByte)
        pos = 0
        end = bytes.count
    }

    nonisolated(unsafe) static let emptyByte: UnsafeMutablePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.pointee = 0
        return p
    }()

    func error(_ msg: String) -> GeoError {
        GeoError(.malformedJSON, "malformed JSON: \(msg)", context: "byte \(pos)")
    }

    @inline(__always) mutating func skipWhitespace() {
        while pos < end {
            let c = base[pos]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { pos += 1 } else { break }
        }
    }

    mutating func parseValue(depth: Int) throws(GeoError) -> JSONValue {
        guard pos < end else { throw error("unexpected end of input") }
        guard depth < JSONParser.maxDepth else { throw error("nesting deeper than \(JSONParser.maxDepth)") }
        switch base[pos] {
        case UInt8(ascii: "{"): return .object(try parseObject(depth: depth))
        case UInt8(ascii: "["): return .array(try parseArray(depth: depth))
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "N"): try expectLiteral("NaN"); return .number(.nan)
        case UInt8(ascii: "I"): try expectLiteral("Infinity"); return .number(.infinity)
        default: return .number(try parseNumber())
        }
    }

    mutating func expectLiteral(_ lit: StaticString) throws(GeoError) {
        let n = lit.utf8CodeUnitCount
        guard end - pos >= n else { throw error("unexpected end of input") }
        let p = lit.utf8Start
        for i in 0..<n where base[pos + i] != p[i] { throw error("invalid literal") }
        pos += n
    }

    mutating func parseObject(depth: Int) throws(GeoError) -> JSONObject {
        pos += 1
        var members: [(key: String, value: JSONValue)] = []
        skipWhitespace()
        if pos < end && base[pos] == UInt8(ascii: "}") { pos += 1; return JSONObject(members) }
        while true {
            skipWhitespace()
            guard pos < end, base[pos] == UInt8(ascii: "\"") else { throw error("expected a member name") }
            let key = try parseString()
            skipWhitespace()
            guard pos < end, base[pos] == UInt8(ascii: ":") else { throw error("expected ':' after member name") }
            pos += 1
            skipWhitespace()
            let v = try parseValue(depth: depth + 1)
            members.append((key, v))
            skipWhitespace()
            guard pos < end else { throw error("unterminated object") }
            let c = base[pos]
            pos += 1
            if c == UInt8(ascii: ",") { continue }
            if c == UInt8(ascii: "}") { return JSONObject(members) }
            pos -= 1
            throw error("expected ',' or '}' in object")
        }
    }

    mutating func parseArray(depth: Int) throws(GeoError) -> [JSONValue] {
        pos += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if pos < end && base[pos] == UInt8(ascii: "]") { pos += 1; return items }
        while true {
            skipWhitespace()
            items.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard pos < end else { throw error("unterminated array") }
            let c = base[pos]
            pos += 1
            if c == UInt8(ascii: ",") { continue }
            if c == UInt8(ascii: "]") { return items }
            pos -= 1
            throw error("expected ',' or ']' in array")
        }
    }

    mutating func parseString() throws(GeoError) -> String {
        pos += 1
        let start = pos
        // Fast path: no escapes.
        while pos < end {
            let c = base[pos]
            if c == UInt8(ascii: "\"") {
                let s = try makeString(start, pos)
                pos += 1
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw error("control character in string") }
            pos += 1
        }
        var out: [UInt8] = Array(UnsafeBufferPointer(start: base + start, count: pos - start))
        while pos < end {
            let c = base[pos]
            if c == UInt8(ascii: "\"") {
                pos += 1
                guard let s = String(validating: out, as: UTF8.self) else { throw error("invalid UTF-8 in string") }
                return s
            }
            if c < 0x20 { throw error("control character in string") }
            if c != UInt8(ascii: "\\") { out.append(c); pos += 1; continue }
            pos += 1
            guard pos < end else { break }
            let e = base[pos]
            pos += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    guard end - pos >= 6, base[pos] == UInt8(ascii: "\\"), base[pos + 1] == UInt8(ascii: "u") else {
                        throw error("unpaired surrogate in \\u escape")
                    }
                    pos += 2
                    let low = try hex4()
                    guard low >= 0xDC00 && low < 0xE000 else { throw error("invalid low surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    throw error("unpaired surrogate in \\u escape")
                }
                guard let u = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default:
                throw error("invalid escape")
            }
        }
        throw error("unterminated string")
    }

    mutating func hex4() throws(GeoError) -> UInt32 {
        guard end - pos >= 4 else { throw error("short \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = base[pos]
            pos += 1
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw error("invalid hex digit in \\u escape")
            }
            v = v << 4 | d
        }
        return v
    }

    func makeString(_ from: Int, _ to: Int) throws(GeoError) -> String {
        let buf = UnsafeBufferPointer(start: base + from, count: to - from)
        guard let s = String(validating: buf, as: UTF8.self) else { throw error("invalid UTF-8 in string") }
        return s
    }

    static let pow10: [Double] = (0...22).map { e in var v = 1.0; for _ in 0..<e { v *= 10 }; return v }

    mutating func parseNumber() throws(GeoError) -> Double {
        let start = pos
        var negative = false
        if base[pos] == UInt8(ascii: "-") {
            negative = true
            pos += 1
            if pos < end && base[pos] == UInt8(ascii: "I") { try expectLiteral("Infinity"); return -.infinity }
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var intDigits = 0
        while pos < end, base[pos] &- 0x30 < 10 {
            if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(base[pos] &- 0x30) }
            digits += 1; intDigits += 1; pos += 1
        }
        guard intDigits > 0 else { throw error("invalid number") }
        if intDigits > 1 && base[start + (negative ? 1 : 0)] == UInt8(ascii: "0") { throw error("leading zero in number") }
        var fracDigits = 0
        if pos < end && base[pos] == UInt8(ascii: ".") {
            pos += 1
            while pos < end, base[pos] &- 0x30 < 10 {
                if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(base[pos] &- 0x30); fracDigits += 1 }
                digits += 1; pos += 1
            }
            if fracDigits == 0 && digits == intDigits { throw error("digit expected after '.'") }
        }
        var hasExponent = false
        if pos < end && (base[pos] == UInt8(ascii: "e") || base[pos] == UInt8(ascii: "E")) {
            hasExponent = true
            pos += 1
            if pos < end && (base[pos] == UInt8(ascii: "+") || base[pos] == UInt8(ascii: "-")) { pos += 1 }
            var expDigits = 0
            while pos < end, base[pos] &- 0x30 < 10 { pos += 1; expDigits += 1 }
            guard expDigits > 0 else { throw error("digit expected in exponent") }
        }
        // Exact fast path: mantissa < 2^53 and a power of ten <= 1e22 are both
        // exactly representable, so one division is correctly rounded.
        if !hasExponent && digits <= 15 && fracDigits <= 22 {
            let v = Double(mantissa) / JSONParser.pow10[fracDigits]
            return negative ? -v : v
        }
        let text = String(decoding: UnsafeBufferPointer(start: base + start, count: pos - start), as: UTF8.self)
        guard let v = Double(text) else { throw error("invalid number") }
        return v
    }
}
