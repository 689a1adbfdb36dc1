import CityOps
import Foundation
import Geo
import Hummingbird
import Storage

extension RouteEnvironment {
    func addEventRoutes(to router: Router<CityTwinRequestContext>) {
        router.post("/v1/events") { request, context -> JSONResponse in
            try authorizeWrite(request, context)
            let body = try await jsonBody(request)
            guard case .object = body else { throw Problem(.badRequest, "body must be a JSON object", title: "Invalid body") }
            let r = try Self.eventRequest(body)
            let s = snapshot
            let plan = try s.planEvent(r, settings: config.dispatch, geocoding: geocoding, floodWarningRatio: config.floodWarningRatio)
            func code(_ role: LayerRole) -> String? { plan.areas[role].flatMap { $0.0.properties.object($0.1)["code"]?.textValue } }
            var props = JSONObject([("needs_review", .bool(plan.needsReview)), ("handler_type", .string(plan.handlerType))])
            if let d = plan.duplicateOf { props["duplicate_of"] = .number(Double(d)) }
            if let c = code(.community) { props["community_code"] = .string(c) }
            if let c = code(.street) { props["street_code"] = .string(c) }
            props["handlers"] = .array(plan.handlers.map { Self.handlerJSON($0) })
            if let top = plan.geocode.first { props["geocode"] = Self.geocodeJSON(top, .wgs84) }
            if plan.needsReview { props["candidates"] = .array(plan.geocode.map { Self.geocodeJSON($0, .wgs84) }) }
            let now = EventTime.now()
            let record = EventRecord(type: r.type, description: r.description, address: r.address, status: EventStatus.new.rawValue,
                                     source: r.source, reportedAt: r.reportedAtText, createdAt: now, updatedAt: now,
                                     gridCode: code(.grid), properties: props, point: plan.point)
            let stored = try state.addEvent(record)
            let out = try QueryParameters(request).crs("out_crs")
            var o = Self.eventJSON(stored, out)
            o["geocode"] = plan.geocode.first.map { Self.geocodeJSON($0, out) } ?? .null
            if plan.needsReview { o["candidates"] = .array(plan.geocode.map { Self.geocodeJSON($0, out) }) }
            o["grid"] = Self.area(plan.areas[.grid]); o["community"] = Self.area(plan.areas[.community])
            o["street"] = Self.area(plan.areas[.street]); o["district"] = Self.area(plan.areas[.district])
            o["handlers"] = .array(plan.handlers.map { Self.handlerJSON($0) })
            o["context"] = .object(JSONObject([
                ("flood_points", .array(plan.floodPoints.map { l, st, d in
                    .object(JSONObject([("id", .number(Double(l.featureIDs[st.position]))), ("name", l.properties.object(st.position)["name"] ?? .null),
                                        ("status", .string(st.status)), ("level_cm", st.reading.map { .number($0.levelCM) } ?? .null),
                                        ("threshold_cm", .number(st.threshold)), ("distance_m", .number((d * 10).rounded() / 10))]))
                })),
                ("pipes", .array(plan.pipes.map { l, i, d in
                    let p = l.properties.object(i)
                    return .object(JSONObject([("id", .number(Double(l.featureIDs[i]))), ("pipe_id", p["pipe_id"] ?? .null),
                                               ("network", p["network"] ?? .null), ("diameter_mm", p["diameter_mm"] ?? .null),
                                               ("distance_m", .number((d * 10).rounded() / 10))]))
                })),
            ]))
            return JSONResponse(text: JSONWriter.string(.object(o)), status: .created)
        }

        router.get("/v1/events") { request, _ -> JSONResponse in
            let q = QueryParameters(request)
            let bbox = try q.bbox()
            let type = q.string("type"), statusText = q.string("status")
            if let statusText, EventStatus(rawValue: statusText) == nil {
                throw Problem.badParameter("status", "must be one of new, dispatched, in_progress, resolved, closed")
            }
            var since: Date?
            if let t = q.string("since"), !t.isEmpty {
                guard let d = Timestamp.parse(t) else { throw Problem.badParameter("since", "must be an ISO 8601 date-time") }
                since = d
            }
            let limit = try q.int("limit", range: 1...config.limits.maxPage, default: 100)
            let out = try q.crs("out_crs")
            let s = snapshot
            guard let l = s.layers[CitySnapshot.eventsLayerName] else { return JSONResponse(text: "{\"count\":0,\"events\":[]}") }
            var picked: [Int] = []
            for i in s.features(l, bbox: bbox) {
                let p = l.properties.object(i)
                if let type, p["type"]?.stringValue != type { continue }
                if let statusText, p["status"]?.stringValue != statusText { continue }
                if let since {
                    let t = p["reported_at"]?.stringValue.flatMap(EventTime.parse) ?? p["created_at"]?.stringValue.flatMap(EventTime.parse)
                    guard let t, t >= since else { continue }
                }
                picked.append(i)
            }
            picked.sort { l.featureIDs[$0] > l.featureIDs[$1] }   // newest first
            let events = picked.prefix(limit).map { i -> JSONValue in
                guard case .point(let c) = l.geometry.geometry(i) else { return .null }
                let oc = out.fromWGS84(c)
                var o = JSONObject([("id", .number(Double(l.featureIDs[i]))), ("lon", .number(oc.x)), ("lat", .number(oc.y))])
                for m in l.properties.object(i).members { o[m.key] = m.value }
                return .object(o)
            }
            return JSONResponse(text: JSONWriter.string(.object(JSONObject([("count", .number(Double(picked.count))), ("events", .array(Array(events)))]))))
        }

        router.patch("/v1/events/:id") { request, context -> JSONResponse in
            try authorizeWrite(request, context)
            guard let raw = context.parameters.get("id"), let id = Int64(raw) else { throw Problem.badParameter("id", "must be an integer event id") }
            let body = try await jsonBody(request)
            guard case .object = body, let toText = body["status"]?.stringValue else {
                throw Problem(.badRequest, "body must be {\"status\": \"dispatched\"|\"in_progress\"|\"resolved\"|\"closed\"}", title: "Invalid body")
            }
            guard let to = EventStatus(rawValue: toText) else {
                throw Problem.badParameter("status", "must be one of new, dispatched, in_progress, resolved, closed")
            }
            guard let current = try state.store.event(id: id) else { throw Problem(.notFound, "no event \(id)", title: "Unknown event") }
            guard let from = EventStatus(rawValue: current.status), from.next.contains(to) else {
                let allowed = EventStatus(rawValue: current.status)?.next.map(\.rawValue).sorted().joined(separator: ", ") ?? ""
                throw Problem(.unprocessableContent, "event \(id) is \(current.status); it can move to \(allowed.isEmpty ? "nothing (closed)" : allowed), not \(to.rawValue)",
                              title: "Invalid status change")
            }
            var props = current.properties
            var history = props["history"]?.arrayValue ?? []
            let now = EventTime.now()
            history.append(.object(JSONObject([("from", .string(from.rawValue)), ("to", .string(to.rawValue)), ("at", .string(now))])))
            props["history"] = .array(history)
            if let note = body["note"]?.stringValue { props["note"] = .string(String(note.prefix(500))) }
            guard let updated = try state.updateEventStatus(id: id, from: from.rawValue, to: to.rawValue, at: now, properties: props) else { throw Problem(.conflict, "event \(id) changed meanwhile; read it again", title: "Conflict") }
            var o = Self.eventJSON(updated, .wgs84)
            o["history"] = .array(history)
            return JSONResponse(text: JSONWriter.string(.object(o)))
        }
    }

    static func eventRequest(_ body: JSONValue) throws -> EventRequest {
        guard let type = body["type"]?.stringValue?.trimmingCharacters(in: .whitespaces), !type.isEmpty, type.count <= 40 else {
            throw Problem.badParameter("type", "is required (a string up to 40 characters)")
        }
        let description = body["description"]?.stringValue ?? ""
        guard description.count <= 2000 else { throw Problem.badParameter("description", "is longer than 2000 characters") }
        var address: String?
        if let a = body["address"], a != .null {
            guard let s = a.stringValue else { throw Problem.badParameter("address", "must be a string") }
            address = try queryText(s, "address")
        }
        var point: Coordinate?
        let lon = body["lon"], lat = body["lat"]
        if (lon != nil && lon != .null) || (lat != nil && lat != .null) {
            guard let x = lon?.doubleValue, let y = lat?.doubleValue, x.isFinite, y.isFinite, (-180...180).contains(x), (-90...90).contains(y) else {
                throw Problem.badParameter("lon/lat", "must both be numbers in degrees")
            }
            let crsText = body["crs"]?.stringValue ?? "wgs84"
            guard let crs = CRSKind(rawValue: crsText.lowercased()) else { throw Problem.badParameter("crs", "must be one of wgs84, cgcs2000, gcj02, bd09") }
            point = try crs.toWGS84(Coordinate(x, y))
        }
        guard point != nil || address != nil else { throw Problem.badParameter("address", "give lon/lat or an address") }
        var reported: Date?, reportedText: String?
        if let t = body["reported_at"], t != .null {
            guard let s = t.stringValue, let d = Timestamp.parse(s) else { throw Problem.badParameter("reported_at", "must be an ISO 8601 date-time") }
            reported = d; reportedText = s
        }
        let source = body["source"]?.stringValue.map { String($0.prefix(60)) }
        return EventRequest(type: type, description: description, address: address, point: point, source: source, reportedAt: reported, reportedAtText: reportedText)
    }

    static func handlerJSON(_ h: (LayerSnapshot, Int, Double)) -> JSONValue {
        let (l, i, d) = h
        let p = l.properties.object(i)
        var o = JSONObject([("id", .number(Double(l.featureIDs[i]))), ("handler_id", p["handler_id"] ?? .null), ("name", p["name"] ?? .null),
                            ("type", p["type"] ?? .null), ("grid_code", p["grid_code"] ?? .null), ("distance_m", .number((d * 10).rounded() / 10))])
        if case .point(let c) = l.geometry.geometry(i) { o["lon"] = .number(c.x); o["lat"] = .number(c.y) }
        return .object(o)
    }

    static func eventJSON(_ e: EventRecord, _ out: CRSKind) -> JSONObject {
        let c = out.fromWGS84(e.point)
        var o = JSONObject([("id", .number(Double(e.id))), ("type", .string(e.type)), ("status", .string(e.status)),
                            ("description", .string(e.description)), ("address", e.address.map { .string($0) } ?? .null),
                            ("lon", .number(c.x)), ("lat", .number(c.y)), ("source", e.source.map { .string($0) } ?? .null),
                            ("reported_at", e.reportedAt.map { .string($0) } ?? .null), ("created_at", .string(e.createdAt)),
                            ("updated_at", .string(e.updatedAt)), ("grid_code", e.gridCode.map { .string($0) } ?? .null)])
        o["needs_review"] = e.properties["needs_review"] ?? .bool(false)
        o["duplicate_of"] = e.properties["duplicate_of"] ?? .null
        o["handler_type"] = e.properties["handler_type"] ?? .null
        return o
    }
}
