/// The one error type of `GeometryOps`: GEOS and PROJ failures keep the
/// library's own message.
public struct GeometryOpsError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable { case geos, proj, unknownCRS, unrepairable, outOfDomain }
    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
