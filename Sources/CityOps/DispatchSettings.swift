import Foundation

/// How events are dispatched: which handler type an event type calls for,
/// what counts as a duplicate, when a geocode needs review.
public struct DispatchSettings: Sendable, Equatable {
    /// Event type → handler type (e.g. 占道经营 → urban_management).
    public var handlerTypes: [String: String] = [
        "占道经营": "urban_management", "违章停车": "police", "噪音扰民": "urban_management",
        "井盖缺失": "water", "管道破裂": "water", "道路积水": "drainage",
        "垃圾堆放": "urban_management", "共享单车乱停放": "urban_management",
        "路灯损坏": "urban_management", "绿化损坏": "urban_management", "火情": "fire",
    ]
    /// For unmapped types: the owning grid's worker (and the nearest others of this type).
    public var defaultHandlerType = "grid_worker"
    public var handlersProposed = 3
    public var duplicateRadiusM = 50.0
    public var duplicateWindowHours = 2.0
    /// Geocodes below this confidence keep the event with `needs_review`.
    public var reviewBelow = 0.6
    public var floodContextM = 500.0
    public var pipeContextM = 50.0
    /// The service distance of a burst main's isolation proposal (metres; config `networks.service_distance_m`).
    public var burstServiceDistanceM = PipeNetworkDefaults.serviceDistanceM
    /// Hours an event of a type has before it is overdue (12345 work orders:
    /// urgent kinds in hours, the rest in days); others get `defaultDeadlineHours`.
    public var deadlineHours: [String: Double] = [
        "井盖缺失": 4, "管道破裂": 4, "道路积水": 4, "火情": 1, "占道经营": 24, "违章停车": 8,
        "噪音扰民": 24, "垃圾堆放": 24, "共享单车乱停放": 24, "路灯损坏": 72, "绿化损坏": 72,
    ]
    public var defaultDeadlineHours = 72.0
    /// Past its deadline an event escalates one level (grid → community → street →
    /// district) per this many hours, starting at the deadline.
    public var escalationStepHours = 4.0
    /// Closed events stay in memory this long (open ones always); older ones are listed from storage.
    public var memoryWindowDays = 30.0
    /// Sensor readings older than this are deleted (nil keeps them all); closed events too.
    public var readingRetentionDays: Double? = 400
    public var eventRetentionDays: Double?

    /// Event types from text, for orders that come without one (`dispatch.event_types` in the config).
    public var taxonomy = EventTaxonomy()
    /// The type of an order without one that the taxonomy could not classify (it goes to review).
    public static let unclassifiedType = "未分类"

    /// The handler type an event type calls for: `handlerTypes`, else the taxonomy rule's, else the default.
    public func handlerType(for type: String) -> String {
        handlerTypes[type] ?? taxonomy.rule(type)?.handlerType ?? defaultHandlerType
    }

    /// The deadline of an event of `type` taken in at `at`.
    public func dueDate(type: String, at: Date) -> Date { at.addingTimeInterval((deadlineHours[type] ?? defaultDeadlineHours) * 3600) }

    public init() {}
}

/// Event statuses and the moves allowed between them.
public enum EventStatus: String, Sendable, CaseIterable {
    case new, dispatched, inProgress = "in_progress", resolved, closed

    /// new → dispatched → in_progress → resolved → closed; a new event may be
    /// closed directly (a duplicate or a false report); a resolved one reopened.
    public var next: Set<EventStatus> {
        switch self {
        case .new: [.dispatched, .closed]
        case .dispatched: [.inProgress]
        case .inProgress: [.resolved]
        case .resolved: [.closed, .inProgress]
        case .closed: []
        }
    }

    public var isOpen: Bool { self != .resolved && self != .closed }
}
