import CityOps
import Foundation
import Geo
import Hummingbird
import Storage

extension RouteEnvironment {
    func addCityRoutes(to router: Router<CityTwinRequestContext>) {
        router.get("/v1/flood/points") { request, _ -> JSONResponse in
            let q = QueryParameters(request)
            let bbox = try q.bbox()
            let crs = try q.crs("crs"), outCRS = try q.crs("out_crs")
            var route: [Coordinate]?
            if let r = q.string("route"), !r.isEmpty {
                var pts: [Coordinate] = []
                for (i, pair) in r.split(separator: ";").enumerated() {
                    let xy = pair.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
                    guard xy.count == 2, let x = xy[0], let y = xy[1], x.isFinite, y.isFinite, (-180...180).contains(x), (-90...90).contains(y) else {
                        throw Problem.badParameter("route", "point \(i + 1) must be lon,lat within range")
                    }
                    pts.append(try crs.toWGS84(Coordinate(x, y)))
                }
                guard !pts.isEmpty, pts.count <= config.limits.maxBatch else { throw Problem.badParameter("route", "needs 1 to \(config.limits.maxBatch) points") }
                route = pts
            }
            if bbox != nil && route != nil { throw Problem.badParameter("route", "give bbox or route, not both") }
            let buffer = try q.double("buffer", range: 0...config.limits.maxRadius, default: 50)!
            let (l, points) = try snapshot.floodPoints(bbox: bbox, route: route, buffer: buffer, warningRatio: config.floodWarningRatio)
            var out = "{\"results\":["
            for (n, f) in points.enumerated() {
                if n > 0 { out += "," }
                out += "{\"id\":\(l.featureIDs[f.position]),\"status\":\"\(f.status)\",\"threshold_cm\":" + GeoJSON.formatCoordinate(f.threshold, 2)
                out += ",\"level_cm\":" + (f.reading.map { GeoJSON.formatCoordinate($0.levelCM, 2) } ?? "null")
                out += ",\"observed_at\":"
                if let r = f.reading { JSONWriter.writeString(r.observedAt, to: &out) } else { out += "null" }
                out += ",\"properties\":" + l.properties.text(f.position) + ",\"geometry\":"
                ResponseJSON.geometry(l.geometry.geometry(f.position), outCRS, into: &out)
                out += "}"
            }
            return JSONResponse(text: out + "]}")
        }

        router.post("/v1/sensors/readings") { request, context -> JSONResponse in
            try authorizeWrite(request, context)
            let body = try await jsonBody(request)
            guard let items = body.arrayValue else { throw Problem(.badRequest, "body must be a JSON array of readings", title: "Invalid body") }
            guard items.count <= config.limits.maxBatch else {
                throw Problem(.contentTooLarge, "\(items.count) readings, the limit is \(config.limits.maxBatch)", title: "Batch too large")
            }
            guard !items.isEmpty else { throw Problem(.badRequest, "no readings in the body", title: "Invalid body") }
            var readings: [SensorReading] = []
            for (i, item) in items.enumerated() {
                guard case .object = item else { throw Problem.badParameter("[\(i)]", "must be an object") }
                guard let id = item["sensor_id"]?.stringValue, !id.isEmpty, id.count <= 64 else { throw Problem.badParameter("[\(i)].sensor_id", "must be a non-empty string") }
                guard let level = item["level_cm"]?.doubleValue, level.isFinite, (-1000...100_000).contains(level) else {
                    throw Problem.badParameter("[\(i)].level_cm", "must be a finite number of centimetres")
                }
                guard let at = item["observed_at"]?.stringValue, let date = Timestamp.parse(at) else {
                    throw Problem.badParameter("[\(i)].observed_at", "must be an ISO 8601 date-time")
                }
                readings.append(SensorReading(sensorID: id, levelCM: level, observedAt: Timestamp.string(date)))
            }
            let stored = try await eventHub.addReadings(readings)
            let known = Set((snapshot.layer(role: .floodPoint).map { l in (0..<l.count).compactMap { l.properties.object($0)["sensor_id"]?.textValue } }) ?? [])
            let unknown = Set(readings.map(\.sensorID)).subtracting(known).sorted()
            var out = "{\"stored\":\(stored),\"unknown_sensors\":"
            JSONWriter.write(.array(unknown.map { .string($0) }), to: &out)
            return JSONResponse(text: out + "}", status: .created)
        }

        router.get("/v1/buildings/at") { request, _ -> JSONResponse in
            let q = QueryParameters(request)
            let p = try q.point()
            guard let (l, i) = snapshot.building(at: p.x, lat: p.y) else {
                throw Problem(.notFound, "no building footprint contains this point", title: "No building")
            }
            var out = ""
            ResponseJSON.feature(l, i, crs: try q.crs("out_crs"), into: &out)
            return JSONResponse(text: out)
        }
    }
}
