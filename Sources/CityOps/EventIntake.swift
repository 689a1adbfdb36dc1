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
    /// The type the event is stored under: the order's own, else the taxonomy's proposal, else `unclassifiedType`.
    public var eventType: String = ""
    /// The taxonomy's proposal when the order came without a type.
    public var typeProposal: EventTypeProposal?
    /// Where the point came from: `coordinates`, `address` or `description` (a place found in the text).
    public var locationSource = "coordinates"
    /// The place found in the description (`locationSource == "description"`).
    public var mention: PlacedMention?
    /// For a burst main (管道破裂, 爆管…): the valve isolation of the nearest water pipe.
    public var burst: BurstContext?
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
        var source = "coordinates"
        var mention: PlacedMention?
        if point == nil {
            if let address = r.address, !address.isEmpty {
                geocode = geocoding.geocode(address, focus: nil, limit: 3, snapshot: self)
                guard geocode.first != nil else {
                    throw CityOpsError(.unusable, "the address \"\(address.prefix(80))\" could not be located; give lon/lat", parameter: "address")
                }
                source = "address"
            } else {
                // No address: the place named inside the description (a 12345 order's sentence).
                guard !r.description.isEmpty else {
                    throw CityOpsError(.invalidParameter, "an event needs lon/lat, an address or a description naming the place", parameter: "address")
                }
                mention = geocoding.extract(r.description, focus: nil, limit: 3, snapshot: self)
                geocode = mention?.results ?? []
                guard geocode.first != nil else {
                    throw CityOpsError(.unusable, "no place found in the description; give an address or lon/lat", parameter: "description")
                }
                source = "description"
            }
            let top = geocode[0]
            // Outside the deployment there is no point to place the event at.
            guard top.result.hasPoint else {
                throw CityOpsError(.unusable, "\"\(top.result.formatted)\" is outside this deployment's area; give lon/lat", parameter: source)
            }
            point = top.result.point
            needsReview = top.result.confidence < settings.reviewBelow
        }
        // Type: the order's own, else the taxonomy's proposal from the description.
        var eventType = r.type
        var proposal: EventTypeProposal?
        if eventType.isEmpty {
            proposal = settings.taxonomy.classify(r.description)
            eventType = proposal?.type ?? DispatchSettings.unclassifiedType
            if proposal == nil { needsReview = true }
        }
        let p = point!
        let areas = locate(lon: p.x, lat: p.y)
        // Handlers: the type this event calls for, else the owning grid's worker first.
        let wanted = settings.handlerType(for: eventType)
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
        var plan = EventPlan(point: p, geocode: geocode, needsReview: needsReview, areas: areas, handlerType: wanted, handlers: handlers,
                             floodPoints: flood, pipes: pipes, eventType: eventType, typeProposal: proposal, locationSource: source, mention: mention)
        plan.burst = burstContext(type: eventType, at: p, within: settings.pipeContextM,
                                  serviceDistanceM: settings.burstServiceDistanceM)
        return plan
    }
}

extension EventRequest {
    /// The request under the type its plan settled on (the order's own or the proposal).
    func typed(_ plan: EventPlan) -> EventRequest {
        var r = self
        if !plan.eventType.isEmpty { r.type = plan.eventType }
        return r
    }
}

extension EventPlan {
    /// What intake worked out about place and type, kept with the event:
    /// `location_source`, the `mention` found in the description and the `type_proposal`.
    var intakeProperties: [(String, JSONValue)] {
        var out: [(String, JSONValue)] = [("location_source", .string(locationSource))]
        if let mention { out.append(("mention", GeocodeAnswerJSON.mention(mention))) }
        if let t = typeProposal { out.append(("type_proposal", EventTypeProposal.json(t))) }
        return out
    }
}

extension EventTypeProposal {
    /// `{"type","kind","category","confidence","matched":[…]}`.
    public static func json(_ t: EventTypeProposal) -> JSONValue {
        .object(JSONObject([("type", .string(t.type)), ("kind", .string(t.kind)), ("category", .string(t.category)),
                            ("confidence", .number(t.confidence)), ("matched", .array(t.matched.map(JSONValue.string)))]))
    }
}

/// ISO 8601 times as events carry them (with or without fractional seconds, any offset).
public enum EventTime {
    public static func parse(_ s: String) -> Date? { Timestamp.parse(s) }

    public static func now() -> String { Timestamp.now() }
}
