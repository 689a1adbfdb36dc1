/// The one error type of MapAssets (fonts and sprites): a code and a message
/// naming the problem. The server maps `.unknownFont`/`.unknownSprite` to 404,
/// `.badRange` to 400 and the rest to 500.
public struct MapAssetsError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// No font of the requested stack is known.
        case unknownFont
        /// A glyph range that is not n×256…n×256+255.
        case badRange
        /// No sprite of that name.
        case unknownSprite
        /// A font or icon file could not be read or rendered.
        case unreadable
    }
    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) { self.code = code; self.message = message }

    public var description: String { message }
}
