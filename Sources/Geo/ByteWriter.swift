/// Little-endian binary output for the WKB and SpatiaLite blob encoders.
public struct ByteWriter {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 64) { bytes.reserveCapacity(capacity) }

    @inline(__always) public mutating func u8(_ v: UInt8) { bytes.append(v) }

    @inline(__always) public mutating func u32(_ v: UInt32) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }

    @inline(__always) public mutating func i32(_ v: Int32) { u32(UInt32(bitPattern: v)) }

    @inline(__always) public mutating func f64(_ v: Double) {
        withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    @inline(__always) public mutating func coordinate(_ c: Coordinate) { f64(c.x); f64(c.y) }
}

/// Bounds-checked binary input; every read throws on truncation.
public struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    public var pos = 0
    public var littleEndian = true

    public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    public var remaining: Int { bytes.count - pos }

    mutating func need(_ n: Int, _ code: GeoError.Code) throws(GeoError) {
        if n < 0 || pos + n > bytes.count { throw GeoError(code, "truncated geometry data", context: "byte \(pos)") }
    }

    public mutating func u8(_ code: GeoError.Code) throws(GeoError) -> UInt8 {
        try need(1, code)
        defer { pos += 1 }
        return bytes[pos]
    }

    public mutating func u32(_ code: GeoError.Code) throws(GeoError) -> UInt32 {
        try need(4, code)
        var v: UInt32 = 0
        withUnsafeMutableBytes(of: &v) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[pos..<pos + 4])) }
        pos += 4
        return littleEndian ? UInt32(littleEndian: v) : UInt32(bigEndian: v)
    }

    public mutating func f64(_ code: GeoError.Code) throws(GeoError) -> Double {
        try need(8, code)
        var v: UInt64 = 0
        withUnsafeMutableBytes(of: &v) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[pos..<pos + 8])) }
        pos += 8
        return Double(bitPattern: littleEndian ? UInt64(littleEndian: v) : UInt64(bigEndian: v))
    }
}
