/// Minimal protocol-buffers writer for the MVT schema: varints, zigzag,
/// length-delimited fields and packed uint32 arrays, appended to one byte array.
struct ProtobufWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    @inline(__always) mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 { bytes.append(UInt8(truncatingIfNeeded: v) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }

    @inline(__always) mutating func key(_ field: Int, _ wireType: Int) { varint(UInt64(field << 3 | wireType)) }

    mutating func uint(_ field: Int, _ v: UInt64) { key(field, 0); varint(v) }
    mutating func sint(_ field: Int, _ v: Int64) { key(field, 0); varint(zigzag64(v)) }
    mutating func int(_ field: Int, _ v: Int64) { key(field, 0); varint(UInt64(bitPattern: v)) }
    mutating func bool(_ field: Int, _ v: Bool) { key(field, 0); varint(v ? 1 : 0) }

    mutating func double(_ field: Int, _ v: Double) {
        key(field, 1)
        withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func float(_ field: Int, _ v: Float) {
        key(field, 5)
        withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func bytes(_ field: Int, _ b: some Collection<UInt8>) {
        key(field, 2); varint(UInt64(b.count)); bytes.append(contentsOf: b)
    }

    mutating func string(_ field: Int, _ s: String) {
        var s = s
        s.withUTF8 { u in key(field, 2); varint(UInt64(u.count)); bytes.append(contentsOf: u) }
    }

    /// Bytes `string(field, s)` would write.
    static func stringSize(_ s: String) -> Int {
        let n = s.utf8.count
        return 1 + varintSize(UInt64(n)) + n
    }

    mutating func packed(_ field: Int, _ values: [UInt32]) {
        guard !values.isEmpty else { return }
        var size = 0
        for v in values { size += Self.varintSize(UInt64(v)) }
        key(field, 2); varint(UInt64(size))
        for v in values { varint(UInt64(v)) }
    }

    /// Writes a nested message built by `body` as a length-delimited field.
    mutating func message(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        body(&inner)
        bytes(field, inner.bytes)
    }

    static func varintSize(_ v: UInt64) -> Int {
        var v = v, n = 1
        while v >= 0x80 { v >>= 7; n += 1 }
        return n
    }
}

@inline(__always) func zigzag64(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }
@inline(__always) func zigzag32(_ v: Int32) -> UInt32 { UInt32(bitPattern: (v << 1) ^ (v >> 31)) }
@inline(__always) func unzigzag(_ v: UInt64) -> Int64 { Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1) }
