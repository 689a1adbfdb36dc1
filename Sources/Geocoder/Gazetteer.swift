import Geo

/// Everything the geocoder knows, with its lookup structures: admin areas,
/// roads, house-number addresses and POIs, all names normalized once.
/// Immutable and `Sendable`; built from the city snapshot (in CityOps)
/// and rebuilt when those layers change.
public struct Gazetteer: Sendable {
    public let normalizer: AddressNormalizer
    public let admins: [AdminEntry]
    public let roads: [RoadEntry]
    public let addresses: [AddressEntry]
    public let pois: [POIEntry]
    /// The national table of divisions and the part of it this deployment covers.
    public let divisions: AdminDivisionTable
    public let area: DeploymentArea

    let adminByName: [String: [Int]]
    let adminByShortName: [String: [Int]]
    let adminByCode: [String: Int]
    let longestAdminName: Int
    /// Normalized road name → road indices (a name may have several features).
    let roadsByName: [String: [Int]]
    let roadNames: [String]
    let longestRoadName: Int
    let roadsOfLength: [Int: [[Character]]]
    /// Normalized road name → (number, address index), by number.
    let addressesByRoad: [String: [(number: Int, index: Int)]]
    /// Normalized POI name or alias → POI indices; `isAlias` for keys that are only aliases.
    let poiByKey: [String: [Int]]
    let poiKeys: [String]
    let poiKeyIndex: BigramIndex
    /// Autocomplete: normalized keys in sorted order with what they name.
    let suggestions: [Suggestion]
    /// Province and city (from the national table, by code) of each admin entry.
    let adminRegions: [DivisionRegion]
    /// A point for a province or city of the deployment: the mean of its districts' points.
    let regionPoints: [String: Coordinate]
    let longestPOIKey: Int
    /// First characters of every admin, road, POI and division name: where a
    /// location mention inside free text can start.
    let nameStarts: Set<Character>
    /// The first two characters of every such name: most positions of a sentence start none.
    let nameHeads: Set<String>

    public struct Suggestion: Sendable {
        public enum Kind: Int, Sendable { case admin = 0, road, poi, address }
        public var key: String
        public var text: String
        public var kind: Kind
        public var index: Int
    }

    public init(admins: [AdminEntry], roads: [RoadEntry], addresses: [AddressEntry], pois: [POIEntry],
                normalizer: AddressNormalizer = AddressNormalizer(), divisions: AdminDivisionTable = .national) {
        self.normalizer = normalizer
        self.admins = admins; self.roads = roads; self.addresses = addresses; self.pois = pois
        self.divisions = divisions
        area = DeploymentArea(admins: admins, table: divisions)
        adminRegions = admins.map { divisions.region(ofCode: $0.code) }
        var sums: [String: (x: Double, y: Double, n: Double)] = [:]
        for (a, r) in zip(admins, adminRegions) where a.level == .district && a.point.x.isFinite && a.point.y.isFinite {
            for code in [r.province, r.city].compactMap({ $0 }) {
                let s = sums[code] ?? (0, 0, 0)
                sums[code] = (s.x + a.point.x, s.y + a.point.y, s.n + 1)
            }
        }
        regionPoints = sums.mapValues { Coordinate($0.x / $0.n, $0.y / $0.n) }
        var byName: [String: [Int]] = [:], byShort: [String: [Int]] = [:], byCode: [String: Int] = [:]
        var longest = 0
        for (i, a) in admins.enumerated() {
            let n = normalizer.normalizeName(a.name)
            byName[n, default: []].append(i)
            byCode[a.code] = i
            longest = max(longest, n.count)
            if let short = Self.shortName(n, a.level), short.count >= 2 { byShort[short, default: []].append(i) }
        }
        adminByName = byName; adminByShortName = byShort; adminByCode = byCode; longestAdminName = longest
        var rByName: [String: [Int]] = [:]
        for (i, r) in roads.enumerated() { rByName[normalizer.normalizeName(r.name), default: []].append(i) }
        roadsByName = rByName
        roadNames = rByName.keys.sorted()
        longestRoadName = roadNames.map(\.count).max() ?? 0
        roadsOfLength = Dictionary(grouping: roadNames.map(Array.init), by: \.count)
        var aByRoad: [String: [(number: Int, index: Int)]] = [:]
        for (i, a) in addresses.enumerated() { aByRoad[normalizer.normalizeName(a.road), default: []].append((a.number, i)) }
        for k in aByRoad.keys { aByRoad[k]!.sort { $0.number < $1.number || ($0.number == $1.number && $0.index < $1.index) } }
        addressesByRoad = aByRoad
        var pByKey: [String: [Int]] = [:]
        for (i, p) in pois.enumerated() {
            var keys = Set([normalizer.normalizeName(p.name)])
            for a in p.aliases { keys.insert(normalizer.normalizeName(a)) }
            // A branch "肯德基(荆翠店)" is also known as alias + branch: "KFC荆翠店".
            if let open = p.name.firstIndex(where: { $0 == "(" || $0 == "（" }), p.name.hasSuffix("店)") || p.name.hasSuffix("店）") {
                let branch = normalizer.normalizeName(String(p.name[open...]))
                for a in p.aliases { keys.insert(normalizer.normalizeName(a) + branch) }
            }
            for k in keys where !k.isEmpty { pByKey[k, default: []].append(i) }
        }
        poiByKey = pByKey
        poiKeys = pByKey.keys.sorted()
        longestPOIKey = poiKeys.map(\.count).max() ?? 0
        poiKeyIndex = BigramIndex(poiKeys)
        var sugg: [Suggestion] = []
        for (i, a) in admins.enumerated() { sugg.append(Suggestion(key: normalizer.normalizeName(a.name), text: a.name, kind: .admin, index: i)) }
        for (name, idx) in rByName { sugg.append(Suggestion(key: name, text: roads[idx[0]].name, kind: .road, index: idx[0])) }
        for (i, p) in pois.enumerated() {
            sugg.append(Suggestion(key: normalizer.normalizeName(p.name), text: p.name, kind: .poi, index: i))
            for a in p.aliases { sugg.append(Suggestion(key: normalizer.normalizeName(a), text: p.name, kind: .poi, index: i)) }
        }
        for (i, a) in addresses.enumerated() { sugg.append(Suggestion(key: normalizer.normalizeName(a.full), text: a.full, kind: .address, index: i)) }
        sugg.sort { $0.key < $1.key || ($0.key == $1.key && ($0.kind.rawValue, $0.index) < ($1.kind.rawValue, $1.index)) }
        suggestions = sugg
        var starts = Set(divisions.byKey.keys.compactMap(\.first))
        for k in byName.keys { if let c = k.first { starts.insert(c) } }
        for k in rByName.keys { if let c = k.first { starts.insert(c) } }
        for k in pByKey.keys { if let c = k.first { starts.insert(c) } }
        nameStarts = starts
        var heads = Set<String>()
        for k in [Array(divisions.byKey.keys), Array(byName.keys), Array(rByName.keys), Array(pByKey.keys)].joined() where k.count >= 2 {
            heads.insert(String(k.prefix(2)))
        }
        nameHeads = heads
    }

    /// 猛追湾街道 → 猛追湾, 安华社区 → 安华, 锦华区 → 锦华.
    static func shortName(_ n: String, _ level: AdminLevel) -> String? {
        for suffix in ["街道办事处", "街道", "社区居委会", "社区", "区", "县", "镇", "乡"] where n.hasSuffix(suffix) && n.count > suffix.count + 1 {
            if level == .grid { return nil }
            return String(n.dropLast(suffix.count))
        }
        return nil
    }

    public func admin(code: String) -> AdminEntry? { adminByCode[code].map { admins[$0] } }

    /// The district codes a road passes through, sorted and joined ("" when none is known).
    func districtCodes(ofRoad i: Int) -> String {
        roads[i].adminCodes.filter { admin(code: $0)?.level == .district }.sorted().joined(separator: ",")
    }
}

extension AddressNormalizer {
    /// Gazetteer names: the same canonical form, keeping every character.
    func normalizeName(_ s: String) -> String { normalize(s, stripPrefixes: false) }
}

extension Gazetteer {
    /// Whether `text` starts with a known admin name (2 characters or more).
    /// An empty or one-character text starts with none: the length range is
    /// built only when it is non-empty (a bare city prefix once trapped here).
    func startsWithAdminName(_ text: String) -> Bool {
        let longest = min(longestAdminName, text.count)
        guard longest >= 2 else { return false }
        let chars = Array(text.prefix(longest))
        for len in stride(from: longest, through: 2, by: -1) where adminByName[String(chars[0..<len])] != nil { return true }
        return false
    }

    /// Whether a loaded district's short name (<name> without 区/县) starts `chars` at `start`.
    func startsWithDistrictShortName(_ chars: [Character], from start: Int) -> Bool {
        let longest = min(longestAdminName, chars.count - start)
        guard longest >= 2 else { return false }
        for len in stride(from: longest, through: 2, by: -1) {
            if let hits = adminByShortName[String(chars[start..<(start + len)])], hits.contains(where: { admins[$0].level == .district }) {
                return true
            }
        }
        return false
    }

    /// The length of the longest local admin, road or POI name that starts
    /// `chars` at `start` (0 when none): a division name shorter than it is part
    /// of that local name, not a prefix (a road named after a city).
    func longestLocalName(_ chars: [Character], from start: Int) -> Int {
        let longest = min(max(longestAdminName, longestRoadName, longestPOIKey), chars.count - start)
        guard longest >= 2 else { return 0 }
        for len in stride(from: longest, through: 2, by: -1) {
            let s = String(chars[start..<(start + len)])
            if adminByName[s] != nil || roadsByName[s] != nil || poiByKey[s] != nil { return len }
        }
        return 0
    }
}
