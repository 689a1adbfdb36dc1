import Dispatch
import Geo
import Geocoder
import Synchronization

/// A location mention found in free text, its geocode placed in the city.
public struct PlacedMention: Sendable {
    /// Code points of the input (`start` inclusive, `end` exclusive).
    public var span: TextSpan
    public var text: String
    public var results: [PlacedResult]
}

extension GeocodingService {
    /// The place named inside a free text (a work order's description), or nil.
    public func extract(_ text: String, focus: Coordinate?, limit: Int, snapshot: CitySnapshot) -> PlacedMention? {
        geocoder(for: snapshot).extract(text, focus: focus, limit: limit).map { place($0, snapshot) }
    }

    /// `extract` for many texts on all cores, answers in input order.
    public func batchExtract(_ texts: [String], focus: Coordinate?, limit: Int, snapshot: CitySnapshot) -> [PlacedMention?] {
        let g = geocoder(for: snapshot)
        let out = Mutex([PlacedMention?](repeating: nil, count: texts.count))
        let chunk = 32
        DispatchQueue.concurrentPerform(iterations: (texts.count + chunk - 1) / chunk) { c in
            var local: [(Int, PlacedMention?)] = []
            for k in (c * chunk)..<min((c + 1) * chunk, texts.count) {
                local.append((k, g.extract(texts[k], focus: focus, limit: limit).map { self.place($0, snapshot) }))
            }
            out.withLock { for (k, m) in local { $0[k] = m } }
        }
        return out.withLock { $0 }
    }

    func place(_ m: LocationMention, _ snapshot: CitySnapshot) -> PlacedMention {
        PlacedMention(span: m.span, text: m.text, results: m.results.map { place($0, snapshot) })
    }
}

extension GeocodeAnswerJSON {
    /// `{"text","span":{"start","end"}}` of a mention, or null.
    public static func mention(_ m: PlacedMention?) -> JSONValue {
        guard let m else { return .null }
        return .object(JSONObject([
            ("text", .string(m.text)),
            ("span", .object(JSONObject([("start", .number(Double(m.span.start))), ("end", .number(Double(m.span.end)))]))),
        ]))
    }
}
