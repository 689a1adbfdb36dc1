import Geo
import Testing
@testable import Geocoder

/// A small hand-made city: two crossing roads with numbered addresses,
/// one district → street → community → grid chain, and a few POIs.
enum TinyCity {
    static let district = AdminEntry(level: .district, code: "510199", name: "锦华区", parentCode: "510100", point: Coordinate(104.10, 30.67))
    static let street = AdminEntry(level: .street, code: "510199001", name: "猛追湾街道", parentCode: "510199", point: Coordinate(104.10, 30.67))
    static let otherStreet = AdminEntry(level: .street, code: "510199002", name: "双桥子街道", parentCode: "510199", point: Coordinate(104.12, 30.67))
    static let community = AdminEntry(level: .community, code: "510199001001", name: "安华社区", parentCode: "510199001", point: Coordinate(104.10, 30.67))
    static let grid = AdminEntry(level: .grid, code: "510199001001003", name: "安华社区第3网格", parentCode: "510199001001", point: Coordinate(104.101, 30.671))
    static let inA = AdminCodes(district: "510199", street: "510199001", community: "510199001001", grid: "510199001001003")
    static let inB = AdminCodes(district: "510199", street: "510199002")

    // 建设路 runs east along lat 30.67; 东风南路 runs north along lon 104.105 and shares the vertex (104.105, 30.67).
    static let jianshe = RoadEntry(name: "建设路", lines: [[Coordinate(104.09, 30.67), Coordinate(104.105, 30.67), Coordinate(104.12, 30.67)]], adminCodes: ["510199", "510199001", "510199002"])
    static let dongfeng = RoadEntry(name: "东风南路", lines: [[Coordinate(104.105, 30.66), Coordinate(104.105, 30.67), Coordinate(104.105, 30.68)]], adminCodes: ["510199", "510199002"])

    static var addresses: [AddressEntry] {
        // 建设路 2, 4, 8, 10 (even side, every 0.001°) and 1, 3; 东风南路 5.
        var a: [AddressEntry] = []
        for n in [2, 4, 8, 10] { a.append(AddressEntry(road: "建设路", number: n, full: "建设路\(n)号", point: Coordinate(104.09 + Double(n) * 0.001, 30.6701), admin: inA)) }
        for n in [1, 3] { a.append(AddressEntry(road: "建设路", number: n, full: "建设路\(n)号", point: Coordinate(104.09 + Double(n) * 0.001, 30.6699), admin: inA)) }
        a.append(AddressEntry(road: "东风南路", number: 5, full: "东风南路5号", point: Coordinate(104.1051, 30.675), admin: inB))
        return a
    }

    static let pois = [
        POIEntry(name: "万达广场(建设店)", aliases: ["万达广场", "万达"], category: "商场", point: Coordinate(104.095, 30.671), admin: inA),
        POIEntry(name: "中国邮政(建设店)", aliases: ["邮局"], category: "邮局", point: Coordinate(104.093, 30.671), admin: inA),
        POIEntry(name: "中国邮政(东风店)", aliases: ["邮局"], category: "邮局", point: Coordinate(104.106, 30.679), admin: inB),
        POIEntry(name: "成都银行(双林店)", aliases: [], category: "银行", point: Coordinate(104.11, 30.671), admin: inB),
        POIEntry(name: "中国银行(双林店)", aliases: ["中行"], category: "银行", point: Coordinate(104.111, 30.669), admin: inB),
        POIEntry(name: "肯德基(建设店)", aliases: ["KFC", "肯德基"], category: "餐饮", point: Coordinate(104.097, 30.6695), admin: inA),
    ]

    static let geocoder = Geocoder(Gazetteer(admins: [district, street, otherStreet, community, grid], roads: [jianshe, dongfeng],
                                             addresses: addresses, pois: pois))
}

@Suite struct ParserTests {
    let g = TinyCity.geocoder

    @Test func adminPrefixesAreReadFirstInAnyDepth() {
        let p = g.parse("四川省成都市锦华区猛追湾街道建设路8号")
        #expect(p.admin[.district] != nil && p.admin[.street] != nil)
        #expect(p.road == "建设路" && p.number == 8)
        let bare = g.parse("成都锦华区建设路8号")
        #expect(bare.admin[.district] != nil && bare.road == "建设路")
    }

    @Test func gridNamesFullAndAfterTheirCommunity() {
        #expect(g.parse("安华社区第3网格").admin[.grid] != nil)
        #expect(g.parse("安华社区第三网格").admin[.grid] != nil)
        let p = g.parse("锦华区安华社区第3网格")
        #expect(p.admin[.district] != nil && p.admin[.grid] != nil)
        let split = g.parse("安华社区第3网格")
        #expect(split.admin[.grid] == p.admin[.grid])
    }

    @Test func shortFormsNameAnAreaAlone() {
        #expect(g.parse("猛追湾").admin[.street] != nil)
        #expect(g.parse("安华").admin[.community] != nil)
    }

    @Test(arguments: ["附近", "对面", "旁边", "门口", "东门", "西侧"])
    func qualifiersAreKeptAsAField(_ q: String) {
        let p = g.parse("建设路8号\(q)")
        #expect(p.qualifier == q && p.road == "建设路" && p.number == 8)
    }

    @Test func buildingAndUnit() {
        let p = g.parse("建设路8号2号楼3单元")
        #expect(p.number == 8 && p.building == 2 && p.unit == 3)
        #expect(g.parse("建设路8号七幢").building == 7)
    }

    @Test(arguments: ["建设路与东风南路交叉口", "建设路和东风南路路口", "建设路东风南路路口", "东风南路与建设路十字路口", "建设路与东风南路"])
    func intersections(_ text: String) {
        let p = g.parse(text)
        #expect(p.intersection.map { Set([$0.0, $0.1]) } == ["建设路", "东风南路"], "\(text)")
    }

    @Test func typosInRoadNames() {
        let wrong = g.parse("东风男路5号")     // one wrong character
        #expect(wrong.road == "东风南路" && wrong.roadFuzzy && wrong.number == 5)
        let missing = g.parse("东南路5号")     // one missing character
        #expect(missing.road == "东风南路" && missing.roadFuzzy)
        #expect(g.parse("建路8号").road == nil || g.parse("建路8号").roadFuzzy)  // 3-character names tolerate one edit
    }
}

@Suite struct ForwardGeocodingTests {
    let g = TinyCity.geocoder

    @Test func exactAddressIsTheStoredPoint() throws {
        let r = try #require(g.geocode("建设路8号").first)
        #expect(r.level == .address && r.matchType == "exact" && r.confidence == 1)
        #expect(r.point == Coordinate(104.098, 30.6701))
        #expect(r.component("road") == "建设路" && r.component("number") == "8号")
    }

    @Test func missingNumbersAreInterpolatedOnTheirSide() throws {
        let r = try #require(g.geocode("建设路6号").first)
        #expect(r.level == .address && r.matchType == "interpolated")
        // Halfway between 4 and 8 on the even side.
        #expect(abs(r.point.x - 104.096) < 1e-9 && r.point.y == 30.6701)
        let odd = try #require(g.geocode("建设路2号").first)
        #expect(odd.matchType == "exact")
    }

    @Test func intersectionIsTheSharedVertex() throws {
        let r = try #require(g.geocode("建设路与东风南路交叉口").first)
        #expect(r.level == .intersection && r.point == Coordinate(104.105, 30.67))
    }

    @Test func poisByNameAliasAndBranch() throws {
        #expect(g.geocode("万达广场(建设店)").first?.matchType == "exact")
        let alias = try #require(g.geocode("万达").first)
        #expect(alias.level == .poi && alias.matchType == "alias" && alias.point == Coordinate(104.095, 30.671))
        #expect(g.geocode("KFC建设店").first?.point == Coordinate(104.097, 30.6695))
        #expect(g.geocode("成都银行双林店").first?.component("poi") == "成都银行(双林店)")
    }

    @Test func ambiguousAliasesAreLessCertainAndFollowAdminAreasAndFocus() throws {
        let both = g.geocode("邮局", limit: 5)
        #expect(both.count == 2 && both.allSatisfy { $0.confidence < 0.9 })
        // The named street picks the branch inside it.
        #expect(g.geocode("双桥子街道邮局").first?.component("poi") == "中国邮政(东风店)")
        // A focus near one branch ranks it first.
        #expect(g.geocode("邮局", focus: Coordinate(104.106, 30.679)).first?.component("poi") == "中国邮政(东风店)")
        #expect(g.geocode("邮局", focus: Coordinate(104.093, 30.671)).first?.component("poi") == "中国邮政(建设店)")
    }

    @Test func candidatesOutsideTheNamedAreaArePenalised() throws {
        // 东风南路5号 lies in 双桥子街道; naming 猛追湾街道 lowers its confidence.
        let inside = try #require(g.geocode("双桥子街道东风南路5号").first)
        let outside = try #require(g.geocode("猛追湾街道东风南路5号").first)
        #expect(inside.confidence > outside.confidence)
    }

    @Test func levelsForAreasAndRoads() {
        #expect(g.geocode("安华社区第3网格").first?.level == .grid)
        #expect(g.geocode("安华社区").first?.level == .community)
        #expect(g.geocode("猛追湾街道").first?.level == .street)
        #expect(g.geocode("锦华区").first?.level == .district)
        #expect(g.geocode("东风南路").first?.level == .road)
        let mid = g.geocode("东风南路").first?.point   // halfway along
        #expect(mid.map { abs($0.x - 104.105) < 1e-9 && abs($0.y - 30.67) < 1e-9 } == true)
    }

    @Test func poiNamesTolerateOneWrongOrMissingCharacter() throws {
        let wrong = try #require(g.geocode("万达广常").first)      // 场 → 常
        #expect(wrong.component("poi") == "万达广场(建设店)" && wrong.matchType == "fuzzy")
        let missing = try #require(g.geocode("万广场").first)      // 达 missing
        #expect(missing.component("poi") == "万达广场(建设店)")
    }

    @Test func typoCorrectedAddressesAreFuzzy() throws {
        let r = try #require(g.geocode("东风男路5号").first)
        #expect(r.matchType == "fuzzy" && r.point == Coordinate(104.1051, 30.675) && r.confidence < 1)
    }

    @Test func nonsenseFindsNothingAndOrderIsStable() {
        #expect(g.geocode("zzzz qqqq").isEmpty)
        let a = g.geocode("邮局", limit: 5).map(\.point), b = g.geocode("邮局", limit: 5).map(\.point)
        #expect(a == b)
    }

    @Test func autocompleteByPrefixNearestFocusFirst() {
        let s = g.autocomplete("建设路")
        #expect(s.first?.text == "建设路" && s.count <= 10)
        #expect(s.contains { $0.text == "建设路8号" })
        let near = g.autocomplete("中国邮政", focus: Coordinate(104.106, 30.679))
        #expect(near.first?.text == "中国邮政(东风店)")
        #expect(g.autocomplete("").isEmpty)
    }
}

/// The parser's admin areas and the answers' admin codes, asserted by code
/// (not just "found"): a parse that picks the wrong area of the right level fails.
@Suite struct ParserCodeTests {
    let g = TinyCity.geocoder

    func codes(_ text: String) -> [AdminLevel: String] {
        g.parse(text).admin.mapValues { g.gazetteer.admins[$0].code }
    }

    @Test func prefixesResolveToTheirCodes() {
        #expect(codes("四川省成都市锦华区猛追湾街道建设路8号") == [.district: "510199", .street: "510199001"])
        #expect(codes("锦华区双桥子街道东风南路5号") == [.district: "510199", .street: "510199002"])
        #expect(codes("锦华区安华社区第3网格") == [.district: "510199", .community: "510199001001", .grid: "510199001001003"])
        #expect(codes("安华社区第三网格") == [.community: "510199001001", .grid: "510199001001003"])
        #expect(codes("猛追湾") == [.street: "510199001"])
        #expect(codes("安华") == [.community: "510199001001"])
        #expect(codes("建设路8号").isEmpty)
    }

    /// A street named after an area it does not belong to is not taken as its child.
    @Test func childOfAnotherParentIsNotRead() {
        // 安华社区 belongs to 猛追湾街道, not to 双桥子街道.
        #expect(codes("双桥子街道安华社区")[.community] == nil)
    }

    @Test func answersCarryTheCodesOfTheirAreas() throws {
        let addr = try #require(g.geocode("锦华区建设路8号").first)
        #expect(addr.admin.district == "510199" && addr.admin.street == "510199001" && addr.admin.community == "510199001001"
                && addr.admin.grid == "510199001001003")
        let grid = try #require(g.geocode("安华社区第3网格").first)
        #expect(grid.level == .grid && grid.admin.grid == "510199001001003" && grid.admin.community == "510199001001"
                && grid.admin.street == "510199001" && grid.admin.district == "510199")
        let poi = try #require(g.geocode("中行").first)
        #expect(poi.level == .poi && poi.admin.street == "510199002")
    }
}
