import Foundation
import Synchronization
import Geo
@testable import Storage
import Testing
import TestSupport

/// What only the PostGIS store does: duplicates decided across instances, the
/// change feed, opening errors. (Everything both stores do is in StoreConformanceTests.)
@Suite struct PostGISStoreTests {
    func open(_ url: String) throws -> PostGISStore {
        try PostGISStore.open(url: url, passwordFile: try PostgresTestCluster.shared().passwordFile)
    }

    /// Collects a change stream in the background; `next` takes the first change
    /// not taken yet that `accept` wants, waiting up to `seconds`.
    final class Collector: Sendable {
        final class Seen: Sendable {
            let list = Mutex<[StoreChange]>([])
        }
        private let seen = Seen()
        private let task: Task<Void, Never>

        init(_ stream: AsyncStream<StoreChange>) {
            let seen = seen
            task = Task {
                for await change in stream { seen.list.withLock { $0.append(change) } }
            }
        }

        deinit { task.cancel() }

        func next(seconds: Double = 30, _ accept: (StoreChange) -> Bool) async -> StoreChange? {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                let found = seen.list.withLock { list -> StoreChange? in
                    guard let k = list.firstIndex(where: accept) else { return nil }
                    let change = list[k]
                    list.removeSubrange(...k)
                    return change
                }
                if let found { return found }
                try? await Task.sleep(for: .milliseconds(20))
            }
            return nil
        }
    }

    @Test func concurrentInsertsFromTwoInstancesMarkExactlyOneDuplicate() async throws {
        let url = try PostgresTestCluster.shared().newDatabase()
        let a = try open(url)
        let b = try open(url)
        defer {
            a.close()
            b.close()
        }
        let rule = DuplicateRule(radiusM: 50, windowSeconds: 3_600)
        var gen = EventGenerator(seed: 21)
        for round in 0..<8 {
            var e = gen.event()
            e.type = "burst\(round)"
            e.status = "new"
            e.properties["duplicate_of"] = .null
            var f = e
            // 20 m east of e: within the radius.
            f.point = Coordinate(e.point.x + 20 / (111_320 * cos(e.point.y * .pi / 180)), e.point.y)
            async let x = a.insertEvents([e], duplicates: rule)
            async let y = b.insertEvents([f], duplicates: rule)
            let (one, two) = try await (x[0], y[0])
            let marks = [one.properties["duplicate_of"], two.properties["duplicate_of"]]
            let marked = [one, two].filter { $0.properties["duplicate_of"] != nil && $0.properties["duplicate_of"] != .null }
            #expect(marked.count == 1, "round \(round): \(marks)")
            let original = one.id < two.id ? one : two
            let copy = one.id < two.id ? two : one
            #expect(copy.properties["duplicate_of"] == .number(Double(original.id)))
            #expect(original.properties["duplicate_of"] == .null)
            // Stored as returned.
            #expect(try await a.event(id: copy.id)?.0.properties["duplicate_of"] == .number(Double(original.id)))
        }
        // Far away, another type, a closed original, or outside the window: not duplicates.
        var gen2 = EventGenerator(seed: 22)
        var base = gen2.event()
        base.type = "lamp"
        base.status = "new"
        let stored = try await a.insertEvents([base], duplicates: rule)[0]
        var far = base
        far.point = Coordinate(base.point.x + 0.01, base.point.y)
        var otherType = base
        otherType.type = "noise_x"
        var late = base
        late.reportedAt = Timestamp.millis(Timestamp.parse(base.createdAt)!.addingTimeInterval(7_200))
        let more = try await b.insertEvents([far, otherType, late], duplicates: rule)
        #expect(more.allSatisfy { $0.properties["duplicate_of"] == nil })
        var closed = stored
        closed.status = "closed"
        closed.updatedAt = "2026-05-01T00:00:00.000Z"
        _ = try #require(try await a.updateEvent(closed, expectedUpdatedAt: stored.updatedAt, history: []))
        let afterClose = try await b.insertEvents([base], duplicates: rule)
        #expect(afterClose[0].properties["duplicate_of"] == nil)
        // An explicit duplicate_of from the caller is kept; the rule-less default stores as is.
        var given = base
        given.properties["duplicate_of"] = .number(42)
        #expect(try await a.insertEvents([given], duplicates: rule)[0].properties["duplicate_of"] == .number(42))
        #expect(try await a.insertEvents([base])[0].properties["duplicate_of"] == nil)
    }

    @Test func anotherInstanceHearsImportsEventsReadingsAndBikes() async throws {
        let url = try PostgresTestCluster.shared().newDatabase()
        let writer = try open(url)
        let listener = try open(url)
        defer {
            writer.close()
            listener.close()
        }
        let changes = Collector(listener.changes())
        #expect(await listener.waitUntilListening(timeout: .seconds(60)))
        let commit = try writer.importLayer(LayerSpec(name: "pois", role: .poi), mode: .replace) { w in
            try w.insert(extID: "a", properties: JSONObject(), geometry: .point(Coordinate(104, 30)))
        }.1
        let heard = await changes.next { if case .layers = $0 { true } else { false } }
        #expect(heard == .layers(dataVersion: try writer.dataVersion(), names: ["pois"]))
        #expect(commit.layer.count == 1)
        var gen = EventGenerator(seed: 23)
        let events = try await writer.insertEvents(gen.events(3))
        #expect(await changes.next { if case .events = $0 { true } else { false } } == .events(ids: events.map(\.id)))
        _ = try await writer.insertReadings([SensorReading(sensorID: "s", levelCM: 1, observedAt: "2026-03-01T00:00:00.000Z")])
        #expect(await changes.next { $0 == .readings } == .readings)
        try await writer.storeBikePositions([BikePosition(bikeID: "b", operatorName: "o", lon: 104, lat: 30, observedAt: 1, status: .riding)],
                                            receivedAt: 1)
        #expect(await changes.next { $0 == .bikePositions } == .bikePositions)
        try writer.deleteLayer("pois")
        #expect(await changes.next { if case .layers = $0 { true } else { false } }
                == .layers(dataVersion: try writer.dataVersion(), names: ["pois"]))
        // A rolled-back import says nothing: the next layers change is a later commit's.
        _ = try? writer.importLayer(LayerSpec(name: "ghost", role: .poi), mode: .replace) { _ in throw ImportFailure() }
        _ = try writer.importLayer(LayerSpec(name: "real", role: .poi), mode: .replace) { _ in }
        #expect(await changes.next { if case .layers = $0 { true } else { false } }
                == .layers(dataVersion: try writer.dataVersion(), names: ["real"]))
        // Many ids travel as a range.
        let many = try await writer.insertEvents(gen.events(600))
        let bulk = await changes.next { if case .events = $0 { true } else { false } }
        #expect(bulk == .events(ids: Array(many.first!.id...many.last!.id)))
    }

    /// Payloads anyone with a login could send: out-of-range numbers are refused, huge ranges resynchronise.
    @Test func hostilePayloadsNeitherTrapNorAllocate() {
        #expect(StoreChange(notifyPayload: #"{"kind":"layers","data_version":1e300,"names":[]}"#) == nil)
        #expect(StoreChange(notifyPayload: #"{"kind":"layers","data_version":-1,"names":[]}"#) == nil)
        #expect(StoreChange(notifyPayload: #"{"kind":"events","from":0,"to":1e15}"#) == .resynchronise)
        #expect(StoreChange(notifyPayload: #"{"kind":"events","from":0,"to":1e300}"#) == .resynchronise)
        #expect(StoreChange(notifyPayload: #"{"kind":"events","ids":[1,2,1e300,-5]}"#) == .events(ids: [1, 2]))
        #expect(StoreChange(notifyPayload: #"{"kind":"events","from":3,"to":5}"#) == .events(ids: [3, 4, 5]))
        #expect(StoreChange(notifyPayload: #"{"kind":"layers","data_version":7,"names":["a"]}"#) == .layers(dataVersion: 7, names: ["a"]))
    }

    @Test func theListenerReconnectsAndAsksForAResynchronisation() async throws {
        let cluster = try PostgresTestCluster.shared()
        let url = try cluster.newDatabase()
        let database = String(url.split(separator: "/").last!)
        let writer = try open(url)
        let listener = try open(url)
        defer {
            writer.close()
            listener.close()
        }
        let changes = Collector(listener.changes())
        #expect(await listener.waitUntilListening(timeout: .seconds(60)))
        // The first LISTEN asks for one too: what was committed before it was never heard.
        #expect(await changes.next(seconds: 10) { $0 == .resynchronise } == .resynchronise)
        let killed = try cluster.psql("postgres", """
            SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
            WHERE application_name = 'citytwin-listen' AND datname = '\(database)'
            """)
        #expect(killed.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        #expect(await changes.next(seconds: 10) { $0 == .resynchronise } == .resynchronise)
        #expect(await listener.waitUntilListening(timeout: .seconds(60)))
        var gen = EventGenerator(seed: 24)
        let events = try await writer.insertEvents(gen.events(1))
        #expect(await changes.next { if case .events = $0 { true } else { false } } == .events(ids: events.map(\.id)))
    }

    /// A silently dead link: the listener's server process is stopped (SIGSTOP), so the
    /// socket stays open and nothing answers. The unanswered heartbeat closes it, and the
    /// listener reconnects and asks for a resynchronisation within seconds, not after
    /// TCP's many minutes.
    @Test func aSilentlyDeadListenerLinkIsNoticedByItsHeartbeat() async throws {
        let cluster = try PostgresTestCluster.shared()
        let url = try cluster.newDatabase()
        let database = String(url.split(separator: "/").last!)
        let writer = try open(url)
        let listener = try open(url)
        defer {
            writer.close()
            listener.close()
        }
        let changes = Collector(listener.changes())
        #expect(await listener.waitUntilListening(timeout: .seconds(60)))
        #expect(await changes.next(seconds: 10) { $0 == .resynchronise } == .resynchronise)
        let pidText = try cluster.psql("postgres", """
            SELECT pid FROM pg_stat_activity WHERE application_name = 'citytwin-listen' AND datname = '\(database)'
            """)
        let pid = try #require(Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(pid, SIGSTOP) == 0)
        defer {
            kill(pid, SIGCONT)
            _ = try? cluster.psql("postgres", "SELECT pg_terminate_backend(\(pid))")
        }
        // Heartbeat every 2 s, 10 s without an answer: a new LISTEN well inside 30 s.
        #expect(await changes.next(seconds: 30) { $0 == .resynchronise } == .resynchronise)
        #expect(await listener.waitUntilListening(timeout: .seconds(30)))
        var gen = EventGenerator(seed: 25)
        let events = try await writer.insertEvents(gen.events(1))
        #expect(await changes.next { if case .events = $0 { true } else { false } } == .events(ids: events.map(\.id)))
    }

    @Test func openingErrorsNameTheProblem() throws {
        let cluster = try PostgresTestCluster.shared()
        let url = try cluster.newDatabase()
        let wrong = TestSupport.scratch() + "/wrong-password"
        TestSupport.write("not-the-password\n", to: wrong)
        #expect { try PostGISStore.open(url: url, passwordFile: wrong) } throws: { e in
            guard let e = e as? StorageError else { return false }
            return e.code == .unavailable && e.message.contains("authentication failed") && !e.message.contains("not-the-password")
        }
        #expect { try PostGISStore.open(url: "postgres://citytwin@127.0.0.1:1/x", passwordFile: cluster.passwordFile) } throws: { e in
            (e as? StorageError)?.message.contains("cannot connect to PostgreSQL at 127.0.0.1:1") == true
        }
        let plain = try cluster.newDatabaseWithoutPostGIS()
        #expect { try PostGISStore.open(url: plain, passwordFile: cluster.passwordFile) } throws: { e in
            (e as? StorageError)?.message.contains("CREATE EXTENSION postgis") == true
        }
        #expect { try PostGISStore.open(url: cluster.url(database: "missing_db"), passwordFile: cluster.passwordFile) } throws: { e in
            (e as? StorageError)?.message.contains("does not exist") == true
        }
        #expect { try PostGISStore.open(url: "postgres://citytwin:secret@127.0.0.1:5432/x") } throws: { e in
            guard let e = e as? StorageError else { return false }
            return e.message.contains("not in the URL") && !e.message.contains("secret")
        }
        #expect(StoreLocation("postgresql://u:secret@h:5/db").description == "postgresql://u:***@h:5/db")
        // TLS asked for is refused, not silently skipped; sslmode=disable is fine.
        #expect { try PostGISStore.parse(url: "postgres://me@h:5/city?sslmode=require", passwordFile: nil, environment: [:]) } throws: { e in
            (e as? StorageError)?.message.contains("sslmode=require asks for TLS") == true
        }
        #expect { try PostGISStore.parse(url: "postgres://me@h:5/city?application=x", passwordFile: nil, environment: [:]) } throws: { e in
            (e as? StorageError)?.message.contains("unknown URL parameter") == true
        }
        #expect(try PostGISStore.parse(url: "postgres://me@h:5/city?sslmode=disable", passwordFile: nil, environment: [:]).0.database == "city")
        // The password from the environment when no file is given.
        let (endpoint, password) = try PostGISStore.parse(url: "postgresql://me@db.example:6543/city", passwordFile: nil,
                                                          environment: ["PGPASSWORD": "pw"])
        #expect(endpoint == PostGISStore.Endpoint(user: "me", host: "db.example", port: 6543, database: "city"))
        #expect(password == "pw")
        // The factory opens either kind.
        let store = try openFeatureStore(.postgres(url: url, passwordFile: cluster.passwordFile))
        #expect(store is PostGISStore)
        (store as? PostGISStore)?.close()
        #expect(try openFeatureStore(.spatiaLite(path: TestSupport.scratch() + "/x.sqlite")) is SpatiaLiteStore)
    }

    /// Two instances opening a new database at once migrate it once.
    @Test func instancesOpeningTogetherMigrateOnce() async throws {
        let url = try PostgresTestCluster.shared().newDatabase()
        let stores = try await withThrowingTaskGroup(of: PostGISStore.self) { group in
            for _ in 0..<4 { group.addTask { try self.open(url) } }
            var out: [PostGISStore] = []
            for try await s in group { out.append(s) }
            return out
        }
        defer { stores.forEach { $0.close() } }
        #expect(try stores[0].dataVersion() == 0)
        #expect(try PostgresTestCluster.shared().psql(String(url.split(separator: "/").last!), "SELECT version FROM citytwin_schema")
                    .trimmingCharacters(in: .whitespacesAndNewlines) == "1")
    }
}
