import Geo
import Testing

@Suite struct JSONParserTests {
    @Test func parsesEveryValueKindAndKeepsMemberOrder() throws {
        let v = try JSONParser.parse(#"{"z":1,"a":[true,false,null,-0.5,1e3,"x"],"m":{"k":"v"}}"#)
        guard case .object(let o) = v else { Issue.record("not an object"); return }
        #expect(o.keys == ["z", "a", "m"])
        #expect(o["a"] == .array([.bool(true), .bool(false), .null, .number(-0.5), .number(1000), .string("x")]))
        #expect(o["m"]?["k"] == .string("v"))
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let v = try JSONParser.parse(#""a\"b\\c\/d\n\u5EFA\u8BBE\uD83D\uDE00""#)
        #expect(v == .string("a\"b\\c/d\n建设😀"))
    }

    @Test func numbersAreCorrectlyRounded() throws {
        for text in ["104.1234567", "30.6700001", "0.1", "-179.9999999", "123456789012345678", "1.7976931348623157e308", "5e-324"] {
            #expect(try JSONParser.parse(text) == .number(Double(text)!), "\(text)")
        }
    }

    @Test func acceptsNaNAndInfinityTokensSoFeaturesCanBeRejected() throws {
        #expect(try JSONParser.parse("[NaN]").arrayValue?.first?.doubleValue?.isNaN == true)
        #expect(try JSONParser.parse("-Infinity") == .number(-.infinity))
    }

    @Test(arguments: ["{", "[1,]", "{\"a\" 1}", "\"unterminated", "01", "1.", "tru", "[1] x", "\"\u{01}\""])
    func rejectsMalformedJSON(_ text: String) {
        #expect(throws: GeoError.self) { try JSONParser.parse(text) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: GeoError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test func writerRoundTrips() throws {
        let v = try JSONParser.parse(#"{"name":"建设路\"12\"号","n":12,"f":1.5,"a":[null,true]}"#)
        #expect(try JSONParser.parse(JSONWriter.string(v)) == v)
        #expect(JSONWriter.string(.number(12)) == "12")
    }
}
