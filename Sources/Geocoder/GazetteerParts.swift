import Geo

/// The admin areas of a `Gazetteer` with their lookups, and the national
/// divisions' name starts. One of four parts built independently: a change of
/// one source layer kind rebuilds only its part and the others are shared
/// (a class, so sharing is by reference and checkable by identity).
public final class AdminPart: Sendable {
    public let entries: [AdminEntry]
    /// The national table of divisions and the part of it this deployment covers.
    public let divisions: AdminDivisionTable
    public let area: DeploymentArea
    let byName: [String: [Int]]
    let byShortName: [String: [Int]]
    let byCode: [String: Int]
    let longestName: Int
    /// Province and city (from the national table, by code) of each entry.
    let regions: [DivisionRegion]
    /// A point for a province or city of the deployment: the mean of its districts' points.
    let regionPoints: [String: Coordinate]
    let suggestions: [Gazetteer.Suggestion]
    /// First characters and first two characters of admin and division names.
    let nameStarts: Set<Character>
    let nameHeads: Set<String>

    public init(_ entries: [AdminEntry], divisions: AdminDivisionTable = .national) {
        let normalizer = AddressNormalizer()
        self.entries = entries
        self.divisions = divisions
        area = DeploymentArea(admins: entries, table: divisions)
        regions = entries.map { divisions.region(ofCode: $0.code) }
        var sums: [String: (x: Double, y: Double, n: Double)] = [:]
        for (a, r) in zip(entries, regions) where a.level == .district && a.point.x.isFinite && a.point.y.isFinite {
            for code in [r.province, r.city].compactMap({ $0 }) {
                let s = sums[code] ?? (0, 0, 0)
                sums[code] = (s.x + a.point.x, s.y + a.point.y, s.n + 1)
            }
        }
        regionPoints = sums.mapValues { Coordinate($0.x / $0.n, $0.y / $0.n) }
        var byName: [String: [Int]] = [:], byShort: [String: [Int]] = [:], byCode: [String: Int] = [:]
        var longest = 0
        var sugg: [Gazetteer.Suggestion] = []
        for (i, a) in entries.enumerated() {
            let n = normalizer.normalizeName(a.name)
            byName[n, default: []].append(i)
            byCode[a.code] = i
            longest = max(longest, n.count)
            if let short = Gazetteer.shortName(n, a.level), short.count >= 2 { byShort[short, default: []].append(i) }
            sugg.append(Gazetteer.Suggestion(key: n, text: a.name, kind: .admin, index: i))
        }
        self.byName = byName; byShortName = byShort; self.byCode = byCode; longestName = longest
        sugg.sort(by: Gazetteer.Suggestion.precedes)
        suggestions = sugg
        var starts = Set(divisions.byKey.keys.compactMap(\.first))
        var heads = Set<String>()
        for k in [Array(divisions.byKey.keys), Array(byName.keys)].joined() {
            if let c = k.first { starts.insert(c) }
            if k.count >= 2 { heads.insert(String(k.prefix(2))) }
        }
        nameStarts = starts
        nameHeads = heads
    }
}

/// The named roads of a `Gazetteer` with their lookups (see `AdminPart`).
public final class RoadPart: Sendable {
    public let entries: [RoadEntry]
    /// Normalized road name → road indices (a name may have several features).
    let byName: [String: [Int]]
    let names: [String]
    let longestName: Int
    let namesOfLength: [Int: [[Character]]]
    let suggestions: [Gazetteer.Suggestion]
    let nameStarts: Set<Character>
    let nameHeads: Set<String>

    public init(_ entries: [RoadEntry]) {
        let normalizer = AddressNormalizer()
        self.entries = entries
        var byName: [String: [Int]] = [:]
        for (i, r) in entries.enumerated() { byName[normalizer.normalizeName(r.name), default: []].append(i) }
        self.byName = byName
        names = byName.keys.sorted()
        longestName = names.map(\.count).max() ?? 0
        namesOfLength = Dictionary(grouping: names.map(Array.init), by: \.count)
        var sugg = byName.map { Gazetteer.Suggestion(key: $0.key, text: entries[$0.value[0]].name, kind: .road, index: $0.value[0]) }
        sugg.sort(by: Gazetteer.Suggestion.precedes)
        suggestions = sugg
        nameStarts = Set(names.compactMap(\.first))
        nameHeads = Set(names.lazy.filter { $0.count >= 2 }.map { String($0.prefix(2)) })
    }
}

/// The house-number addresses of a `Gazetteer` with their lookups (see `AdminPart`).
public final class AddressPart: Sendable {
    public let entries: [AddressEntry]
    /// Normalized road name → (number, address index), by number.
    let byRoad: [String: [(number: Int, index: Int)]]
    let suggestions: [Gazetteer.Suggestion]

    public init(_ entries: [AddressEntry]) {
        let normalizer = AddressNormalizer()
        self.entries = entries
        var byRoad: [String: [(number: Int, index: Int)]] = [:]
        // Many addresses share a road: normalize each road name once.
        var roadKey: [String: String] = [:]
        var sugg: [Gazetteer.Suggestion] = []
        sugg.reserveCapacity(entries.count)
        for (i, a) in entries.enumerated() {
            let k: String
            if let known = roadKey[a.road] { k = known } else { k = normalizer.normalizeName(a.road); roadKey[a.road] = k }
            byRoad[k, default: []].append((a.number, i))
            sugg.append(Gazetteer.Suggestion(key: normalizer.normalizeName(a.full), text: a.full, kind: .address, index: i))
        }
        for k in byRoad.keys { byRoad[k]!.sort { $0.number < $1.number || ($0.number == $1.number && $0.index < $1.index) } }
        self.byRoad = byRoad
        sugg.sort(by: Gazetteer.Suggestion.precedes)
        suggestions = sugg
    }
}

/// The POIs of a `Gazetteer` with their lookups and bigram index (see `AdminPart`).
public final class POIPart: Sendable {
    public let entries: [POIEntry]
    /// Normalized POI name, alias or alias + branch → POI indices.
    let byKey: [String: [Int]]
    let keys: [String]
    let keyIndex: BigramIndex
    let longestKey: Int
    let suggestions: [Gazetteer.Suggestion]
    let nameStarts: Set<Character>
    let nameHeads: Set<String>

    public init(_ entries: [POIEntry]) {
        let normalizer = AddressNormalizer()
        self.entries = entries
        var byKey: [String: [Int]] = [:]
        var sugg: [Gazetteer.Suggestion] = []
        for (i, p) in entries.enumerated() {
            let name = normalizer.normalizeName(p.name)
            let aliases = p.aliases.map(normalizer.normalizeName)
            var keys = Set([name])
            for a in aliases { keys.insert(a) }
            // A branch "肯德基(荆翠店)" is also known as alias + branch: "KFC荆翠店".
            if let open = p.name.firstIndex(where: { $0 == "(" || $0 == "（" }), p.name.hasSuffix("店)") || p.name.hasSuffix("店）") {
                let branch = normalizer.normalizeName(String(p.name[open...]))
                for a in aliases { keys.insert(a + branch) }
            }
            for k in keys where !k.isEmpty { byKey[k, default: []].append(i) }
            sugg.append(Gazetteer.Suggestion(key: name, text: p.name, kind: .poi, index: i))
            for a in aliases { sugg.append(Gazetteer.Suggestion(key: a, text: p.name, kind: .poi, index: i)) }
        }
        self.byKey = byKey
        keys = byKey.keys.sorted()
        longestKey = keys.map(\.count).max() ?? 0
        keyIndex = BigramIndex(keys)
        sugg.sort(by: Gazetteer.Suggestion.precedes)
        suggestions = sugg
        nameStarts = Set(keys.compactMap(\.first))
        nameHeads = Set(keys.lazy.filter { $0.count >= 2 }.map { String($0.prefix(2)) })
    }
}

extension Gazetteer.Suggestion {
    /// Autocomplete order: key, then kind, then index.
    static func precedes(_ a: Self, _ b: Self) -> Bool {
        a.key < b.key || (a.key == b.key && (a.kind.rawValue, a.index) < (b.kind.rawValue, b.index))
    }
}
