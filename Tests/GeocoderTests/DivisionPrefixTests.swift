import Geo
import Testing
@testable import Geocoder

/// Small deployments in several cities, built from real codes of the national
/// table: each has districts, one 建设路 with numbers, so a prefix naming
/// another place must not reach that road.
enum Deployments {
    static func district(_ code: String, _ name: String, _ x: Double) -> AdminEntry {
        AdminEntry(level: .district, code: code, name: name, parentCode: nil, point: Coordinate(x, 30))
    }

    /// 建设路 inside each district given (one feature per district), 2号 and 8号 on each.
    static func geocoder(_ districts: [AdminEntry]) -> Geocoder {
        var roads: [RoadEntry] = [], addresses: [AddressEntry] = []
        for d in districts {
            let x = d.point.x
            roads.append(RoadEntry(name: "建设路", lines: [[Coordinate(x - 0.01, 30), Coordinate(x + 0.01, 30)]], adminCodes: [d.code]))
            for n in [2, 8] {
                addresses.append(AddressEntry(road: "建设路", number: n, full: "建设路\(n)号", point: Coordinate(x + Double(n) * 0.001, 30),
                                              admin: AdminCodes(district: d.code)))
            }
        }
        return Geocoder(Gazetteer(admins: districts, roads: roads, addresses: addresses, pois: []))
    }

    static let shenzhen = geocoder([district("440305", "南山区", 113.93), district("440304", "福田区", 114.05)])
    static let chongqing = geocoder([district("500105", "江北区", 106.57)])
    static let wuhu = geocoder([district("340210", "湾沚区", 118.57)])
    /// Two districts of one name in two provinces.
    static let twoNanshan = geocoder([district("440305", "南山区", 113.93), district("230404", "南山区", 130.28)])
}

@Suite struct DivisionPrefixTests {
    func top(_ g: Geocoder, _ q: String, focus: Coordinate? = nil) -> GeocodeResult? { g.geocode(q, focus: focus).first }

    @Test(arguments: ["广东省深圳市南山区", "广东深圳南山", "深圳市南山区", "深圳南山区", "广东省南山区", "广东深圳市南山区", "南山区",
                      "中国广东省深圳市南山区", "中华人民共和国广东省深圳市南山区"])
    func provinceAndCityPrefixesInAnyFormAreConsumed(_ q: String) throws {
        let r = try #require(top(Deployments.shenzhen, q), "\(q)")
        #expect(r.level == .district && r.admin.district == "440305" && !r.outOfArea, "\(q)")
        #expect(r.region == DivisionRegion(province: "440000", city: "440300", county: nil) || r.region.city == "440300")
    }

    @Test(arguments: ["广东省深圳市南山区建设路8号", "广东深圳南山建设路8号", "深圳市南山区建设路8号", "深圳南山区建设路8号", "深圳南山建设路8号"])
    func prefixedAddressesReachTheirDistrict(_ q: String) throws {
        let r = try #require(top(Deployments.shenzhen, q), "\(q)")
        #expect(r.level == .address && r.admin.district == "440305" && !r.outOfArea, "\(q)")
        #expect(r.confidence >= 0.8, "\(q)")
    }

    @Test(arguments: ["重庆市江北区建设路2号", "重庆江北区建设路2号", "重庆江北建设路2号", "重庆市建设路2号", "重庆建设路2号"])
    func municipalityPrefixes(_ q: String) throws {
        let r = try #require(top(Deployments.chongqing, q), "\(q)")
        #expect(r.level == .address && r.admin.district == "500105" && !r.outOfArea, "\(q)")
    }

    @Test(arguments: ["四川省成都市锦华区建设路8号", "四川成都锦华区建设路8号", "成都市锦华区建设路8号", "成都锦华区建设路8号", "四川省锦华区建设路8号",
                      "成都市建设路8号", "成都建设路8号", "四川建设路8号", "中国四川省成都市锦华区建设路8号"])
    func sampleCityPrefixes(_ q: String) throws {
        let r = try #require(top(TinyCity.geocoder, q), "\(q)")
        #expect(r.level == .address && r.point == Coordinate(104.098, 30.6701) && !r.outOfArea, "\(q)")
    }

    /// A county of the deployment's city that the layers do not hold is a prefix too (in area).
    @Test func unloadedCountyOfTheCityIsAnAdminPrefix() throws {
        let r = try #require(top(Deployments.shenzhen, "深圳市罗湖区建设路8号"))
        #expect(!r.outOfArea && r.level == .address)
        let p = Deployments.shenzhen.parse("广东深圳罗湖建设路8号")
        #expect(p.region.county == "440303" && !p.outOfArea && p.road == "建设路")
    }

    @Test(arguments: [
        ("安徽省芜湖市建设路2号", "340200"), ("重庆市江北区建设路2号", "500105"), ("北京市大兴区建设路2号", "110115"),
        ("广东省深圳市南山区建设路2号", "440305"), ("广东深圳建设路2号", "440300"), ("芜湖建设路2号", "340200"),
        ("四川省绵阳市建设路2号", "510700"), ("南山区建设路2号", "440305"), ("广东省", "440000"), ("北京", "110000"),
    ])
    func otherPlacesAreOutOfAreaNeverALocalRoad(_ q: String, _ code: String) throws {
        let all = TinyCity.geocoder.geocode(q, limit: 5)
        let r = try #require(all.first, "\(q)")
        #expect(all.count == 1 && r.outOfArea && r.confidence < 0.6 && r.confidence <= 0.3, "\(q)")
        // 南山区 alone names two counties, both outside: either is reported.
        #expect((r.region.deepest == code || q.hasPrefix("南山区")) && !r.hasPoint && r.component("road") == nil, "\(q)")
        #expect(TinyCity.geocoder.parse(q).outOfArea)
    }

    @Test func outOfAreaInTheOtherDirectionToo() {
        for q in ["四川省成都市锦华区建设路8号", "成都建设路8号", "四川省"] {
            #expect(Deployments.shenzhen.geocode(q).first?.outOfArea == true, "\(q)")
        }
        #expect(Deployments.wuhu.geocode("安徽省芜湖市湾沚区建设路2号").first?.admin.district == "340210")
        #expect(Deployments.wuhu.geocode("芜湖湾沚建设路2号").first?.outOfArea == false)
        #expect(Deployments.wuhu.geocode("安徽省合肥市建设路2号").first?.outOfArea == true)
    }

    @Test func barePrefixesAnswerTheirLevel() throws {
        let city = try #require(top(TinyCity.geocoder, "成都"))
        #expect(city.level == .city && city.region.city == "510100" && !city.outOfArea && city.hasPoint && city.confidence < 0.6)
        let full = try #require(top(TinyCity.geocoder, "四川省成都市"))
        #expect(full.level == .city)
        let province = try #require(top(TinyCity.geocoder, "四川省"))
        #expect(province.level == .province && province.region.province == "510000" && province.hasPoint)
        #expect(TinyCity.geocoder.parse("成都").admin.isEmpty)
    }

    /// Names that start like a division stay names.
    @Test func namesStartingWithADivisionAreKept() {
        #expect(TinyCity.geocoder.geocode("成都银行双林店").first?.component("poi") == "成都银行(双林店)")
        #expect(TinyCity.geocoder.parse("中国银行").region.isEmpty)
        #expect(TinyCity.geocoder.geocode("中行").first?.outOfArea == false)
        // A short county name alone needs a province or city before it.
        #expect(TinyCity.geocoder.parse("城区建设路8号").outOfArea == false)
    }
}

@Suite struct AmbiguityTests {
    let g = Deployments.twoNanshan

    @Test func sameDistrictNameInTwoProvincesGivesTwoLessCertainCandidates() throws {
        let both = g.geocode("南山区", limit: 5)
        #expect(Set(both.map(\.admin.district)) == ["440305", "230404"])
        let alone = try #require(Deployments.shenzhen.geocode("南山区").first)
        #expect(both.allSatisfy { $0.confidence < alone.confidence })
    }

    @Test(arguments: [("广东省深圳市南山区", "440305"), ("深圳南山区", "440305"), ("黑龙江省鹤岗市南山区", "230404"), ("鹤岗南山区", "230404"),
                      ("黑龙江鹤岗南山建设路2号", "230404"), ("广东深圳南山建设路8号", "440305")])
    func aPrefixPicksTheRightOne(_ q: String, _ code: String) throws {
        let r = try #require(g.geocode(q).first, "\(q)")
        #expect(r.admin.district == code && !r.outOfArea, "\(q)")
    }

    @Test func focusPicksTheRightOne() {
        #expect(g.geocode("南山区", focus: Coordinate(113.93, 30)).first?.admin.district == "440305")
        #expect(g.geocode("南山区", focus: Coordinate(130.28, 30)).first?.admin.district == "230404")
    }

    @Test func sameRoadAndNumberInTwoDistricts() throws {
        let roads = g.geocode("建设路", limit: 5)
        #expect(roads.count == 2 && roads.allSatisfy { $0.level == .road && $0.confidence < 0.75 })
        let numbers = g.geocode("建设路2号", limit: 5)
        #expect(Set(numbers.map(\.admin.district)) == ["440305", "230404"] && numbers.allSatisfy { $0.confidence < 1 })
        #expect(g.geocode("建设路2号", focus: Coordinate(130.28, 30)).first?.admin.district == "230404")
        let named = try #require(g.geocode("深圳建设路2号").first)
        #expect(named.admin.district == "440305")
    }
}

/// Bad input: an empty result or a coarse answer, never a trap, in bounded time.
@Suite struct BadInputTests {
    @Test(arguments: ["", " ", "   \t\n", "，。！？、", "()（）【】", "\u{0}\u{1}\u{FFFF}", "省", "市区县", "中国", "中华人民共和国"])
    func emptyOrPunctuationFindsNothing(_ q: String) {
        for g in [TinyCity.geocoder, Deployments.shenzhen] {
            #expect(g.geocode(q).isEmpty, "\(q)")
            _ = g.autocomplete(q)
        }
    }

    @Test func longAndBinaryInputs() {
        let g = TinyCity.geocoder
        // No time limit here (a timed test fails on a busy machine): speed is `citytwin bench geocode`'s.
        for q in [String(repeating: "建", count: 10_000), String(repeating: "四川省成都市", count: 1_700),
                  String(repeating: "建设路与东风南路交叉口", count: 900), String(decoding: (0..<10_000).map { UInt8($0 % 256) }, as: UTF8.self)] {
            #expect(g.geocode(q).isEmpty)
            _ = g.parse(q)
            _ = g.autocomplete(q)
        }
        // At the limit, a long text still answers.
        _ = g.geocode(String(repeating: "建", count: Geocoder.maxQueryLength))
    }

    @Test(arguments: ["广东省", "广东", "四川", "成都市", "重庆", "中国四川", "四川省成都市锦华区"])
    func aPrefixAloneAnswersItsLevelOrNothing(_ q: String) {
        for g in [TinyCity.geocoder, Deployments.shenzhen, Deployments.chongqing] {
            let r = g.geocode(q)
            #expect(r.count <= 1 || r.allSatisfy { $0.level == .district }, "\(q)")
            #expect(r.allSatisfy { $0.confidence <= 0.9 && ($0.outOfArea ? !$0.hasPoint : $0.hasPoint) }, "\(q)")
        }
    }
}
