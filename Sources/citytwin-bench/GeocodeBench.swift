import ArgumentParser
import CLISupport
import CityOps
import Dispatch
import Foundation
import Geo
import Geocoder
import SampleCity
import Storage

/// `citytwin-bench geocode`: quality and speed of the geocoder on a
/// held-out query set generated from the sample city with a different seed,
/// scored against the true coordinates; plus the sample's own 500 work
/// orders as a second, reference set, and reverse-geocoding latency.
struct GeocodeBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "geocode", abstract: "Geocoding quality and latency on held-out queries.")

    @Option(help: "SpatiaLite database holding the sample city") var db = "citytwin.sqlite"
    @Option(help: "Seed of the held-out queries (the sample's work orders use another)") var seed: UInt64 = 7
    @Option(help: "Held-out queries") var count = 3000
    @Option(help: "GeoData folder (for the reference work orders)") var geodata = "GeoData"
    @Option(help: "List this many misses per form") var misses = 0
    @Option(help: "Also write the queries (one per line) here, for the HTTP benchmark") var queryFile: String?
    @Option(help: "The city the database's sample was generated for (as given to citytwin sample --city)") var city: String?
    @Option(help: "Its --centre, lon,lat") var centre: String?
    @Option(help: "Held-out work-order sentences (places inside text, event types)") var sentences = 2000
    @Flag(help: "Print JSON") var json = false

    struct FormScore { var n = 0, gridOK = 0, within50 = 0, addressN = 0, examples: [String] = [] }

    func run() throws {
        let snapshot = try openSnapshot(db)
        let service = GeocodingService()
        let t0 = DispatchTime.now().uptimeNanoseconds
        _ = service.geocoder(for: snapshot)
        let buildMs = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
        let generator = SampleCityGenerator(profile: try profile())
        let queries = SampleCityGenerator(profile: generator.profile).geocodeBenchmarkQueries(querySeed: seed, count: count)
        if let queryFile { try queries.map(\.text).joined(separator: "\n").appending("\n").write(toFile: queryFile, atomically: true, encoding: .utf8) }
        // Warm-up, then time each query.
        for q in queries.prefix(200) { _ = service.geocode(q.text, focus: nil, limit: 1, snapshot: snapshot) }
        var latencies: [Double] = [], scores: [String: FormScore] = [:], order: [String] = []
        for q in queries {
            let s = DispatchTime.now().uptimeNanoseconds
            let top = service.geocode(q.text, focus: nil, limit: 1, snapshot: snapshot).first
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - s) / 1e6)
            if scores[q.form] == nil { order.append(q.form) }
            var f = scores[q.form] ?? FormScore()
            f.n += 1
            let ok = correct(top, q, snapshot)
            if ok { f.gridOK += 1 } else if f.examples.count < misses {
                f.examples.append("\(q.text) → \(top.map { "\($0.result.level.rawValue) \($0.result.formatted)" } ?? "nothing")")
            }
            if q.level == "门址" {
                f.addressN += 1
                if let top, metres(top.result.point, q.truth) <= 50 { f.within50 += 1 }
            }
            scores[q.form] = f
        }
        latencies.sort()
        func pct(_ a: [Double], _ p: Double) -> Double { a.isEmpty ? 0 : a[min(a.count - 1, Int(Double(a.count) * p))] }
        // Reverse geocoding at seeded random points over the district.
        var rng = SeededRandom(seed: seed ^ 0xABCD)
        let box = snapshot.layer(role: .district)?.info.bbox ?? BoundingBox(minX: 104.04, minY: 30.62, maxX: 104.16, maxY: 30.72)
        var rev: [Double] = []
        for _ in 0..<2000 {
            let lon = box.minX + rng.uniform(0, 1) * (box.maxX - box.minX), lat = box.minY + rng.uniform(0, 1) * (box.maxY - box.minY)
            let s = DispatchTime.now().uptimeNanoseconds
            _ = service.reverse(lon: lon, lat: lat, snapshot: snapshot)
            rev.append(Double(DispatchTime.now().uptimeNanoseconds - s) / 1e6)
        }
        rev.sort()
        // The sample's own work orders (reference set, includes bare chain aliases such as 邮局).
        var reference = FormScore(), refByForm: [String: FormScore] = [:]
        if let data = FileManager.default.contents(atPath: "\(geodata)/work_orders_12345.geojson"),
           let fc = try? JSONParser.parse([UInt8](data)), let features = fc["features"]?.arrayValue {
            for f in features {
                guard let text = f["properties"]?["address"]?.stringValue, let form = f["properties"]?["form"]?.stringValue,
                      let c = f["geometry"]?["coordinates"]?.arrayValue?.compactMap(\.doubleValue), c.count == 2 else { continue }
                let q = GeocodeBenchQuery(text: text, form: form, level: f["properties"]?["level"]?.stringValue ?? "", truth: Coordinate(c[0], c[1]), areaCode: nil)
                let ok = correct(service.geocode(text, focus: nil, limit: 1, snapshot: snapshot).first, q, snapshot)
                reference.n += 1; if ok { reference.gridOK += 1 }
                refByForm[form, default: FormScore()].n += 1
                if ok { refByForm[form]!.gridOK += 1 }
            }
        }
        let textReport = try textBench(generator, snapshot, service)
        let total = scores.values.reduce(FormScore()) { FormScore(n: $0.n + $1.n, gridOK: $0.gridOK + $1.gridOK, within50: $0.within50 + $1.within50, addressN: $0.addressN + $1.addressN) }
        if json {
            var forms = JSONObject()
            for f in order { let s = scores[f]!; forms[f] = .object(JSONObject([("n", .number(Double(s.n))), ("grid_ok", .number(Double(s.gridOK)))])) }
            print(JSONWriter.string(.object(JSONObject([
                ("queries", .number(Double(total.n))), ("grid_ok_rate", .number(Double(total.gridOK) / Double(total.n))),
                ("address_within_50m_rate", .number(Double(total.within50) / Double(max(total.addressN, 1)))),
                ("p50_ms", .number(pct(latencies, 0.5))), ("p99_ms", .number(pct(latencies, 0.99))),
                ("reverse_p50_ms", .number(pct(rev, 0.5))), ("reverse_p99_ms", .number(pct(rev, 0.99))),
                ("build_ms", .number(buildMs)), ("forms", .object(forms)),
                ("reference_grid_ok_rate", .number(Double(reference.gridOK) / Double(max(reference.n, 1)))),
                ("text", textReport.json),
            ]))))
            return
        }
        print("held-out queries: \(total.n) (seed \(seed)); geocoder built in \(Int(buildMs)) ms")
        print("form            n   top-1 grid   门址 ≤50 m")
        for f in order {
            let s = scores[f]!
            let within = s.addressN > 0 ? String(format: "%6.1f%%", 100 * Double(s.within50) / Double(s.addressN)) : "      -"
            print(String(format: "%@%5d   %6.1f%%     %@", f.padding(toLength: 12, withPad: "　", startingAt: 0), s.n, 100 * Double(s.gridOK) / Double(s.n), within))
            for e in s.examples { print("    miss: \(e)") }
        }
        print(String(format: "all         %5d   %6.1f%%     %6.1f%%   (goals: ≥ 95%% grid, ≥ 90%% of 门址 within 50 m)", total.n,
                     100 * Double(total.gridOK) / Double(total.n), 100 * Double(total.within50) / Double(max(total.addressN, 1))))
        print(String(format: "latency in-process: p50 %.3f ms  p99 %.3f ms (goals ≤ 1, ≤ 5)   reverse: p50 %.3f ms  p99 %.3f ms (goal p99 ≤ 2)",
                     pct(latencies, 0.5), pct(latencies, 0.99), pct(rev, 0.5), pct(rev, 0.99)))
        print(textReport.text, terminator: "")
        if reference.n > 0 {
            print(String(format: "reference: the sample's %d work orders: %.1f%% top-1 in the right grid; by form: ", reference.n, 100 * Double(reference.gridOK) / Double(reference.n))
                  + refByForm.sorted { $0.key < $1.key }.map { String(format: "%@ %.0f%%", $0.key, 100 * Double($0.value.gridOK) / Double($0.value.n)) }.joined(separator: ", "))
        }
    }

    /// Right when the top result's point lies in the same grid as the truth;
    /// for 社区/街道 queries, when it lies in the area named.
    func correct(_ top: PlacedResult?, _ q: GeocodeBenchQuery, _ s: CitySnapshot) -> Bool {
        guard let top else { return false }
        if let code = q.areaCode, q.level == "社区" || q.level == "街道" {
            let role: LayerRole = q.level == "社区" ? .community : .street
            return top.areas[role].map { $0.0.properties.object($0.1)["code"]?.textValue == code } ?? false
        }
        // Roads run along grid boundaries, so a true point can sit on one: every grid
        // within 1 m of it counts. A truth outside every grid needs an answer outside
        // every grid within 100 m.
        let m = 1.0 / 111_319.49
        var truthGrids = Set<Int64>()
        for (dx, dy) in [(0.0, 0.0), (m, 0), (-m, 0), (0, m), (0, -m)] {
            if let (l, i) = s.locate(lon: q.truth.x + dx / cos(q.truth.y * .pi / 180), lat: q.truth.y + dy)[.grid] { truthGrids.insert(l.featureIDs[i]) }
        }
        guard let got = top.areas[.grid].map({ $0.0.featureIDs[$0.1] }) else {
            return truthGrids.isEmpty && metres(top.result.point, q.truth) <= 100
        }
        return truthGrids.contains(got)
    }

    func metres(_ a: Coordinate, _ b: Coordinate) -> Double { Geodesy.haversine(a, b) }
}
