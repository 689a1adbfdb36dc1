import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Geo
import Synchronization
import Testing
import TestSupport

/// Ids answered 201, shared by the posting tasks.
final class Acknowledged: Sendable {
    let ids = Mutex<[Int]>([])
    /// Set to stop the clients between requests. (Cancelling a task with a URLSession request in
    /// flight can deadlock swift-corelibs-foundation, so the clients are never cancelled.)
    let stop = Mutex(false)
}

/// A 201 means committed: `kill -9` during a burst of posts loses none of the
/// events the server answered 201, and the restarted server lists them all.
@Suite(.serialized) struct EventDurabilityTests {
    @Test func everyEventAnswered201SurvivesKill9() async throws {
        let dir = TestSupport.scratch("durability")
        let db = dir + "/city.sqlite"
        // The shared sample, with its WAL (a copy of the main file alone could miss pages).
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: TilesCLITests.database + suffix) {
            try FileManager.default.copyItem(atPath: TilesCLITests.database + suffix, toPath: db + suffix)
        }
        let server = try await TilesCLITests.Server(db: db)
        let base = server.base
        // Eight clients post as fast as they can; the server is killed while they do.
        let acknowledged = Acknowledged()
        let posting = Task {
            await withTaskGroup(of: Void.self) { group in
                for c in 0..<8 {
                    group.addTask {
                        var k = 0
                        while !acknowledged.stop.withLock({ $0 }) {
                            var r = URLRequest(url: URL(string: base + "/v1/events")!)
                            r.httpMethod = "POST"
                            r.timeoutInterval = 5
                            r.httpBody = Data(#"{"type":"垃圾堆放","description":"burst \#(c)-\#(k)","lon":\#(104.06 + Double(k % 50) * 0.001),"lat":\#(30.63 + Double(c) * 0.002)}"#.utf8)
                            k += 1
                            guard let (data, resp) = try? await URLSession.shared.data(for: r) else { continue }
                            if (resp as? HTTPURLResponse)?.statusCode == 201, let id = (try? JSONParser.parse([UInt8](data)))?["id"]?.doubleValue {
                                acknowledged.ids.withLock { $0.append(Int(id)) }
                            }
                        }
                    }
                }
            }
        }
        // Let the burst run until a good number are in, then kill without warning.
        for _ in 0..<200 where acknowledged.ids.withLock({ $0.count }) < 150 { try await Task.sleep(nanoseconds: 50_000_000) }
        kill(server.process.processIdentifier, SIGKILL)
        server.process.waitUntilExit()
        acknowledged.stop.withLock { $0 = true }
        _ = await posting.value
        let ids = acknowledged.ids.withLock { $0 }
        #expect(ids.count >= 50, "only \(ids.count) events were answered before the kill")
        // Restart on the same files: every acknowledged event is there, with its history.
        let again = try await TilesCLITests.Server(db: db)
        defer { again.stop() }
        var missing: [Int] = []
        for id in ids {
            let (data, resp) = try await URLSession.shared.data(from: URL(string: again.base + "/v1/events/\(id)")!)
            let v = try? JSONParser.parse([UInt8](data))
            if (resp as? HTTPURLResponse)?.statusCode != 200 || v?["history"]?.arrayValue?.first?["kind"] != .string("created") { missing.append(id) }
        }
        #expect(missing.isEmpty, "\(missing.count) of \(ids.count) acknowledged events lost: \(missing.prefix(10))")
        // The durable count matches the list's view too.
        let (listData, _) = try await URLSession.shared.data(from: URL(string: again.base + "/v1/events?limit=10000&type=%E5%9E%83%E5%9C%BE%E5%A0%86%E6%94%BE")!)
        let listed = Set((try JSONParser.parse([UInt8](listData)))["events"]?.arrayValue?.compactMap { $0["id"]?.doubleValue.map(Int.init) } ?? [])
        #expect(Set(ids).isSubset(of: listed))
    }
}
