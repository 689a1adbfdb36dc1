import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Geo
import Synchronization
import Testing
import TestSupport

/// Several `citytwin serve` processes on one PostGIS database (a throwaway cluster
/// this test process starts; never skipped): what one instance commits, the others
/// serve within a second, and the store's transactions keep the rules across them.
@Suite(.serialized) struct MultiInstanceCLITests {
    /// A `citytwin serve --store URL` process; its log is kept for failure messages.
    /// (Unchecked: the process handle is only started, signalled and waited for.)
    final class Instance: @unchecked Sendable {
        let process = Process()
        let port = Int.random(in: 20_000...40_000)
        let log: String
        var base: String { "http://127.0.0.1:\(port)" }

        init(url: String, passwordFile: String, name: String, waitSeconds: Int = 600) async throws {
            let dir = TestSupport.scratch("multi-\(name)-\(port)")
            log = dir + "/serve.log"
            FileManager.default.createFile(atPath: log, contents: nil)
            process.executableURL = URL(fileURLWithPath: TestSupport.citytwin)
            process.arguments = ["serve", "--store", url, "--store-password-file", passwordFile, "--port", String(port),
                                 "--geodata", TestSupport.projectRoot + "/GeoData"]
            process.currentDirectoryURL = URL(fileURLWithPath: dir)
            let handle = FileHandle(forWritingAtPath: log)
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            MultiInstanceCLITests.started.withLock { $0.append(process.processIdentifier) }
            for _ in 0..<(waitSeconds * 10) {
                if let (_, r) = try? await URLSession.shared.data(from: URL(string: base + "/health")!),
                   (r as? HTTPURLResponse)?.statusCode == 200 { return }
                if !process.isRunning { break }
                try await Task.sleep(nanoseconds: 100_000_000)
            }
            stop()
            throw TestSupport.CheckerMissing(message: "citytwin serve --store did not answer on port \(port): \(logTail)")
        }

        var logTail: String { String(((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").suffix(3000)) }

        func stop() { if process.isRunning { process.terminate(); process.waitUntilExit() } }
    }

    /// One database for the suite, the sample city loaded by the first instance's start-up
    /// (an empty PostGIS database loads it as an empty SpatiaLite file does).
    struct Pair {
        let url: String
        let passwordFile: String
        let a: Instance
        let b: Instance
    }

    /// Servers started, stopped when the test process exits (before the cluster they use:
    /// handlers registered later run first).
    static let started = Mutex<[Int32]>([])

    static let pairTask = Task { () throws -> Pair in
        let cluster = try PostgresTestCluster.shared()
        atexit {
            for pid in MultiInstanceCLITests.started.withLock({ $0 }) { kill(pid, SIGTERM) }
        }
        // Every child process (import, check) takes the password from the environment.
        setenv("PGPASSWORD", cluster.password, 1)
        let url = try cluster.newDatabase("multi")
        let a = try await Instance(url: url, passwordFile: cluster.passwordFile, name: "a")
        let b = try await Instance(url: url, passwordFile: cluster.passwordFile, name: "b", waitSeconds: 300)
        return Pair(url: url, passwordFile: cluster.passwordFile, a: a, b: b)
    }

    static func request(_ method: String, _ url: String, _ body: String? = nil) async throws -> (Int, JSONValue) {
        var r = URLRequest(url: URL(string: url)!)
        r.httpMethod = method
        r.timeoutInterval = 30
        if let body { r.httpBody = Data(body.utf8) }
        let (data, resp) = try await URLSession.shared.data(for: r)
        return ((resp as? HTTPURLResponse)?.statusCode ?? 0, (try? JSONParser.parse([UInt8](data))) ?? .null)
    }

    /// What the posting clients share.
    final class Load: Sendable {
        let acknowledged = Mutex<[Int]>([])
        let afterKill = Mutex<[Int]>([])
        let killed = Atomic<Bool>(false)
        let stop = Atomic<Bool>(false)
    }

    static func id(_ v: JSONValue) -> Int? { v["id"]?.doubleValue.map { Int($0) } }

    /// A layer imported by `citytwin import --store` is served by both instances within a second
    /// of the import's exit (its commit), though their data-version poll runs every 2 s.
    @Test func importThroughTheStoreIsServedByBothWithinASecond() async throws {
        let pair = try await Self.pairTask.value
        let dir = TestSupport.scratch("multi-import")
        let file = dir + "/wells.geojson"
        TestSupport.write(#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"w1"},"geometry":{"type":"Point","coordinates":[104.07,30.66]}},{"type":"Feature","properties":{"name":"w2"},"geometry":{"type":"Point","coordinates":[104.08,30.65]}}]}"#,
                          to: file)
        for round in 0..<3 {
            let layer = "wells_\(round)"
            let imported = try TestSupport.run(TestSupport.citytwin, ["import", "--store", pair.url, "--layer", layer, "--role", "generic", file], cwd: dir)
            let committed = ContinuousClock.now
            try #require(imported.status == 0, "\(imported.stderr)")
            for instance in [pair.a, pair.b] {
                var served = false
                while !served && ContinuousClock.now - committed < .seconds(3) {
                    let (status, v) = try await Self.request("GET", instance.base + "/v1/layers/\(layer)/features")
                    served = status == 200 && v["features"]?.arrayValue?.count == 2
                    if !served { try await Task.sleep(nanoseconds: 20_000_000) }
                }
                let took = ContinuousClock.now - committed
                #expect(served && took < .seconds(1), "round \(round): \(layer) served after \(took) on \(instance.port)")
            }
        }
    }

    /// An event posted on B is in A's list and on A's live stream (within a second); a duplicate
    /// posted on A of B's event is found by the store's check, whatever A's memory held.
    @Test func eventPostedOnBIsInAsListAndStream() async throws {
        let pair = try await Self.pairTask.value
        let dir = TestSupport.scratch("multi-stream")
        let streamFile = dir + "/stream.txt"
        // An independent client follows A's stream: curl, unbuffered, for a few seconds.
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-sN", "--max-time", "6", "-o", streamFile, pair.a.base + "/v1/stream?topics=event"]
        try curl.run()
        try await Task.sleep(nanoseconds: 500_000_000)
        let lon = 104.0612, lat = 30.6458
        let posted = ContinuousClock.now
        let (status, v) = try await Self.request("POST", pair.b.base + "/v1/events",
                                                 #"{"type":"道路积水","description":"posted on B","lon":\#(lon),"lat":\#(lat)}"#)
        #expect(status == 201)
        let id = try #require(Self.id(v))
        var seenAfter: Duration?
        while seenAfter == nil && ContinuousClock.now - posted < .seconds(3) {
            let text = (try? String(contentsOfFile: streamFile, encoding: .utf8)) ?? ""
            if text.contains("event: event.created") && text.contains("\"id\":\(id),") { seenAfter = ContinuousClock.now - posted }
            else { try await Task.sleep(nanoseconds: 20_000_000) }
        }
        #expect(seenAfter.map { $0 < .seconds(1) } == true, "A's stream had event \(id) after \(String(describing: seenAfter))")
        let (listStatus, list) = try await Self.request("GET", pair.a.base + "/v1/events?type=%E9%81%93%E8%B7%AF%E7%A7%AF%E6%B0%B4&limit=1000")
        #expect(listStatus == 200 && list["events"]?.arrayValue?.contains { Self.id($0) == id } == true)
        // Same type, 10 m away, through A: a duplicate of B's event.
        let (_, dup) = try await Self.request("POST", pair.a.base + "/v1/events",
                                              #"{"type":"道路积水","description":"again on A","lon":\#(lon + 0.0001),"lat":\#(lat)}"#)
        #expect(dup["duplicate_of"] == .number(Double(id)), "\(dup)")
        curl.waitUntilExit()
    }

    /// The same status move asked through A and B at once: one 200; the other 409 (changed
    /// meanwhile) or, when it came second, 422 (no longer allowed). Never two 200s; some 409s.
    @Test func concurrentPatchesOnAAndBOneWins() async throws {
        let pair = try await Self.pairTask.value
        var conflicts = 0
        for k in 0..<20 {
            let (_, v) = try await Self.request("POST", pair.a.base + "/v1/events",
                                                #"{"type":"路灯损坏","description":"race \#(k)","lon":\#(104.05 + Double(k) * 0.002),"lat":30.62}"#)
            let id = try #require(Self.id(v))
            async let onA = Self.request("PATCH", pair.a.base + "/v1/events/\(id)", #"{"status":"dispatched","assignee":"a"}"#)
            async let onB = Self.request("PATCH", pair.b.base + "/v1/events/\(id)", #"{"status":"dispatched","assignee":"b"}"#)
            let statuses = try await [onA.0, onB.0].sorted()
            #expect(statuses == [200, 409] || statuses == [200, 422], "event \(id): \(statuses)")
            if statuses == [200, 409] { conflicts += 1 }
            let (_, stored) = try await Self.request("GET", pair.b.base + "/v1/events/\(id)")
            let moves = stored["history"]?.arrayValue?.filter { $0["kind"] == .string("status") }.count
            #expect(moves == 1, "event \(id): \(stored["history"] ?? .null)")
        }
        #expect(conflicts > 0, "no PATCH pair overlapped in 20 tries")
    }

    /// Clients post to a third instance and to B; the third is killed with SIGKILL mid-burst:
    /// B keeps answering, and every event either answered 201 is stored and listed by B.
    @Test func kill9OfOneInstanceUnderLoadLosesNoAcknowledgedEvent() async throws {
        let pair = try await Self.pairTask.value
        let victim = try await Instance(url: pair.url, passwordFile: pair.passwordFile, name: "victim", waitSeconds: 300)
        let load = Load()
        let bBase = pair.b.base
        let bases = [victim.base, bBase]
        let posting = Task {
            await withTaskGroup(of: Void.self) { group in
                for c in 0..<6 {
                    group.addTask {
                        var k = 0
                        while !load.stop.load(ordering: .relaxed) {
                            let base = bases[(c + k) % 2]
                            var r = URLRequest(url: URL(string: base + "/v1/events")!)
                            r.httpMethod = "POST"
                            r.timeoutInterval = 5
                            r.httpBody = Data(#"{"type":"垃圾堆放","description":"kill \#(c)-\#(k)","lon":\#(104.06 + Double(k % 50) * 0.001),"lat":\#(30.63 + Double(c) * 0.002)}"#.utf8)
                            k += 1
                            guard let (data, resp) = try? await URLSession.shared.data(for: r) else { continue }
                            if (resp as? HTTPURLResponse)?.statusCode == 201, let id = Self.id((try? JSONParser.parse([UInt8](data))) ?? .null) {
                                load.acknowledged.withLock { $0.append(id) }
                                if load.killed.load(ordering: .relaxed) && base == bBase { load.afterKill.withLock { $0.append(id) } }
                            }
                        }
                    }
                }
            }
        }
        for _ in 0..<400 where load.acknowledged.withLock({ $0.count }) < 100 { try await Task.sleep(nanoseconds: 50_000_000) }
        kill(victim.process.processIdentifier, SIGKILL)
        victim.process.waitUntilExit()
        load.killed.store(true, ordering: .relaxed)
        // B under the same load for two more seconds, answering health checks meanwhile.
        var health: [Int] = []
        for _ in 0..<10 {
            health.append(try await Self.request("GET", pair.b.base + "/health").0)
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        load.stop.store(true, ordering: .relaxed)
        _ = await posting.value
        #expect(health.allSatisfy { $0 == 200 }, "\(health)")
        #expect(load.afterKill.withLock { $0.count } >= 10, "B acknowledged \(load.afterKill.withLock { $0.count }) events after the kill")
        let ids = load.acknowledged.withLock { $0 }
        #expect(ids.count >= 100)
        var missing: [Int] = []
        for id in ids {
            let (status, v) = try await Self.request("GET", pair.b.base + "/v1/events/\(id)")
            if status != 200 || v["history"]?.arrayValue?.first?["kind"] != .string("created") { missing.append(id) }
        }
        #expect(missing.isEmpty, "\(missing.count) of \(ids.count) acknowledged events lost: \(missing.prefix(10))")
    }
}
