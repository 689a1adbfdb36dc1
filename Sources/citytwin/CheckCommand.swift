import ArgumentParser
import CLISupport
import Storage

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "integrity_check, CheckSpatialIndex per layer (PostGIS: GiST index valid and complete), catalog counts against tables.")

    @Option(help: "SpatiaLite database") var db: String = "citytwin.sqlite"
    @Option(help: "Store instead of --db: a SpatiaLite path or postgres://USER@HOST:PORT/DATABASE (password from PGPASSWORD or --password-file)")
    var store: String?
    @Option(name: .customLong("password-file"), help: "File whose first line is the PostgreSQL password (else PGPASSWORD)")
    var passwordFile: String?

    func run() throws {
        do {
            let store = try openFeatureStore(StoreLocation(self.store ?? db, passwordFile: passwordFile))
            defer { (store as? PostGISStore)?.close() }
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
