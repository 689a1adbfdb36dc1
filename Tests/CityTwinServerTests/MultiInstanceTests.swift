import CityOps
import CityTwinServer
import Foundation
import Geo
import Hummingbird
import HummingbirdTesting
import Importer
import Logging
import Storage
import Synchronization
import Testing
import TestSupport

/// A change feed the tests drive: every `send` reaches every stream taken from it,
/// as a PostGIS store's NOTIFY reaches every listening instance.
final class FakeChangeFeed: StoreChangeFeed {
    let listeners = Mutex<[AsyncStream<StoreChange>.Continuation]>([])
    /// When false, writes are not told (a lost connection: only `.resynchronise` repairs it).
    let enabled = Atomic<Bool>(true)

    func changes() -> AsyncStream<StoreChange> {
        let (stream, continuation) = AsyncStream<StoreChange>.makeStream()
        listeners.withLock { $0.append(continuation) }
        return stream
    }

    func send(_ change: StoreChange, always: Bool = false) {
        guard always || enabled.load(ordering: .relaxed) else { return }
        for c in listeners.withLock({ $0 }) { c.yield(change) }
    }

    func finish() {
        for c in listeners.withLock({ $0 }) { c.finish() }
    }
}

/// The operational store of one instance on a file shared with others, telling the
/// feed what it committed (after the commit, as NOTIFY does). `gate`, when set, holds
/// every compare-and-set until that many callers have reached it: two changes then
/// both read the event before either writes.
final class NotifyingStore: OperationalStore {
    let base: SQLiteOperationalStore
    let feed: FakeChangeFeed
    let gate: Barrier?

    init(path: String, feed: FakeChangeFeed, gate: Barrier? = nil) throws {
        base = try SQLiteOperationalStore(path: path)
        self.feed = feed
        self.gate = gate
    }

    func insertEvents(_ events: [EventRecord]) async throws(StorageError) -> [EventRecord] {
        let stored = try await base.insertEvents(events)
        feed.send(.events(ids: stored.map(\.id)))
        return stored
    }

    func updateEvent(_ event: EventRecord, expectedUpdatedAt: String, history: [EventHistoryEntry]) async throws(StorageError) -> EventRecord? {
        await gate?.arrive()
        let updated = try await base.updateEvent(event, expectedUpdatedAt: expectedUpdatedAt, history: history)
        if let updated { feed.send(.events(ids: [updated.id])) }
        return updated
    }

    func event(id: Int64) async throws(StorageError) -> (EventRecord, [EventHistoryEntry])? { try await base.event(id: id) }
    func events(matching filter: EventFilter, after cursor: Int64?, limit: Int) async throws(StorageError) -> [EventRecord] {
        try await base.events(matching: filter, after: cursor, limit: limit)
    }
    func liveEvents(since: String) async throws(StorageError) -> [EventRecord] { try await base.liveEvents(since: since) }
    func eventStats(groupBy: EventGrouping, since: String?, until: String?, now: String) async throws(StorageError) -> [EventStatsRow] {
        try await base.eventStats(groupBy: groupBy, since: since, until: until, now: now)
    }
    func eventHotspots(since: String, type: String?, minimum: Int, limit: Int) async throws(StorageError) -> [EventHotspot] {
        try await base.eventHotspots(since: since, type: type, minimum: minimum, limit: limit)
    }
    func insertReadings(_ readings: [SensorReading]) async throws(StorageError) -> Int {
        let n = try await base.insertReadings(readings)
        feed.send(.readings)
        return n
    }
    func latestReadings() async throws(StorageError) -> [String: SensorReading] { try await base.latestReadings() }
    func readings(sensor: String, since: String?, until: String?, after cursor: String?, limit: Int) async throws(StorageError) -> [SensorReading] {
        try await base.readings(sensor: sensor, since: since, until: until, after: cursor, limit: limit)
    }
    func purge(eventsClosedBefore: String?, readingsBefore: String?) async throws(StorageError) -> (events: Int, readings: Int) {
        try await base.purge(eventsClosedBefore: eventsClosedBefore, readingsBefore: readingsBefore)
    }
    func eventCount() async throws(StorageError) -> Int { try await base.eventCount() }
}

/// Lets callers through once `parties` have arrived (or after 5 s, so a failing test does not hang).
final class Barrier: Sendable {
    let parties: Int
    let arrived = Atomic<Int>(0)
    init(parties: Int) { self.parties = parties }

    func arrive() async {
        arrived.add(1, ordering: .relaxed)
        let deadline = ContinuousClock.now + .seconds(5)
        while arrived.load(ordering: .relaxed) < parties && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(2))
        }
    }
}

/// Two instances of the server on one set of stores (the base layers' SpatiaLite file and the
/// operational file), told of each other's commits by a fake change feed.
struct TwoInstances {
    struct Instance {
        let state: CityState
        let events: EventService
        let feed: LiveFeed
        let geocoding: GeocodingService
        let layers = Wakeup()
        let bikes = Wakeup()
    }

    let a: Instance
    let b: Instance
    let feed: FakeChangeFeed
    let basePath: String
    let opsPath: String

    static let logger = Logger(label: "multi-instance-test")

    /// The sample city's base layers, imported once; each set gets its own copy of the file.
    static let sample: String = {
        let dir = TestSupport.scratch("multi-sample")
        let store = try! SpatiaLiteStore(path: dir + "/sample.sqlite")
        let manifest = try! GeoDataManifest.read(directory: TestSupport.projectRoot + "/GeoData")
        _ = try! manifest.load(directory: TestSupport.projectRoot + "/GeoData", into: store, rejectsDirectory: dir)
        return dir + "/sample.sqlite"
    }()

    init(gate: Barrier? = nil) async throws {
        let dir = TestSupport.scratch("multi")
        let (base, ops, changes) = (dir + "/base.sqlite", dir + "/ops.sqlite", FakeChangeFeed())
        try FileManager.default.copyItem(atPath: Self.sample, toPath: base)
        func instance() async throws -> Instance {
            let state = try CityState(store: try SpatiaLiteStore(path: base))
            let live = LiveFeed()
            let events = try await EventService(store: try NotifyingStore(path: ops, feed: changes, gate: gate), state: state, feed: live)
            return Instance(state: state, events: events, feed: live, geocoding: GeocodingService())
        }
        (basePath, opsPath, feed) = (base, ops, changes)
        a = try await instance()
        b = try await instance()
    }

    func follower(_ i: Instance) -> StoreFollower {
        StoreFollower(feed: feed, events: i.events, layers: i.layers, bikes: i.bikes, logger: Self.logger)
    }

    /// Runs both instances' followers around `body`.
    func following(_ body: () async throws -> Void) async throws {
        let fa = follower(a), fb = follower(b)
        let tasks = [Task { try await fa.run() }, Task { try await fb.run() }]
        // The followers take their streams first: nothing sent before that is missed.
        try await Task.sleep(for: .milliseconds(50))
        defer { for t in tasks { t.cancel() } }
        try await body()
    }

    func app(_ i: Instance) -> some ApplicationProtocol {
        Application(router: CityTwinServer.router(state: i.state, config: SampleFixture.config, geocoding: i.geocoding, events: i.events))
    }

    /// Runs `body` with an HTTP test client of each instance, the followers running.
    func withClients(_ body: @escaping @Sendable (any TestClientProtocol, any TestClientProtocol) async throws -> Void) async throws {
        try await following {
            try await app(a).test(.router) { ca in
                try await app(b).test(.router) { cb in try await body(ca, cb) }
            }
        }
    }

    /// Messages on an instance's live stream named `name` whose data mentions `"id":id`.
    static func messages(_ feed: LiveFeed, named name: String, id: Int) -> [LiveMessage] {
        guard case .messages(let all) = feed.read(after: 0, limit: 100_000) else { return [] }
        return all.filter { $0.name == name && $0.data.contains("\"id\":\(id),") }
    }

    /// Polls `condition` every 10 ms for up to `seconds`; true once it holds.
    static func eventually(within seconds: Double = 1, _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return await condition()
    }
}

@Suite(.serialized) struct MultiInstanceTests {
    static let auth = HubFixture.auth

    static func post(_ client: any TestClientProtocol, _ body: String) async throws -> (HTTPResponse.Status, JSONValue) {
        try await client.execute(uri: "/v1/events", method: .post, headers: auth, body: ByteBuffer(string: body)) { r in
            (r.status, try SampleFixture.json(r))
        }
    }

    static func patch(_ client: any TestClientProtocol, _ id: Int, _ body: String) async throws -> (HTTPResponse.Status, JSONValue) {
        try await client.execute(uri: "/v1/events/\(id)", method: .patch, headers: auth, body: ByteBuffer(string: body)) { r in
            (r.status, try SampleFixture.json(r))
        }
    }

    /// An event posted on B reaches A's memory (A's duplicate check finds it), A's map layer and
    /// A's live stream within a second, once on each stream; B's later change reaches A too.
    @Test func eventPostedOnBReachesAsMemoryListAndStream() async throws {
        let pair = try await TwoInstances()
        try await pair.withClients { ca, cb in
            let before = pair.a.events.inMemoryCount
            let body = #"{"type":"道路积水","description":"from B","lon":104.07,"lat":30.66,"reported_at":"2026-06-01T10:00:00+08:00"}"#
            let (status, posted) = try await Self.post(cb, body)
            #expect(status == .created)
            let id = try #require(posted["id"]?.doubleValue).asInt
            #expect(await TwoInstances.eventually { pair.a.events.inMemoryCount == before + 1 })
            #expect(await TwoInstances.eventually { TwoInstances.messages(pair.a.feed, named: "event.created", id: id).count == 1 })
            // A's list and A's events layer hold it.
            let (_, list) = try await ca.execute(uri: "/v1/events?type=%E9%81%93%E8%B7%AF%E7%A7%AF%E6%B0%B4", method: .get) { r in
                (r.status, try SampleFixture.json(r))
            }
            #expect(list["events"]?.arrayValue?.contains { $0["id"]?.doubleValue == Double(id) } == true)
            await pair.a.events.waitUntilPublished()
            let layer = try #require(pair.a.state.snapshot.layers[CitySnapshot.eventsLayerName])
            #expect(layer.featureIDs.contains(Int64(id)))
            // A's duplicate detection, which reads memory, sees B's event.
            let near = #"{"type":"道路积水","description":"from A","lon":104.0702,"lat":30.6601,"reported_at":"2026-06-01T10:20:00+08:00"}"#
            let (_, dup) = try await Self.post(ca, near)
            #expect(dup["duplicate_of"] == .number(Double(id)))
            // B's change is followed by A as an update; B's own stream has each message once.
            let (moved, _) = try await Self.patch(cb, id, #"{"status":"dispatched","assignee":"w1"}"#)
            #expect(moved == .ok)
            #expect(await TwoInstances.eventually { TwoInstances.messages(pair.a.feed, named: "event.updated", id: id).count == 1 })
            #expect(pair.a.events.overdue(limit: 10_000).allSatisfy { $0.id != Int64(id) || $0.status == "dispatched" })
            try await Task.sleep(for: .milliseconds(200))
            #expect(TwoInstances.messages(pair.b.feed, named: "event.created", id: id).count == 1)
            #expect(TwoInstances.messages(pair.b.feed, named: "event.updated", id: id).count == 1)
            #expect(TwoInstances.messages(pair.a.feed, named: "event.updated", id: id).count == 1)
        }
    }

    /// The same move asked of one event through A and B at once (both read it before either
    /// writes): one 200, the other 409; both instances then hold the winner's state.
    @Test func concurrentChangesThroughAAndBOneWinsTheOtherConflicts() async throws {
        let gate = Barrier(parties: 2)
        let pair = try await TwoInstances(gate: gate)
        try await pair.withClients { ca, cb in
            let (_, posted) = try await Self.post(ca,
                                                  #"{"type":"路灯损坏","description":"x","lon":104.09,"lat":30.66}"#)
            let id = try #require(posted["id"]?.doubleValue).asInt
            async let onA = Self.patch(ca, id, #"{"status":"dispatched","assignee":"from-a"}"#)
            async let onB = Self.patch(cb, id, #"{"status":"dispatched","assignee":"from-b"}"#)
            let (ra, rb) = try await (onA, onB)
            #expect([ra.0, rb.0].sorted { $0.code < $1.code } == [.ok, .conflict])
            let winner = ra.0 == .ok ? "from-a" : "from-b"
            let (stored, _) = try #require(try await pair.a.events.event(id: Int64(id)))
            #expect(stored.assignee == winner)
            // Both stream the winning change once, and the loser's instance learns it by the feed.
            for i in [pair.a, pair.b] {
                #expect(await TwoInstances.eventually { TwoInstances.messages(i.feed, named: "event.updated", id: id).count == 1 })
                #expect(TwoInstances.messages(i.feed, named: "event.updated", id: id).first?.data.contains(winner) == true)
            }
        }
    }

    /// Readings stored through B update A's latest readings (flood status) and A's stream.
    @Test func readingsStoredOnBReachA() async throws {
        let pair = try await TwoInstances()
        try await pair.following {
            let r = SensorReading(sensorID: "WL-001", levelCM: 42, observedAt: "2026-06-01T02:00:00Z")
            let stored = try await pair.b.events.addReadings([r])
            #expect(stored == 1)
            #expect(await TwoInstances.eventually { pair.a.state.snapshot.readings["WL-001"]?.levelCM == 42 })
            #expect(await TwoInstances.eventually {
                guard case .messages(let all) = pair.a.feed.read(after: 0, limit: 1000) else { return false }
                return all.contains { $0.name == "sensor.reading" && $0.data.contains("WL-001") }
            })
        }
    }

    /// On a shared store an instance can follow its own NOTIFY before its `addReadings`
    /// returns: the follower streams the reading, and the post must not stream it again.
    /// (Here the order is forced: stored, followed, then posted; a repeated post of one
    /// reading likewise streams nothing new.)
    @Test func aReadingFollowedBeforeItsOwnPostStreamsOnce() async throws {
        let pair = try await TwoInstances()
        let r = SensorReading(sensorID: "WL-001", levelCM: 57, observedAt: "2026-06-01T03:00:00Z")
        #expect(try await pair.b.events.store.insertReadings([r]) == 1)
        #expect(try await pair.b.events.followReadings() == [r])
        #expect(try await pair.b.events.addReadings([r]) == 0)
        let newer = SensorReading(sensorID: "WL-001", levelCM: 58, observedAt: "2026-06-01T03:05:00Z")
        #expect(try await pair.b.events.addReadings([newer, newer]) == 1)
        // The feed releases messages at most every 100 ms: wait for the two, then for a third.
        func levels() -> [String] {
            guard case .messages(let all) = pair.b.feed.read(after: 0, limit: 1000) else { return [] }
            return all.filter { $0.name == "sensor.reading" && $0.data.contains("WL-001") }.map(\.data)
        }
        #expect(await TwoInstances.eventually { levels().count >= 2 })
        try await Task.sleep(for: .milliseconds(400))
        #expect(levels().count == 2, "\(levels())")
        #expect(levels().last?.contains("\"level_cm\":58") == true)
        #expect(pair.b.state.snapshot.readings["WL-001"] == newer)
    }

    /// Writes made while the feed was silent (a lost connection) reach A on `.resynchronise`.
    @Test func resynchroniseCatchesUpOnMissedChanges() async throws {
        let pair = try await TwoInstances()
        try await pair.withClients { _, cb in
            pair.feed.enabled.store(false, ordering: .relaxed)
            let (_, posted) = try await Self.post(cb,
                                                  #"{"type":"井盖缺失","description":"missed","lon":104.08,"lat":30.65}"#)
            let id = try #require(posted["id"]?.doubleValue).asInt
            try await Task.sleep(for: .milliseconds(200))
            #expect(TwoInstances.messages(pair.a.feed, named: "event.created", id: id).isEmpty)
            pair.feed.enabled.store(true, ordering: .relaxed)
            pair.feed.send(.resynchronise)
            #expect(await TwoInstances.eventually { TwoInstances.messages(pair.a.feed, named: "event.created", id: id).count == 1 })
        }
    }

    /// A layer imported into the shared base store by another writer is served by A within a
    /// second of the `.layers` notification, though A's poll interval is a minute.
    @Test func layerCommitWakesTheDataVersionWatch() async throws {
        let pair = try await TwoInstances()
        let watch = DataVersionWatch(state: pair.a.state, geocoding: pair.a.geocoding, interval: .seconds(60),
                                     logger: TwoInstances.logger, wake: pair.a.layers)
        let task = Task { try await watch.run() }
        defer { task.cancel() }
        try await pair.following {
            let writer = try SpatiaLiteStore(path: pair.basePath)
            let spec = LayerSpec(name: "extra_points", role: .generic)
            _ = try writer.importLayer(spec, mode: .replace) { w in
                try w.insert(extID: "p1", properties: JSONObject([("name", .string("x"))]), geometry: .point(Coordinate(104.07, 30.66)))
            }
            let version = try writer.dataVersion()
            let sent = ContinuousClock.now
            pair.feed.send(.layers(dataVersion: version, names: ["extra_points"]))
            #expect(await TwoInstances.eventually { pair.a.state.snapshot.layers["extra_points"] != nil })
            #expect(ContinuousClock.now - sent < .seconds(1))
        }
    }

    /// `store:` and `store_password_file:` in the config; a password in the URL refused;
    /// the location's description (what logs show) without a password; unknown keys still reported.
    @Test func storeConfigKeys() throws {
        let (c, warnings) = try ServerConfig.parse(yaml: """
            store: postgres://ops@10.0.0.5:5433/city
            store_password_file: /run/secrets/pg
            stor: x
            """)
        #expect(c.storeLocation == .postgres(url: "postgres://ops@10.0.0.5:5433/city", passwordFile: "/run/secrets/pg"))
        #expect(c.storeLocation.description == "postgres://ops@10.0.0.5:5433/city")
        #expect(warnings == ["unknown config key stor"])
        #expect(ServerConfig().storeLocation == .spatiaLite(path: "citytwin.sqlite"))
        #expect(throws: ServerConfig.ConfigError.self) { try ServerConfig.parse(yaml: "store: postgres://ops:secret@host/city") }
        #expect(StoreLocation("postgres://ops:secret@host/city").description == "postgres://ops:***@host/city")
    }

    /// The doorbell: a ring before the wait counts once; without a ring the wait times out.
    @Test func wakeupRingsOnceAndTimesOut() async {
        let w = Wakeup()
        w.ring()
        w.ring()
        #expect(await w.wait(upTo: .seconds(5)) == true)
        let start = ContinuousClock.now
        #expect(await w.wait(upTo: .milliseconds(50)) == false)
        #expect(ContinuousClock.now - start >= .milliseconds(50))
        let waiting = Task { await w.wait(upTo: .seconds(10)) }
        try? await Task.sleep(for: .milliseconds(20))
        w.ring()
        #expect(await waiting.value == true)
        let cancelled = Task { await w.wait(upTo: .seconds(10)) }
        cancelled.cancel()
        #expect(await cancelled.value == false)
    }
}

extension Double {
    fileprivate var asInt: Int { Int(self) }
}
