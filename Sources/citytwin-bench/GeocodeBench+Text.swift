import CityOps
import CLISupport
import Dispatch
import Foundation
import Geo
import Geocoder
import SampleCity

/// The issue-11 part of `citytwin-bench geocode`: addresses with the city's
/// province/city/district prefix in full, short and mixed forms; prefixes
/// naming another province or city (out of area); places inside held-out
/// work-order sentences (extraction, with its latency); event types proposed
/// from the same sentences.
extension GeocodeBench {
    struct TextReport {
        var text: String
        var json: JSONValue
    }

    struct Tally {
        var n = 0, ok = 0
        var misses: [String] = []
        var rate: Double { n == 0 ? 0 : Double(ok) / Double(n) }
        var percent: String { String(format: "%6.1f%%", 100 * rate) }
    }

    func profile() throws -> SampleCityProfile {
        guard let city else { return .standard }
        var at = SampleCityProfile.standard.centre
        if let centre {
            let v = centre.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard v.count == 2 else { throw fail("--centre must be lon,lat") }
            at = Coordinate(v[0], v[1])
        }
        do { return try SampleCityProfile.named(city, centre: at) } catch { throw fail("--city: \(error)") }
    }

    func textBench(_ generator: SampleCityGenerator, _ snapshot: CitySnapshot, _ service: GeocodingService) throws -> TextReport {
        let pf = generator.profile
        var rng = SeededRandom(seed: seed ^ 0x9E7F)
        let plain = generator.geocodeBenchmarkQueries(querySeed: seed ^ 0x51, count: max(count, 600)).filter { $0.form == "门址" }
        // Prefixed forms of the deployment's own province, city and district.
        var prefixed: [(String, Tally)] = [("前缀全称", Tally()), ("前缀简称", Tally()), ("前缀混合", Tally())]
        for q in plain {
            let forms = [
                pf.prefix(province: true),
                pf.prefix(province: true, provinceShort: true, cityShort: true, districtShort: true),
                rng.pick([pf.prefix(province: false, cityShort: true), pf.prefix(province: false, districtShort: true),
                          pf.prefix(province: true, provinceShort: true), pf.prefix(province: true, cityShort: true)]),
            ]
            for (k, prefix) in forms.enumerated() {
                let text = prefix + q.text
                let top = service.geocode(text, focus: nil, limit: 1, snapshot: snapshot).first
                prefixed[k].1.n += 1
                if correct(top, q, snapshot) { prefixed[k].1.ok += 1 } else if prefixed[k].1.misses.count < misses {
                    prefixed[k].1.misses.append("\(text) → \(top.map { "\($0.result.level.rawValue) \($0.result.formatted)" } ?? "nothing")")
                }
            }
        }
        // Prefixes naming another province's city: flagged, never matched to a local namesake.
        let table = AdminDivisionTable.national
        let ownProvince = String(pf.cityCode.prefix(2))
        let others = table.divisions.filter { $0.level == .city && !$0.isSynthetic && !$0.code.hasPrefix(ownProvince) }
        var flagged = Tally(), matchedLocally = 0
        for q in plain {
            let c = rng.pick(others)
            guard let p = c.parentCode.flatMap(table.division(code:)) else { continue }
            let short = c.short.isEmpty ? c.name : c.short, pshort = p.short.isEmpty ? p.name : p.short
            let prefix = rng.pick([p.name == c.name ? c.name : p.name + c.name, c.name, short, pshort == short ? short : pshort + short])
            let text = prefix + q.text
            let results = service.geocode(text, focus: nil, limit: 5, snapshot: snapshot)
            flagged.n += 1
            if results.first?.result.outOfArea == true { flagged.ok += 1 } else if flagged.misses.count < misses {
                flagged.misses.append("\(text) → \(results.first.map { "\($0.result.level.rawValue) \($0.result.formatted)" } ?? "nothing")")
            }
            if results.contains(where: { $0.result.hasPoint }) { matchedLocally += 1 }
        }
        // Places and types inside held-out work-order sentences.
        let sentences = generator.workOrderSentences(querySeed: seed ^ 0x5E17, count: sentences)
        let taxonomy = DispatchSettings().taxonomy
        for s in sentences.prefix(100) { _ = service.extract(s.text, focus: nil, limit: 1, snapshot: snapshot) }
        var byForm: [String: Tally] = [:], formOrder: [String] = []
        var exactSpan = 0, latencies: [Double] = []
        var types = Tally(), unproposed = 0
        for s in sentences {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let m = service.extract(s.text, focus: nil, limit: 1, snapshot: snapshot)
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            if byForm[s.form] == nil { formOrder.append(s.form) }
            let level = s.form.hasPrefix("交叉口") ? "道路交叉口" : s.form.hasPrefix("兴趣点") ? "兴趣点" : "门址"
            let q = GeocodeBenchQuery(text: s.text, form: s.form, level: level, truth: s.truth, areaCode: nil)
            var f = byForm[s.form] ?? Tally()
            f.n += 1
            if correct(m?.results.first, q, snapshot) { f.ok += 1 } else if f.misses.count < misses {
                f.misses.append("\(s.text) → \(m.map { "[\($0.text)] \($0.results.first?.result.formatted ?? "")" } ?? "nothing")")
            }
            byForm[s.form] = f
            if m?.text == s.mention { exactSpan += 1 }
            let proposal = taxonomy.classify(s.text)
            types.n += 1
            if proposal?.type == s.type { types.ok += 1 } else {
                if proposal == nil { unproposed += 1 }
                if types.misses.count < misses { types.misses.append("\(s.text) → \(proposal?.type ?? "none") (want \(s.type))") }
            }
        }
        latencies.sort()
        func pct(_ p: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        let all = byForm.values.reduce(Tally()) { Tally(n: $0.n + $1.n, ok: $0.ok + $1.ok) }

        var out = "\n\(pf.prefix(province: true)) (\(pf.districtCode)): prefixes, out of area, places inside work-order text\n"
        out += "form              n   top-1 grid   (goal ≥ 95%)\n"
        for (form, t) in prefixed {
            out += "\(form.padding(toLength: 8, withPad: "　", startingAt: 0))  \(String(format: "%5d", t.n))   \(t.percent)\n"
            for e in t.misses { out += "    miss: \(e)\n" }
        }
        out += String(format: "区外前缀 (another province's city): %d, %.1f%% flagged out_of_area (goal ≥ 99%%), %d matched locally (goal 0)\n",
                      flagged.n, 100 * flagged.rate, matchedLocally)
        for e in flagged.misses { out += "    miss: \(e)\n" }
        out += "work-order sentences (seed \(seed ^ 0x5E17)): \(all.n), top-1 grid \(all.percent) (goal ≥ 90%), "
            + String(format: "mention words exact %.1f%%\n", 100 * Double(exactSpan) / Double(max(all.n, 1)))
        for form in formOrder {
            let t = byForm[form]!
            out += "    \(form.padding(toLength: 8, withPad: "　", startingAt: 0))  \(String(format: "%5d", t.n))   \(t.percent)\n"
            for e in t.misses { out += "      miss: \(e)\n" }
        }
        out += String(format: "extraction latency in-process: p50 %.3f ms  p99 %.3f ms (goal p99 ≤ 5)\n", pct(0.5), pct(0.99))
        out += "type proposals on the same sentences: \(types.n), right \(types.percent) (goal ≥ 85%), none proposed \(unproposed)\n"
        for e in types.misses { out += "    miss: \(e)\n" }
        var forms = JSONObject()
        for (form, t) in prefixed { forms[form] = .number(t.rate) }
        for form in formOrder { forms["句子·" + form] = .number(byForm[form]!.rate) }
        let json = JSONValue.object(JSONObject([
            ("city", .string(pf.prefix(province: true))), ("prefixed", .object(forms)),
            ("out_of_area_flagged_rate", .number(flagged.rate)), ("out_of_area_matched_locally", .number(Double(matchedLocally))),
            ("sentences", .number(Double(all.n))), ("sentence_grid_ok_rate", .number(all.rate)),
            ("mention_exact_rate", .number(Double(exactSpan) / Double(max(all.n, 1)))),
            ("extract_p50_ms", .number(pct(0.5))), ("extract_p99_ms", .number(pct(0.99))),
            ("type_right_rate", .number(types.rate)),
        ]))
        return TextReport(text: out, json: json)
    }
}
