import Geo

/// Everything the geocoder knows, with its lookup structures: admin areas,
/// roads, house-number addresses and POIs, all names normalized once.
/// Immutable and `Sendable`; built from the city snapshot (in CityOps).
/// Made of four parts (`AdminPart`, `RoadPart`, `AddressPart`, `POIPart`), each
/// with its own lookups, so a change of one source layer kind rebuilds only
/// that part; answers merge the parts as one gazetteer would.
public struct Gazetteer: Sendable {
    public let normalizer: AddressNormalizer
    public let adminPart: AdminPart
    public let roadPart: RoadPart
    public let addressPart: AddressPart
    public let poiPart: POIPart

    public var admins: [AdminEntry] { adminPart.entries }
    public var roads: [RoadEntry] { roadPart.entries }
    public var addresses: [AddressEntry] { addressPart.entries }
    public var pois: [POIEntry] { poiPart.entries }
    /// The national table of divisions and the part of it this deployment covers.
    public var divisions: AdminDivisionTable { adminPart.divisions }
    public var area: DeploymentArea { adminPart.area }

    var adminByName: [String: [Int]] { adminPart.byName }
    var adminByShortName: [String: [Int]] { adminPart.byShortName }
    var adminByCode: [String: Int] { adminPart.byCode }
    var longestAdminName: Int { adminPart.longestName }
    var roadsByName: [String: [Int]] { roadPart.byName }
    var longestRoadName: Int { roadPart.longestName }
    var roadsOfLength: [Int: [[Character]]] { roadPart.namesOfLength }
    var addressesByRoad: [String: [(number: Int, index: Int)]] { addressPart.byRoad }
    var poiByKey: [String: [Int]] { poiPart.byKey }
    var poiKeyIndex: BigramIndex { poiPart.keyIndex }
    var longestPOIKey: Int { poiPart.longestKey }
    var adminRegions: [DivisionRegion] { adminPart.regions }
    var regionPoints: [String: Coordinate] { adminPart.regionPoints }

    public struct Suggestion: Sendable {
        public enum Kind: Int, Sendable { case admin = 0, road, poi, address }
        public var key: String
        public var text: String
        public var kind: Kind
        public var index: Int
    }

    /// All four parts built from entries.
    public init(admins: [AdminEntry], roads: [RoadEntry], addresses: [AddressEntry], pois: [POIEntry],
                normalizer: AddressNormalizer = AddressNormalizer(), divisions: AdminDivisionTable = .national) {
        self.init(admin: AdminPart(admins, divisions: divisions), roads: RoadPart(roads), addresses: AddressPart(addresses),
                  pois: POIPart(pois), normalizer: normalizer)
    }

    /// A gazetteer of parts built separately (and possibly shared with another
    /// gazetteer). Road, address and POI entries carry admin codes: build them
    /// against the admin areas of `admin` for consistent answers.
    public init(admin: AdminPart, roads: RoadPart, addresses: AddressPart, pois: POIPart,
                normalizer: AddressNormalizer = AddressNormalizer()) {
        self.normalizer = normalizer
        adminPart = admin; roadPart = roads; addressPart = addresses; poiPart = pois
    }

    /// Whether an admin, road, POI or division name starts with `c`: where a
    /// location mention inside free text can start.
    func isNameStart(_ c: Character) -> Bool {
        adminPart.nameStarts.contains(c) || roadPart.nameStarts.contains(c) || poiPart.nameStarts.contains(c)
    }

    /// Whether such a name starts with these two characters: most positions of a sentence start none.
    func isNameHead(_ s: String) -> Bool {
        adminPart.nameHeads.contains(s) || roadPart.nameHeads.contains(s) || poiPart.nameHeads.contains(s)
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
