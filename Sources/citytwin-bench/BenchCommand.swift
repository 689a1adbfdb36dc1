import ArgumentParser
import CLISupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "citytwin-bench", abstract: "Benchmarks against peer tools, run side by side on the same data.",
        subcommands: [ImportBench.self, QueryBench.self, TileBench.self, GeocodeBench.self, EventBench.self, NetworkBench.self, BikeBench.self])
}

/// `citytwin-bench import`: 1M points and 100k polygons from GeoJSON into
/// SpatiaLite, ours (`citytwin import`, the `citytwin` built beside this
/// executable) against `ogr2ogr -f SQLite -dsco
/// SPATIALITE=YES`, each as a child process so wall time and peak RSS
/// (wait4's ru_maxrss) are measured the same way. Memory flatness: ours is
/// also run on a quarter-size file; peak RSS should not follow file size.
struct ImportBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Import speed and memory vs ogr2ogr.")

    @Option(help: "Points in the point file") var points = 1_000_000
    @Option(help: "Polygons in the polygon file") var polygons = 100_000
    @Option(help: "Scratch folder for data and databases") var dir = "bench-data"
    @Option(help: "Runs per measurement (best is reported)") var runs = 1
    @Option(help: "Seed of the generated data") var seed: UInt64 = 42
    @Flag(help: "Print JSON instead of a table") var json = false

    struct Measurement: Codable { var seconds: Double; var peakRSSMiB: Double }
    struct Row: Codable { var dataset: String; var features: Int; var fileMiB: Double; var citytwin: Measurement; var ogr2ogr: Measurement?; var speedup: Double? }

    func run() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        guard let ogr = ["/usr/bin/ogr2ogr", "/usr/local/bin/ogr2ogr"].first(where: FileManager.default.isExecutableFile) else {
            throw fail("ogr2ogr not found: apt-get install gdal-bin")
        }
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("citytwin").path
        guard FileManager.default.isExecutableFile(atPath: me) else {
            throw fail("\(me) not found: build both products (swift build -c release)")
        }
        let quarter = max(1, points / 4)
        let sets: [(String, Int, String, [String])] = [
            ("points", points, "bike", ["--id-field", "bike_id"]),
            ("points_quarter", quarter, "bike", ["--id-field", "bike_id"]),
            ("polygons", polygons, "building", []),
        ]
        var rows: [Row] = []
        for (name, n, role, extra) in sets {
            let file = "\(dir)/\(name).geojson"
            if !FileManager.default.fileExists(atPath: file) {
                note("writing \(file) (\(n) features)…")
                try BenchData.write(name.hasPrefix("points") ? .points : .polygons, count: n, seed: seed, to: file)
            }
            let size = Double((try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0) / 1_048_576
            var ours: Measurement?, theirs: Measurement?
            for _ in 0..<runs {
                let db = "\(dir)/citytwin-\(name).sqlite"
                for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + s) }
                let m = try measure(me, ["import", file, "--layer", "bench", "--role", role, "--db", db,
                                         "--rejects", "\(dir)/\(name).rejects.geojsonl"] + extra)
                if ours == nil || m.seconds < ours!.seconds { ours = m }
                if name != "points_quarter" {
                    let odb = "\(dir)/ogr-\(name).sqlite"
                    try? FileManager.default.removeItem(atPath: odb)
                    let o = try measure(ogr, ["-f", "SQLite", "-dsco", "SPATIALITE=YES", odb, file, "-nln", "bench"])
                    if theirs == nil || o.seconds < theirs!.seconds { theirs = o }
                }
            }
            rows.append(Row(dataset: name, features: n, fileMiB: size, citytwin: ours!, ogr2ogr: theirs,
                            speedup: theirs.map { $0.seconds / ours!.seconds }))
        }
        if json {
            let e = JSONEncoder()
            e.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try e.encode(rows), as: UTF8.self))
            return
        }
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
        print("import benchmark: GeoJSON → SpatiaLite (with R*Tree), best of \(runs), same files, same run")
        print([pad("dataset", 15), pad("features", 9), pad("file MiB", 9), pad("citytwin s", 11), pad("peak MiB", 9),
               pad("ogr2ogr s", 10), pad("peak MiB", 9), "  ogr2ogr time / citytwin time"].joined(separator: " "))
        for r in rows {
            var cells = [pad(r.dataset, 15), pad(String(r.features), 9), pad(String(format: "%.1f", r.fileMiB), 9),
                         pad(String(format: "%.2f", r.citytwin.seconds), 11), pad(String(format: "%.1f", r.citytwin.peakRSSMiB), 9)]
            if let o = r.ogr2ogr {
                cells += [pad(String(format: "%.2f", o.seconds), 10), pad(String(format: "%.1f", o.peakRSSMiB), 9),
                          String(format: "  %.2fx", r.speedup ?? 0)]
            } else {
                cells += [pad("-", 10), pad("-", 9), "  -"]
            }
            print(cells.joined(separator: " "))
        }
        if let full = rows.first(where: { $0.dataset == "points" }), let q = rows.first(where: { $0.dataset == "points_quarter" }) {
            print(String(format: "memory flatness: peak RSS at 4x the file size is %.2fx (%.1f vs %.1f MiB)",
                         full.citytwin.peakRSSMiB / q.citytwin.peakRSSMiB, full.citytwin.peakRSSMiB, q.citytwin.peakRSSMiB))
        }
    }

    /// Runs a child to completion; wall time and its own peak RSS from wait4.
    func measure(_ exe: String, _ args: [String]) throws -> Measurement {
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = ([exe] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let start = Date()
        guard posix_spawn(&pid, exe, &actions, nil, argv, environ) == 0 else { throw fail("cannot start \(exe)") }
        var status: Int32 = 0
        var usage = rusage()
        guard wait4(pid, &status, 0, &usage) == pid else { throw fail("wait4 failed for \(exe)") }
        let seconds = Date().timeIntervalSince(start)
        guard status == 0 else { throw fail("\(exe) \(args.joined(separator: " ")) exited with status \(status)") }
        return Measurement(seconds: seconds, peakRSSMiB: Double(usage.ru_maxrss) / 1024)
    }
}
