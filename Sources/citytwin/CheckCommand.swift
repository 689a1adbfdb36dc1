import ArgumentParser
import CLISupport
import Storage

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "integrity_check, CheckSpatialIndex per layer, catalog counts against tables.")

    @Option(help: "SpatiaLite database") var db: String = "citytwin.sqlite"

    func run() throws {
        do {
            let store = try SpatiaLiteStore(path: db)
            let report = try store.check()
            print("integrity_check: \(report.integrity.joined(separator: "; "))")
            for l in report.layers {
                let idx = l.spatialIndexValid.map { $0 ? "ok" : "INVALID" } ?? "missing"
                let counts = l.catalogCount == l.tableCount ? "ok" : "MISMATCH"
                print("\(l.name): catalog \(l.catalogCount), table \(l.tableCount) [\(counts)], spatial index \(idx)")
            }
            guard report.isOK else { throw fail("check failed") }
            print("check ok: \(report.layers.count) layers")
        } catch let e as StorageError {
            throw fail(e.message)
        }
    }
}
