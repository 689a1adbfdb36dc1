import ArgumentParser
import CLISupport
import CityOps
import Dispatch
import Foundation
import Geo
import Storage
import Synchronization
import VectorTiles

struct TilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tiles", abstract: "Export tile archives and inspect tiles.",
        subcommands: [TilesExport.self, TilesInspect.self])
}

/// Layers, zoom range and bbox of a tile job, checked against the snapshot.
struct TileJob: Sendable {
    let names: [String]
    let inputs: [TileLayerInput]
    let bbox: BoundingBox
    let minzoom: Int
    let maxzoom: Int

    init(service: TileService, snapshot: CitySnapshot, layers: String?, minzoom: Int, maxzoom: Int, bbox: String?) throws {
        guard (0...22).contains(minzoom), (0...22).contains(maxzoom), minzoom <= maxzoom else {
            throw fail("--minzoom and --maxzoom must be in 0...22 with minzoom ≤ maxzoom")
        }
        let list = layers ?? snapshot.layers.keys.sorted().joined(separator: ",")
        do { names = try service.resolve(list, in: snapshot) } catch { throw fail(error.message) }
        inputs = service.inputs(names, snapshot)
        if let bbox {
            let v = bbox.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard v.count == 4, let w = v[0], let s = v[1], let e = v[2], let n = v[3], w < e, s < n,
                  w >= -180, e <= 180, s >= -85.06, n <= 85.06 else { throw fail("--bbox must be w,s,e,n in degrees with w < e and s < n") }
            self.bbox = BoundingBox(minX: w, minY: s, maxX: e, maxY: n)
        } else {
            var b = BoundingBox.empty
            for n in names { if let l = snapshot.layers[n], !l.info.bbox.isEmpty { b.extend(l.info.bbox) } }
            guard !b.isEmpty else { throw fail("the layers have no features to export") }
            self.bbox = b
        }
        self.minzoom = minzoom; self.maxzoom = maxzoom
    }

    /// Builds every non-empty tile of the job on all cores. A tile's
    /// children are visited only when it had features, unless a layer
    /// starts at the child zoom. `progress` gets (done, total) per zoom.
    func build(settings: TileSettings, progress: @escaping @Sendable (Int, Int, Int) -> Void) -> [(TileID, [UInt8])] {
        var out: [(TileID, [UInt8])] = []
        var parents: Set<TileID>? = nil
        for z in minzoom...maxzoom {
            let r = WebMercator.tileRange(bbox, z: z)
            var candidates: [TileID] = []
            let fresh = parents == nil || inputs.contains { $0.config.minzoom == z }
            for x in r.minX...r.maxX {
                for y in r.minY...r.maxY {
                    let t = TileID(z: z, x: x, y: y)
                    if fresh || parents!.contains(TileID(z: z - 1, x: x / 2, y: y / 2)) { candidates.append(t) }
                }
            }
            let todo = candidates
            let results = Mutex<[(TileID, [UInt8])]>([])
            let done = Atomic<Int>(0)
            let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
            let chunk = max(1, (candidates.count + workers * 8 - 1) / (workers * 8))
            let chunks = (candidates.count + chunk - 1) / chunk
            let total = candidates.count
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let builder = TileBuilder(settings: settings)
                var local: [(TileID, [UInt8])] = []
                for t in todo[(c * chunk)..<min((c + 1) * chunk, todo.count)] {
                    let tile = builder.build(t, layers: inputs)
                    if !tile.isEmpty, let gz = try? Gzip.compress(tile.bytes, best: true) { local.append((t, gz)) }
                }
                results.withLock { $0.append(contentsOf: local) }
                let n = done.add(min((c + 1) * chunk, total) - c * chunk, ordering: .relaxed).newValue
                progress(z, n, total)
            }
            let built = results.withLock { $0 }
            parents = Set(built.map(\.0))
            out.append(contentsOf: built)
        }
        return out
    }
}

struct TilesExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write layers as an MBTiles 1.3 or PMTiles v3 archive (by the --out extension).")

    @Option(help: "Comma-separated layers (default: all)") var layers: String?
    @Option(help: "Lowest zoom") var minzoom: Int = 10
    @Option(help: "Highest zoom") var maxzoom: Int = 14
    @Option(help: "Area to export: w,s,e,n (default: the layers' extent)") var bbox: String?
    @Option(help: "Output .mbtiles or .pmtiles") var out: String
    @Option(help: "SpatiaLite database") var db: String = "citytwin.sqlite"
    @Option(help: "Folder with layers.yaml") var tiles: String = "Tiles"

    func run() throws {
        let isMB = out.hasSuffix(".mbtiles"), isPM = out.hasSuffix(".pmtiles")
        guard isMB || isPM else { throw fail("--out must end in .mbtiles or .pmtiles") }
        guard FileManager.default.fileExists(atPath: db) else { throw fail("database \(db) does not exist") }
        let service = try loadTileService(folder: tiles, floodWarningRatio: 0.7, scanArchives: false)
        let snapshot: CitySnapshot
        do { snapshot = try CitySnapshot.load(from: try SpatiaLiteStore(path: db)) } catch { throw fail("\(error)") }
        let job = try TileJob(service: service, snapshot: snapshot, layers: layers, minzoom: minzoom, maxzoom: maxzoom, bbox: bbox)
        let bar = ProgressLine(enabled: isatty(2) != 0)
        let start = Date()
        let tilesBuilt = job.build(settings: service.settings) { z, done, total in bar.update("z\(z): \(done)/\(total) tiles") }
        bar.finish()
        let doc = service.tileJSON(job.names, snapshot: snapshot, tileURL: "")
        let vectorLayers = doc["vector_layers"] ?? .array([])
        let center = (lon: (job.bbox.minX + job.bbox.maxX) / 2, lat: (job.bbox.minY + job.bbox.maxY) / 2, zoom: min(max(job.minzoom, 12), job.maxzoom))
        let name = (out as NSString).lastPathComponent
        do {
            if isMB {
                let meta: [(String, String)] = [
                    ("name", name), ("format", "pbf"), ("type", "overlay"), ("version", "1"),
                    ("description", "CityTwin export of \(job.names.joined(separator: ",")) (snapshot \(snapshot.version))"),
                    ("bounds", job.bbox.array.map { String(format: "%.7f", $0) }.joined(separator: ",")),
                    ("center", String(format: "%.7f,%.7f,%d", center.lon, center.lat, center.zoom)),
                    ("minzoom", String(job.minzoom)), ("maxzoom", String(job.maxzoom)),
                    ("json", JSONWriter.string(.object(JSONObject([("vector_layers", vectorLayers)])))),
                ]
                _ = try MBTilesArchive.write(path: out, metadata: meta) { add in for (t, gz) in tilesBuilt { try add(t, gz) } }
            } else {
                var w = PMTilesWriter()
                for (t, gz) in tilesBuilt { w.add(t, gzippedMVT: gz) }
                let meta = JSONObject([("name", .string(name)), ("format", .string("pbf")), ("vector_layers", vectorLayers),
                                       ("description", .string("CityTwin export of \(job.names.joined(separator: ","))"))])
                let s = try w.write(to: out, metadata: meta, bounds: job.bbox, minzoom: job.minzoom, maxzoom: job.maxzoom, center: center)
                note("pmtiles: \(s.addressed) tiles, \(s.entries) directory entries, \(s.contents) distinct contents")
            }
        } catch let e as StorageError { throw fail(e.message) } catch let e as VectorTilesError { throw fail(e.message) }
        let size = (try? FileManager.default.attributesOfItem(atPath: out)[.size] as? Int) ?? 0
        print(String(format: "exported %d tiles (z%d–%d, %@) to %@: %.1f MiB in %.1f s",
                     tilesBuilt.count, job.minzoom, job.maxzoom, job.names.joined(separator: ","), out,
                     Double(size) / 1_048_576, Date().timeIntervalSince(start)))
    }
}

/// One self-overwriting status line on a terminal (nothing otherwise).
final class ProgressLine: Sendable {
    let enabled: Bool
    let last = Mutex<Double>(0)
    init(enabled: Bool) { self.enabled = enabled }
    func update(_ text: String) {
        guard enabled else { return }
        let now = Date().timeIntervalSince1970
        let show = last.withLock { l -> Bool in if now - l < 0.1 { return false }; l = now; return true }
        if show { FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8)) }
    }
    func finish() { if enabled { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) } }
}

struct TilesInspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "Decode a tile (built from the database, or a .mvt file) and summarise it.")

    @Argument(help: "Z/X/Y") var tile: String?
    @Option(help: "Comma-separated layers (default: all)") var layers: String?
    @Option(help: "Decode this .mvt file instead (gzipped or not)") var file: String?
    @Option(help: "SpatiaLite database") var db: String = "citytwin.sqlite"
    @Option(help: "Folder with layers.yaml") var tiles: String = "Tiles"
    @Flag(help: "Print every feature") var features = false

    func run() throws {
        var bytes: [UInt8]
        if let file {
            guard let d = FileManager.default.contents(atPath: file) else { throw fail("cannot read \(file)") }
            bytes = [UInt8](d)
        } else {
            guard let tile else { throw fail("give Z/X/Y or --file") }
            let p = tile.split(separator: "/").map { Int($0) }
            guard p.count == 3, let z = p[0], let x = p[1], let y = p[2], TileID(z: z, x: x, y: y).isValid else {
                throw fail("tile must be Z/X/Y with 0 ≤ X, Y < 2^Z and Z ≤ 30, got \"\(tile)\"")
            }
            let service = try loadTileService(folder: tiles, floodWarningRatio: 0.7, scanArchives: false)
            let snapshot: CitySnapshot
            do { snapshot = try CitySnapshot.load(from: try SpatiaLiteStore(path: db)) } catch { throw fail("\(error)") }
            let names: [String]
            do { names = try service.resolve(layers ?? snapshot.layers.keys.sorted().joined(separator: ","), in: snapshot) } catch { throw fail(error.message) }
            bytes = TileBuilder(settings: service.settings).build(TileID(z: z, x: x, y: y), layers: service.inputs(names, snapshot)).bytes
        }
        if Gzip.isGzip(bytes) { do { bytes = try Gzip.decompress(bytes) } catch { throw fail(error.message) } }
        let decoded: MVTTile
        do { decoded = try MVTTile(decoding: bytes) } catch { throw fail("not a valid vector tile: \(error.message)") }
        print("\(bytes.count) bytes, \(decoded.layers.count) layers")
        for issue in decoded.validationIssues() { print("  issue (\(issue.isRecoverable ? "recoverable" : "fatal")): \(issue.message)") }
        for layer in decoded.layers {
            let kinds = Dictionary(grouping: layer.features, by: { $0.type ?? 99 }).mapValues(\.count)
            let kindText = kinds.sorted { $0.key < $1.key }.map { "\(["unknown", "point", "linestring", "polygon"][Int(min($0.key, 3))])=\($0.value)" }.joined(separator: " ")
            print("layer \(layer.name ?? "?") v\(layer.version ?? 0) extent \(layer.extent): \(layer.features.count) features (\(kindText)), keys \(layer.keys.joined(separator: ","))")
            guard features else { continue }
            let decodedFeatures: [MVTDecodedFeature]
            do { decodedFeatures = try layer.decodedFeatures().features } catch { print("  fatal: \(error.message)"); continue }
            for f in decodedFeatures {
                let props = f.properties.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                print("  id \(f.id.map(String.init) ?? "-"): \(f.geometry.summary) \(props)")
            }
        }
    }
}

extension MVTGeometry {
    var summary: String {
        switch self {
        case .unknown: "unknown"
        case .points(let p): "\(p.count) point(s)"
        case .lines(let l): "\(l.count) line(s), \(l.reduce(0) { $0 + $1.count }) vertices"
        case .polygons(let p): "\(p.count) polygon(s), \(p.reduce(0) { $0 + $1.count }) rings"
        }
    }
}
