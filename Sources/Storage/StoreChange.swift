import Foundation

/// What a writer committed to a store that several processes share (PostGIS:
/// told by `NOTIFY citytwin_changes` in the committing transaction, so a
/// listener hears it only once it is visible). Instances use it to refresh
/// their in-memory state within a second of another instance's commit.
public enum StoreChange: Sendable, Equatable {
    /// A layer import or delete committed; the store's data version is now `dataVersion`.
    case layers(dataVersion: Int, names: [String])
    /// Events inserted or updated (status, assignee, note, escalation).
    case events(ids: [Int64])
    /// Sensor readings stored.
    case readings
    /// Bike positions stored.
    case bikePositions
    /// The listener lost its connection and has it back: changes may have been
    /// missed, so a listener resynchronises everything it keeps.
    case resynchronise
}

/// A store whose commits other processes can hear about.
public protocol StoreChangeFeed: Sendable {
    /// Changes committed by any writer (this process included), as they arrive.
    /// Each call gives a new stream; it ends when the store is closed.
    func changes() -> AsyncStream<StoreChange>
}

/// Where the data lives: a SpatiaLite file (with its operational database
/// beside it) or a PostgreSQL/PostGIS database shared by several instances.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    case spatiaLite(path: String)
    /// `postgres://user@host:port/database` (or `postgresql://`); the password
    /// never sits in the URL: it comes from `PGPASSWORD` or `passwordFile`.
    case postgres(url: String, passwordFile: String?)

    /// A path, or a `postgres://` / `postgresql://` URL.
    public init(_ text: String, passwordFile: String? = nil) {
        let lower = text.lowercased()
        if lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://") {
            self = .postgres(url: text, passwordFile: passwordFile)
        } else {
            self = .spatiaLite(path: text)
        }
    }

    /// For logs: a URL without any password it was given.
    public var description: String {
        switch self {
        case .spatiaLite(let path): return path
        case .postgres(let url, _):
            guard var parts = URLComponents(string: url) else { return "postgres://…" }
            if parts.password != nil { parts.password = "***" }
            return parts.string ?? "postgres://…"
        }
    }
}
