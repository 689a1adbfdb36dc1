import CSpatiaLite
import Foundation
import GRDB
import Storage

/// SpatiaLite SQL as a benchmark peer: the queries a GIS team would write
/// against SpatiaLite itself (its KNN virtual table, its R*Tree through the
/// SpatialIndex virtual table, ST_Contains, PtDistWithin). Beside Storage,
/// not in it: only the benchmarks use it, and only these two targets speak
/// SQL. One connection, used from one thread.
public final class SpatiaLitePeer {
    let queue: DatabaseQueue

    public init(store: SpatiaLiteStore) throws {
        var config = Configuration()
        config.prepareDatabase { db in
            guard citytwin_spatialite_init(db.sqliteConnection) == SQLITE_OK else { throw StorageError(.spatialite, "SpatiaLite init failed") }
        }
        queue = try DatabaseQueue(path: store.path, configuration: config)
    }

    /// k nearest ids (row ids) via the KNN virtual table.
    public func nearest(layer: String, lon: Double, lat: Double, k: Int) throws -> [Int64] {
        try queue.read { db in
            try Int64.fetchAll(db, sql: "SELECT fid FROM KNN WHERE f_table_name = ? AND ref_geometry = MakePoint(?, ?, 4326) AND max_items = ?",
                               arguments: [LayerInfo.tableName(layer), lon, lat, k])
        }
    }

    /// The polygon containing the point, via the R*Tree then ST_Contains.
    public func locate(layer: String, lon: Double, lat: Double) throws -> Int64? {
        let t = LayerInfo.tableName(layer)
        return try queue.read { db in
            try Int64.fetchOne(db, sql: """
                SELECT id FROM "\(t)" WHERE ST_Contains(geom, MakePoint(?1, ?2, 4326)) AND ROWID IN (
                  SELECT ROWID FROM SpatialIndex WHERE f_table_name = '\(t)' AND search_frame = MakePoint(?1, ?2, 4326)) ORDER BY id LIMIT 1
                """, arguments: [lon, lat])
        }
    }

    /// Points within `radius` metres (great circle), via the R*Tree frame then PtDistWithin.
    public func countWithin(layer: String, lon: Double, lat: Double, radius: Double) throws -> Int {
        let t = LayerInfo.tableName(layer)
        let dLat = radius / 111_000 * 1.01, dLon = dLat / cos(lat * .pi / 180)
        return try queue.read { db in
            try Int.fetchOne(db, sql: """
                SELECT count(*) FROM "\(t)" WHERE PtDistWithin(geom, MakePoint(?1, ?2, 4326), ?3, 0) AND ROWID IN (
                  SELECT ROWID FROM SpatialIndex WHERE f_table_name = '\(t)' AND search_frame = BuildMbr(?4, ?5, ?6, ?7, 4326))
                """, arguments: [lon, lat, radius, lon - dLon, lat - dLat, lon + dLon, lat + dLat]) ?? 0
        }
    }
}
