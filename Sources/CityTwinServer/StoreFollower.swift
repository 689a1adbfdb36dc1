import CityOps
import Logging
import ServiceLifecycle
import Storage
import Synchronization

/// Keeps one instance in step with the others sharing its store (PostGIS:
/// LISTEN/NOTIFY): it consumes the store's change feed and hands each change
/// to whoever keeps that data in memory.
///
/// - `.layers` rings `layers` (the `DataVersionWatch`: a reload within about a
///   second of another instance's import, not at its next poll);
/// - `.events(ids:)` has the event hub read those events and apply the newer
///   ones (memory, map layer, live stream);
/// - `.readings` has it refresh the latest readings;
/// - `.bikePositions` rings `bikes` (the `BikeStoreWatch`);
/// - `.resynchronise` (the listener reconnected: changes may have been lost)
///   does all of these, the event hub reloading its open and recent events.
///
/// Event and reading work runs on one task of its own, so a slow store read
/// never holds up the feed; notifications arriving meanwhile are merged (ids
/// collected, flags set) and applied by the next pass. A failed pass is logged
/// and retried a second later with its work kept. A ServiceLifecycle service:
/// it stops on graceful shutdown.
public struct StoreFollower: Service {
    let feed: any StoreChangeFeed
    let events: EventService?
    let layers: Wakeup?
    let bikes: Wakeup?
    let logger: Logger

    public init(feed: any StoreChangeFeed, events: EventService?, layers: Wakeup?, bikes: Wakeup?, logger: Logger) {
        self.feed = feed
        self.events = events
        self.layers = layers
        self.bikes = bikes
        self.logger = logger
    }

    /// Work noted from notifications, not yet applied.
    struct Pending {
        var ids = Set<Int64>()
        var readings = false
        var resynchronise = false
        var isEmpty: Bool { ids.isEmpty && !readings && !resynchronise }

        mutating func take() -> Pending {
            defer { self = Pending() }
            return self
        }

        mutating func merge(_ other: Pending) {
            ids.formUnion(other.ids)
            readings = readings || other.readings
            resynchronise = resynchronise || other.resynchronise
        }
    }

    /// Shared by the feed loop and the apply task.
    final class Queue: Sendable {
        let pending = Mutex(Pending())
        let work = Wakeup()
    }

    public func run() async throws {
        let queue = Queue()
        await withTaskGroup(of: Void.self) { group in
            if let events {
                group.addTask { await apply(queue, events) }
            }
            _ = try? await cancelWhenGracefulShutdown { await follow(queue) }
            group.cancelAll()
        }
    }

    /// Reads the feed until shutdown. A stream that ends meanwhile (the store's listener
    /// gave up) is taken again a second later, with a resynchronisation: a server that
    /// silently stopped following the others would serve stale data without a sign.
    func follow(_ queue: Queue) async {
        while !Task.isCancelled {
            for await change in feed.changes() { dispatch(change, queue) }
            if Task.isCancelled { return }
            logger.error("the store's change feed ended; listening again in 1 s")
            try? await Task.sleep(for: .seconds(1))
            dispatch(.resynchronise, queue)
        }
    }

    func dispatch(_ change: StoreChange, _ queue: Queue) {
        switch change {
        case .layers:
            layers?.ring()
        case .events(let ids):
            queue.pending.withLock { $0.ids.formUnion(ids) }
            queue.work.ring()
        case .readings:
            queue.pending.withLock { $0.readings = true }
            queue.work.ring()
        case .bikePositions:
            bikes?.ring()
        case .resynchronise:
            logger.info("store connection back: resynchronising layers, events, readings and bikes")
            queue.pending.withLock { $0.resynchronise = true }
            queue.work.ring()
            layers?.ring()
            bikes?.ring()
        }
    }

    func apply(_ queue: Queue, _ events: EventService) async {
        var failures = 0
        while !Task.isCancelled {
            // Nothing to do without a ring; the long timeout only bounds a lost wake-up.
            await queue.work.wait(upTo: .seconds(60))
            if Task.isCancelled { return }
            let batch = queue.pending.withLock { $0.take() }
            if batch.isEmpty { continue }
            do {
                if batch.resynchronise {
                    let n = try await events.resynchronise()
                    logger.info("resynchronised: \(n) events changed while the store connection was down")
                } else {
                    if !batch.ids.isEmpty { try await events.follow(ids: Array(batch.ids)) }
                    if batch.readings { try await events.followReadings() }
                }
                if failures > 0 { logger.info("following the shared store works again after \(failures) failures") }
                failures = 0
            } catch {
                failures += 1
                // The first failure and then every 30th, not one line a second.
                if failures == 1 || failures % 30 == 0 { logger.error("following the shared store failed (\(failures) in a row): \(error)") }
                queue.pending.withLock { $0.merge(batch) }
                try? await Task.sleep(for: .seconds(1))
                queue.work.ring()
            }
        }
    }
}
