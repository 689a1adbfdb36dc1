import ArgumentParser
import CLISupport
import CityOps
import Foundation
import Geo
import SampleCity
import Storage
import VectorTiles

/// `citytwin-bench tiles`: uncached tile generation from the in-memory
/// snapshot against PostGIS ST_AsMVT/ST_AsMVTGeom on the same layers and
/// the same seeded list of tiles, both single-threaded (one PostGIS
/// backend, one builder), PostGIS timed inside the server by a PL/pgSQL
/// loop so no client round trips count against it.
struct TileBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tiles", abstract: "Tile generation vs PostGIS ST_AsMVT.")

    @Option(help: "SpatiaLite database") var db = "citytwin.sqlite"
    @Option(help: "Layers in each tile") var layers = "grids,roads,buildings,pipes,pipe_nodes,bike_stations,flood_points,handlers"
    @Option(help: "Zooms to sample") var zooms = "13,14,15,16"
    @Option(help: "Tiles per zoom") var perZoom = 100
    @Option(help: "Seed of the tile sample") var seed: UInt64 = 7
    @Option(help: "Write the tile list here (z/x/y per line)") var tileList: String?
    @Option(help: "PostgreSQL database with the layers loaded (see Benchmarks/tiles-vs-postgis.sh)") var psqlDB: String?
    @Option(help: "PostgreSQL port") var psqlPort = 5432
    @Option(help: "PostgreSQL user") var user = "postgres"
    @Option(help: "Runs (best is reported)") var runs = 3
    @Option(help: "Write the SQL that turns ogr2ogr-loaded tables pg_<layer> into typed columns, then exit") var postgisSetup: String?
    @Option(help: "Also list the N slowest tiles with their features per layer") var slowest = 0
    @Option(help: "Also cut clustered tiles of this many seeded bike points over the city (e.g. 1000000)") var clusterPoints = 0
    @Flag(help: "Print JSON") var json = false
    @Option(help: "Folder whose layers.yaml configures the tiles") var tilesFolder = "Tiles"
    @Flag(help: "Report every tile of each zoom (size, gzipped size, time) instead of the PostGIS comparison") var zoomReport = false
    @Option(help: "With --zoom-report: copy each layer on an N×N grid of the city's extent (a city of N² districts)") var replicate = 1
    @Flag(help: "With --zoom-report: cut without base-zoom thinning") var noThinning = false

    func run() throws {
        let service = try loadTileService(folder: tilesFolder, floodWarningRatio: 0.7, scanArchives: false)
        if clusterPoints > 0 { try clusterReport(service) ; return }
        let snapshot: CitySnapshot
        do { snapshot = try CitySnapshot.load(from: try SpatiaLiteStore(path: db)) } catch { throw fail("\(error)") }
        let names: [String]
        do { names = try service.resolve(layers, in: snapshot) } catch { throw fail(error.message) }
        let inputs = service.inputs(names, snapshot)
        if zoomReport {
            var box = BoundingBox.empty
            for n in names { if let l = snapshot.layers[n] { box.extend(l.info.bbox) } }
            var cut = replicate > 1 ? Self.replicated(names, snapshot: snapshot, service: service, n: replicate, box: box) : inputs
            if noThinning { cut = Self.unthinned(cut) }
            let dx = box.maxX - box.minX, dy = box.maxY - box.minY
            box.extend(BoundingBox(minX: box.minX, minY: box.minY, maxX: box.maxX + Double(replicate - 1) * dx,
                                   maxY: box.maxY + Double(replicate - 1) * dy))
            if !json {
                let counts = cut.map { i in "\(i.name)=\((i.source as? LayerSnapshot)?.count ?? 0)" }.joined(separator: " ")
                print("layers \(counts)\(noThinning ? " (no thinning)" : "")")
            }
            Self.zoomReport(zooms.split(separator: ",").compactMap { Int($0) }, box: box, inputs: cut, settings: service.settings, json: json)
            return
        }
        if let postgisSetup {
            try setupSQL(names: names, inputs: inputs, snapshot: snapshot).write(toFile: postgisSetup, atomically: true, encoding: .utf8)
            return
        }
        var box = BoundingBox.empty
        for n in names { if let l = snapshot.layers[n] { box.extend(l.info.bbox) } }
        var rng = SeededRandom(seed: seed)
        var list: [TileID] = []
        for z in zooms.split(separator: ",").compactMap({ Int($0) }) {
            let r = WebMercator.tileRange(box, z: z)
            var all: [TileID] = []
            for x in r.minX...r.maxX { for y in r.minY...r.maxY { all.append(TileID(z: z, x: x, y: y)) } }
            for i in stride(from: all.count - 1, to: 0, by: -1) { all.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            list.append(contentsOf: all.prefix(perZoom))
        }
        if let tileList { try list.map(\.description).joined(separator: "\n").appending("\n").write(toFile: tileList, atomically: true, encoding: .utf8) }

        // Runs alternate between us and PostGIS so both see the same machine
        // state (CPU frequency and neighbours vary a lot on shared hosts); best of each.
        var best = Double.infinity, bytes = 0, features = 0
        var latencies: [Double] = []
        var peer: (secs: Double, bytes: Int)?
        for _ in 0..<runs {
            let builder = TileBuilder(settings: service.settings)
            var lat: [Double] = [], total = 0, count = 0
            let start = DispatchTime.now().uptimeNanoseconds
            for t in list {
                let t0 = DispatchTime.now().uptimeNanoseconds
                let tile = builder.build(t, layers: inputs)
                lat.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
                total += tile.bytes.count; count += tile.featureCounts.values.reduce(0, +)
            }
            let secs = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if secs < best { best = secs; latencies = lat.sorted(); bytes = total; features = count }
            if let psqlDB {
                let p = try postgis(list, inputs: inputs, snapshot: snapshot, db: psqlDB)
                if peer == nil || p.0 < peer!.secs { peer = (p.0, p.1) }
            }
        }
        if slowest > 0 {
            let builder = TileBuilder(settings: service.settings)
            var timed: [(Double, TileID, [String: Int])] = []
            for t in list {
                let t0 = DispatchTime.now().uptimeNanoseconds
                let tile = builder.build(t, layers: inputs)
                timed.append((Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6, t, tile.featureCounts))
            }
            for (ms, t, counts) in timed.sorted(by: { $0.0 > $1.0 }).prefix(slowest) {
                print(String(format: "%8.2f ms  %@  ", ms, t.description) + counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
            }
        }
        func pct(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        if json {
            var o = JSONObject([("tiles", .number(Double(list.count))), ("citytwin_s", .number(best)), ("citytwin_bytes", .number(Double(bytes))),
                                ("features", .number(Double(features))), ("p50_ms", .number(pct(0.5))), ("p99_ms", .number(pct(0.99)))])
            if let peer { o["postgis_s"] = .number(peer.secs); o["postgis_bytes"] = .number(Double(peer.bytes)); o["speedup"] = .number(peer.secs / best) }
            print(JSONWriter.string(.object(o)))
            return
        }
        print("tiles: \(list.count) (zooms \(zooms), \(perZoom) per zoom, seed \(seed)), layers \(names.joined(separator: ","))")
        print(String(format: "citytwin  %7.3f s  %7.0f tiles/s  p50 %.2f ms  p99 %.2f ms  %d features  %.1f MiB",
                     best, Double(list.count) / best, pct(0.5), pct(0.99), features, Double(bytes) / 1_048_576))
        if let peer {
            print(String(format: "postgis   %7.3f s  %7.0f tiles/s  %.1f MiB", peer.secs, Double(list.count) / peer.secs, Double(peer.bytes) / 1_048_576))
            print(String(format: "speedup   %.1fx faster than PostGIS ST_AsMVT", peer.secs / best))
        }
    }

    /// Many bikes in memory (seeded, uniform over the sample district), cut at
    /// the cluster zooms and above: tile size and time per tile.
    func clusterReport(_ service: TileService) throws {
        var rng = SeededRandom(seed: seed)
        var geometries: [Geometry] = [], props: [JSONObject] = []
        geometries.reserveCapacity(clusterPoints); props.reserveCapacity(clusterPoints)
        for i in 0..<clusterPoints {
            geometries.append(.point(Coordinate(104.042 + rng.uniform(0, 1) * 0.116, 30.625 + rng.uniform(0, 1) * 0.09)))
            props.append(JSONObject([("bike_id", .string("B\(i)")), ("operator", .string(["美团", "哈啰", "青桔"][i % 3]))]))
        }
        let t0 = DispatchTime.now().uptimeNanoseconds
        let layer = LayerSnapshot.make(name: "bikes", role: .bike, geometries: geometries, properties: props)
        print(String(format: "%d bikes indexed in %.2f s", clusterPoints, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9))
        let config = service.config(for: layer)
        let input = TileLayerInput(name: "bikes", source: layer, config: config)
        let builder = TileBuilder(settings: service.settings)
        for z in [10, 12, 14, 15, 16] {
            let t = WebMercator.tileRange(BoundingBox(minX: 104.1, minY: 30.67, maxX: 104.1, maxY: 30.67), z: z)
            let s0 = DispatchTime.now().uptimeNanoseconds
            let tile = builder.build(TileID(z: z, x: t.minX, y: t.minY), layers: [input])
            let ms = Double(DispatchTime.now().uptimeNanoseconds - s0) / 1e6
            let gz = (try? Gzip.compress(tile.bytes).count) ?? 0
            print(String(format: "z%-2d tile at the centre: %6d features, %7.1f KiB (%6.1f KiB gzipped), %7.1f ms%@", z,
                         tile.featureCounts["bikes"] ?? 0, Double(tile.bytes.count) / 1024, Double(gz) / 1024, ms,
                         z < (config.clusterBelowZoom ?? 0) ? "  (clustered)" : ""))
        }
    }

    /// The configured properties that the stored features actually have (live ones such as a flood point's status are not stored).
    func presentProperties(_ input: TileLayerInput, _ snapshot: CitySnapshot) -> [String] {
        guard let l = snapshot.layers[input.name] else { return [] }
        return (input.config.properties ?? []).filter { p in (0..<min(l.count, 500)).contains { l.properties.object($0)[p] != nil } }
    }

    /// Typed columns from the JSON `props` text for every property the tiles
    /// carry (numbers as double precision, others as text), a GiST index, ANALYZE.
    func setupSQL(names: [String], inputs: [TileLayerInput], snapshot: CitySnapshot) throws -> String {
        var sql = ""
        for input in inputs {
            let l = snapshot.layers[input.name]!
            let table = "\"pg_\(input.name)\""
            for p in presentProperties(input, snapshot) {
                var type: String?
                for i in 0..<min(l.count, 500) {
                    if let v = l.properties.object(i)[p] { type = v.doubleValue != nil ? "double precision" : "text"; break }
                }
                guard let type else { continue }
                let cast = type == "text" ? "(props::jsonb->>'\(p)')" : "(props::jsonb->>'\(p)')::double precision"
                sql += "ALTER TABLE \(table) ADD COLUMN \"\(p)\" \(type);\nUPDATE \(table) SET \"\(p)\" = \(cast);\n"
            }
            sql += "CREATE INDEX ON \(table) USING gist (geom);\nVACUUM ANALYZE \(table);\n"
        }
        return sql
    }

    /// Times the same tiles in PostGIS: one PL/pgSQL loop building each
    /// tile as ST_AsMVT per layer concatenated, best of `runs`.
    func postgis(_ list: [TileID], inputs: [TileLayerInput], snapshot: CitySnapshot, db: String) throws -> (Double, Int) {
        var parts: [String] = []
        for input in inputs {
            let props = presentProperties(input, snapshot).map { "\"\($0)\"" }
            let cols = (["id"] + props).joined(separator: ", ")
            parts.append("""
                (SELECT coalesce(ST_AsMVT(q, '\(input.name)', 4096, 'geom', 'id'), '') FROM (
                  SELECT \(cols), ST_AsMVTGeom(geom, env, 4096, \(input.config.buffer ?? 64), true) AS geom
                  FROM "pg_\(input.name)" WHERE geom && envb AND z BETWEEN \(input.config.minzoom) AND \(input.config.maxzoom)) q)
                """)
        }
        let tiles = list.map { "(\($0.z),\($0.x),\($0.y))" }.joined(separator: ",")
        let sql = """
            DO $$
            DECLARE t record; env geometry; envb geometry; z int; tile bytea; total bigint := 0; t0 timestamptz; best float8 := 1e9;
            BEGIN
              FOR run IN 1..1 LOOP
                total := 0; t0 := clock_timestamp();
                FOR t IN SELECT * FROM (VALUES \(tiles)) AS v(tz, tx, ty) LOOP
                  z := t.tz; env := ST_TileEnvelope(t.tz, t.tx, t.ty); envb := ST_TileEnvelope(t.tz, t.tx, t.ty, margin => 64.0/4096);
                  tile := \(parts.joined(separator: " || "));
                  total := total + length(tile);
                END LOOP;
                best := least(best, extract(epoch from clock_timestamp() - t0));
              END LOOP;
              RAISE NOTICE 'RESULT % %', best, total;
            END $$;
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        p.arguments = ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(psqlPort), "-U", user, "-d", db, "-c", sql]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0, let line = text.split(separator: "\n").first(where: { $0.contains("RESULT") }) else {
            throw fail("psql failed: \(text.prefix(400))")
        }
        let f = line.split(separator: " ")
        guard f.count >= 3, let secs = Double(f[f.count - 2]), let b = Int(f[f.count - 1]) else { throw fail("cannot read psql result: \(line)") }
        return (secs, b)
    }
}
