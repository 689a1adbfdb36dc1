/// Streams features out of GeoJSON text without holding the file in memory.
///
/// Accepts, in one pass: a FeatureCollection (its `features` array is read
/// element by element), a single Feature or bare geometry, newline-delimited
/// GeoJSON, and RFC 8142 GeoJSON text sequences (RS-separated). Members of a
/// FeatureCollection other than `features` (`crs`, `name`, …) are kept in
/// `collectionMembers` once read.
///
/// A syntax error is fatal (the stream cannot be resynchronised) and thrown;
/// a feature that is valid JSON but not valid GeoJSON comes back as a
/// record with a failed `feature` so the caller can reject just that one.
public final class GeoJSONFeatureReader {
    public struct Record {
        /// 0-based position of the feature in the file.
        public let index: Int
        public let feature: Result<Feature, GeoError>
        /// The feature's JSON text as it appeared in the file.
        public let rawText: String
    }

    enum State { case top, topObject, features, done }

    let input: ChunkedByteReader
    var state = State.top
    var index = 0
    var members = JSONObject()
    public private(set) var collectionMembers = JSONObject()

    public init(path: String) throws(GeoError) {
        input = try ChunkedByteReader(path: path)
    }

    public var bytesRead: Int64 { input.bytesRead }
    public var totalBytes: Int64? { input.totalBytes }

    /// The CRS named by a legacy (2008) GeoJSON `crs` member, e.g.
    /// "urn:ogc:def:crs:EPSG::4544" → "EPSG:4544", if one was seen.
    public var declaredCRS: String? {
        guard let name = (collectionMembers["crs"] ?? members["crs"])?["properties"]?["name"]?.stringValue else { return nil }
        return GeoJSONFeatureReader.normaliseCRSName(name)
    }

    public static func normaliseCRSName(_ name: String) -> String {
        if name.hasPrefix("urn:ogc:def:crs:") {
            let parts = name.split(separator: ":", omittingEmptySubsequences: true)
            if parts.count >= 5, parts[4] == "EPSG" || parts[4] == "OGC" {
                let code = parts.last.map(String.init) ?? ""
                if parts[4] == "OGC" && code == "CRS84" { return "EPSG:4326" }
                return "EPSG:\(code)"
            }
        }
        return name
    }

    func syntax(_ msg: String) -> GeoError {
        GeoError(.malformedJSON, "malformed GeoJSON: \(msg)", context: "near byte \(input.bytesRead - Int64(input.window.count - input.pos))")
    }

    func skipSpace() throws(GeoError) {
        while let c = try input.peek() {
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 || c == 0x1E { input.pos += 1 } else { return }
        }
    }

    /// Length of the JSON value starting at `input.pos`, reading more as needed.
    func valueLength() throws(GeoError) -> Int {
        var n = 0
        var depth = 0
        var inString = false
        while true {
            while input.pos + n >= input.window.count {
                if try !input.fill() {
                    if depth == 0 && !inString && n > 0 { return n }
                    throw syntax("unexpected end of file inside a value")
                }
            }
            let c = input.window[input.pos + n]
            n += 1
            if inString {
                if c == UInt8(ascii: "\\") { n += 1 } else if c == UInt8(ascii: "\"") {
                    inString = false
                    if depth == 0 { return n }
                }
                continue
            }
            switch c {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if depth == 0 { return n - 1 } // a scalar ended by its container's close
                depth -= 1
                if depth < 0 { throw syntax("unbalanced bracket") }
                if depth == 0 { return n }
            case 0x20, 0x0A, 0x0D, 0x09, UInt8(ascii: ","), UInt8(ascii: ":"):
                if depth == 0 { return n - 1 } // end of a scalar
            default: break
            }
        }
    }

    func parseValue() throws(GeoError) -> (JSONValue, Range<Int>) {
        let len = try valueLength()
        let range = input.pos..<(input.pos + len)
        let v: Result<JSONValue, GeoError> = input.window.withUnsafeBufferPointer { buf in
            do throws(GeoError) { return .success(try JSONParser.parse(UnsafeBufferPointer(rebasing: buf[range]))) } catch { return .failure(error) }
        }
        input.pos += len
        switch v {
        case .success(let x): return (x, range)
        case .failure(let e): throw syntax(e.message + " in value at \(e.context ?? "?")")
        }
    }

    func expect(_ c: UInt8, _ what: String) throws(GeoError) {
        try skipSpace()
        guard try input.peek() == c else { throw syntax("expected \(what)") }
        input.pos += 1
    }

    func record(_ v: JSONValue, _ range: Range<Int>) -> Record {
        let raw = String(decoding: input.window[range], as: UTF8.self)
        defer { index += 1 }
        do throws(GeoError) { return Record(index: index, feature: .success(try GeoJSON.decodeFeature(v)), rawText: raw) } catch {
            return Record(index: index, feature: .failure(error), rawText: raw)
        }
    }

    /// The next feature, or nil at the end of the input.
    public func next() throws(GeoError) -> Record? {
        while true {
            switch state {
            case .done:
                return nil
            case .top:
                try skipSpace()
                guard let c = try input.peek() else { state = .done; return nil }
                guard c == UInt8(ascii: "{") else {
                    throw syntax(index == 0 ? "not GeoJSON: the file must start with a JSON object" : "expected a JSON object")
                }
                input.pos += 1
                members = JSONObject()
                state = .topObject
            case .topObject:
                try skipSpace()
                guard let c = try input.peek() else { throw syntax("unexpected end of file inside an object") }
                if c == UInt8(ascii: ",") { input.pos += 1; continue }
                if c == UInt8(ascii: "}") {
                    input.pos += 1
                    state = .top
                    let type = members["type"]?.stringValue
                    if type == "FeatureCollection" {
                        collectionMembers = members
                        continue
                    }
                    if type == "Feature" || type.flatMap(GeometryType.init(rawValue:)) != nil {
                        var text = ""
                        JSONWriter.write(.object(members), to: &text)
                        defer { index += 1 }
                        do throws(GeoError) { return Record(index: index, feature: .success(try GeoJSON.decodeFeature(.object(members))), rawText: text) } catch {
                            return Record(index: index, feature: .failure(error), rawText: text)
                        }
                    }
                    throw syntax("not GeoJSON: top-level object has type \(type.map { "\"\($0)\"" } ?? "(none)")")
                }
                guard c == UInt8(ascii: "\"") else { throw syntax("expected a member name") }
                let (key, _) = try parseValue()
                try expect(UInt8(ascii: ":"), "':'")
                try skipSpace()
                if key.stringValue == "features", members["type"]?.stringValue != "Feature" {
                    guard try input.peek() == UInt8(ascii: "[") else { throw syntax("\"features\" must be an array") }
                    input.pos += 1
                    collectionMembers = members
                    state = .features
                    continue
                }
                let (v, _) = try parseValue()
                members[key.stringValue ?? ""] = v
                collectionMembers = members
            case .features:
                try skipSpace()
                guard let c = try input.peek() else { throw syntax("unexpected end of file inside \"features\"") }
                if c == UInt8(ascii: ",") { input.pos += 1; continue }
                if c == UInt8(ascii: "]") { input.pos += 1; state = .topObject; members["type"] = members["type"] ?? .string("FeatureCollection"); continue }
                let (v, range) = try parseValue()
                return record(v, range)
            }
        }
    }
}
