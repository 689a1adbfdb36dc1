import Foundation
import VectorTiles
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Geo
import Testing
import TestSupport

/// Tiles end to end through the binary: a served city checked by
/// independent tools (mapbox-vector-tile, shapely, Chromium with MapLibre,
/// the pmtiles reader, GDAL's ogrinfo).
@Suite(.serialized) struct TilesCLITests {
    let bin = TestSupport.citytwin

    /// The sample city loaded once into a scratch database.
    static let database: String = loadSample(into: "tiles-cli")

    /// The browser test posts events and a reading over threshold into the shared
    /// database's operational store, which a server serves as flood status; an
    /// export holds the stored layers only, so it is compared on untouched data.
    static let exportDatabase: String = loadSample(into: "tiles-cli-export")

    static func loadSample(into name: String) -> String {
        let dir = TestSupport.scratch(name)
        let db = dir + "/city.sqlite"
        let r = try! TestSupport.run(TestSupport.citytwin, ["load", "--db", db, TestSupport.projectRoot + "/GeoData"], cwd: dir)
        precondition(r.status == 0, "loading the sample failed: \(r.stderr)")
        return db
    }

    /// A `citytwin serve` child process on a free port, stopped by `stop()`.
    final class Server {
        let process = Process()
        let port = Int.random(in: 20_000...40_000)
        var base: String { "http://127.0.0.1:\(port)" }

        /// `extraConfig`: more top-level YAML sections (e.g. `stream:`) for the server's config.
        init(db: String, extraConfig: String = "") async throws {
            let dir = TestSupport.scratch("tiles-serve-\(port)")
            let maplibre = try TestSupport.python("import maplibre, os; print(os.path.dirname(maplibre.__file__) + '/srcjs')")
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let root = TestSupport.projectRoot
            TestSupport.write("""
                tiles:
                  folder: \(root)/Tiles
                web:
                  styles_folder: \(root)/Styles
                  maplibre_folder: \(maplibre)
                \(extraConfig)
                """, to: dir + "/config.yaml")
            process.executableURL = URL(fileURLWithPath: TestSupport.citytwin)
            process.arguments = ["serve", "--config", dir + "/config.yaml", "--db", db, "--port", String(port)]
            process.currentDirectoryURL = URL(fileURLWithPath: dir)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            for _ in 0..<300 {
                if let (_, r) = try? await URLSession.shared.data(from: URL(string: base + "/health")!), (r as? HTTPURLResponse)?.statusCode == 200 { return }
                try await Task.sleep(nanoseconds: 100_000_000)
            }
            stop()
            throw TestSupport.CheckerMissing(message: "citytwin serve did not answer on port \(port)")
        }

        func stop() { if process.isRunning { process.terminate(); process.waitUntilExit() } }
    }

    static func pythonScript(_ name: String, _ args: [String]) throws -> JSONValue {
        let r = try TestSupport.run(TestSupport.python, [TestSupport.projectRoot + "/Tests/Checkers/\(name)"] + args)
        guard r.status == 0 else { throw TestSupport.CheckerMissing(message: "\(name) failed: \(r.stderr.suffix(2000))") }
        return try JSONParser.parse(r.stdout.split(separator: "\n").last.map(String.init) ?? "")
    }

    @Test func servedTilesPassAnIndependentDecoderAndShapely() async throws {
        let server = try await Server(db: Self.database)
        defer { server.stop() }
        let report = try Self.pythonScript("tiles_check.py", [server.base, TestSupport.projectRoot + "/GeoData"])
        #expect((report["tiles"]?.doubleValue ?? 0) >= 30)
        #expect((report["polygons"]?.doubleValue ?? 0) > 1000)
        #expect(report["invalid"] == .array([]), "\(report["invalid"] ?? .null)")
        for z in ["14", "15"] {
            let a = report["area"]?[z]
            #expect((a?["parts"]?.doubleValue ?? 0) > 4, "z\(z): the district should span many tiles")
            #expect(a?["within_tolerance"] == .bool(true), "z\(z): \(a ?? .null)")
            #expect((a?["relative_error"]?.doubleValue ?? 1) < 0.002, "z\(z): \(a ?? .null)")
        }
    }

    @Test func webMapRendersInARealBrowser() async throws {
        let server = try await Server(db: Self.database)
        defer { server.stop() }
        let shot = TestSupport.scratch() + "/map.png"
        let report = try Self.pythonScript("webmap_check.py", [server.base, shot, TestSupport.projectRoot + "/GeoData"])
        #expect(report["idle"] == .bool(true))
        #expect(report["console_errors"] == .array([]), "\(report["console_errors"] ?? .null)")
        #expect(report["page_errors"] == .array([]), "\(report["page_errors"] ?? .null)")
        #expect(report["failed_requests"] == .array([]), "\(report["failed_requests"] ?? .null)")
        #expect(report["js_errors"] == .array([]) && report["tile_errors"] == .number(0), "\(report["js_errors"] ?? .null)")
        let statuses = report["tile_status"]?.objectValue
        #expect((statuses?["200"]?.doubleValue ?? 0) >= 4, "\(report["tile_status"] ?? .null)")
        let seen = Set(statuses?.keys ?? [])
        #expect(seen.isSubset(of: ["200", "204", "304"]), "\(report["tile_status"] ?? .null)")
        #expect((report["rendered_features"]?.doubleValue ?? 0) > 100)
        #expect((report["toggles"]?.doubleValue ?? 0) >= 15)
        #expect((report["colours"]?.doubleValue ?? 0) > 30, "screenshot looks blank")
        #expect(report["second_style"] == .string("ops-screen"))
        #expect(report["locate"]?["grid"]?["code"]?.stringValue?.isEmpty == false, "\(report["locate"] ?? .null)")
        #expect(report["popup"]?.stringValue?.contains("网格") == true)
        #expect((report["buildings_rendered"]?.doubleValue ?? 0) > 0)
        // Offline: nothing was asked of another machine.
        #expect(report["blocked"] == .array([]), "\(report["blocked"] ?? .null)")
        // Labels: road names from the data among the rendered symbols at z15, in both styles.
        #expect((report["road_labels_from_data"]?.doubleValue ?? 0) >= 5, "\(report["road_labels"] ?? .null)")
        #expect(report["road_labels_from_data"] == report["road_labels"])
        #expect((report["second_style_road_labels"]?.doubleValue ?? 0) > 0)
        #expect((report["flood_labels_at_point"]?.doubleValue ?? 0) > 0)
        for layer in ["road-labels", "pois", "community-labels"] {
            #expect((report["labels_by_layer"]?[layer]?.doubleValue ?? 0) > 0, "\(layer): \(report["labels_by_layer"] ?? .null)")
        }
        // CJK text is drawn from the server's glyphs (ranges at U+4E00 and up were fetched), none failed.
        let ranges = report["glyph_ranges"]?.arrayValue?.compactMap(\.doubleValue) ?? []
        #expect(ranges.contains { $0 >= 0x4E00 && $0 < 0xA000 }, "\(ranges)")
        #expect(report["glyph_status"]?.objectValue?.members.allSatisfy { ["200", "304"].contains($0.key) } == true, "\(report["glyph_status"] ?? .null)")
        #expect(report["local_ideographs"] == .string("false"), "\(report["local_ideographs"] ?? .null)")
        // Icons: the sprite (index and sheet) loaded without a failed request, every icon a style names exists,
        // and the icon layers place features (POIs and handlers at z15, the flood point's status icon; the live event as an icon).
        let sprites = report["sprite_status"]?.objectValue
        #expect(sprites?.members.allSatisfy { ["200", "304"].contains($0.key) } == true, "\(report["sprite_status"] ?? .null)")
        #expect((sprites?["200"]?.doubleValue ?? 0) >= 2, "\(report["sprite_status"] ?? .null)")
        #expect((report["sprite_images"]?.doubleValue ?? 0) >= 40, "\(report["sprite_images"] ?? .null)")
        #expect(report["missing_images"] == .array([]), "\(report["missing_images"] ?? .null)")
        #expect((report["flood_icons_at_point"]?.doubleValue ?? 0) > 0)
        for layer in ["pois", "handlers"] {
            #expect((report["icons_by_layer"]?[layer]?.doubleValue ?? 0) > 0, "\(layer): \(report["icons_by_layer"] ?? .null)")
        }
        #expect(report["live_event_icon"] == .bool(true))
        #expect((report["second_style_icons"]?.doubleValue ?? 0) > 0)
        #expect((report["legend_icons"]?.doubleValue ?? 0) >= 40, "\(report["legend_icons"] ?? .null)")
        // Live: the posted event reached the list and the map, the flood point turned red, without reload, within 2 s
        // (from before the POST: the event's intake and store write included).
        let timings = ["event_in_list_s", "event_on_map_s", "flood_recoloured_s"].map { report[$0]?.doubleValue ?? .infinity }
        #expect(timings.allSatisfy { $0 <= 2 }, "\(timings)")
        #expect(report["flood_panel"]?.stringValue?.contains("flooded") == true)
        // The console: the event's detail shows grid, due time, location, duplicates, proposed handlers (one button
        // each), flood and pipe context (the nearest pipe first) and history; its state's moves are offered.
        let detail = report["console_detail"]
        for key in ["grid", "due", "location", "duplicate_of", "handlers", "flood", "pipes", "history"] {
            #expect(detail?["has"]?[key] == .bool(true), "\(key): \(detail ?? .null)")
        }
        #expect(detail?["shows_grid_code"] == .bool(true), "\(detail ?? .null)")
        // The map rings the selected event, and only it.
        #expect(detail?["ringed"]?.arrayValue?.isEmpty == false
                && detail?["ringed"]?.arrayValue?.allSatisfy { $0.doubleValue == report["console_actions"]?["event_id"]?.doubleValue } == true,
                "\(detail ?? .null)")
        #expect((detail?["handler_buttons"]?.doubleValue ?? 0) >= 1 && detail?["handler_buttons"] == detail?["proposed_handlers"], "\(detail ?? .null)")
        #expect(detail?["status_buttons"] == .array([.string("dispatched"), .string("closed")]), "\(detail ?? .null)")
        #expect(detail?["pipes_listed"]?.arrayValue?.first == detail?["nearest_pipe"] && detail?["nearest_pipe"] != .null, "\(detail ?? .null)")
        // Dispatching asked for the token once (a prompt), stored the move and the assignee; the note went in too.
        let actions = report["console_actions"]
        #expect(actions?["dialogs"]?.arrayValue?.count == 1 && actions?["dialogs"]?.arrayValue?.first?.stringValue?.hasPrefix("prompt") == true,
                "\(actions ?? .null)")
        #expect(actions?["status"] == .string("dispatched") && actions?["assignee"] == actions?["handler"], "\(actions ?? .null)")
        #expect(actions?["history_kinds"]?.arrayValue?.contains(.string("note")) == true && actions?["note_stored"] == .bool(true), "\(actions ?? .null)")
        #expect(report["flood_tile_icon_hidden"] == .bool(true))
    }

    @Test func exportedArchivesOpenInGDALAndPMTilesAndMatchTheServer() async throws {
        let dir = TestSupport.scratch()
        let layers = "grids,roads,buildings,flood_points"
        for ext in ["mbtiles", "pmtiles"] {
            let r = try TestSupport.run(bin, ["tiles", "export", "--layers", layers, "--minzoom", "12", "--maxzoom", "15",
                                              "--out", "\(dir)/city.\(ext)", "--db", Self.exportDatabase, "--tiles", TestSupport.projectRoot + "/Tiles"])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("exported"))
        }
        let ogr = try TestSupport.run("/usr/bin/ogrinfo", ["-ro", "-so", "-q", dir + "/city.mbtiles"])
        #expect(ogr.status == 0, "\(ogr.stderr)")
        for l in layers.split(separator: ",") { #expect(ogr.stdout.contains(String(l)), "ogrinfo: \(ogr.stdout)") }
        // GDAL's MVT driver reads the features back with their properties and stable ids.
        let feat = try TestSupport.run("/usr/bin/ogrinfo", ["-ro", "-q", "-oo", "ZOOM_LEVEL=14", dir + "/city.mbtiles", "grids"])
        #expect(feat.status == 0 && feat.stdout.contains("code (String) = 5101") && feat.stdout.contains("mvt_id (Integer64)")
                && feat.stdout.contains("POLYGON"), "\(feat.stdout.prefix(400)) \(feat.stderr)")

        let server = try await Server(db: Self.exportDatabase)
        defer { server.stop() }
        let report = try Self.pythonScript("export_check.py", [server.base, layers, dir + "/city.mbtiles", dir + "/city.pmtiles"])
        let pm = report["pmtiles"], mb = report["mbtiles"]
        #expect((pm?["tiles"]?.doubleValue ?? 0) > 50)
        #expect(pm?["tiles"] == pm?["same_as_server"], "\(pm ?? .null)")
        #expect(pm?["get_centre"] == .bool(true))
        #expect(pm?["vector_layers"] == .array(layers.split(separator: ",").map { .string(String($0)) }))
        #expect(mb?["tiles"] == pm?["tiles"])
        #expect(mb?["tiles"] == mb?["same_as_server"], "\(mb ?? .null)")
        #expect(mb?["metadata"]?["format"] == .string("pbf") && mb?["metadata"]?["minzoom"] == .string("12"))
        #expect(mb?["vector_layers"] == pm?["vector_layers"])
        // Bad input: one clear line.
        let bad = try TestSupport.run(bin, ["tiles", "export", "--layers", "nosuch", "--out", dir + "/x.mbtiles", "--db", Self.exportDatabase])
        #expect(bad.status == 1 && bad.stderr.hasPrefix("citytwin: error:") && bad.stderr.contains("nosuch"))
        let badExt = try TestSupport.run(bin, ["tiles", "export", "--out", dir + "/x.zip", "--db", Self.exportDatabase])
        #expect(badExt.status == 1 && badExt.stderr.contains(".mbtiles or .pmtiles"))
    }

    @Test func inspectDecodesATile() throws {
        let r = try TestSupport.run(bin, ["tiles", "inspect", "14/12929/6724", "--layers", "grids,bikes", "--db", Self.database,
                                          "--tiles", TestSupport.projectRoot + "/Tiles", "--features"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("layer grids v2 extent 4096") && r.stdout.contains("layer bikes"))
        #expect(!r.stdout.contains("issue"))
        let bad = try TestSupport.run(bin, ["tiles", "inspect", "14/99999/0", "--db", Self.database])
        #expect(bad.status == 1 && bad.stderr.contains("Z/X/Y"))
    }

    @Test func geocodeAndReverseCommands() throws {
        let r = try TestSupport.run(bin, ["geocode", "四川省成都市锦华区致强南路一百零三号附近", "--db", Self.database, "--limit", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        let v = try JSONParser.parse(r.stdout)
        let top = v["results"]?.arrayValue?.first
        #expect(top?["level"] == .string("门址") && top?["components"]?["number"] == .string("103号"))
        #expect(top?["components"]?["qualifier"] == .string("附近"))
        #expect(TestSupport.metres((top?["lon"]?.doubleValue ?? 0, top?["lat"]?.doubleValue ?? 0), (104.131494, 30.64135)) < 0.5)
        let none = try TestSupport.run(bin, ["geocode", "qqqq zzzz", "--db", Self.database])
        #expect(none.status == 3 && none.stdout.contains("\"results\":[]"))
        for args in [["geocode", "", "--db", Self.database], ["geocode", "x", "--db", Self.database, "--focus", "1"],
                     ["geocode", "x", "--db", "/nonexistent.sqlite"], ["reverse", "500", "30", "--db", Self.database]] {
            let bad = try TestSupport.run(bin, args)
            #expect(bad.status == 1 && bad.stderr.hasPrefix("citytwin: error:") && bad.stderr.split(separator: "\n").count == 1, "\(args): \(bad.stderr)")
        }
        let rev = try TestSupport.run(bin, ["reverse", "104.131494", "30.64135", "--db", Self.database])
        #expect(rev.status == 0, "\(rev.stderr)")
        let rv = try JSONParser.parse(rev.stdout)
        #expect(rv["address"]?["full"] == .string("致强南路103号") && rv["grid"]?["code"] != nil)
        #expect(rv["description"]?.stringValue?.isEmpty == false)
    }

    /// A second request for a tile is answered from the cache on the event loop
    /// (CachedTileHandler): the same bytes and headers as the router's answer.
    @Test func cachedTilesFromTheFastPathMatchTheRouter() async throws {
        let server = try await Server(db: Self.database)
        defer { server.stop() }
        let dir = TestSupport.scratch()
        func get(_ path: String, _ headers: [String] = [], _ name: String) throws -> (headers: [String: String], status: Int, body: [UInt8]) {
            let args = ["-s", "-D", "\(dir)/\(name).h", "-o", "\(dir)/\(name).b"] + headers.flatMap { ["-H", $0] } + [server.base + path]
            let r = try TestSupport.run("/usr/bin/curl", args)
            #expect(r.status == 0)
            let lines = (try? String(contentsOfFile: "\(dir)/\(name).h", encoding: .utf8))?.split(separator: "\r\n") ?? []
            var h: [String: String] = [:]
            for l in lines.dropFirst() { if let c = l.firstIndex(of: ":") { h[l[..<c].lowercased()] = l[l.index(after: c)...].trimmingCharacters(in: .whitespaces) } }
            let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
            return (h, status, [UInt8](FileManager.default.contents(atPath: "\(dir)/\(name).b") ?? Data()))
        }
        let path = "/tiles/grids,roads,buildings/14/12929/6724.mvt"
        let first = try get(path, [], "a"), second = try get(path, [], "b")
        #expect(first.status == 200 && second.status == 200)
        #expect(!first.body.isEmpty && first.body == second.body)
        for key in ["content-type", "etag", "cache-control", "access-control-allow-origin", "vary"] {
            #expect(first.headers[key] == second.headers[key], "\(key): \(first.headers[key] ?? "-") vs \(second.headers[key] ?? "-")")
        }
        let gz = try get(path, ["Accept-Encoding: gzip"], "c")
        let unzipped = try Gzip.decompress(gz.body)
        #expect(gz.headers["content-encoding"] == "gzip" && unzipped == first.body)
        let etag = first.headers["etag"] ?? ""
        let notModified = try get(path, ["If-None-Match: \(etag)"], "d")
        #expect(notModified.status == 304 && notModified.body.isEmpty)
        for n in ["e", "f"] {
            let empty = try get("/tiles/grids/14/0/0.mvt", [], n)
            #expect(empty.status == 204 && empty.body.isEmpty)
        }
        let metrics = try get("/metrics", [], "m")
        let text = String(decoding: metrics.body, as: UTF8.self)
        let line = text.split(separator: "\n").first { $0.hasPrefix("citytwin_tiles_served_from_cache_fast_path") }
        #expect((line?.split(separator: " ").last.flatMap { Double($0) } ?? 0) >= 4, "\(line ?? "no counter")")
    }
}
