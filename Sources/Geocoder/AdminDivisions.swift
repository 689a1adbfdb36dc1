/// Levels of the national table of divisions (GB/T 2260): above the
/// gazetteer's own admin layers, which start at the county/district level.
public enum DivisionLevel: Int, Sendable, Comparable {
    case province = 0, city, county

    public static func < (a: DivisionLevel, b: DivisionLevel) -> Bool { a.rawValue < b.rawValue }
}

/// One row of the national table (`AdminDivisionsTable.swift`, generated from
/// `Resources/admin-divisions.tsv`; see the README there).
public struct AdminDivision: Sendable {
    public let code: String
    public let level: DivisionLevel
    public let parentCode: String?
    /// Full official name, the short form people write ("" when it would be one
    /// character or ambiguous), and other spellings (former names, 州/县/旗 variants).
    public let name: String
    public let short: String
    public let aliases: [String]

    /// The city-level rows standing for "county-level units administered by the
    /// province directly": they have no name of their own and are never matched.
    public var isSynthetic: Bool { level == .city && name.hasSuffix("直辖县级行政区划") }
}

/// Province, city and county codes of one place; nil where unknown (a county
/// administered by its province directly has no city).
public struct DivisionRegion: Sendable, Equatable, Hashable {
    public var province: String?
    public var city: String?
    public var county: String?
    public init(province: String? = nil, city: String? = nil, county: String? = nil) {
        self.province = province; self.city = city; self.county = county
    }

    /// The deepest code known.
    public var deepest: String? { county ?? city ?? province }
    public var isEmpty: Bool { province == nil && city == nil && county == nil }
}

/// The national table parsed once, with a name index for reading prefixes.
/// Immutable and `Sendable`; `national` is the table compiled into the binary.
public struct AdminDivisionTable: Sendable {
    public let divisions: [AdminDivision]
    let byCode: [String: Int]
    /// Normalized name → rows it names; `isShort` for forms without a level
    /// suffix, which need more evidence before they are read as a prefix.
    let byKey: [String: [NameHit]]
    let longestKey: Int
    let childCount: [String: Int]

    struct NameHit: Sendable {
        var index: Int
        var isShort: Bool
    }

    /// The table compiled into the binary, parsed on first use.
    public static let national = AdminDivisionTable(tsv: adminDivisionsTSV)

    /// Characters that end a full division name (省, 市, 区, 县, 州, 旗, 盟 …).
    static let levelSuffixes: Set<Character> = ["省", "市", "区", "县", "州", "旗", "盟"]

    /// Rows with a bad code, level or column count are skipped (the generated table has none).
    public init(tsv: String) {
        var rows: [AdminDivision] = []
        for line in tsv.split(separator: "\n", omittingEmptySubsequences: true).dropFirst() {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 6, f[0].count == 6, f[0].allSatisfy(\.isASCII), f[0].allSatisfy(\.isNumber),
                  let level = ["province": DivisionLevel.province, "city": .city, "county": .county][f[1]] else { continue }
            rows.append(AdminDivision(code: f[0], level: level, parentCode: f[2].isEmpty ? nil : f[2], name: f[3], short: f[4],
                                      aliases: f[5].split(separator: "|").map(String.init)))
        }
        divisions = rows
        var codes: [String: Int] = [:], keys: [String: [NameHit]] = [:], children: [String: Int] = [:]
        let n = AddressNormalizer(prefixes: [])
        for (i, d) in rows.enumerated() {
            codes[d.code] = i
            if let parent = d.parentCode, !d.isSynthetic { children[parent, default: 0] += 1 }
            guard !d.isSynthetic else { continue }
            var forms: [(String, Bool)] = [(d.name, false)]
            if !d.short.isEmpty { forms.append((d.short, true)) }
            for a in d.aliases { forms.append((a, !(a.last.map { Self.levelSuffixes.contains($0) } ?? false))) }
            for (form, isShort) in forms {
                let key = n.normalizeName(form)
                guard key.count >= 2, !(keys[key]?.contains { $0.index == i } ?? false) else { continue }
                keys[key, default: []].append(NameHit(index: i, isShort: isShort))
            }
        }
        byCode = codes
        byKey = keys
        longestKey = keys.keys.map(\.count).max() ?? 0
        childCount = children
    }

    public func division(code: String) -> AdminDivision? { byCode[code].map { divisions[$0] } }

    /// The province, city and county of an admin code: the first six digits
    /// name a row of the table, or, for a code the table does not list (a
    /// made-up district), its city and province by code prefix (xxyy00, xx0000).
    /// A municipality's or province's only city stands in when the prefix
    /// names none. Longer codes (streets, communities: 9, 12 digits) work too.
    public func region(ofCode code: String) -> DivisionRegion {
        let six = String(code.prefix(6))
        guard six.count == 6, six.allSatisfy({ $0.isASCII && $0.isNumber }) else { return DivisionRegion() }
        var r = DivisionRegion()
        if let d = division(code: six) {
            switch d.level {
            case .province: r.province = d.code
            case .city:
                r.province = d.parentCode
                if !d.isSynthetic { r.city = d.code }
            case .county:
                r.county = d.code
                if let c = d.parentCode.flatMap(division(code:)) {
                    r.province = c.parentCode
                    if !c.isSynthetic { r.city = c.code }
                }
            }
            return r
        }
        guard let province = division(code: String(six.prefix(2)) + "0000"), province.level == .province else { return r }
        r.province = province.code
        if let c = division(code: String(six.prefix(4)) + "00"), c.level == .city {
            if !c.isSynthetic { r.city = c.code }
        } else {
            let cities = divisions.filter { $0.level == .city && $0.parentCode == province.code && !$0.isSynthetic }
            if cities.count == 1 { r.city = cities[0].code }
        }
        return r
    }

    /// The rows named at the start of `chars` (from `start`) by a key of exactly `length` characters.
    func hits(_ chars: [Character], from start: Int, length: Int) -> [NameHit] {
        guard length >= 2, start + length <= chars.count else { return [] }
        return byKey[String(chars[start..<(start + length)])] ?? []
    }

    /// Whether a division below `parent` (any depth) is named at `start`.
    func startsWithDescendant(_ chars: [Character], from start: Int, of parent: AdminDivision) -> Bool {
        let longest = min(longestKey, chars.count - start)
        guard longest >= 2 else { return false }
        for len in stride(from: longest, through: 2, by: -1) {
            for h in hits(chars, from: start, length: len) where isDescendant(divisions[h.index], of: parent.code) { return true }
        }
        return false
    }

    /// Whether `d` lies below the row `code` (not equal to it).
    func isDescendant(_ d: AdminDivision, of code: String) -> Bool {
        var cur = d.parentCode
        while let c = cur {
            if c == code { return true }
            cur = division(code: c)?.parentCode
        }
        return false
    }

    /// "<province><city><county>" full names, each once (a municipality's
    /// province and city rows share a name), synthetic rows left out.
    public func fullName(_ r: DivisionRegion) -> String {
        var out: [String] = []
        for code in [r.province, r.city, r.county] {
            if let d = code.flatMap(division(code:)), !d.isSynthetic, out.last != d.name { out.append(d.name) }
        }
        return out.joined()
    }
}

/// The provinces, cities and counties a deployment covers, from the codes of
/// its district layer (not from any name written in code). Empty when no
/// district code is known to the national table: then every prefix is taken
/// as in area.
public struct DeploymentArea: Sendable {
    public let provinces: Set<String>
    public let cities: Set<String>
    /// Codes of loaded districts (listed or made-up).
    public let counties: Set<String>

    public var isKnown: Bool { !provinces.isEmpty }

    public init(admins: [AdminEntry], table: AdminDivisionTable) {
        var provinces = Set<String>(), cities = Set<String>(), counties = Set<String>()
        let districts = admins.filter { $0.level == .district }
        for a in districts.isEmpty ? admins : districts {
            let r = table.region(ofCode: a.code)
            if let p = r.province { provinces.insert(p) }
            if let c = r.city { cities.insert(c) }
            if a.level == .district { counties.insert(String(a.code.prefix(6))) }
        }
        self.provinces = provinces; self.cities = cities; self.counties = counties
    }

    /// Whether a division of the table lies in the deployment.
    public func contains(_ d: AdminDivision, in table: AdminDivisionTable) -> Bool {
        guard isKnown else { return true }
        switch d.level {
        case .province: return provinces.contains(d.code)
        case .city: return cities.contains(d.code)
        case .county:
            if counties.contains(d.code) { return true }
            guard let parent = d.parentCode.flatMap(table.division(code:)), !parent.isSynthetic else { return false }
            return cities.contains(parent.code)
        }
    }
}
