import Geo
import NIOCore
@testable import Storage
import Testing
import TestSupport

/// The COPY rows the PostGIS import streams: properties written straight into the buffer
/// must be exactly `JSONWriter`'s text with COPY's text-format escaping, the way the
/// import wrote them before (through a String).
@Suite struct PostGISCopyTextTests {
    static let awkward = ["", "plain", "建设路12号", "say \"hi\"", "back\\slash", "tab\there", "two\nlines", "cr\rlf\r\n",
                          "\u{1B}[2J", "\u{0}nul", "\u{7F}del", "emoji 🚲", "\\N", "a\"\\\"b", "\u{1F}\u{01}"]

    static func reference(_ value: JSONValue) -> [UInt8] {
        var buffer = ByteBuffer()
        PostGISLayerWriter.appendEscaped(JSONWriter.string(value), to: &buffer)
        return Array(buffer.readableBytesView)
    }

    static func direct(_ value: JSONValue) -> [UInt8] {
        var buffer = ByteBuffer()
        PostGISLayerWriter.appendCopyJSON(value, to: &buffer)
        return Array(buffer.readableBytesView)
    }

    @Test func awkwardStringsAndNumbersMatchTheReference() {
        for text in Self.awkward {
            let v = JSONValue.object(JSONObject([(key: text, value: .string(text))]))
            #expect(Self.direct(v) == Self.reference(v), "\(text.debugDescription)")
        }
        for d in [0, -0.0, 1, -3, 2.5, 1e15, 1e21, 123456789.123, .pi, .nan, .infinity, -1e-7] {
            let v = JSONValue.array([.number(d), .null, .bool(true), .bool(false)])
            #expect(Self.direct(v) == Self.reference(v), "\(d)")
        }
    }

    @Test func randomNestedValuesMatchTheReference() {
        var rng = SplitMix64(seed: 31)
        func pick<T>(_ xs: [T]) -> T { xs[Int(rng.next() % UInt64(xs.count))] }
        func value(_ depth: Int) -> JSONValue {
            switch rng.next() % (depth > 2 ? 4 : 6) {
            case 0: return .null
            case 1: return .bool(rng.next() % 2 == 0)
            case 2: return .number(Double(Int64(bitPattern: rng.next()) % 100_000) / pick([1, 10, 7, 1e-3]))
            case 3: return .string(pick(Self.awkward) + pick(Self.awkward))
            case 4: return .array((0..<Int(rng.next() % 4)).map { _ in value(depth + 1) })
            default: return .object(JSONObject((0..<Int(rng.next() % 4)).map { _ in (key: pick(Self.awkward), value: value(depth + 1)) }))
            }
        }
        var mismatches = 0
        for _ in 0..<2_000 {
            let v = JSONValue.object(JSONObject((0..<Int(rng.next() % 6)).map { _ in (key: pick(Self.awkward), value: value(0)) }))
            if Self.direct(v) != Self.reference(v) { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }
}
