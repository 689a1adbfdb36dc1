import CityOps
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Geo
import Hummingbird
import Logging
import ServiceLifecycle
import Storage

extension RouteEnvironment {
    /// Live bikes: nil on a server without them (balance then counts the imported layer).
    var liveBikes: LiveBikeService {
        get throws {
            guard let b = bikes else { throw Problem(.serviceUnavailable, "live bikes are not enabled on this server") }
            return b
        }
    }

    func addBikeRoutes(to router: Router<CityTwinRequestContext>) {
        router.get("/v1/bikes/balance", use: balance)
        router.post("/v1/bikes/positions", use: ingestPositions)
        router.get("/v1/bikes/positions", use: positionsPage)
        router.get("/v1/bikes/fences", use: fences)
        router.get("/gbfs/{file}", use: gbfsFile)
        router.get("/gbfs", use: gbfsFile)
    }

    /// Per station: bikes within `radius` against capacity; with live bikes also
    /// activity over the configured window and its change since the window before.
    @Sendable func balance(_ request: Request, _ context: CityTwinRequestContext) async throws -> JSONResponse {
        let q = QueryParameters(request)
        let radius = try q.double("radius", range: 1...5000, default: bikes?.settings.stationRadius ?? 100)!
        // A district's (street's, community's, grid's) screen asks for its own stations by code.
        let areas = [("district", LayerRole.district), ("street", .street), ("community", .community), ("grid", .grid)]
            .compactMap { name, role in q.string(name).map { (name, role, $0) } }
        guard areas.count <= 1 else {
            throw Problem.badParameter(areas[1].0, "only one of district, street, community and grid may be given")
        }
        if let (name, _, code) = areas.first, code.isEmpty { throw Problem.badParameter(name, "must be an area code, not empty") }
        let selection = StationSelection(bbox: try q.bbox(), area: areas.first.map { ($0.1, $0.2) })
        guard let live = bikes else { return try snapshotBalance(radius, selection) }
        let b = try live.balance(radius: radius, selection: selection)
        var counts = [0, 0, 0]
        var out = "{\"radius\":\(GeoJSON.formatCoordinate(radius, 3)),\"window_minutes\":\(b.windowMinutes),\"bikes\":\(b.bikes),\"stations\":["
        out.reserveCapacity(b.stations.count * 200)
        for (n, st) in b.stations.enumerated() {
            if n > 0 { out += "," }
            counts[Int(st.status.rawValue)] += 1
            out += "{\"station_id\":"
            JSONWriter.writeString(st.stationID, to: &out)
            out += ",\"count\":\(st.count),\"capacity\":\(st.capacity),\"status\":\"\(st.status.name)\""
            if let r = st.reported {
                out += ",\"reported_available\":\(r.vehiclesAvailable),\"reported_docks\":" + (r.docksAvailable.map(String.init) ?? "null")
                out += ",\"reported_at\":"
                JSONWriter.writeString(Timestamp.millis(r.reportedAt), to: &out)
            }
            out += ",\"activity\":{\"arrivals\":\(st.arrivals),\"departures\":\(st.departures),\"total\":\(st.activity)"
            out += ",\"previous_arrivals\":\(st.previousArrivals),\"previous_departures\":\(st.previousDepartures),\"change\":\(st.activityChange)}}"
        }
        out += "],\"summary\":{\"surplus\":\(counts[2]),\"deficit\":\(counts[1]),\"ok\":\(counts[0])}}"
        return JSONResponse(text: out)
    }

    func snapshotBalance(_ radius: Double, _ selection: StationSelection) throws -> JSONResponse {
        // An unknown area is the caller's error even on a city without bikes.
        if !selection.isAll { try selection.check(snapshot) }
        guard snapshot.layer(role: .bikeStation) != nil, snapshot.layer(role: .bike) != nil else {
            return JSONResponse(text: "{\"radius\":\(GeoJSON.formatCoordinate(radius, 3)),\"stations\":[],\"summary\":{\"surplus\":0,\"deficit\":0,\"ok\":0}}")
        }
        // An unknown area code is the caller's error (404), not an empty city.
        let b = try snapshot.bikeBalance(radius: radius, low: config.bikeDeficitBelow, high: config.bikeSurplusAbove, selection: selection)
        var counts = ["surplus": 0, "deficit": 0, "ok": 0]
        var out = "{\"radius\":\(GeoJSON.formatCoordinate(radius, 3)),\"stations\":["
        for (n, st) in b.stations.enumerated() {
            if n > 0 { out += "," }
            counts[st.status, default: 0] += 1
            out += "{\"station_id\":"
            JSONWriter.writeString(st.stationID, to: &out)
            out += ",\"count\":\(st.count),\"capacity\":\(st.capacity),\"status\":\"\(st.status)\"}"
        }
        out += "],\"summary\":{\"surplus\":\(counts["surplus"]!),\"deficit\":\(counts["deficit"]!),\"ok\":\(counts["ok"]!)}}"
        return JSONResponse(text: out)
    }

    /// A JSON array or NDJSON of position reports (at most `bikes.max_batch`).
    /// 200 with what happened to each: applied, ignored as older, or rejected with a reason.
    @Sendable func ingestPositions(_ request: Request, _ context: CityTwinRequestContext) async throws -> JSONResponse {
        try authorizeWrite(request, context)
        let live = try liveBikes
        var request = request
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: config.limits.maxBodyBytes) } catch {
            throw Problem(.contentTooLarge, "request body exceeds \(config.limits.maxBodyBytes) bytes; send positions in smaller batches")
        }
        let r = try await live.ingest(bytes: [UInt8](buffer: buffer))
        var out = "{\"received\":\(r.received),\"applied\":\(r.applied),\"ignored_older\":\(r.ignoredOlder),\"rejected\":\(r.rejected.count)"
        out += ",\"station_changes\":\(r.stationChanges),\"errors\":["
        for (n, e) in r.rejected.prefix(1000).enumerated() {
            if n > 0 { out += "," }
            out += "{\"index\":\(e.index),\"bike_id\":"
            if let id = e.bikeID { JSONWriter.writeString(id, to: &out) } else { out += "null" }
            out += ",\"reason\":"
            JSONWriter.writeString(e.reason, to: &out)
            out += "}"
        }
        return JSONResponse(text: out + "]}")
    }

    /// The live bikes as GeoJSON, paged in `bike_id` order with an id cursor (`after`), the
    /// shape of `/v1/layers/{layer}/features`. Not that route itself: its features are the
    /// stored layer's (integer ids, `features/{id}`, the catalog's count), which live bikes are not.
    @Sendable func positionsPage(_ request: Request, _ context: CityTwinRequestContext) async throws -> JSONResponse {
        let live = try liveBikes
        let q = QueryParameters(request)
        let limit = try q.int("limit", range: 1...config.limits.maxPage, default: 100)
        let after = q.string("after")
        let crs = try q.crs("out_crs")
        let page = live.positions(after: after, limit: limit, bbox: try q.bbox())
        var out = "{\"type\":\"FeatureCollection\",\"numberMatched\":\(page.matched),\"numberReturned\":\(page.bikes.count),\"features\":["
        out.reserveCapacity(page.bikes.count * 200)
        for (n, b) in page.bikes.enumerated() {
            if n > 0 { out += "," }
            out += "{\"type\":\"Feature\",\"id\":"
            JSONWriter.writeString(b.bikeID, to: &out)
            out += ",\"properties\":{\"bike_id\":"
            JSONWriter.writeString(b.bikeID, to: &out)
            out += ",\"operator\":"
            JSONWriter.writeString(b.operatorName, to: &out)
            out += ",\"status\":\"\(b.status.rawValue)\",\"observed_at\":"
            if let t = b.observedAt {
                JSONWriter.writeString(Timestamp.millis(Date(timeIntervalSince1970: Double(t) / 1000)), to: &out)
            } else { out += "null" }
            let p = crs.fromWGS84(b.position)
            out += "},\"geometry\":{\"type\":\"Point\",\"coordinates\":[" + GeoJSON.formatCoordinate(p.x, 7) + ","
            out += GeoJSON.formatCoordinate(p.y, 7) + "]}}"
        }
        out += "],\"next\":"
        if page.more, let last = page.bikes.last {
            // Ids may hold any character: only unreserved ones stay as they are in the cursor.
            let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
            var next = "/v1/bikes/positions?limit=\(limit)&after=" + (last.bikeID.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "")
            if let b = q.string("bbox") { next += "&bbox=\(b)" }
            if let c = q.string("out_crs") { next += "&out_crs=\(c)" }
            JSONWriter.writeString(next, to: &out)
        } else {
            out += "null"
        }
        return JSONResponse(text: out + "}")
    }

    /// Fence counts against capacity and the parked bikes in violation.
    @Sendable func fences(_ request: Request, _ context: CityTwinRequestContext) async throws -> JSONResponse {
        let q = QueryParameters(request)
        let limit = try q.int("limit", range: 0...config.limits.maxPage, default: 1000)
        let crs = try q.crs("out_crs")
        let r = try liveBikes.fences(limit: limit)
        var out = "{\"fences\":["
        for (n, f) in r.fences.enumerated() {
            if n > 0 { out += "," }
            out += "{\"id\":\(f.featureID),\"fence_id\":"
            if let id = f.fenceID { JSONWriter.writeString(id, to: &out) } else { out += "null" }
            out += ",\"kind\":\"\(f.kind.rawValue)\",\"capacity\":" + (f.capacity.map(String.init) ?? "null")
            out += ",\"count\":\(f.count),\"over_capacity\":\(f.overCapacity)}"
        }
        out += "],\"no_parking\":{\"count\":\(r.inNoParkingCount),\"bikes\":"
        violations(r.inNoParking, crs, into: &out)
        out += "},\"outside_parking\":{\"count\":\(r.outsideParkingCount),\"bikes\":"
        violations(r.outsideParking, crs, into: &out)
        return JSONResponse(text: out + "}}")
    }

    /// The GBFS v3.0 export: `/gbfs` or `/gbfs/gbfs.json` (discovery) and the files it lists.
    @Sendable func gbfsFile(_ request: Request, _ context: CityTwinRequestContext) async throws -> JSONResponse {
        let live = try liveBikes
        var name = context.parameters.get("file") ?? "gbfs.json"
        guard name.hasSuffix(".json") else { throw Problem(.notFound, "GBFS files end in .json", title: "Unknown GBFS file") }
        name.removeLast(5)
        guard let text = try live.gbfs(name, baseURL: baseURL(request) + "/gbfs") else {
            throw Problem(.notFound, "no GBFS file \(InputText.quoted(name)) (gbfs, \(LiveBikeService.gbfsFiles.joined(separator: ", ")))",
                          title: "Unknown GBFS file")
        }
        return JSONResponse(text: text)
    }

    func violations(_ list: [FenceReport.Violation], _ crs: CRS, into out: inout String) {
        out += "["
        for (n, v) in list.enumerated() {
            if n > 0 { out += "," }
            Self.bikeJSON(v.bike, crs, into: &out, extra: v.fenceFeatureID.map { ",\"fence\":\($0)" } ?? "")
        }
        out += "]"
    }

    /// `{"bike_id","operator","status","observed_at","lon","lat","distance_m"?}`.
    static func bikeJSON(_ b: LiveBike, _ crs: CRS, withDistance: Bool = false, into out: inout String, extra: String = "") {
        out += "{\"bike_id\":"
        JSONWriter.writeString(b.bikeID, to: &out)
        out += ",\"operator\":"
        JSONWriter.writeString(b.operatorName, to: &out)
        out += ",\"status\":\"\(b.status.rawValue)\",\"observed_at\":"
        if let t = b.observedAt {
            JSONWriter.writeString(Timestamp.millis(Date(timeIntervalSince1970: Double(t) / 1000)), to: &out)
        } else { out += "null" }
        let p = crs.fromWGS84(b.position)
        out += ",\"lon\":" + GeoJSON.formatCoordinate(p.x, 7) + ",\"lat\":" + GeoJSON.formatCoordinate(p.y, 7)
        if withDistance { out += ",\"distance_m\":" + GeoJSON.formatCoordinate(b.distance, 3) }
        out += extra + "}"
    }

    /// `/v1/within` and `/v1/nearest` on the live bike layer: `{"results":[bike…]}`.
    static func liveHits(_ bikes: [LiveBike], _ crs: CRS) -> String {
        var out = "["
        for (n, b) in bikes.enumerated() {
            if n > 0 { out += "," }
            bikeJSON(b, crs, withDistance: true, into: &out)
        }
        return out + "]"
    }

    /// Whether queries on this layer go to the live bikes (it is the first layer of role bike).
    func isLive(_ l: LayerSnapshot, _ s: CitySnapshot) -> Bool {
        bikes != nil && l.info.role == .bike && s.layer(role: .bike)?.identity == l.identity
    }
}

/// Reads a GBFS file: http(s) through Foundation's URLSession (FoundationNetworking; plain
/// GETs with a timeout need no other client), anything else as a local path or file:// URL.
public func gbfsFetch(_ location: String) async throws -> [UInt8] {
    if location.hasPrefix("http://") || location.hasPrefix("https://") {
        guard let url = URL(string: location) else { throw CityOpsError(.invalidParameter, "not a URL: \(location)") }
        var request = URLRequest(url: url, timeoutInterval: 30)
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        let (data, response) = try await URLSession.shared.data(for: request)
        if let h = response as? HTTPURLResponse, !(200..<300).contains(h.statusCode) {
            throw CityOpsError(.invalidParameter, "HTTP \(h.statusCode) for \(location)")
        }
        return [UInt8](data)
    }
    let path = location.hasPrefix("file://") ? (URL(string: location)?.path ?? location) : location
    guard let d = FileManager.default.contents(atPath: path) else { throw CityOpsError(.invalidParameter, "cannot read \(path)") }
    return [UInt8](d)
}

/// Pulls configured GBFS feeds (`bikes.gbfs_feeds`) again after each one's `ttl`
/// (at least `minimumInterval`); problems are logged, the rest applied.
public struct GBFSPuller: Service {
    let bikes: LiveBikeService
    let feeds: [String]
    let minimumInterval: Double
    let logger: Logger
    let fetch: @Sendable (String) async throws -> [UInt8]

    /// `fetch` reads a URL or file (tests give their own to count what is asked).
    public init(bikes: LiveBikeService, feeds: [String], minimumInterval: Double = 10, logger: Logger,
                fetch: @escaping @Sendable (String) async throws -> [UInt8] = { try await gbfsFetch($0) }) {
        self.bikes = bikes; self.feeds = feeds; self.minimumInterval = minimumInterval; self.logger = logger; self.fetch = fetch
    }

    public func run() async throws {
        // A service that returns ends the whole ServiceGroup (the server with it): with no feed, wait for shutdown.
        guard !feeds.isEmpty else {
            try? await gracefulShutdown()
            return
        }
        let reader = GBFSReader(fetch: fetch)
        var due = [Double](repeating: 0, count: feeds.count)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let now = Date().timeIntervalSince1970
            for (k, feed) in feeds.enumerated() where due[k] <= now {
                var ttl = 60
                do {
                    let r = try await reader.pull(feed, into: bikes)
                    ttl = r.ttl
                    for p in r.problems.prefix(20) { logger.warning("gbfs \(feed): \(p.description)") }
                    if let v = r.vehicles { logger.info("gbfs \(feed): \(v.applied) vehicles applied, \(r.stations.count) stations") }
                } catch {
                    logger.error("gbfs \(feed): \(error)")
                }
                due[k] = Date().timeIntervalSince1970 + max(Double(ttl), minimumInterval)
            }
            let wait = max(1, (due.min() ?? now + 60) - Date().timeIntervalSince1970)
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(wait)) } } catch { return }
        }
    }
}

/// Live bikes' clockwork: drops expired bikes every `interval` and applies the
/// position history's retention hourly. A failed run is logged and retried.
public struct BikeUpkeep: Service {
    let bikes: LiveBikeService
    let interval: Duration
    let logger: Logger

    public init(bikes: LiveBikeService, interval: Duration = .seconds(60), logger: Logger) {
        self.bikes = bikes; self.interval = interval; self.logger = logger
    }

    public func run() async throws {
        var ticks = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let dropped = bikes.expire()
            if dropped > 0 { logger.info("bikes: \(dropped) not heard from in time dropped") }
            if ticks % max(1, Int(3600 / max(1, interval.components.seconds))) == 0 {
                do {
                    let purged = try await bikes.applyRetention()
                    if purged.history + purged.latest > 0 { logger.info("bike retention: \(purged.history) positions deleted") }
                } catch {
                    logger.error("bike retention failed: \(error)")
                }
            }
            ticks += 1
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) } } catch { return }
        }
    }
}
