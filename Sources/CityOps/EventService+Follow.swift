import Foundation
import Storage

/// Several instances on one shared store: what the others write reaches this
/// instance's memory, map layer and live stream by delta (`follow(ids:)`,
/// `followReadings()`), and after a lost connection by a reload
/// (`resynchronise()`). The store stays the authority: a status change is a
/// compare-and-set on the stored row, whatever memory holds.
extension EventService {
    /// Puts events into memory when they are newer than what memory holds
    /// (`updatedAt` grows strictly on every change of an event, on any
    /// instance: see `stamp(_:after:)`), then schedules the map layer and
    /// publishes them on the live stream: `event.created` for an event memory
    /// did not have and that never changed (or any it did not have when
    /// `intake` is set: this instance's own intake), `event.updated` otherwise.
    /// A closed event outside the memory window that memory does not hold is
    /// left to storage, as at start-up. Returns the events applied.
    ///
    /// Every write path goes through here, this instance's own and the
    /// follower's, so an event reaches the stream once whichever path sees it
    /// first (a notification of this instance's own commit can arrive before
    /// the commit's caller has put it into memory).
    @discardableResult
    func remember(_ events: [EventRecord], intake: Bool = false) -> [EventRecord] {
        guard !events.isEmpty else { return [] }
        let now = clock.now()
        let cutoff = Self.stamp(now.addingTimeInterval(-settings.memoryWindowDays * 86400))
        var created: [EventRecord] = [], updated: [EventRecord] = []
        memory.withLock { m in
            for e in events {
                if let have = m.records[e.id] {
                    guard have.updatedAt < e.updatedAt else { continue }
                    m.put(e)
                    updated.append(e)
                } else {
                    let open = EventStatus(rawValue: e.status)?.isOpen ?? false
                    if !open && (e.closedAt ?? e.updatedAt) < cutoff && e.createdAt < cutoff { continue }
                    m.put(e)
                    if intake || e.createdAt == e.updatedAt { created.append(e) } else { updated.append(e) }
                }
            }
        }
        guard !created.isEmpty || !updated.isEmpty else { return [] }
        schedulePublish()
        if !created.isEmpty { feed.publish(events: created, created: true, now: now) }
        if !updated.isEmpty { feed.publish(events: updated, created: false, now: now) }
        return created + updated
    }

    /// Reads the events another writer of the shared store inserted or changed
    /// (the ids of a change notification, this instance's own ones included)
    /// and applies those newer than memory (see `remember`). Ids close together
    /// are read as one page (an event page is what memory keeps: the planning
    /// details stay in storage); an id no longer stored is skipped.
    /// Returns the events applied. Throws `StorageError` when the store cannot be read
    /// (nothing is applied from the failing page; the caller retries).
    @discardableResult
    public func follow(ids: [Int64]) async throws(StorageError) -> [EventRecord] {
        let wanted = Set(ids)
        var read: [EventRecord] = []
        for run in Self.runs(wanted.sorted()) {
            let page = try await store.events(matching: EventFilter(), after: run.upperBound + 1,
                                              limit: Int(run.upperBound - run.lowerBound + 1))
            read += page.filter { wanted.contains($0.id) }
        }
        return remember(read.sorted { $0.id < $1.id })
    }

    /// Ids in runs that one page each reads: a gap wider than 64 ids or a run
    /// longer than 5,000 starts a new one (ids of other writers between them are
    /// read and dropped, cheaper than a query each).
    static func runs(_ sorted: [Int64]) -> [ClosedRange<Int64>] {
        var out: [ClosedRange<Int64>] = []
        for id in sorted {
            if let last = out.last, id - last.upperBound <= 64, id - last.lowerBound < 5_000 {
                out[out.count - 1] = last.lowerBound...id
            } else {
                out.append(id...id)
            }
        }
        return out
    }

    /// After a lost connection to a shared store (changes may have been missed):
    /// reads the open and recent events again, as at start-up, and applies those
    /// newer than memory (published on the stream like any other change), then
    /// the latest readings. Returns how many events changed.
    @discardableResult
    public func resynchronise() async throws(StorageError) -> Int {
        let since = Self.stamp(clock.now().addingTimeInterval(-settings.memoryWindowDays * 86400))
        let changed = remember(try await store.liveEvents(since: since))
        _ = try await followReadings()
        return changed.count
    }

    /// Reads every sensor's latest reading from the store and applies those
    /// newer than the ones kept (readings another instance stored): flood
    /// status in the snapshot, `sensor.reading` and `flood.status` on the
    /// stream (each sensor's newest only; the history has the rest).
    /// Returns the readings applied.
    @discardableResult
    public func followReadings() async throws(StorageError) -> [SensorReading] {
        let stored = try await store.latestReadings()
        let (changed, previous, fresh) = latest.withLock { l -> ([SensorReading], [SensorReading?], [String: SensorReading]) in
            var changed: [SensorReading] = [], previous: [SensorReading?] = []
            for (sensor, r) in stored.sorted(by: { $0.key < $1.key }) where (l[sensor]?.observedAt ?? "") < r.observedAt {
                previous.append(l[sensor])
                l[sensor] = r
                changed.append(r)
            }
            return (changed, previous, l)
        }
        guard !changed.isEmpty else { return [] }
        state.publish(readings: fresh)
        feed.publish(readings: changed, previous: previous, snapshot: state.snapshot)
        return changed
    }
}
