import CityOps
import CityTwinServer
import Foundation
import Geo
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import Testing
import TestSupport
import VectorTiles

@Suite(.serialized) struct TileRouteTests {
    static let centre = "14/12929/6724"

    static func decode(_ r: TestResponse) throws -> MVTTile {
        var bytes = [UInt8](buffer: r.body)
        if r.headers[.contentEncoding] == "gzip" { bytes = try Gzip.decompress(bytes) }
        let t = try MVTTile(decoding: bytes)
        #expect(t.validationIssues().isEmpty, "\(t.validationIssues().map(\.message))")
        return t
    }

    /// A request's tile cut before its layers' property tables exist reads each feature's
    /// properties instead: it must decode to the same features as one cut through the tables.
    @Test func tilesCutWithoutPropertyTablesDecodeTheSame() async throws {
        let snapshot = SampleFixture.state.snapshot
        let service = TileService()
        let names = snapshot.layers.values.filter { $0.info.role != .event && $0.info.role != .floodPoint }.map(\.info.name).sorted()
        #expect(names.count >= 8)
        var tiles = [TileID(z: 14, x: 12929, y: 6724)]
        for z in stride(from: 13, through: 10, by: -1) { tiles.append(TileID(z: z, x: 12929 >> (14 - z), y: 6724 >> (14 - z))) }
        for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] { tiles.append(TileID(z: 15, x: 2 * 12929 + dx, y: 2 * 6724 + dy)) }
        tiles.append(TileID(z: 16, x: 4 * 12929 + 1, y: 4 * 6724 + 2))
        let withTables = service.inputs(names, snapshot)
        #expect(withTables.allSatisfy { $0.properties != nil })
        let without = withTables.map { TileLayerInput(name: $0.name, source: $0.source, config: $0.config, properties: nil) }
        var compared = 0
        for t in tiles {
            let a = try MVTTile(decoding: TileBuilder(settings: service.settings).build(t, layers: withTables).bytes)
            let b = try MVTTile(decoding: TileBuilder(settings: service.settings).build(t, layers: without).bytes)
            #expect(a.layers.map(\.name) == b.layers.map(\.name), "\(t)")
            for (la, lb) in zip(a.layers, b.layers) {
                func features(_ l: MVTLayer) throws -> [(UInt64, MVTGeometry, [String])] {
                    try l.decodedFeatures().features.map { ($0.id ?? 0, $0.geometry, $0.properties.map { "\($0.key)=\($0.value)" }.sorted()) }
                        .sorted { $0.0 < $1.0 }
                }
                let fa = try features(la), fb = try features(lb)
                #expect(fa.count == fb.count && !fa.isEmpty, "\(t) \(la.name)")
                for (x, y) in zip(fa, fb) {
                    #expect(x.0 == y.0 && x.1 == y.1 && x.2 == y.2, "\(t) \(la.name) feature \(x.0)")
                }
                compared += fa.count
            }
        }
        #expect(compared > 1000)
        // On a fresh service a request's inputs carry no table yet; the table follows in the background.
        let fresh = TileService()
        #expect(fresh.inputs(["buildings"], snapshot, tablesInBackground: true)[0].properties == nil)
        var built = false
        for _ in 0..<200 where !built {
            try await Task.sleep(for: .milliseconds(50))
            built = fresh.inputs(["buildings"], snapshot, tablesInBackground: true)[0].properties != nil
        }
        #expect(built)
    }

    /// /health is 200 from the start and says what is still warming: the first geocoder and
    /// the layers' tile property tables; `ready` once both are built.
    @Test func healthSaysWhatIsStillWarming() async throws {
        let tiles = TileService(), geocoding = GeocodingService()
        let app = Application(router: CityTwinServer.router(state: SampleFixture.state, config: SampleFixture.config, tiles: tiles, geocoding: geocoding))
        try await app.test(.router) { client in
            func health() async throws -> JSONValue {
                try await client.execute(uri: "/health", method: .get) { r in
                    #expect(r.status == .ok)
                    return try SampleFixture.json(r)
                }
            }
            let cold = try await health()
            #expect(cold["ready"] == .bool(false) && cold["warming"]?.arrayValue == [.string("geocoder"), .string("tile_properties")])
            // The geocoder alone does not make the server ready.
            _ = geocoding.geocoder(for: SampleFixture.state.snapshot)
            let half = try await health()
            #expect(half["ready"] == .bool(false) && half["warming"]?.arrayValue == [.string("tile_properties")])
            tiles.prepareInBackground(SampleFixture.state.snapshot)
            var ready = false
            for _ in 0..<600 where !ready {
                ready = try await health()["ready"] == .bool(true)
                if !ready { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(ready)
            #expect(try await health()["warming"]?.arrayValue == [])
        }
    }

    @Test func compositeTileHasEachLayerOnceWithStableIDs() async throws {
        try await SampleFixture.app().test(.router) { client in
            try await client.execute(uri: "/tiles/grids,roads,buildings/\(Self.centre).mvt", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "application/vnd.mapbox-vector-tile")
                #expect(r.headers[.accessControlAllowOrigin] == "*")
                #expect(r.headers[.cacheControl] != nil && r.headers[.eTag] != nil)
                let t = try Self.decode(r)
                #expect(t.layers.map(\.name) == ["grids", "roads", "buildings"])
                // Feature ids are store ids: the grid at the tile centre has the id /v1/locate gives.
                let grids = SampleFixture.state.snapshot.layers["grids"]!
                let ids = Set(t.layers[0].features.compactMap(\.id))
                let located = SampleFixture.state.snapshot.locate(lon: 104.10, lat: 30.67)[.grid]!
                #expect(ids.contains(UInt64(grids.featureIDs[located.1])))
                #expect(t.layers.allSatisfy { $0.features.allSatisfy { $0.id != nil } })
                // Features per layer, in request order, as written to this tile.
                let counts = t.layers.map { "\($0.name ?? "")=\($0.features.count)" }.joined(separator: ", ")
                #expect(r.headers[HTTPField.Name("X-Tile-Feature-Count")!] == counts)
            }
            // The same grid keeps its id at another zoom.
            try await client.execute(uri: "/tiles/grids/13/6464/3362.mvt", method: .get) { r in
                let t = try Self.decode(r)
                let grids = SampleFixture.state.snapshot.layers["grids"]!
                let located = SampleFixture.state.snapshot.locate(lon: 104.10, lat: 30.67)[.grid]!
                #expect(t.layers[0].features.contains { $0.id == UInt64(grids.featureIDs[located.1]) })
            }
        }
    }

    @Test func gzipETagAnd304() async throws {
        try await SampleFixture.app().test(.router) { client in
            var plain: [UInt8] = [], etag = ""
            try await client.execute(uri: "/tiles/grids,pipes/\(Self.centre).mvt", method: .get) { r in
                #expect(r.headers[.contentEncoding] == nil)
                plain = [UInt8](buffer: r.body)
                etag = r.headers[.eTag] ?? ""
            }
            try await client.execute(uri: "/tiles/grids,pipes/\(Self.centre).mvt", method: .get, headers: [.acceptEncoding: "br, gzip;q=0.8"]) { r in
                #expect(r.headers[.contentEncoding] == "gzip")
                #expect(r.headers[.vary] == "Accept-Encoding")
                let unzipped = try Gzip.decompress([UInt8](buffer: r.body))
                #expect(unzipped == plain)
                // Another content coding is another representation: its own strong tag.
                #expect(r.headers[.eTag] != etag && r.headers[.eTag]?.hasPrefix("W/") == false)
            }
            try await client.execute(uri: "/tiles/grids,pipes/\(Self.centre).mvt", method: .get, headers: [.acceptEncoding: "gzip;q=0"]) { r in
                #expect(r.headers[.contentEncoding] == nil)
            }
            try await client.execute(uri: "/tiles/grids,pipes/\(Self.centre).mvt", method: .get, headers: [.ifNoneMatch: etag]) { r in
                #expect(r.status == .notModified)
                #expect(r.body.readableBytes == 0)
            }
            try await client.execute(uri: "/tiles/grids,pipes/\(Self.centre).mvt", method: .get, headers: [.ifNoneMatch: "\"other\""]) { r in
                #expect(r.status == .ok)
            }
        }
    }

    @Test func emptyTilesZoomRangesAndBadAddresses() async throws {
        try await SampleFixture.app().test(.router) { client in
            try await client.execute(uri: "/tiles/grids/14/0/0.mvt", method: .get) { r in
                #expect(r.status == .noContent && r.body.readableBytes == 0)
            }
            // At z10 buildings (from z13) and grids (from z11) are out of range; district is in.
            try await client.execute(uri: "/tiles/district,buildings,grids/10/808/420.mvt", method: .get) { r in
                let names = try Self.decode(r).layers.map(\.name)
                #expect(names == ["district"])
            }
            try await client.execute(uri: "/tiles/buildings/10/808/420.mvt", method: .get) { r in #expect(r.status == .noContent) }
            for (uri, status, word) in [("/tiles/grids/31/0/0.mvt", HTTPResponse.Status.badRequest, "z"),
                                        ("/tiles/grids/3/8/0.mvt", .badRequest, "x"), ("/tiles/grids/3/0/8.mvt", .badRequest, "y"),
                                        ("/tiles/grids/3/0/abc.mvt", .badRequest, "y"), ("/tiles/grids/-1/0/0.mvt", .badRequest, "z"),
                                        ("/tiles/grids/3/01/0.mvt", .badRequest, "x"),
                                        ("/tiles/nosuch/14/0/0.mvt", .notFound, "nosuch"), ("/tiles/grids,nosuch/14/0/0.mvt", .notFound, "nosuch"),
                                        ("/tiles/grids,grids/14/0/0.mvt", .badRequest, "twice"), ("/tiles/grids/3/0/0.png", .notFound, "route"),
                                        ("/tiles/nosuch.json", .notFound, "nosuch")] {
                try await client.execute(uri: uri, method: .get) { r in
                    #expect(r.status == status, "\(uri)")
                    #expect(r.headers[.contentType] == "application/problem+json", "\(uri)")
                    #expect(String(buffer: r.body).contains(word), "\(uri): \(String(buffer: r.body))")
                }
            }
        }
    }

    @Test func tileJSONDescribesTheComposite() async throws {
        var config = SampleFixture.config
        config.publicURL = "https://city.example.cn/twin"
        try await SampleFixture.app(config).test(.router) { client in
            try await client.execute(uri: "/tiles/grids,flood_points,bikes.json", method: .get) { r in
                let v = try SampleFixture.json(r)
                #expect(v["tilejson"] == .string("3.0.0"))
                #expect(v["tiles"] == .array([.string("https://city.example.cn/twin/tiles/grids,flood_points,bikes/{z}/{x}/{y}.mvt")]))
                let layers = try #require(v["vector_layers"]?.arrayValue)
                #expect(layers.map { $0["id"]?.stringValue } == ["grids", "flood_points", "bikes"])
                #expect(layers[0]["fields"]?["code"] == .string("String"))
                #expect(layers[1]["fields"]?["threshold_cm"] == .string("Number"))
                #expect(layers[1]["fields"]?["status"] == .string("String"))
                #expect(layers[2]["fields"]?["count"] == .string("Number"))
                let b = (v["bounds"]?.arrayValue ?? []).compactMap { $0.doubleValue }
                #expect(b.count == 4 && b[0] < 104.05 && b[2] > 104.15 && b[1] < 30.63 && b[3] > 30.71)
                let c = (v["center"]?.arrayValue ?? []).compactMap { $0.doubleValue }
                #expect(c.count == 3 && c[0] > b[0] && c[0] < b[2])
                #expect(v["minzoom"] == .number(10) && v["maxzoom"] == .number(22))
                // Layer totals as tippecanoe's tilestats.
                let stats = try #require(v["tilestats"]?["layers"]?.arrayValue)
                #expect(v["tilestats"]?["layerCount"] == .number(3) && stats[0]["layer"] == .string("grids"))
                #expect(stats[0]["geometry"] == .string("Polygon") && stats[1]["geometry"] == .string("Point"))
                #expect(stats[0]["count"] == .number(Double(SampleFixture.state.snapshot.layers["grids"]!.count)))
            }
        }
        // Without a public URL the request's host is used.
        try await SampleFixture.app().test(.router) { client in
            try await client.execute(uri: "/tiles/grids.json", method: .get) { r in
                let v = try SampleFixture.json(r)
                let url = v["tiles"]?.arrayValue?.first?.stringValue ?? ""
                #expect(url.hasSuffix("/tiles/grids/{z}/{x}/{y}.mvt") && url.hasPrefix("http://"))
            }
        }
    }

    @Test func floodPointTilesCarryLiveStatus() async throws {
        try await SampleFixture.app().test(.router) { client in
            let s = SampleFixture.state.snapshot
            let l = s.layers["flood_points"]!
            guard case .point(let c) = l.geometry.geometry(0) else { return }
            let r0 = WebMercator.tileRange(BoundingBox(minX: c.x, minY: c.y, maxX: c.x, maxY: c.y), z: 15)
            try await client.execute(uri: "/tiles/flood_points/15/\(r0.minX)/\(r0.minY).mvt", method: .get) { r in
                let layer = try Self.decode(r).layers[0]
                let f = try layer.decodedFeatures().features
                #expect(!f.isEmpty)
                let statuses = Set(f.compactMap { $0.properties.first { $0.key == "status" }?.value })
                #expect(!statuses.isEmpty && statuses.isSubset(of: [.string("normal"), .string("warning"), .string("flooded")]))
            }
        }
    }

    @Test func cachePurgeNeedsTheToken() async throws {
        try await SampleFixture.app().test(.router) { client in
            try await client.execute(uri: "/tiles/grids/\(Self.centre).mvt", method: .get) { _ in }
            try await client.execute(uri: "/tiles/cache", method: .delete) { r in #expect(r.status == .unauthorized) }
            try await client.execute(uri: "/tiles/cache", method: .delete, headers: [.authorization: "Bearer wrong"]) { r in #expect(r.status == .forbidden) }
            try await client.execute(uri: "/tiles/cache", method: .delete, headers: [.authorization: "Bearer \(SampleFixture.token)"]) { r in
                #expect(r.status == .ok)
                let purged = try SampleFixture.json(r)["purged_tiles"]?.doubleValue ?? 0
                #expect(purged >= 1)
            }
            #expect(SampleFixture.tiles.cache.stats.tiles == 0)
        }
    }

    @Test func catalogStylesAndWebMap() async throws {
        var config = SampleFixture.config
        config.maplibreFolder = "/srv/maplibre"
        try await SampleFixture.app(config).test(.router) { client in
            try await client.execute(uri: "/catalog", method: .get) { r in
                let v = try SampleFixture.json(r)
                #expect(v["tiles"]?["grids"]?["kind"] == .string("live"))
                #expect(v["tiles"]?.objectValue?.count == 15)
                #expect(v["styles"]?["dispatch"] != nil && v["styles"]?["ops-screen"] != nil)
            }
            for name in ["dispatch", "ops-screen"] {
                try await client.execute(uri: "/styles/\(name).json", method: .get) { r in
                    let text = String(buffer: r.body)
                    #expect(!text.contains("citytwin://"))
                    let v = try SampleFixture.json(r)
                    #expect(v["version"] == .number(8))
                    let url = v["sources"]?["city"]?["url"]?.stringValue ?? ""
                    #expect(url.hasPrefix("http://") && url.hasSuffix(".json"))
                    #expect(url.contains("events") && url.contains("grids"))
                    let ids = v["layers"]?.arrayValue?.compactMap { $0["type"]?.stringValue } ?? []
                    #expect(ids.contains("fill-extrusion") && ids.contains("circle"))
                }
            }
            try await client.execute(uri: "/styles/nosuch.json", method: .get) { r in #expect(r.status == .notFound) }
            try await client.execute(uri: "/styles/..%2Fetc.json", method: .get) { r in #expect(r.status == .notFound) }
            try await client.execute(uri: "/", method: .get) { r in
                let html = String(buffer: r.body)
                #expect(r.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(html.contains("/maplibre/maplibre-gl.js") && html.contains("/v1/locate") && html.contains("ops-screen"))
            }
        }
        // Offline by default (the local folder); a configured URL (a CDN) replaces it.
        try await SampleFixture.app().test(.router) { client in
            try await client.execute(uri: "/", method: .get) { r in
                let html = String(buffer: r.body)
                #expect(html.contains("\"/maplibre/maplibre-gl.js\"") && !html.contains("https://"))
            }
        }
        let (cdn, _) = try ServerConfig.parse(yaml: "web:\n  maplibre_url: https://unpkg.com/maplibre-gl@5.6.0/dist/\n")
        try await SampleFixture.app(cdn).test(.router) { client in
            try await client.execute(uri: "/", method: .get) { r in
                #expect(String(buffer: r.body).contains("https://unpkg.com/maplibre-gl@5.6.0/dist/maplibre-gl.js"))
            }
        }
    }

    /// A style naming a layer that is not loaded keeps loading: the source URL and the style layers drop it.
    @Test func stylesDropLayersThatAreNotLoaded() async throws {
        let dir = TestSupport.scratch()
        TestSupport.write("""
            {"version": 8, "name": "t", "sources": {"city": {"type": "vector", "url": "citytwin://tiles/grids,nosuchlayer.json"}},
             "layers": [{"id": "a", "type": "line", "source": "city", "source-layer": "grids"},
                        {"id": "b", "type": "circle", "source": "city", "source-layer": "nosuchlayer"},
                        {"id": "bg", "type": "background"}]}
            """, to: dir + "/t.json")
        var config = SampleFixture.config
        config.stylesFolder = dir
        try await SampleFixture.app(config).test(.router) { client in
            try await client.execute(uri: "/styles/t.json", method: .get) { r in
                let v = try SampleFixture.json(r)
                let url = v["sources"]?["city"]?["url"]?.stringValue ?? ""
                #expect(url.hasSuffix("/tiles/grids.json"), "\(url)")
                #expect(v["layers"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["a", "bg"])
            }
        }
    }

    /// After an import, the tile changes: the cache keys on the snapshot, so the old tile is never served.
    @Test func importInvalidatesCachedTiles() async throws {
        let store = try SpatiaLiteStore(path: TestSupport.scratch() + "/t.sqlite")
        @Sendable func load(_ lon: Double) throws {
            _ = try store.importLayer(LayerSpec(name: "spots", role: .generic), mode: .replace) { w in
                try w.insert(extID: "a", properties: JSONObject([("v", .number(lon))]), geometry: .point(Coordinate(lon, 30.67)))
            }
        }
        try load(104.10)
        let state = try CityState(store: store)
        let tiles = TileService()
        let app = Application(router: CityTwinServer.router(state: state, config: SampleFixture.config, tiles: tiles))
        try await app.test(.router) { client in
            var first = ""
            try await client.execute(uri: "/tiles/spots/\(Self.centre).mvt", method: .get) { r in first = r.headers[.eTag] ?? "" }
            try await client.execute(uri: "/tiles/spots/\(Self.centre).mvt", method: .get) { r in #expect(r.headers[.eTag] == first) }
            #expect(tiles.cache.stats.hits >= 1)
            try load(104.1001)
            try state.refresh()
            try await client.execute(uri: "/tiles/spots/\(Self.centre).mvt", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.eTag] != first)
                let f = try Self.decode(r).layers[0].decodedFeatures().features[0]
                #expect(f.properties.first { $0.key == "v" }?.value == .double(104.1001))
            }
        }
    }

    /// A new event changes the events layer's tiles and nothing else's: the cache
    /// keys each tile on the layers it was made from, so a grid tile cached
    /// before the event is still served from the cache after it.
    @Test func eventsLeaveOtherLayersCached() async throws {
        let state = SampleFixture.loadSample(into: "tile-stamps")
        let tiles = TileService()
        let hub = try await SampleFixture.makeHub(for: state, name: "tile-stamps")
        let app = Application(router: CityTwinServer.router(state: state, config: SampleFixture.config, tiles: tiles,
                                                             geocoding: SampleFixture.geocoding, events: hub))
        // The middle of the centre tile.
        let n = Double(1 << 14)
        let lon = (12929.5 / n) * 360 - 180
        let lat = atan(sinh(Double.pi * (1 - 2 * 6724.5 / n))) * 180 / .pi
        try await app.test(.router) { client in
            var gridTag = ""
            try await client.execute(uri: "/tiles/grids/\(Self.centre).mvt", method: .get) { r in gridTag = r.headers[.eTag] ?? "" }
            var eventsBefore: [UInt8] = []
            try await client.execute(uri: "/tiles/grids,events/\(Self.centre).mvt", method: .get) { r in eventsBefore = [UInt8](buffer: r.body) }
            let body = #"{"type":"井盖缺失","description":"tile stamp test","lon":\#(lon),"lat":\#(lat)}"#
            try await client.execute(uri: "/v1/events", method: .post, headers: [.authorization: "Bearer \(SampleFixture.token)", .contentType: "application/json"],
                                     body: ByteBuffer(string: body)) { r in #expect(r.status == .created) }
            // The events layer is published shortly after the write.
            var seen = false
            for _ in 0..<50 where !seen {
                try await client.execute(uri: "/tiles/events/\(Self.centre).mvt", method: .get) { r in
                    if r.status == .ok, let t = try? Self.decode(r), let f = try? t.layers[0].decodedFeatures().features {
                        seen = f.contains { $0.properties.contains { $0.key == "description" && $0.value == .string("tile stamp test") } }
                    }
                }
                if !seen { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(seen, "the new event never reached the events tile")
            // The composite with events was remade; the grid tile alone was not.
            try await client.execute(uri: "/tiles/grids,events/\(Self.centre).mvt", method: .get) { r in
                #expect([UInt8](buffer: r.body) != eventsBefore)
            }
            let before = tiles.cache.stats
            try await client.execute(uri: "/tiles/grids/\(Self.centre).mvt", method: .get) { r in #expect(r.headers[.eTag] == gridTag) }
            let after = tiles.cache.stats
            #expect(after.hits == before.hits + 1 && after.misses == before.misses)
        }
    }

    /// Archives in the tiles folder are served as sources by file name.
    @Test func archivesAreServedAsSources() async throws {
        let dir = TestSupport.scratch()
        let tile = TileID(z: 14, x: 12929, y: 6724)
        let body = TileBuilder().build(tile, layers: TileService().inputs(["grids"], SampleFixture.state.snapshot)).bytes
        var w = PMTilesWriter()
        w.add(tile, gzippedMVT: try Gzip.compress(body))
        _ = try w.write(to: dir + "/saved.pmtiles", metadata: JSONObject([("vector_layers", .array([]))]),
                        bounds: tile.bounds, minzoom: 14, maxzoom: 14, center: (104.1, 30.67, 14))
        _ = try MBTilesArchive.write(path: dir + "/old.mbtiles", metadata: [("name", "old"), ("format", "pbf"), ("minzoom", "14"), ("maxzoom", "14")]) { add in
            try add(tile, try Gzip.compress(body))
        }
        let scan = TileArchive.scan(folder: dir)
        #expect(scan.warnings.isEmpty && scan.archives.count == 2)
        let tiles = TileService(archives: scan.archives)
        try await SampleFixture.app(tiles: tiles).test(.router) { client in
            for name in ["saved", "old"] {
                try await client.execute(uri: "/tiles/\(name)/14/12929/6724.mvt", method: .get) { r in
                    #expect(r.status == .ok, "\(name)")
                    #expect([UInt8](buffer: r.body) == body, "\(name)")
                }
                try await client.execute(uri: "/tiles/\(name)/14/12929/6725.mvt", method: .get) { r in #expect(r.status == .noContent) }
                try await client.execute(uri: "/tiles/\(name).json", method: .get) { r in
                    let minzoom = try SampleFixture.json(r)["minzoom"]
                    #expect(minzoom == .number(14))
                }
            }
            try await client.execute(uri: "/tiles/saved,grids/14/12929/6724.mvt", method: .get) { r in #expect(r.status == .badRequest) }
            try await client.execute(uri: "/catalog", method: .get) { r in
                let kind = try SampleFixture.json(r)["tiles"]?["saved"]?["kind"]
                #expect(kind == .string("pmtiles"))
            }
        }
    }
}
