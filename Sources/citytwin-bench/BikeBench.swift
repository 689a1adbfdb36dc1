import ArgumentParser
import CityOps
import CLISupport
import Foundation
import Geo
import SampleCity
import Storage
import VectorTiles

/// `citytwin-bench bikes`: live bike positions in process, on the city in `--db`
/// (its 6,120 stations): `--bikes` bikes placed around the stations, then rounds
/// of position updates in batches of `--batch`, each bike moved a few metres with
/// a newer time. Measured: updates/s into the live index alone, with the NDJSON
/// reading, and with the SQLite store (history + latest); the balance's latency
/// right after each batch; the process RSS; and that a moved bike is in
/// `within` and in its tile as soon as its batch returns. The HTTP figures and
/// the SQLite peer are Benchmarks/bikes-http.sh's.
struct BikeBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bikes", abstract: "Live bike updates/s, balance latency and memory.")

    @Option(help: "Main database with the bike_station layer (the sample city)") var db = "bench-data/bikes.sqlite"
    @Option(help: "Live bikes") var bikes = 1_200_000
    @Option(help: "Reports per batch") var batch = 10_000
    @Option(help: "Update rounds over every bike (index only)") var rounds = 3
    @Option(help: "Batches measured with NDJSON reading and with the SQLite store") var storedBatches = 30
    @Option(help: "Seed") var seed: UInt64 = 13
    @Flag(help: "Print JSON") var json = false

    func run() async throws {
        guard FileManager.default.fileExists(atPath: db) else { throw fail("no database \(db) (citytwin load --db \(db) GeoData)") }
        let state: CityState
        do { state = try CityState(store: try SpatiaLiteStore(path: db)) } catch { throw fail("\(error)") }
        guard let stations = state.snapshot.layer(role: .bikeStation) else { throw fail("\(db) has no bike_station layer") }
        let centres = state.snapshot.centers(of: stations)
        var settings = LiveBikeSettings()
        settings.maxBatch = max(batch, 100_000)
        settings.expirySeconds = 365 * 86400
        settings.futureToleranceSeconds = 365 * 86400
        let rssStart = rssMiB()

        // Bikes spread around the stations (within ~150 m), four operators.
        var rng = SeededRandom(seed: seed)
        let operators = ["哈啰", "美团", "青桔", "OP4"]
        var xs = [Double](repeating: 0, count: bikes), ys = [Double](repeating: 0, count: bikes)
        for i in 0..<bikes {
            let c = centres[i % centres.count]
            xs[i] = c.x + rng.uniform(-0.0015, 0.0015)
            ys[i] = c.y + rng.uniform(-0.0013, 0.0013)
        }
        let ids = (0..<bikes).map { "B" + String($0) }
        let t0 = Int64(Date().timeIntervalSince1970 * 1000) - 3_600_000
        var tick: Int64 = 0
        func nextBatch(_ start: Int, move: Bool) -> BikeReportBatch {
            tick += 1
            var out = BikeReportBatch(positions: [], rejected: [])
            out.positions.reserveCapacity(batch)
            for k in 0..<min(batch, bikes - start) {
                let i = start + k
                if move {
                    xs[i] += rng.uniform(-0.0002, 0.0002)
                    ys[i] += rng.uniform(-0.0002, 0.0002)
                }
                out.positions.append((k, BikePosition(bikeID: ids[i], operatorName: operators[i & 3], lon: xs[i], lat: ys[i],
                                                      observedAt: t0 + tick, status: i % 10 == 0 ? .riding : .parked)))
            }
            return out
        }

        // 1. Live index only.
        let service = try await LiveBikeService(state: state, store: nil, settings: settings)
        var started = Date()
        for start in stride(from: 0, to: bikes, by: batch) { _ = try await service.ingest(nextBatch(start, move: false)) }
        let insertRate = Double(bikes) / Date().timeIntervalSince(started)
        let rssLoaded = rssMiB()
        var balanceMs: [Double] = []
        var applied = 0
        started = Date()
        var ingestSeconds = 0.0
        for _ in 0..<rounds {
            for start in stride(from: 0, to: bikes, by: batch) {
                let b = nextBatch(start, move: true)
                let s = Date()
                applied += try await service.ingest(b).applied
                ingestSeconds += Date().timeIntervalSince(s)
                let q = Date()
                _ = try service.balance()
                balanceMs.append(Date().timeIntervalSince(q) * 1000)
            }
        }
        let updateRate = Double(applied) / ingestSeconds
        let rssUpdated = rssMiB()

        // A moved bike: in within and in its z16 tile as soon as its batch returned.
        let probe = bikes / 2
        xs[probe] += 0.003
        tick += 1
        let moved = BikePosition(bikeID: ids[probe], operatorName: operators[probe & 3], lon: xs[probe], lat: ys[probe], observedAt: t0 + tick, status: .parked)
        let visibleStart = Date()
        _ = try await service.ingest(BikeReportBatch(positions: [(0, moved)], rejected: []))
        let inWithin = service.within(lon: xs[probe], lat: ys[probe], radius: 1, limit: 10).bikes.contains { $0.bikeID == ids[probe] }
        let tiles = TileService()
        tiles.attach(service, role: .bike)
        let range = WebMercator.tileRange(BoundingBox(minX: xs[probe], minY: ys[probe], maxX: xs[probe], maxY: ys[probe]), z: 16)
        var inTile = false
        if let bikeLayer = state.snapshot.layer(role: .bike),
           let tile = try tiles.tile(try tiles.source(bikeLayer.info.name, in: state.snapshot), TileID(z: 16, x: range.minX, y: range.minY), snapshot: state.snapshot) {
            inTile = try MVTTile(decoding: tile.body).layers.contains { $0.values.contains(.string(ids[probe])) }
        }
        let visibleMs = Date().timeIntervalSince(visibleStart) * 1000

        // 2. NDJSON reading + index.
        var ndjsonSeconds = 0.0, ndjsonCount = 0
        for n in 0..<min(storedBatches, bikes / batch) {
            let b = nextBatch(n * batch, move: true)
            var text = ""
            text.reserveCapacity(batch * 130)
            for (_, p) in b.positions {
                text += "{\"bike_id\":\"\(p.bikeID)\",\"operator\":\"\(p.operatorName)\",\"lon\":\(p.lon),\"lat\":\(p.lat),"
                text += "\"observed_at\":\(Double(p.observedAt) / 1000),\"status\":\"\(p.status.rawValue)\"}\n"
            }
            let bytes = Array(text.utf8)
            let s = Date()
            ndjsonCount += try await service.ingest(bytes: bytes).applied
            ndjsonSeconds += Date().timeIntervalSince(s)
        }

        // 3. With the SQLite store (a fresh operational file): all bikes, then updates.
        let dir = NSTemporaryDirectory() + "citytwin-bikebench-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try SQLiteOperationalStore(path: dir + "/ops.sqlite")
        let stored = try await LiveBikeService(state: state, store: store, settings: settings)
        var storedSeconds = 0.0, storedCount = 0
        for start in stride(from: 0, to: bikes, by: batch) { _ = try await stored.ingest(nextBatch(start, move: false)) }
        for n in 0..<min(storedBatches, bikes / batch) {
            let b = nextBatch(n * batch, move: true)
            let s = Date()
            storedCount += try await stored.ingest(b).applied
            storedSeconds += Date().timeIntervalSince(s)
        }

        balanceMs.sort()
        func pct(_ p: Double) -> Double { balanceMs.isEmpty ? 0 : balanceMs[min(balanceMs.count - 1, Int(Double(balanceMs.count) * p))] }
        let rows: [(String, String)] = [
            ("live bikes", "\(service.count)"),
            ("stations", "\(centres.count)"),
            ("inserts/s (index)", String(format: "%.0f", insertRate)),
            ("updates/s (index)", String(format: "%.0f", updateRate)),
            ("updates/s (NDJSON read + index)", String(format: "%.0f", Double(ndjsonCount) / max(ndjsonSeconds, 1e-9))),
            ("updates/s (SQLite store + index)", String(format: "%.0f", Double(storedCount) / max(storedSeconds, 1e-9))),
            ("balance after a batch p50/p99/max ms", String(format: "%.1f / %.1f / %.1f", pct(0.5), pct(0.99), balanceMs.last ?? 0)),
            ("RSS MiB start / loaded / after updates", String(format: "%.0f / %.0f / %.0f", rssStart, rssLoaded, rssUpdated)),
            ("moved bike in within / in its z16 tile", "\(inWithin) / \(inTile) (\(String(format: "%.1f", visibleMs)) ms)"),
        ]
        if json {
            print(JSONWriter.string(.object(JSONObject(rows.map { (key: $0.0, value: JSONValue.string($0.1)) }))))
        } else {
            for (k, v) in rows { print(k.padding(toLength: 40, withPad: " ", startingAt: 0) + v) }
        }
    }

    func rssMiB() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
        return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }
}
