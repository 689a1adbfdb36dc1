/// A feature as read from a source: an optional external id, ordered
/// properties and a geometry (nil when the source had `"geometry": null`).
public struct Feature: Hashable, Sendable {
    public var id: JSONValue?
    public var properties: JSONObject
    public var geometry: Geometry?

    public init(id: JSONValue? = nil, properties: JSONObject = JSONObject(), geometry: Geometry?) {
        self.id = id
        self.properties = properties
        self.geometry = geometry
    }
}
