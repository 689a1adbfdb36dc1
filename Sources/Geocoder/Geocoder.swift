import Foundation
import Geo

/// Forward geocoding and autocomplete over a `Gazetteer`. Immutable, `Sendable`.
public struct Geocoder: Sendable {
    public let gazetteer: Gazetteer

    public init(_ gazetteer: Gazetteer) { self.gazetteer = gazetteer }

    static let qualifiers = ["东南角", "东北角", "西南角", "西北角", "附近", "对面", "旁边", "门口", "周边", "边上", "一带",
                             "东门", "西门", "南门", "北门", "正门", "后门", "东侧", "西侧", "南侧", "北侧", "楼下", "里面", "后面", "前面",
                             "路边", "处", "外", "旁", "边"].sorted { $0.count > $1.count }
    static let intersectionSuffixes = ["十字路口", "交叉路口", "交叉口", "交汇处", "交口", "路口"]
    static let separators: [Character] = ["与", "和", "跟", "同", "及", "&", "x", "×"]

    // MARK: parsing

    /// Texts over `maxQueryLength` are not read (an empty parse), as `geocode` answers nothing for them.
    public func parse(_ text: String) -> ParsedAddress {
        let g = gazetteer
        var p = ParsedAddress()
        guard text.utf8.count <= 4 * Self.maxQueryLength, text.count <= Self.maxQueryLength else { return p }
        var rest = g.normalizer.normalize(text)
        p.normalized = rest
        // Province, city and county from the national table, then the layers' own areas.
        rest = readDivisions(rest, &p)
        let afterDivisions = rest
        // Admin areas at the front, repeatedly (district, street, community, grid, in any order).
        var progressed = true
        while progressed && !rest.isEmpty {
            progressed = false
            let chars = Array(rest)
            for len in stride(from: min(g.longestAdminName, chars.count), through: 2, by: -1) {
                let prefix = String(chars[0..<len])
                if let hits = g.adminByName[prefix], let i = bestAdmin(hits, p) {
                    let others = consistentAdmins(hits, p).filter { $0 != i && g.admins[$0].level == g.admins[i].level }
                    p.admin[g.admins[i].level] = i
                    if !others.isEmpty { p.adminAlternatives[g.admins[i].level] = others }
                    // A name that starts with its parent's (<社区>第3网格) names the parent too.
                    if let parent = g.admins[i].parentCode.flatMap({ g.adminByCode[$0] }), p.admin[g.admins[parent].level] == nil,
                       prefix.hasPrefix(g.normalizer.normalizeName(g.admins[parent].name)) {
                        p.admin[g.admins[parent].level] = parent
                    }
                    rest = String(chars[len...]); progressed = true
                    break
                }
            }
            // A district's short form (<name> without 区/县) after a province or city prefix, or
            // before a local name; never the start of a longer local name (a road named after it).
            if !progressed, p.admin[.district] == nil, chars.count > 2 {
                let local = g.longestLocalName(chars, from: 0)
                for len in stride(from: min(g.longestAdminName, chars.count - 1), through: 2, by: -1) where local <= len {
                    guard let hits = g.adminByShortName[String(chars[0..<len])]?.filter({ g.admins[$0].level == .district }),
                          let i = bestAdmin(hits, p), !p.region.isEmpty || g.longestLocalName(chars, from: len) > 0 else { continue }
                    p.admin[.district] = i
                    rest = String(chars[len...]); progressed = true
                    break
                }
            }
            // A community followed by 第N网格 names one of its grids.
            if let c = p.admin[.community], let m = rest.firstMatch(of: /^第(\d+)网格/) {
                let gridName = g.normalizer.normalizeName(g.admins[c].name) + "第\(m.1)网格"
                if let hits = g.adminByName[gridName], let i = hits.first {
                    p.admin[.grid] = i
                    rest.removeFirst(m.0.count); progressed = true
                }
            }
        }
        // The whole remainder is a short admin name (猛追湾, 安华).
        if !rest.isEmpty, let hits = g.adminByShortName[rest], let i = bestAdmin(hits, p) {
            let others = consistentAdmins(hits, p).filter { $0 != i && g.admins[$0].level == g.admins[i].level }
            p.admin[g.admins[i].level] = i
            if !others.isEmpty { p.adminAlternatives[g.admins[i].level] = others }
            rest = ""
        }
        // Qualifier at the end (附近, 东门 …), then a dangling 的.
        // (Not the 处 of 交汇处: an intersection word, read below.)
        let endsInIntersection = Self.intersectionSuffixes.contains { rest.hasSuffix($0) }
        for q in Self.qualifiers where !endsInIntersection && rest.hasSuffix(q) && rest.count > q.count {
            p.qualifier = q
            rest.removeLast(q.count)
            break
        }
        if rest.hasSuffix("的") { rest.removeLast() }
        p.rest = rest
        p.fullText = afterDivisions
        if let q = p.qualifier, p.fullText.hasSuffix(q) { p.fullText.removeLast(q.count) }
        guard !rest.isEmpty else { return p }
        // Intersections: "A与B交叉口", "AB路口".
        for suffix in Self.intersectionSuffixes where rest.hasSuffix(suffix) && rest.count > suffix.count + 3 {
            let body = String(rest.dropLast(suffix.count))
            if let pair = splitRoads(body) { p.intersection = pair; return p }
        }
        // "A路与B路" without 路口: two roads joined by a separator.
        if rest.contains(where: { Self.separators.contains($0) }), !rest.contains(where: \.isNumber),
           let pair = splitRoads(rest, separatorOnly: true) { p.intersection = pair; return p }
        // Road, then number, building, unit.
        if let (road, fuzzy, alternatives, used) = matchRoad(at: rest) {
            p.road = road; p.roadFuzzy = fuzzy; p.roadAlternatives = alternatives
            var tail = Substring(rest.dropFirst(used))
            if let m = tail.firstMatch(of: /^(\d+)号/) { p.number = Int(m.1); tail = tail.dropFirst(m.0.count) }
            else if let m = tail.firstMatch(of: /^(\d+)(?=\d*栋|$)/), m.1.count <= 4, tail.count == m.0.count { p.number = Int(m.1); tail = tail.dropFirst(m.0.count) }
            if let m = tail.firstMatch(of: /^(\d+)栋/) { p.building = Int(m.1); tail = tail.dropFirst(m.0.count) }
            if let m = tail.firstMatch(of: /^(\d+)单元/) { p.unit = Int(m.1); tail = tail.dropFirst(m.0.count) }
            tail = tail.drop { $0.isNumber || "楼层室号".contains($0) }
            // Road text directly followed by a place name: "建设路万达广场".
            if !tail.isEmpty && p.number == nil { p.poiText = String(tail) }
            // Only "上"/"中段" and the like after a bare road: still the road.
            return p
        }
        p.poiText = rest
        return p
    }

    /// Among admin entries of one name, the one consistent with areas already read.
    func bestAdmin(_ hits: [Int], _ p: ParsedAddress) -> Int? { consistentAdmins(hits, p).first }

    /// Admin entries of one name consistent with the areas already read: a
    /// level not read yet, under the deepest area read, and inside the
    /// province, city and county read from the national table.
    func consistentAdmins(_ hits: [Int], _ p: ParsedAddress) -> [Int] {
        let g = gazetteer
        return hits.filter { i in
            let a = g.admins[i]
            guard p.admin[a.level] == nil else { return false }
            // The parent read before must be an ancestor.
            if let parent = p.admin.filter({ $0.key < a.level }).max(by: { $0.key < $1.key })?.value,
               !isAncestor(g.admins[parent].code, of: a) { return false }
            let r = g.adminRegions[i]
            for (want, have) in [(p.region.province, r.province), (p.region.city, r.city)] {
                if let want, let have, want != have { return false }
            }
            if let county = p.region.county, a.level == .district, r.county != nil, r.county != county { return false }
            return true
        }
    }

    func isAncestor(_ code: String, of a: AdminEntry) -> Bool {
        var cur: AdminEntry? = a
        while let c = cur, let pc = c.parentCode {
            if pc == code { return true }
            cur = gazetteer.admin(code: pc)
        }
        return false
    }

    /// The road named at the start of `text`: the longest exact name, else a
    /// name one typo away (names of 3+ characters). Returns the road, whether
    /// it was corrected, other candidates, and how many characters were used.
    func matchRoad(at text: String) -> (String, Bool, [String], Int)? {
        let g = gazetteer
        let chars = Array(text)
        let maxLen = min(g.longestRoadName + 1, chars.count)
        guard maxLen >= 2 else { return nil }
        var exact: (String, Int)?
        for len in stride(from: min(g.longestRoadName, chars.count), through: 2, by: -1) {
            let s = String(chars[0..<len])
            if g.roadsByName[s] != nil { exact = (s, len); break }
        }
        // A known road followed by a number or nothing: no need for typo candidates
        // (the forward search asks for them if the number is not on this road).
        if let exact, exact.1 == chars.count || chars[exact.1].isNumber { return (exact.0, false, [], exact.1) }
        // Typo candidates: a prefix of the text within one edit (a wrong,
        // missing or extra character) of a road name of 3+ characters.
        var fuzzy: [(String, Int)] = []
        for len in stride(from: maxLen, through: 2, by: -1) {
            let s = Array(chars[0..<len])
            for nameLen in max(3, len - 1)...(len + 1) {
                for name in g.roadsOfLength[nameLen] ?? [] where BigramIndex.editDistance(s, name, limit: 1) <= 1 {
                    let n = String(name)
                    if n != exact?.0 && !fuzzy.contains(where: { $0.0 == n }) { fuzzy.append((n, len)) }
                }
            }
        }
        // What follows a genuine road is a number, a qualifier or nothing:
        // prefer candidates whose remaining text starts with a digit or is empty.
        func tailScore(_ used: Int) -> Int {
            guard used < chars.count else { return 2 }
            return chars[used].isNumber ? 2 : 0
        }
        if let exact, tailScore(exact.1) > 0 || fuzzy.allSatisfy({ tailScore($0.1) == 0 }) {
            return (exact.0, false, fuzzy.map(\.0), exact.1)
        }
        if let best = fuzzy.max(by: { (tailScore($0.1), $0.1) < (tailScore($1.1), $1.1) }) {
            var alts = fuzzy.filter { $0.0 != best.0 }.map(\.0)
            if let exact { alts.insert(exact.0, at: 0) }
            return (best.0, true, alts, best.1)
        }
        if let exact { return (exact.0, false, [], exact.1) }
        return nil
    }

    /// Roads one edit away from the road text at the start of `text` (other than `except`).
    func typoAlternatives(_ text: String, except: String) -> [String] {
        let chars = Array(text)
        var out: [String] = []
        let maxLen = min(gazetteer.longestRoadName + 1, chars.count)
        guard maxLen >= 2 else { return [] }
        for len in stride(from: maxLen, through: 2, by: -1) {
            let s = Array(chars[0..<len])
            guard len == chars.count || chars[len].isNumber else { continue }
            for nameLen in max(3, len - 1)...(len + 1) {
                for name in gazetteer.roadsOfLength[nameLen] ?? [] where BigramIndex.editDistance(s, name, limit: 1) <= 1 {
                    let n = String(name)
                    if n != except && !out.contains(n) { out.append(n) }
                }
            }
        }
        return out
    }

    /// Splits "A与B" or "AB" into two road names (each exact or one typo away).
    func splitRoads(_ body: String, separatorOnly: Bool = false) -> (String, String)? {
        let chars = Array(body)
        if let k = chars.firstIndex(where: { Self.separators.contains($0) }), k > 1, k < chars.count - 2 {
            let a = String(chars[..<k]), b = String(chars[(k + 1)...])
            if let ra = resolveRoad(a), let rb = resolveRoad(b) { return (ra, rb) }
        }
        if separatorOnly { return nil }
        for k in stride(from: chars.count - 2, through: 2, by: -1) {
            let a = String(chars[..<k]), b = String(chars[k...])
            if gazetteer.roadsByName[a] != nil, gazetteer.roadsByName[b] != nil { return (a, b) }
        }
        for k in stride(from: chars.count - 2, through: 2, by: -1) {
            if let ra = resolveRoad(String(chars[..<k])), let rb = resolveRoad(String(chars[k...])) { return (ra, rb) }
        }
        return nil
    }

    /// A whole text as one road name: exact, or one edit away (3+ characters).
    func resolveRoad(_ s: String) -> String? {
        if gazetteer.roadsByName[s] != nil { return s }
        let q = Array(s)
        guard q.count >= 2 else { return nil }
        for nameLen in max(3, q.count - 1)...(q.count + 1) {
            for name in gazetteer.roadsOfLength[nameLen] ?? [] where BigramIndex.editDistance(q, name, limit: 1) <= 1 { return String(name) }
        }
        return nil
    }
}
