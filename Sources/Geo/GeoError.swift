/// The one error type of the `Geo` module: a machine-readable code, a human
/// message and optional context (a byte offset, a feature index, a file).
public struct GeoError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Code: String, Sendable {
        case malformedJSON, malformedGeoJSON, malformedWKB, malformedWKT, malformedBlob
        case nonFiniteCoordinate, emptyGeometry, unsupportedGeometry, io
    }
    public let code: Code
    public let message: String
    public let context: String?

    public init(_ code: Code, _ message: String, context: String? = nil) {
        self.code = code
        self.message = message
        self.context = context
    }

    public var description: String {
        if let context { return "\(message) (\(context))" }
        return message
    }
}
