import Geo
import Testing
@testable import CityOps

/// The key scan that replaced a full parse per feature must read what the full parse reads.
struct PropertyColumnScanTests {
    /// Objects with the awkward cases: escapes in keys and values, nested values holding
    /// the wanted key, numbers, null, booleans, duplicates, unicode, spacing, non-objects.
    static let texts: [String] = [
        #"{"bike_id":"B1","operator":"青桔"}"#,
        #"{"operator":"美团","bike_id":"B2","extra":{"bike_id":"inner","a":[1,{"operator":"x"}]}}"#,
        #"{"bike_id":12345,"operator":null}"#,
        #"{"bike_id":"B\"4","operator":"o\\p"}"#,
        #"{"bi\u006be_id":"escaped key","operator":"k"}"#,
        #"{ "bike_id" : "spaced" , "operator" : "s p" }"#,
        #"{"bike_id":"first","bike_id":"last"}"#,
        #"{"bike_id":1,"bike_id":"second"}"#,
        #"{"a":"}","b":"{[","bike_id":"after braces in strings"}"#,
        #"{"bike_id":true,"operator":false,"n":-1.5e3}"#,
        #"{}"#,
        #"[]"#,
        #"not json"#,
        #"{"bike_id":"unterminated"#,
        #"{"operator":"é\u00e9","bike_id":"😀"}"#,
        #"{"list":["bike_id","operator"],"bike_id":""}"#,
    ]

    @Test func textsMatchAFullParse() {
        let column = PropertyColumn(texts: Self.texts, indexedKeys: [])
        let names = ["bike_id", "operator", "missing"]
        let keys = names.map { Array($0.utf8) }
        for i in Self.texts.indices {
            let full = (try? JSONParser.parse(Self.texts[i]))?.objectValue ?? JSONObject()
            let scanned = column.texts(i, keys: keys)
            for (k, name) in names.enumerated() {
                #expect(scanned[k] == full[name]?.textValue, "text \(i) key \(name)")
            }
        }
    }

    @Test func indexedKeysMatchAFullParse() {
        let column = PropertyColumn(texts: Self.texts, indexedKeys: ["bike_id", "operator"])
        for i in Self.texts.indices {
            let full = (try? JSONParser.parse(Self.texts[i]))?.objectValue ?? JSONObject()
            for key in ["bike_id", "operator"] {
                let e = column.encoded[key]!
                let code = e.codes[i]
                let value = code < 0 ? nil : e.values.first { $0.value == code }?.key
                #expect(value == full[key]?.stringValue, "text \(i) key \(key)")
            }
        }
    }

    /// Random objects from the JSON writer (random keys, nesting, escapes): scan == parse.
    @Test func randomObjectsMatchAFullParse() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("ab_\"\\/\u{1}é中😀 {}[],:")
        func word() -> String { String((0..<Int.random(in: 0...6, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }) }
        func value(_ depth: Int) -> JSONValue {
            switch Int.random(in: 0..<(depth > 2 ? 4 : 6), using: &rng) {
            case 0: return .string(word())
            case 1: return .number(Double(Int.random(in: -1000...1000, using: &rng)) / 8)
            case 2: return .null
            case 3: return .bool(Bool.random(using: &rng))
            case 4: var o = JSONObject(); for _ in 0..<3 { o[Bool.random() ? "k" : word()] = value(depth + 1) }; return .object(o)
            default: return .array((0..<3).map { _ in value(depth + 1) })
            }
        }
        var texts: [String] = []
        for _ in 0..<2_000 {
            var o = JSONObject()
            for _ in 0..<Int.random(in: 0...5, using: &rng) { o[Bool.random() ? "k" : word()] = value(0) }
            texts.append(JSONWriter.string(.object(o)))
        }
        let column = PropertyColumn(texts: texts, indexedKeys: ["k"])
        let keys = [Array("k".utf8)]
        for i in texts.indices {
            let full = (try? JSONParser.parse(texts[i]))?.objectValue ?? JSONObject()
            #expect(column.texts(i, keys: keys)[0] == full["k"]?.textValue, "\(texts[i])")
            let e = column.encoded["k"]!
            let value = e.codes[i] < 0 ? nil : e.values.first { $0.value == e.codes[i] }?.key
            #expect(value == full["k"]?.stringValue, "\(texts[i])")
        }
    }
}
