import CityOps
import Dispatch
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Follows imports made by other processes (`citytwin import` into the same
/// database bumps its data version): every `interval` it asks the store for
/// its version (one-row query) and publishes a rebuilt snapshot when it moved,
/// then rebuilds the geocoder before a request needs it. With `wake` (rung by
/// `StoreFollower` when a shared store tells of a layer commit) it checks at
/// once instead of at the next interval. A service of the
/// application's ServiceGroup: it stops on graceful shutdown, and a failed
/// check is logged and retried, never swallowed.
public struct DataVersionWatch: Service {
    let state: CityState
    let geocoding: GeocodingService
    let interval: Duration
    let logger: Logger
    /// Told of every reload (`layer.reloaded` on the live stream).
    let feed: LiveFeed?
    /// Rung on a change notification: check now rather than at the next interval.
    let wake: Wakeup?

    public init(state: CityState, geocoding: GeocodingService, interval: Duration = .seconds(2), logger: Logger, feed: LiveFeed? = nil,
                wake: Wakeup? = nil) {
        self.state = state; self.geocoding = geocoding; self.interval = interval; self.logger = logger; self.feed = feed
        self.wake = wake
    }

    public func run() async throws {
        // Build the geocoder for the first snapshot before the first request needs it, off
        // the cooperative pool and without holding up the reloads below (a city's build
        // takes a minute).
        var failures = 0
        let builds = GeocoderBuilds(geocoding: geocoding, logger: logger)
        builds.submit(state.snapshot)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if let wake {
                _ = await cancelWhenGracefulShutdown { [interval] in await wake.wait(upTo: interval) }
                if Task.isShuttingDownGracefully || Task.isCancelled { return }
            } else {
                do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) } } catch { return }
            }
            let before = state.snapshot.version
            do {
                var rebuilt: [String] = []
                let fresh = try state.refresh { rebuilt.append($0) }
                if failures > 0 { logger.info("data-version check works again after \(failures) failures") }
                failures = 0
                guard fresh.version != before else { continue }
                logger.info("data version \(before) → \(fresh.version): snapshot reloaded, layers read again: \(rebuilt.isEmpty ? "none" : rebuilt.sorted().joined(separator: ", ")) (of \(fresh.layers.count))")
                feed?.publish(reloaded: fresh, from: before)
                // Not awaited: the next change notification is acted on while a geocoder builds.
                builds.submit(fresh)
            } catch {
                failures += 1
                // Log the first failure and then every 30th, not every 2 s.
                if failures == 1 || failures % 30 == 0 { logger.error("data-version check failed (\(failures) in a row): \(error)") }
            }
        }
    }
}

/// Builds the geocoder for the newest reloaded snapshot off the cooperative pool, one
/// build at a time, while the reload loop goes on: a build takes a minute at city size
/// (and the first one after start is still running when the first imports arrive), and a
/// reload waiting for it would miss the one-second refresh another instance's commit asks
/// for. Snapshots handed over during a build coalesce into one next build, for the newest;
/// requests meanwhile get the previous geocoder.
final class GeocoderBuilds: Sendable {
    let geocoding: GeocodingService
    let logger: Logger
    private let slot = Mutex<(running: Bool, next: CitySnapshot?)>((false, nil))

    init(geocoding: GeocodingService, logger: Logger) {
        self.geocoding = geocoding
        self.logger = logger
    }

    func submit(_ snapshot: CitySnapshot) {
        let start = slot.withLock { s -> Bool in
            s.next = snapshot
            if s.running { return false }
            s.running = true
            return true
        }
        guard start else { return }
        // A thread of its own; for a rebuild at a lower priority: a build is seconds of one core
        // at city size and must not slow tiles and queries after an import, and requests keep
        // the previous geocoder meanwhile. Not the first build: geocoding requests before it
        // ends wait for it on request threads, which must not wait on a low-priority holder.
        let rebuild = geocoding.buildCount > 0
        let thread = Thread { [self] in
            if rebuild { Self.lowerThisThreadsPriority() }
            drain()
        }
        thread.name = "citytwin-geocoder"
        thread.start()
    }

    /// Nice 10 for the calling thread alone: on Linux the nice value is per thread, and
    /// `setpriority(PRIO_PROCESS, 0, …)` sets the caller's (the kernel reads 0 as `current`).
    static func lowerThisThreadsPriority() {
        #if os(Linux)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        #endif
    }

    private func drain() {
        while let snapshot = slot.withLock({ s -> CitySnapshot? in
            guard let next = s.next else {
                s.running = false
                return nil
            }
            s.next = nil
            return next
        }) {
            _ = geocoding.geocoder(for: snapshot)
            // The old snapshot and geocoder are gone by now (bar a request still
            // holding them): give their pages back instead of keeping the peak. At normal
            // priority: the trim holds malloc's arena locks, which request threads take too.
            DispatchQueue.global().async { [logger] in
                let trimmed = HeapTrim.releaseFreedPages()
                if let released = trimmed.released {
                    logger.info("returned \(released >> 20) MiB of freed heap to the system in \(Int(trimmed.seconds * 1000)) ms")
                }
            }
        }
    }
}
