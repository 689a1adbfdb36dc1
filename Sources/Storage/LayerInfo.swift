import Geo

/// One row of the `layers` catalog.
public struct LayerInfo: Sendable, Equatable {
    public var name: String
    public var role: LayerRole
    /// The stored geometry type ("MultiPolygon", "Point", … or "Geometry" for mixed generic layers).
    public var geometryType: String
    public var count: Int
    public var bbox: BoundingBox
    public var minzoom: Int
    public var maxzoom: Int
    public var version: Int
    public var updatedAt: String
    public var source: String?

    public init(name: String, role: LayerRole, geometryType: String, count: Int, bbox: BoundingBox,
                minzoom: Int, maxzoom: Int, version: Int, updatedAt: String, source: String?) {
        self.name = name; self.role = role; self.geometryType = geometryType; self.count = count
        self.bbox = bbox; self.minzoom = minzoom; self.maxzoom = maxzoom; self.version = version
        self.updatedAt = updatedAt; self.source = source
    }

    /// Layer names become table names, so they are kept to a safe identifier set.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, (0x61...0x7A).contains(first), name.utf8.count <= 63 else { return false }
        return name.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
    }

    /// The SQL table holding the layer's features.
    public static func tableName(_ layer: String) -> String { "layer_\(layer)" }
}

public enum ImportMode: String, Sendable, CaseIterable {
    case replace, append
}

/// What an import asks of the store before it streams features.
public struct LayerSpec: Sendable {
    public var name: String
    public var role: LayerRole
    public var source: String?

    public init(name: String, role: LayerRole, source: String? = nil) {
        self.name = name; self.role = role; self.source = source
    }
}

/// A feature as stored: the store's row id, the source's id, properties, geometry.
public struct StoredFeature: Sendable {
    public var id: Int64
    public var extID: String?
    public var properties: JSONObject
    public var geometry: Geometry

    public init(id: Int64, extID: String?, properties: JSONObject, geometry: Geometry) {
        self.id = id; self.extID = extID; self.properties = properties; self.geometry = geometry
    }
}

/// A stored feature whose properties are still the stored JSON object text, for building
/// in-memory snapshots without parsing every property up front.
public struct RawFeature: Sendable {
    public var id: Int64
    public var extID: String?
    /// A JSON object, as stored.
    public var propertiesJSON: String
    public var geometry: Geometry

    public init(id: Int64, extID: String?, propertiesJSON: String, geometry: Geometry) {
        self.id = id; self.extID = extID; self.propertiesJSON = propertiesJSON; self.geometry = geometry
    }
}

/// The outcome of a committed import.
public struct ImportCommit: Sendable {
    public var layer: LayerInfo
    public var inserted: Int

    public init(layer: LayerInfo, inserted: Int) {
        self.layer = layer; self.inserted = inserted
    }
}

/// Result of `citytwin check`.
public struct CheckReport: Sendable {
    public struct LayerCheck: Sendable {
        public var name: String
        public var catalogCount: Int
        public var tableCount: Int
        public var spatialIndexValid: Bool?

        public init(name: String, catalogCount: Int, tableCount: Int, spatialIndexValid: Bool?) {
            self.name = name; self.catalogCount = catalogCount; self.tableCount = tableCount
            self.spatialIndexValid = spatialIndexValid
        }
    }
    public var integrity: [String]
    public var layers: [LayerCheck]

    public init(integrity: [String], layers: [LayerCheck]) {
        self.integrity = integrity; self.layers = layers
    }

    public var isOK: Bool {
        integrity == ["ok"] && layers.allSatisfy { $0.catalogCount == $0.tableCount && $0.spatialIndexValid == true }
    }
}
