import Foundation
import Geo
import GRDB

extension SpatiaLiteStore {
    /// Stores a new event (its `id` is ignored) and returns it with its id.
    /// Events do not bump the data version: layers are unchanged, and the
    /// server publishes the new event itself.
    public func insertEvent(_ e: EventRecord) throws(StorageError) -> EventRecord {
        do {
            return try pool.write { db in
                try db.execute(sql: """
                    INSERT INTO events(type, description, address, status, source, reported_at, created_at, updated_at, grid_code, props, geom)
                    VALUES (?,?,?,?,?,?,?,?,?,?,?)
                    """, arguments: [e.type, e.description, e.address, e.status, e.source, e.reportedAt, e.createdAt, e.updatedAt,
                                     e.gridCode, JSONWriter.string(e.properties), Data(SpatiaLiteBlob.encode(.point(e.point)))])
                var stored = e
                stored.id = db.lastInsertedRowID
                return stored
            }
        } catch { throw StorageError.wrap(error) }
    }

    /// Sets an event's status when it is still `from` (compare-and-set, so
    /// two concurrent moves cannot both succeed). Returns the updated event,
    /// or nil when the event does not exist or its status changed meanwhile.
    public func updateEventStatus(id: Int64, from: String, to: String, at: String, properties: JSONObject) throws(StorageError) -> EventRecord? {
        do {
            return try pool.write { db -> EventRecord? in
                try db.execute(sql: "UPDATE events SET status = ?, updated_at = ?, props = ? WHERE id = ? AND status = ?",
                               arguments: [to, at, JSONWriter.string(properties), id, from])
                guard db.changesCount == 1 else { return nil }
                return try Row.fetchOne(db, sql: "SELECT *, AsBinary(geom) AS wkb FROM events WHERE id = ?", arguments: [id]).flatMap(Self.event)
            }
        } catch { throw StorageError.wrap(error) }
    }

    public func events() throws(StorageError) -> [EventRecord] {
        try read { db in try Row.fetchAll(db, sql: "SELECT *, AsBinary(geom) AS wkb FROM events ORDER BY id").compactMap(Self.event) }
    }

    public func event(id: Int64) throws(StorageError) -> EventRecord? {
        try read { db in try Row.fetchOne(db, sql: "SELECT *, AsBinary(geom) AS wkb FROM events WHERE id = ?", arguments: [id]).flatMap(Self.event) }
    }

    static func event(_ row: Row) -> EventRecord? {
        guard let wkb: Data = row["wkb"], case .point(let c)? = try? WKB.decode([UInt8](wkb)) else { return nil }
        let props = (try? JSONParser.parse(row["props"] as String? ?? "{}"))?.objectValue ?? JSONObject()
        return EventRecord(id: row["id"], type: row["type"], description: row["description"], address: row["address"], status: row["status"],
                           source: row["source"], reportedAt: row["reported_at"], createdAt: row["created_at"], updatedAt: row["updated_at"],
                           gridCode: row["grid_code"], properties: props, point: c)
    }
}
