extension MVTTile {
    /// Decodes protobuf bytes. Throws `.malformedTile` (fatal) for broken
    /// wire format, wrong wire types, unknown or ambiguous value types, and
    /// non-UTF-8 strings; semantic checks are in `validationIssues()`.
    public init(decoding bytes: [UInt8]) throws(VectorTilesError) {
        var r = ProtobufReader(bytes)
        var layers: [MVTLayer] = []
        while !r.atEnd {
            let (field, wire) = try r.key()
            if field == 3 {
                guard wire == 2 else { throw VectorTilesError(.malformedTile, "tile field 3 (layers) has wire type \(wire), expected 2") }
                layers.append(try Self.decodeLayer(bytes, try r.lengthDelimited()))
            } else {
                try r.skip(wireType: wire)
            }
        }
        self.init(layers: layers)
    }

    static func expect(_ wire: Int, _ wanted: Int, _ what: String) throws(VectorTilesError) {
        guard wire == wanted else { throw VectorTilesError(.malformedTile, "\(what) has wire type \(wire), expected \(wanted)") }
    }

    static func decodeLayer(_ bytes: [UInt8], _ range: Range<Int>) throws(VectorTilesError) -> MVTLayer {
        var r = ProtobufReader(bytes, from: range.lowerBound, to: range.upperBound)
        var layer = MVTLayer(version: nil, name: nil)
        while !r.atEnd {
            let (field, wire) = try r.key()
            switch field {
            case 15:
                try expect(wire, 0, "layer version")
                let v = try r.varint()
                guard v <= UInt64(UInt32.max) else { throw VectorTilesError(.malformedTile, "layer version \(v) out of range") }
                layer.version = UInt32(v)
            case 1:
                try expect(wire, 2, "layer name")
                layer.name = try r.string(try r.lengthDelimited())
            case 2:
                try expect(wire, 2, "layer feature")
                layer.features.append(try decodeFeature(bytes, try r.lengthDelimited()))
            case 3:
                try expect(wire, 2, "layer key")
                layer.keys.append(try r.string(try r.lengthDelimited()))
            case 4:
                try expect(wire, 2, "layer value")
                layer.values.append(try decodeValue(bytes, try r.lengthDelimited()))
            case 5:
                try expect(wire, 0, "layer extent")
                let v = try r.varint()
                guard v <= UInt64(UInt32.max) else { throw VectorTilesError(.malformedTile, "layer extent \(v) out of range") }
                layer.extent = UInt32(v)
            default:
                try r.skip(wireType: wire)
            }
        }
        return layer
    }

    static func decodeFeature(_ bytes: [UInt8], _ range: Range<Int>) throws(VectorTilesError) -> MVTFeature {
        var r = ProtobufReader(bytes, from: range.lowerBound, to: range.upperBound)
        var f = MVTFeature(type: nil, geometry: nil)
        while !r.atEnd {
            let (field, wire) = try r.key()
            switch field {
            case 1:
                try expect(wire, 0, "feature id")
                f.id = try r.varint()
            case 2:
                try expect(wire, 2, "feature tags")
                try r.packedUInt32(try r.lengthDelimited(), into: &f.tags)
            case 3:
                try expect(wire, 0, "feature type")
                f.type = try r.varint()
            case 4:
                try expect(wire, 2, "feature geometry")
                var g = f.geometry ?? []
                try r.packedUInt32(try r.lengthDelimited(), into: &g)
                f.geometry = g
                f.geometryFieldCount += 1
            default:
                try r.skip(wireType: wire)
            }
        }
        return f
    }

    static func decodeValue(_ bytes: [UInt8], _ range: Range<Int>) throws(VectorTilesError) -> MVTValue {
        var r = ProtobufReader(bytes, from: range.lowerBound, to: range.upperBound)
        var value: MVTValue?
        var count = 0
        while !r.atEnd {
            let (field, wire) = try r.key()
            count += 1
            switch (field, wire) {
            case (1, 2): value = .string(try r.string(try r.lengthDelimited()))
            case (2, 5): value = .float(Float(bitPattern: try r.fixed32()))
            case (3, 1): value = .double(Double(bitPattern: try r.fixed64()))
            case (4, 0): value = .int(Int64(bitPattern: try r.varint()))
            case (5, 0): value = .uint(try r.varint())
            case (6, 0): value = .sint(unzigzag(try r.varint()))
            case (7, 0): value = .bool(try r.varint() != 0)
            case (1...7, _):
                throw VectorTilesError(.malformedTile, "value field \(field) has wire type \(wire), which does not match its type")
            default:
                throw VectorTilesError(.malformedTile, "value has an unknown type (field \(field)); a value must be one of the 7 MVT types")
            }
        }
        guard let value, count == 1 else {
            throw VectorTilesError(.malformedTile, count == 0 ? "value message is empty" : "value message holds \(count) fields; exactly one is allowed")
        }
        return value
    }
}
