import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Geo
import Testing
import TestSupport

/// Queries that once stopped the process (issue: one geocode request kills the
/// server), tried the way a user met them: on the released binary and against a
/// live `citytwin serve`, which must answer them and keep answering.
@Suite(.serialized) struct TrapRegressionTests {
    static let queries = ["成都", "四川", "成都市", "四川省", "成都x", "四川1", "成都成", "四川成都", "中国四川省成都市", "成都市成都"]

    @Test func geocodeCommandAnswersBarePrefixes() throws {
        for q in Self.queries {
            let r = try TestSupport.run(TestSupport.citytwin, ["geocode", q, "--db", TilesCLITests.database])
            // 0 (found) or 3 (nothing matched); a trap ends with a signal (status 4 or 5 on Linux for SIGILL/SIGTRAP).
            #expect(r.status == 0 || r.status == 3, "geocode \(q): status \(r.status) \(r.stderr.prefix(300))")
            #expect((try? JSONParser.parse(r.stdout))?["query"] == .string(q))
        }
    }

    @Test func serverAnswersAndStaysUp() async throws {
        let server = try await TilesCLITests.Server(db: TilesCLITests.database)
        defer { server.stop() }
        func get(_ path: String) async throws -> Int {
            let (_, r) = try await URLSession.shared.data(from: URL(string: server.base + path)!)
            return (r as? HTTPURLResponse)?.statusCode ?? 0
        }
        func enc(_ s: String) -> String { s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s }
        for q in Self.queries {
            #expect(try await get("/v1/geocode?q=\(enc(q))") == 200, "geocode \(q)")
            #expect(try await get("/v1/autocomplete?q=\(enc(q))") == 200, "autocomplete \(q)")
        }
        let body = JSONWriter.string(.object(JSONObject([("queries", .array(Self.queries.map { .string($0) }))])))
        var post = URLRequest(url: URL(string: server.base + "/v1/geocode/batch")!)
        post.httpMethod = "POST"
        post.httpBody = Data(body.utf8)
        let (data, r) = try await URLSession.shared.data(for: post)
        #expect((r as? HTTPURLResponse)?.statusCode == 200)
        #expect((try JSONParser.parse([UInt8](data)))["results"]?.arrayValue?.count == Self.queries.count)
        #expect(server.process.isRunning)
        #expect(try await get("/health") == 200)
    }
}
