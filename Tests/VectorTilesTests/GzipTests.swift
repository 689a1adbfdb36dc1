import Dispatch
import Foundation
import Synchronization
import Testing
import VectorTiles

/// Tile gzip through libdeflate, read back through zlib (compress-nio) and Python's gzip module.
@Suite struct GzipTests {
    static func sample(_ n: Int, seed: UInt64) -> [UInt8] {
        // Compressible like a tile: runs of varints and repeated strings, with noise.
        var s = seed, out: [UInt8] = []
        out.reserveCapacity(n)
        let words = Array("building_use=residential;height=24;pipe DN300 PE;".utf8)
        while out.count < n {
            s = s &* 6364136223846793005 &+ 1442695040888963407
            if s >> 60 < 9 { out.append(contentsOf: words.prefix(Int(s >> 33) % words.count + 1)) } else { out.append(UInt8(truncatingIfNeeded: s >> 24)) }
        }
        return Array(out.prefix(n))
    }

    @Test func roundTripsThroughZlibAtBothLevels() throws {
        for n in [0, 1, 2, 100, 65_536, 400_000, 2_000_000] {
            let data = Self.sample(n, seed: UInt64(n) + 1)
            let served = try Gzip.compress(data), best = try Gzip.compress(data, best: true)
            #expect(Gzip.isGzip(served) && Gzip.isGzip(best))
            #expect(try Gzip.decompress(served) == data, "\(n) bytes")
            #expect(try Gzip.decompress(best) == data, "\(n) bytes, best")
            if n >= 65_536 {
                #expect(best.count <= served.count && served.count < n / 2, "\(n): \(served.count) / \(best.count)")
                // Kept at its size, not at the worst-case bound it was written into (cached tiles keep it).
                #expect(served.capacity < n / 2 && best.capacity < n / 2, "\(n): capacity \(served.capacity)")
            }
        }
        // Incompressible input stays within gzip's stored-block overhead.
        var rng = SystemRandomNumberGenerator()
        let noise = (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let z = try Gzip.compress(noise)
        #expect(try Gzip.decompress(z) == noise && z.count < noise.count + 1_000)
    }

    /// Compressors are pooled: many threads at once get the same bytes as one thread alone.
    @Test func concurrentCallsGiveTheSameBytes() throws {
        let inputs = (0..<32).map { Self.sample(50_000 + 997 * $0, seed: UInt64($0)) }
        let alone = try inputs.map { try Gzip.compress($0) }
        let together = Mutex([[UInt8]](repeating: [], count: inputs.count))
        DispatchQueue.concurrentPerform(iterations: inputs.count * 4) { k in
            let i = k % inputs.count
            let z = (try? Gzip.compress(inputs[i])) ?? []
            together.withLock { if $0[i].isEmpty { $0[i] = z } else if $0[i] != z { $0[i] = [0] } }
        }
        #expect(together.withLock { $0 } == alone)
    }

    /// A second decoder: Python's gzip module reads what libdeflate wrote.
    @Test func pythonGzipReadsIt() throws {
        guard let python = ProcessInfo.processInfo.environment["CITYTWIN_PYTHON"] else {
            Issue.record("CITYTWIN_PYTHON is not set (make test sets it)"); return
        }
        let data = Self.sample(300_000, seed: 42)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("citytwin-gzip-\(getpid()).gz").path
        try Data(try Gzip.compress(data, best: true)).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", "import gzip, hashlib, sys; print(hashlib.sha256(gzip.open(sys.argv[1]).read()).hexdigest())", path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        p.waitUntilExit()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let expected = try sha256Hex(data, python: python)
        #expect(p.terminationStatus == 0 && out == expected)
    }

    func sha256Hex(_ data: [UInt8], python: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("citytwin-raw-\(getpid()).bin").path
        try Data(data).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", "import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], 'rb').read()).hexdigest())", path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        p.waitUntilExit()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
