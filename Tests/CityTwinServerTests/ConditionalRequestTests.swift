import CityTwinServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport

/// Conditional GET of tiles as RFC 9110 §13 has it, through the router: weak
/// If-None-Match comparison (the W/ form nginx and CDNs send after compressing),
/// lists and `*`, a strong tag per content coding, Last-Modified/If-Modified-Since
/// in the three HTTP-date forms, If-None-Match taking precedence.
@Suite(.serialized) struct ConditionalRequestTests {
    static let path = "/tiles/grids,pipes/14/12929/6724.mvt"

    struct Answer { var status: HTTPResponse.Status; var headers: HTTPFields; var bytes: Int }

    static func get(_ client: some TestClientProtocol, _ headers: HTTPFields = [:]) async throws -> Answer {
        try await client.execute(uri: path, method: .get, headers: headers) { r in
            Answer(status: r.status, headers: r.headers, bytes: r.body.readableBytes)
        }
    }

    /// Foundation's own HTTP-date reading, independent of the server's parser.
    static func foundationDate(_ s: String, _ format: String) -> Date? {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = format
        return f.date(from: s)
    }

    static func format(_ d: Date, _ format: String) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = format
        return f.string(from: d)
    }

    @Test func ifNoneMatchComparesWeaklyAcrossListsAndCodings() async throws {
        try await SampleFixture.app().test(.router) { client in
            let plain = try await Self.get(client)
            let gz = try await Self.get(client, [.acceptEncoding: "gzip"])
            let etag = try #require(plain.headers[.eTag]), gzipTag = try #require(gz.headers[.eTag])
            #expect(plain.status == .ok && gz.status == .ok)
            #expect(etag != gzipTag && etag.hasPrefix("\"") && gzipTag.hasPrefix("\""), "strong, distinct per coding")
            let matching = ["W/\(etag)", etag, "W/\(gzipTag)", "\"nope\", W/\(etag)", "\"a,b\" , \(gzipTag)", "*", "W/\"x\",\(etag)"]
            for inm in matching {
                let r = try await Self.get(client, [.ifNoneMatch: inm, .acceptEncoding: "gzip"])
                #expect(r.status == .notModified && r.bytes == 0, "If-None-Match: \(inm)")
                #expect(r.headers[.eTag] == gzipTag && r.headers[.vary] == "Accept-Encoding" && r.headers[.cacheControl] != nil)
            }
            for inm in ["\"nope\"", "W/\"nope\"", String(etag.dropLast()) + "x\"", "\"\(etag)\"", "W/", ""] {
                let r = try await Self.get(client, [.ifNoneMatch: inm])
                #expect(r.status == .ok && r.bytes == plain.bytes, "If-None-Match: \(inm)")
            }
        }
    }

    @Test func ifModifiedSinceInEachDateFormAndIfNoneMatchWins() async throws {
        try await SampleFixture.app().test(.router) { client in
            let first = try await Self.get(client)
            let lastModified = try #require(first.headers[.lastModified])
            let date = try #require(Self.foundationDate(lastModified, "EEE, dd MMM yyyy HH:mm:ss zzz"), "IMF-fixdate: \(lastModified)")
            #expect(abs(date.timeIntervalSinceNow) < 600)
            let forms = [lastModified, Self.format(date, "EEEE, dd-MMM-yy HH:mm:ss 'GMT'"), Self.format(date, "EEE MMM d HH:mm:ss yyyy"),
                         Self.format(date.addingTimeInterval(3600), "EEE, dd MMM yyyy HH:mm:ss 'GMT'")]
            for since in forms {
                let r = try await Self.get(client, [.ifModifiedSince: since])
                #expect(r.status == .notModified, "If-Modified-Since: \(since)")
            }
            let earlier = Self.format(date.addingTimeInterval(-3600), "EEE, dd MMM yyyy HH:mm:ss 'GMT'")
            for since in [earlier, "yesterday", "Sun, 06 Nov 1994 08:49:37 GMT", "Mon, 32 Nov 2026 08:49:37 GMT"] {
                let r = try await Self.get(client, [.ifModifiedSince: since])
                #expect(r.status == .ok, "If-Modified-Since: \(since)")
            }
            // §13.2.2: with If-None-Match present, If-Modified-Since is not evaluated.
            let r = try await Self.get(client, [.ifNoneMatch: "\"nope\"", .ifModifiedSince: lastModified])
            #expect(r.status == .ok)
        }
    }
}
