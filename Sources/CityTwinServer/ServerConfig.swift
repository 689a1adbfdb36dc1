import CityOps
import Foundation
import Storage
import YAMLConfig

/// Server settings: a YAML file (`--config`), then command-line overrides.
/// Unknown keys are reported, never silently ignored.
public struct ServerConfig: Sendable {
    public struct Limits: Sendable {
        public var maxK = 1000
        public var maxRadius = 50_000.0
        public var maxBatch = 10_000
        public var maxPage = 10_000
        public var maxBodyBytes = 16 * 1024 * 1024
    }
    public var host = "127.0.0.1"
    public var port = 8080
    public var db = "citytwin.sqlite"
    /// `store:`: a PostgreSQL/PostGIS URL (`postgres://user@host:port/database`) shared by
    /// several instances, or a SpatiaLite path; nil: the SpatiaLite file `db`.
    public var store: String?
    /// `store_password_file:`: a file holding the PostgreSQL password (first line); else `PGPASSWORD`.
    public var storePasswordFile: String?
    public var geodata = "GeoData"
    /// Bearer tokens accepted for writes; empty means "loopback clients only".
    public var tokens: [String] = []
    public var limits = Limits()
    /// Bike balance thresholds as fractions of capacity.
    public var bikeDeficitBelow = 0.35
    public var bikeSurplusAbove = 1.2
    /// Live bike positions: expiry, retention, checks, station radius, activity window.
    public var bikes = LiveBikeSettings()
    /// GBFS feeds (gbfs.json URLs or folders) pulled periodically, each again after its `ttl`.
    public var gbfsFeeds: [String] = []
    /// `bikes` with the balance thresholds above.
    public var liveBikes: LiveBikeSettings {
        var b = bikes
        b.deficitBelow = bikeDeficitBelow
        b.surplusAbove = bikeSurplusAbove
        return b
    }
    /// A flood point is in `warning` from this fraction of its threshold.
    public var floodWarningRatio = 0.7
    /// Pipe networks: buildings this close (metres) to an isolated or traced pipe are affected,
    /// unless a request gives `service_distance`. The same value as the event hub's burst-main
    /// proposals (`dispatch.burstServiceDistanceM`): one setting, so the two never disagree.
    public var networkServiceDistanceM: Double {
        get { dispatch.burstServiceDistanceM }
        set { dispatch.burstServiceDistanceM = newValue }
    }
    /// Folder with layers.yaml and prebuilt .mbtiles/.pmtiles archives.
    public var tilesFolder = "Tiles"
    /// Base URL written into TileJSON and styles (e.g. behind a proxy); nil uses the request's Host.
    public var publicURL: String?
    /// Folder holding the MapLibre style JSON files served at /styles/{name}.json.
    public var stylesFolder = "Styles"
    /// Where the web map loads MapLibre GL JS from: a local folder holding
    /// maplibre-gl.js and maplibre-gl.css, served at /maplibre/ (the default:
    /// `make serve` fills `maplibre/` from the PyPI `maplibre` package, so the
    /// page needs no network)…
    public var maplibreFolder: String? = "maplibre"
    /// …or, when `web.maplibre_url` is configured (and no folder), a URL folder such as a CDN.
    public var maplibreURL = "https://unpkg.com/maplibre-gl@5.6.0/dist"
    /// Folders searched (recursively, in order) for TTF/OTF/TTC fonts served as
    /// glyphs at /fonts/{stack}/{start}-{end}.pbf; a name found earlier wins.
    public var fontFolders = ["Fonts", "/usr/share/fonts"]
    /// Folders of SVG icons, each served as a sprite named after the folder
    /// (`Styles/icons` → /sprites/icons.json, icons@2x.png…); nil: the styles
    /// folder's `icons` (the sprite the shipped styles name).
    public var spriteFolders: [String]?
    /// The live stream at /v1/stream.
    public var stream = StreamSettings()
    /// Event intake: handler types per event type, duplicates, review threshold.
    public var dispatch = DispatchSettings()
    /// `PRAGMA synchronous` of the operational database: `normal` (a committed event
    /// survives a crash of the process; the last commits may be lost on power loss) or
    /// `full` (they survive power loss too, at one fsync per commit).
    public var operationsSynchronous = "normal"

    /// Where the data lives: `store` when given, else the SpatiaLite file `db`.
    /// Its `description` is what logs may show (never a password).
    public var storeLocation: StoreLocation {
        guard let store else { return .spatiaLite(path: db) }
        return StoreLocation(store, passwordFile: storePasswordFile)
    }

    /// Defaults. The write token from `CITYTWIN_TOKEN` is the command's to add
    /// (`serve` does), not read here: a config value never depends on the environment.
    public init() {}

    public struct ConfigError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Parses YAML onto `base`; returns the config and warnings for unknown keys
    /// (`unknown config key limits.colour`). Throws `ConfigError` naming the key.
    public static func parse(yaml: String, base: ServerConfig = ServerConfig()) throws(ConfigError) -> (ServerConfig, [String]) {
        let file: ConfigFile, unknown: [String]
        do { (file, unknown) = try YAMLConfig.decode(ConfigFile.self, from: yaml, schema: ConfigFile.schema) } catch {
            throw ConfigError(description: "config: \(error.message)")
        }
        var c = base
        try file.apply(to: &c)
        return (c, unknown.map { "unknown config key \($0)" })
    }
}

/// The config file as written: every key optional, decoded by `YAMLDecoder`,
/// checked and laid over the defaults by `apply`.
struct ConfigFile: Decodable {
    var host: String?
    var port: Int?
    var db: String?
    var store: String?
    var storePasswordFile: String?
    var geodata: String?
    var tokens: [String]?
    var limits: Limits?
    var bikes: Bikes?
    var flood: Flood?
    var tiles: Tiles?
    var web: Web?
    var dispatch: Dispatch?
    var operations: Operations?
    var stream: Stream?
    var networks: Networks?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case host, port, db, geodata, tokens, limits, bikes, flood, tiles, web, dispatch, operations, stream, networks
        case store, storePasswordFile = "store_password_file"
    }

    struct Networks: Decodable {
        var serviceDistanceM: Double?
        enum CodingKeys: String, CodingKey, CaseIterable { case serviceDistanceM = "service_distance_m" }
    }

    struct Stream: Decodable {
        var heartbeatS: Double?, retentionS: Double?, retentionMessages: Int?, clientBuffer: Int?, maxClients: Int?, coalesceMS: Double?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case heartbeatS = "heartbeat_s", retentionS = "retention_s", retentionMessages = "retention_messages"
            case clientBuffer = "client_buffer", maxClients = "max_clients", coalesceMS = "coalesce_ms"
        }
    }

    struct Operations: Decodable {
        var synchronous: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case synchronous }
    }

    struct Limits: Decodable {
        var maxK: Int?, maxRadiusM: Double?, maxBatch: Int?, maxPage: Int?, maxBodyBytes: Int?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case maxK = "max_k", maxRadiusM = "max_radius_m", maxBatch = "max_batch", maxPage = "max_page", maxBodyBytes = "max_body_bytes"
        }
    }
    struct Bikes: Decodable {
        var deficitBelow: Double?, surplusAbove: Double?
        var expiryH: Double?, retentionDays: Double?, futureToleranceS: Double?, areaMarginM: Double?, maxBatch: Int?
        var stationRadiusM: Double?, activityWindowMin: Double?, gbfsFeeds: [String]?
        var fenceEventType: String?, fenceEventWindowMin: Double?
        var outsideParkingEventType: String?, outsideParkingCellM: Double?, outsideParkingEventsMax: Int?
        var storePollS: Double?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case deficitBelow = "deficit_below", surplusAbove = "surplus_above"
            case expiryH = "expiry_h", retentionDays = "retention_days", futureToleranceS = "future_tolerance_s"
            case areaMarginM = "area_margin_m", maxBatch = "max_batch", stationRadiusM = "station_radius_m"
            case activityWindowMin = "activity_window_min", gbfsFeeds = "gbfs_feeds"
            case fenceEventType = "fence_event_type", fenceEventWindowMin = "fence_event_window_min"
            case outsideParkingEventType = "outside_parking_event_type", outsideParkingCellM = "outside_parking_cell_m"
            case outsideParkingEventsMax = "outside_parking_events_max", storePollS = "store_poll_s"
        }
    }
    struct Flood: Decodable {
        var warningRatio: Double?
        enum CodingKeys: String, CodingKey, CaseIterable { case warningRatio = "warning_ratio" }
    }
    struct Tiles: Decodable {
        var folder: String?, publicURL: String?
        enum CodingKeys: String, CodingKey, CaseIterable { case folder, publicURL = "public_url" }
    }
    struct Web: Decodable {
        var stylesFolder: String?, maplibreURL: String?, maplibreFolder: String?, fontsFolders: [String]?, spriteFolders: [String]?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case stylesFolder = "styles_folder", maplibreURL = "maplibre_url", maplibreFolder = "maplibre_folder"
            case fontsFolders = "fonts_folders", spriteFolders = "sprite_folders"
        }
    }
    struct Dispatch: Decodable {
        var handlerTypes: [String: String]?, defaultHandlerType: String?, handlers: Int?
        var duplicateRadiusM: Double?, duplicateWindowH: Double?, reviewBelow: Double?, floodContextM: Double?, pipeContextM: Double?
        var deadlinesH: [String: Double]?, defaultDeadlineH: Double?, escalationStepH: Double?, memoryWindowDays: Double?
        var readingRetentionDays: Double?, eventRetentionDays: Double?
        var eventTypes: [String: EventType]?, eventTypesReplace: Bool?, typeMinConfidence: Double?
        /// One taxonomy rule (`dispatch.event_types.<type>`).
        struct EventType: Decodable {
            var kind: String?, category: String?, keywords: [String]?, handlerType: String?
            enum CodingKeys: String, CodingKey, CaseIterable { case kind, category, keywords, handlerType = "handler_type" }
        }
        enum CodingKeys: String, CodingKey, CaseIterable {
            case eventTypes = "event_types", eventTypesReplace = "event_types_replace", typeMinConfidence = "type_min_confidence"
            case deadlinesH = "deadlines_h", defaultDeadlineH = "default_deadline_h", escalationStepH = "escalation_step_h"
            case memoryWindowDays = "memory_window_days", readingRetentionDays = "reading_retention_days", eventRetentionDays = "event_retention_days"
            case handlerTypes = "handler_types", defaultHandlerType = "default_handler_type", handlers
            case duplicateRadiusM = "duplicate_radius_m", duplicateWindowH = "duplicate_window_h", reviewBelow = "review_below"
            case floodContextM = "flood_context_m", pipeContextM = "pipe_context_m"
        }
    }

    static let schema: KeySchema = {
        var top: [String: KeySchema] = Dictionary(uniqueKeysWithValues: CodingKeys.allCases.map { ($0.stringValue, KeySchema.value) })
        top["limits"] = .leaves(Limits.CodingKeys.self)
        top["bikes"] = .leaves(Bikes.CodingKeys.self)
        top["flood"] = .leaves(Flood.CodingKeys.self)
        top["tiles"] = .leaves(Tiles.CodingKeys.self)
        top["web"] = .leaves(Web.CodingKeys.self)
        top["stream"] = .leaves(Stream.CodingKeys.self)
        top["networks"] = .leaves(Networks.CodingKeys.self)
        guard case .mapping(var d) = KeySchema.leaves(Dispatch.CodingKeys.self) else { return .mapping(top) }
        d["handler_types"] = .anyKeys
        d["deadlines_h"] = .anyKeys
        d["event_types"] = .mapOf(.leaves(Dispatch.EventType.CodingKeys.self))
        top["operations"] = .leaves(Operations.CodingKeys.self)
        top["dispatch"] = .mapping(d)
        return .mapping(top)
    }()

    func apply(to c: inout ServerConfig) throws(ServerConfig.ConfigError) {
        typealias E = ServerConfig.ConfigError
        func text(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }
        func finite(_ v: Double?, _ key: String, _ range: ClosedRange<Double>) throws(E) -> Double? {
            guard let v else { return nil }
            guard v.isFinite, range.contains(v) else { throw E(description: "\(key) must be \(text(range.lowerBound))-\(text(range.upperBound))") }
            return v
        }
        func count(_ v: Int?, _ key: String, _ range: ClosedRange<Int>) throws(E) -> Int? {
            guard let v else { return nil }
            guard range.contains(v) else { throw E(description: "\(key) must be \(range.lowerBound)-\(range.upperBound)") }
            return v
        }
        if let host { c.host = host }
        if let p = try count(port, "port", 1...65535) { c.port = p }
        if let db { c.db = db }
        if let store {
            guard !store.isEmpty else { throw E(description: "store must be a postgres:// URL or a SpatiaLite path") }
            // A password in the URL would end up in files and process lists: it goes in the password file.
            if case .postgres(let url, _) = StoreLocation(store), URLComponents(string: url)?.password != nil {
                throw E(description: "store: give the password in store_password_file or PGPASSWORD, not in the URL")
            }
            c.store = store
        }
        if let storePasswordFile { c.storePasswordFile = storePasswordFile }
        if let geodata { c.geodata = geodata }
        if let tokens { c.tokens = tokens }
        if let l = limits {
            // Counts are whole and bounded: they size buffers and pages.
            if let v = try count(l.maxK, "limits.max_k", 1...1_000_000_000) { c.limits.maxK = v }
            if let v = try finite(l.maxRadiusM, "limits.max_radius_m", 0.001...20_037_509) { c.limits.maxRadius = v }
            if let v = try count(l.maxBatch, "limits.max_batch", 1...1_000_000_000) { c.limits.maxBatch = v }
            if let v = try count(l.maxPage, "limits.max_page", 1...1_000_000_000) { c.limits.maxPage = v }
            if let v = try count(l.maxBodyBytes, "limits.max_body_bytes", 1...1_000_000_000) { c.limits.maxBodyBytes = v }
        }
        if let b = bikes {
            if let v = try finite(b.deficitBelow, "bikes.deficit_below", 0...1_000) { c.bikeDeficitBelow = v }
            if let v = try finite(b.surplusAbove, "bikes.surplus_above", 0...1_000) { c.bikeSurplusAbove = v }
            if let v = try finite(b.expiryH, "bikes.expiry_h", 0.01...8760) { c.bikes.expirySeconds = v * 3600 }
            if let v = try finite(b.retentionDays, "bikes.retention_days", 0.01...36_500) { c.bikes.retentionDays = v }
            if let v = try finite(b.futureToleranceS, "bikes.future_tolerance_s", 0...86_400) { c.bikes.futureToleranceSeconds = v }
            if let v = try finite(b.areaMarginM, "bikes.area_margin_m", 0...500_000) { c.bikes.areaMarginMetres = v }
            if let v = try count(b.maxBatch, "bikes.max_batch", 1...10_000_000) { c.bikes.maxBatch = v }
            if let v = try finite(b.stationRadiusM, "bikes.station_radius_m", 1...5_000) { c.bikes.stationRadius = v }
            if let v = try finite(b.activityWindowMin, "bikes.activity_window_min", 1...120) { c.bikes.activityWindowMinutes = v }
            if let f = b.gbfsFeeds { c.gbfsFeeds = f }
            if let t = b.fenceEventType { c.bikes.fenceEventType = t.isEmpty ? nil : t }
            if let v = try finite(b.fenceEventWindowMin, "bikes.fence_event_window_min", 0...100_000) { c.bikes.fenceEventWindowMinutes = v }
            if let t = b.outsideParkingEventType { c.bikes.outsideParkingEventType = t.isEmpty ? nil : t }
            if let v = try finite(b.outsideParkingCellM, "bikes.outside_parking_cell_m", 10...100_000) { c.bikes.outsideParkingCellMetres = v }
            if let v = try count(b.outsideParkingEventsMax, "bikes.outside_parking_events_max", 0...100_000) {
                c.bikes.outsideParkingEventsPerWindow = v
            }
            if let v = try finite(b.storePollS, "bikes.store_poll_s", 0.05...3600) { c.bikes.storePollSeconds = v }
        }
        if let v = try finite(flood?.warningRatio, "flood.warning_ratio", 0...1_000) { c.floodWarningRatio = v }
        if let v = try finite(networks?.serviceDistanceM, "networks.service_distance_m", 0...500) {
            c.networkServiceDistanceM = v
        }
        if let t = tiles {
            if let f = t.folder { c.tilesFolder = f }
            if let u = t.publicURL {
                guard u.hasPrefix("http://") || u.hasPrefix("https://") else { throw E(description: "tiles.public_url must start with http:// or https://") }
                c.publicURL = u.hasSuffix("/") ? String(u.dropLast()) : u
            }
        }
        if let w = web {
            if let f = w.stylesFolder { c.stylesFolder = f }
            if let u = w.maplibreURL {
                c.maplibreURL = u.hasSuffix("/") ? String(u.dropLast()) : u
                // A configured URL replaces the default local folder, unless a folder is configured too.
                c.maplibreFolder = nil
            }
            if let f = w.maplibreFolder { c.maplibreFolder = f }
            if let f = w.fontsFolders { c.fontFolders = f }
            if let f = w.spriteFolders { c.spriteFolders = f }
        }
        if let d = dispatch {
            for (e, h) in d.handlerTypes ?? [:] { c.dispatch.handlerTypes[e] = h }
            if let h = d.defaultHandlerType {
                guard !h.isEmpty else { throw E(description: "dispatch.default_handler_type must be a string") }
                c.dispatch.defaultHandlerType = h
            }
            if let n = try count(d.handlers, "dispatch.handlers", 1...50) { c.dispatch.handlersProposed = n }
            if let v = try finite(d.duplicateRadiusM, "dispatch.duplicate_radius_m", 0...100_000) { c.dispatch.duplicateRadiusM = v }
            if let v = try finite(d.duplicateWindowH, "dispatch.duplicate_window_h", 0...100_000) { c.dispatch.duplicateWindowHours = v }
            if let v = try finite(d.reviewBelow, "dispatch.review_below", 0...1) { c.dispatch.reviewBelow = v }
            if let v = try finite(d.floodContextM, "dispatch.flood_context_m", 0...100_000) { c.dispatch.floodContextM = v }
            if let v = try finite(d.pipeContextM, "dispatch.pipe_context_m", 0...100_000) { c.dispatch.pipeContextM = v }
            for (type, h) in d.deadlinesH ?? [:] { c.dispatch.deadlineHours[type] = try finite(h, "dispatch.deadlines_h.\(type)", 0.01...100_000) }
            if let v = try finite(d.defaultDeadlineH, "dispatch.default_deadline_h", 0.01...100_000) { c.dispatch.defaultDeadlineHours = v }
            if let v = try finite(d.escalationStepH, "dispatch.escalation_step_h", 0.02...100_000) { c.dispatch.escalationStepHours = v }
            if let v = try finite(d.memoryWindowDays, "dispatch.memory_window_days", 0...3650) { c.dispatch.memoryWindowDays = v }
            if let v = try finite(d.readingRetentionDays, "dispatch.reading_retention_days", 1...36_500) { c.dispatch.readingRetentionDays = v }
            if let v = try finite(d.eventRetentionDays, "dispatch.event_retention_days", 1...36_500) { c.dispatch.eventRetentionDays = v }
            if let v = try finite(d.typeMinConfidence, "dispatch.type_min_confidence", 0...1) { c.dispatch.taxonomy.minimumConfidence = v }
            if d.eventTypesReplace == true { c.dispatch.taxonomy.rules = [] }
            var rules: [EventTypeRule] = []
            for (type, t) in (d.eventTypes ?? [:]).sorted(by: { $0.key < $1.key }) {
                let key = "dispatch.event_types.\(type)"
                guard !type.isEmpty, type.count <= 40 else { throw E(description: "\(key): a type is 1-40 characters") }
                let keywords = (t.keywords ?? []).filter { !$0.isEmpty }
                guard !keywords.isEmpty else { throw E(description: "\(key).keywords must list at least one phrase") }
                let old = c.dispatch.taxonomy.rule(type)
                rules.append(EventTypeRule(type: type, kind: t.kind ?? old?.kind ?? "事件", category: t.category ?? old?.category ?? "",
                                           keywords: keywords, handlerType: t.handlerType ?? old?.handlerType))
            }
            c.dispatch.taxonomy = c.dispatch.taxonomy.overridden(by: rules)
        }
        if let s = stream {
            if let v = try finite(s.heartbeatS, "stream.heartbeat_s", 0.05...3600) { c.stream.heartbeatSeconds = v }
            if let v = try finite(s.retentionS, "stream.retention_s", 1...86_400) { c.stream.retentionSeconds = v }
            if let v = try count(s.retentionMessages, "stream.retention_messages", 16...10_000_000) { c.stream.retentionMessages = v }
            if let v = try count(s.clientBuffer, "stream.client_buffer", 1...10_000_000) { c.stream.clientBuffer = v }
            if let v = try count(s.maxClients, "stream.max_clients", 1...1_000_000) { c.stream.maxClients = v }
            if let v = try finite(s.coalesceMS, "stream.coalesce_ms", 0...10_000) { c.stream.coalesceSeconds = v / 1000 }
        }
        if let s = operations?.synchronous {
            guard ["normal", "full"].contains(s) else { throw E(description: "operations.synchronous must be normal or full") }
            c.operationsSynchronous = s
        }
    }
}
