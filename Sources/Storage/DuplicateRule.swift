/// When a new event counts as a duplicate of an open one: same type, within
/// `radiusM` metres (geodesic) and `windowSeconds` of it (reported time, else
/// created time, either side), the other not in `closedStatuses`.
public struct DuplicateRule: Sendable, Equatable {
    public var radiusM: Double
    public var windowSeconds: Double
    public var closedStatuses: [String]

    public init(radiusM: Double, windowSeconds: Double, closedStatuses: [String] = ["resolved", "closed"]) {
        self.radiusM = radiusM
        self.windowSeconds = windowSeconds
        self.closedStatuses = closedStatuses
    }
}

extension OperationalStore {
    /// One writer process (SQLite): the event service's in-memory check already
    /// saw every open event, so the events are stored as they are.
    public func insertEvents(_ events: [EventRecord], duplicates: DuplicateRule?) async throws(StorageError) -> [EventRecord] {
        try await insertEvents(events)
    }
}
