import CityOps
import Foundation
import Geo
import Hummingbird
import Storage

/// The event hub's routes: they decode, call `EventService`, and encode.
extension RouteEnvironment {
    var eventHub: EventService {
        get throws {
            guard let events else { throw Problem(.serviceUnavailable, "the event hub is not running on this server") }
            return events
        }
    }

    func addEventRoutes(to router: Router<CityTwinRequestContext>) {
        router.post("/v1/events") { request, context -> JSONResponse in
            try authorizeWrite(request, context)
            let body = try await jsonBody(request)
            guard case .object = body else { throw Problem(.badRequest, "body must be a JSON object", title: "Invalid body") }
            let r = try Self.eventRequest(body)
            let hub = try eventHub
            let result = try await hub.intake(r, snapshot: snapshot, geocoding: geocoding, floodWarningRatio: config.floodWarningRatio)
            let out = try QueryParameters(request).crs("out_crs")
            return JSONResponse(text: JSONWriter.string(.object(Self.intakeJSON(result, now: hub.now, out))), status: .created)
        }

        // Up to `max_event_batch` events in one transaction; a result per item, in input order.
        router.post("/v1/events/batch") { request, context -> JSONResponse in
            try authorizeWrite(request, context)
            let body = try await jsonBody(request)
            guard let items = body["events"]?.arrayValue ?? body.arrayValue else {
                throw Problem(.badRequest, "body must be {\"events\": [event, …]} or a JSON array of events", title: "Invalid body")
            }
            let limit = min(1000, config.limits.maxBatch)
            guard items.count <= limit else { throw Problem(.contentTooLarge, "\(items.count) events, the limit is \(limit)", title: "Batch too large") }
            guard !items.isEmpty else { throw Problem(.badRequest, "no events in the body", title: "Invalid body") }
            let requests: [Result<EventRequest, CityOpsError>] = items.enumerated().map { k, item in
                do {
                    guard case .object = item else { throw Problem.badParameter("events[\(k)]", "must be an object") }
                    return .success(try Self.eventRequest(item))
                } catch let p as Problem {
                    return .failure(CityOpsError(.invalidParameter, p.detail))
                } catch {
                    return .failure(CityOpsError(.invalidParameter, "\(error)"))
                }
            }
            let hub = try eventHub
            let results = try await hub.intake(batch: requests, snapshot: snapshot, geocoding: geocoding, floodWarningRatio: config.floodWarningRatio)
            let out = try QueryParameters(request).crs("out_crs")
            var stored = 0
            let answers: [JSONValue] = results.enumerated().map { k, r in
                switch r {
                case .success(let x):
                    stored += 1
                    return .object(JSONObject([("index", .number(Double(k))), ("status", .number(201)), ("event", .object(Self.intakeJSON(x, now: hub.now, out)))]))
                case .failure(let e):
                    let p = Problem(e)
                    return .object(JSONObject([("index", .number(Double(k))), ("status", .number(Double(p.status.code))), ("error", .string(p.detail))]))
                }
            }
            let o = JSONObject([("stored", .number(Double(stored))), ("failed", .number(Double(results.count - stored))), ("results", .array(answers))])
            return JSONResponse(text: JSONWriter.string(.object(o)), status: stored > 0 ? .created : .unprocessableContent)
        }

        router.get("/v1/events") { request, _ -> JSONResponse in
            let q = QueryParameters(request)
            try q.onlyKnown(["status", "type", "grid_code", "community_code", "street_code", "bbox", "since", "until", "overdue", "limit", "cursor", "out_crs"])
            let hub = try eventHub
            var f = EventFilter()
            f.statuses = try Self.statuses(q)
            f.types = q.string("type").map { $0.split(separator: ",").map(String.init) }.flatMap { $0.isEmpty ? nil : $0 }
            f.gridCode = try Self.code(q, "grid_code"); f.communityCode = try Self.code(q, "community_code"); f.streetCode = try Self.code(q, "street_code")
            f.bbox = try q.bbox()
            f.since = try Self.time(q, "since"); f.until = try Self.time(q, "until")
            if try Self.flag(q, "overdue") { f.overdueAt = EventService.stamp(hub.now) }
            let limit = try q.int("limit", range: 1...config.limits.maxPage, default: 100)
            let cursor = try Self.cursor(q)
            let out = try q.crs("out_crs")
            let page = try await hub.list(f, after: cursor, limit: limit)
            let now = EventService.stamp(hub.now)
            let next: JSONValue = page.count == limit ? .string(Self.encodeCursor(page[page.count - 1].id)) : .null
            let o = JSONObject([("count", .number(Double(page.count))), ("events", .array(page.map { .object(EventJSON.event($0, nowStamp: now, output: out.fromWGS84)) })),
                                ("next", next)])
            return JSONResponse(text: JSONWriter.string(.object(o)))
        }

        // The type intake would propose for a text (the configured taxonomy).
        router.get("/v1/events/classify") { request, _ -> JSONResponse in
            let q = QueryParameters(request)
            try q.onlyKnown(["text"])
            let text = try Self.queryText(q.required("text"), "text", max: Self.maxTextLength)
            let t = config.dispatch.taxonomy.classify(text)
            return JSONResponse(text: JSONWriter.string(.object(JSONObject([
                ("text", .string(text)), ("proposal", t.map(EventTypeProposal.json) ?? .null),
                ("handler_type", t.map { .string(config.dispatch.handlerType(for: $0.type)) } ?? .null),
            ]))))
        }

        router.get("/v1/events/overdue") { request, _ -> JSONResponse in
            let q = QueryParameters(request)
            try q.onlyKnown(["limit", "out_crs"])
            let hub = try eventHub
            let limit = try q.int("limit", range: 1...config.limits.maxPage, default: 100)
            let out = try q.crs("out_crs")
            let list = hub.overdue(limit: limit)
            let now = EventService.stamp(hub.now)
            return JSONResponse(text: JSONWriter.string(.object(JSONObject([
                ("count", .number(Double(list.count))), ("events", .array(list.map { .object(EventJSON.event($0, nowStamp: now, output: out.fromWGS84)) })),
            ]))))
        }

        router.get("/v1/events/stats") { request, _ -> JSONResponse in
            let q = QueryParameters(request)
            try q.onlyKnown(["group_by", "since", "until"])
            let hub = try eventHub
            let groupText = q.string("group_by") ?? "grid"
            guard let group = EventGrouping(rawValue: groupText) else {
                throw Problem.badParameter("group_by", "must be one of \(EventGrouping.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let rows = try await hub.stats(groupBy: group, since: try Self.time(q, "since"), until: try Self.time(q, "until"))
            return JSONResponse(text: JSONWriter.string(.object(JSONObject([
                ("group_by", .string(group.rawValue)),
                ("groups", .array(rows.map { r in .object(JSONObject([
                    ("key", .string(r.key)), ("count", .number(Double(r.count))), ("open", .number(Double(r.open))),
                    ("overdue", .number(Double(r.overdue))),
                    ("mean_hours_to_close", r.meanSecondsToClose.map { .number(($0 / 36).rounded() / 100) } ?? .null),
                ])) })),
            ]))))
        }

        router.get("/v1/events/hotspots") { request, _ -> JSONResponse in
            let q = QueryParameters(request)
            try q.onlyKnown(["since", "type", "min", "limit"])
            let hub = try eventHub
            let since = try Self.time(q, "since") ?? EventService.stamp(hub.now.addingTimeInterval(-30 * 86400))
            let minimum = try q.int("min", range: 2...1_000_000, default: 3)
            let limit = try q.int("limit", range: 1...1000, default: 50)
            let rows = try await hub.hotspots(since: since, type: q.string("type").flatMap { $0.isEmpty ? nil : $0 }, minimum: minimum, limit: limit)
            let names = Self.gridNames(snapshot)
            return JSONResponse(text: JSONWriter.string(.object(JSONObject([
                ("since", .string(since)),
                ("hotspots", .array(rows.map { h in .object(JSONObject([
                    ("grid_code", .string(h.gridCode)), ("grid_name", names[h.gridCode].map { .string($0) } ?? .null),
                    ("type", .string(h.type)), ("count", .number(Double(h.count))), ("last_at", .string(h.lastAt)),
                ])) })),
            ]))))
        }

        router.get("/v1/events/:id") { request, context -> JSONResponse in
            let id = try Self.eventID(context)
            let hub = try eventHub
            guard let (e, history) = try await hub.event(id: id) else { throw Problem(.notFound, "no event \(id)", title: "Unknown event") }
            var o = EventJSON.event(e, now: hub.now, output: try QueryParameters(request).crs("out_crs").fromWGS84)
            o["history"] = EventJSON.history(history)
            for key in ["geocode", "handlers", "candidates"] { if let v = e.properties[key] { o[key] = v } }
            return JSONResponse(text: JSONWriter.string(.object(o)))
        }

        router.patch("/v1/events/:id") { request, context -> JSONResponse in
            try authorizeWrite(request, context)
            let id = try Self.eventID(context)
            let body = try await jsonBody(request)
            guard case .object = body else {
                throw Problem(.badRequest, "body must be {\"status\"?: …, \"assignee\"?: …, \"note\"?: …}", title: "Invalid body")
            }
            var change = EventChange()
            if let s = body["status"], s != .null {
                guard let text = s.stringValue, let to = EventStatus(rawValue: text) else {
                    throw Problem.badParameter("status", "must be one of new, dispatched, in_progress, resolved, closed")
                }
                change.status = to
            }
            if let a = body["assignee"], a != .null {
                guard let text = a.stringValue, !text.isEmpty, text.count <= 64 else { throw Problem.badParameter("assignee", "must be a string of 1 to 64 characters") }
                change.assignee = text
            }
            if let n = body["note"], n != .null {
                guard let text = n.stringValue else { throw Problem.badParameter("note", "must be a string") }
                change.note = String(text.prefix(500))
            }
            if let a = body["actor"]?.stringValue { change.actor = String(a.prefix(64)) }
            guard change.status != nil || change.assignee != nil || change.note != nil else {
                throw Problem(.badRequest, "body must name a status, an assignee or a note", title: "Invalid body")
            }
            let hub = try eventHub
            let (e, history) = try await hub.change(id: id, change)
            var o = EventJSON.event(e, now: hub.now)
            o["history"] = EventJSON.history(history)
            return JSONResponse(text: JSONWriter.string(.object(o)))
        }

        router.get("/v1/sensors/:id/readings") { request, context -> JSONResponse in
            let q = QueryParameters(request)
            try q.onlyKnown(["since", "until", "cursor", "limit"])
            guard let sensor = context.parameters.get("id"), !sensor.isEmpty, sensor.count <= 64 else { throw Problem.badParameter("id", "must be a sensor id") }
            let hub = try eventHub
            let limit = try q.int("limit", range: 1...config.limits.maxPage, default: 1000)
            var cursor: String?
            if let c = q.string("cursor"), !c.isEmpty {
                guard let d = Data(base64Encoded: c), let t = String(data: d, encoding: .utf8), Timestamp.parse(t) != nil else {
                    throw Problem.badParameter("cursor", "is not a cursor this server gave")
                }
                cursor = t
            }
            let since = try q.string("since").flatMap { $0.isEmpty ? nil : $0 }.map { s -> String in
                guard let d = Timestamp.parse(s) else { throw Problem.badParameter("since", "must be an ISO 8601 date-time") }
                return Timestamp.string(d)
            }
            let until = try q.string("until").flatMap { $0.isEmpty ? nil : $0 }.map { s -> String in
                guard let d = Timestamp.parse(s) else { throw Problem.badParameter("until", "must be an ISO 8601 date-time") }
                return Timestamp.string(d)
            }
            let page = try await hub.readings(sensor: sensor, since: since, until: until, after: cursor, limit: limit)
            let next: JSONValue = page.count == limit ? .string(Data(page[page.count - 1].observedAt.utf8).base64EncodedString()) : .null
            return JSONResponse(text: JSONWriter.string(.object(JSONObject([
                ("sensor_id", .string(sensor)), ("count", .number(Double(page.count))),
                ("readings", .array(page.map { .object(JSONObject([("observed_at", .string($0.observedAt)), ("level_cm", .number($0.levelCM))])) })),
                ("next", next),
            ]))))
        }
    }

    /// What `POST /v1/events` answers: the event, its geocode, areas, handlers and context.
    static func intakeJSON(_ x: EventIntakeResult, now: Date, _ out: CRS) -> JSONObject {
        let plan = x.plan
        var o = EventJSON.event(x.event, now: now, output: out.fromWGS84)
        o["geocode"] = plan.geocode.first.map { Self.geocodeJSON($0, out) } ?? .null
        if plan.needsReview { o["candidates"] = .array(plan.geocode.map { Self.geocodeJSON($0, out) }) }
        o["grid"] = Self.area(plan.areas[.grid]); o["community"] = Self.area(plan.areas[.community])
        o["street"] = Self.area(plan.areas[.street]); o["district"] = Self.area(plan.areas[.district])
        o["handlers"] = .array(plan.handlers.map { EventJSON.handler($0) })
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
            ("isolation", plan.burst.flatMap { try? JSONParser.parse($0.json(out)) } ?? .null),
        ]))
        return o
    }

    static func eventID(_ context: CityTwinRequestContext) throws -> Int64 {
        guard let raw = context.parameters.get("id"), let id = Int64(raw), id > 0 else { throw Problem.badParameter("id", "must be a positive integer event id") }
        return id
    }

    static func statuses(_ q: QueryParameters) throws -> [String]? {
        guard let s = q.string("status"), !s.isEmpty else { return nil }
        let list = s.split(separator: ",").map(String.init)
        for x in list where EventStatus(rawValue: x) == nil {
            throw Problem.badParameter("status", "must be one or more (comma-separated) of new, dispatched, in_progress, resolved, closed")
        }
        return list
    }

    static func code(_ q: QueryParameters, _ name: String) throws -> String? {
        guard let s = q.string(name), !s.isEmpty else { return nil }
        guard s.count <= 32, s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw Problem.badParameter(name, "must be an area code (letters, digits, - or _)")
        }
        return s
    }

    /// An ISO 8601 parameter in the stored event-time form (so text comparison is time order).
    static func time(_ q: QueryParameters, _ name: String) throws -> String? {
        guard let s = q.string(name), !s.isEmpty else { return nil }
        guard let d = Timestamp.parse(s) else { throw Problem.badParameter(name, "must be an ISO 8601 date-time") }
        return EventService.stamp(d)
    }

    static func flag(_ q: QueryParameters, _ name: String) throws -> Bool {
        guard let s = q.string(name), !s.isEmpty else { return false }
        switch s { case "true", "1": return true; case "false", "0": return false
        default: throw Problem.badParameter(name, "must be true or false") }
    }

    /// Cursors are opaque to clients: the last id of a page, encoded.
    static func encodeCursor(_ id: Int64) -> String { Data("e1:\(id)".utf8).base64EncodedString() }

    static func cursor(_ q: QueryParameters) throws -> Int64? {
        guard let c = q.string("cursor"), !c.isEmpty else { return nil }
        guard c.count <= 64, let d = Data(base64Encoded: c), let t = String(data: d, encoding: .utf8), t.hasPrefix("e1:"),
              let id = Int64(t.dropFirst(3)), id > 0 else {
            throw Problem.badParameter("cursor", "is not a cursor this server gave")
        }
        return id
    }

    static func gridNames(_ s: CitySnapshot) -> [String: String] {
        guard let l = s.layer(role: .grid) else { return [:] }
        var out: [String: String] = [:]
        for i in 0..<l.count {
            let p = l.properties.object(i)
            if let c = p["code"]?.textValue, let n = p["name"]?.stringValue { out[c] = n }
        }
        return out
    }

    static func eventRequest(_ body: JSONValue) throws -> EventRequest {
        // No type: intake proposes one from the description (the taxonomy).
        var type = ""
        if let t = body["type"], t != .null {
            guard let s = t.stringValue?.trimmingCharacters(in: .whitespaces), s.count <= 40 else {
                throw Problem.badParameter("type", "must be a string up to 40 characters")
            }
            type = s
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
            guard let crs = CRS(name: crsText.lowercased()) else { throw Problem.badParameter("crs", "must be one of wgs84, cgcs2000, gcj02, bd09") }
            point = try crs.toWGS84(Coordinate(x, y))
        }
        guard point != nil || address != nil || !description.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw Problem.badParameter("address", "give lon/lat, an address, or a description naming the place")
        }
        guard !type.isEmpty || !description.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw Problem.badParameter("type", "is required when there is no description to classify")
        }
        var reported: Date?, reportedText: String?
        if let t = body["reported_at"], t != .null {
            guard let s = t.stringValue, let d = Timestamp.parse(s) else { throw Problem.badParameter("reported_at", "must be an ISO 8601 date-time") }
            reported = d; reportedText = s
        }
        let source = body["source"]?.stringValue.map { String($0.prefix(60)) }
        return EventRequest(type: type, description: description, address: address, point: point, source: source, reportedAt: reported, reportedAtText: reportedText)
    }
}
