import Geo
import Testing
@testable import Geocoder

/// Places inside free-text work orders (`Geocoder.extract`), on the tiny city.
@Suite struct ExtractTests {
    let g = TinyCity.geocoder

    /// The span, checked independently: the code points of the input between start and end are the text.
    func check(_ sentence: String, _ expected: String, level: MatchLevel? = nil) {
        guard let m = g.extract(sentence) else { Issue.record("nothing found in \(sentence)"); return }
        let scalars = Array(sentence.unicodeScalars)
        let cut = String(String.UnicodeScalarView(scalars[m.span.start..<m.span.end]))
        #expect(cut == m.text, "\(sentence): span \(m.span) cuts \(cut), text \(m.text)")
        #expect(m.text == expected, "\(sentence): found \(m.text)")
        if let level { #expect(m.results.first?.level == level, "\(sentence): \(String(describing: m.results.first?.level))") }
    }

    @Test func addressInsideASentence() {
        check("市民反映建设路2号门口有人占道经营，请处理", "建设路2号门口", level: .address)
        check("建设路八号附近垃圾无人清运", "建设路八号附近", level: .address)
        check("来电人称：在东风南路5号3栋2单元楼下噪音扰民。", "东风南路5号3栋2单元楼下", level: .address)
        let m = g.extract("市民反映建设路2号门口有人占道经营")!
        #expect(m.span == TextSpan(start: 4, end: 11))
        // The same point as geocoding the address alone.
        #expect(m.results.first?.point == g.geocode("建设路2号").first?.point)
    }

    @Test func intersectionInItsColloquialForms() {
        for s in ["在建设路和东风南路路口有井盖缺失", "建设路与东风南路交叉口井盖缺失", "建设路东风南路口有井盖缺失",
                  "建设路跟东风南路十字路口井盖缺失", "在建设路与东风南路交汇处有井盖缺失"] {
            guard let m = g.extract(s) else { Issue.record("nothing in \(s)"); continue }
            #expect(m.results.first?.level == .intersection, "\(s) → \(m.text)")
            #expect(m.results.first.map { abs($0.point.x - 104.105) < 1e-9 && abs($0.point.y - 30.67) < 1e-9 } == true, "\(s)")
        }
        check("在建设路和东风南路路口有井盖缺失", "建设路和东风南路路口")
        check("建设路东风南路口有井盖缺失", "建设路东风南路口")
    }

    @Test func poiWithQualifier() {
        check("万达广场对面有人乱扔垃圾", "万达广场对面", level: .poi)
        check("反映肯德基门口共享单车乱停放", "肯德基门口", level: .poi)
    }

    @Test func prefixesStayInTheSpan() {
        check("市民反映四川省成都市锦华区建设路2号路灯不亮", "四川省成都市锦华区建设路2号", level: .address)
        check("成都锦华区建设路2号路灯不亮", "成都锦华区建设路2号", level: .address)
    }

    @Test func outOfAreaMentionIsFlaggedNotMatched() {
        let m = g.extract("市民反映安徽省芜湖市建设路2号有井盖缺失")
        #expect(m?.text == "安徽省芜湖市建设路2号")
        #expect(m?.results.first?.outOfArea == true)
        #expect(m?.results.first?.hasPoint == false)
    }

    @Test func gridNamedInWords() {
        check("安华社区第三网格有违章停车", "安华社区第三网格", level: .grid)
    }

    @Test func theMostCertainMentionWins() {
        // A bare district name earlier in the text loses to the address.
        check("锦华区市民来电，建设路4号有人占道", "建设路4号", level: .address)
    }

    @Test func textsWithoutAPlaceAnswerNothing() {
        for s in ["", "   ", "请尽快处理", "有人占道经营，影响通行", String(repeating: "路", count: 2000), "\u{0}\u{1}号号路口"] {
            #expect(g.extract(s) == nil, "\(s.prefix(20))")
        }
    }

    @Test func spansCountCodePoints() {
        // An emoji of two code points and a full-width digit before the address.
        let s = "👍🏽１次反映：建设路２号门口"
        let m = g.extract(s)
        #expect(m?.text == "建设路２号门口")
        let scalars = Array(s.unicodeScalars)
        #expect(m.map { String(String.UnicodeScalarView(scalars[$0.span.start..<$0.span.end])) } == "建设路２号门口")
    }

    /// POI names are stored with numerals as digits; inside text they are written in words.
    @Test func poiNamesWithChineseNumeralsInsideText() {
        let city = Geocoder(Gazetteer(admins: [TinyCity.district], roads: [TinyCity.jianshe], addresses: TinyCity.addresses,
                                      pois: [POIEntry(name: "锦华区第二人民医院", aliases: [], category: "医院", point: Coordinate(104.1, 30.671),
                                                      admin: TinyCity.inA)]))
        let m = city.extract("来电人称在锦华区第二人民医院门口路灯不亮")
        #expect(m?.text == "锦华区第二人民医院门口")
        #expect(m?.results.first?.level == .poi)
    }

    /// The loaded district's short name after a province or city prefix (四川成都锦华…), in a query and inside text.
    @Test func districtShortNameAfterAPrefix() {
        for q in ["四川成都锦华建设路8号", "成都市锦华建设路8号", "成都锦华建设路8号"] {
            let top = g.geocode(q).first
            #expect(top?.level == .address && top?.component("number") == "8号", "\(q) → \(String(describing: top?.formatted))")
        }
        #expect(g.extract("市民反映四川成都锦华建设路8号井盖缺失")?.results.first?.level == .address)
        // Not when the short name starts a longer local name (a road named after the district).
        let named = Geocoder(Gazetteer(admins: [TinyCity.district], roads: [TinyCity.jianshe,
                                       RoadEntry(name: "锦华路", lines: [[Coordinate(104.09, 30.68), Coordinate(104.12, 30.68)]], adminCodes: ["510199"])],
                                       addresses: [AddressEntry(road: "锦华路", number: 12, full: "锦华路12号", point: Coordinate(104.1, 30.6801),
                                                                admin: TinyCity.inA)], pois: []))
        #expect(named.geocode("成都锦华路12号").first?.component("road") == "锦华路")
    }
}
