import Foundation
import Geo
import Storage
import Synchronization

/// Settings of the live stream (`stream:` in the server config).
public struct StreamSettings: Sendable {
    /// A comment line goes to an idle client this often, so proxies keep the connection.
    public var heartbeatSeconds = 15.0
    /// Messages are kept this long (and at most `retentionMessages`) for `Last-Event-ID` resumes.
    public var retentionSeconds = 300.0
    public var retentionMessages = 100_000
    /// A client more than this many messages behind the newest is dropped.
    public var clientBuffer = 5_000
    /// Connected clients at most; one more is refused (503).
    public var maxClients = 1_000
    /// Clients are woken for news at most this often: messages published in
    /// between go out together, one write per client instead of one per message
    /// (at 50 messages/s and 500 clients, 25,000 socket writes a second become
    /// 5,000). A message after a quiet spell goes out at once. 0: every message at once.
    public var coalesceSeconds = 0.1
    /// A flood point is in `warning` from this fraction of its threshold (the server's `flood.warning_ratio`).
    public var floodWarningRatio = 0.7
    public init() {}
}

/// What a message is about; clients filter on it (`topics=`).
public enum LiveTopic: String, Sendable, CaseIterable {
    case event, flood, reading, layer, bikes
}

/// One message of the stream: a per-process id (1, 2, 3…), an SSE event name
/// (`event.created`, `event.updated`, `flood.status`, `sensor.reading`,
/// `layer.reloaded`), the point it concerns (bbox filters; nil passes every
/// filter) and its data as one line of JSON.
public struct LiveMessage: Sendable {
    public let id: UInt64
    public let topic: LiveTopic
    public let name: String
    public let point: Coordinate?
    public let data: String
    let at: ContinuousClock.Instant
    /// The Server-Sent Events frame, made once for every client.
    public let frame: String

    init(id: UInt64, topic: LiveTopic, name: String, point: Coordinate?, data: String, at: ContinuousClock.Instant) {
        self.id = id; self.topic = topic; self.name = name; self.point = point; self.data = data; self.at = at
        frame = "id: \(id)\nevent: \(name)\ndata: \(data)\n\n"
    }
}

/// The live-stream publisher: every change (events, flood status, readings,
/// layer reloads) is appended to one retained log; each client reads the log
/// from its own cursor. Publishing is an append under a short lock plus waking
/// the clients waiting for news — it never waits for a client. Wake-ups are
/// coalesced (`coalesceSeconds`): clients see the log up to the last wake-up,
/// so each takes what came in between in one read and one write. A client more
/// than `clientBuffer` messages behind that made no progress between two sweeps
/// (twice per heartbeat) is dropped: its `onDrop` closes its connection. So a
/// stuck reader costs no memory (the log is shared) and never slows a writer;
/// one that falls out of the retained log gets a reset.
public final class LiveFeed: Sendable {
    public let settings: StreamSettings
    private let state: Mutex<State>
    private let dropCount = Atomic<Int>(0)
    private let ticking = Atomic<Bool>(false)

    private struct State {
        /// Retained messages in id order; `messages[start]` has id `firstID`.
        var messages: [LiveMessage] = []
        var start = 0
        var firstID: UInt64 = 1
        var nextID: UInt64 = 1
        /// Newest id clients may read: the newest at the last wake-up.
        var releasedID: UInt64 = 0
        var lastWake: ContinuousClock.Instant?
        /// A wake-up is scheduled for messages held back since the last one.
        var wakePending = false
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var subscribers: [Int: Subscription] = [:]
        var nextToken = 0
        /// sensor_id → flood point positions, for the flood layer it was built from.
        var floodIndex: (layer: [Int64], bySensor: [String: [Int]])?
        var retained: Int { messages.count - start }
    }

    /// One connected client: its cursor (the last id it was given) and how to drop it.
    public final class Subscription: Sendable {
        public let token: Int
        let cursor: Atomic<UInt64>
        /// The cursor at the previous sweep: a client behind and not moving is stuck.
        let cursorAtSweep = Atomic<UInt64>(UInt64.max)
        let droppedFlag = Atomic<Bool>(false)
        let onDrop: @Sendable () -> Void
        init(token: Int, cursor: UInt64, onDrop: @escaping @Sendable () -> Void) {
            self.token = token; self.cursor = Atomic(cursor); self.onDrop = onDrop
        }
        /// Whether the feed dropped this client for falling behind.
        public var dropped: Bool { droppedFlag.load(ordering: .relaxed) }
        /// Records that the client has been given every message up to `id`.
        public func delivered(through id: UInt64) { cursor.store(id, ordering: .relaxed) }
    }

    /// A read from the log: the messages after a cursor, or a gap when some of
    /// them are no longer retained (or the cursor is from another process run).
    public enum Read: Sendable {
        case messages([LiveMessage])
        case gap(oldest: UInt64)
    }

    public init(settings: StreamSettings = StreamSettings()) {
        self.settings = settings
        state = Mutex(State())
    }

    /// Id of the newest message (0 before the first).
    public var latestID: UInt64 { state.withLock { $0.nextID - 1 } }
    /// Id of the newest message clients may read now (held back at most `coalesceSeconds`).
    public var releasedID: UInt64 { state.withLock { $0.releasedID } }
    public var clientCount: Int { state.withLock { $0.subscribers.count } }
    /// Clients dropped for falling behind since start.
    public var droppedClients: Int { dropCount.load(ordering: .relaxed) }

    // MARK: publishing

    /// Appends a message and wakes waiting clients (now, or at the end of the
    /// coalescing interval when a wake-up was recent); returns its id.
    @discardableResult
    public func publish(_ topic: LiveTopic, _ name: String, point: Coordinate?, data: String) -> UInt64 {
        let now = ContinuousClock.now
        let horizon = now - .milliseconds(Int64(settings.retentionSeconds * 1000))
        let coalesce = Duration.milliseconds(Int64(settings.coalesceSeconds * 1000))
        let (id, waiters, wakeAt) = state.withLock { s -> (UInt64, [CheckedContinuation<Void, Never>], ContinuousClock.Instant?) in
            let id = s.nextID
            s.nextID += 1
            s.messages.append(LiveMessage(id: id, topic: topic, name: name, point: point, data: data, at: now))
            while s.retained > settings.retentionMessages || (s.retained > 1 && s.messages[s.start].at < horizon) {
                s.start += 1
                s.firstID += 1
            }
            if s.start > 1024, s.start * 2 > s.messages.count {
                s.messages.removeFirst(s.start)
                s.start = 0
            }
            if s.wakePending { return (id, [], nil) }
            if let last = s.lastWake, now < last + coalesce {
                s.wakePending = true
                return (id, [], last + coalesce)
            }
            return (id, Self.release(&s, at: now), nil)
        }
        for w in waiters { w.resume() }
        if let wakeAt { scheduleWake(at: wakeAt) }
        return id
    }

    /// Makes every message visible and takes the waiting clients to wake.
    private static func release(_ s: inout State, at now: ContinuousClock.Instant) -> [CheckedContinuation<Void, Never>] {
        s.releasedID = s.nextID - 1
        s.lastWake = now
        s.wakePending = false
        let w = Array(s.waiters.values)
        s.waiters.removeAll(keepingCapacity: true)
        return w
    }

    /// The held-back wake-up, on a Dispatch timer: the cooperative pool runs the
    /// clients' writes and request handlers, and a publisher never sleeps.
    private func scheduleWake(at instant: ContinuousClock.Instant) {
        let wait = (instant - .now).components
        let delay = max(0, Double(wait.seconds) + Double(wait.attoseconds) / 1e18)
        DispatchQueue.global().asyncAfter(deadline: .now() + delay) { [weak self] in
            guard let self else { return }
            let waiters = self.state.withLock { Self.release(&$0, at: .now) }
            for w in waiters { w.resume() }
        }
    }

    /// Events created or changed (`event.created` / `event.updated`), as the events API shows them.
    public func publish(events: [EventRecord], created: Bool, now: Date) {
        let nowStamp = EventService.stamp(now)
        for e in events {
            let data = JSONWriter.string(.object(EventJSON.event(e, nowStamp: nowStamp)))
            publish(.event, created ? "event.created" : "event.updated", point: e.point, data: data)
        }
    }

    /// New readings (`sensor.reading`, placed at their flood point) and the flood
    /// points whose status they changed (`flood.status`). `previous` holds each
    /// reading's sensor's latest level before them (nil: none); `snapshot` has them published.
    public func publish(readings: [SensorReading], previous: [SensorReading?], snapshot: CitySnapshot) {
        guard let floods = snapshot.layer(role: .floodPoint) else {
            for r in readings { publish(.reading, "sensor.reading", point: nil, data: Self.readingJSON(r, at: nil)) }
            return
        }
        let bySensor = floodIndex(floods)
        var changed = Set<Int>()
        for (k, r) in readings.enumerated() {
            let positions = bySensor[r.sensorID] ?? []
            let point = positions.first.flatMap { Self.point(floods, $0) }
            publish(.reading, "sensor.reading", point: point, data: Self.readingJSON(r, at: point))
            for i in positions where !changed.contains(i) {
                let threshold = floods.properties.object(i)["threshold_cm"]?.doubleValue ?? 0
                let before = FloodPointStatus.classify(level: previous[k]?.levelCM, threshold: threshold, warningRatio: settings.floodWarningRatio)
                let latest = snapshot.readings[r.sensorID]
                let after = FloodPointStatus.classify(level: latest?.levelCM, threshold: threshold, warningRatio: settings.floodWarningRatio)
                guard before.status != after.status else { continue }
                changed.insert(i)
                var o = JSONObject([("id", .number(Double(floods.featureIDs[i]))), ("sensor_id", .string(r.sensorID))])
                o["name"] = floods.properties.object(i)["name"] ?? .null
                o["status"] = .string(after.status)
                o["previous_status"] = .string(before.status)
                o["level_cm"] = latest.map { .number($0.levelCM) } ?? .null
                o["threshold_cm"] = .number(threshold)
                o["risk"] = .number((after.risk * 1000).rounded() / 1000)
                o["observed_at"] = latest.map { .string($0.observedAt) } ?? .null
                if let p = Self.point(floods, i) { o["lon"] = .number(p.x); o["lat"] = .number(p.y) }
                publish(.flood, "flood.status", point: Self.point(floods, i), data: JSONWriter.string(.object(o)))
            }
        }
    }

    /// A base-layer reload (`layer.reloaded`): the new data version and layer counts.
    public func publish(reloaded snapshot: CitySnapshot, from version: Int) {
        let layers = JSONObject(snapshot.layers.keys.sorted().map { ($0, .number(Double(snapshot.layers[$0]?.count ?? 0))) })
        let o = JSONObject([("version", .number(Double(snapshot.version))), ("previous_version", .number(Double(version))),
                            ("layers", .object(layers))])
        publish(.layer, "layer.reloaded", point: nil, data: JSONWriter.string(.object(o)))
    }

    static func readingJSON(_ r: SensorReading, at p: Coordinate?) -> String {
        var o = JSONObject([("sensor_id", .string(r.sensorID)), ("level_cm", .number(r.levelCM)), ("observed_at", .string(r.observedAt))])
        if let p { o["lon"] = .number(p.x); o["lat"] = .number(p.y) }
        return JSONWriter.string(.object(o))
    }

    static func point(_ l: LayerSnapshot, _ i: Int) -> Coordinate? {
        if case .point(let c) = l.geometry.geometry(i) { return c }
        return nil
    }

    private func floodIndex(_ floods: LayerSnapshot) -> [String: [Int]] {
        if let hit = state.withLock({ s in s.floodIndex.flatMap { $0.layer == floods.featureIDs ? $0.bySensor : nil } }) { return hit }
        var by: [String: [Int]] = [:]
        for i in 0..<floods.count {
            if let s = floods.properties.object(i)["sensor_id"]?.textValue { by[s, default: []].append(i) }
        }
        state.withLock { $0.floodIndex = (floods.featureIDs, by) }
        return by
    }

    // MARK: reading

    /// A client from `cursor` on (the last id it has; `latestID` for "from now"),
    /// nil when `maxClients` are connected. `onDrop` runs once if it falls behind.
    public func subscribe(after cursor: UInt64, onDrop: @escaping @Sendable () -> Void) -> Subscription? {
        startTicker()
        return state.withLock { s in
            guard s.subscribers.count < settings.maxClients else { return nil }
            let sub = Subscription(token: s.nextToken, cursor: cursor, onDrop: onDrop)
            s.nextToken += 1
            s.subscribers[sub.token] = sub
            return sub
        }
    }

    public func unsubscribe(_ sub: Subscription) {
        let w = state.withLock { s in
            s.subscribers[sub.token] = nil
            return s.waiters.removeValue(forKey: sub.token)
        }
        w?.resume()
    }

    /// Up to `limit` released messages after `id`, or a gap when messages after
    /// `id` are no longer retained (or `id` is newer than any: another process run).
    public func read(after id: UInt64, limit: Int) -> Read {
        state.withLock { s in
            guard id < s.nextID else { return .gap(oldest: s.firstID) }
            guard id + 1 >= s.firstID else { return .gap(oldest: s.firstID) }
            let from = s.start + Int(id + 1 - s.firstID)
            // Messages trimmed before their release (a burst past retention_messages) are simply gone.
            let released = s.start + max(0, Int(s.releasedID) + 1 - Int(s.firstID))
            let to = min(released, from + limit)
            return .messages(from < to ? Array(s.messages[from..<to]) : [])
        }
    }

    /// Waits until a released message newer than `id` exists, the client is
    /// dropped or unsubscribed, or the next tick (at most half a heartbeat).
    public func wait(after id: UInt64, _ sub: Subscription) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if s.releasedID > id || s.subscribers[sub.token] == nil { return true }
                s.waiters[sub.token] = c
                return false
            }
            if now { c.resume() }
        }
    }

    /// Drops every client more than `clientBuffer` messages behind that has not
    /// taken a message since the previous sweep (its socket is full: it stopped
    /// reading or reads slower than the server writes). A client that reads a
    /// burst as fast as it can keeps moving and stays.
    func dropStuckClients() {
        let stuck = state.withLock { s -> [Subscription] in
            let newest = s.releasedID
            var out: [Subscription] = []
            for sub in s.subscribers.values {
                let c = sub.cursor.load(ordering: .relaxed)
                let previous = sub.cursorAtSweep.exchange(c, ordering: .relaxed)
                guard newest > c, newest - c > UInt64(settings.clientBuffer), c == previous else { continue }
                if !sub.droppedFlag.exchange(true, ordering: .relaxed) { out.append(sub) }
            }
            for sub in out { s.subscribers[sub.token] = nil }
            return out
        }
        guard !stuck.isEmpty else { return }
        dropCount.add(stuck.count, ordering: .relaxed)
        for sub in stuck { sub.onDrop() }
    }

    private func takeWaiters() -> [CheckedContinuation<Void, Never>] {
        state.withLock { s in
            let w = Array(s.waiters.values)
            s.waiters.removeAll(keepingCapacity: true)
            return w
        }
    }

    /// Wakes every waiting client twice per heartbeat so each can send its
    /// heartbeat or notice it was dropped. One loop per feed, stopped by nothing:
    /// a feed lives as long as its server.
    private func startTicker() {
        guard !ticking.exchange(true, ordering: .relaxed) else { return }
        let interval = Duration.milliseconds(max(10, Int64(settings.heartbeatSeconds * 500)))
        Task.detached { [weak self] in
            while true {
                guard let waiters = self?.takeWaiters() else { return }
                for w in waiters { w.resume() }
                self?.dropStuckClients()
                try? await Task.sleep(for: interval)
            }
        }
    }
}
