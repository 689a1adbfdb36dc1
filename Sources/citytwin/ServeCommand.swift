import ArgumentParser
import CityTwinServer
import Foundation
import Importer
import Logging
import Storage

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the HTTP API; with an empty database, load the sample city first.")

    @Option(help: "SpatiaLite database") var db: String = "citytwin.sqlite"
    @Option(help: "Listen address") var host: String = "127.0.0.1"
    @Option(help: "Listen port") var port: Int = 8080
    @Option(name: .customLong("geodata"), help: "Sample data folder used when the database has no layers") var geodata: String = "GeoData"

    func run() async throws {
        guard (1...65535).contains(port) else { throw fail("--port must be 1-65535") }
        let store: SpatiaLiteStore
        do {
            store = try SpatiaLiteStore(path: db)
            if try store.layers().isEmpty {
                note("database \(db) has no layers: loading the sample city from \(geodata)/")
                let manifest = try GeoDataManifest.read(directory: geodata)
                _ = try manifest.load(directory: geodata, into: store, rejectsDirectory: NSTemporaryDirectory()) { note("  " + $0.line) }
            }
        } catch let e as ImportError {
            throw fail(e.description)
        } catch let e as StorageError {
            throw fail(e.message)
        }
        var config = ServerConfig()
        config.host = host
        config.port = port
        var logger = Logger(label: "citytwin")
        logger.logLevel = .info
        let app = CityTwinApp.application(store: store, config: config, logger: logger)
        try await app.runService()
    }
}

struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load", abstract: "Import every layer of a GeoData folder's manifest.json.")

    @Option(help: "SpatiaLite database") var db: String = "citytwin.sqlite"
    @Argument(help: "GeoData folder") var geodata: String = "GeoData"

    func run() throws {
        do {
            let store = try SpatiaLiteStore(path: db)
            let manifest = try GeoDataManifest.read(directory: geodata)
            _ = try manifest.load(directory: geodata, into: store, rejectsDirectory: ".") { print($0.line) }
        } catch let e as ImportError {
            throw fail(e.description)
        } catch let e as StorageError {
            throw fail(e.message)
        }
    }
}
