/// The one error type of the VectorTiles module: a code, a message naming
/// the problem, and whether a reader may skip the offending feature and go on.
public struct VectorTilesError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The protobuf bytes or the MVT structure cannot be read (fatal).
        case malformedTile
        /// A feature is invalid but the rest of the tile is usable (recoverable).
        case invalidFeature
        case invalidConfig
        case archive
        case compression
    }
    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) { self.code = code; self.message = message }

    public var description: String { message }
    /// MVT-fixtures vocabulary: "recoverable" errors let a decoder move on to the next feature.
    public var isRecoverable: Bool { code == .invalidFeature }
}
