import CityOps
import CityTwinServer
import Foundation
import Geo
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport

/// Sprites over HTTP: names, ratios, caching headers, the catalog, and styles
/// naming only icons the sprite has. (The sheet itself is checked by an
/// independent decoder in MapAssetsTests.)
@Suite struct SpriteRouteTests {
    @Test func spritesAnswerAtBothRatiosWithCachingHeaders() async throws {
        try await SampleFixture.app().test(.router) { client in
            var index1: JSONValue = .null, index2: JSONValue = .null, etag = ""
            try await client.execute(uri: "/sprites/icons.json", method: .get) { r in
                #expect(r.status == .ok && r.headers[.contentType] == "application/json")
                #expect(r.headers[.cacheControl]?.contains("max-age=86400") == true)
                etag = r.headers[.eTag] ?? ""
                index1 = try SampleFixture.json(r)
            }
            try await client.execute(uri: "/sprites/icons.json", method: .get, headers: [.ifNoneMatch: etag]) { r in
                #expect(r.status == .notModified && r.body.readableBytes == 0)
            }
            try await client.execute(uri: "/sprites/icons@2x.json", method: .get) { r in index2 = try SampleFixture.json(r) }
            let hospital1 = index1["poi-hospital"], hospital2 = index2["poi-hospital"]
            #expect(hospital1?["pixelRatio"] == .number(1) && hospital2?["pixelRatio"] == .number(2))
            #expect(hospital2?["width"]?.doubleValue == (hospital1?["width"]?.doubleValue).map { $0 * 2 })
            for file in ["icons.png", "icons@2x.png"] {
                // PNG is compressed already: never gzipped again, even when the client accepts it.
                try await client.execute(uri: "/sprites/\(file)", method: .get, headers: [.acceptEncoding: "gzip"]) { r in
                    #expect(r.status == .ok && r.headers[.contentType] == "image/png" && r.headers[.contentEncoding] == nil)
                    #expect(r.body.getBytes(at: r.body.readerIndex, length: 8) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
                    #expect(r.headers[.eTag]?.hasPrefix("\"") == true)
                }
            }
            for bad in ["nope.json", "icons@3x.png", "icons@x.json", "icons.svg", "icons", "..%2Ficons.json"] {
                try await client.execute(uri: "/sprites/\(bad)", method: .get) { r in
                    #expect(r.status == .notFound, "\(bad)")
                    #expect(r.headers[.contentType]?.hasPrefix("application/problem+json") == true, "\(bad)")
                }
            }
            try await client.execute(uri: "/catalog", method: .get) { r in
                let sprite = try SampleFixture.json(r)["sprites"]?.arrayValue?.first
                #expect(sprite?["name"] == .string("icons") && sprite?["url"]?.stringValue?.hasSuffix("/sprites/icons") == true)
                #expect((sprite?["icons"]?.arrayValue?.count ?? 0) == index1.objectValue?.count)
            }
            try await client.execute(uri: "/openapi.json", method: .get) { r in
                let paths = try SampleFixture.json(r)["paths"]?.objectValue
                for p in ["/sprites/{file}", "/sprites.json", "/fonts/{stack}/{start}-{end}.pbf", "/fonts.json", "/v1/stream", "/v1/stream/stats"] {
                    #expect(paths?[p] != nil, "\(p)")
                }
            }
        }
    }

    /// Every literal icon name in the styles' icon-image expressions (and the
    /// live-event expression in their metadata) is an icon of the sprite they name.
    @Test func stylesNameOnlyIconsTheSpriteHas() async throws {
        try await SampleFixture.app().test(.router) { client in
            var icons = Set<String>()
            try await client.execute(uri: "/sprites/icons.json", method: .get) { r in
                icons = Set(try SampleFixture.json(r).objectValue?.keys ?? [])
            }
            #expect(icons.count >= 40)
            func literals(_ v: JSONValue) -> [String] {
                switch v {
                case .string(let s): [s]
                case .array(let a): a.flatMap(literals)
                default: []
                }
            }
            for name in ["dispatch", "ops-screen"] {
                try await client.execute(uri: "/styles/\(name).json", method: .get) { r in
                    let style = try SampleFixture.json(r)
                    #expect(style["sprite"]?.stringValue?.hasPrefix("http://") == true && style["sprite"]?.stringValue?.hasSuffix("/sprites/icons") == true)
                    var named = Set<String>()
                    var expressions = (style["layers"]?.arrayValue ?? []).compactMap { $0["layout"]?["icon-image"] }
                    expressions += [style["metadata"]?["citytwin:event-icon"]].compactMap { $0 }
                    #expect(expressions.count >= 6, "\(name)")
                    for e in expressions {
                        // Outputs of match/concat: names with an icon family prefix (labels like 管道破裂 are inputs).
                        named.formUnion(literals(e).filter { $0.range(of: #"^(event|status|flood|poi|valve|handler)-"#, options: .regularExpression) != nil })
                    }
                    #expect(named.count >= 30, "\(name): \(named.count)")
                    #expect(named.subtracting(icons).subtracting(["status-"]).isEmpty, "\(name): \(named.subtracting(icons).sorted())")
                    // Each status an event can have has its badge (the style builds "status-" + status).
                    for s in EventStatus.allCases { #expect(icons.contains("status-" + s.rawValue), "\(s)") }
                }
            }
        }
    }
}
