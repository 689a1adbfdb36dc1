import ArgumentParser
import CLISupport
import CityOps
import Foundation
import Storage

struct BikesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bikes", abstract: "Live bike positions.", subcommands: [BikesIngestCommand.self])
}

/// `citytwin bikes ingest FILE`: position reports (JSON array or NDJSON) into the
/// operational database beside `--db`, checked as `POST /v1/bikes/positions` checks them.
/// A running server on the same database reads them within `bikes.store_poll_s`.
struct BikesIngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest", abstract: "Store position reports from a JSON array or NDJSON file (- for stdin).",
        discussion: "Each report: bike_id, operator, lon, lat, optional crs, observed_at, optional status. Prints applied, ignored and rejected counts and one line per rejected report (at most --show).")

    @Argument(help: "JSON array or NDJSON file, or - for stdin") var file: String
    @Option(help: "SpatiaLite database (positions go to its -ops file)") var db: String = "citytwin.sqlite"
    @Option(help: "Rejected reports listed at most") var show: Int = 20

    func run() async throws {
        guard FileManager.default.fileExists(atPath: db) else { throw fail("no database \(db) (run citytwin load or serve first)") }
        let bytes: [UInt8]
        if file == "-" {
            bytes = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
        } else {
            guard let d = FileManager.default.contents(atPath: file) else { throw fail("cannot read \(file)") }
            bytes = [UInt8](d)
        }
        do {
            let state = try CityState(store: try SpatiaLiteStore(path: db))
            let ops = try SQLiteOperationalStore(path: SQLiteOperationalStore.path(besides: db))
            var settings = LiveBikeSettings()
            // A file is not a request: no per-request cap beyond memory.
            settings.maxBatch = Int.max
            let service = try await LiveBikeService(state: state, store: ops, settings: settings)
            let r = try await service.ingest(bytes: bytes)
            print("received \(r.received), applied \(r.applied), ignored as older \(r.ignoredOlder), rejected \(r.rejected.count)")
            for e in r.rejected.prefix(max(0, show)) { print("  item \(e.index)\(e.bikeID.map { " (\($0))" } ?? ""): \(e.reason)") }
            if r.received > 0 && r.rejected.count == r.received { throw ExitCode(2) }
        } catch let e as CityOpsError {
            throw fail(e.message)
        } catch let e as StorageError {
            throw fail(e.message)
        }
    }
}
