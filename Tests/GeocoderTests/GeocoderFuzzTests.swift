import Geo
import GeocoderFuzzing
import PropertyBased
import Testing
@testable import Geocoder

/// Property-based fuzzing of the geocoder's text paths with the field's own
/// alphabet (`AddressFuzzInputs`). The property is "returns": a trap stops the
/// test process, so any input that reaches one fails `make test`. The bounded
/// million-input run over the sample city is `make fuzz-geocoder`.
@Suite struct GeocoderFuzzTests {
    static let inputs = AddressFuzzInputs(gazetteer: TinyCity.geocoder.gazetteer)

    static let words = Gen<String?>.element(of: inputs.phrases + inputs.pieces).map { $0 ?? "" }
    /// Up to 8 pieces joined; shrinking drops pieces, so a failure is reported small.
    static let joined = words.array(of: 0...8).map { $0.joined() }

    @Test func domainBuiltTextsAlwaysAnswer() async {
        let g = TinyCity.geocoder
        await propertyCheck(count: 4000, input: Self.joined) { text in
            _ = exerciseGeocoder(g, text, focus: nil)
            _ = exerciseGeocoder(g, text, focus: Coordinate(104.1, 30.67))
        }
    }

    @Test func randomBytesAlwaysAnswer() async {
        let g = TinyCity.geocoder
        await propertyCheck(count: 2000, input: Gen<UInt8>.uint8().array(of: 0...32)) { bytes in
            _ = exerciseGeocoder(g, String(decoding: bytes, as: UTF8.self), focus: nil)
        }
    }

    /// Every prefix and suffix of real-looking addresses, with province/city prefixes.
    @Test func truncationsAtEveryPositionAnswer() {
        let g = TinyCity.geocoder
        let texts = ["四川省成都市锦华区猛追湾街道建设路8号3栋2单元501室", "成都锦华区安华社区第三网格", "建设路与东风南路交叉口东南角",
                     "市民反映建设路2号门口有人占道经营，请处理", "中华人民共和国四川省成都市万达广场(建设店)附近"]
        var n = 0
        for t in texts { for cut in AddressFuzzInputs.truncations(of: t) { _ = exerciseGeocoder(g, cut, focus: nil); n += 1 } }
        #expect(n > 100)
    }

    @Test func seededGeneratorCoversTheAlphabet() {
        var rng = SystemRandomNumberGenerator()
        var distinct = Set<String>()
        for _ in 0..<3000 { distinct.insert(Self.inputs.make(&rng)) }
        #expect(distinct.count > 2000)
    }
}

/// Inputs that once trapped, each with the answer it must give now.
@Suite struct GeocoderTrapRegressionTests {
    let g = TinyCity.geocoder

    /// "Range requires lowerBound <= upperBound": a bare province/city prefix
    /// with nothing (or one character) after it.
    @Test(arguments: ["成都", "四川", "成都市", "四川省", "成都x", "四川1", "成都成都", "四川成都", "中国四川省成都市"])
    func barePrefixesDoNotTrap(_ q: String) {
        let p = g.parse(q)
        #expect(p.admin.isEmpty)
        _ = g.geocode(q)
        _ = g.autocomplete(q)
    }

    @Test func barePrefixBeforeAnAdminAreaIsStillDropped() {
        #expect(g.parse("成都锦华区").admin[.district] != nil)
        #expect(g.parse("四川成都锦华区建设路8号").road == "建设路")
    }

    @Test func autocompleteLimitZeroAnswersNothing() {
        #expect(g.autocomplete("建设", limit: 0).isEmpty)
        #expect(g.autocomplete("建设", limit: -5).isEmpty)
        #expect(g.autocomplete("建设", limit: 3).count <= 3)
    }

    @Test func hugeAndOddNumbersParse() {
        #expect(g.parse("建设路99999999999999999999999号").number == nil)
        #expect(g.parse("建设路九千九百九十九万号").road == "建设路")
        _ = g.geocode("建设路١٢号")
    }
}
