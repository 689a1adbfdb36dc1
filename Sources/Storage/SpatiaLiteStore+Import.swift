import CSpatiaLite
import Foundation
import Geo
import GRDB

extension SpatiaLiteStore {
    public func importLayer<R>(_ spec: LayerSpec, mode: ImportMode,
                               _ body: (any LayerWriter) throws -> R) throws -> (R, ImportCommit) {
        guard LayerInfo.isValidName(spec.name) else {
            throw StorageError(.invalidLayerName,
                               "invalid layer name \"\(spec.name)\": use lower-case letters, digits and _, starting with a letter (max 63)")
        }
        let table = LayerInfo.tableName(spec.name)
        var result: (R, ImportCommit)?
        do {
            try pool.writeWithoutTransaction { db in
                // BEGIN IMMEDIATE: take the write lock up front, so a long import
                // never fails half-way on a lock upgrade.
                try db.inTransaction(.immediate) {
                    let existing = try Row.fetchOne(db, sql: "SELECT * FROM layers WHERE name = ?", arguments: [spec.name]).flatMap(Self.layerInfo)
                    if let existing, existing.role != spec.role, mode == .append {
                        throw StorageError(.invalidData, "layer \"\(spec.name)\" has role \(existing.role.rawValue), not \(spec.role.rawValue)")
                    }
                    let fresh = existing == nil || mode == .replace
                    if fresh {
                        if existing != nil { try Self.dropLayerTable(db, table) }
                        try Self.createLayerTable(db, table)
                    }
                    // A fixed 16 MiB page cache: the R*Tree build rewrites index pages
                    // many times; keeping them in memory avoids spilling them to the WAL.
                    try db.execute(sql: "PRAGMA cache_size = -16384")
                    let writer = try SpatiaLiteLayerWriter(db: db, table: table)
                    let r = try body(writer)
                    if fresh {
                        // Registered and indexed after the bulk insert: one validating pass
                        // and one index build instead of SpatiaLite's triggers on every row.
                        try Self.registerGeometry(db, table, spec.role)
                    }
                    var bbox = writer.bbox
                    if !fresh, let existing { bbox.extend(existing.bbox) }
                    let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM \"\(table)\"") ?? 0
                    let zoom = spec.role.defaultZoomRange
                    let version = (existing?.version ?? 0) + 1
                    let now = Timestamp.now()
                    let geometryType = spec.role.storedGeometryType?.rawValue ?? "Geometry"
                    try db.execute(sql: """
                        INSERT INTO layers(name, role, geometry_type, feature_count, min_x, min_y, max_x, max_y,
                                           minzoom, maxzoom, version, updated_at, source)
                        VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
                        ON CONFLICT(name) DO UPDATE SET role=excluded.role, geometry_type=excluded.geometry_type,
                          feature_count=excluded.feature_count, min_x=excluded.min_x, min_y=excluded.min_y,
                          max_x=excluded.max_x, max_y=excluded.max_y, version=excluded.version,
                          updated_at=excluded.updated_at, source=excluded.source
                        """, arguments: [spec.name, spec.role.rawValue, geometryType, count,
                                         bbox.isEmpty ? nil : bbox.minX, bbox.isEmpty ? nil : bbox.minY,
                                         bbox.isEmpty ? nil : bbox.maxX, bbox.isEmpty ? nil : bbox.maxY,
                                         zoom.lowerBound, zoom.upperBound, version, now, spec.source])
                    try db.execute(sql: "UPDATE meta SET value = value + 1 WHERE key = 'data_version'")
                    let info = try Row.fetchOne(db, sql: "SELECT * FROM layers WHERE name = ?", arguments: [spec.name]).flatMap(Self.layerInfo)
                    guard let info else { throw StorageError(.corrupt, "catalog row for \(spec.name) vanished") }
                    result = (r, ImportCommit(layer: info, inserted: writer.inserted))
                    return .commit
                }
            }
        } catch let e as DatabaseError {
            throw StorageError.wrap(e)
        }
        // Any other error (the body's own) propagates unchanged after the rollback.
        guard let result else { throw StorageError(.sqlite, "import transaction did not commit") }
        return result
    }

    public func deleteLayer(_ name: String) throws(StorageError) {
        guard LayerInfo.isValidName(name) else { throw StorageError(.invalidLayerName, "invalid layer name \"\(name)\"") }
        do {
            try pool.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    guard try Int.fetchOne(db, sql: "SELECT count(*) FROM layers WHERE name = ?", arguments: [name]) == 1 else {
                        throw StorageError(.unknownLayer, "unknown layer \"\(name)\"")
                    }
                    try Self.dropLayerTable(db, LayerInfo.tableName(name))
                    try db.execute(sql: "DELETE FROM layers WHERE name = ?", arguments: [name])
                    try db.execute(sql: "UPDATE meta SET value = value + 1 WHERE key = 'data_version'")
                    return .commit
                }
            }
        } catch {
            throw StorageError.wrap(error)
        }
    }

    /// A new layer table. Its geometry column starts as a plain BLOB and is
    /// registered by `registerGeometry` once the rows are in.
    static func createLayerTable(_ db: Database, _ table: String) throws {
        try db.execute(sql: "CREATE TABLE \"\(table)\" (id INTEGER PRIMARY KEY, ext_id TEXT, props TEXT NOT NULL DEFAULT '{}', geom BLOB NOT NULL)")
    }

    /// `RecoverGeometryColumn` checks every row's type and SRID against the
    /// role's stored type in one scan and installs SpatiaLite's metadata and
    /// triggers (later appends go through them); then the R*Tree is built.
    static func registerGeometry(_ db: Database, _ table: String, _ role: LayerRole) throws {
        let type = role.storedGeometryType?.sqlName ?? "GEOMETRY"
        guard try Int.fetchOne(db, sql: "SELECT RecoverGeometryColumn(?, 'geom', 4326, ?, 'XY')", arguments: [table, type]) == 1 else {
            throw StorageError(.spatialite, "RecoverGeometryColumn failed for \(table): a geometry does not match \(type)/4326")
        }
        guard try Int.fetchOne(db, sql: "SELECT CreateSpatialIndex(?, 'geom')", arguments: [table]) == 1 else {
            throw StorageError(.spatialite, "CreateSpatialIndex failed for \(table)")
        }
    }

    static func dropLayerTable(_ db: Database, _ table: String) throws {
        // DropTable removes the table, its R*Tree and every metadata row in one call.
        guard try Int.fetchOne(db, sql: "SELECT DropTable(NULL, ?)", arguments: [table]) == 1 else {
            throw StorageError(.spatialite, "DropTable failed for \(table)")
        }
    }
}

/// Inserts rows through one prepared statement; lives only inside the
/// import transaction (it holds the `Database`, which must not escape).
/// Binding goes straight to SQLite (see `citytwin_insert_feature`) because
/// this is the per-feature hot path of every import.
final class SpatiaLiteLayerWriter: LayerWriter {
    let db: Database
    let statement: Statement
    let sql: String
    private(set) var inserted = 0
    private(set) var bbox = BoundingBox.empty

    init(db: Database, table: String) throws {
        self.db = db
        sql = "INSERT INTO \"\(table)\"(ext_id, props, geom) VALUES (?, ?, ?)"
        statement = try db.makeStatement(sql: sql)
    }

    func insert(extID: String?, properties: JSONObject, geometry: Geometry) throws(StorageError) {
        let blob = SpatiaLiteBlob.encode(geometry)
        bbox.extend(geometry.boundingBox)
        var props = JSONWriter.string(properties)
        var ext = extID
        // SQLite binds lengths as Int32: a feature this large is refused, not narrowed with a trap.
        guard blob.count <= Int(Int32.max), props.utf8.count <= Int(Int32.max), (ext?.utf8.count ?? 0) <= Int(Int32.max) else {
            throw StorageError(.invalidData, "feature too large to store (geometry \(blob.count) bytes, properties \(props.utf8.count) bytes)")
        }
        let rc: Int32 = props.withUTF8 { p in
            blob.withUnsafeBytes { b in
                // `UnsafePointer(bitPattern: 1)!` is a constant non-nil stand-in for an empty buffer's base (no input reaches it).
                func step(_ e: UnsafeBufferPointer<UInt8>?) -> Int32 {
                    citytwin_insert_feature(statement.sqliteStatement,
                                            e.map { UnsafeRawPointer($0.baseAddress ?? UnsafePointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self) },
                                            Int32(e?.count ?? 0),
                                            UnsafeRawPointer(p.baseAddress ?? UnsafePointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self),
                                            Int32(p.count), b.baseAddress, Int32(b.count))
                }
                if ext != nil { return ext!.withUTF8 { step($0) } }
                return step(nil)
            }
        }
        guard rc == SQLITE_DONE else {
            let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
            throw StorageError(.sqlite, "insert failed (SQLite \(rc)): \(message)", sqliteCode: rc, sql: sql)
        }
        inserted += 1
    }
}
