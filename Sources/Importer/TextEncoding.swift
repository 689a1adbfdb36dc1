import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Attribute text encodings met in Chinese GIS data. Decoding is strict:
/// bytes that are not valid in the encoding raise an error, so mojibake is
/// never stored. Conversion uses the C library's iconv.
public enum TextEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case gbk
    case gb18030

    /// Parses a user or .cpg name: "UTF-8", "GBK", "CP936", "936", "GB2312", "ANSI 936", "GB18030".
    public init?(name: String) {
        let n = name.trimmingCharacters(in: CharacterSet(charactersIn: " \t\r\n\u{FEFF}")).uppercased().replacingOccurrences(of: "_", with: "-")
        switch n {
        case "UTF-8", "UTF8", "65001": self = .utf8
        // GB2312 is a subset of GBK; decoding it as GBK is exact.
        case "GBK", "CP936", "936", "ANSI 936", "GB2312", "EUC-CN", "MS936", "WINDOWS-936": self = .gbk
        case "GB18030", "54936", "GB-18030": self = .gb18030
        default: return nil
        }
    }

    /// The encoding a DBF header's language driver id implies, if it names one.
    public init?(dbfLanguageDriver id: UInt8) {
        switch id {
        case 0x4D, 0x7A: self = .gbk // 0x4D: "936 Chinese (GBK)", 0x7A: "PRC GBK" (Windows)
        default: return nil
        }
    }

    var iconvName: String {
        switch self {
        case .utf8: "UTF-8"
        case .gbk: "GBK"
        case .gb18030: "GB18030"
        }
    }

    /// Decodes `bytes` once; nil when they are not valid in this encoding.
    /// Readers decode through one `TextDecoder` instead (one iconv descriptor per reader).
    public func decode<C: Collection>(_ bytes: C) -> String? where C.Element == UInt8 {
        TextDecoder(self).decode(bytes)
    }

    /// Encodes `text` once; nil when a character has no representation here.
    public func encode(_ text: String) -> [UInt8]? {
        TextEncoder(self).encode(text)
    }
}

/// One iconv conversion descriptor: opened in init, closed only in deinit, so a
/// reader or writer converts every field through the one it owns. Not `Sendable`
/// (iconv keeps shift state between calls).
final class IconvConverter {
    let descriptor: iconv_t?

    init(from: String, to: String) {
        let cd = iconv_open(to, from)
        descriptor = cd == iconv_t(bitPattern: -1) ? nil : cd
    }

    deinit { if let descriptor { iconv_close(descriptor) } }

    /// The converted bytes; nil on any invalid or unrepresentable sequence.
    func convert(_ input: [UInt8]) -> [UInt8]? {
        guard let cd = descriptor else { return nil }
        // Back to the initial shift state: a failed field must not affect the next.
        iconv(cd, nil, nil, nil, nil)
        var input = input
        var output = [UInt8](repeating: 0, count: input.count * 4 + 16)
        let capacity = output.count
        let written: Int? = input.withUnsafeMutableBytes { inRaw in
            output.withUnsafeMutableBytes { outRaw in
                var inPtr = inRaw.baseAddress?.assumingMemoryBound(to: CChar.self)
                var inLeft = inRaw.count
                var outPtr = outRaw.baseAddress?.assumingMemoryBound(to: CChar.self)
                var outLeft = capacity
                if inLeft > 0, iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft) == -1 { return nil }
                // Flush the shift state, as the API requires (a no-op for these encodings).
                if iconv(cd, nil, nil, &outPtr, &outLeft) == -1 { return nil }
                return inLeft == 0 ? capacity - outLeft : nil
            }
        }
        guard let written else { return nil }
        return Array(output[0..<written])
    }
}

/// Strict decoding of one encoding to `String`, reusing one iconv descriptor.
public final class TextDecoder {
    public let encoding: TextEncoding
    /// Opened on first non-ASCII text: ASCII and UTF-8 never need iconv.
    private lazy var converter = IconvConverter(from: encoding.iconvName, to: "UTF-8")

    public init(_ encoding: TextEncoding) { self.encoding = encoding }

    /// nil when `bytes` are not valid in the encoding.
    public func decode<C: Collection>(_ bytes: C) -> String? where C.Element == UInt8 {
        if encoding == .utf8 { return String(validating: bytes, as: UTF8.self) }
        // ASCII is identical in every supported encoding: skip iconv.
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        return converter.convert(Array(bytes)).flatMap { String(validating: $0, as: UTF8.self) }
    }
}

/// Strict encoding of `String` into one encoding, reusing one iconv descriptor.
public final class TextEncoder {
    public let encoding: TextEncoding
    private lazy var converter = IconvConverter(from: "UTF-8", to: encoding.iconvName)

    public init(_ encoding: TextEncoding) { self.encoding = encoding }

    /// nil when a character has no representation in the encoding.
    public func encode(_ text: String) -> [UInt8]? {
        if encoding == .utf8 { return Array(text.utf8) }
        return converter.convert(Array(text.utf8))
    }
}
