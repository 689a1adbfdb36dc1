import Foundation
import Geo
import Storage

/// `GeoData/manifest.json`: which file becomes which layer, with the
/// import options its source format needs (CRS, encoding, columns).
public struct GeoDataManifest: Codable, Sendable {
    public struct Entry: Codable, Sendable {
        public var file: String
        public var layer: String
        public var role: String
        public var srs: String?
        public var encoding: String?
        public var idField: String?
        public var lonField: String?
        public var latField: String?
        public var wktField: String?
        public var count: Int?
        public var note: String?
        /// Source field → property name, applied before validation.
        public var fieldMap: [String: String]?

        enum CodingKeys: String, CodingKey {
            case file, layer, role, srs, encoding, count, note
            case fieldMap = "field_map"
            case idField = "id_field", lonField = "lon_field", latField = "lat_field", wktField = "wkt_field"
        }

        public init(file: String, layer: String, role: LayerRole, srs: String? = nil, encoding: String? = nil,
                    idField: String? = nil, lonField: String? = nil, latField: String? = nil, count: Int? = nil, note: String? = nil) {
            self.file = file; self.layer = layer; self.role = role.rawValue; self.srs = srs; self.encoding = encoding
            self.idField = idField; self.lonField = lonField; self.latField = latField; self.count = count; self.note = note
        }

        public func options(directory: String, rejectsDirectory: String) throws(ImportError) -> ImportOptions {
            guard let r = LayerRole(rawValue: role) else { throw ImportError(.options, "manifest: unknown role \"\(role)\" for \(file)") }
            var o = ImportOptions(layer: layer, role: r)
            if let srs { o.srs = try CRS.importOption(srs) }
            if let encoding {
                guard let e = TextEncoding(name: encoding) else { throw ImportError(.options, "manifest: unknown encoding \"\(encoding)\" for \(file)") }
                o.encoding = e
            }
            o.idField = idField; o.lonField = lonField; o.latField = latField; o.wktField = wktField
            o.fieldMap = fieldMap ?? [:]
            o.rejectsPath = (rejectsDirectory as NSString).appendingPathComponent("\(layer).rejects.geojsonl")
            return o
        }
    }

    /// Files kept for evaluation, not loaded as layers (e.g. work orders with true coordinates).
    public struct Reference: Codable, Sendable {
        public var file: String
        public var description: String
        public var count: Int?
        public init(file: String, description: String, count: Int?) { self.file = file; self.description = description; self.count = count }
    }

    public var name: String
    public var seed: UInt64
    public var scale: Int
    public var layers: [Entry]
    public var reference: [Reference]

    public init(name: String, seed: UInt64, scale: Int, layers: [Entry], reference: [Reference]) {
        self.name = name; self.seed = seed; self.scale = scale; self.layers = layers; self.reference = reference
    }

    public static func read(directory: String) throws(ImportError) -> GeoDataManifest {
        let path = (directory as NSString).appendingPathComponent("manifest.json")
        guard let data = FileManager.default.contents(atPath: path) else { throw ImportError(.io, "no manifest.json", file: directory) }
        do { return try JSONDecoder().decode(GeoDataManifest.self, from: data) } catch {
            throw ImportError(.format, "manifest.json: \(error)", file: path)
        }
    }

    /// Imports every layer of the manifest (each its own transaction).
    public func load(directory: String, into store: any FeatureStore, rejectsDirectory: String,
                     report: (ImportSummary) -> Void = { _ in }) throws(ImportError) -> [ImportSummary] {
        var out: [ImportSummary] = []
        for e in layers {
            let file = (directory as NSString).appendingPathComponent(e.file)
            let s = try LayerImporter.run(files: [file], options: try e.options(directory: directory, rejectsDirectory: rejectsDirectory), store: store)
            report(s)
            out.append(s)
        }
        return out
    }
}
