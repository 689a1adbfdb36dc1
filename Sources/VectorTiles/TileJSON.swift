import Geo

/// One entry of TileJSON's / MBTiles' `vector_layers`.
public struct VectorLayerInfo: Sendable, Equatable {
    public var id: String
    public var description: String
    public var minzoom: Int
    public var maxzoom: Int
    /// Field name → "String" | "Number" | "Boolean".
    public var fields: [(String, String)]

    public init(id: String, description: String = "", minzoom: Int, maxzoom: Int, fields: [(String, String)]) {
        self.id = id; self.description = description; self.minzoom = minzoom; self.maxzoom = maxzoom; self.fields = fields
    }

    public static func == (a: VectorLayerInfo, b: VectorLayerInfo) -> Bool {
        a.id == b.id && a.minzoom == b.minzoom && a.maxzoom == b.maxzoom && a.fields.elementsEqual(b.fields, by: { $0 == $1 })
    }

    public var json: JSONValue {
        .object(JSONObject([
            ("id", .string(id)), ("description", .string(description)),
            ("minzoom", .number(Double(minzoom))), ("maxzoom", .number(Double(maxzoom))),
            ("fields", .object(JSONObject(fields.map { ($0.0, JSONValue.string($0.1)) }))),
        ]))
    }

    /// The TileJSON type name of a JSON property value.
    public static func fieldType(_ v: JSONValue) -> String? {
        switch v {
        case .number: "Number"
        case .bool: "Boolean"
        case .null: nil
        default: "String"
        }
    }
}

/// TileJSON 3.0.0 documents.
public enum TileJSON {
    public static func document(name: String, tiles: [String], layers: [VectorLayerInfo], bounds: BoundingBox,
                                minzoom: Int, maxzoom: Int, center: (lon: Double, lat: Double, zoom: Int),
                                description: String = "", attribution: String? = nil) -> JSONObject {
        var o = JSONObject([
            ("tilejson", .string("3.0.0")),
            ("name", .string(name)),
            ("description", .string(description)),
            ("scheme", .string("xyz")),
            ("format", .string("pbf")),
            ("tiles", .array(tiles.map { .string($0) })),
            ("minzoom", .number(Double(minzoom))),
            ("maxzoom", .number(Double(maxzoom))),
            ("bounds", .array(bounds.array.map { .number($0) })),
            ("center", .array([.number(center.lon), .number(center.lat), .number(Double(center.zoom))])),
            ("vector_layers", .array(layers.map(\.json))),
        ])
        if let attribution { o["attribution"] = .string(attribution) }
        return o
    }
}
