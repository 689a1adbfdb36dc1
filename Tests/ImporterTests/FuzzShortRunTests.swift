import FileFuzzing
import Foundation
import Testing
import TestSupport

/// Issue 15 item 4, "a short run in CI": every file-fuzz target gets a bounded, seeded
/// mutation run in every test run, through the same harness (and the same properties) as
/// `make fuzz-files`, starting from the committed corpus: bit flips, interesting bytes,
/// inserted, deleted and repeated runs, long digit runs, and splices of two inputs. No
/// sanitizer and no coverage feedback (that is libFuzzer's job, in the separate sanitizer
/// build): this catches traps, broken round trips and raw control characters in messages.
/// A failure ends the test process; the input it died on is left behind as
/// `$TMPDIR/citytwin-fuzz-ci-<target>-*/last-input`, to replay with `file-fuzz replay <target> <file>`.
@Suite struct FuzzShortRunTests {
    /// Wall-clock budget and input cap per target.
    static let seconds = 1.5, maxInputs = 3_000

    struct Mutator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }

        static let interesting: [UInt8] = [0, 1, 0x7F, 0x80, 0xFF, 0x0A, 0x0D, 0x09, 0x22, 0x2C, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x1B, 0xEF, 0xFE]

        /// One to five edits of `input`, `other` for splices.
        mutating func mutate(_ input: [UInt8], _ other: [UInt8]) -> [UInt8] {
            var b = input
            for _ in 0...below(4) {
                switch below(8) {
                case 0 where !b.isEmpty:
                    b[below(b.count)] ^= UInt8(1 << below(8))
                case 1 where !b.isEmpty:
                    b[below(b.count)] = Self.interesting[below(Self.interesting.count)]
                case 2:
                    let at = below(b.count + 1)
                    b.insert(contentsOf: (0..<(1 + below(8))).map { _ in UInt8(truncatingIfNeeded: next()) }, at: at)
                case 3 where !b.isEmpty:
                    let at = below(b.count), n = 1 + below(min(16, b.count - at))
                    b.removeSubrange(at..<(at + n))
                case 4 where !b.isEmpty:
                    let at = below(b.count), n = 1 + below(min(32, b.count - at))
                    b.insert(contentsOf: b[at..<(at + n)], at: below(b.count + 1))
                case 5:
                    let digits = ["9999999999999999999999", "-0", "1e309", "NaN", "4294967296", "-2147483649", "0.000000000000000000001"]
                    b.insert(contentsOf: Array(digits[below(digits.count)].utf8), at: below(b.count + 1))
                case 6 where !other.isEmpty:
                    let cut = below(b.count + 1), from = below(other.count)
                    b = Array(b[..<cut]) + other[from...]
                case 7 where b.count >= 4:
                    // A 32-bit little-endian field set to an edge value (record counts, offsets, lengths).
                    let at = below(b.count - 3), v: [UInt32] = [0, 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, UInt32(b.count)]
                    let x = v[below(v.count)]
                    for k in 0..<4 { b[at + k] = UInt8(truncatingIfNeeded: x >> (8 * k)) }
                default:
                    b.append(UInt8(truncatingIfNeeded: next()))
                }
            }
            return b.count > 1 << 16 ? Array(b.prefix(1 << 16)) : b
        }
    }

    @Test(arguments: FileFuzzTarget.allCases.map(\.rawValue))
    func aShortMutationRunFindsNothing(_ name: String) throws {
        let target = try #require(FileFuzzTarget(rawValue: name))
        let dir = FuzzCorpusReplayTests.root + "/" + name
        let corpus = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
            .map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/" + $0))) }
        #expect(!corpus.isEmpty)
        let scratch = NSTemporaryDirectory() + "/citytwin-fuzz-ci-\(name)-\(UUID().uuidString)"
        let last = scratch + "/last-input"
        let h = FileFuzzHarness(target, scratch: scratch + "/harness")
        var m = Mutator(state: UInt64(truncatingIfNeeded: name.utf8.reduce(1469598103934665603) { ($0 ^ UInt64($1)) &* 1099511628211 }))
        let start = Date()
        var runs = 0
        while runs < Self.maxInputs && Date().timeIntervalSince(start) < Self.seconds {
            let input = m.mutate(corpus[m.below(corpus.count)], corpus[m.below(corpus.count)])
            FileManager.default.createFile(atPath: last, contents: Data(input))
            h.run(input)
            runs += 1
        }
        try? FileManager.default.removeItem(atPath: scratch)
        // The budget ran real inputs (a harness that hangs or a corpus that vanished would not).
        #expect(runs >= 20, "\(name): only \(runs) inputs in \(Self.seconds) s")
    }
}
