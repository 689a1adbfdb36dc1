/// What the parser read from a normalized address, component by component.
public struct ParsedAddress: Sendable, Equatable {
    /// Admin areas named in the text, by level (indices into the gazetteer's admins).
    public var admin: [AdminLevel: Int] = [:]
    /// Other admin entries of the same name consistent with the text, by level
    /// (the same district name in two cities, with no prefix to tell them apart).
    public var adminAlternatives: [AdminLevel: [Int]] = [:]
    /// Province, city and county read from the national table at the front
    /// (codes); a county here is one the admin layers do not hold.
    public var region = DivisionRegion()
    /// A province, city or county named in the text lies outside the deployment.
    public var outOfArea = false
    /// A road name as matched in the gazetteer (normalized), and whether it needed a typo correction.
    public var road: String?
    public var roadFuzzy = false
    /// Other roads the text could name (typo-tolerant alternatives), best first.
    public var roadAlternatives: [String] = []
    public var number: Int?
    public var building: Int?
    public var unit: Int?
    /// 附近, 对面, 东门 …: kept, not used to move the point.
    public var qualifier: String?
    /// Two roads of "A路与B路交叉口" / "A路B路路口".
    public var intersection: (String, String)?
    /// Text left for POI matching.
    public var poiText: String?
    /// The text after admin prefixes and the qualifier, and the same before admin
    /// prefixes: a POI may be named in full (明景社区卫生服务中心, 樱桃公园).
    public var rest = ""
    public var fullText = ""
    /// The normalized query.
    public var normalized = ""

    public static func == (a: ParsedAddress, b: ParsedAddress) -> Bool {
        a.admin == b.admin && a.region == b.region && a.outOfArea == b.outOfArea && a.road == b.road && a.roadFuzzy == b.roadFuzzy && a.number == b.number && a.building == b.building
            && a.unit == b.unit && a.qualifier == b.qualifier && a.intersection?.0 == b.intersection?.0
            && a.intersection?.1 == b.intersection?.1 && a.poiText == b.poiText && a.normalized == b.normalized
    }
}

/// One geocoding answer.
public struct GeocodeResult: Sendable {
    public var point: Geo.Coordinate
    public var level: MatchLevel
    /// exact, fuzzy (a typo corrected), interpolated (house number between known ones), alias, centroid …
    public var matchType: String
    public var confidence: Double
    public var formatted: String
    /// district, street, community, grid (names), road, number, building, unit, poi, qualifier.
    public var components: [(key: String, value: String)]
    /// Admin codes known for the matched entry (the caller re-derives them from the point).
    public var admin: AdminCodes
    /// Province, city and county (national table codes) of the answer.
    public var region = DivisionRegion()
    /// The text names a province, city or county outside the deployment: the
    /// answer is that division alone, with no point (`hasPoint` false) and a
    /// confidence below review (`Geocoder.outOfAreaConfidence`); never a local match.
    public var outOfArea = false

    /// False for an answer that names a division the deployment has no point for.
    public var hasPoint: Bool { point.x.isFinite && point.y.isFinite }

    public func component(_ key: String) -> String? { components.first { $0.key == key }?.value }
}

import Geo
