import Foundation
import GRDB

/// Checkpoints a WAL database from a connection of its own, on a utility queue:
/// `PRAGMA wal_checkpoint(PASSIVE)` every `interval`. SQLite's automatic
/// checkpoint runs inside the COMMIT that takes the WAL past its threshold, so
/// one write in a thousand pages copies the WAL into the database and waits for
/// its fsyncs while every other write queues behind it; at millions of rows those
/// are the slowest writes. A PASSIVE checkpoint takes no writer lock, so commits
/// go on while it runs. The writer keeps a far threshold as a safety net (see
/// `SQLiteOperationalStore`).
// Sendable: the timer is set up in init and only cancelled after (DispatchSource is thread-safe).
final class WALCheckpointer: @unchecked Sendable {
    let timer: DispatchSourceTimer

    init(path: String, interval: DispatchTimeInterval = .milliseconds(200)) throws {
        var config = Configuration()
        config.busyMode = .timeout(1)
        config.label = "CityTwin.ops.checkpoint"
        let connection = try DatabaseQueue(path: path, configuration: config)
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "CityTwin.ops.checkpoint", qos: .utility))
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(20))
        // A failed checkpoint (busy, I/O) is retried at the next tick; the writer's threshold backs it up.
        timer.setEventHandler { try? connection.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(PASSIVE)") } }
        timer.resume()
    }

    deinit { timer.cancel() }
}
