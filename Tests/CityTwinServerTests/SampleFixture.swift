import CityOps
import CityTwinServer
import Foundation
import Geo
import Hummingbird
import HummingbirdTesting
import Importer
import Storage
import TestSupport

/// The sample city loaded once into a scratch database, shared by the HTTP tests.
enum SampleFixture {
    static let token = "test-token"
    static let state: CityState = loadSample(into: "server")

    /// The sample city imported into a fresh scratch database.
    static func loadSample(into name: String) -> CityState {
        let dir = TestSupport.scratch(name)
        let store = try! SpatiaLiteStore(path: dir + "/sample.sqlite")
        let manifest = try! GeoDataManifest.read(directory: TestSupport.projectRoot + "/GeoData")
        _ = try! manifest.load(directory: TestSupport.projectRoot + "/GeoData", into: store, rejectsDirectory: dir)
        return try! CityState(store: store)
    }

    static var config: ServerConfig {
        var c = ServerConfig()
        c.tokens = [token]
        c.stylesFolder = TestSupport.projectRoot + "/Styles"
        return c
    }

    /// One tile service for the shared state, as `serve` builds it.
    static let tiles = TileService()

    /// One geocoder for the shared state (building it takes a while in debug builds).
    static let geocoding = GeocodingService()

    /// The event hub of the shared state, on its own operational database, made on first use.
    static let hubTask = Task { try await makeHub(for: state, name: "server") }

    static func makeHub(for state: CityState, name: String, clock: any EventClock = SystemClock(),
                        settings: DispatchSettings = config.dispatch) async throws -> EventService {
        let dir = TestSupport.scratch(name + "-ops")
        return try await EventService(store: try SQLiteOperationalStore(path: dir + "/ops.sqlite"), state: state, settings: settings, clock: clock)
    }

    static func app(_ config: ServerConfig = config, tiles: TileService = tiles) async throws -> some ApplicationProtocol {
        Application(router: CityTwinServer.router(state: state, config: config, tiles: tiles, geocoding: geocoding, events: try await hubTask.value))
    }

    static func json(_ r: TestResponse) throws -> JSONValue { try JSONParser.parse(String(buffer: r.body)) }
}
