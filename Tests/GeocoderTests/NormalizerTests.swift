import Testing
@testable import Geocoder

@Suite struct NormalizerTests {
    let n = AddressNormalizer()

    @Test(arguments: [
        ("十二", 12), ("十", 10), ("二十", 20), ("三十七", 37), ("一百零五", 105), ("一百一十", 110), ("两百", 200),
        ("一千零一", 1001), ("二〇一", 201), ("九", 9), ("一万二千", 12000),
    ])
    func chineseNumerals(_ text: String, _ value: Int) {
        #expect(ChineseNumber.parse(Substring(text)) == value)
    }

    @Test(arguments: [
        // full-width → half-width, spaces and punctuation removed
        ("府青中路１７４号", "府青中路174号"), ("府青中路 174 号", "府青中路174号"), ("龙抄手（荆翠店）", "龙抄手荆翠店"),
        // numerals before number words and after 第, but not in names (三段, 一环)
        ("锦江路三段三十八号", "锦江路三段38号"), ("望平大道南段五十九号", "望平大道南段59号"), ("建设路一百零五号", "建设路105号"),
        ("一环路东二段十二号", "一环路东二段12号"), ("祥泰社区第十一网格", "祥泰社区第11网格"), ("建设路12号三单元", "建设路12号3单元"),
        // building variants
        ("建设路12号2号楼", "建设路12号2栋"), ("建设路12号2幢", "建设路12号2栋"), ("建设路12号3#楼", "建设路12号3栋"), ("建设路12号七栋", "建设路12号7栋"),
        // 街办 → 街道; the country name dropped; province/city prefixes are the parser's (national table)
        ("猛追湾街办", "猛追湾街道"), ("中华人民共和国锦华区建设路7号", "锦华区建设路7号"), ("成都市锦华区", "成都市锦华区"),
        // names that start like a prefix are kept
        ("成都银行(双林店)", "成都银行双林店"), ("KFC", "kfc"),
    ])
    func normalizes(_ input: String, _ expected: String) {
        #expect(n.normalize(input) == expected)
    }

    @Test func namesKeepTheirPrefixes() {
        #expect(n.normalize("成都市第八人民医院", stripPrefixes: false) == "成都市第8人民医院")
    }

    @Test func bigramIndexFindsTwoCharacterTermsAndEditDistanceIsExact() {
        let idx = BigramIndex(["万达广场", "万象城", "建设路", "达州"])
        let hits = idx.search("万达")
        #expect(hits.first.map { String(idx.name($0.index)) } == "万达广场")
        #expect(idx.search("城").map { String(idx.name($0.index)) } == ["万象城"])
        #expect(BigramIndex.editDistance(Array("建设路"), Array("建没路")) == 1)
        #expect(BigramIndex.editDistance(Array("建设路"), Array("建路")) == 1)
        #expect(BigramIndex.editDistance(Array("建设路"), Array("东风路"), limit: 1) == 2)
    }
}

@Suite struct NumeralBoundsTests {
    /// Long numeral runs are left as text rather than overflowing.
    @Test func longRunsAreNotNumbers() {
        #expect(ChineseNumber.parse(Substring(String(repeating: "九", count: 30))) == nil)
        let text = String(repeating: "九", count: 30) + "号"
        #expect(AddressNormalizer().normalize(text) == text)
        #expect(TinyCity.geocoder.geocode("建设路" + text).allSatisfy { $0.confidence <= 1 })
    }
}
