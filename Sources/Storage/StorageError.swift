import GRDB

/// The one error type of `Storage`. SQLite failures keep the result code and
/// the SQL for logs; the HTTP layer never shows `sql` to clients.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case sqlite, invalidLayerName, unknownLayer, layerExists, spatialite, corrupt, invalidData
        /// PostgreSQL answered with an error (`sqlState` says which).
        case postgres
        /// The store cannot be reached or opened: connection refused, authentication failed,
        /// database or extension missing, a malformed URL.
        case unavailable
    }
    public let code: Code
    public let message: String
    public let sqliteCode: Int32?
    public let sql: String?
    /// PostgreSQL's SQLSTATE (e.g. "40001") when the error came from the server.
    public let sqlState: String?

    public init(_ code: Code, _ message: String, sqliteCode: Int32? = nil, sql: String? = nil, sqlState: String? = nil) {
        self.code = code
        self.message = message
        self.sqliteCode = sqliteCode
        self.sql = sql
        self.sqlState = sqlState
    }

    public var description: String { message }

    /// Wraps any error thrown inside a GRDB call.
    static func wrap(_ error: any Error) -> StorageError {
        if let e = error as? StorageError { return e }
        if let e = error as? DatabaseError {
            return StorageError(.sqlite, "SQLite error \(e.resultCode.primaryResultCode.rawValue): \(e.message ?? "\(e.resultCode)")",
                                sqliteCode: e.extendedResultCode.rawValue, sql: e.sql)
        }
        return StorageError(.sqlite, "\(error)")
    }
}
