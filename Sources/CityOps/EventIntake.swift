import Foundation
import Geo
import Geocoder
import Storage

/// An incoming event before it is stored.
public struct EventRequest: Sendable {
    public var type: String
    public var description: String
    public var address: String?
    /// WGS84 (the caller converts from the request's crs).
    public var point: Coordinate?
    public var source: String?
    public var reportedAt: Date?
    public var reportedAtText: String?

    public init(type: String, description: String, address: String?, point: Coordinate?, source: String?, reportedAt: Date?, reportedAtText: String?) {
        self.type = type; self.description = description; self.address = address; self.point = point
        self.source = source; self.reportedAt = reportedAt; self.reportedAtText = reportedAtText
    }
}

/// What intake worked out for an event: where, who owns it, who should go,
/// whether it repeats an open event, and what is around it.
public struct EventPlan: Sendable {
    public var point: Coordinate
    public var geocode: [PlacedResult]
    public var needsReview: Bool
    public var areas: [LayerRole: (LayerSnapshot, Int)]
    public var handlerType: String
    public var handlers: [(LayerSnapshot, Int, Double)]
    public var floodPoints: [(LayerSnapshot, FloodPointStatus, Double)]
    public var pipes: [(LayerSnapshot, Int, Double)]
}

extension CitySnapshot {
    /// Plans an event: geocode the address (unless coordinates are given),
    /// locate the grid, community and street, propose handlers, and gather
    /// flood points and pipes nearby. (Duplicates are the event hub's: its
    /// in-memory index of open events, `EventService`.)
    /// Throws `.unusable` when neither coordinates nor a locatable address are given.
    public func planEvent(_ r: EventRequest, settings: DispatchSettings, geocoding: GeocodingService, floodWarningRatio: Double) throws(CityOpsError) -> EventPlan {
        var point = r.point
        var geocode: [PlacedResult] = []
        var needsReview = false
        if point == nil {
            guard let address = r.address, !address.isEmpty else {
                throw CityOpsError(.invalidParameter, "an event needs lon/lat or an address", parameter: "address")
            }
            geocode = geocoding.geocode(address, focus: nil, limit: 3, snapshot: self)
            guard let top = geocode.first else {
                throw CityOpsError(.unusable, "the address \"\(address.prefix(80))\" could not be located; give lon/lat", parameter: "address")
            }
            point = top.result.point
            needsReview = top.result.confidence < settings.reviewBelow
        }
        let p = point!
        let areas = locate(lon: p.x, lat: p.y)
        // Handlers: the type this event calls for, else the owning grid's worker first.
        let wanted = settings.handlerTypes[r.type] ?? settings.defaultHandlerType
        var handlers: [(LayerSnapshot, Int, Double)] = []
        if let l = layer(role: .handler) {
            let ofType = l.properties.matcher(key: "type", value: wanted)
            if wanted == settings.defaultHandlerType, let (gl, gi) = areas[.grid], let code = gl.properties.object(gi)["code"]?.textValue {
                let inGrid = l.properties.matcher(key: "grid_code", value: code)
                for h in nearest(l, lon: p.x, lat: p.y, k: 1, maxDistance: .infinity, filter: { ofType($0) && inGrid($0) }) {
                    handlers.append((l, h.position, h.distance))
                }
            }
            for h in nearest(l, lon: p.x, lat: p.y, k: settings.handlersProposed + handlers.count, maxDistance: .infinity, filter: ofType)
            where !handlers.contains(where: { $0.1 == h.position }) && handlers.count < settings.handlersProposed {
                handlers.append((l, h.position, h.distance))
            }
        }
        // Context.
        var flood: [(LayerSnapshot, FloodPointStatus, Double)] = []
        if let l = layer(role: .floodPoint) {
            for h in nearest(l, lon: p.x, lat: p.y, k: 20, maxDistance: settings.floodContextM, filter: nil) {
                let props = l.properties.object(h.position)
                let threshold = props["threshold_cm"]?.doubleValue ?? 0
                let reading = props["sensor_id"].flatMap { readings[$0.textValue] }
                let (status, risk) = FloodPointStatus.classify(level: reading?.levelCM, threshold: threshold, warningRatio: floodWarningRatio)
                flood.append((l, FloodPointStatus(position: h.position, reading: reading, threshold: threshold, status: status, risk: risk), h.distance))
            }
        }
        var pipes: [(LayerSnapshot, Int, Double)] = []
        if let l = layer(role: .pipe) {
            for h in nearest(l, lon: p.x, lat: p.y, k: 20, maxDistance: settings.pipeContextM, filter: nil) { pipes.append((l, h.position, h.distance)) }
        }
        return EventPlan(point: p, geocode: geocode, needsReview: needsReview, areas: areas, handlerType: wanted, handlers: handlers,
                         floodPoints: flood, pipes: pipes)
    }
}

/// ISO 8601 times as events carry them (with or without fractional seconds, any offset).
public enum EventTime {
    public static func parse(_ s: String) -> Date? { Timestamp.parse(s) }

    public static func now() -> String { Timestamp.now() }
}
