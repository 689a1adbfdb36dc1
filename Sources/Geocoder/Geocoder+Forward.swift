import Foundation
import Geo

extension Geocoder {
    /// Queries longer than this answer nothing (the HTTP routes stop at 200 characters).
    public static let maxQueryLength = 1000
    /// The confidence of an answer naming a division outside the deployment:
    /// below the review threshold (0.6), so such an order always goes to a person.
    public static let outOfAreaConfidence = 0.1

    /// Candidates for a free-text address, best first (at most `limit`).
    /// Ranking: how much of the text was matched and how exactly, then
    /// agreement with admin areas named in the text (candidates outside them
    /// are penalised), then closeness to `focus` when given. The same name in
    /// several areas gives one candidate per area, each less certain.
    /// A text naming a province, city or county outside the deployment answers
    /// that division alone (`outOfArea`), never a local namesake.
    public func geocode(_ text: String, focus: Coordinate? = nil, limit: Int = 5) -> [GeocodeResult] {
        guard text.utf8.count <= 4 * Self.maxQueryLength, text.count <= Self.maxQueryLength else { return [] }
        let p = parse(text)
        if p.outOfArea { return [outOfAreaAnswer(p)] }
        var out: [GeocodeResult] = []
        if let (a, b) = p.intersection { out += intersection(a, b, p) }
        if let road = p.road { out += roadCandidates(road, p, focus) }
        if let t = p.poiText, !t.isEmpty { out += poiCandidates(t, p, focus) }
        // A place named in full, even where a road or admin name starts the text.
        if p.number == nil, p.intersection == nil {
            var tried = Set<String>()
            for t in [p.rest, p.fullText, p.normalized] where tried.insert(t).inserted && !t.isEmpty && t != p.poiText
                && gazetteer.poiByKey[t] != nil {
                out += poiCandidates(t, p, focus)
            }
        }
        if out.isEmpty, let deepest = p.admin.max(by: { $0.key < $1.key }) {
            // Several areas of one name (two districts of one name, no prefix to tell them apart): each less certain.
            let ids = [deepest.value] + (p.adminAlternatives[deepest.key] ?? [])
            let ambiguity = ids.count > 1 ? min(0.3, 0.1 * Double(ids.count)) : 0
            for i in ids {
                let a = gazetteer.admins[i]
                out.append(result(a.point, a.level.matchLevel, "exact", 0.9 - 0.1 * Double(3 - a.level.rawValue) - ambiguity, p,
                                  admin: adminCodes(of: a)))
            }
        }
        if out.isEmpty, p.admin.isEmpty, !p.region.isEmpty { out = regionAnswer(p) }
        // Agreement with the admin areas named in the text.
        let agrees = out.map { consistent($0.admin, p) }
        for k in out.indices where !agrees[k] { out[k].confidence *= 0.5 }
        // The same road or house number in several areas, none ruled out by the text: each is less certain.
        let keys = out.map { r in
            [.address, .road].contains(r.level) ? "\(r.level.rawValue)|\(r.component("road") ?? "")|\(r.component("number") ?? "")" : nil
        }
        var counts: [String: Int] = [:]
        for k in out.indices where agrees[k] { if let key = keys[k] { counts[key, default: 0] += 1 } }
        for k in out.indices where agrees[k] {
            if let key = keys[k], let c = counts[key], c > 1 { out[k].confidence -= min(0.3, 0.1 * Double(c)) }
        }
        if let focus {
            for k in out.indices {
                let d = RoadGeometry.metres(focus, out[k].point)
                out[k].confidence = min(1, out[k].confidence + 0.04 * exp(-d / 3000))
            }
        }
        if p.qualifier != nil { for k in out.indices { out[k].confidence *= 0.97 } }
        for k in out.indices where out[k].region.isEmpty {
            out[k].region = out[k].admin.district.map { gazetteer.divisions.region(ofCode: $0) } ?? p.region
        }
        // Stable order: confidence, then a fixed tie-break on position.
        out.sort { ($0.confidence, -$0.point.x, -$0.point.y) > ($1.confidence, -$1.point.x, -$1.point.y) }
        var seen = Set<String>(), unique: [GeocodeResult] = []
        for r in out where seen.insert("\(r.level.rawValue)|\(r.formatted)|\(r.point.x),\(r.point.y)").inserted { unique.append(r) }
        return Array(unique.prefix(max(1, limit)))
    }

    /// Whether codes agree with the areas the text named (or with one of their namesakes).
    func consistent(_ codes: AdminCodes, _ p: ParsedAddress) -> Bool {
        for (level, i) in p.admin {
            let code = gazetteer.admins[i].code
            let namesakes = (p.adminAlternatives[level] ?? []).map { gazetteer.admins[$0].code }
            if let have = codes[level], have != code, !namesakes.contains(have) { return false }
        }
        return true
    }

    func adminCodes(of a: AdminEntry) -> AdminCodes {
        var codes = AdminCodes()
        var cur: AdminEntry? = a
        while let c = cur {
            switch c.level {
            case .district: codes.district = c.code
            case .street: codes.street = c.code
            case .community: codes.community = c.code
            case .grid: codes.grid = c.code
            }
            cur = c.parentCode.flatMap { gazetteer.admin(code: $0) }
        }
        return codes
    }

    func result(_ point: Coordinate, _ level: MatchLevel, _ type: String, _ confidence: Double, _ p: ParsedAddress,
                admin: AdminCodes, road: String? = nil, number: Int? = nil, poi: String? = nil, label: String? = nil) -> GeocodeResult {
        var comps: [(key: String, value: String)] = []
        for (key, level) in [("district", AdminLevel.district), ("street", .street), ("community", .community), ("grid", .grid)] {
            if let code = admin[level], let a = gazetteer.admin(code: code) { comps.append((key, a.name)) }
        }
        if let road { comps.append(("road", road)) }
        if let number { comps.append(("number", "\(number)号")) }
        if let b = p.building { comps.append(("building", "\(b)栋")) }
        if let u = p.unit { comps.append(("unit", "\(u)单元")) }
        if let poi { comps.append(("poi", poi)) }
        if let q = p.qualifier { comps.append(("qualifier", q)) }
        var formatted = ""
        if let d = admin.district.flatMap({ gazetteer.admin(code: $0) }) { formatted += d.name }
        if let s = admin.street.flatMap({ gazetteer.admin(code: $0) }) { formatted += s.name }
        if let label { formatted += label }
        else if let road { formatted += road + (number.map { "\($0)号" } ?? "") }
        else if let poi { formatted += poi }
        else if level == .grid || level == .community, let code = admin[level == .grid ? .grid : .community], let a = gazetteer.admin(code: code) { formatted += a.name }
        if level == .address {
            if let b = p.building { formatted += "\(b)栋" }
            if let u = p.unit { formatted += "\(u)单元" }
        }
        return GeocodeResult(point: point, level: level, matchType: type, confidence: confidence, formatted: formatted, components: comps, admin: admin)
    }

    // MARK: intersections

    func intersection(_ a: String, _ b: String, _ p: ParsedAddress) -> [GeocodeResult] {
        let g = gazetteer
        guard let ra = g.roadsByName[a], let rb = g.roadsByName[b] else { return [] }
        var out: [GeocodeResult] = []
        for i in ra {
            for j in rb {
                guard let x = RoadGeometry.intersection(g.roads[i].lines, g.roads[j].lines) else { continue }
                let fuzzy = !p.normalized.contains(a) || !p.normalized.contains(b)
                let codes = AdminCodes()
                out.append(result(x, .intersection, fuzzy ? "fuzzy" : "exact", fuzzy ? 0.85 : 0.95, p, admin: codes,
                                  label: "\(g.roads[i].name)与\(g.roads[j].name)交叉口"))
            }
        }
        return out
    }

    // MARK: road + number

    func roadCandidates(_ road: String, _ p: ParsedAddress, _ focus: Coordinate?) -> [GeocodeResult] {
        let g = gazetteer
        var out: [GeocodeResult] = []
        // The matched road first, then typo alternatives (a typo can turn one road's
        // name into another's): asked for only when the number is not on the matched road.
        var names = [road] + p.roadAlternatives
        if let n = p.number, !p.roadFuzzy, !(g.addressesByRoad[road] ?? []).contains(where: { $0.number == n }) {
            names += typoAlternatives(p.rest, except: road).filter { !names.contains($0) }
        }
        for (rank, name) in names.enumerated() {
            let fuzzy = rank == 0 ? p.roadFuzzy : (name != road)
            let penalty = (fuzzy ? 0.12 : 0) + Double(rank) * 0.02
            guard let features = g.roadsByName[name], let first = features.first else { continue }
            let roadName = g.roads[first].name
            // Features of one name in different districts are different roads; segments of one road are one.
            let roadsByArea = Self.firstPerArea(features) { g.districtCodes(ofRoad: $0) }
            if let n = p.number {
                let list = g.addressesByRoad[name] ?? []
                let hits = Self.firstPerArea(list.filter { $0.number == n }.map(\.index)) { g.addresses[$0].admin.district ?? "" }
                if !hits.isEmpty {
                    for i in hits {
                        let a = g.addresses[i]
                        out.append(result(a.point, .address, fuzzy ? "fuzzy" : "exact", 1.0 - penalty, p, admin: a.admin, road: roadName, number: n))
                    }
                } else if let (pt, codes) = interpolate(n, list) {
                    out.append(result(pt, .address, "interpolated", 0.8 - penalty, p, admin: codes, road: roadName, number: n))
                } else {
                    for roadIdx in roadsByArea {
                        guard let mid = RoadGeometry.midpoint(g.roads[roadIdx].lines) else { continue }
                        out.append(result(mid, .road, fuzzy ? "fuzzy" : "exact", 0.55 - penalty, p, admin: AdminCodes(), road: roadName))
                    }
                }
            } else {
                for roadIdx in roadsByArea {
                    guard let mid = RoadGeometry.midpoint(g.roads[roadIdx].lines) else { continue }
                    var codes = AdminCodes()
                    // A road's admin codes are a set; keep the ones the text named so consistency holds.
                    for (level, i) in p.admin where g.roads[roadIdx].adminCodes.contains(g.admins[i].code) {
                        switch level {
                        case .district: codes.district = g.admins[i].code
                        case .street: codes.street = g.admins[i].code
                        case .community: codes.community = g.admins[i].code
                        case .grid: codes.grid = g.admins[i].code
                        }
                    }
                    if p.admin.contains(where: { !g.roads[roadIdx].adminCodes.contains(g.admins[$0.value].code) }) { codes.district = "∅" }
                    out.append(result(mid, .road, fuzzy ? "fuzzy" : "exact", 0.75 - penalty, p, admin: codes, road: roadName))
                }
            }
            if rank == 0, out.contains(where: { $0.level == .address && $0.matchType != "interpolated" }) { break }
        }
        return out
    }

    /// The first of `items` for each distinct area key, in order.
    static func firstPerArea(_ items: [Int], _ area: (Int) -> String) -> [Int] {
        var seen = Set<String>(), out: [Int] = []
        for i in items where seen.insert(area(i)).inserted { out.append(i) }
        return out
    }

    /// A house number between known ones on the same side (same parity),
    /// placed linearly between them; beyond the last known number, the nearest one.
    func interpolate(_ n: Int, _ list: [(number: Int, index: Int)]) -> (Coordinate, AdminCodes)? {
        guard !list.isEmpty else { return nil }
        let side = list.filter { $0.number % 2 == n % 2 }
        let pool = side.isEmpty ? list : side
        let lower = pool.last { $0.number < n }, upper = pool.first { $0.number > n }
        let g = gazetteer
        switch (lower, upper) {
        case let (l?, u?):
            let a = g.addresses[l.index], b = g.addresses[u.index]
            let t = Double(n - l.number) / Double(u.number - l.number)
            let pt = Coordinate(a.point.x + (b.point.x - a.point.x) * t, a.point.y + (b.point.y - a.point.y) * t)
            return (pt, t < 0.5 ? a.admin : b.admin)
        case let (l?, nil): return (g.addresses[l.index].point, g.addresses[l.index].admin)
        case let (nil, u?): return (g.addresses[u.index].point, g.addresses[u.index].admin)
        default: return nil
        }
    }

    // MARK: POIs

    func poiCandidates(_ text: String, _ p: ParsedAddress, _ focus: Coordinate?) -> [GeocodeResult] {
        let g = gazetteer
        var matches: [(poi: Int, score: Double, type: String)] = []
        if let exact = g.poiByKey[text] {
            for i in exact {
                let isName = g.normalizer.normalizeName(g.pois[i].name) == text
                matches.append((i, isName ? 0.95 : 0.9, isName ? "exact" : "alias"))
            }
        } else {
            let q = Array(text)
            for hit in g.poiKeyIndex.search(text, limit: 30, minDice: 0.3) {
                let key = g.poiKeyIndex.name(hit.index)
                let d = BigramIndex.editDistance(q, key, limit: 2)
                var score: Double
                if q.count >= 3 && d <= 1 { score = 0.85 }
                else if key.count >= 2 && (String(q).contains(String(key)) || String(key).hasPrefix(String(q))) { score = 0.6 + 0.25 * hit.dice }
                else { score = 0.55 * hit.dice }
                for i in g.poiByKey[String(key)] ?? [] { matches.append((i, score, "fuzzy")) }
            }
        }
        guard !matches.isEmpty else { return [] }
        // Many places of one name (a chain's "邮局"): each is less certain,
        // and admin areas or the focus decide between them.
        let names = Set(matches.map { g.pois[$0.poi].name })
        let ambiguity = names.count > 1 ? min(0.35, 0.05 * Double(names.count)) : 0
        var out: [GeocodeResult] = []
        for m in matches {
            let poi = g.pois[m.poi]
            out.append(result(poi.point, .poi, m.type, max(0.05, m.score - ambiguity), p, admin: poi.admin, poi: poi.name))
        }
        return out
    }

    // MARK: autocomplete

    /// Up to `limit` (≤ 10) names starting with the typed text: admin areas,
    /// roads, POIs and addresses, nearest to `focus` first when given.
    public func autocomplete(_ text: String, focus: Coordinate? = nil, limit: Int = 10) -> [(text: String, kind: Gazetteer.Suggestion.Kind, point: Coordinate)] {
        let g = gazetteer
        guard text.count <= Self.maxQueryLength else { return [] }
        let key = g.normalizer.normalize(text)
        let cap = min(limit, 10)
        guard !key.isEmpty, cap > 0 else { return [] }
        // Each part's suggestions are sorted; merged they give the one sorted list
        // (key, kind, index) of a single gazetteer, and the same first 5,000.
        let lists = [g.adminPart.suggestions, g.roadPart.suggestions, g.poiPart.suggestions, g.addressPart.suggestions]
        var next = lists.map { list in
            var lo = 0, hi = list.count
            while lo < hi { let mid = (lo + hi) / 2; if list[mid].key < key { lo = mid + 1 } else { hi = mid } }
            return lo
        }
        var picked: [(Gazetteer.Suggestion, Coordinate)] = []
        while picked.count < 5000 {
            var best: Int?
            for j in lists.indices where next[j] < lists[j].count && lists[j][next[j]].key.hasPrefix(key) {
                if let b = best, !Gazetteer.Suggestion.precedes(lists[j][next[j]], lists[b][next[b]]) { continue }
                best = j
            }
            guard let b = best else { break }
            let s = lists[b][next[b]]
            picked.append((s, point(of: s)))
            next[b] += 1
        }
        func rank(_ s: Gazetteer.Suggestion, _ c: Coordinate) -> (Int, Double, Int, Int) {
            let exact = s.key == key ? 0 : 1
            let d = focus.map { RoadGeometry.metres($0, c) } ?? 0
            return (exact, focus == nil ? Double(s.kind.rawValue) : d + Double(s.kind.rawValue) * 200, s.key.count, s.index)
        }
        picked.sort { rank($0.0, $0.1) < rank($1.0, $1.1) }
        var seen = Set<String>(), out: [(text: String, kind: Gazetteer.Suggestion.Kind, point: Coordinate)] = []
        for (s, c) in picked where seen.insert(s.text).inserted {
            out.append((s.text, s.kind, c))
            if out.count == cap { break }
        }
        return out
    }

    func point(of s: Gazetteer.Suggestion) -> Coordinate {
        let g = gazetteer
        switch s.kind {
        case .admin: return g.admins[s.index].point
        case .road: return RoadGeometry.midpoint(g.roads[s.index].lines) ?? Coordinate(0, 0)
        case .poi: return g.pois[s.index].point
        case .address: return g.addresses[s.index].point
        }
    }
}
