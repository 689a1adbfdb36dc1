import Foundation
import PostgresNIO

/// Bike positions, with the SQLite store's rules (see `SQLiteOperationalStore+Bikes`).
///
/// History ids come from an identity column; writers take an advisory lock for
/// their batch, so ids are handed out and committed in the same order across
/// processes (the lock is released after the commit is visible) and a follower's
/// cursor (an id) never passes a batch that commits later.
extension PostGISStore: BikePositionStore {
    static let bikesLockKey = 7_261_003

    /// The tables are created by the store's migration.
    public func prepareBikeTables() async throws(StorageError) {}

    @discardableResult
    public func storeBikePositions(_ positions: [BikePosition], receivedAt: Int64) async throws(StorageError) -> Int {
        guard !positions.isEmpty else { return 0 }
        return try await inTransaction { c -> Int in
            try await c.exec(PostgresQuery(unsafeSQL: "SELECT pg_advisory_xact_lock(\(Self.bikesLockKey))"))
            var binds = PostgresBindings()
            binds.append(positions.map(\.bikeID))
            binds.append(positions.map(\.operatorName))
            binds.append(positions.map(\.observedAt))
            binds.append(positions.map(\.lon))
            binds.append(positions.map(\.lat))
            binds.append(positions.map { Int16($0.status.code) })
            let rows = "unnest($1::text[], $2::text[], $3::int8[], $4::float8[], $5::float8[], $6::int2[]) WITH ORDINALITY AS r(b, op, ms, lon, lat, st, k)"
            // How many reports become their bike's latest, one after another as the SQLite store counts them:
            // newer than the stored latest and than every earlier report of the bike in this batch.
            let changed = try await c.rows(PostgresQuery(unsafeSQL: """
                WITH m AS (SELECT b, ms, max(ms) OVER (PARTITION BY b ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev
                           FROM \(rows))
                SELECT count(*) FROM m LEFT JOIN bike_latest l ON l.bike_id = m.b
                WHERE m.ms > coalesce(greatest(m.prev, l.observed_ms), -9223372036854775808)
                """, binds: binds)).first?.decode(Int.self) ?? 0
            let last = try await c.rows(PostgresQuery(unsafeSQL: """
                INSERT INTO bike_positions(bike_id, operator, observed_ms, lon, lat, status)
                SELECT b, op, ms, lon, lat, st FROM \(rows) ORDER BY k RETURNING id
                """, binds: binds)).map { try $0.decode(Int64.self) }.max() ?? 0
            try await c.exec(PostgresQuery(unsafeSQL: """
                INSERT INTO bike_latest(bike_id, operator, observed_ms, lon, lat, status)
                SELECT DISTINCT ON (b) b, op, ms, lon, lat, st FROM \(rows) ORDER BY b, ms DESC, k
                ON CONFLICT (bike_id) DO UPDATE SET operator = excluded.operator, observed_ms = excluded.observed_ms,
                    lon = excluded.lon, lat = excluded.lat, status = excluded.status
                WHERE excluded.observed_ms > bike_latest.observed_ms
                """, binds: binds))
            var batch = PostgresQuery(unsafeSQL: "INSERT INTO bike_batches(last_id, received_ms) VALUES ($1, $2)")
            batch.binds.append(last)
            batch.binds.append(receivedAt)
            try await c.exec(batch)
            try await Self.notify(.bikePositions, c)
            // Noted before the commit, so a reader that sees the batch already knows it is ours.
            noteOwnBikeBatch(last)
            return changed
        }
    }

    /// Bounded like the SQLite store's set (a follower re-reading forgotten batches changes nothing).
    func noteOwnBikeBatch(_ last: Int64) {
        ownBikeBatches.withLock { own in
            own.insert(last)
            if own.count > 10_000 { own = Set(own.sorted().suffix(5_000)) }
        }
    }

    public func bikePositionCursor() async throws(StorageError) -> Int64 {
        try await withConnection { c in
            try await c.rows("SELECT coalesce(max(last_id), 0) FROM bike_batches").first?.decode(Int64.self) ?? 0
        }
    }

    public func bikePositions(storedElsewhereAfter after: Int64, limit: Int) async throws(StorageError) -> StoredBikePositions {
        let page = try await withConnection { c -> StoredBikePositions in
            try await Self.transaction(c) {
                try await c.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                var cursor = after
                let top = try await c.rows("SELECT coalesce(max(last_id), 0) FROM bike_batches").first?.decode(Int64.self) ?? 0
                if top < cursor { cursor = 0 }
                var batchesQuery = PostgresQuery(unsafeSQL: "SELECT last_id FROM bike_batches WHERE last_id > $1 ORDER BY last_id LIMIT 10000")
                batchesQuery.binds.append(cursor)
                let batches = try await c.rows(batchesQuery).map { try $0.decode(Int64.self) }
                // Read after the snapshot began: every batch it holds was noted before its commit.
                let own = ownBikeBatches.withLock { $0 }
                var out: [BikePosition] = []
                for last in batches {
                    // The page is full first: the cursor may sit inside the batch before, whose
                    // rest must not be stepped over by skipping an own batch after it.
                    let room = limit - out.count
                    if room <= 0 { break }
                    if own.contains(last) {
                        cursor = last
                        continue
                    }
                    var q = PostgresQuery(unsafeSQL: """
                        SELECT id, bike_id, operator, observed_ms, lon, lat, status FROM bike_positions
                        WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3
                        """)
                    q.binds.append(cursor)
                    q.binds.append(last)
                    q.binds.append(room)
                    var n = 0
                    for r in try await c.rows(q) {
                        let (id, bike, op, ms, lon, lat, status) = try r.decode((Int64, String, String, Int64, Double, Double, Int16).self)
                        out.append(BikePosition(bikeID: bike, operatorName: op, lon: lon, lat: lat, observedAt: ms,
                                                status: BikeStatus(code: UInt8(clamping: status)) ?? .parked))
                        cursor = id
                        n += 1
                    }
                    if n < room { cursor = last }
                }
                return StoredBikePositions(positions: out, cursor: cursor)
            }
        }
        // Our batches behind the cursor will not be asked about again.
        ownBikeBatches.withLock { own in own = own.filter { $0 > page.cursor } }
        return page
    }

    public func latestBikePositions(since: Int64?) async throws(StorageError) -> [BikePosition] {
        var q = PostgresQuery(unsafeSQL: "SELECT bike_id, operator, observed_ms, lon, lat, status FROM bike_latest WHERE observed_ms >= $1")
        q.binds.append(since ?? Int64.min)
        let query = q
        return try await withConnection { c in
            try await c.rows(query).map { r in
                let (bike, op, ms, lon, lat, status) = try r.decode((String, String, Int64, Double, Double, Int16).self)
                return BikePosition(bikeID: bike, operatorName: op, lon: lon, lat: lat, observedAt: ms,
                                    status: BikeStatus(code: UInt8(clamping: status)) ?? .parked)
            }
        }
    }

    /// Id ranges of at most 20,000 rows per transaction, so position writes interleave.
    public func purgeBikePositions(receivedBefore: Int64, latestBefore: Int64?) async throws(StorageError) -> (history: Int, latest: Int) {
        let batch: Int64 = 20_000
        var history = 0
        while true {
            let n = try await inTransaction { c -> Int in
                var lastQuery = PostgresQuery(unsafeSQL: "SELECT max(last_id) FROM bike_batches WHERE received_ms < $1")
                lastQuery.binds.append(receivedBefore)
                guard let last = try await c.rows(lastQuery).first?.decode(Int64?.self) else { return 0 }
                let first = try await c.rows("SELECT min(id) FROM bike_positions").first?.decode(Int64?.self)
                var dropBatches = PostgresQuery(unsafeSQL: "DELETE FROM bike_batches WHERE last_id <= $1")
                dropBatches.binds.append(last)
                guard let first, first <= last else {
                    try await c.exec(dropBatches)
                    return 0
                }
                let upTo = min(last, first + batch - 1)
                var delete = PostgresQuery(unsafeSQL: "DELETE FROM bike_positions WHERE id <= $1 RETURNING 1")
                delete.binds.append(upTo)
                let deleted = try await c.rows(delete).count
                if upTo == last { try await c.exec(dropBatches) }
                return deleted
            }
            history += n
            if n == 0 { break }
        }
        var latest = 0
        if let latestBefore {
            latest = try await inTransaction { c -> Int in
                var delete = PostgresQuery(unsafeSQL: "DELETE FROM bike_latest WHERE observed_ms < $1 RETURNING 1")
                delete.binds.append(latestBefore)
                return try await c.rows(delete).count
            }
        }
        return (history, latest)
    }

    public func bikePositionCount() async throws(StorageError) -> Int {
        try await withConnection { c in try await c.rows("SELECT count(*) FROM bike_positions").first?.decode(Int.self) ?? 0 }
    }
}
