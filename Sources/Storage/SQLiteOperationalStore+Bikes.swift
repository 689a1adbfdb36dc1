import Foundation
import GRDB
import Synchronization

/// Bike positions beside the events, in the same operational file.
///
/// Tables are created on first use (`CREATE … IF NOT EXISTS`) rather than by the
/// event migrator, so the event schema's migrations stay the event hub's own.
/// History is a plain rowid table written in arrival order; `bike_batches`
/// records the last rowid of each stored batch with its receipt time, so
/// retention deletes a rowid range (no index on the history, whose inserts are
/// the hot path). Times are integer milliseconds since 1970.
extension SQLiteOperationalStore: BikePositionStore {
    public func prepareBikeTables() async throws(StorageError) {
        _ = try await write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS bike_positions(
                    bike_id TEXT NOT NULL,
                    operator TEXT NOT NULL,
                    observed_ms INTEGER NOT NULL,
                    lon REAL NOT NULL,
                    lat REAL NOT NULL,
                    status INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS bike_batches(
                    last_rowid INTEGER PRIMARY KEY,
                    received_ms INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS bike_latest(
                    bike_id TEXT PRIMARY KEY,
                    operator TEXT NOT NULL,
                    observed_ms INTEGER NOT NULL,
                    lon REAL NOT NULL,
                    lat REAL NOT NULL,
                    status INTEGER NOT NULL) WITHOUT ROWID;
                """)
            return 0
        }
    }

    @discardableResult
    public func storeBikePositions(_ positions: [BikePosition], receivedAt: Int64) async throws(StorageError) -> Int {
        guard !positions.isEmpty else { return 0 }
        return try await write { db in
            let history = try db.cachedStatement(sql: """
                INSERT INTO bike_positions(bike_id, operator, observed_ms, lon, lat, status) VALUES (?,?,?,?,?,?)
                """)
            // Newer only: a report older than the stored latest leaves it as it is.
            let latest = try db.cachedStatement(sql: """
                INSERT INTO bike_latest(bike_id, operator, observed_ms, lon, lat, status) VALUES (?,?,?,?,?,?)
                ON CONFLICT(bike_id) DO UPDATE SET operator = excluded.operator, observed_ms = excluded.observed_ms,
                    lon = excluded.lon, lat = excluded.lat, status = excluded.status
                WHERE excluded.observed_ms > bike_latest.observed_ms
                """)
            var changed = 0
            for p in positions {
                let args: StatementArguments = [p.bikeID, p.operatorName, p.observedAt, p.lon, p.lat, Int(p.status.code)]
                history.setUncheckedArguments(args)
                try history.execute()
                latest.setUncheckedArguments(args)
                try latest.execute()
                changed += db.changesCount
            }
            let last = db.lastInsertedRowID
            try db.execute(sql: "INSERT OR REPLACE INTO bike_batches(last_rowid, received_ms) VALUES (?, ?)", arguments: [last, receivedAt])
            // Noted before the commit, so a reader that sees the batch already knows it is ours.
            noteOwnBikeBatch(last)
            return changed
        }
    }

    /// Keeps the set bounded (a store whose history nobody follows, e.g. a benchmark): the
    /// oldest half go, and a follower then reads those batches again, which changes nothing
    /// (their reports are not newer than what they set).
    func noteOwnBikeBatch(_ last: Int64) {
        ownBikeBatches.withLock { own in
            own.insert(last)
            if own.count > 10_000 { own = Set(own.sorted().suffix(5_000)) }
        }
    }

    public func bikePositionCursor() async throws(StorageError) -> Int64 {
        try await read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(last_rowid), 0) FROM bike_batches") ?? 0 }
    }

    /// History rows come in batches of consecutive rowids, each ending at a `bike_batches`
    /// row, and rowids grow in commit order (one writer at a time): so a cursor is a rowid,
    /// and the batches past it are read whole (or up to `limit`) unless they are ours.
    public func bikePositions(storedElsewhereAfter after: Int64, limit: Int) async throws(StorageError) -> StoredBikePositions {
        let page = try await read { db -> StoredBikePositions in
            var cursor = after
            // Every row purged and rowids restarted from 1: read from the start (reports
            // not newer than a bike's last change nothing).
            let top = try Int64.fetchOne(db, sql: "SELECT coalesce(max(last_rowid), 0) FROM bike_batches") ?? 0
            if top < cursor { cursor = 0 }
            let batches = try Int64.fetchAll(db, sql: "SELECT last_rowid FROM bike_batches WHERE last_rowid > ? ORDER BY last_rowid LIMIT 10000",
                                             arguments: [cursor])
            // Read after the snapshot began: every batch it holds was noted before its commit.
            let own = ownBikeBatches.withLock { $0 }
            let rows = try db.cachedStatement(sql: """
                SELECT rowid, bike_id, operator, observed_ms, lon, lat, status FROM bike_positions
                WHERE rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ?
                """)
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
                let found = try Row.fetchCursor(rows, arguments: [cursor, last, room])
                var n = 0
                while let r = try found.next() {
                    let code: Int = r[6]
                    out.append(BikePosition(bikeID: r[1], operatorName: r[2], lon: r[4], lat: r[5], observedAt: r[3],
                                            status: BikeStatus(code: UInt8(clamping: code)) ?? .parked))
                    cursor = r[0]
                    n += 1
                }
                if n < room { cursor = last }
            }
            return StoredBikePositions(positions: out, cursor: cursor)
        }
        // Our batches behind the cursor will not be asked about again.
        ownBikeBatches.withLock { own in own = own.filter { $0 > page.cursor } }
        return page
    }

    public func latestBikePositions(since: Int64?) async throws(StorageError) -> [BikePosition] {
        try await read { db in
            var out: [BikePosition] = []
            let rows = try Row.fetchCursor(db, sql: """
                SELECT bike_id, operator, observed_ms, lon, lat, status FROM bike_latest WHERE observed_ms >= ?
                """, arguments: [since ?? Int64.min])
            while let r = try rows.next() {
                let code: Int = r[5]
                out.append(BikePosition(bikeID: r[0], operatorName: r[1], lon: r[3], lat: r[4], observedAt: r[2],
                                        status: BikeStatus(code: UInt8(clamping: code)) ?? .parked))
            }
            return out
        }
    }

    public func purgeBikePositions(receivedBefore: Int64, latestBefore: Int64?) async throws(StorageError) -> (history: Int, latest: Int) {
        let batch = purgeBatch * 10
        var history = 0
        // Rowid ranges, a bounded number of rows per transaction so position writes interleave.
        while true {
            let n = try await write { db -> Int in
                guard let last = try Int64.fetchOne(db, sql: "SELECT max(last_rowid) FROM bike_batches WHERE received_ms < ?",
                                                    arguments: [receivedBefore]) else { return 0 }
                guard let first = try Int64.fetchOne(db, sql: "SELECT min(rowid) FROM bike_positions"), first <= last else {
                    try db.execute(sql: "DELETE FROM bike_batches WHERE last_rowid <= ?", arguments: [last])
                    return 0
                }
                let upTo = min(last, first + Int64(batch) - 1)
                try db.execute(sql: "DELETE FROM bike_positions WHERE rowid <= ?", arguments: [upTo])
                let deleted = db.changesCount
                if upTo == last { try db.execute(sql: "DELETE FROM bike_batches WHERE last_rowid <= ?", arguments: [last]) }
                return deleted
            }
            history += n
            if n == 0 { break }
        }
        var latest = 0
        if let latestBefore {
            latest = try await write { db in
                try db.execute(sql: "DELETE FROM bike_latest WHERE observed_ms < ?", arguments: [latestBefore])
                return db.changesCount
            }
        }
        return (history, latest)
    }

    public func bikePositionCount() async throws(StorageError) -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM bike_positions") ?? 0 }
    }
}
