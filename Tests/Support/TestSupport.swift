import Foundation

/// Helpers shared by the test targets: scratch folders, subprocesses and the
/// independent Python checkers (pyproj, shapely) installed by `make test`.
public enum TestSupport {
    /// A fresh empty folder under the system temp directory.
    public static func scratch(_ name: String = #function) -> String {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        let path = NSTemporaryDirectory() + "citytwin-test-\(safe)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    public static func write(_ text: String, to path: String) {
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    }

    public static func write(bytes: [UInt8], to path: String) {
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
    }

    /// The project root (where Package.swift is).
    public static var projectRoot: String {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
        }
        return FileManager.default.currentDirectoryPath
    }

    public struct ProcessResult: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs a program to completion (stdin closed).
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], cwd: String? = nil, input: String? = nil) throws -> ProcessResult {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let out = Pipe(), err = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = inp
        try p.run()
        if let input { inp.fileHandleForWriting.write(Data(input.utf8)) }
        try inp.fileHandleForWriting.close()
        // Read both pipes concurrently so a chatty child cannot block on a full pipe.
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        return ProcessResult(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                             stderr: String(decoding: errData, as: UTF8.self))
    }

    /// The venv interpreter with pyproj and shapely. Tests that need it fail
    /// (never skip) when it is missing: `make test` always provides it.
    public static var python: String {
        if let p = ProcessInfo.processInfo.environment["CITYTWIN_PYTHON"] { return p }
        return projectRoot + "/.venv/bin/python"
    }

    /// Runs a Python script with the checker venv; returns stdout, throws on failure.
    public static func python(_ script: String, input: String? = nil) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw CheckerMissing(message: "Python checker venv missing at \(python): run `make venv` (make test does)")
        }
        let r = try run(python, ["-c", script], input: input)
        guard r.status == 0 else { throw CheckerMissing(message: "python failed: \(r.stderr)") }
        return r.stdout
    }

    public struct CheckerMissing: Error, CustomStringConvertible {
        public let message: String
        public init(message: String) { self.message = message }
        public var description: String { message }
    }

    /// The citytwin binary built by `swift build`.
    public static var citytwin: String {
        if let p = ProcessInfo.processInfo.environment["CITYTWIN_BIN"] { return p }
        return projectRoot + "/.build/debug/citytwin"
    }

    /// Geodesic distance in metres (haversine), for coordinate comparisons.
    public static func metres(_ a: (Double, Double), _ b: (Double, Double)) -> Double {
        let r = 6_371_008.8, rad = Double.pi / 180
        let dLat = (b.1 - a.1) * rad, dLon = (b.0 - a.0) * rad
        let h = sin(dLat / 2) * sin(dLat / 2) + cos(a.1 * rad) * cos(b.1 * rad) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * r * asin(min(1, h.squareRoot()))
    }
}
