import GRDB

extension SpatiaLiteStore {
    /// `PRAGMA integrity_check`, `CheckSpatialIndex` per layer, and catalog
    /// counts against table counts.
    public func check() throws(StorageError) -> CheckReport {
        do {
            // CheckSpatialIndex writes to a statistics table, so this runs as a write.
            return try pool.write { db in
                let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
                var layers: [CheckReport.LayerCheck] = []
                for row in try Row.fetchAll(db, sql: "SELECT name, feature_count FROM layers ORDER BY name") {
                    let name: String = row[0]
                    let table = LayerInfo.tableName(name)
                    let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM \"\(table)\"") ?? -1
                    let idx = try Int.fetchOne(db, sql: "SELECT CheckSpatialIndex(?, 'geom')", arguments: [table])
                    layers.append(.init(name: name, catalogCount: row[1], tableCount: count, spatialIndexValid: idx.map { $0 == 1 }))
                }
                return CheckReport(integrity: integrity, layers: layers)
            }
        } catch {
            throw StorageError.wrap(error)
        }
    }
}
