import Foundation
@testable import Geo
import Testing
import TestSupport

/// The hand-written reader and writer of event times against ICU's ISO 8601
/// formatter (the independent method): same instants, same text.
@Suite struct TimestampTests {
    @Test func formatsLikeICU() {
        var rng = SplitMix64(seed: 11)
        for _ in 0..<20_000 {
            // 1900…2100, with sub-millisecond parts that must be truncated.
            let t = -2_208_988_800 + Double(rng.next() % 6_311_433_600_000) / 1000 + Double(rng.next() % 1000) / 1e6
            let d = Date(timeIntervalSince1970: t)
            #expect(Timestamp.format(d, millis: true) == Timestamp.fractional.withLock { $0.string(from: d) }, "\(t)")
            #expect(Timestamp.format(d, millis: false) == Timestamp.whole.withLock { $0.string(from: d) }, "\(t)")
        }
    }

    @Test func parsesLikeICU() {
        var rng = SplitMix64(seed: 12)
        let offsets = ["Z", "+08:00", "-05:30", "+00:00", "+14:00"]
        for _ in 0..<20_000 {
            let t = -2_208_988_800 + Double(rng.next() % 6_311_433_600_000) / 1000
            var text = Timestamp.whole.withLock { $0.string(from: Date(timeIntervalSince1970: t)) }
            text.removeLast()   // the Z
            switch rng.next() % 4 {
            case 0: break
            case 1: text += "." + String(rng.next() % 10)
            case 2: text += "." + String(format: "%02d", Int(rng.next() % 100))
            default: text += "." + String(format: "%03d", Int(rng.next() % 1000))
            }
            text += offsets[Int(rng.next() % UInt64(offsets.count))]
            let icu = Timestamp.whole.withLock { $0.date(from: text) } ?? Timestamp.fractional.withLock { $0.date(from: text) }
            #expect(icu != nil, "\(text)")
            #expect(Timestamp.fastParse(text) == icu, "\(text)")
        }
    }

    @Test func leavesOtherFormsToTheFormatter() {
        for text in ["2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z",
                     "2026-01-01 00:00:00Z", "2026-01-01T00:00:00", "2026-01-01T00:00:00.1234Z", "2026-01-01T00:00:00.Z",
                     "2026-01-01T00:00:00+0800", "0000-01-01T00:00:00Z", "２026-01-01T00:00:00Z", "2026-01-01"] {
            #expect(Timestamp.fastParse(text) == nil, "\(text)")
        }
        #expect(Timestamp.parse("2024-02-29T23:59:59.999+08:00") == Date(timeIntervalSince1970: 1_709_222_399.999))
        #expect(Timestamp.parse("2026-01-01") == nil)
        #expect(Timestamp.parse("not a time") == nil)
    }
}
