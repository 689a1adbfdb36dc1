import CityOps
import Foundation
import Geo
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import Storage

/// Builds the Hummingbird application: routes, problem+json, metrics.
public enum CityTwinServer {
    /// One Prometheus registry per process (swift-metrics bootstraps once).
    static let registry = PrometheusCollectorRegistry()
    static let bootstrapMetrics: Void = MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

    public static func router(state: CityState, config: ServerConfig, tiles: TileService = TileService(),
                              geocoding: GeocodingService = GeocodingService(), events: EventService? = nil,
                              bikes: LiveBikeService? = nil) -> Router<CityTwinRequestContext> {
        _ = bootstrapMetrics
        let router = Router(context: CityTwinRequestContext.self)
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: MetricsMiddleware())
        let env = RouteEnvironment(state: state, config: config, tiles: tiles, geocoding: geocoding, events: events, bikes: bikes)
        env.addSystemRoutes(to: router)
        env.addLayerRoutes(to: router)
        env.addQueryRoutes(to: router)
        env.addCityRoutes(to: router)
        env.addTileRoutes(to: router)
        env.addWebRoutes(to: router)
        env.addGeocodeRoutes(to: router)
        env.addEventRoutes(to: router)
        env.addStreamRoutes(to: router)
        env.addFontRoutes(to: router)
        env.addSpriteRoutes(to: router)
        env.addNetworkRoutes(to: router)
        env.addBikeRoutes(to: router)
        return router
    }

    /// The HTTP application with its background services (`services`, e.g. a
    /// `DataVersionWatch`), run together in one ServiceGroup by `runService()`.
    public static func application(state: CityState, config: ServerConfig, tiles: TileService, geocoding: GeocodingService,
                                   events: EventService? = nil, bikes: LiveBikeService? = nil, services: [any Service] = [],
                                   logger: Logger) -> some ApplicationProtocol {
        // Every layer's tile properties built behind the start, not in the first tiles' answers.
        tiles.prepareInBackground(state.snapshot)
        return Application(router: router(state: state, config: config, tiles: tiles, geocoding: geocoding, events: events, bikes: bikes),
                    server: .http1(configuration: .init(additionalChannelHandlers: [CachedTileHandler(tiles: tiles, state: state)])),
                    configuration: .init(address: .hostname(config.host, port: config.port), serverName: "CityTwin"),
                    services: services,
                    logger: logger)
    }
}

/// What every route handler needs.
struct RouteEnvironment: Sendable {
    let state: CityState
    let config: ServerConfig
    let tiles: TileService
    let geocoding: GeocodingService
    /// The event hub; nil on a server without an operational store (event routes answer 503).
    let events: EventService?
    /// Live bike positions; nil on a server without them (bike routes answer 503, balance counts the layer).
    let bikes: LiveBikeService?

    var snapshot: CitySnapshot { state.snapshot }

    func layer(_ name: String, in s: CitySnapshot) throws -> LayerSnapshot {
        guard let l = s.layers[name] else { throw Problem(.notFound, "unknown layer \"\(name.prefix(64))\"", title: "Unknown layer") }
        return l
    }

    /// Write rule: a configured bearer token, or (with none configured) a loopback client.
    func authorizeWrite(_ request: Request, _ context: CityTwinRequestContext) throws {
        if config.tokens.isEmpty {
            let ip = context.remoteAddress?.ipAddress ?? ""
            guard ip == "127.0.0.1" || ip == "::1" || ip.hasPrefix("127.") || ip == "::ffff:127.0.0.1" else {
                throw Problem(.forbidden, "writes are accepted from loopback clients only when no token is configured")
            }
            return
        }
        guard let h = request.headers[.authorization], h.hasPrefix("Bearer ") else {
            throw Problem(.unauthorized, "this route needs Authorization: Bearer <token>")
        }
        guard config.tokens.contains(String(h.dropFirst(7))) else { throw Problem(.forbidden, "the bearer token is not accepted") }
    }

    /// Scheme, host and port clients reach this server at: the configured
    /// public URL, else the request's Host header.
    func baseURL(_ request: Request) -> String {
        if let u = config.publicURL { return u }
        let host = request.head.authority ?? "\(config.host):\(config.port)"
        return "http://\(host)"
    }

    /// Collects a JSON body within the configured limit and parses it.
    func jsonBody(_ request: Request) async throws -> JSONValue {
        var request = request
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: config.limits.maxBodyBytes) } catch {
            throw Problem(.contentTooLarge, "request body exceeds \(config.limits.maxBodyBytes) bytes")
        }
        do { return try JSONParser.parse([UInt8](buffer: buffer)) } catch {
            throw Problem(.badRequest, "request body is not valid JSON: \(error.message)", title: "Malformed JSON")
        }
    }
}
