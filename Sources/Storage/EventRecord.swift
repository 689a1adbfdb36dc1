import Geo

/// One event (incident) as stored: the columns of the `events` table.
/// `properties` carries everything else the intake worked out (geocode,
/// handlers, duplicate, review flag) as a JSON object.
public struct EventRecord: Sendable, Equatable {
    public var id: Int64
    public var type: String
    public var description: String
    public var address: String?
    public var status: String
    public var source: String?
    public var reportedAt: String?
    public var createdAt: String
    public var updatedAt: String
    public var gridCode: String?
    public var properties: JSONObject
    public var point: Coordinate
    /// Admin codes of the point (grid's parents), for filters and statistics.
    public var communityCode: String?
    public var streetCode: String?
    public var districtCode: String?
    /// Deadline (ISO 8601), from the type's deadline in the config; nil: none.
    public var dueAt: String?
    /// When it reached `closed` (or `resolved`, which stops the clock).
    public var closedAt: String?
    public var assignee: String?
    /// 0 = the grid's handlers; 1 community, 2 street, 3 district (rises past the deadline).
    public var escalationLevel: Int = 0

    public init(id: Int64 = 0, type: String, description: String, address: String?, status: String, source: String?,
                reportedAt: String?, createdAt: String, updatedAt: String, gridCode: String?, properties: JSONObject, point: Coordinate) {
        self.id = id; self.type = type; self.description = description; self.address = address; self.status = status
        self.source = source; self.reportedAt = reportedAt; self.createdAt = createdAt; self.updatedAt = updatedAt
        self.gridCode = gridCode; self.properties = properties; self.point = point
    }
}
