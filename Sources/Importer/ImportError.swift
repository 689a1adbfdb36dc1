import Geo

/// The one error type of `Importer`: fatal problems that abort an import
/// (and roll it back). Per-feature problems are rejects, not errors.
public struct ImportError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case io, format, encoding, crs, options, storage, nothingImported
    }
    public let code: Code
    public let message: String
    public let file: String?

    public init(_ code: Code, _ message: String, file: String? = nil) {
        self.code = code
        // Messages quote input and library text; no control character from either reaches a terminal or log.
        self.message = InputText.controlsEscaped(message)
        self.file = file.map(InputText.controlsEscaped)
    }

    public var description: String {
        if let file { return "\(file): \(message)" }
        return message
    }
}
