import FileFuzzing
import Foundation
import Testing
import TestSupport

/// The committed fuzz corpora (Tests/FuzzCorpus/<target>: seeds and every input a
/// `make fuzz-files` run found a crash with) go through the same harness in every
/// test run, so a fixed crash stays fixed without the sanitizer build. A trap or a
/// broken round-trip property ends the test process.
@Suite struct FuzzCorpusReplayTests {
    static let root = TestSupport.projectRoot + "/Tests/FuzzCorpus"

    @Test(arguments: FileFuzzTarget.allCases.map(\.rawValue))
    func corpusRunsThroughItsTarget(_ name: String) throws {
        let target = try #require(FileFuzzTarget(rawValue: name))
        let dir = Self.root + "/" + name
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(files.contains { $0.hasPrefix("seed-") }, "no seeds for \(name): run file-fuzz seed Tests/FuzzCorpus")
        let scratch = NSTemporaryDirectory() + "/citytwin-replay-\(name)-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let h = FileFuzzHarness(target, scratch: scratch)
        for f in files { h.run([UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/" + f)))) }
    }

    /// The shapefile target splits one input into .shp and .dbf; the seeds are built by the inverse.
    @Test func shapefileInputSplitsAsBuilt() {
        let shp: [UInt8] = Array(repeating: 7, count: 300), dbf: [UInt8] = [3, 1, 2]
        let joined = FileFuzzHarness.shapefileInput(shp: shp, dbf: dbf)
        #expect(FileFuzzHarness.shapefileParts(joined) == (shp, dbf))
        #expect(FileFuzzHarness.shapefileParts([5, 0, 1, 2]) == ([1, 2], []))
    }
}
