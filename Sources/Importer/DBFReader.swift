import Foundation
import Geo

/// dBASE III/IV attribute table reader, sequential, reading cells the way
/// shapelib (and so GDAL) does: a cell ends at its first NUL byte; text is
/// trimmed of leading and trailing blanks and decoded strictly; empty text,
/// blank or NUL-padded or '*'-filled numbers, '?' or blank logicals and
/// blank or all-zero dates are null. Types: C (text), N/F (numbers),
/// L (T/t/Y/y true, F/f/N/n false; GDAL 3.6 gives the letter as text), D
/// (YYYYMMDD, given as YYYY-MM-DD); other types (memo block numbers, …) as trimmed text.
final class DBFReader {
    struct Field { let name: String; let type: UInt8; let length: Int; let decimals: Int }

    let input: ChunkedByteReader
    let path: String
    let recordCount: Int
    let headerLength: Int
    let recordLength: Int
    let languageDriver: UInt8
    let rawFieldNames: [[UInt8]]
    var fields: [Field] = []
    var encoding: TextEncoding = .utf8 {
        didSet {
            fields = []
            decoder = TextDecoder(encoding)
        }
    }
    /// One decoder for every text cell of this file.
    private(set) var decoder = TextDecoder(.utf8)
    var fieldMeta: [(type: UInt8, length: Int, decimals: Int)]
    var read = 0

    private init(input: ChunkedByteReader, path: String, recordCount: Int, headerLength: Int, recordLength: Int,
                 languageDriver: UInt8, rawFieldNames: [[UInt8]], fieldMeta: [(type: UInt8, length: Int, decimals: Int)]) {
        self.input = input; self.path = path; self.recordCount = recordCount; self.headerLength = headerLength
        self.recordLength = recordLength; self.languageDriver = languageDriver; self.rawFieldNames = rawFieldNames
        self.fieldMeta = fieldMeta
    }

    static func open(path: String) throws(ImportError) -> DBFReader {
        let input: ChunkedByteReader
        do { input = try ChunkedByteReader(path: path) } catch { throw ImportError(.io, error.message, file: path) }
        func byte(_ i: Int) throws(ImportError) -> UInt8 {
            guard let b = try? input.peek(i) else { throw ImportError(.format, "truncated .dbf header", file: path) }
            return b
        }
        let count = Int(try byte(4)) | Int(try byte(5)) << 8 | Int(try byte(6)) << 16 | Int(try byte(7)) << 24
        let headerLength = Int(try byte(8)) | Int(try byte(9)) << 8
        let recordLength = Int(try byte(10)) | Int(try byte(11)) << 8
        let ldid = try byte(29)
        var names: [[UInt8]] = []
        var meta: [(type: UInt8, length: Int, decimals: Int)] = []
        var off = 32
        while off + 32 <= headerLength, try byte(off) != 0x0D {
            var name: [UInt8] = []
            for i in 0..<11 { let b = try byte(off + i); if b == 0 { break }; name.append(b) }
            names.append(name)
            // A text field's length is byte 16 alone: shapelib disabled reading byte 17 as its high byte
            // (some writers put a display precision there), so a "long" text field is read short, as GDAL does.
            meta.append((try byte(off + 11), Int(try byte(off + 16)), Int(try byte(off + 17))))
            off += 32
        }
        guard headerLength >= 32 else {
            throw ImportError(.format, ".dbf header length \(headerLength) is shorter than the 32-byte file header", file: path)
        }
        guard meta.reduce(1, { $0 + $1.length }) <= recordLength else {
            throw ImportError(.format, ".dbf field lengths exceed the record length", file: path)
        }
        input.pos = headerLength
        return DBFReader(input: input, path: path, recordCount: count, headerLength: headerLength, recordLength: recordLength,
                         languageDriver: ldid, rawFieldNames: names, fieldMeta: meta)
    }

    func resolveFields() throws(ImportError) {
        fields = []
        for (i, raw) in rawFieldNames.enumerated() {
            guard let name = decoder.decode(raw) else {
                throw ImportError(.encoding, ".dbf field name \(i + 1) is not valid \(encoding.rawValue) text (try --encoding gbk)", file: path)
            }
            fields.append(Field(name: name.trimmingCharacters(in: .whitespaces), type: fieldMeta[i].type,
                                length: fieldMeta[i].length, decimals: fieldMeta[i].decimals))
        }
    }

    /// One record: its attributes, a deletion mark, or a fault in this record alone
    /// (a cell that is not what its field type says), which rejects only its feature.
    enum Record {
        case attributes(JSONObject)
        case deleted
        case fault(RejectReason)

        var isDeleted: Bool { if case .deleted = self { true } else { false } }
    }

    /// nil at the end. Throws for faults of the file: truncation, text not in the encoding.
    func nextRecord() throws(ImportError) -> Record? {
        if fields.isEmpty && !rawFieldNames.isEmpty { try resolveFields() }
        guard read < recordCount else { return nil }
        do {
            guard try input.peek(recordLength - 1) != nil else {
                throw ImportError(.format, ".dbf is truncated at record \(read + 1)", file: path)
            }
        } catch let e as ImportError { throw e } catch { throw ImportError(.io, "\(error)", file: path) }
        let base = input.pos
        read += 1
        input.pos += recordLength
        if input.window[base] == 0x2A { return .deleted }
        var obj = JSONObject()
        var off = base + 1
        for f in fields {
            var slice = input.window[off..<(off + f.length)]
            off += f.length
            // A cell is a C string to shapelib: it ends at its first NUL byte.
            if let nul = slice.firstIndex(of: 0) { slice = slice[slice.startIndex..<nul] }
            switch Self.cell(f, slice, decoder: decoder) {
            case .value(let v): obj[f.name] = v
            case .notText:
                throw ImportError(.encoding, "record \(read), field \(InputText.escaped(f.name)): not valid \(encoding.rawValue) text (try --encoding gbk or gb18030)", file: path)
            case .fault(let what):
                return .fault(RejectReason("record \(read), field \(InputText.escaped(f.name)): \(what)"))
            }
        }
        return .attributes(obj)
    }

    enum Cell {
        case value(JSONValue)
        /// Text not valid in the file's encoding: a fault of the file.
        case notText
        /// A value its field type cannot hold: a fault of this record.
        case fault(String)
    }

    static func isBlank(_ b: UInt8) -> Bool { b == 0x20 }

    /// The cell's bytes (already cut at the first NUL) without leading and trailing blanks.
    static func trimmed(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var lo = s.startIndex, hi = s.endIndex
        while lo < hi, isBlank(s[lo]) { lo += 1 }
        while hi > lo, isBlank(s[hi - 1]) { hi -= 1 }
        return s[lo..<hi]
    }

    /// One cell, read as shapelib's DBFReadAttribute and DBFIsAttributeNULL read it.
    static func cell(_ f: Field, _ raw: ArraySlice<UInt8>, decoder: TextDecoder) -> Cell {
        let t = trimmed(raw)
        switch f.type {
        case UInt8(ascii: "N"), UInt8(ascii: "F"):
            if t.isEmpty || raw.first == UInt8(ascii: "*") { return .value(.null) }
            let text = String(decoding: t, as: UTF8.self)
            // Swift's Double(_:) also takes "nan", "inf" and hex: only decimal numbers are numbers here.
            guard t.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2B || $0 == 0x2D || $0 == 0x2E || $0 == 0x45 || $0 == 0x65 }),
                  let d = Double(text), d.isFinite else {
                return .fault("\(InputText.quoted(text)) is not a number")
            }
            return .value(.number(d))
        case UInt8(ascii: "L"):
            switch t.first {
            case UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: "Y"), UInt8(ascii: "y"): return .value(.bool(true))
            case UInt8(ascii: "F"), UInt8(ascii: "f"), UInt8(ascii: "N"), UInt8(ascii: "n"): return .value(.bool(false))
            default: return .value(.null) // '?', blank: not set
            }
        case UInt8(ascii: "D"):
            if t.isEmpty || t.allSatisfy({ $0 == 0x30 }) { return .value(.null) }
            let text = String(decoding: t, as: UTF8.self)
            let digits = Array(t)
            var ymd: (Int, Int, Int)?
            func number(_ r: Range<Int>) -> Int? { Int(String(decoding: digits[r], as: UTF8.self)) }
            if digits.count == 8, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                ymd = number(0..<4).flatMap { y in number(4..<6).flatMap { m in number(6..<8).map { (y, m, $0) } } }
            }
            guard let (y, m, d) = ymd, (1...12).contains(m), (1...31).contains(d) else {
                return .fault("\(InputText.quoted(text)) is not a date (YYYYMMDD)")
            }
            return .value(.string(String(format: "%04d-%02d-%02d", y, m, d)))
        case UInt8(ascii: "C"):
            if t.isEmpty { return .value(.null) }
            guard let s = decoder.decode(t) else { return .notText }
            return .value(.string(s))
        default:
            if t.isEmpty { return .value(.null) }
            return .value(decoder.decode(t).map { .string($0) } ?? .null)
        }
    }
}
