import CityOps
import CityTwinServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The cached-tile fast path in front of the HTTP decoder (`TileFastPath`), on a live
/// server over raw sockets: its answers are the route's byte for byte (but the Date
/// value), and pipelined requests are answered in order.
@Suite(.serialized) struct TileFastPathTests {
    static let tile = "/tiles/grids,roads,buildings/14/12929/6724.mvt"

    /// A server as `serve` runs it (fast path installed), with an empty tile cache.
    static func live(_ test: @escaping @Sendable (Int) async throws -> Void) async throws {
        let app = CityTwinServer.application(state: SampleFixture.state, config: SampleFixture.config, tiles: TileService(),
                                             geocoding: SampleFixture.geocoding, events: try await SampleFixture.hubTask.value,
                                             logger: Logger(label: "fast-path-test"))
        try await app.test(.live) { client in try await test(client.port ?? 0) }
    }

    /// The Date value blanked: it is the only field allowed to differ.
    static func masked(_ response: [UInt8]) -> [UInt8] {
        var text = String(decoding: response, as: UTF8.self)
        if let r = text.range(of: "\r\nDate: "), let e = text[r.upperBound...].range(of: "\r\n") {
            text.replaceSubrange(r.upperBound..<e.lowerBound, with: "-")
        }
        return Array(text.utf8)
    }

    static func request(_ target: String, _ fields: [String] = []) -> String {
        "GET \(target) HTTP/1.1\r\nHost: localhost\r\n" + fields.map { $0 + "\r\n" }.joined() + "\r\n"
    }

    /// Tiles the fast path has answered, from /metrics.
    static func served(_ port: Int) async throws -> Int {
        let r = try await RawHTTP.exchange(port: port, [request("/metrics")])
        let text = String(decoding: r[0], as: UTF8.self)
        let line = text.split(separator: "\n").first { $0.hasPrefix("citytwin_tiles_served_from_cache_fast_path ") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") }.map { Int($0) } ?? 0
    }

    @Test func fastPathAnswersAreTheRoutesByteForByte() async throws {
        try await Self.live { port in
            // "?via=router" is not a plain tile address for the fast path; the route ignores it.
            let first = try await RawHTTP.exchange(port: port, [Self.request(Self.tile + "?via=router")])[0]
            let head = String(decoding: first, as: UTF8.self)
            #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n") && head.contains("\r\nDate: ") && head.contains("\r\nServer: CityTwin\r\n"))
            func field(_ name: String) -> String {
                head.split(separator: "\r\n").first { $0.hasPrefix(name + ": ") }.map { String($0.dropFirst(name.count + 2)) } ?? ""
            }
            let etag = field("ETag"), lastModified = field("Last-Modified")
            let gzipETag = String(etag.dropLast()) + "-gzip\""
            let cases: [(String, [String])] = [
                (Self.tile, []),
                (Self.tile, ["Accept-Encoding: gzip, deflate, br"]),
                (Self.tile, ["accept-encoding:gzip;q=0"]),
                (Self.tile, ["Accept-Encoding: br", "Connection: keep-alive", "User-Agent: test"]),
                (Self.tile, ["If-None-Match: \(etag)"]),
                (Self.tile, ["If-None-Match: W/\(gzipETag)", "Accept-Encoding: gzip"]),
                (Self.tile, ["If-None-Match: \"other\", \(etag)"]),
                (Self.tile, ["If-None-Match: \"other\""]),
                (Self.tile, ["If-Modified-Since: \(lastModified)"]),
                (Self.tile, ["If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT", "Accept-Encoding: gzip"]),
                ("/tiles/grids/14/0/0.mvt", []),
            ]
            // Through the router first (this also fills the cache), then the same request plain.
            for (target, fields) in cases {
                _ = try await RawHTTP.exchange(port: port, [Self.request(target + "?via=router", fields)])
            }
            let before = try await Self.served(port)
            for (target, fields) in cases {
                let routed = try await RawHTTP.exchange(port: port, [Self.request(target + "?via=router", fields)])[0]
                let fast = try await RawHTTP.exchange(port: port, [Self.request(target, fields)])[0]
                #expect(Self.masked(fast) == Self.masked(routed), "\(target) \(fields)\n\(String(decoding: fast.prefix(600), as: UTF8.self))\n---\n\(String(decoding: routed.prefix(600), as: UTF8.self))")
            }
            #expect(try await Self.served(port) - before == cases.count)
        }
    }

    @Test func pipelinedRequestsKeepTheirOrder() async throws {
        try await Self.live { port in
            let cached = Self.tile, other = "/tiles/grids,pipes/14/12929/6724.mvt"
            _ = try await RawHTTP.exchange(port: port, [Self.request(cached)])
            // A tile not cached yet (built by the router) before cached ones, a route between them.
            let batch = [Self.request(other), Self.request(cached), Self.request("/health"),
                         Self.request(cached, ["Accept-Encoding: gzip"]), Self.request(other, ["Accept-Encoding: gzip"]),
                         Self.request(cached)]
            let answers = try await RawHTTP.exchange(port: port, batch, together: true)
            #expect(answers.count == batch.count)
            for (request, answer) in zip(batch, answers) {
                let alone = try await RawHTTP.exchange(port: port, [request])[0]
                let health = request.contains("/health")
                // /health carries a timestamp-free body but may differ in uptime fields: compare its status line only.
                if health {
                    #expect(answer.starts(with: Array("HTTP/1.1 200".utf8)))
                } else {
                    #expect(Self.masked(answer) == Self.masked(alone), "\(request)")
                }
            }
            // The same in a second round, all cached: the fast path answers in order too.
            let again = try await RawHTTP.exchange(port: port, batch, together: true)
            for (a, b) in zip(answers, again) where !String(decoding: a.prefix(200), as: UTF8.self).contains("json") {
                #expect(Self.masked(a) == Self.masked(b))
            }
        }
    }

    @Test func partialReadsAndUnframedStreamsGetTheRoutesAnswers() async throws {
        try await Self.live { port in
            let expected = try await RawHTTP.exchange(port: port, [Self.request(Self.tile + "?via=router")])[0]
            // A head arriving in pieces.
            let split = try await RawHTTP.exchange(port: port, [Self.request(Self.tile)], pieces: 7)
            #expect(Self.masked(split[0]) == Self.masked(expected))
            // A request with a body leaves the connection to the decoder; the next tile still comes, from the router.
            let body = "GET \(Self.tile) HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\nok"
            let after = try await RawHTTP.exchange(port: port, [body, Self.request(Self.tile)], together: true)
            #expect(after.count == 2 && after.allSatisfy { Self.masked($0) == Self.masked(expected) })
            // A malformed head is the decoder's to refuse.
            let bad = try await RawHTTP.exchange(port: port, ["GET \(Self.tile) HTTP/1.1\r\nHost localhost\r\n\r\n"])
            #expect(bad.first.map { String(decoding: $0.prefix(12), as: UTF8.self) } == "HTTP/1.1 400")
        }
    }
}

/// A blocking loopback HTTP/1.1 client over a POSIX socket, run off the cooperative
/// pool: it sends raw bytes and returns each answer's raw bytes (head and body).
enum RawHTTP {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Sends `requests` on one connection, one at a time (or all in one write with
    /// `together`, or each in `pieces` writes), and reads one answer for each.
    static func exchange(port: Int, _ requests: [String], together: Bool = false, pieces: Int = 1) async throws -> [[UInt8]] {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try blockingExchange(port: port, requests, together: together, pieces: pieces) })
            }
        }
    }

    static func blockingExchange(port: Int, _ requests: [String], together: Bool, pieces: Int) throws -> [[UInt8]] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect to \(port)") }
        func send(_ bytes: [UInt8]) throws {
            var sent = 0
            while sent < bytes.count {
                let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
                guard n > 0 else { throw Failure(description: "send") }
                sent += n
            }
        }
        var received: [UInt8] = []
        var answers: [[UInt8]] = []
        func readAnswers(until count: Int) throws {
            while answers.count < count {
                if let (length, _) = answerLength(received) {
                    answers.append(Array(received[..<length]))
                    received.removeFirst(length)
                    continue
                }
                var chunk = [UInt8](repeating: 0, count: 65536)
                let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                guard n > 0 else { throw Failure(description: "connection ended after \(answers.count) answers") }
                received += chunk[..<n]
            }
        }
        if together {
            try send(Array(requests.joined().utf8))
            try readAnswers(until: requests.count)
        } else {
            for (i, r) in requests.enumerated() {
                let bytes = Array(r.utf8)
                let size = max(1, (bytes.count + pieces - 1) / pieces)
                for start in stride(from: 0, to: bytes.count, by: size) {
                    try send(Array(bytes[start..<min(bytes.count, start + size)]))
                    if pieces > 1 { usleep(20_000) }
                }
                try readAnswers(until: i + 1)
            }
        }
        return answers
    }

    /// The length of the first complete answer in `bytes` (head and Content-Length body).
    static func answerLength(_ bytes: [UInt8]) -> (Int, Int)? {
        guard bytes.count >= 4 else { return nil }
        var end = -1
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
            end = i
            break
        }
        guard end >= 0 else { return nil }
        let head = String(decoding: bytes[..<end], as: UTF8.self)
        let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        let total = end + 4 + length
        return bytes.count >= total ? (total, length) : nil
    }
}
