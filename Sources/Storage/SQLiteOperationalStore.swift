import Foundation
import Geo
import GRDB
import Synchronization

/// The SQLite implementation of `OperationalStore`: events, their history and
/// sensor readings in a plain SQLite file of their own (no SpatiaLite: a point
/// is two REAL columns), beside the base-layer database, so an import holding
/// that file's write lock never delays an event write.
///
/// One GRDB `DatabasePool` (WAL: readers never wait for the writer). Every
/// method goes through GRDB's async `read`/`write`, which run on GRDB's own
/// dispatch queues: a request task suspends, no cooperative thread blocks on
/// SQLite. Writes are short transactions; `purge` deletes in small batches,
/// one transaction each, so a large purge never holds the write lock long.
///
/// Durability: a write returns after COMMIT. With `synchronous = NORMAL` (WAL)
/// a committed transaction survives a crash or `kill -9` of the process; a power
/// loss or OS crash may roll back the transactions since the last checkpoint
/// (the checkpointer fsyncs the WAL every 200 ms while there are writes).
/// With `synchronous = FULL` the WAL is fsynced at every commit, so a committed
/// transaction also survives power loss, at the cost of one fsync per commit.
///
/// Paging: ids come from `AUTOINCREMENT`, so they only grow and are never reused
/// (not even after `purge` deletes the newest rows); a page "after cursor" is
/// `id < cursor ORDER BY id DESC`, which inserts cannot disturb.
///
/// Times are ISO 8601 UTC strings compared as text, so each column must hold one
/// form (events: `Timestamp.millis`); the caller normalises filter bounds to it.
public final class SQLiteOperationalStore: OperationalStore {
    /// `PRAGMA synchronous` of the writer connection (the pool is in WAL mode).
    public enum Synchronous: String, Sendable {
        case normal, full
    }

    public let path: String
    public let synchronous: Synchronous
    let pool: DatabasePool
    /// Event inserts waiting for the writer (see `insertEvents`).
    let pendingInserts = Mutex<[PendingInsert]>([])
    /// Checkpoints the WAL off the writer (see `WALCheckpointer`).
    let checkpointer: WALCheckpointer?
    /// Rows deleted per transaction by `purge`, so event writes interleave.
    let purgeBatch: Int
    /// Last history rowids of the bike batches this store wrote (see `bikePositions(storedElsewhereAfter:)`).
    let ownBikeBatches = Mutex<Set<Int64>>([])

    /// Opens (creating if needed) the store at `path` and migrates its schema.
    public convenience init(path: String, synchronous: Synchronous = .normal) throws(StorageError) {
        try self.init(path: path, synchronous: synchronous, purgeBatch: 2_000)
    }

    init(path: String, synchronous: Synchronous, purgeBatch: Int) throws(StorageError) {
        self.path = path
        self.synchronous = synchronous
        self.purgeBatch = max(1, purgeBatch)
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.label = "CityTwin.ops"
        do {
            pool = try DatabasePool(path: path, configuration: config)
            // GRDB sets NORMAL on the writer when it enables WAL (after
            // `prepareDatabase`), so the setting is applied here, on the one
            // long-lived writer connection; readers do not write.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = \(synchronous.rawValue.uppercased())")
            }
            try Self.migrator.migrate(pool)
        } catch {
            throw StorageError.wrap(error)
        }
        // Checkpoints off the writer; the writer's own automatic checkpoint moves from
        // 1,000 pages to 8,000 (32 MB) and only runs if the checkpointer falls behind.
        checkpointer = try? WALCheckpointer(path: path)
        if checkpointer != nil {
            try? pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 8000") }
        }
    }

    /// The operational database path beside the main one: `city/citytwin.sqlite`
    /// → `city/citytwin-ops.sqlite`; a name with no extension (or `:memory:`)
    /// gets `-ops.sqlite` appended.
    public static func path(besides mainDatabase: String) -> String {
        let slash = mainDatabase.lastIndex(of: "/")
        let name = slash.map { mainDatabase[mainDatabase.index(after: $0)...] } ?? mainDatabase[...]
        if !name.hasPrefix(":"), let dot = name.lastIndex(of: "."), dot != name.startIndex,
           name.index(after: dot) != name.endIndex {
            return String(mainDatabase[..<dot]) + "-ops" + String(mainDatabase[dot...])
        }
        return mainDatabase + "-ops.sqlite"
    }

    // MARK: Schema

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE events(
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    type TEXT NOT NULL,
                    description TEXT NOT NULL,
                    address TEXT,
                    status TEXT NOT NULL,
                    source TEXT,
                    reported_at TEXT,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL,
                    due_at TEXT,
                    closed_at TEXT,
                    grid_code TEXT,
                    community_code TEXT,
                    street_code TEXT,
                    district_code TEXT,
                    assignee TEXT,
                    escalation INTEGER NOT NULL DEFAULT 0,
                    lon REAL NOT NULL,
                    lat REAL NOT NULL,
                    props TEXT NOT NULL DEFAULT '{}');
                -- One index per equality filter, with id so a page is a range scan in id order.
                CREATE INDEX events_status_id ON events(status, id);
                CREATE INDEX events_type_id ON events(type, id);
                CREATE INDEX events_grid_id ON events(grid_code, id);
                CREATE INDEX events_community_id ON events(community_code, id);
                CREATE INDEX events_street_id ON events(street_code, id);
                CREATE INDEX events_created ON events(created_at);
                -- Closing times: live events (closed since …) and purge.
                CREATE INDEX events_closed ON events(closed_at);
                -- Open events by deadline: overdue lists and escalation sweeps. The WHERE
                -- must match the query term verbatim (see Self.openTerm).
                CREATE INDEX events_open_due ON events(due_at) WHERE status NOT IN ('resolved', 'closed');
                CREATE TABLE event_history(
                    event_id INTEGER NOT NULL,
                    seq INTEGER NOT NULL,
                    at TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    from_value TEXT,
                    to_value TEXT,
                    note TEXT,
                    actor TEXT,
                    PRIMARY KEY(event_id, seq)) WITHOUT ROWID;
                CREATE TABLE sensor_readings(
                    sensor_id TEXT NOT NULL,
                    observed_at TEXT NOT NULL,
                    level_cm REAL NOT NULL,
                    received_at TEXT NOT NULL,
                    PRIMARY KEY(sensor_id, observed_at)) WITHOUT ROWID;
                -- Retention: purge walks old readings in observation order.
                CREATE INDEX sensor_readings_observed ON sensor_readings(observed_at);
                """)
        }
        return m
    }

    /// Not resolved or closed; written exactly as in `events_open_due` so the planner can use it.
    static let openTerm = "status NOT IN ('resolved', 'closed')"

    static let columns = """
        id, type, description, address, status, source, reported_at, created_at, updated_at, due_at, closed_at, \
        grid_code, community_code, street_code, district_code, assignee, escalation, lon, lat, props
        """

    /// `columns` for pages: the properties without the intake's bulky planning
    /// details (handlers, geocode answer, candidates), which a list entry does not
    /// show and which made most of a page's parsing; `event(id:)` has them all.
    static let listColumns = """
        id, type, description, address, status, source, reported_at, created_at, updated_at, due_at, closed_at, \
        grid_code, community_code, street_code, district_code, assignee, escalation, lon, lat, \
        json_remove(props, '$.handlers', '$.geocode', '$.candidates') AS props
        """

    /// An event from a row selected with `columns` (or `listColumns`), in that order.
    static func event(_ row: Row) throws -> EventRecord {
        let id: Int64 = row[0]
        let propsText: String = row[19]
        guard let props = (try? JSONParser.parse(propsText))?.objectValue else {
            throw StorageError(.corrupt, "event \(id): props is not a JSON object")
        }
        var e = EventRecord(id: id, type: row[1], description: row[2], address: row[3], status: row[4], source: row[5],
                            reportedAt: row[6], createdAt: row[7], updatedAt: row[8], gridCode: row[11],
                            properties: props, point: Coordinate(row[17], row[18]))
        e.dueAt = row[9]
        e.closedAt = row[10]
        e.communityCode = row[12]
        e.streetCode = row[13]
        e.districtCode = row[14]
        e.assignee = row[15]
        e.escalationLevel = row[16]
        return e
    }

    static func historyEntry(_ row: Row) throws -> EventHistoryEntry {
        let kindText: String = row[1]
        guard let kind = EventHistoryEntry.Kind(rawValue: kindText) else {
            throw StorageError(.corrupt, "unknown history kind \"\(kindText)\"")
        }
        return EventHistoryEntry(at: row[0], kind: kind, from: row[2], to: row[3], note: row[4], actor: row[5])
    }

    // MARK: Access

    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws(StorageError) -> T {
        do { return try await pool.read(body) } catch { throw StorageError.wrap(error) }
    }

    func write<T: Sendable>(_ body: @Sendable (Database) throws -> T) async throws(StorageError) -> T {
        do { return try await pool.write(body) } catch { throw StorageError.wrap(error) }
    }

    // MARK: Events

    /// Group commit: each call queues its events and asks the writer for a turn; the
    /// first turn to run takes everything queued by then and commits it in one
    /// transaction (later turns find the queue empty). Under load, posts that arrive
    /// while a commit is running share the next one instead of waiting one commit
    /// each; alone, a post commits at once. Every caller resumes after COMMIT;
    /// a failed transaction fails every call in it and stores none of them.
    public func insertEvents(_ events: [EventRecord]) async throws(StorageError) -> [EventRecord] {
        guard !events.isEmpty else { return [] }
        let result: Result<[EventRecord], StorageError> = await withCheckedContinuation { c in
            pendingInserts.withLock { $0.append(PendingInsert(events: events, done: { c.resume(returning: $0) })) }
            pool.asyncWriteWithoutTransaction { db in
                let batch = self.pendingInserts.withLock { p in defer { p = [] }; return p }
                guard !batch.isEmpty else { return }
                var stored: [[EventRecord]] = []
                do {
                    try db.inTransaction {
                        stored = try batch.map { try Self.insert($0.events, db) }
                        return .commit
                    }
                } catch {
                    let e = StorageError.wrap(error)
                    for item in batch { item.done(.failure(e)) }
                    return
                }
                for (item, out) in zip(batch, stored) { item.done(.success(out)) }
            }
        }
        return try result.get()
    }

    struct PendingInsert: Sendable {
        var events: [EventRecord]
        var done: @Sendable (Result<[EventRecord], StorageError>) -> Void
    }

    static func insert(_ events: [EventRecord], _ db: Database) throws -> [EventRecord] {
        let insert = try db.cachedStatement(sql: """
            INSERT INTO events(type, description, address, status, source, reported_at, created_at, updated_at, due_at,
                closed_at, grid_code, community_code, street_code, district_code, assignee, escalation, lon, lat, props)
            VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
            """)
        var stored = events
        for k in stored.indices {
            let e = stored[k]
            try insert.execute(arguments: [
                e.type, e.description, e.address, e.status, e.source, e.reportedAt, e.createdAt, e.updatedAt, e.dueAt,
                e.closedAt, e.gridCode, e.communityCode, e.streetCode, e.districtCode, e.assignee, e.escalationLevel,
                e.point.x, e.point.y, JSONWriter.string(e.properties),
            ])
            stored[k].id = db.lastInsertedRowID
            let created = EventHistoryEntry(at: e.createdAt, kind: .created, to: e.status, actor: e.source)
            try appendHistory([created], to: stored[k].id, firstSeq: 1, db)
        }
        return stored
    }

    static func appendHistory(_ entries: [EventHistoryEntry], to id: Int64, firstSeq: Int64, _ db: Database) throws {
        guard !entries.isEmpty else { return }
        let insert = try db.cachedStatement(sql: """
            INSERT INTO event_history(event_id, seq, at, kind, from_value, to_value, note, actor) VALUES (?,?,?,?,?,?,?,?)
            """)
        for (k, h) in entries.enumerated() {
            try insert.execute(arguments: [id, firstSeq + Int64(k), h.at, h.kind.rawValue, h.from, h.to, h.note, h.actor])
        }
    }

    public func updateEvent(_ event: EventRecord, expectedUpdatedAt: String,
                            history: [EventHistoryEntry]) async throws(StorageError) -> EventRecord? {
        try await write { db -> EventRecord? in
            let update = try db.cachedStatement(sql: """
                UPDATE events SET status = ?, updated_at = ?, due_at = ?, closed_at = ?, assignee = ?, escalation = ?,
                    props = ?, grid_code = ?, community_code = ?, street_code = ?, district_code = ?
                WHERE id = ? AND updated_at = ?
                """)
            let e = event
            try update.execute(arguments: [
                e.status, e.updatedAt, e.dueAt, e.closedAt, e.assignee, e.escalationLevel, JSONWriter.string(e.properties),
                e.gridCode, e.communityCode, e.streetCode, e.districtCode, e.id, expectedUpdatedAt,
            ])
            guard db.changesCount == 1 else { return nil }
            let last = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT max(seq) FROM event_history WHERE event_id = ?"), arguments: [e.id]) ?? 0
            try Self.appendHistory(history, to: e.id, firstSeq: last + 1, db)
            return try Self.fetchEvent(id: e.id, db)
        }
    }

    static func fetchEvent(id: Int64, _ db: Database) throws -> EventRecord? {
        let select = try db.cachedStatement(sql: "SELECT \(columns) FROM events WHERE id = ?")
        return try Row.fetchOne(select, arguments: [id]).map(event)
    }

    public func event(id: Int64) async throws(StorageError) -> (EventRecord, [EventHistoryEntry])? {
        try await read { db -> (EventRecord, [EventHistoryEntry])? in
            guard let e = try Self.fetchEvent(id: id, db) else { return nil }
            let select = try db.cachedStatement(sql: """
                SELECT at, kind, from_value, to_value, note, actor FROM event_history WHERE event_id = ? ORDER BY seq
                """)
            return (e, try Row.fetchAll(select, arguments: [id]).map(Self.historyEntry))
        }
    }

    public func events(matching filter: EventFilter, after cursor: Int64?,
                       limit: Int) async throws(StorageError) -> [EventRecord] {
        guard limit > 0 else { return [] }
        let queries = Self.pageQueries(filter, after: cursor, limit: limit)
        guard !queries.isEmpty else { return [] }
        return try await read { db in
            var out: [EventRecord] = []
            for q in queries {
                out += try Row.fetchAll(db.cachedStatement(sql: q.sql), arguments: q.arguments).map(Self.event)
            }
            guard queries.count > 1 else { return out }
            // Pages of one value each of an IN list: merge, newest first.
            out.sort { $0.id > $1.id }
            return Array(out.prefix(limit))
        }
    }

    /// A query with its arguments.
    struct Query: Sendable {
        var sql: String
        var arguments: StatementArguments
    }

    /// The queries whose merged results form one page: one query, or one per value
    /// of a status (or type) list when that list drives the scan.
    ///
    /// The index that drives the scan is chosen here (`INDEXED BY`), not left to the
    /// planner, which has no statistics and would sort whole IN lists: the most
    /// selective equality first (grid, community, street), then a single type or
    /// status, then the open-events deadline index for `overdueAt` (the open set is
    /// small, so its sort is cheap), then one query per value of a status or type
    /// list (each a range scan in id order, merged), else the primary key backwards
    /// (bbox and time windows filter it; a recent window stops early).
    static func pageQueries(_ f: EventFilter, after cursor: Int64?, limit: Int) -> [Query] {
        if f.statuses?.isEmpty == true || f.types?.isEmpty == true { return [] }
        enum Driver { case index(String), statusList, typeList, primaryKey }
        let driver: Driver
        if f.gridCode != nil {
            driver = .index("events_grid_id")
        } else if f.communityCode != nil {
            driver = .index("events_community_id")
        } else if f.streetCode != nil {
            driver = .index("events_street_id")
        } else if f.types?.count == 1 {
            driver = .index("events_type_id")
        } else if f.statuses?.count == 1 {
            driver = .index("events_status_id")
        } else if f.overdueAt != nil {
            driver = .index("events_open_due")
        } else if f.statuses != nil {
            driver = .statusList
        } else if f.types != nil {
            driver = .typeList
        } else {
            driver = .primaryKey
        }
        switch driver {
        case .index(let name):
            return [pageQuery(f, after: cursor, limit: limit, from: "events INDEXED BY \(name)")]
        case .statusList:
            return Array(Set(f.statuses ?? [])).sorted().map { s in
                var one = f
                one.statuses = [s]
                return pageQuery(one, after: cursor, limit: limit, from: "events INDEXED BY events_status_id")
            }
        case .typeList:
            return Array(Set(f.types ?? [])).sorted().map { t in
                var one = f
                one.types = [t]
                return pageQuery(one, after: cursor, limit: limit, from: "events INDEXED BY events_type_id")
            }
        case .primaryKey:
            return [pageQuery(f, after: cursor, limit: limit, from: "events NOT INDEXED")]
        }
    }

    static func pageQuery(_ f: EventFilter, after cursor: Int64?, limit: Int, from source: String) -> Query {
        var terms: [String] = []
        var args: [(any DatabaseValueConvertible)?] = []
        func inList(_ column: String, _ values: [String]) {
            if values.count == 1 {
                terms.append("\(column) = ?")
            } else {
                terms.append("\(column) IN (\(Array(repeating: "?", count: values.count).joined(separator: ",")))")
            }
            args += values.map { $0 }
        }
        if let s = f.statuses { inList("status", s) }
        if let t = f.types { inList("type", t) }
        if let g = f.gridCode {
            terms.append("grid_code = ?")
            args.append(g)
        }
        if let c = f.communityCode {
            terms.append("community_code = ?")
            args.append(c)
        }
        if let s = f.streetCode {
            terms.append("street_code = ?")
            args.append(s)
        }
        if let b = f.bbox {
            terms.append("lon >= ? AND lon <= ? AND lat >= ? AND lat <= ?")
            args += [b.minX, b.maxX, b.minY, b.maxY]
        }
        if let s = f.since {
            terms.append("created_at >= ?")
            args.append(s)
        }
        if let u = f.until {
            terms.append("created_at < ?")
            args.append(u)
        }
        if let o = f.overdueAt {
            terms.append("due_at < ?")
            args.append(o)
            terms.append(openTerm)
        }
        if let cursor {
            terms.append("id < ?")
            args.append(cursor)
        }
        args.append(limit)
        let whereClause = terms.isEmpty ? "" : " WHERE " + terms.joined(separator: " AND ")
        let sql = "SELECT \(listColumns) FROM \(source)\(whereClause) ORDER BY id DESC LIMIT ?"
        return Query(sql: sql, arguments: StatementArguments(args))
    }

    /// `EXPLAIN QUERY PLAN` details of the page queries for `filter` (for tests and tuning).
    func queryPlan(_ filter: EventFilter, after cursor: Int64?, limit: Int) async throws(StorageError) -> [String] {
        let queries = Self.pageQueries(filter, after: cursor, limit: limit)
        return try await read { db in
            try queries.flatMap { q in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + q.sql, arguments: q.arguments).map { $0["detail"] as String }
            }
        }
    }

    /// The first column of the first row of `sql`, as text, on a reader or on the
    /// writer connection (for tests and checks: pragmas, counts).
    func scalar(_ sql: String, onWriter: Bool = false) async throws(StorageError) -> String? {
        if onWriter {
            return try await write { db in try String.fetchOne(db, sql: sql) }
        }
        return try await read { db in try String.fetchOne(db, sql: sql) }
    }

    public func liveEvents(since: String) async throws(StorageError) -> [EventRecord] {
        // Each condition an index range (`status != 'closed'` as two), the ids united:
        // the planner, without statistics, would scan the whole table for the OR.
        try await read { db in
            let select = try db.cachedStatement(sql: """
                SELECT \(Self.columns) FROM events WHERE id IN (
                    SELECT id FROM events INDEXED BY events_status_id WHERE status < 'closed'
                    UNION ALL SELECT id FROM events INDEXED BY events_status_id WHERE status > 'closed'
                    UNION ALL SELECT id FROM events INDEXED BY events_created WHERE created_at >= ?
                    UNION ALL SELECT id FROM events INDEXED BY events_closed WHERE closed_at >= ?)
                ORDER BY id
                """)
            return try Row.fetchAll(select, arguments: [since, since]).map(Self.event)
        }
    }

    public func eventStats(groupBy: EventGrouping, since: String?, until: String?,
                           now: String) async throws(StorageError) -> [EventStatsRow] {
        let column = switch groupBy {
        case .grid: "grid_code"
        case .community: "community_code"
        case .street: "street_code"
        case .type: "type"
        case .status: "status"
        }
        var terms: [String] = []
        var args: [(any DatabaseValueConvertible)?] = [now]
        if let since {
            terms.append("created_at >= ?")
            args.append(since)
        }
        if let until {
            terms.append("created_at < ?")
            args.append(until)
        }
        let whereClause = terms.isEmpty ? "" : "WHERE " + terms.joined(separator: " AND ")
        let sql = """
            SELECT coalesce(\(column), '') AS key, count(*) AS n,
                count(CASE WHEN \(Self.openTerm) THEN 1 END),
                count(CASE WHEN \(Self.openTerm) AND due_at < ?1 THEN 1 END),
                avg(CASE WHEN closed_at IS NOT NULL THEN (julianday(closed_at) - julianday(created_at)) * 86400.0 END)
            FROM events \(whereClause)
            GROUP BY key ORDER BY n DESC, key
            """
        let arguments = StatementArguments(args)
        return try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map { r in
                let mean: Double? = r[4]
                return EventStatsRow(key: r[0], count: r[1], open: r[2], overdue: r[3],
                                     meanSecondsToClose: mean.map { ($0 * 1000).rounded() / 1000 })
            }
        }
    }

    public func eventHotspots(since: String, type: String?, minimum: Int,
                              limit: Int) async throws(StorageError) -> [EventHotspot] {
        guard limit > 0 else { return [] }
        let typeTerm = type == nil ? "" : " AND type = ?"
        var args: [(any DatabaseValueConvertible)?] = [since]
        if let type { args.append(type) }
        args += [minimum, limit]
        let sql = """
            SELECT grid_code, type, count(*) AS n, max(created_at) AS last FROM events
            WHERE created_at >= ? AND grid_code IS NOT NULL\(typeTerm)
            GROUP BY grid_code, type HAVING n >= ?
            ORDER BY n DESC, last DESC, grid_code, type LIMIT ?
            """
        let arguments = StatementArguments(args)
        return try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map { r in
                EventHotspot(gridCode: r[0], type: r[1], count: r[2], lastAt: r[3])
            }
        }
    }

    public func eventCount() async throws(StorageError) -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0 }
    }

    // MARK: Sensor readings

    public func insertReadings(_ readings: [SensorReading]) async throws(StorageError) -> Int {
        guard !readings.isEmpty else { return 0 }
        let receivedAt = Timestamp.now()
        return try await write { db in
            let insert = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO sensor_readings(sensor_id, observed_at, level_cm, received_at) VALUES (?,?,?,?)
                """)
            var inserted = 0
            for r in readings {
                try insert.execute(arguments: [r.sensorID, r.observedAt, r.levelCM, receivedAt])
                inserted += db.changesCount
            }
            return inserted
        }
    }

    public func latestReadings() async throws(StorageError) -> [String: SensorReading] {
        // A skip scan over the primary key: one seek for each next sensor and one for
        // its newest reading, so the cost grows with sensors, not with readings.
        try await read { db in
            let select = try db.cachedStatement(sql: """
                WITH RECURSIVE sensor(id) AS (
                    SELECT (SELECT sensor_id FROM sensor_readings ORDER BY sensor_id LIMIT 1)
                    UNION ALL
                    SELECT (SELECT sensor_id FROM sensor_readings WHERE sensor_id > sensor.id ORDER BY sensor_id LIMIT 1)
                    FROM sensor WHERE sensor.id IS NOT NULL)
                SELECT r.sensor_id, r.level_cm, r.observed_at FROM sensor
                JOIN sensor_readings r ON r.sensor_id = sensor.id
                    AND r.observed_at = (SELECT max(observed_at) FROM sensor_readings WHERE sensor_id = sensor.id)
                """)
            var out: [String: SensorReading] = [:]
            for r in try Row.fetchAll(select) {
                out[r[0]] = SensorReading(sensorID: r[0], levelCM: r[1], observedAt: r[2])
            }
            return out
        }
    }

    public func readings(sensor: String, since: String?, until: String?, after cursor: String?,
                         limit: Int) async throws(StorageError) -> [SensorReading] {
        guard limit > 0 else { return [] }
        var terms = ["sensor_id = ?"]
        var args: [(any DatabaseValueConvertible)?] = [sensor]
        if let since {
            terms.append("observed_at >= ?")
            args.append(since)
        }
        if let until {
            terms.append("observed_at < ?")
            args.append(until)
        }
        if let cursor {
            terms.append("observed_at > ?")
            args.append(cursor)
        }
        args.append(limit)
        let sql = """
            SELECT sensor_id, level_cm, observed_at FROM sensor_readings
            WHERE \(terms.joined(separator: " AND ")) ORDER BY observed_at LIMIT ?
            """
        let arguments = StatementArguments(args)
        return try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map { r in
                SensorReading(sensorID: r[0], levelCM: r[1], observedAt: r[2])
            }
        }
    }

    // MARK: Retention

    public func purge(eventsClosedBefore: String?,
                      readingsBefore: String?) async throws(StorageError) -> (events: Int, readings: Int) {
        let batch = purgeBatch
        var events = 0
        if let cutoff = eventsClosedBefore {
            while true {
                let n = try await write { db in
                    let ids = try Int64.fetchAll(db.cachedStatement(sql: """
                        SELECT id FROM events INDEXED BY events_closed WHERE closed_at < ? AND status = 'closed' LIMIT ?
                        """), arguments: [cutoff, batch])
                    let history = try db.cachedStatement(sql: "DELETE FROM event_history WHERE event_id = ?")
                    let event = try db.cachedStatement(sql: "DELETE FROM events WHERE id = ?")
                    for id in ids {
                        try history.execute(arguments: [id])
                        try event.execute(arguments: [id])
                    }
                    return ids.count
                }
                events += n
                if n < batch { break }
            }
        }
        var readings = 0
        if let cutoff = readingsBefore {
            while true {
                let n = try await write { db in
                    try db.cachedStatement(sql: """
                        DELETE FROM sensor_readings WHERE (sensor_id, observed_at) IN (
                            SELECT sensor_id, observed_at FROM sensor_readings WHERE observed_at < ? LIMIT ?)
                        """).execute(arguments: [cutoff, batch])
                    return db.changesCount
                }
                readings += n
                if n < batch { break }
            }
        }
        return (events, readings)
    }
}
