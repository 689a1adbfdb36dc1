import Geo

/// dBASE III/IV attribute table reader, sequential. Field types: C (text,
/// decoded strictly), N/F (numbers), L (logical), D (date as YYYY-MM-DD).
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
            let slice = input.window[off..<(off + f.length)]
            off += f.length
            switch f.type {
            case UInt8(ascii: "C"):
                var end = slice.endIndex
                while end > slice.startIndex, slice[end - 1] == 0x20 || slice[end - 1] == 0 { end -= 1 }
                guard let s = decoder.decode(slice[slice.startIndex..<end]) else {
                    throw ImportError(.encoding, "record \(read), field \(InputText.escaped(f.name)): not valid \(encoding.rawValue) text (try --encoding gbk or gb18030)", file: path)
                }
                obj[f.name] = .string(s)
            case UInt8(ascii: "N"), UInt8(ascii: "F"):
                let t = String(decoding: slice, as: UTF8.self).trimmingCharacters(in: .whitespaces)
                if t.isEmpty || t.allSatisfy({ $0 == "*" }) { obj[f.name] = .null }
                else if let d = Double(t) { obj[f.name] = .number(d) }
                else { return .fault(RejectReason("record \(read), field \(InputText.escaped(f.name)): \(InputText.quoted(t)) is not a number")) }
            case UInt8(ascii: "L"):
                switch slice.first {
                case UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: "Y"), UInt8(ascii: "y"): obj[f.name] = .bool(true)
                case UInt8(ascii: "F"), UInt8(ascii: "f"), UInt8(ascii: "N"), UInt8(ascii: "n"): obj[f.name] = .bool(false)
                default: obj[f.name] = .null
                }
            case UInt8(ascii: "D"):
                let t = String(decoding: slice, as: UTF8.self).trimmingCharacters(in: .whitespaces)
                if t.count == 8 { obj[f.name] = .string("\(t.prefix(4))-\(t.dropFirst(4).prefix(2))-\(t.suffix(2))") } else { obj[f.name] = .null }
            default:
                obj[f.name] = decoder.decode(slice).map { .string($0.trimmingCharacters(in: .whitespaces)) } ?? .null
            }
        }
        return .attributes(obj)
    }
}
