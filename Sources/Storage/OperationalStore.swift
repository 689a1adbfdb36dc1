import Foundation
import Geo

/// The operational database: events (12345 work orders, grid reports, camera
/// alerts), their history, and sensor readings — data written all day, many
/// times a second. It lives apart from the base layers (its own SQLite file,
/// or PostGIS later) so a base-layer import never holds the lock an event
/// write needs. Every method is `async` and runs its I/O off the cooperative
/// thread pool (GRDB's async API), so no write blocks a request thread.
/// No signature mentions SQLite: a PostGIS store can implement it unchanged.
public protocol OperationalStore: Sendable {
    /// Stores new events in one transaction (their `id` is ignored) with a
    /// `created` history entry each; returns them with ids, in input order.
    func insertEvents(_ events: [EventRecord]) async throws(StorageError) -> [EventRecord]

    /// `insertEvents(_:)`, and each event whose `properties["duplicate_of"]` is
    /// missing or null gets the id of an open event it duplicates under `rule`
    /// (decided inside the insert transaction, so stores shared by several
    /// processes stay right). The default (see `DuplicateRule.swift`) ignores
    /// the rule: with one writer process the caller's in-memory check suffices.
    func insertEvents(_ events: [EventRecord], duplicates rule: DuplicateRule?) async throws(StorageError) -> [EventRecord]

    /// Applies a change when the stored event's `updatedAt` is still
    /// `expectedUpdatedAt` (compare-and-set: two concurrent changes cannot both
    /// succeed), appending `history` in the same transaction. Returns the
    /// updated event, or nil when it does not exist or changed meanwhile.
    func updateEvent(_ event: EventRecord, expectedUpdatedAt: String, history: [EventHistoryEntry]) async throws(StorageError) -> EventRecord?

    /// One event with its history (oldest first), or nil.
    func event(id: Int64) async throws(StorageError) -> (EventRecord, [EventHistoryEntry])?

    /// A page of events matching `filter`, newest first (id descending),
    /// starting after `cursor` (the last id of the previous page), at most `limit`.
    /// Their properties leave out the intake's planning details (`handlers`,
    /// `geocode`, `candidates`): `event(id:)` has them.
    func events(matching filter: EventFilter, after cursor: Int64?, limit: Int) async throws(StorageError) -> [EventRecord]

    /// Every event not closed, plus every event created or closed since `since`
    /// (ISO 8601): what the server keeps in memory.
    func liveEvents(since: String) async throws(StorageError) -> [EventRecord]

    /// Counts per group for events created since `since` (and before `until`).
    /// `now` decides overdue (due_at before now, not resolved or closed).
    func eventStats(groupBy: EventGrouping, since: String?, until: String?, now: String) async throws(StorageError) -> [EventStatsRow]

    /// Grids where events of one type repeat since `since` (at least `minimum`), most first.
    func eventHotspots(since: String, type: String?, minimum: Int, limit: Int) async throws(StorageError) -> [EventHotspot]

    /// Stores readings (a reading equal to a stored one — same sensor and time — is ignored);
    /// returns how many were new.
    func insertReadings(_ readings: [SensorReading]) async throws(StorageError) -> Int
    /// The latest reading of every sensor, by observation time.
    func latestReadings() async throws(StorageError) -> [String: SensorReading]
    /// A sensor's readings in [since, until), oldest first, after `cursor` (an observed_at), at most `limit`.
    func readings(sensor: String, since: String?, until: String?, after cursor: String?, limit: Int) async throws(StorageError) -> [SensorReading]

    /// Deletes closed events closed before `eventsClosedBefore` and readings observed
    /// before `readingsBefore` (either nil: keep). Returns (events, readings) deleted.
    func purge(eventsClosedBefore: String?, readingsBefore: String?) async throws(StorageError) -> (events: Int, readings: Int)

    /// Events stored in all (for benchmarks and checks).
    func eventCount() async throws(StorageError) -> Int
}

/// One line of an event's history: a status move, an assignment, a note, an escalation.
public struct EventHistoryEntry: Sendable, Equatable {
    public enum Kind: String, Sendable { case created, status, assigned, note, escalated }
    public var at: String
    public var kind: Kind
    public var from: String?
    public var to: String?
    public var note: String?
    public var actor: String?

    public init(at: String, kind: Kind, from: String? = nil, to: String? = nil, note: String? = nil, actor: String? = nil) {
        self.at = at; self.kind = kind; self.from = from; self.to = to; self.note = note; self.actor = actor
    }
}

/// Filters of `GET /v1/events`; every one optional, all must hold.
public struct EventFilter: Sendable, Equatable {
    public var statuses: [String]?
    public var types: [String]?
    public var gridCode: String?
    public var communityCode: String?
    public var streetCode: String?
    public var bbox: BoundingBox?
    /// created_at ≥ since, < until (ISO 8601, UTC "Z").
    public var since: String?
    public var until: String?
    /// Overdue at this time: due_at < overdueAt and not resolved or closed.
    public var overdueAt: String?

    public init(statuses: [String]? = nil, types: [String]? = nil, gridCode: String? = nil, communityCode: String? = nil,
                streetCode: String? = nil, bbox: BoundingBox? = nil, since: String? = nil, until: String? = nil, overdueAt: String? = nil) {
        self.statuses = statuses; self.types = types; self.gridCode = gridCode; self.communityCode = communityCode
        self.streetCode = streetCode; self.bbox = bbox; self.since = since; self.until = until; self.overdueAt = overdueAt
    }
}

public enum EventGrouping: String, Sendable, CaseIterable { case grid, community, street, type, status }

public struct EventStatsRow: Sendable, Equatable {
    public var key: String
    public var count: Int
    public var open: Int
    public var overdue: Int
    /// Mean seconds from created_at to closed_at over the group's closed events; nil when none closed.
    public var meanSecondsToClose: Double?

    public init(key: String, count: Int, open: Int, overdue: Int, meanSecondsToClose: Double?) {
        self.key = key; self.count = count; self.open = open; self.overdue = overdue; self.meanSecondsToClose = meanSecondsToClose
    }
}

public struct EventHotspot: Sendable, Equatable {
    public var gridCode: String
    public var type: String
    public var count: Int
    /// The newest event's created_at in the group.
    public var lastAt: String

    public init(gridCode: String, type: String, count: Int, lastAt: String) {
        self.gridCode = gridCode; self.type = type; self.count = count; self.lastAt = lastAt
    }
}
