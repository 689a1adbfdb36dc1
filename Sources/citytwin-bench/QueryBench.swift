import ArgumentParser
import BenchPeers
import CLISupport
import CityOps
import Foundation
import Geo
import SampleCity
import SpatialIndex
import Storage

/// `citytwin-bench queries`: the R-tree core against shapely 2 (GEOS
/// STRtree bulk calls) and SpatiaLite SQL (KNN virtual table, R*Tree +
/// ST_Contains, PtDistWithin), on the same seeded data, in the same run.
struct QueryBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "queries", abstract: "KNN, locate, bike balance and index build vs shapely and SpatiaLite.")

    @Option(help: "Scratch folder") var dir = "bench-data"
    @Option(help: "Points indexed") var points = 1_000_000
    @Option(help: "Python with shapely (the test venv)") var python = ".venv/bin/python"
    @Option(help: "The shapely peer script") var peer = "Benchmarks/shapely_peer.py"
    @Option(help: "Seed") var seed: UInt64 = 42
    @Flag(help: "Print JSON") var json = false

    func writeF64(_ values: [Double], _ name: String) throws {
        try values.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: "\(dir)/\(name).f64")) }
    }

    func time(_ runs: Int = 3, _ body: () throws -> Void) rethrows -> Double {
        var best = Double.infinity
        for _ in 0..<runs {
            let t = DispatchTime.now().uptimeNanoseconds
            try body()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9)
        }
        return best
    }

    func run() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var r = SeededRandom(seed: seed)
        func lon() -> Double { 104.04 + r.uniform(0, 0.12) }
        func lat() -> Double { 30.625 + r.uniform(0, 0.09) }
        var pts: [Double] = []; pts.reserveCapacity(points * 2)
        for _ in 0..<points { pts.append(lon()); pts.append(lat()) }
        var knnQ: [Double] = [], centers: [Double] = [], locQ: [Double] = []
        for _ in 0..<10_000 { knnQ.append(lon()); knnQ.append(lat()) }
        for _ in 0..<6_120 { centers.append(lon()); centers.append(lat()) }
        for _ in 0..<100_000 { locQ.append(lon()); locQ.append(lat()) }
        // The sample's 1,000 grids and a 316 × 317 lattice of 100k benchmark-scale grid cells.
        let sampleGrids: [[Coordinate]] = SampleCityGenerator().generate().features("grids").compactMap {
            if case .polygon(let p)? = $0.geometry { return p[0] }; return nil
        }
        var bigGrids: [[Coordinate]] = []
        let nx = 316, ny = 317
        for j in 0..<ny {
            for i in 0..<nx {
                let x0 = 104.04 + 0.12 * Double(i) / Double(nx), x1 = 104.04 + 0.12 * Double(i + 1) / Double(nx)
                let y0 = 30.625 + 0.09 * Double(j) / Double(ny), y1 = 30.625 + 0.09 * Double(j + 1) / Double(ny)
                bigGrids.append([Coordinate(x0, y0), Coordinate(x1, y0), Coordinate(x1, y1), Coordinate(x0, y1), Coordinate(x0, y0)])
            }
        }
        try writeF64(pts, "points"); try writeF64(knnQ, "knn_queries"); try writeF64(centers, "centers"); try writeF64(locQ, "locate_queries")
        try writeF64(sampleGrids.flatMap { $0.flatMap { [$0.x, $0.y] } }, "grids_sample")
        try writeF64(bigGrids.flatMap { $0.flatMap { [$0.x, $0.y] } }, "grids_100k")
        try "\(sampleGrids[0].count)".write(toFile: "\(dir)/grids_sample.ring", atomically: true, encoding: .utf8)
        try "5".write(toFile: "\(dir)/grids_100k.ring", atomically: true, encoding: .utf8)

        // Ours.
        var tree: PackedRTree!
        let build = time {
            var b = PackedRTreeBuilder(pointLeaves: true, reserve: points)
            for i in 0..<points { b.add(id: Int32(i), x: pts[2 * i], y: pts[2 * i + 1]) }
            tree = b.finish()
        }
        var sink = 0
        let knn = time { for q in 0..<10_000 { sink &+= tree.nearest(lon: knnQ[2 * q], lat: knnQ[2 * q + 1], k: 5).count } }
        let knn1 = time { for q in 0..<10_000 { sink &+= tree.nearest(lon: knnQ[2 * q], lat: knnQ[2 * q + 1], k: 1).count } }
        let balance = time { for c in 0..<6_120 { sink &+= tree.countWithin(lon: centers[2 * c], lat: centers[2 * c + 1], radius: 100) } }
        var locate: [String: Double] = [:]
        for (name, grids) in [("grids_sample", sampleGrids), ("grids_100k", bigGrids)] {
            let idx = PolygonIndex(polygons: grids.map { [[$0]] })
            locate[name] = time { for q in 0..<100_000 { sink &+= Int(idx.locate(x: locQ[2 * q], y: locQ[2 * q + 1]) ?? 0) } }
        }

        // SpatiaLite SQL on the same data (a sample of queries, per-operation time scaled).
        let dbPath = "\(dir)/queries-spatialite.sqlite"
        for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: dbPath + s) }
        let store = try SpatiaLiteStore(path: dbPath)
        _ = try store.importLayer(LayerSpec(name: "pts", role: .generic), mode: .replace) { w in
            for i in 0..<points { try w.insert(extID: nil, properties: JSONObject(), geometry: .point(Coordinate(pts[2 * i], pts[2 * i + 1]))) }
        }
        for (name, grids) in [("grids_sample", sampleGrids), ("grids_100k", bigGrids)] {
            _ = try store.importLayer(LayerSpec(name: name, role: .generic), mode: .replace) { w in
                for g in grids { try w.insert(extID: nil, properties: JSONObject(), geometry: .polygon([g])) }
            }
        }
        let sql = try SpatiaLitePeer(store: store)
        let nK = 500, nL = 2_000, nB = 300
        let sqlKNN = try time(1) { for q in 0..<nK { sink &+= try sql.nearest(layer: "pts", lon: knnQ[2 * q], lat: knnQ[2 * q + 1], k: 5).count } } * 10_000 / Double(nK)
        var sqlLocate: [String: Double] = [:]
        var agree = 0
        let idxSample = PolygonIndex(polygons: sampleGrids.map { [[$0]] })
        for name in ["grids_sample", "grids_100k"] {
            sqlLocate[name] = try time(1) { for q in 0..<nL { sink &+= Int(try sql.locate(layer: name, lon: locQ[2 * q], lat: locQ[2 * q + 1]) ?? 0) } } * 100_000 / Double(nL)
        }
        // Agreement check: SpatiaLite's owner (row id − 1 = position) against ours on the sample grids.
        for q in 0..<nL {
            let a = try sql.locate(layer: "grids_sample", lon: locQ[2 * q], lat: locQ[2 * q + 1]).map { Int32($0 - 1) }
            if a == idxSample.locate(x: locQ[2 * q], y: locQ[2 * q + 1]) { agree += 1 }
        }
        var countAgree = 0
        let sqlBalance = try time(1) {
            for c in 0..<nB {
                let n = try sql.countWithin(layer: "pts", lon: centers[2 * c], lat: centers[2 * c + 1], radius: 100)
                sink &+= n
            }
        } * 6_120 / Double(nB)
        for c in 0..<nB {
            // PtDistWithin(…, 0) is spherical like ours; a point exactly at 100 m may round differently.
            let n = try sql.countWithin(layer: "pts", lon: centers[2 * c], lat: centers[2 * c + 1], radius: 100)
            if abs(n - tree.countWithin(lon: centers[2 * c], lat: centers[2 * c + 1], radius: 100)) <= 1 { countAgree += 1 }
        }

        // shapely.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [peer, dir]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0, let sh = try JSONSerialization.jsonObject(with: data) as? [String: Double] else {
            throw fail("shapely peer failed (is \(python) the venv with shapely? run make venv)")
        }

        struct Row { let what: String; let ours: Double; let shapely: Double?; let sql: Double? }
        let rows = [
            Row(what: "build index, 1M points", ours: build, shapely: sh["build_1m_points"], sql: nil),
            Row(what: "KNN k=5, 10k queries / 1M pts", ours: knn, shapely: sh["knn"], sql: sqlKNN),
            Row(what: "KNN k=1, 10k queries / 1M pts", ours: knn1, shapely: sh["knn"], sql: nil),
            Row(what: "locate 100k pts / 1,000 grids", ours: locate["grids_sample"]!, shapely: sh["locate_grids_sample"], sql: sqlLocate["grids_sample"]),
            Row(what: "locate 100k pts / 100k grids", ours: locate["grids_100k"]!, shapely: sh["locate_grids_100k"], sql: sqlLocate["grids_100k"]),
            Row(what: "bike balance 6,120 × 100 m / 1M", ours: balance, shapely: sh["balance"], sql: sqlBalance),
        ]
        if json {
            let o = rows.map { ["what": $0.what, "ours_s": $0.ours, "shapely_s": $0.shapely ?? -1, "spatialite_s": $0.sql ?? -1] as [String: Any] }
            print(String(decoding: try JSONSerialization.data(withJSONObject: o, options: [.prettyPrinted]), as: UTF8.self))
            return
        }
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        func f(_ v: Double?) -> String { v.map { String(format: "%9.3f s", $0) } ?? "        -  " }
        func ratio(_ a: Double?, _ b: Double) -> String { a.map { String(format: "%8.1fx", $0 / b) } ?? "        -" }
        print("query benchmark, same seeded data, same run (best of 3; SpatiaLite scaled from \(nK)/\(nL)/\(nB)-query samples)")
        print(pad("operation", 34) + "   citytwin     shapely 2   SpatiaLite   vs shapely  vs SpatiaLite")
        for row in rows {
            print(pad(row.what, 34) + f(row.ours) + "  " + f(row.shapely) + "  " + f(row.sql) + "    " + ratio(row.shapely, row.ours) + "    " + ratio(row.sql, row.ours))
        }
        print("notes: shapely's query_nearest returns 1 planar nearest (no k); its dwithin is planar degrees; ours are great-circle.")
        print("agreement: locate vs SpatiaLite \(agree)/\(nL); 100 m counts vs SpatiaLite PtDistWithin (±1) \(countAgree)/\(nB)  [\(sink % 10)]")
    }
}
