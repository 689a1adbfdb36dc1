import Foundation
import Geo
import PostgresNIO
import Synchronization

/// `StoreChange` on the wire: the JSON payload of `NOTIFY citytwin_changes`.
///
/// `{"kind":"layers","data_version":7,"names":["roads"]}`, `{"kind":"events","ids":[12,13]}`
/// (or `"from":12,"to":913` when the list would not fit NOTIFY's 8,000 bytes),
/// `{"kind":"readings"}`, `{"kind":"bike_positions"}`.
extension StoreChange {
    /// The payload for NOTIFY (nil for `.resynchronise`, which is never sent).
    public var notifyPayload: String? {
        switch self {
        case .layers(let version, let names):
            let list = names.map { JSONWriter.string(.string($0)) }.joined(separator: ",")
            return "{\"kind\":\"layers\",\"data_version\":\(version),\"names\":[\(list)]}"
        case .events(let ids):
            if ids.count > 500, let low = ids.min(), let high = ids.max() {
                return "{\"kind\":\"events\",\"from\":\(low),\"to\":\(high)}"
            }
            return "{\"kind\":\"events\",\"ids\":[\(ids.map(String.init).joined(separator: ","))]}"
        case .readings: return "{\"kind\":\"readings\"}"
        case .bikePositions: return "{\"kind\":\"bike_positions\"}"
        case .resynchronise: return nil
        }
    }

    /// Event ids a payload may name; a larger range asks for a resynchronisation.
    static let maxNotifiedIDs = 1_000_000

    /// Parses a payload (nil when it is not one of ours).
    public init?(notifyPayload text: String) {
        guard let object = (try? JSONParser.parse(text))?.objectValue, let kind = object["kind"]?.stringValue else { return nil }
        switch kind {
        case "layers":
            // Anyone with a login can NOTIFY: numbers out of range are not ours.
            guard let version = object["data_version"]?.doubleValue, version.isFinite, version >= 0, version < 9e15 else { return nil }
            let names = object["names"]?.arrayValue?.compactMap(\.stringValue) ?? []
            self = .layers(dataVersion: Int(version), names: names)
        case "events":
            func id(_ v: Double?) -> Int64? {
                guard let v, v.isFinite, v >= 0, v < 9e15 else { return nil }
                return Int64(v)
            }
            if let ids = object["ids"]?.arrayValue, ids.count <= Self.maxNotifiedIDs {
                self = .events(ids: ids.compactMap { id($0.doubleValue) })
            } else if let low = id(object["from"]?.doubleValue), let high = id(object["to"]?.doubleValue), low <= high,
                      high - low < Int64(Self.maxNotifiedIDs) {
                self = .events(ids: Array(low...high))
            } else if object["ids"] != nil || object["from"] != nil {
                // More than a follower should read id by id: everything is read again.
                self = .resynchronise
            } else {
                return nil
            }
        case "readings": self = .readings
        case "bike_positions": self = .bikePositions
        default: return nil
        }
    }
}

extension PostGISStore {
    /// Queues the change's NOTIFY in the current transaction: listeners hear it after COMMIT, never on a rollback.
    static func notify(_ change: StoreChange, _ c: PostgresConnection) async throws {
        guard let payload = change.notifyPayload else { return }
        var q = PostgresQuery(unsafeSQL: "SELECT pg_notify($1, $2)")
        q.binds.append(changeChannel)
        q.binds.append(payload)
        try await c.exec(q)
    }

    /// Commits of every instance (this one included), heard on a dedicated LISTEN
    /// connection shared by all streams of this store. After a lost connection the
    /// listener reconnects (backoff 0.1 s doubling to 5 s) and yields `.resynchronise`.
    public func changes() -> AsyncStream<StoreChange> {
        listener.subscribe()
    }

    /// Waits until the LISTEN connection is in place (after a first `changes()`),
    /// so every later commit is heard; false after `timeout`. For tests and start-up.
    public func waitUntilListening(timeout: Duration = .seconds(10)) async -> Bool {
        let clock = ContinuousClock()
        let end = clock.now.advanced(by: timeout)
        while clock.now < end {
            if listener.isListening { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return listener.isListening
    }
}

/// The LISTEN connection and the streams it feeds. Started by the first
/// subscriber; stopped by `PostGISStore.close()`.
final class ChangeListener: Sendable {
    let configuration: PostgresConnection.Configuration
    let logger: Logger
    /// How long a heartbeat may go unanswered before the link counts as dead: long
    /// enough that a busy server or a retransmit back-off does not cost every
    /// instance a reconnect and a resynchronisation.
    let heartbeatTimeout = Duration.seconds(10)
    private struct State {
        var subscribers: [UUID: AsyncStream<StoreChange>.Continuation] = [:]
        var task: Task<Void, Never>?
        var stopped = false
        var listening = false
    }
    private let state = Mutex(State())

    init(configuration: PostgresConnection.Configuration, logger: Logger) {
        var configuration = configuration
        // Named, so tests (and operators) can find it in pg_stat_activity.
        configuration.options.additionalStartupParameters = [("application_name", "citytwin-listen")]
        self.configuration = configuration
        self.logger = logger
    }

    func subscribe() -> AsyncStream<StoreChange> {
        let (stream, continuation) = AsyncStream.makeStream(of: StoreChange.self, bufferingPolicy: .bufferingNewest(10_000))
        let id = UUID()
        let alive = state.withLock { s -> Bool in
            guard !s.stopped else { return false }
            s.subscribers[id] = continuation
            if s.task == nil { s.task = Task { await self.run() } }
            return true
        }
        guard alive else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    var isListening: Bool { state.withLock { $0.listening } }

    func stop() {
        let (task, subscribers) = state.withLock { s in
            s.stopped = true
            defer { s.subscribers = [:] }
            return (s.task, Array(s.subscribers.values))
        }
        task?.cancel()
        for c in subscribers { c.finish() }
    }

    private func broadcast(_ change: StoreChange) {
        for c in state.withLock({ Array($0.subscribers.values) }) { c.yield(change) }
    }

    private func run() async {
        var delay = Duration.milliseconds(100)
        var connectedBefore = false
        var nextID = 1
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(configuration: configuration, id: nextID, logger: logger)
                nextID += 1
                do {
                    try await withTaskCancellationHandler {
                        try await listen(on: connection, connectedBefore: &connectedBefore, delay: &delay)
                    } onCancel: {
                        connection.close().whenComplete { _ in }
                    }
                } catch {
                    // Closed before it is released (postgres-nio asserts it), then reconnect.
                    try? await connection.close()
                    throw error
                }
                state.withLock { $0.listening = false }
                try? await connection.close()
            } catch {
                state.withLock { $0.listening = false }
                if Task.isCancelled { break }
                // String(reflecting:) names PostgreSQL's reason; the password is never in it.
                logger.warning("change listener lost its connection (\(String(reflecting: error))); reconnecting in \(delay)")
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
    }

    private func listen(on connection: PostgresConnection, connectedBefore: inout Bool,
                        delay: inout Duration) async throws {
        // A heartbeat query every 2 s. A silently dead link (no FIN, a stopped or unplugged
        // server) never answers and TCP would take many minutes to give up: the connection
        // is closed when an answer takes longer than `heartbeatTimeout` (logged), and the loop
        // reconnects and resynchronises.
        let heartbeatTimeout = heartbeatTimeout
        let heartbeat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(2))
                let watchdog = Task { [logger] in
                    try await Task.sleep(for: heartbeatTimeout)
                    logger.warning("change listener: heartbeat unanswered for \(heartbeatTimeout); closing the link")
                    try? await connection.close()
                }
                defer { watchdog.cancel() }
                do {
                    _ = try await connection.query("SELECT 1", logger: PostGISStore.quietLogger).collect()
                } catch {
                    try? await connection.close()
                    return
                }
            }
        }
        defer { heartbeat.cancel() }
        var first = true
        try await connection.listen(on: PostGISStore.changeChannel) { notifications in
            // LISTEN is in place: anything committed from now on is heard.
            if first {
                first = false
                state.withLock { $0.listening = true }
                delay = .milliseconds(100)
                // On the first connection too: what was committed between the subscriber's
                // own start-up reads and this LISTEN was never heard.
                broadcast(.resynchronise)
                connectedBefore = true
            }
            for try await note in notifications {
                if let change = StoreChange(notifyPayload: note.payload) { broadcast(change) }
            }
        }
    }
}
