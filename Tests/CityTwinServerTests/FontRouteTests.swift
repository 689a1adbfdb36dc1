import CityTwinServer
import Foundation
import Geo
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport

/// Glyph ranges over HTTP: status codes, caching headers, the font list.
/// (What is inside a range is checked by an independent decoder in MapAssetsTests.)
@Suite struct FontRouteTests {
    static let cjk = "WenQuanYi%20Micro%20Hei%20Regular"

    @Test func glyphRangesAnswerWithCachingHeaders() async throws {
        try await SampleFixture.app().test(.router) { client in
            var etag = ""
            try await client.execute(uri: "/fonts/\(Self.cjk)/19968-20223.pbf", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "application/x-protobuf")
                #expect(r.headers[.cacheControl]?.contains("max-age=86400") == true)
                etag = r.headers[.eTag] ?? ""
                #expect(etag.hasPrefix("\"") && r.body.readableBytes > 50_000)
            }
            // The same range again is the cached one: same ETag, and 304 when the client has it.
            try await client.execute(uri: "/fonts/\(Self.cjk)/19968-20223.pbf", method: .get, headers: [.ifNoneMatch: etag]) { r in
                #expect(r.status == .notModified && r.body.readableBytes == 0)
            }
            try await client.execute(uri: "/fonts/\(Self.cjk)/0-255.pbf", method: .get, headers: [.acceptEncoding: "gzip"]) { r in
                #expect(r.status == .ok && r.headers[.contentEncoding] == "gzip")
                #expect(r.body.getBytes(at: r.body.readerIndex, length: 2) == [0x1f, 0x8b])
            }
            // A composite stack with a name the server does not have still answers from the known font.
            try await client.execute(uri: "/fonts/No%20Such,\(Self.cjk)/0-255.pbf", method: .get) { r in #expect(r.status == .ok) }
            for bad in ["1-256", "0-256", "256-255", "a-b", "0-255-1", "-256--1"] {
                try await client.execute(uri: "/fonts/\(Self.cjk)/\(bad).pbf", method: .get) { r in
                    #expect(r.status == .badRequest, "\(bad)")
                    #expect(r.headers[.contentType]?.hasPrefix("application/problem+json") == true)
                }
            }
            try await client.execute(uri: "/fonts/No%20Such%20Font/0-255.pbf", method: .get) { r in #expect(r.status == .notFound) }
            try await client.execute(uri: "/fonts/\(Self.cjk)/0-255.json", method: .get) { r in #expect(r.status == .notFound) }
            try await client.execute(uri: "/catalog", method: .get) { r in
                let names = try SampleFixture.json(r)["fonts"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
                #expect(names.contains("WenQuanYi Micro Hei Regular"), "\(names)")
            }
            try await client.execute(uri: "/fonts.json", method: .get) { r in
                let names = try SampleFixture.json(r).arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
                #expect(names.contains("WenQuanYi Micro Hei Regular") && names.contains("DejaVu Sans Book"), "\(names)")
            }
        }
    }

    @Test func stylesPointAtTheServersGlyphsAndDrawLabels() async throws {
        try await SampleFixture.app().test(.router) { client in
            for name in ["dispatch", "ops-screen"] {
                try await client.execute(uri: "/styles/\(name).json", method: .get) { r in
                    let v = try SampleFixture.json(r)
                    let glyphs = v["glyphs"]?.stringValue ?? ""
                    #expect(glyphs.hasPrefix("http://") && glyphs.hasSuffix("/fonts/{fontstack}/{range}.pbf"), "\(glyphs)")
                    let symbols = v["layers"]?.arrayValue?.filter { $0["type"] == .string("symbol") } ?? []
                    let labelled = Set(symbols.compactMap { $0["source-layer"]?.stringValue })
                    #expect(labelled.isSuperset(of: ["roads", "streets", "communities", "grids", "pois", "flood_points"]), "\(labelled)")
                    // Every font a style names is one the server has.
                    let fonts = Set(symbols.flatMap { $0["layout"]?["text-font"]?.arrayValue?.compactMap(\.stringValue) ?? [] })
                    for f in fonts {
                        try await client.execute(uri: "/fonts/\(f.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? f)/0-255.pbf", method: .get) { r in
                            #expect(r.status == .ok, "\(f)")
                        }
                    }
                }
            }
        }
    }
}
