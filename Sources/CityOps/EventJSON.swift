import Foundation
import Geo
import Storage

/// The JSON of events, their history and the map's `events` layer, written
/// once for the routes, the CLI and the layer builder.
public enum EventJSON {
    /// A proposed handler: id, handler_id, name, type, grid_code, distance_m, lon, lat.
    public static func handler(_ h: (LayerSnapshot, Int, Double)) -> JSONValue {
        let (l, i, d) = h
        let p = l.properties.object(i)
        var o = JSONObject([("id", .number(Double(l.featureIDs[i]))), ("handler_id", p["handler_id"] ?? .null), ("name", p["name"] ?? .null),
                            ("type", p["type"] ?? .null), ("grid_code", p["grid_code"] ?? .null), ("distance_m", .number((d * 10).rounded() / 10))])
        if case .point(let c) = l.geometry.geometry(i) { o["lon"] = .number(c.x); o["lat"] = .number(c.y) }
        return .object(o)
    }

    /// An event as the API lists it. `now` decides `overdue`; `output` converts the point.
    public static func event(_ e: EventRecord, now: Date, output: (Coordinate) -> Coordinate = { $0 }) -> JSONObject {
        event(e, nowStamp: EventService.stamp(now), output: output)
    }

    /// As `event(_:now:output:)` with the time already in the stored text form (a page formats it once).
    public static func event(_ e: EventRecord, nowStamp: String, output: (Coordinate) -> Coordinate = { $0 }) -> JSONObject {
        let c = output(e.point)
        func text(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
        var o = JSONObject([("id", .number(Double(e.id))), ("type", .string(e.type)), ("status", .string(e.status)),
                            ("description", .string(e.description)), ("address", text(e.address)),
                            ("lon", .number(c.x)), ("lat", .number(c.y)), ("source", text(e.source)),
                            ("reported_at", text(e.reportedAt)), ("created_at", .string(e.createdAt)),
                            ("updated_at", .string(e.updatedAt)), ("grid_code", text(e.gridCode))])
        o["community_code"] = text(e.communityCode)
        o["street_code"] = text(e.streetCode)
        o["district_code"] = text(e.districtCode)
        o["needs_review"] = e.properties["needs_review"] ?? .bool(false)
        o["duplicate_of"] = e.properties["duplicate_of"] ?? .null
        o["handler_type"] = e.properties["handler_type"] ?? .null
        o["assignee"] = text(e.assignee)
        o["due_at"] = text(e.dueAt)
        o["closed_at"] = text(e.closedAt)
        o["overdue"] = .bool(isOverdue(e, nowStamp: nowStamp))
        o["escalation_level"] = .number(Double(e.escalationLevel))
        o["escalated_to"] = .string(EscalationLevel(rawValue: e.escalationLevel)?.name ?? "grid")
        if let n = e.properties["note"] { o["note"] = n }
        for key in ["location_source", "mention", "type_proposal"] { if let v = e.properties[key] { o[key] = v } }
        return o
    }

    /// Open and past its deadline; times compared as text (one stored form, so text order is time order).
    public static func isOverdue(_ e: EventRecord, nowStamp: String) -> Bool {
        guard EventStatus(rawValue: e.status)?.isOpen ?? false, let due = e.dueAt else { return false }
        return due < nowStamp
    }

    public static func history(_ h: [EventHistoryEntry]) -> JSONValue {
        .array(h.map { x in
            var o = JSONObject([("at", .string(x.at)), ("kind", .string(x.kind.rawValue))])
            if let f = x.from { o["from"] = .string(f) }
            if let t = x.to { o["to"] = .string(t) }
            if let n = x.note { o["note"] = .string(n) }
            if let a = x.actor { o["actor"] = .string(a) }
            return .object(o)
        })
    }

    /// One event's properties on the map layer: what lists, tiles and styles need.
    static func layerText(_ e: EventRecord) -> String {
        var o = JSONObject([("type", .string(e.type)), ("status", .string(e.status)), ("description", .string(e.description))])
        if let a = e.address { o["address"] = .string(a) }
        if let s = e.source { o["source"] = .string(s) }
        if let r = e.reportedAt { o["reported_at"] = .string(r) }
        if let g = e.gridCode { o["grid_code"] = .string(g) }
        if let c = e.communityCode { o["community_code"] = .string(c) }
        if let c = e.streetCode { o["street_code"] = .string(c) }
        o["created_at"] = .string(e.createdAt)
        o["updated_at"] = .string(e.updatedAt)
        if let d = e.dueAt { o["due_at"] = .string(d) }
        if let a = e.assignee { o["assignee"] = .string(a) }
        o["escalation_level"] = .number(Double(e.escalationLevel))
        for key in ["needs_review", "duplicate_of", "handler_type"] { if let v = e.properties[key] { o[key] = v } }
        return JSONWriter.string(o)
    }

    /// Events as the map's point layer (role `event`): id = event id, in id order.
    static func layer(ids: [Int64], points: [Coordinate], texts: [String], updatedAt: String) -> LayerSnapshot {
        var box = BoundingBox.empty
        for p in points { box.extend(p) }
        let z = LayerRole.event.defaultZoomRange
        let info = LayerInfo(name: CitySnapshot.eventsLayerName, role: .event, geometryType: "Point", count: ids.count, bbox: box,
                             minzoom: z.lowerBound, maxzoom: z.upperBound, version: 0, updatedAt: updatedAt, source: "operational store")
        return LayerSnapshot(info: info, ids: ids, extIDs: ids.map { _ in nil }, texts: texts, geometries: points.map { .point($0) })
    }
}
