import CityOps
import Foundation
import Geo
import Hummingbird

/// Pipe networks: topology check, valve isolation, traces. The rules live in
/// CityOps (`PipeNetwork`, `CitySnapshot.isolate`, `trace`); these handlers
/// read parameters and pick the answer's form (JSON, or GeoJSON with tile ids).
extension RouteEnvironment {
    func addNetworkRoutes(to router: Router<CityTwinRequestContext>) {
        router.get("/v1/networks", use: listNetworks)
        router.get("/v1/networks/:network/check", use: checkNetwork)
        router.post("/v1/networks/:network/isolate", use: isolate)
        router.get("/v1/networks/:network/trace", use: trace)
    }

    @Sendable func listNetworks(_ request: Request, _ context: CityTwinRequestContext) async throws -> JSONResponse {
        try QueryParameters(request).onlyKnown([])
        let set = snapshot.pipeNetworks
        var out = "{\"networks\":["
        for (k, name) in set.names.enumerated() {
            let n = set.networks[name]!
            if k > 0 { out += "," }
            out += "{\"name\":"
            JSONWriter.writeString(name, to: &out)
            out += ",\"pipes\":\(n.pipeCount),\"nodes\":\(n.nodeCount),\"sources\":\(n.sources.count)"
            out += ",\"length_m\":" + GeoJSON.formatCoordinate(n.pipeLength.reduce(0, +), 1) + "}"
        }
        return JSONResponse(text: out + "]}")
    }

    @Sendable func checkNetwork(_ request: Request, _ context: CityTwinRequestContext) async throws -> JSONResponse {
        let q = QueryParameters(request)
        try q.onlyKnown(["tolerance", "limit"])
        let tolerance = try q.double("tolerance", range: 0...1000, default: PipeNetworkDefaults.endToleranceM)!
        let limit = try q.int("limit", range: 0...10_000, default: 100)
        let net = try snapshot.pipeNetwork(try context.parameters.require("network"))
        return JSONResponse(text: PipeNetworkJSON.check(net, net.check(toleranceM: tolerance), limit: limit))
    }

    @Sendable func isolate(_ request: Request, _ context: CityTwinRequestContext) async throws -> Response {
        let name = try context.parameters.require("network")
        let body = try await jsonBody(request)
        guard case .object(let o) = body else { throw Problem(.badRequest, "body must be a JSON object", title: "Invalid body") }
        let known: Set<String> = ["pipe_id", "lon", "lat", "crs", "out_crs", "exclude_valves", "service_distance", "max_distance", "format"]
        for (key, _) in o.members where !known.contains(key) {
            throw Problem.badParameter(String(key.prefix(40)), "is not a member of this body (known: \(known.sorted().joined(separator: ", ")))")
        }
        let crs = try o["crs"].map { v -> CRS in
            guard let t = v.stringValue else { throw Problem.badParameter("crs", "must be a string") }
            return try QueryParameters.crs(t, parameter: "crs")
        } ?? .wgs84
        let outCRS = try o["out_crs"].map { v -> CRS in
            guard let t = v.stringValue else { throw Problem.badParameter("out_crs", "must be a string") }
            return try QueryParameters.crs(t, parameter: "out_crs")
        } ?? .wgs84
        var pipeID: String?
        if let v = o["pipe_id"] {
            guard let t = v.stringValue, !t.isEmpty, t.count <= 200 else { throw Problem.badParameter("pipe_id", "must be a non-empty string") }
            pipeID = t
        }
        var point: Coordinate?
        if o["lon"] != nil || o["lat"] != nil {
            guard pipeID == nil else { throw Problem.badParameter("pipe_id", "give pipe_id or lon and lat, not both") }
            guard let lon = o["lon"]?.doubleValue, let lat = o["lat"]?.doubleValue, lon.isFinite, lat.isFinite,
                  (-180...180).contains(lon), (-90...90).contains(lat) else {
                throw Problem.badParameter("lon", "lon and lat must both be numbers within range")
            }
            point = try crs.toWGS84(Coordinate(lon, lat))
        }
        guard pipeID != nil || point != nil else { throw Problem.badParameter("pipe_id", "give pipe_id or lon and lat") }
        var exclude: [String] = []
        if let v = o["exclude_valves"] {
            guard let items = v.arrayValue, items.count <= 1000 else { throw Problem.badParameter("exclude_valves", "must be an array of up to 1000 valve ids") }
            for (i, item) in items.enumerated() {
                guard let t = item.stringValue, !t.isEmpty else { throw Problem.badParameter("exclude_valves[\(i)]", "must be a valve id") }
                exclude.append(t)
            }
        }
        let service = try bodyNumber(o["service_distance"], "service_distance", 0...500, config.networkServiceDistanceM)
        let maxDistance = try bodyNumber(o["max_distance"], "max_distance", 1...config.limits.maxRadius, PipeNetworkDefaults.maxSnapDistanceM)
        let geojson = try bodyFormat(o["format"])
        let req = IsolationRequest(pipeID: pipeID, point: point, maxDistanceM: maxDistance, excludeValves: exclude, serviceDistanceM: service)
        let s = snapshot
        let answer = try s.isolate(network: name, req)
        if geojson { return Self.json(PipeNetworkJSON.isolationFeatures(answer, crs: outCRS), contentType: "application/geo+json") }
        return Self.json(PipeNetworkJSON.isolation(s, answer, crs: outCRS))
    }

    @Sendable func trace(_ request: Request, _ context: CityTwinRequestContext) async throws -> Response {
        let name = try context.parameters.require("network")
        let q = QueryParameters(request)
        try q.onlyKnown(["from", "direction", "crs", "out_crs", "service_distance", "max_distance", "format"])
        let from = try q.required("from")
        guard let direction = TraceDirection(rawValue: q.string("direction") ?? "downstream") else {
            throw Problem.badParameter("direction", "must be upstream or downstream")
        }
        let crs = try q.crs("crs"), outCRS = try q.crs("out_crs")
        let service = try q.double("service_distance", range: 0...500, default: config.networkServiceDistanceM)!
        let maxDistance = try q.double("max_distance", range: 1...config.limits.maxRadius, default: PipeNetworkDefaults.maxSnapDistanceM)!
        let geojson = try bodyFormat(q.string("format").map { .string($0) })
        // "lon,lat" when both parts are numbers, else a node id.
        var nodeID: String? = from
        var point: Coordinate?
        let parts = from.split(separator: ",", omittingEmptySubsequences: false)
        if parts.count == 2, let x = Double(parts[0].trimmingCharacters(in: .whitespaces)), let y = Double(parts[1].trimmingCharacters(in: .whitespaces)) {
            guard x.isFinite, y.isFinite, (-180...180).contains(x), (-90...90).contains(y) else { throw Problem.badParameter("from", "lon,lat out of range") }
            point = try crs.toWGS84(Coordinate(x, y))
            nodeID = nil
        }
        let s = snapshot
        let answer = try s.trace(network: name, fromNode: nodeID, point: point, direction: direction, maxDistanceM: maxDistance, serviceDistanceM: service)
        if geojson { return Self.json(PipeNetworkJSON.traceFeatures(answer, crs: outCRS), contentType: "application/geo+json") }
        return Self.json(PipeNetworkJSON.trace(s, answer, crs: outCRS))
    }

    private func bodyNumber(_ v: JSONValue?, _ name: String, _ range: ClosedRange<Double>, _ def: Double) throws -> Double {
        guard let v else { return def }
        guard let d = v.doubleValue, d.isFinite, range.contains(d) else {
            throw Problem.badParameter(name, "must be a number between \(range.lowerBound) and \(range.upperBound)")
        }
        return d
    }

    /// `format`: json (default) or geojson.
    private func bodyFormat(_ v: JSONValue?) throws -> Bool {
        guard let v else { return false }
        switch v.stringValue {
        case "json": return false
        case "geojson": return true
        default: throw Problem.badParameter("format", "must be json or geojson")
        }
    }
}
