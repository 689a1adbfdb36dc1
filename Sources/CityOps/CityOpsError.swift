/// The one error type of `CityOps`. The server maps codes to HTTP statuses.
public struct CityOpsError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable { case unknownLayer, unknownFeature, invalidParameter, unusable, tooLarge, conflict, storage }
    public let code: Code
    public let message: String
    /// The request parameter at fault, when there is one.
    public let parameter: String?

    public init(_ code: Code, _ message: String, parameter: String? = nil) {
        self.code = code
        self.message = message
        self.parameter = parameter
    }

    public var description: String { message }
}
