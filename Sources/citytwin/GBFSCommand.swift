import ArgumentParser
import CLISupport
import CityOps
import CityTwinServer
import Foundation
import Storage

struct GBFSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gbfs", abstract: "GBFS feeds.", subcommands: [GBFSPullCommand.self])
}

/// `citytwin gbfs pull URL|DIR`: a GBFS v2.3 or v3.0 feed's vehicles into the live bike
/// positions beside `--db` (as `citytwin bikes ingest`); each invalid file or item is
/// reported with the field at fault, the rest applied.
struct GBFSPullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull", abstract: "Read a GBFS feed (gbfs.json URL or a folder) and apply its vehicles.")

    @Argument(help: "URL of gbfs.json, or a folder holding the feed's files") var source: String
    @Option(help: "SpatiaLite database (positions go to its -ops file)") var db: String = "citytwin.sqlite"

    func run() async throws {
        guard FileManager.default.fileExists(atPath: db) else { throw fail("no database \(db) (run citytwin load or serve first)") }
        do {
            let state = try CityState(store: try SpatiaLiteStore(path: db))
            let ops = try SQLiteOperationalStore(path: SQLiteOperationalStore.path(besides: db))
            var settings = LiveBikeSettings()
            settings.maxBatch = Int.max
            let service = try await LiveBikeService(state: state, store: ops, settings: settings)
            let r = try await GBFSReader(fetch: { try await gbfsFetch($0) }).pull(source, into: service)
            let available = r.stations.compactMap(\.vehiclesAvailable).reduce(0, +)
            print("GBFS \(r.version) system \(r.systemID): \(r.stations.count) stations (\(available) vehicles available at stations), ttl \(r.ttl) s")
            if let v = r.vehicles {
                print("vehicles: received \(v.received), applied \(v.applied), ignored as older \(v.ignoredOlder), rejected \(v.rejected.count)")
            }
            for p in r.problems { print("  problem: \(p.description)") }
        } catch let e as CityOpsError {
            throw fail(e.message)
        } catch let e as StorageError {
            throw fail(e.message)
        }
    }
}
