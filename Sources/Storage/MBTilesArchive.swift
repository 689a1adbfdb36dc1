import Foundation
import Geo
import GRDB

/// An MBTiles 1.3 tileset (a SQLite file): `metadata` and `tiles` tables,
/// rows in TMS order (tile_row counted from the south), vector tiles
/// gzipped, format `pbf`. Writing happens in one transaction and the file
/// is built beside its final path and renamed, so a crash leaves no half archive.
/// GRDB owns the connection; this class is not `Sendable` for writing, and
/// a reader opened with `open(path:)` is read-only and `Sendable` through GRDB's queue.
public final class MBTilesArchive: Sendable {
    public let path: String
    let queue: DatabaseQueue

    init(path: String, queue: DatabaseQueue) { self.path = path; self.queue = queue }

    /// Opens an existing tileset read-only.
    public static func open(path: String) throws(StorageError) -> MBTilesArchive {
        var config = Configuration()
        config.readonly = true
        do {
            let q = try DatabaseQueue(path: path, configuration: config)
            _ = try q.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tiles LIMIT 1") }
            return MBTilesArchive(path: path, queue: q)
        } catch {
            throw StorageError(.sqlite, "\(path) is not a readable MBTiles tileset: \(StorageError.wrap(error).message)")
        }
    }

    public func metadata() throws(StorageError) -> [String: String] {
        do {
            return try queue.read { db in
                var m: [String: String] = [:]
                // A tileset is input: NULL, numeric or non-UTF-8 cells must not trap in a
                // non-optional String conversion. Numbers become their text; others are skipped.
                func text(_ v: DatabaseValue) -> String? {
                    switch v.storage {
                    case .string(let s): s
                    case .int64(let i): String(i)
                    case .double(let d): String(d)
                    case .blob(let b): String(validating: [UInt8](b), as: UTF8.self)
                    case .null: nil
                    }
                }
                for row in try Row.fetchAll(db, sql: "SELECT name, value FROM metadata") {
                    if let k = text(row[0]), let v = text(row[1]) { m[k] = v }
                }
                return m
            }
        } catch { throw StorageError.wrap(error) }
    }

    /// The stored bytes of tile z/x/y (XYZ y), or nil.
    public func tile(_ t: TileID) throws(StorageError) -> [UInt8]? {
        do {
            return try queue.read { db in
                try Data.fetchOne(db, sql: "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                                  arguments: [t.z, t.x, t.tmsY]).map { [UInt8]($0) }
            }
        } catch { throw StorageError.wrap(error) }
    }

    /// Writes a new tileset at `path` (replacing any file there) from tiles
    /// given as (tile, gzipped MVT) by `produce`, which is called with an
    /// `add` function. Returns the number of tiles written.
    public static func write(path: String, metadata: [(String, String)],
                             produce: (_ add: (TileID, [UInt8]) throws -> Void) throws -> Void) throws(StorageError) -> Int {
        let temp = path + ".partial"
        try? FileManager.default.removeItem(atPath: temp)
        var count = 0
        do {
            let q = try DatabaseQueue(path: temp)
            try q.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA application_id = 0x4d504258") // "MPBX", the MBTiles magic number
                try db.execute(sql: "PRAGMA journal_mode = OFF")
                try db.inTransaction {
                    try db.execute(sql: """
                        CREATE TABLE metadata (name text, value text);
                        CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob);
                        """)
                    for (k, v) in metadata { try db.execute(sql: "INSERT INTO metadata (name, value) VALUES (?, ?)", arguments: [k, v]) }
                    let insert = try db.makeStatement(sql: "INSERT INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES (?, ?, ?, ?)")
                    try produce { t, bytes in
                        try insert.execute(arguments: [t.z, t.x, t.tmsY, Data(bytes)])
                        count += 1
                    }
                    try db.execute(sql: "CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)")
                    return .commit
                }
            }
            try q.close()
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: temp, toPath: path)
        } catch {
            try? FileManager.default.removeItem(atPath: temp)
            if let e = error as? StorageError { throw e }
            throw StorageError(.sqlite, "writing MBTiles \(path): \(StorageError.wrap(error).message)")
        }
        return count
    }
}
