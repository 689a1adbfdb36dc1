import Foundation
import Geo
import PostgresNIO

/// Events, their history and sensor readings: the `OperationalStore` half of
/// the PostGIS store, with the same rules as `SQLiteOperationalStore` (ids only
/// grow, pages are `id < cursor ORDER BY id DESC`, times are ISO 8601 text
/// compared bytewise). Every writing transaction also NOTIFYs what it changed.
extension PostGISStore: OperationalStore {
    static let eventColumns = """
        id, type, description, address, status, source, reported_at, created_at, updated_at, due_at, closed_at, \
        grid_code, community_code, street_code, district_code, assignee, escalation, lon, lat, props
        """

    /// An event from a row selected with `eventColumns`; `forList` leaves out the
    /// intake's planning details as the SQLite store's pages do.
    static func event(_ row: PostgresRow, forList: Bool = false) throws -> EventRecord {
        let (id, type, description, address, status, source, reportedAt, createdAt, updatedAt, dueAt, closedAt) = try row.decode(
            (Int64, String, String, String?, String, String?, String?, String, String, String?, String?).self)
        let cells = row.makeRandomAccess()
        let grid = try cells[11].decode(String?.self)
        let community = try cells[12].decode(String?.self)
        let street = try cells[13].decode(String?.self)
        let district = try cells[14].decode(String?.self)
        let assignee = try cells[15].decode(String?.self)
        let escalation = try cells[16].decode(Int.self)
        let lon = try cells[17].decode(Double.self)
        let lat = try cells[18].decode(Double.self)
        let propsText = try cells[19].decode(String.self)
        guard var props = (try? JSONParser.parse(propsText))?.objectValue else {
            throw StorageError(.corrupt, "event \(id): props is not a JSON object")
        }
        if forList {
            props = JSONObject(props.members.filter { !["handlers", "geocode", "candidates"].contains($0.key) })
        }
        var e = EventRecord(id: id, type: type, description: description, address: address, status: status, source: source,
                            reportedAt: reportedAt, createdAt: createdAt, updatedAt: updatedAt, gridCode: grid,
                            properties: props, point: Coordinate(lon, lat))
        e.dueAt = dueAt
        e.closedAt = closedAt
        e.communityCode = community
        e.streetCode = street
        e.districtCode = district
        e.assignee = assignee
        e.escalationLevel = escalation
        return e
    }

    // MARK: Writing events

    public func insertEvents(_ events: [EventRecord]) async throws(StorageError) -> [EventRecord] {
        try await insertEvents(events, duplicates: nil)
    }

    /// With a rule: an advisory lock per event type (two instances inserting the
    /// same type take turns, so the second sees the first's event), then for each
    /// event without `duplicate_of` the nearest open event of its type within the
    /// radius and time window, by geodesic distance (`ST_DWithin` on geography).
    public func insertEvents(_ events: [EventRecord], duplicates rule: DuplicateRule?) async throws(StorageError) -> [EventRecord] {
        guard !events.isEmpty else { return [] }
        return try await inTransaction { c in try await Self.insert(events, duplicates: rule, c) }
    }

    static func insert(_ events: [EventRecord], duplicates rule: DuplicateRule?, _ c: PostgresConnection) async throws -> [EventRecord] {
        if rule != nil {
            for type in Set(events.map(\.type)).sorted() {
                var lock = PostgresQuery(unsafeSQL: "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                lock.binds.append("citytwin.events." + type)
                try await c.exec(lock)
            }
        }
        var stored = events
        for k in stored.indices {
            if let rule, stored[k].properties["duplicate_of"] == nil || stored[k].properties["duplicate_of"] == .null {
                if let other = try await duplicate(of: stored[k], rule, c) {
                    stored[k].properties["duplicate_of"] = .number(Double(other))
                }
            }
            let e = stored[k]
            var insert = PostgresQuery(unsafeSQL: """
                INSERT INTO events(type, description, address, status, source, reported_at, created_at, updated_at, due_at,
                    closed_at, grid_code, community_code, street_code, district_code, assignee, escalation, lon, lat, props)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id
                """)
            insert.binds.append(e.type)
            insert.binds.append(e.description)
            insert.binds.append(e.address)
            insert.binds.append(e.status)
            insert.binds.append(e.source)
            insert.binds.append(e.reportedAt)
            insert.binds.append(e.createdAt)
            insert.binds.append(e.updatedAt)
            insert.binds.append(e.dueAt)
            insert.binds.append(e.closedAt)
            insert.binds.append(e.gridCode)
            insert.binds.append(e.communityCode)
            insert.binds.append(e.streetCode)
            insert.binds.append(e.districtCode)
            insert.binds.append(e.assignee)
            insert.binds.append(e.escalationLevel)
            insert.binds.append(e.point.x)
            insert.binds.append(e.point.y)
            insert.binds.append(JSONWriter.string(e.properties))
            guard let id = try await c.rows(insert).first?.decode(Int64.self) else {
                throw StorageError(.postgres, "INSERT … RETURNING id gave no row")
            }
            stored[k].id = id
            let created = EventHistoryEntry(at: e.createdAt, kind: .created, to: e.status, actor: e.source)
            try await appendHistory([created], to: id, firstSeq: 1, c)
        }
        try await notify(.events(ids: stored.map(\.id)), c)
        return stored
    }

    /// The nearest open event of `e`'s type within the rule's radius and window.
    static func duplicate(of e: EventRecord, _ rule: DuplicateRule, _ c: PostgresConnection) async throws -> Int64? {
        var q = PostgresQuery(unsafeSQL: """
            SELECT id FROM events
            WHERE type = $1 AND NOT (status = ANY($2))
              AND ST_DWithin(geom::geography, ST_SetSRID(ST_MakePoint($3, $4), 4326)::geography, $5)
              AND abs(extract(epoch FROM coalesce(reported_at, created_at)::timestamptz - $6::timestamptz)) <= $7
            ORDER BY geom::geography <-> ST_SetSRID(ST_MakePoint($3, $4), 4326)::geography, id
            LIMIT 1
            """)
        q.binds.append(e.type)
        q.binds.append(rule.closedStatuses)
        q.binds.append(e.point.x)
        q.binds.append(e.point.y)
        q.binds.append(rule.radiusM)
        q.binds.append(e.reportedAt ?? e.createdAt)
        q.binds.append(rule.windowSeconds)
        return try await c.rows(q).first?.decode(Int64.self)
    }

    static func appendHistory(_ entries: [EventHistoryEntry], to id: Int64, firstSeq: Int64, _ c: PostgresConnection) async throws {
        for (k, h) in entries.enumerated() {
            var insert = PostgresQuery(unsafeSQL: """
                INSERT INTO event_history(event_id, seq, at, kind, from_value, to_value, note, actor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                """)
            insert.binds.append(id)
            insert.binds.append(firstSeq + Int64(k))
            insert.binds.append(h.at)
            insert.binds.append(h.kind.rawValue)
            insert.binds.append(h.from)
            insert.binds.append(h.to)
            insert.binds.append(h.note)
            insert.binds.append(h.actor)
            try await c.exec(insert)
        }
    }

    /// A conditional UPDATE: the row lock makes a concurrent change (any process)
    /// wait, then re-check `updated_at` and find it moved, so exactly one wins.
    public func updateEvent(_ event: EventRecord, expectedUpdatedAt: String,
                            history: [EventHistoryEntry]) async throws(StorageError) -> EventRecord? {
        try await inTransaction { c -> EventRecord? in
            let e = event
            var update = PostgresQuery(unsafeSQL: """
                UPDATE events SET status = $1, updated_at = $2, due_at = $3, closed_at = $4, assignee = $5, escalation = $6,
                    props = $7, grid_code = $8, community_code = $9, street_code = $10, district_code = $11
                WHERE id = $12 AND updated_at = $13 RETURNING id
                """)
            update.binds.append(e.status)
            update.binds.append(e.updatedAt)
            update.binds.append(e.dueAt)
            update.binds.append(e.closedAt)
            update.binds.append(e.assignee)
            update.binds.append(e.escalationLevel)
            update.binds.append(JSONWriter.string(e.properties))
            update.binds.append(e.gridCode)
            update.binds.append(e.communityCode)
            update.binds.append(e.streetCode)
            update.binds.append(e.districtCode)
            update.binds.append(e.id)
            update.binds.append(expectedUpdatedAt)
            guard try await !c.rows(update).isEmpty else { return nil }
            var last = PostgresQuery(unsafeSQL: "SELECT coalesce(max(seq), 0) FROM event_history WHERE event_id = $1")
            last.binds.append(e.id)
            let seq = try await c.rows(last).first?.decode(Int64.self) ?? 0
            try await Self.appendHistory(history, to: e.id, firstSeq: seq + 1, c)
            try await Self.notify(.events(ids: [e.id]), c)
            return try await Self.fetchEvent(id: e.id, c)
        }
    }

    static func fetchEvent(id: Int64, _ c: PostgresConnection) async throws -> EventRecord? {
        var q = PostgresQuery(unsafeSQL: "SELECT \(eventColumns) FROM events WHERE id = $1")
        q.binds.append(id)
        return try await c.rows(q).first.map { try event($0) }
    }

    // MARK: Reading events

    public func event(id: Int64) async throws(StorageError) -> (EventRecord, [EventHistoryEntry])? {
        let found = try await withConnection { c -> EventWithHistory? in
            guard let e = try await Self.fetchEvent(id: id, c) else { return nil }
            var q = PostgresQuery(unsafeSQL: """
                SELECT at, kind, from_value, to_value, note, actor FROM event_history WHERE event_id = $1 ORDER BY seq
                """)
            q.binds.append(id)
            let history = try await c.rows(q).map { row -> EventHistoryEntry in
                let (at, kindText, from, to, note, actor) = try row.decode((String, String, String?, String?, String?, String?).self)
                guard let kind = EventHistoryEntry.Kind(rawValue: kindText) else {
                    throw StorageError(.corrupt, "unknown history kind \"\(kindText)\"")
                }
                return EventHistoryEntry(at: at, kind: kind, from: from, to: to, note: note, actor: actor)
            }
            return EventWithHistory(event: e, history: history)
        }
        return found.map { ($0.event, $0.history) }
    }

    struct EventWithHistory: Sendable {
        var event: EventRecord
        var history: [EventHistoryEntry]
    }

    public func events(matching f: EventFilter, after cursor: Int64?, limit: Int) async throws(StorageError) -> [EventRecord] {
        guard limit > 0 else { return [] }
        if f.statuses?.isEmpty == true || f.types?.isEmpty == true { return [] }
        var terms: [String] = []
        var binds = PostgresBindings()
        func next() -> String { "$\(binds.count)" }
        if let s = f.statuses {
            binds.append(s)
            terms.append("status = ANY(\(next()))")
        }
        if let t = f.types {
            binds.append(t)
            terms.append("type = ANY(\(next()))")
        }
        for (column, value) in [("grid_code", f.gridCode), ("community_code", f.communityCode), ("street_code", f.streetCode)] {
            if let value {
                binds.append(value)
                terms.append("\(column) = \(next())")
            }
        }
        if let b = f.bbox {
            for (term, value) in [("lon >=", b.minX), ("lon <=", b.maxX), ("lat >=", b.minY), ("lat <=", b.maxY)] {
                binds.append(value)
                terms.append("\(term) \(next())")
            }
        }
        if let s = f.since {
            binds.append(s)
            terms.append("created_at >= \(next())")
        }
        if let u = f.until {
            binds.append(u)
            terms.append("created_at < \(next())")
        }
        if let o = f.overdueAt {
            binds.append(o)
            terms.append("due_at < \(next()) AND status NOT IN ('resolved', 'closed')")
        }
        if let cursor {
            binds.append(cursor)
            terms.append("id < \(next())")
        }
        binds.append(limit)
        let whereClause = terms.isEmpty ? "" : " WHERE " + terms.joined(separator: " AND ")
        let query = PostgresQuery(unsafeSQL: "SELECT \(Self.eventColumns) FROM events\(whereClause) ORDER BY id DESC LIMIT \(next())",
                                  binds: binds)
        return try await withConnection { c in try await c.rows(query).map { try Self.event($0, forList: true) } }
    }

    public func liveEvents(since: String) async throws(StorageError) -> [EventRecord] {
        var q = PostgresQuery(unsafeSQL: """
            SELECT \(Self.eventColumns) FROM events
            WHERE status <> 'closed' OR created_at >= $1 OR closed_at >= $1 ORDER BY id
            """)
        q.binds.append(since)
        let query = q
        return try await withConnection { c in try await c.rows(query).map { try Self.event($0) } }
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
        var binds = PostgresBindings()
        binds.append(now)
        var terms: [String] = []
        if let since {
            binds.append(since)
            terms.append("created_at >= $\(binds.count)")
        }
        if let until {
            binds.append(until)
            terms.append("created_at < $\(binds.count)")
        }
        let whereClause = terms.isEmpty ? "" : "WHERE " + terms.joined(separator: " AND ")
        let query = PostgresQuery(unsafeSQL: """
            SELECT coalesce(\(column), '') AS key, count(*) AS n,
                count(CASE WHEN status NOT IN ('resolved', 'closed') THEN 1 END),
                count(CASE WHEN status NOT IN ('resolved', 'closed') AND due_at < $1 THEN 1 END),
                avg(CASE WHEN closed_at IS NOT NULL
                    THEN extract(epoch FROM closed_at::timestamptz - created_at::timestamptz) END)::float8
            FROM events \(whereClause)
            GROUP BY key ORDER BY n DESC, key
            """, binds: binds)
        return try await withConnection { c in
            try await c.rows(query).map { r in
                let (key, count, open, overdue, mean) = try r.decode((String, Int, Int, Int, Double?).self)
                return EventStatsRow(key: key, count: count, open: open, overdue: overdue,
                                     meanSecondsToClose: mean.map { ($0 * 1000).rounded() / 1000 })
            }
        }
    }

    public func eventHotspots(since: String, type: String?, minimum: Int, limit: Int) async throws(StorageError) -> [EventHotspot] {
        guard limit > 0 else { return [] }
        var binds = PostgresBindings()
        binds.append(since)
        var typeTerm = ""
        if let type {
            binds.append(type)
            typeTerm = " AND type = $\(binds.count)"
        }
        binds.append(minimum)
        let minimumParameter = "$\(binds.count)"
        binds.append(limit)
        let query = PostgresQuery(unsafeSQL: """
            SELECT grid_code, type, count(*) AS n, max(created_at) AS last FROM events
            WHERE created_at >= $1 AND grid_code IS NOT NULL\(typeTerm)
            GROUP BY grid_code, type HAVING count(*) >= \(minimumParameter)
            ORDER BY n DESC, last DESC, grid_code, type LIMIT $\(binds.count)
            """, binds: binds)
        return try await withConnection { c in
            try await c.rows(query).map { r in
                let (grid, type, count, last) = try r.decode((String, String, Int, String).self)
                return EventHotspot(gridCode: grid, type: type, count: count, lastAt: last)
            }
        }
    }

    public func eventCount() async throws(StorageError) -> Int {
        try await withConnection { c in try await c.rows("SELECT count(*) FROM events").first?.decode(Int.self) ?? 0 }
    }

    // MARK: Sensor readings

    public func insertReadings(_ readings: [SensorReading]) async throws(StorageError) -> Int {
        guard !readings.isEmpty else { return 0 }
        return try await inTransaction { c in try await Self.insertReadings(readings, c) }
    }

    /// One INSERT of arrays; a reading equal to a stored one (same sensor and time) is skipped.
    static func insertReadings(_ readings: [SensorReading], _ c: PostgresConnection) async throws -> Int {
        var q = PostgresQuery(unsafeSQL: """
            INSERT INTO sensor_readings(sensor_id, observed_at, level_cm, received_at)
            SELECT s, o, l, $4 FROM unnest($1::text[], $2::text[], $3::float8[]) AS r(s, o, l)
            ON CONFLICT DO NOTHING RETURNING 1
            """)
        q.binds.append(readings.map(\.sensorID))
        q.binds.append(readings.map(\.observedAt))
        q.binds.append(readings.map(\.levelCM))
        q.binds.append(Timestamp.now())
        let inserted = try await c.rows(q).count
        if inserted > 0 { try await notify(.readings, c) }
        return inserted
    }

    public func latestReadings() async throws(StorageError) -> [String: SensorReading] {
        try await withConnection { c in try await Self.latestReadings(c) }
    }

    static func latestReadings(_ c: PostgresConnection) async throws -> [String: SensorReading] {
        var out: [String: SensorReading] = [:]
        for r in try await c.rows("""
            SELECT DISTINCT ON (sensor_id) sensor_id, level_cm, observed_at FROM sensor_readings ORDER BY sensor_id, observed_at DESC
            """) {
            let (sensor, level, observed) = try r.decode((String, Double, String).self)
            out[sensor] = SensorReading(sensorID: sensor, levelCM: level, observedAt: observed)
        }
        return out
    }

    public func readings(sensor: String, since: String?, until: String?, after cursor: String?,
                         limit: Int) async throws(StorageError) -> [SensorReading] {
        guard limit > 0 else { return [] }
        var binds = PostgresBindings()
        binds.append(sensor)
        var terms = ["sensor_id = $1"]
        for (term, value) in [("observed_at >=", since), ("observed_at <", until), ("observed_at >", cursor)] {
            if let value {
                binds.append(value)
                terms.append("\(term) $\(binds.count)")
            }
        }
        binds.append(limit)
        let query = PostgresQuery(unsafeSQL: """
            SELECT sensor_id, level_cm, observed_at FROM sensor_readings
            WHERE \(terms.joined(separator: " AND ")) ORDER BY observed_at LIMIT $\(binds.count)
            """, binds: binds)
        return try await withConnection { c in
            try await c.rows(query).map { r in
                let (sensor, level, observed) = try r.decode((String, Double, String).self)
                return SensorReading(sensorID: sensor, levelCM: level, observedAt: observed)
            }
        }
    }

    // MARK: Retention

    /// In batches of 2,000 rows, one transaction each, so event writes interleave.
    public func purge(eventsClosedBefore: String?, readingsBefore: String?) async throws(StorageError) -> (events: Int, readings: Int) {
        let batch = 2_000
        var events = 0
        if let cutoff = eventsClosedBefore {
            while true {
                let n = try await inTransaction { c -> Int in
                    var select = PostgresQuery(unsafeSQL: """
                        SELECT id FROM events WHERE closed_at < $1 AND status = 'closed' LIMIT $2 FOR UPDATE SKIP LOCKED
                        """)
                    select.binds.append(cutoff)
                    select.binds.append(batch)
                    let ids = try await c.rows(select).map { try $0.decode(Int64.self) }
                    guard !ids.isEmpty else { return 0 }
                    var history = PostgresQuery(unsafeSQL: "DELETE FROM event_history WHERE event_id = ANY($1)")
                    history.binds.append(ids)
                    try await c.exec(history)
                    var delete = PostgresQuery(unsafeSQL: "DELETE FROM events WHERE id = ANY($1)")
                    delete.binds.append(ids)
                    try await c.exec(delete)
                    return ids.count
                }
                events += n
                if n < batch { break }
            }
        }
        var readings = 0
        if let cutoff = readingsBefore {
            while true {
                let n = try await inTransaction { c -> Int in
                    var delete = PostgresQuery(unsafeSQL: """
                        DELETE FROM sensor_readings WHERE ctid IN (
                            SELECT ctid FROM sensor_readings WHERE observed_at < $1 LIMIT $2) RETURNING 1
                        """)
                    delete.binds.append(cutoff)
                    delete.binds.append(batch)
                    return try await c.rows(delete).count
                }
                readings += n
                if n < batch { break }
            }
        }
        return (events, readings)
    }
}

// MARK: FeatureStore's event and reading methods (synchronous)

extension PostGISStore {
    /// Stores a new event in the shared `events` table (with its `created` history line).
    public func insertEvent(_ event: EventRecord) throws(StorageError) -> EventRecord {
        try onSyncConnection { c in
            try await Self.transaction(c) { try await Self.insert([event], duplicates: nil, c) }
        }.first ?? event
    }

    /// Compare-and-set on the status (see `SpatiaLiteStore.updateEventStatus`).
    public func updateEventStatus(id: Int64, from: String, to: String, at: String, properties: JSONObject) throws(StorageError) -> EventRecord? {
        try onSyncConnection { c in
            try await Self.transaction(c) { () async throws -> EventRecord? in
                var update = PostgresQuery(unsafeSQL: """
                    UPDATE events SET status = $1, updated_at = $2, props = $3 WHERE id = $4 AND status = $5 RETURNING id
                    """)
                update.binds.append(to)
                update.binds.append(at)
                update.binds.append(JSONWriter.string(properties))
                update.binds.append(id)
                update.binds.append(from)
                guard try await !c.rows(update).isEmpty else { return nil }
                try await Self.notify(.events(ids: [id]), c)
                return try await Self.fetchEvent(id: id, c)
            }
        }
    }

    public func events() throws(StorageError) -> [EventRecord] {
        try onSyncConnection { c in
            try await c.rows(PostgresQuery(unsafeSQL: "SELECT \(Self.eventColumns) FROM events ORDER BY id")).map { try Self.event($0) }
        }
    }

    public func event(id: Int64) throws(StorageError) -> EventRecord? {
        try onSyncConnection { c in try await Self.fetchEvent(id: id, c) }
    }

    public func insertReadings(_ readings: [SensorReading]) throws(StorageError) -> Int {
        guard !readings.isEmpty else { return 0 }
        return try onSyncConnection { c in try await Self.transaction(c) { try await Self.insertReadings(readings, c) } }
    }

    public func latestReadings() throws(StorageError) -> [String: SensorReading] {
        try onSyncConnection { c in try await Self.latestReadings(c) }
    }
}
