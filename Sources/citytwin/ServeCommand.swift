import ArgumentParser
import CLISupport
import CityOps
import CityTwinServer
import Foundation
import Importer
import Logging
import Storage
import VectorTiles

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the HTTP API; with an empty database, load the sample city first.",
        discussion: "Settings come from --config (YAML: host, port, db, geodata, tokens, limits, bikes, flood, tiles, web), then these flags.")

    @Option(help: "YAML config file") var config: String?
    @Option(help: "SpatiaLite database") var db: String?
    @Option(help: "Listen address") var host: String?
    @Option(help: "Listen port") var port: Int?
    @Option(name: .customLong("geodata"), help: "Sample data folder used when the database has no layers") var geodata: String?

    func run() async throws {
        var settings = ServerConfig()
        // The environment's token comes first; a `tokens:` list in the config replaces it.
        if let t = ProcessInfo.processInfo.environment["CITYTWIN_TOKEN"], !t.isEmpty { settings.tokens = [t] }
        if let config {
            guard let text = try? String(contentsOfFile: config, encoding: .utf8) else { throw fail("cannot read config \(config)") }
            do {
                let (parsed, warnings) = try ServerConfig.parse(yaml: text, base: settings)
                for w in warnings { note("citytwin: warning: \(config): \(w)") }
                settings = parsed
            } catch { throw fail("\(config): \(error)") }
        }
        if let db { settings.db = db }
        if let host { settings.host = host }
        if let port { settings.port = port }
        if let geodata { settings.geodata = geodata }
        guard (1...65535).contains(settings.port) else { throw fail("--port must be 1-65535") }
        let state: CityState
        do {
            let store = try SpatiaLiteStore(path: settings.db)
            if try store.layers().isEmpty {
                note("database \(settings.db) has no layers: loading the sample city from \(settings.geodata)/")
                let manifest = try GeoDataManifest.read(directory: settings.geodata)
                _ = try manifest.load(directory: settings.geodata, into: store, rejectsDirectory: NSTemporaryDirectory()) { note("  " + $0.line) }
            }
            let start = Date()
            state = try CityState(store: store)
            let m = state.snapshot.memoryReport
            note(String(format: "snapshot v%d: %d layers in %.1f s; geometry+index %.1f MiB for %.1f MiB of raw coordinates (%.2fx), properties %.1f MiB",
                        state.snapshot.version, state.snapshot.layers.count, Date().timeIntervalSince(start),
                        Double(m.geometry) / 1_048_576, Double(m.raw) / 1_048_576, Double(m.geometry) / Double(max(m.raw, 1)),
                        Double(m.properties) / 1_048_576))
        } catch let e as ImportError {
            throw fail(e.description)
        } catch let e as StorageError {
            throw fail(e.message)
        }
        var logger = Logger(label: "citytwin")
        logger.logLevel = .info
        let geocoding = GeocodingService()
        var streamSettings = settings.stream
        streamSettings.floodWarningRatio = settings.floodWarningRatio
        let feed = LiveFeed(settings: streamSettings)
        let watch = DataVersionWatch(state: state, geocoding: geocoding, logger: logger, feed: feed)
        // Events and readings live in their own database beside the base layers: an import
        // holding the base file's write lock never stalls an event write.
        let events: EventService
        let bikes: LiveBikeService
        do {
            let opsPath = SQLiteOperationalStore.path(besides: settings.db)
            let ops = try SQLiteOperationalStore(path: opsPath, synchronous: settings.operationsSynchronous == "full" ? .full : .normal)
            events = try await EventService(store: ops, state: state, settings: settings.dispatch, feed: feed)
            note("event hub: \(opsPath), \(events.inMemoryCount) open or recent events in memory")
            // Live bike positions share the operational database (their own tables).
            bikes = try await LiveBikeService(state: state, store: ops, settings: settings.liveBikes, feed: feed)
            note("live bikes: \(bikes.count) (imported layer and stored positions not expired)")
        } catch let e as StorageError {
            throw fail(e.message)
        }
        let upkeep = EventUpkeep(events: events, logger: logger)
        let bikeUpkeep = BikeUpkeep(bikes: bikes, logger: logger)
        let bikeWatch = BikeStoreWatch(bikes: bikes, interval: .milliseconds(Int(settings.bikes.storePollSeconds * 1000)), logger: logger)
        let tiles = try loadTileService(folder: settings.tilesFolder, floodWarningRatio: settings.floodWarningRatio)
        tiles.attach(bikes, role: .bike)
        // Neither type configured: nothing is raised.
        bikes.raiseFenceEvents(into: events, noParkingType: settings.bikes.fenceEventType, outsideParkingType: settings.bikes.outsideParkingEventType,
                               geocoding: geocoding, floodWarningRatio: settings.floodWarningRatio)
        let app = CityTwinServer.application(state: state, config: settings, tiles: tiles, geocoding: geocoding, events: events, bikes: bikes,
                                             services: [watch, upkeep, bikeUpkeep, bikeWatch, GBFSPuller(bikes: bikes, feeds: settings.gbfsFeeds, logger: logger)],
                                             logger: logger)
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
