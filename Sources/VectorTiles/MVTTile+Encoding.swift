extension MVTTile {
    /// Protobuf bytes of this tile exactly as its fields say (no checks):
    /// the raw encoder used to round-trip the fixtures. Tiles served by the
    /// twin come from `MVTLayerBuilder`, which enforces the rules.
    public func encoded() -> [UInt8] {
        var w = ProtobufWriter()
        for layer in layers { w.message(3) { layer.encode(into: &$0) } }
        return w.bytes
    }
}

extension MVTLayer {
    func encode(into w: inout ProtobufWriter) {
        if let version { w.uint(15, UInt64(version)) }
        if let name { w.string(1, name) }
        for f in features {
            w.message(2) { fw in
                if let id = f.id { fw.uint(1, id) }
                fw.packed(2, f.tags)
                if let t = f.type { fw.uint(3, t) }
                if let g = f.geometry { fw.packed(4, g) }
            }
        }
        for k in keys { w.string(3, k) }
        for v in values { w.message(4) { v.encode(into: &$0) } }
        w.uint(5, UInt64(extent))
    }
}

extension MVTValue {
    /// Size of the encoded Value message body.
    var encodedSize: Int {
        switch self {
        case .string(let s): ProtobufWriter.stringSize(s)
        case .float: 5
        case .double: 9
        case .int(let i): 1 + ProtobufWriter.varintSize(UInt64(bitPattern: i))
        case .uint(let u): 1 + ProtobufWriter.varintSize(u)
        case .sint(let s): 1 + ProtobufWriter.varintSize(zigzag64(s))
        case .bool: 2
        }
    }

    func encode(into w: inout ProtobufWriter) {
        switch self {
        case .string(let s): w.string(1, s)
        case .float(let f): w.float(2, f)
        case .double(let d): w.double(3, d)
        case .int(let i): w.int(4, i)
        case .uint(let u): w.uint(5, u)
        case .sint(let s): w.sint(6, s)
        case .bool(let b): w.bool(7, b)
        }
    }
}
