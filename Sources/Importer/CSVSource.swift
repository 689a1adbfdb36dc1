import Geo

/// Delimited text (RFC 4180 quoting; comma, or tab for .tsv or a tab-only
/// header) with either lon/lat columns or a WKT column. Fields are split on
/// bytes before decoding, which is safe for GBK/GB18030 because their
/// multi-byte sequences never contain ASCII ',', '"' or newline bytes.
/// Values stay text (as ogr2ogr's CSV driver does); role-numeric
/// properties are converted later by validation.
public final class CSVSource: FeatureSource {
    public struct Options: Sendable {
        public var lonField: String?
        public var latField: String?
        public var wktField: String?
        public var encoding: TextEncoding
        public init(lonField: String? = nil, latField: String? = nil, wktField: String? = nil, encoding: TextEncoding = .utf8) {
            self.lonField = lonField; self.latField = latField; self.wktField = wktField; self.encoding = encoding
        }
    }

    static let lonNames = ["lon", "lng", "longitude", "x", "经度", "long"]
    static let latNames = ["lat", "latitude", "y", "纬度"]
    static let wktNames = ["wkt", "geometry", "geom", "the_geom", "shape"]

    let input: ChunkedByteReader
    let path: String
    let options: Options
    /// One decoder for every field of this file.
    let decoder: TextDecoder
    var delimiter = UInt8(ascii: ",")
    public private(set) var header: [String] = []
    var lonIndex: Int?
    var latIndex: Int?
    var wktIndex: Int?
    var index = 0
    var line = 1

    public init(path: String, options: Options) throws(ImportError) {
        self.path = path
        self.options = options
        decoder = TextDecoder(options.encoding)
        do { input = try ChunkedByteReader(path: path) } catch { throw ImportError(.io, error.message, file: path) }
        if path.lowercased().hasSuffix(".tsv") { delimiter = 0x09 }
        try readHeader()
    }

    public var bytesRead: Int64 { input.bytesRead }
    public var totalBytes: Int64? { input.totalBytes }
    public var declaredCRS: CRS? { nil }

    func readHeader() throws(ImportError) {
        // A UTF-8 byte-order mark is skipped (Excel writes one); UTF-16/32 text is refused by name.
        var first: [UInt8] = []
        for i in 0..<4 { guard let b = try peek(i) else { break }; first.append(b) }
        let start = TextStart(first)
        if let refusal = start.refusal { throw ImportError(.encoding, refusal, file: path) }
        input.pos += start.skip
        guard let raw = try readRecord() else { throw ImportError(.format, "empty CSV file: no header line", file: path) }
        // A one-column header holding a tab means tab-separated: read it again once (a tab
        // inside a quoted header field stays one column; re-reading it again recursed forever).
        if raw.count == 1, raw[0].contains(0x09), delimiter != 0x09 {
            delimiter = 0x09
            input.pos = 0
            input.pos += start.skip
            line = 1
            return try readHeader()
        }
        header = try raw.enumerated().map { (i, f) throws(ImportError) -> String in
            guard let s = decoder.decode(f) else {
                throw ImportError(.encoding, "header column \(i + 1) is not valid \(options.encoding.rawValue) text (try --encoding gbk)", file: path)
            }
            return s.trimmingCharacters(in: .whitespaces)
        }
        func find(_ explicit: String?, _ names: [String], _ flag: String) throws(ImportError) -> Int? {
            if let explicit {
                guard let i = header.firstIndex(of: explicit) else {
                    throw ImportError(.options, "\(flag) \(explicit): no such column; columns are \(header.map { InputText.quoted($0) }.joined(separator: ", "))", file: path)
                }
                return i
            }
            return header.firstIndex { names.contains($0.lowercased()) }
        }
        wktIndex = try find(options.wktField, Self.wktNames, "--wkt-field")
        lonIndex = try find(options.lonField, Self.lonNames, "--lon-field")
        latIndex = try find(options.latField, Self.latNames, "--lat-field")
        if options.wktField == nil, options.lonField != nil || options.latField != nil { wktIndex = nil }
        if wktIndex == nil && (lonIndex == nil || latIndex == nil) {
            throw ImportError(.options, "no geometry columns found: give --lon-field and --lat-field, or --wkt-field (columns: \(header.map { InputText.quoted($0) }.joined(separator: ", ")))", file: path)
        }
    }

    @inline(__always) func peek(_ o: Int = 0) throws(ImportError) -> UInt8? {
        do { return try input.peek(o) } catch { throw ImportError(.io, error.message, file: path) }
    }

    /// The next record as raw byte fields; nil at end of file.
    func readRecord() throws(ImportError) -> [[UInt8]]? {
        // Skip blank lines between records.
        while let c = try peek(), c == 0x0A || c == 0x0D { if c == 0x0A { line += 1 }; input.pos += 1 }
        guard try peek() != nil else { return nil }
        var fields: [[UInt8]] = []
        var field: [UInt8] = []
        var quoted = false
        var fieldStart = true
        while true {
            // Runs of ordinary bytes are copied straight from the window: a per-byte
            // `peek` across the module boundary was most of reading a line.
            do {
                let window = input.window
                let end = window.count
                var i = input.pos
                if quoted {
                    while i < end, window[i] != 0x22, window[i] != 0x0A { i += 1 }
                } else {
                    while i < end {
                        let b = window[i]
                        if b == delimiter || b == 0x0A || b == 0x0D || b == 0x22 { break }
                        i += 1
                    }
                    if i > input.pos { fieldStart = false }
                }
                if i > input.pos {
                    field.append(contentsOf: window[input.pos..<i])
                    input.pos = i
                }
            }
            guard let c = try peek() else {
                if quoted { throw ImportError(.format, "unterminated quoted field starting before line \(line)", file: path) }
                fields.append(field)
                return fields
            }
            input.pos += 1
            if quoted {
                if c == 0x22 {
                    if try peek() == 0x22 { field.append(0x22); input.pos += 1 } else { quoted = false }
                } else {
                    if c == 0x0A { line += 1 }
                    field.append(c)
                }
                continue
            }
            if c == 0x22 && fieldStart { quoted = true; fieldStart = false; continue }
            fieldStart = false
            if c == delimiter { fields.append(field); field = []; fieldStart = true; continue }
            if c == 0x0D { continue }
            if c == 0x0A { line += 1; fields.append(field); return fields }
            field.append(c)
        }
    }

    public func next() throws(ImportError) -> SourceRecord? {
        let startLine = line
        guard let raw = try readRecord() else { return nil }
        defer { index += 1 }
        var values: [String] = []
        values.reserveCapacity(raw.count)
        for (i, f) in raw.enumerated() {
            guard let s = decoder.decode(f) else {
                let col = i < header.count ? InputText.quoted(header[i]) : "column \(i + 1)"
                throw ImportError(.encoding, "line \(startLine), field \(col): not valid \(options.encoding.rawValue) text (try --encoding gbk or gb18030)", file: path)
            }
            values.append(s)
        }
        let separator = delimiter == 0x09 ? "\t" : ","
        func record(_ feature: Result<Feature, RejectReason>) -> SourceRecord {
            SourceRecord(index: index, feature: feature, fields: values, separator: separator)
        }
        guard values.count == header.count else {
            return record(.failure(RejectReason("line \(startLine): \(values.count) fields, header has \(header.count)")))
        }
        var props = JSONObject()
        for (i, name) in header.enumerated() where i != lonIndex && i != latIndex && i != wktIndex {
            props[name] = values[i].isEmpty ? .null : .string(values[i])
        }
        let geometry: Geometry
        if let w = wktIndex {
            let text = Self.trimmed(values[w])
            if text.isEmpty {
                return record(.failure(RejectReason("line \(startLine): empty geometry (column \(InputText.quoted(header[w])) is blank)")))
            }
            do { geometry = try WKT.parse(text) } catch {
                return record(.failure(RejectReason("line \(startLine): \(error.message)")))
            }
        } else if let lo = lonIndex, let la = latIndex {
            let a = Self.trimmed(values[lo]), b = Self.trimmed(values[la])
            guard let x = Double(a), let y = Double(b) else {
                let bad = Double(a) == nil ? "\(InputText.escaped(header[lo]))=\(InputText.quoted(a))" : "\(InputText.escaped(header[la]))=\(InputText.quoted(b))"
                return record(.failure(RejectReason("line \(startLine): coordinate is not a number (\(bad))")))
            }
            geometry = .point(Coordinate(x, y))
        } else {
            throw ImportError(.options, "no geometry columns", file: path)
        }
        return record(.success(Feature(properties: props, geometry: geometry)))
    }

    /// `text` without leading and trailing whitespace (Foundation's `.whitespaces`, which
    /// includes U+3000 and other Unicode spaces). The usual value has none at either end
    /// and comes back as is, without Foundation's bridging (most of a row's time before).
    static func trimmed(_ text: String) -> String {
        guard let first = text.utf8.first, let last = text.utf8.last else { return text }
        // Bytes that can start or end a whitespace character: ASCII space and tab, and
        // the bytes of non-ASCII characters.
        func mayBeSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b >= 0x80 }
        if !mayBeSpace(first) && !mayBeSpace(last) { return text }
        return text.trimmingCharacters(in: .whitespaces)
    }
}
