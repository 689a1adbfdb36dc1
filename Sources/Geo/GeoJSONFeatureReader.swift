/// Streams features out of GeoJSON text without holding the file in memory.
///
/// Accepts, in one pass (after a UTF-8 byte-order mark, if any): a FeatureCollection (its `features` array is read
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
        /// The feature's JSON text as it appeared in the file, kept only when
        /// the feature failed to decode (a decoded feature can be re-serialised).
        public let rawText: String?
    }

    enum State { case top, topObject, features, done }

    let input: ChunkedByteReader
    var state = State.top
    var index = 0
    var members = JSONObject()
    var startChecked = false
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

    /// A UTF-8 byte-order mark at the start is skipped; UTF-16/32 text is refused by name.
    func skipByteOrderMark() throws(GeoError) {
        startChecked = true
        var first: [UInt8] = []
        for i in 0..<4 { guard let b = try input.peek(i) else { break }; first.append(b) }
        let start = TextStart(first)
        if let refusal = start.refusal { throw GeoError(.malformedJSON, "not GeoJSON: \(refusal)", context: "near byte 0") }
        input.pos += start.skip
    }

    /// Length of the JSON value starting at `input.pos`, reading more as needed.
    /// The scan runs over an unsafe buffer with its state (depth, string,
    /// escape) carried across refills: this is the per-byte hot loop.
    func valueLength() throws(GeoError) -> Int {
        var n = 0
        var depth = 0
        var inString = false
        var escaped = false
        while true {
            let start = input.pos
            let found: Int? = input.window.withUnsafeBufferPointer { buf -> Int? in
                var k = start + n
                let end = buf.count
                while k < end {
                    let c = buf[k]
                    k += 1
                    if inString {
                        if escaped { escaped = false } else if c == 0x5C { escaped = true } else if c == 0x22 {
                            inString = false
                            if depth == 0 { return k - start }
                        }
                        continue
                    }
                    switch c {
                    case 0x22: inString = true
                    case 0x7B, 0x5B: depth += 1
                    case 0x7D, 0x5D:
                        if depth == 0 { return k - 1 - start } // a scalar ended by its container's close
                        depth -= 1
                        if depth == 0 { return k - start }
                    case 0x20, 0x0A, 0x0D, 0x09, 0x2C, 0x3A:
                        if depth == 0 { return k - 1 - start } // end of a scalar
                    default: break
                    }
                }
                n = k - start
                return nil
            }
            if let found { return found }
            if try !input.fill() {
                if depth == 0 && !inString && n > 0 { return n }
                throw syntax("unexpected end of file inside a value")
            }
            // fill() may have compacted the window: positions are relative to input.pos, so n stays valid.
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
        defer { index += 1 }
        do throws(GeoError) { return Record(index: index, feature: .success(try GeoJSON.decodeFeature(v)), rawText: nil) } catch {
            return Record(index: index, feature: .failure(error), rawText: String(decoding: input.window[range], as: UTF8.self))
        }
    }

    /// The next feature, or nil at the end of the input.
    public func next() throws(GeoError) -> Record? {
        while true {
            switch state {
            case .done:
                return nil
            case .top:
                if !startChecked { try skipByteOrderMark() }
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
                        defer { index += 1 }
                        do throws(GeoError) { return Record(index: index, feature: .success(try GeoJSON.decodeFeature(.object(members))), rawText: nil) } catch {
                            return Record(index: index, feature: .failure(error), rawText: JSONWriter.string(.object(members)))
                        }
                    }
                    throw syntax("not GeoJSON: top-level object has type \(type.map { InputText.quoted($0) } ?? "(none)")")
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
