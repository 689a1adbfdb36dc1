import Foundation
import Geo
import SpatialIndex
import Storage
import Synchronization

/// Where event times come from: the system clock in service, a manual one
/// in tests (deadlines and escalation without waiting).
public protocol EventClock: Sendable {
    func now() -> Date
}

public struct SystemClock: EventClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that moves only when told to.
public final class ManualClock: EventClock {
    let time: Mutex<Date>
    public init(_ start: Date) { time = Mutex(start) }
    public func now() -> Date { time.withLock { $0 } }
    public func advance(by seconds: TimeInterval) { time.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// Who an overdue work order is escalated to, level by level (the seed
/// platforms text the grid's handlers, then their superiors).
public enum EscalationLevel: Int, Sendable, CaseIterable {
    case grid = 0, community, street, district
    public var name: String { ["grid", "community", "street", "district"][rawValue] }
}

/// An event as intake stored it, with what intake worked out.
public struct EventIntakeResult: Sendable {
    public var event: EventRecord
    public var plan: EventPlan
}

/// A change asked of an event by `PATCH /v1/events/{id}`.
public struct EventChange: Sendable {
    public var status: EventStatus?
    public var assignee: String?
    public var note: String?
    public var actor: String?
    public init(status: EventStatus? = nil, assignee: String? = nil, note: String? = nil, actor: String? = nil) {
        self.status = status; self.assignee = assignee; self.note = note; self.actor = actor
    }
}

/// The event hub: intake, status moves, assignment, notes, deadlines and
/// escalation, listing, statistics and sensor readings. Routes only decode
/// and encode; every rule lives here.
///
/// Storage is the `OperationalStore` (its own database, async I/O off the
/// cooperative pool). Memory holds the open events and the closed ones of the
/// last `memoryWindowDays`, with a point index updated by delta on every write
/// (duplicate detection and the overdue list read it, never a scan of storage).
/// The map's `events` layer is rebuilt from memory — never from storage — and
/// published at most every `publishInterval`, so a burst of writes costs one
/// rebuild per interval, not one per write.
public final class EventService: Sendable {
    public let store: any OperationalStore
    public let settings: DispatchSettings
    public let clock: any EventClock
    let state: CityState
    let memory: Mutex<EventMemory>
    let publishing = Mutex(PublishState())
    let publishInterval: Duration
    /// Latest reading per sensor, kept by delta (a write never re-reads the table).
    let latest: Mutex<[String: SensorReading]>
    /// The live stream: every stored change is appended to it (an append, never a wait).
    public let feed: LiveFeed

    struct PublishState {
        var scheduled = false
        var lastBuild = ContinuousClock.now - .seconds(3600)
        /// How long the last rebuild took: the next waits at least 8× that, so
        /// rebuilding the layer never takes more than about a ninth of a core
        /// (with 50,000 events in memory a rebuild is ~25 ms: the map lags ≤ 0.2 s).
        var lastCost: Duration = .zero
        var publishedVersion = -1
    }

    /// Loads the open events, the recent window and the latest readings, and
    /// publishes the events layer and readings into `state`.
    public init(store: any OperationalStore, state: CityState, settings: DispatchSettings = DispatchSettings(),
                clock: any EventClock = SystemClock(), publishInterval: Duration = .milliseconds(100),
                feed: LiveFeed = LiveFeed()) async throws(StorageError) {
        self.store = store; self.state = state; self.settings = settings; self.clock = clock; self.publishInterval = publishInterval
        self.feed = feed
        let since = Self.stamp(clock.now().addingTimeInterval(-settings.memoryWindowDays * 86400))
        var m = EventMemory(area: Self.area(state.snapshot))
        for e in try await store.liveEvents(since: since) { m.put(e) }
        memory = Mutex(m)
        latest = Mutex(try await store.latestReadings())
        state.publish(readings: latest.withLock { $0 })
        publishNow()
    }

    // MARK: intake

    /// Plans, checks for a duplicate among open events (same type, within the
    /// duplicate radius and window, via the point index), sets the deadline and
    /// stores the event. Throws `CityOpsError` for a request that cannot be
    /// placed, `StorageError` when it could not be stored (nothing is then kept).
    public func intake(_ r: EventRequest, snapshot: CitySnapshot, geocoding: GeocodingService, floodWarningRatio: Double) async throws -> EventIntakeResult {
        let plan = try await Self.offPool { [settings] () throws(CityOpsError) in
            try snapshot.planEvent(r, settings: settings, geocoding: geocoding, floodWarningRatio: floodWarningRatio)
        }
        let r = r.typed(plan)
        var record = makeRecord(r, plan)
        record.properties["duplicate_of"] = memory.withLock { m in duplicate(of: r, at: plan.point, in: m) }.map { .number(Double($0)) } ?? .null
        // Memory found none: the store looks again inside its insert transaction, where a
        // shared store sees events other instances stored a moment ago.
        let stored = try await store.insertEvents([record], duplicates: duplicateRule)
        remember(stored, intake: true)
        return EventIntakeResult(event: stored[0], plan: plan)
    }

    /// Many events in one transaction; a result per item in input order. An
    /// item that cannot be planned gets its error and the rest are stored;
    /// a storage failure stores none of them (and throws).
    public func intake(batch requests: [Result<EventRequest, CityOpsError>], snapshot: CitySnapshot, geocoding: GeocodingService,
                       floodWarningRatio: Double) async throws -> [Result<EventIntakeResult, CityOpsError>] {
        // Planning is CPU work on the snapshot: spread it over the cores.
        let plans = Mutex([Result<EventPlan, CityOpsError>?](repeating: nil, count: requests.count))
        DispatchQueue.concurrentPerform(iterations: requests.count) { k in
            let p: Result<EventPlan, CityOpsError> = switch requests[k] {
            case .failure(let e): .failure(e)
            case .success(let r): Result { () throws(CityOpsError) in
                try snapshot.planEvent(r, settings: settings, geocoding: geocoding, floodWarningRatio: floodWarningRatio) }
            }
            plans.withLock { $0[k] = p }
        }
        let planned = plans.withLock { $0 }
        // Duplicates in input order: an earlier item of the batch counts as an open event.
        var records: [EventRecord] = [], owners: [Int] = []
        var pending = EventMemory(area: memory.withLock { $0.index.bounds })
        memory.withLock { m in
            for (k, p) in planned.enumerated() {
                guard case .success(let plan)? = p, case .success(let asked) = requests[k] else { continue }
                let r = asked.typed(plan)
                var e = makeRecord(r, plan)
                let dup = duplicate(of: r, at: plan.point, in: m) ?? duplicate(of: r, at: plan.point, in: pending).map { -$0 }
                // Batch items have no id yet: `pending` keys them by -(position+1); resolved after the insert.
                e.properties["duplicate_of"] = dup.map { .number(Double($0)) } ?? .null
                var placeholder = e
                placeholder.id = -Int64(records.count + 1)
                pending.put(placeholder)
                records.append(e); owners.append(k)
            }
        }
        var stored = records.isEmpty ? [] : try await store.insertEvents(records, duplicates: duplicateRule)
        // A duplicate of an earlier item of this batch points at its stored id now.
        var fixes: [(EventRecord, String)] = []
        for k in stored.indices {
            if let d = stored[k].properties["duplicate_of"]?.doubleValue, d < 0, stored.indices.contains(Int(-d) - 1) {
                let before = stored[k].updatedAt
                stored[k].properties["duplicate_of"] = .number(Double(stored[Int(-d) - 1].id))
                fixes.append((stored[k], before))
            }
        }
        for (e, before) in fixes {
            if let updated = try await store.updateEvent(e, expectedUpdatedAt: before, history: []) {
                if let k = stored.firstIndex(where: { $0.id == updated.id }) { stored[k] = updated }
            }
        }
        remember(stored, intake: true)
        var out = [Result<EventIntakeResult, CityOpsError>](repeating: .failure(CityOpsError(.invalidParameter, "not planned")), count: requests.count)
        for (k, p) in planned.enumerated() { if case .failure(let e)? = p { out[k] = .failure(e) } }
        for (j, k) in owners.enumerated() { if case .success(let plan)? = planned[k] { out[k] = .success(EventIntakeResult(event: stored[j], plan: plan)) } }
        return out
    }

    /// Planning threads: an event's plan (geocoding, handlers, a burst main's isolation)
    /// is milliseconds of CPU; on the two-thread cooperative pool it would hold back every
    /// quick request (locate, tiles) queued behind it, here the OS shares the cores out.
    static let planning = DispatchQueue(label: "CityTwin.event-planning", qos: .userInitiated, attributes: .concurrent)

    static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws(CityOpsError) -> T) async throws(CityOpsError) -> T {
        let result: Result<T, CityOpsError> = await withCheckedContinuation { c in
            planning.async { c.resume(returning: Result { () throws(CityOpsError) in try body() }) }
        }
        return try result.get()
    }

    func makeRecord(_ r: EventRequest, _ plan: EventPlan) -> EventRecord {
        func code(_ role: LayerRole) -> String? { plan.areas[role].flatMap { $0.0.properties.object($0.1)["code"]?.textValue } }
        var props = JSONObject([("needs_review", .bool(plan.needsReview)), ("handler_type", .string(plan.handlerType))])
        props["handlers"] = .array(plan.handlers.map { EventJSON.handler($0) })
        if let top = plan.geocode.first { props["geocode"] = GeocodeAnswerJSON.result(top) }
        if plan.needsReview { props["candidates"] = .array(plan.geocode.map { GeocodeAnswerJSON.result($0) }) }
        for (key, value) in plan.intakeProperties { props[key] = value }
        let now = clock.now()
        let stamp = Self.stamp(now)
        var e = EventRecord(type: r.type, description: r.description, address: r.address, status: EventStatus.new.rawValue,
                            source: r.source, reportedAt: r.reportedAtText, createdAt: stamp, updatedAt: stamp,
                            gridCode: code(.grid), properties: props, point: plan.point)
        e.communityCode = code(.community); e.streetCode = code(.street); e.districtCode = code(.district)
        e.dueAt = Self.stamp(settings.dueDate(type: r.type, at: r.reportedAt.map { min($0, now) } ?? now))
        return e
    }

    /// The extent of the base layers (events and live layers left out), padded by
    /// 0.05°: the point grid's cells span it; events outside still count (kept in
    /// its border cells), only slower to search.
    static func area(_ snapshot: CitySnapshot) -> BoundingBox {
        var box = BoundingBox.empty
        for l in snapshot.layers.values where !l.info.bbox.isEmpty && l.info.role != .event { box.extend(l.info.bbox) }
        if box.isEmpty { return BoundingBox(minX: -180, minY: -85, maxX: 180, maxY: 85) }
        return BoundingBox(minX: box.minX - 0.05, minY: box.minY - 0.05, maxX: box.maxX + 0.05, maxY: box.maxY + 0.05)
    }

    /// The duplicate rule of `duplicate(of:at:in:)` for the store's own check.
    var duplicateRule: DuplicateRule {
        DuplicateRule(radiusM: settings.duplicateRadiusM, windowSeconds: settings.duplicateWindowHours * 3600,
                      closedStatuses: EventStatus.allCases.filter { !$0.isOpen }.map(\.rawValue))
    }

    /// An open event of the same type within the duplicate radius and time window.
    func duplicate(of r: EventRequest, at p: Coordinate, in m: EventMemory) -> Int64? {
        let when = r.reportedAt ?? clock.now()
        let window = settings.duplicateWindowHours * 3600
        for h in m.index.nearest(lon: p.x, lat: p.y, k: 64, maxDistance: settings.duplicateRadiusM, filter: { m.openType[$0] == r.type }) {
            guard let id = m.idAt[h.id], let e = m.records[id] else { continue }
            let other = e.reportedAt.flatMap(Timestamp.parse) ?? Timestamp.parse(e.createdAt)
            if let other, abs(other.timeIntervalSince(when)) <= window { return id }
        }
        return nil
    }

    // MARK: changes

    /// Applies a status move, an assignment and/or a note, with history, as a
    /// compare-and-set on the stored event. Throws `CityOpsError` .unknownFeature
    /// (no such event), .unusable (a move the workflow does not allow), .conflict
    /// (changed meanwhile).
    public func change(id: Int64, _ c: EventChange) async throws -> (EventRecord, [EventHistoryEntry]) {
        guard let (current, _) = try await store.event(id: id) else { throw CityOpsError(.unknownFeature, "no event \(id)") }
        let now = clock.now()
        var e = current
        var history: [EventHistoryEntry] = []
        let at = Self.stamp(now, after: current.updatedAt)
        if let to = c.status {
            guard let from = EventStatus(rawValue: current.status), from.next.contains(to) else {
                let allowed = EventStatus(rawValue: current.status)?.next.map(\.rawValue).sorted().joined(separator: ", ") ?? ""
                throw CityOpsError(.unusable, "event \(id) is \(current.status); it can move to \(allowed.isEmpty ? "nothing (closed)" : allowed), not \(to.rawValue)")
            }
            e.status = to.rawValue
            e.closedAt = to.isOpen ? nil : (e.closedAt ?? at)
            history.append(EventHistoryEntry(at: at, kind: .status, from: from.rawValue, to: to.rawValue, actor: c.actor))
        }
        if let a = c.assignee, a != current.assignee {
            e.assignee = a
            history.append(EventHistoryEntry(at: at, kind: .assigned, from: current.assignee, to: a, actor: c.actor))
        }
        if let n = c.note {
            e.properties["note"] = .string(n)
            history.append(EventHistoryEntry(at: at, kind: .note, note: n, actor: c.actor))
        }
        guard !history.isEmpty else { throw CityOpsError(.invalidParameter, "nothing to change: give status, assignee or note", parameter: "body") }
        e.updatedAt = at
        guard let updated = try await store.updateEvent(e, expectedUpdatedAt: current.updatedAt, history: history) else {
            throw CityOpsError(.conflict, "event \(id) changed meanwhile; read it again")
        }
        remember([updated])
        guard let (fresh, all) = try await store.event(id: id) else { return (updated, history) }
        return (fresh, all)
    }

    /// Raises the escalation level of every open event past its deadline (one
    /// level per `escalationStepHours`, starting at the deadline: community,
    /// street, district), recording each step in its history. Returns the events
    /// escalated. Run periodically by the server; tests call it after moving the clock.
    @discardableResult
    public func escalate() async throws -> [EventRecord] {
        let now = clock.now()
        let nowStamp = Self.stamp(now)
        // Past the deadline by text first (no date parsing for the many events not yet due).
        let due = memory.withLock { m in m.records.values.filter { e in
            guard let d = e.dueAt, d < nowStamp, e.escalationLevel < EscalationLevel.district.rawValue,
                  EventStatus(rawValue: e.status)?.isOpen ?? false else { return false }
            return level(e, at: now) > e.escalationLevel
        } }
        var out: [EventRecord] = []
        for due in due.sorted(by: { $0.id < $1.id }) {
            // Memory holds events without their planning details: escalate the stored whole.
            guard let (e, _) = try await store.event(id: due.id), e.updatedAt == due.updatedAt else { continue }
            var next = e
            let to = level(e, at: now)
            let at = Self.stamp(now, after: e.updatedAt)
            next.escalationLevel = to
            next.updatedAt = at
            let h = EventHistoryEntry(at: at, kind: .escalated, from: EscalationLevel(rawValue: e.escalationLevel)?.name,
                                      to: EscalationLevel(rawValue: to)?.name, actor: "deadline")
            // A concurrent change wins; the next run escalates from its state.
            if let updated = try await store.updateEvent(next, expectedUpdatedAt: e.updatedAt, history: [h]) {
                out.append(updated)
            }
        }
        remember(out)
        return out
    }

    /// The escalation level an open event has at `now`: 0 before its deadline,
    /// then one more per step, at most district.
    public func level(_ e: EventRecord, at now: Date) -> Int {
        guard let due = e.dueAt.flatMap(Timestamp.parse), now >= due else { return 0 }
        let steps = Int(min(1e6, now.timeIntervalSince(due) / max(60, settings.escalationStepHours * 3600)))
        return min(EscalationLevel.district.rawValue, 1 + steps)
    }

    // MARK: reading

    public func event(id: Int64) async throws -> (EventRecord, [EventHistoryEntry])? { try await store.event(id: id) }

    public func list(_ filter: EventFilter, after cursor: Int64?, limit: Int) async throws -> [EventRecord] {
        try await store.events(matching: filter, after: cursor, limit: limit)
    }

    /// Open events past their deadline, most overdue first (from memory).
    public func overdue(limit: Int) -> [EventRecord] {
        // Event times share one text form, so text order is time order: no date parsing per event.
        let now = Self.stamp(clock.now())
        let list = memory.withLock { m in m.records.values.filter { e in
            guard EventStatus(rawValue: e.status)?.isOpen ?? false, let due = e.dueAt else { return false }
            return due < now
        } }
        return Array(list.sorted { ($0.dueAt ?? "", $0.id) < ($1.dueAt ?? "", $1.id) }.prefix(limit))
    }

    public func stats(groupBy: EventGrouping, since: String?, until: String?) async throws -> [EventStatsRow] {
        try await store.eventStats(groupBy: groupBy, since: since, until: until, now: Self.stamp(clock.now()))
    }

    public func hotspots(since: String, type: String?, minimum: Int = 3, limit: Int = 50) async throws -> [EventHotspot] {
        try await store.eventHotspots(since: since, type: type, minimum: minimum, limit: limit)
    }

    public var now: Date { clock.now() }

    /// Events in memory (open and recent), for checks.
    public var inMemoryCount: Int { memory.withLock { $0.records.count } }

    // MARK: sensors

    /// Stores readings and publishes the new latest levels (kept by delta).
    /// A reading already kept as its sensor's latest is not streamed again: on a
    /// shared store this instance's own NOTIFY can be followed (and the reading
    /// streamed by `followReadings`) before this call gets here, and a repeated
    /// post of the latest reading stores nothing new. Older readings still stream
    /// (the history takes them); stream consumers order by `observed_at`.
    public func addReadings(_ readings: [SensorReading]) async throws(StorageError) -> Int {
        let n = try await store.insertReadings(readings)
        let (streamed, previous, fresh) = latest.withLock { l -> ([SensorReading], [SensorReading?], [String: SensorReading]) in
            var streamed: [SensorReading] = [], previous: [SensorReading?] = []
            var before: [String: SensorReading?] = [:]  // each sensor's latest before this batch
            for r in readings where l[r.sensorID] != r {
                if before[r.sensorID] == nil { before[r.sensorID] = .some(l[r.sensorID]) }
                streamed.append(r)
                previous.append(before[r.sensorID]!)
                if (l[r.sensorID]?.observedAt ?? "") <= r.observedAt { l[r.sensorID] = r }
            }
            return (streamed, previous, l)
        }
        guard !streamed.isEmpty else { return n }
        state.publish(readings: fresh)
        feed.publish(readings: streamed, previous: previous, snapshot: state.snapshot)
        return n
    }

    public func readings(sensor: String, since: String?, until: String?, after cursor: String?, limit: Int) async throws(StorageError) -> [SensorReading] {
        try await store.readings(sensor: sensor, since: since, until: until, after: cursor, limit: limit)
    }

    /// Deletes what retention allows (closed events, old readings) and drops
    /// closed events older than the window from memory.
    @discardableResult
    public func applyRetention() async throws(StorageError) -> (events: Int, readings: Int) {
        let now = clock.now()
        let r = try await store.purge(eventsClosedBefore: settings.eventRetentionDays.map { Self.stamp(now.addingTimeInterval(-$0 * 86400)) },
                                      readingsBefore: settings.readingRetentionDays.map { Timestamp.string(now.addingTimeInterval(-$0 * 86400)) })
        let cutoff = Self.stamp(now.addingTimeInterval(-settings.memoryWindowDays * 86400))
        let dropped = memory.withLock { m -> Int in
            let old = m.records.values.filter { $0.status == EventStatus.closed.rawValue && ($0.closedAt ?? $0.updatedAt) < cutoff && $0.createdAt < cutoff }
            for e in old { m.remove(e.id) }
            return old.count
        }
        if dropped > 0 { schedulePublish() }
        return r
    }

    // MARK: publication

    /// Rebuilds the events layer soon: at once when the last build is older
    /// than the interval, else when it has passed (one build for a burst).
    func schedulePublish() {
        let start = publishing.withLock { p -> Bool in
            if p.scheduled { return false }
            p.scheduled = true
            return true
        }
        guard start else { return }
        // On a low-priority thread of its own, not the cooperative pool: a rebuild of tens
        // of thousands of events must neither hold nor outrank the threads requests run on.
        let wait = publishing.withLock { p in max(publishInterval, p.lastCost * 8) - (ContinuousClock.now - p.lastBuild) }
        LowPriorityWorker.shared.run(after: wait) { [self] in publishNow() }
    }

    /// Builds and publishes the layer from memory now.
    func publishNow() {
        let started = ContinuousClock.now
        publishing.withLock { $0.scheduled = false; $0.lastBuild = started }
        // Under the lock only the chunk list is copied (O(n/1024)); the walk and the sort run outside it.
        let (column, version) = memory.withLock { m in (m.layerItems, m.version) }
        var items: [EventMemory.LayerItem] = []
        items.reserveCapacity(column.count)
        column.forEach { if $0.id != 0 { items.append($0) } }
        items.sort { $0.id < $1.id }
        let layer = EventJSON.layer(ids: items.map(\.id), points: items.map(\.point), texts: items.map(\.text),
                                    updatedAt: items.map(\.updatedAt).max() ?? "")
        let cost = ContinuousClock.now - started
        publishing.withLock { p in
            p.lastCost = cost
            // Builds may finish out of order: never replace a newer layer.
            guard version > p.publishedVersion else { return }
            p.publishedVersion = version
            state.publish(eventsLayer: layer)
        }
    }

    /// Waits until the map layer shows every write made so far (tests, benchmarks).
    public func waitUntilPublished() async {
        while true {
            let (want, have) = (memory.withLock { $0.version }, publishing.withLock { $0.publishedVersion })
            if have >= want { return }
            if !publishing.withLock({ $0.scheduled }) { schedulePublish() }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Event times: milliseconds, strictly after `previous` (so compare-and-set
    /// on updated_at tells two changes in the same millisecond apart).
    public static func stamp(_ d: Date, after previous: String? = nil) -> String {
        var s = Timestamp.millis(d)
        if let previous, s <= previous, let p = Timestamp.parse(previous) { s = Timestamp.millis(p.addingTimeInterval(0.001)) }
        return s
    }
}

/// Open and recent events with a point index, changed in place: a move or a
/// close is O(1) on the grid (no packed tree to copy or rebuild under the lock).
struct EventMemory {
    var records: [Int64: EventRecord] = [:]
    /// What the map layer shows of each event, by slot (id 0: a free slot), written once per change.
    var layerItems = ChunkedColumn(filler: LayerItem(id: 0, point: Coordinate(0, 0), text: "", updatedAt: ""))
    /// Open events' points, by slot.
    var index: LivePointGrid
    /// The type of each open event, by slot (the duplicate filter, without copying records).
    var openType: [Int32: String] = [:]
    var slotOf: [Int64: Int32] = [:]
    var idAt: [Int32: Int64] = [:]
    /// Slots of removed events, reused (the grid's arrays are indexed by slot).
    var freeSlots: [Int32] = []
    var nextSlot: Int32 = 0
    var version = 0

    /// Cells of 100 m (the duplicate radius is 50 m), wider when the area would need more than 250,000.
    init(area: BoundingBox) {
        let h = (area.maxY - area.minY) * 111_195
        let w = (area.maxX - area.minX) * 111_195 * cos((area.minY + area.maxY) / 2 * .pi / 180)
        index = LivePointGrid(bounds: area, cellMetres: max(100, (max(w, 0) * max(h, 0) / 250_000).squareRoot()))
    }

    mutating func put(_ e: EventRecord) {
        let slot: Int32
        if let s = slotOf[e.id] {
            slot = s
        } else {
            if let s = freeSlots.popLast() { slot = s } else { slot = nextSlot; nextSlot += 1 }
            slotOf[e.id] = slot; idAt[slot] = e.id
        }
        // The point index holds open events only: duplicates are looked for among them.
        if EventStatus(rawValue: e.status)?.isOpen ?? false {
            index.set(slot, x: e.point.x, y: e.point.y)
            openType[slot] = e.type
        } else {
            openType.removeValue(forKey: slot)
            index.remove(slot)
        }
        // The intake's planning details (proposed handlers, the geocoder's answer and candidates)
        // are most of an event's size and nothing memory serves reads them: storage keeps them.
        var kept = e
        for key in Self.storedOnly { kept.properties[key] = nil }
        records[e.id] = kept
        layerItems[Int(slot)] = LayerItem(id: e.id, point: e.point, text: EventJSON.layerText(e), updatedAt: e.updatedAt)
        version += 1
    }

    /// Properties memory leaves to storage (as event pages do, see `SQLiteOperationalStore.listColumns`).
    static let storedOnly = ["handlers", "geocode", "candidates"]

    struct LayerItem: Sendable {
        var id: Int64
        var point: Coordinate
        var text: String
        var updatedAt: String
    }

    mutating func remove(_ id: Int64) {
        guard let slot = slotOf.removeValue(forKey: id) else { return }
        idAt[slot] = nil
        records[id] = nil
        layerItems[Int(slot)] = layerItems.filler
        openType.removeValue(forKey: slot)
        index.remove(slot)
        freeSlots.append(slot)
        version += 1
    }
}

/// A growable array in chunks of 1,024: a copy shares the chunks (O(n/1024) to take
/// under a lock), and a write after a copy duplicates only the chunk it touches.
struct ChunkedColumn<Element: Sendable>: Sendable {
    static var chunkSize: Int { 1024 }
    let filler: Element
    private var chunks: [[Element]] = []
    init(filler: Element) { self.filler = filler }

    /// Slots allocated (a multiple of the chunk size).
    var count: Int { chunks.count * Self.chunkSize }

    subscript(slot: Int) -> Element {
        get { slot < count ? chunks[slot / Self.chunkSize][slot % Self.chunkSize] : filler }
        set {
            while slot >= count { chunks.append([Element](repeating: filler, count: Self.chunkSize)) }
            chunks[slot / Self.chunkSize][slot % Self.chunkSize] = newValue
        }
    }

    func forEach(_ body: (Element) -> Void) {
        for c in chunks { for e in c { body(e) } }
    }
}
