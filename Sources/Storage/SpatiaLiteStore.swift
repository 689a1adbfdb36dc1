import CSpatiaLite
import Foundation
import Geo
import GRDB

/// The SpatiaLite implementation of `FeatureStore`.
///
/// Connections come from one GRDB `DatabasePool` (WAL: readers never block
/// the single writer). Each connection gets SpatiaLite initialised in
/// `prepareDatabase` through `spatialite_init_ex`; the SpatiaLite cache is
/// released when GRDB closes the connection (see CSpatiaLite/shim.h). GRDB
/// owns the sqlite3 handles, so nothing here closes them.
public final class SpatiaLiteStore: FeatureStore {
    public let path: String
    let pool: DatabasePool

    /// Opens (creating if needed) the store at `path` and migrates its schema.
    public init(path: String, busyTimeout: TimeInterval = 10) throws(StorageError) {
        self.path = path
        Self.tuneSQLiteOnce
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.prepareDatabase { db in
            let rc = citytwin_spatialite_init(db.sqliteConnection)
            guard rc == SQLITE_OK else {
                throw StorageError(.spatialite, "cannot initialise SpatiaLite on \(path) (SQLite code \(rc))")
            }
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
            try Self.migrator.migrate(pool)
        } catch {
            throw StorageError.wrap(error)
        }
    }

    /// Process-wide SQLite settings, applied before the first connection opens.
    static let tuneSQLiteOnce: Void = citytwin_sqlite_tune_globals()

    /// Runs a read closure and maps errors to `StorageError`.
    func read<T>(_ body: (Database) throws -> T) throws(StorageError) -> T {
        do { return try pool.read(body) } catch { throw StorageError.wrap(error) }
    }

    public func layers() throws(StorageError) -> [LayerInfo] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM layers ORDER BY name").compactMap(Self.layerInfo) }
    }

    public func layer(named name: String) throws(StorageError) -> LayerInfo? {
        try read { db in try Row.fetchOne(db, sql: "SELECT * FROM layers WHERE name = ?", arguments: [name]).flatMap(Self.layerInfo) }
    }

    static func layerInfo(_ row: Row) -> LayerInfo? {
        guard let role = LayerRole(rawValue: row["role"]) else { return nil }
        let bbox: BoundingBox
        if let w: Double = row["min_x"], let s: Double = row["min_y"], let e: Double = row["max_x"], let n: Double = row["max_y"] {
            bbox = BoundingBox(minX: w, minY: s, maxX: e, maxY: n)
        } else {
            bbox = .empty
        }
        return LayerInfo(name: row["name"], role: role, geometryType: row["geometry_type"], count: row["feature_count"],
                         bbox: bbox, minzoom: row["minzoom"], maxzoom: row["maxzoom"], version: row["version"],
                         updatedAt: row["updated_at"], source: row["source"])
    }

    public func dataVersion() throws(StorageError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'data_version'") ?? 0 }
    }

    public func forEachFeature(in layer: String, _ body: (StoredFeature) throws -> Void) throws {
        guard LayerInfo.isValidName(layer) else { throw StorageError(.invalidLayerName, "invalid layer name \"\(layer)\"") }
        let table = LayerInfo.tableName(layer)
        try pool.read { db in
            let rows = try Row.fetchCursor(db, sql: "SELECT id, ext_id, props, geom FROM \"\(table)\" ORDER BY id")
            while let row = try rows.next() {
                try body(try Self.feature(row))
            }
        }
    }

    /// Reads come from the pool's reader connections (WAL): several at once.
    public var readsConcurrently: Bool { true }

    public func forEachRawFeature(in layer: String, _ body: (RawFeature) throws -> Void) throws {
        guard LayerInfo.isValidName(layer) else { throw StorageError(.invalidLayerName, "invalid layer name \"\(layer)\"") }
        try pool.read { db in
            let rows = try Row.fetchCursor(db, sql: "SELECT id, ext_id, props, geom FROM \"\(LayerInfo.tableName(layer))\" ORDER BY id")
            while let row = try rows.next() {
                try body(RawFeature(id: try row.decode(Int64.self, atIndex: 0), extID: try row.decode(String?.self, atIndex: 1),
                                    propertiesJSON: try row.decode(String.self, atIndex: 2), geometry: try Self.geometry(row)))
            }
        }
    }

    public func features(in layer: String, intersecting bbox: BoundingBox, limit: Int) throws(StorageError) -> [StoredFeature] {
        guard LayerInfo.isValidName(layer) else { throw StorageError(.invalidLayerName, "invalid layer name \"\(layer)\"") }
        let table = LayerInfo.tableName(layer)
        return try read { db in
            let sql = """
                SELECT id, ext_id, props, geom FROM "\(table)" WHERE id IN (
                  SELECT pkid FROM "idx_\(table)_geom"
                  WHERE xmin <= ? AND xmax >= ? AND ymin <= ? AND ymax >= ?) ORDER BY id LIMIT ?
                """
            return try Row.fetchAll(db, sql: sql, arguments: [bbox.maxX, bbox.minX, bbox.maxY, bbox.minY, limit]).map(Self.feature)
        }
    }

    static func feature(_ row: Row) throws -> StoredFeature {
        // Throwing decodes: a store file handed over from elsewhere may hold NULLs or wrong types.
        let id = try row.decode(Int64.self, atIndex: 0)
        let geometry = try geometry(row)
        let propsText = try row.decode(String.self, atIndex: 2)
        guard case .object(let props) = try JSONParser.parse(propsText) else {
            throw StorageError(.corrupt, "feature \(id): props is not a JSON object")
        }
        return StoredFeature(id: id, extID: try row.decode(String?.self, atIndex: 1), properties: props, geometry: geometry)
    }

    /// The geometry in column 3, decoded from the blob in place (no copy of its bytes).
    static func geometry(_ row: Row) throws -> Geometry {
        let blob = try row.decode(Data.self, atIndex: 3)
        return try blob.withUnsafeBytes { (raw) throws(GeoError) -> Geometry in try SpatiaLiteBlob.decode(raw) }
    }
}
