import ArgumentParser
import CLISupport
import CityOps
import CityTwinServer
import Foundation
import Importer
import Logging
import ServiceLifecycle
import Storage
import VectorTiles

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the HTTP API; with an empty database, load the sample city first.",
        discussion: """
            Settings come from --config (YAML: host, port, db, store, store_password_file, geodata, tokens, limits, bikes, \
            flood, tiles, web), then these flags. With --store postgres://user@host:port/database several instances share \
            one PostGIS database (base layers, events, readings, bike positions) and follow each other's commits; \
            the password comes from --store-password-file or PGPASSWORD, never the URL.
            """)

    @Option(help: "YAML config file") var config: String?
    @Option(help: "SpatiaLite database") var db: String?
    @Option(help: "Where the data lives: a postgres://user@host:port/database URL (shared by several instances) or a SpatiaLite path")
    var store: String?
    @Option(name: [.customLong("store-password-file"), .customLong("password-file")],
            help: "File whose first line is the PostgreSQL password (else PGPASSWORD)")
    var storePasswordFile: String?
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
        if let store { settings.store = store }
        if let storePasswordFile { settings.storePasswordFile = storePasswordFile }
        if let host { settings.host = host }
        if let port { settings.port = port }
        if let geodata { settings.geodata = geodata }
        guard (1...65535).contains(settings.port) else { throw fail("--port must be 1-65535") }
        let location = settings.storeLocation
        if case .postgres(let url, _) = location, URLComponents(string: url)?.password != nil {
            throw fail("--store: give the password in --store-password-file or PGPASSWORD, not in the URL")
        }
        let state: CityState
        // Events, readings and bike positions: the operational SQLite file beside the SpatiaLite
        // one (an import holding the base file's write lock never stalls an event write), or
        // the same PostGIS database, whose change feed tells this instance what others commit.
        let ops: any OperationalStore & BikePositionStore
        var changeFeed: (any StoreChangeFeed)?
        do {
            let store: any FeatureStore
            switch location {
            case .spatiaLite(let path):
                store = try SpatiaLiteStore(path: path)
                ops = try SQLiteOperationalStore(path: SQLiteOperationalStore.path(besides: path),
                                                 synchronous: settings.operationsSynchronous == "full" ? .full : .normal)
            case .postgres:
                let shared = try PostGISStore(location: location)
                store = shared
                ops = shared
                changeFeed = shared
            }
            note("store: \(location)")
            if try store.layers().isEmpty {
                note("database \(location) has no layers: loading the sample city from \(settings.geodata)/")
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
        // Rung by the store's change feed (PostGIS): another instance's commit is followed at
        // once, not at the next poll.
        let layersChanged = changeFeed == nil ? nil : Wakeup()
        let bikesChanged = changeFeed == nil ? nil : Wakeup()
        let watch = DataVersionWatch(state: state, geocoding: geocoding, logger: logger, feed: feed, wake: layersChanged)
        let events: EventService
        let bikes: LiveBikeService
        do {
            events = try await EventService(store: ops, state: state, settings: settings.dispatch, feed: feed)
            let opsName = if case .spatiaLite(let path) = location { SQLiteOperationalStore.path(besides: path) } else { location.description }
            note("event hub: \(opsName), \(events.inMemoryCount) open or recent events in memory")
            // Live bike positions share the operational database (their own tables).
            bikes = try await LiveBikeService(state: state, store: ops, settings: settings.liveBikes, feed: feed)
            note("live bikes: \(bikes.count) (imported layer and stored positions not expired)")
        } catch {
            throw fail(error.message)
        }
        let upkeep = EventUpkeep(events: events, logger: logger)
        let bikeUpkeep = BikeUpkeep(bikes: bikes, logger: logger)
        let bikeWatch = BikeStoreWatch(bikes: bikes, interval: .milliseconds(Int(settings.bikes.storePollSeconds * 1000)), logger: logger,
                                       wake: bikesChanged)
        let tiles = try loadTileService(folder: settings.tilesFolder, floodWarningRatio: settings.floodWarningRatio)
        tiles.attach(bikes, role: .bike)
        tiles.attach(LiveStationTiles(bikes), role: .bikeStation)
        // Neither type configured: nothing is raised.
        bikes.raiseFenceEvents(into: events, noParkingType: settings.bikes.fenceEventType, outsideParkingType: settings.bikes.outsideParkingEventType,
                               geocoding: geocoding, floodWarningRatio: settings.floodWarningRatio)
        var services: [any Service] = [watch, upkeep, bikeUpkeep, bikeWatch, GBFSPuller(bikes: bikes, feeds: settings.gbfsFeeds, logger: logger)]
        if let changeFeed {
            services.append(StoreFollower(feed: changeFeed, events: events, layers: layersChanged, bikes: bikesChanged, logger: logger))
        }
        let app = CityTwinServer.application(state: state, config: settings, tiles: tiles, geocoding: geocoding, events: events, bikes: bikes,
                                             services: services, logger: logger)
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
