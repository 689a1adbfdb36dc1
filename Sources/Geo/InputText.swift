/// Text from input files quoted for an error message: control characters
/// (C0, DEL, C1), line and paragraph separators and bidi controls are
/// escaped as `\u{…}`, and long text is cut, so a hostile value cannot
/// forge log lines or hide the rest of a message.
public enum InputText {
    public static func quoted(_ s: some StringProtocol, limit: Int = 80) -> String {
        "\"" + escaped(s, limit: limit) + "\""
    }

    /// A whole message with any control character left in it escaped (no cut, no other
    /// change): the last guard for messages built from parts that library code
    /// (PROJ, GDAL) or input text supplied. Text without controls comes back as is.
    public static func controlsEscaped(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: isControl) else { return s }
        var out = ""
        for u in s.unicodeScalars {
            if isControl(u) { out += "\\u{" + String(u.value, radix: 16, uppercase: true) + "}" } else { out.unicodeScalars.append(u) }
        }
        return out
    }

    static func isControl(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    public static func escaped(_ s: some StringProtocol, limit: Int = 80) -> String {
        var out = ""
        var n = 0
        for u in s.unicodeScalars {
            if n >= limit { out += "…"; break }
            n += 1
            switch u.value {
            case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069:
                out += "\\u{" + String(u.value, radix: 16, uppercase: true) + "}"
            case 0x5C:
                out += "\\\\"
            default:
                out.unicodeScalars.append(u)
            }
        }
        return out
    }
}

/// How a text file begins: a byte-order mark, or the NUL pattern of UTF-16/32 text
/// without one. Readers skip a UTF-8 mark (Esri products and Excel write them) and
/// refuse the wide encodings with a message that says what the file is.
public enum TextStart: Equatable, Sendable {
    case plain
    /// EF BB BF: skip 3 bytes.
    case utf8BOM
    case utf16(bigEndian: Bool)
    case utf32(bigEndian: Bool)

    /// From the first bytes of a file (up to 4; fewer at a short file's end).
    public init(_ first: [UInt8]) {
        let b = first + [UInt8](repeating: 0xAA, count: max(0, 4 - first.count))
        switch (b[0], b[1], b[2], b[3]) {
        case (0xEF, 0xBB, 0xBF, _): self = .utf8BOM
        case (0x00, 0x00, 0xFE, 0xFF): self = .utf32(bigEndian: true)
        case (0xFF, 0xFE, 0x00, 0x00): self = .utf32(bigEndian: false)
        case (0xFE, 0xFF, _, _): self = .utf16(bigEndian: true)
        case (0xFF, 0xFE, _, _): self = .utf16(bigEndian: false)
        // No mark: JSON and CSV start with an ASCII character, which UTF-16/32 pad with NUL bytes.
        case (0x00, 0x00, 0x00, let c) where c != 0 && c < 0x80: self = .utf32(bigEndian: true)
        case (let c, 0x00, 0x00, 0x00) where c != 0 && c < 0x80: self = .utf32(bigEndian: false)
        case (0x00, let c, _, _) where c != 0 && c < 0x80: self = .utf16(bigEndian: true)
        case (let c, 0x00, _, _) where c != 0 && c < 0x80: self = .utf16(bigEndian: false)
        default: self = .plain
        }
    }

    /// Bytes to skip before the text.
    public var skip: Int { self == .utf8BOM ? 3 : 0 }

    /// A clear refusal for text CityTwin does not decode, or nil.
    public var refusal: String? {
        switch self {
        case .plain, .utf8BOM: nil
        case .utf16(let be): "the file is UTF-16\(be ? "BE" : "LE") text (\"Unicode\" in Windows tools): save it as UTF-8"
        case .utf32(let be): "the file is UTF-32\(be ? "BE" : "LE") text: save it as UTF-8"
        }
    }
}
