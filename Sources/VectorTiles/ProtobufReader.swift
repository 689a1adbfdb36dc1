/// Minimal protocol-buffers reader over a byte buffer. Every read checks
/// bounds and throws `VectorTilesError(.malformedTile)` rather than trapping.
struct ProtobufReader {
    let bytes: [UInt8]
    var position: Int
    let end: Int

    init(_ bytes: [UInt8], from: Int = 0, to: Int? = nil) {
        self.bytes = bytes
        position = from
        end = to ?? bytes.count
    }

    var atEnd: Bool { position >= end }

    mutating func varint() throws(VectorTilesError) -> UInt64 {
        var result: UInt64 = 0, shift: UInt64 = 0
        while true {
            guard position < end else { throw VectorTilesError(.malformedTile, "truncated varint at byte \(position)") }
            let b = bytes[position]
            position += 1
            guard shift < 64 else { throw VectorTilesError(.malformedTile, "varint longer than 10 bytes at byte \(position)") }
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }

    /// Field number and wire type of the next field.
    mutating func key() throws(VectorTilesError) -> (field: Int, wireType: Int) {
        let k = try varint()
        let field = Int(truncatingIfNeeded: k >> 3)
        guard field > 0 else { throw VectorTilesError(.malformedTile, "field number 0 at byte \(position)") }
        return (field, Int(k & 7))
    }

    /// Bounds of a length-delimited payload, advancing past it.
    mutating func lengthDelimited() throws(VectorTilesError) -> Range<Int> {
        let n = try varint()
        guard n <= UInt64(end - position) else { throw VectorTilesError(.malformedTile, "length \(n) runs past the end of the message") }
        let r = position..<(position + Int(n))
        position = r.upperBound
        return r
    }

    mutating func fixed64() throws(VectorTilesError) -> UInt64 {
        guard end - position >= 8 else { throw VectorTilesError(.malformedTile, "truncated 64-bit field") }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
        position += 8
        return v
    }

    mutating func fixed32() throws(VectorTilesError) -> UInt32 {
        guard end - position >= 4 else { throw VectorTilesError(.malformedTile, "truncated 32-bit field") }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[position + i]) << (8 * UInt32(i)) }
        position += 4
        return v
    }

    mutating func skip(wireType: Int) throws(VectorTilesError) {
        switch wireType {
        case 0: _ = try varint()
        case 1: _ = try fixed64()
        case 2: _ = try lengthDelimited()
        case 5: _ = try fixed32()
        default: throw VectorTilesError(.malformedTile, "unsupported wire type \(wireType)")
        }
    }

    func string(_ r: Range<Int>) throws(VectorTilesError) -> String {
        guard let s = String(validating: bytes[r], as: UTF8.self) else {
            throw VectorTilesError(.malformedTile, "string field is not valid UTF-8")
        }
        return s
    }

    /// A packed repeated uint32 field (values above 2^32 are an error).
    func packedUInt32(_ r: Range<Int>, into out: inout [UInt32]) throws(VectorTilesError) {
        var sub = ProtobufReader(bytes, from: r.lowerBound, to: r.upperBound)
        while !sub.atEnd {
            let v = try sub.varint()
            guard v <= UInt64(UInt32.max) else { throw VectorTilesError(.malformedTile, "packed uint32 value \(v) out of range") }
            out.append(UInt32(v))
        }
    }
}
