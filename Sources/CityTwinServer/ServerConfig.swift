import CityOps
import Foundation
import Yams

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
    public var geodata = "GeoData"
    /// Bearer tokens accepted for writes; empty means "loopback clients only".
    public var tokens: [String] = []
    public var limits = Limits()
    /// Bike balance thresholds as fractions of capacity.
    public var bikeDeficitBelow = 0.35
    public var bikeSurplusAbove = 1.2
    /// A flood point is in `warning` from this fraction of its threshold.
    public var floodWarningRatio = 0.7
    /// Folder with layers.yaml and prebuilt .mbtiles/.pmtiles archives.
    public var tilesFolder = "Tiles"
    /// Base URL written into TileJSON and styles (e.g. behind a proxy); nil uses the request's Host.
    public var publicURL: String?
    /// Folder holding the MapLibre style JSON files served at /styles/{name}.json.
    public var stylesFolder = "Styles"
    /// Where the web map loads MapLibre GL JS from: a URL folder holding
    /// maplibre-gl.js and maplibre-gl.css (a public CDN by default)…
    public var maplibreURL = "https://unpkg.com/maplibre-gl@5.6.0/dist"
    /// …or a local folder with those two files, served at /maplibre/ (overrides the URL).
    public var maplibreFolder: String?
    /// Event intake: handler types per event type, duplicates, review threshold.
    public var dispatch = DispatchSettings()

    public init() {
        if let t = ProcessInfo.processInfo.environment["CITYTWIN_TOKEN"], !t.isEmpty { tokens = [t] }
    }

    public struct ConfigError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Parses YAML; returns the config and warnings for unknown keys.
    public static func parse(yaml: String, base: ServerConfig = ServerConfig()) throws -> (ServerConfig, [String]) {
        var c = base
        var warnings: [String] = []
        let node: Any?
        do { node = try Yams.load(yaml: yaml) } catch { throw ConfigError(description: "config is not valid YAML: \(error)") }
        guard let top = node as? [String: Any] ?? (node == nil ? [:] : nil) else { throw ConfigError(description: "config must be a YAML mapping") }
        func number(_ v: Any, _ key: String) throws -> Double {
            if let d = v as? Double, d.isFinite { return d }
            if let i = v as? Int { return Double(i) }
            throw ConfigError(description: "config key \(key) must be a finite number")
        }
        /// A section whose values are all strings (tiles, web).
        func strings(_ v: Any, _ section: String) throws -> [(String, String)] {
            guard let m = v as? [String: Any] else { throw ConfigError(description: "\(section) must be a mapping") }
            return try m.sorted { $0.key < $1.key }.map { k, v in
                guard let s = v as? String else { throw ConfigError(description: "\(section).\(k) must be a string") }
                return (k, s)
            }
        }
        for (key, value) in top {
            switch key {
            case "host": guard let s = value as? String else { throw ConfigError(description: "host must be a string") }; c.host = s
            case "port":
                guard let p = value as? Int, (1...65535).contains(p) else { throw ConfigError(description: "port must be 1-65535") }
                c.port = p
            case "db": guard let s = value as? String else { throw ConfigError(description: "db must be a string") }; c.db = s
            case "geodata": guard let s = value as? String else { throw ConfigError(description: "geodata must be a string") }; c.geodata = s
            case "tokens":
                guard let a = value as? [Any], a.allSatisfy({ $0 is String }) else { throw ConfigError(description: "tokens must be a list of strings") }
                c.tokens = a.compactMap { $0 as? String }
            case "limits":
                guard let m = value as? [String: Any] else { throw ConfigError(description: "limits must be a mapping") }
                let known: Set<String> = ["max_k", "max_radius_m", "max_batch", "max_page", "max_body_bytes"]
                for (k, v) in m {
                    guard known.contains(k) else { warnings.append("unknown config key limits.\(k)"); continue }
                    let n = try number(v, "limits.\(k)")
                    guard n > 0 else { throw ConfigError(description: "limits.\(k) must be positive") }
                    // Counts are whole and bounded: a bare Int(1e300) would trap at start-up.
                    let count = n <= 1_000_000_000 && n.rounded() == n ? Int(n) : nil
                    if k != "max_radius_m" && count == nil { throw ConfigError(description: "limits.\(k) must be a whole number up to 1000000000") }
                    switch k {
                    case "max_k": c.limits.maxK = count ?? 1
                    case "max_radius_m": c.limits.maxRadius = n
                    case "max_batch": c.limits.maxBatch = count ?? 1
                    case "max_page": c.limits.maxPage = count ?? 1
                    case "max_body_bytes": c.limits.maxBodyBytes = count ?? 1
                    default: warnings.append("unknown config key limits.\(k)")
                    }
                }
            case "bikes":
                guard let m = value as? [String: Any] else { throw ConfigError(description: "bikes must be a mapping") }
                for (k, v) in m {
                    switch k {
                    case "deficit_below": c.bikeDeficitBelow = try number(v, "bikes.deficit_below")
                    case "surplus_above": c.bikeSurplusAbove = try number(v, "bikes.surplus_above")
                    default: warnings.append("unknown config key bikes.\(k)")
                    }
                }
            case "flood":
                guard let m = value as? [String: Any] else { throw ConfigError(description: "flood must be a mapping") }
                for (k, v) in m {
                    if k == "warning_ratio" { c.floodWarningRatio = try number(v, "flood.warning_ratio") } else { warnings.append("unknown config key flood.\(k)") }
                }
            case "tiles":
                for (k, str) in try strings(value, "tiles") {
                    switch k {
                    case "folder": c.tilesFolder = str
                    case "public_url":
                        guard str.hasPrefix("http://") || str.hasPrefix("https://") else { throw ConfigError(description: "tiles.public_url must start with http:// or https://") }
                        c.publicURL = str.hasSuffix("/") ? String(str.dropLast()) : str
                    default: warnings.append("unknown config key tiles.\(k)")
                    }
                }
            case "dispatch":
                guard let m = value as? [String: Any] else { throw ConfigError(description: "dispatch must be a mapping") }
                for (k, v) in m {
                    switch k {
                    case "handler_types":
                        guard let t = v as? [String: Any], t.values.allSatisfy({ $0 is String }) else {
                            throw ConfigError(description: "dispatch.handler_types must map event types to handler types")
                        }
                        for (e, h) in t { c.dispatch.handlerTypes[e] = h as? String }
                    case "default_handler_type":
                        guard let h = v as? String, !h.isEmpty else { throw ConfigError(description: "dispatch.default_handler_type must be a string") }
                        c.dispatch.defaultHandlerType = h
                    case "handlers":
                        guard let n = v as? Int, (1...50).contains(n) else { throw ConfigError(description: "dispatch.handlers must be 1-50") }
                        c.dispatch.handlersProposed = n
                    case "duplicate_radius_m", "duplicate_window_h", "review_below", "flood_context_m", "pipe_context_m":
                        let n = try number(v, "dispatch.\(k)")
                        guard n >= 0, n <= 100_000 else { throw ConfigError(description: "dispatch.\(k) must be 0-100000") }
                        switch k {
                        case "duplicate_radius_m": c.dispatch.duplicateRadiusM = n
                        case "duplicate_window_h": c.dispatch.duplicateWindowHours = n
                        case "review_below":
                            guard n <= 1 else { throw ConfigError(description: "dispatch.review_below must be 0-1") }
                            c.dispatch.reviewBelow = n
                        case "flood_context_m": c.dispatch.floodContextM = n
                        default: c.dispatch.pipeContextM = n
                        }
                    default: warnings.append("unknown config key dispatch.\(k)")
                    }
                }
            case "web":
                for (k, str) in try strings(value, "web") {
                    switch k {
                    case "styles_folder": c.stylesFolder = str
                    case "maplibre_url": c.maplibreURL = str.hasSuffix("/") ? String(str.dropLast()) : str
                    case "maplibre_folder": c.maplibreFolder = str
                    default: warnings.append("unknown config key web.\(k)")
                    }
                }
            default:
                warnings.append("unknown config key \(key)")
            }
        }
        return (c, warnings.sorted())
    }
}
