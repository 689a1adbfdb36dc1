/// A vector tile as its protobuf says it, field by field (MVT 2.1,
/// vector_tile.proto): the decoder's output and the raw encoder's input.
/// Geometry stays as the command integers; `MVTGeometry` interprets them.
public struct MVTTile: Equatable, Sendable {
    public var layers: [MVTLayer]
    public init(layers: [MVTLayer] = []) { self.layers = layers }
}

public struct MVTLayer: Equatable, Sendable {
    /// nil when the field is missing (invalid: the spec requires it).
    public var version: UInt32?
    /// nil when the field is missing (invalid).
    public var name: String?
    public var features: [MVTFeature]
    public var keys: [String]
    public var values: [MVTValue]
    /// Defaults to 4096 when absent, as the proto says.
    public var extent: UInt32

    public init(version: UInt32? = 2, name: String?, features: [MVTFeature] = [], keys: [String] = [], values: [MVTValue] = [], extent: UInt32 = 4096) {
        self.version = version; self.name = name; self.features = features
        self.keys = keys; self.values = values; self.extent = extent
    }
}

public struct MVTFeature: Equatable, Sendable {
    public var id: UInt64?
    public var tags: [UInt32]
    /// Raw GeomType: 0 unknown, 1 point, 2 linestring, 3 polygon; nil when absent.
    public var type: UInt64?
    /// nil when the geometry field is absent.
    public var geometry: [UInt32]?
    /// Number of times the geometry field appeared (more than once is invalid).
    public var geometryFieldCount: Int = 0

    public init(id: UInt64? = nil, tags: [UInt32] = [], type: UInt64?, geometry: [UInt32]?) {
        self.id = id; self.tags = tags; self.type = type; self.geometry = geometry
        geometryFieldCount = geometry == nil ? 0 : 1
    }

    public static func == (a: MVTFeature, b: MVTFeature) -> Bool {
        a.id == b.id && a.tags == b.tags && a.type == b.type && a.geometry == b.geometry
    }
}

/// One value of a layer's value table: exactly one of the seven MVT types.
public enum MVTValue: Hashable, Sendable {
    case string(String)
    case float(Float)
    case double(Double)
    case int(Int64)
    case uint(UInt64)
    case sint(Int64)
    case bool(Bool)
}

public enum MVTGeomType: UInt64, Sendable {
    case unknown = 0, point = 1, lineString = 2, polygon = 3
}
